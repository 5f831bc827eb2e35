"""The Prefect API a flow run from the command line talks to, started early.

With no server configured, Prefect starts a temporary API in a subprocess the first time
a flow needs it, i.e. only after this process has imported Prefect and the flow (3-5 s)
and then waits for it (5-10 s more): the two costs add up. :func:`temporary_api` starts
the very same server (Prefect's own uvicorn command for its ephemeral mode) *before* the
imports, on another core, and points ``PREFECT_API_URL`` at it, so the imports and the
server's start-up overlap. With ``PREFECT_API_URL`` set (a running ``prefect server
start``, or a profile that names one) nothing is started: that is the fast path
(about 1 s of Prefect bookkeeping per flow run).

This module imports nothing of Prefect: importing Prefect is the cost it hides.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

#: How long to wait for the server before giving up (Prefect's own default is 20 s; a
#: loaded 2-core machine has needed 40 s).
STARTUP_TIMEOUT_S = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 180))


def configured_api_url() -> str | None:
    """The API URL the user configured: ``PREFECT_API_URL``, else the active profile's."""
    url = os.environ.get("PREFECT_API_URL")
    if url:
        return url
    home = Path(os.environ.get("PREFECT_HOME", Path.home() / ".prefect")).expanduser()
    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser()
    try:
        data = tomllib.loads(profiles.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or data.get("active")
    profile = data.get("profiles", {}).get(active, {}) if isinstance(active, str) else {}
    value = profile.get("PREFECT_API_URL") if isinstance(profile, dict) else None
    return value if isinstance(value, str) and value else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=1) as r:  # noqa: S310 - loopback
            return r.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _server_command(port: int) -> list[str]:
    """Prefect 3.9's own command for its temporary server (``SubprocessASGIServer``)."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]


class ApiServer:
    """A temporary Prefect API server subprocess on a free loopback port."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        env = dict(os.environ)
        # As Prefect's ephemeral mode: no UI, ephemeral services only.
        env.update({"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1"})
        env.update({"PREFECT__SERVER_FINAL": "1"})
        self.proc = subprocess.Popen(_server_command(self.port), env=env, stdin=subprocess.DEVNULL)

    def wait_until_ready(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        """Block until the API answers (call it after this process's own imports)."""
        deadline = time.monotonic() + timeout
        while not _healthy(self.url):
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"The temporary Prefect API exited with code {self.proc.returncode} "
                    "before it answered. Start one with 'prefect server start' and set "
                    "PREFECT_API_URL, or run with --no-prefect."
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"The temporary Prefect API at {self.url} did not start within "
                    f"{timeout:g} s. Start one with 'prefect server start' and set "
                    "PREFECT_API_URL, or run with --no-prefect."
                )
            time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@contextlib.contextmanager
def temporary_api() -> Iterator[ApiServer | None]:
    """Start a temporary Prefect API now unless one is configured, and point
    ``PREFECT_API_URL`` at it; yields the server (None when the configured API is used).
    The server stops when the block ends."""
    if configured_api_url():
        yield None
        return
    server = ApiServer()
    os.environ["PREFECT_API_URL"] = server.url
    try:
        yield server
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()


@contextlib.contextmanager
def api_for_flows() -> Iterator[Callable[[], None]]:
    """The usual way to run a flow from the command line::

    with api_for_flows() as ready:
        from flows.ingest import ingest  # the slow imports, while the API starts
        ready()
        ingest(...)
    """
    with temporary_api() as api:
        yield api.wait_until_ready if api is not None else (lambda: None)
