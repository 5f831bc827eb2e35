"""Scheduled runs for real: a ``prefect server start`` subprocess, ``ytclaims serve``, a run.

One server per module (it takes 15-30 s to start on a busy 2-core machine). The served
run ingests copies of the example notes and fixture captions and tries to fetch one
video through a proxy that refuses connections, so the fetch stage fails the same way on
every machine, online or not, and the flow must still complete. The expected warehouse
comes from ``ytclaims.pipeline.ingest`` of the same files, without Prefect.

Timeouts below are fail-safes for a hung process, not assertions about speed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from helpers import EXAMPLES, REPO

pytestmark = pytest.mark.prefect

CAPTION_FIXTURES = REPO / "tests" / "fixtures" / "captions"
PREFECT = Path(sys.executable).with_name("prefect")
VIDEO = "dQw4w9WgXcQ"
SERVER_STARTUP_S = 180
RUN_TIMEOUT_S = 600

T = TypeVar("T")


# --- processes ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen:
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left (flow runs, services)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _tail(log: Path, n: int = 40) -> str:
    lines = log.read_text("utf-8", errors="replace").splitlines() if log.exists() else []
    return "\n".join(lines[-n:])


def _wait_for(
    what: str, probe: Callable[[], T | None], timeout: float, proc: subprocess.Popen, log: Path
) -> T:
    """Poll ``probe`` until it returns something; fail early if ``proc`` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = probe()
        if got is not None:
            return got
        if proc.poll() is not None:
            pytest.fail(f"{what}: process exited with {proc.returncode}:\n{_tail(log)}")
        time.sleep(1.0)
    pytest.fail(f"{what}: not done after {timeout} s (fail-safe):\n{_tail(log)}")


def _healthy(api: str) -> bool | None:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=5) as r:
            return True if r.status == 200 else None
    except OSError:
        return None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real Prefect server; yields the environment for its clients."""
    home = tmp_path_factory.mktemp("prefect_server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    port = _free_port()
    log = home / "server.log"
    args = [str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    proc = _start(args, env, log, home)
    api = f"http://127.0.0.1:{port}/api"
    try:
        _wait_for("prefect server", lambda: _healthy(api), SERVER_STARTUP_S, proc, log)
        yield env | {"PREFECT_API_URL": api}
    finally:
        _stop(proc)


@pytest.fixture
def client(server: dict[str, str]):
    """A synchronous Prefect client of the test server."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with (
        temporary_settings(updates={PREFECT_API_URL: server["PREFECT_API_URL"]}),
        get_client(sync_client=True) as c,
    ):
        yield c


# --- the project under test ---------------------------------------------------------


def _project(tmp_path: Path, name: str) -> tuple[Path, list[Path]]:
    notes, captions = tmp_path / "notes", tmp_path / "captions"
    shutil.copytree(EXAMPLES, notes)
    shutil.copytree(CAPTION_FIXTURES, captions)
    cfg = tmp_path / "ytclaims.toml"
    cfg.write_text(
        'db = "wh/ytclaims.duckdb"\n'
        'notes = ["notes"]\n'
        'captions = ["captions"]\n'
        f'videos = ["{VIDEO}"]\n'
        "[schedule]\n"
        'cron = "0 3 * * *"\n'
        'timezone = "Europe/Berlin"\n'
        "[deployment]\n"
        f'name = "{name}"\n',
        encoding="utf-8",
    )
    return cfg, [notes, captions]


def _unreachable_youtube(env: dict[str, str]) -> dict[str, str]:
    """Route fetches through a proxy on a closed local port: a network failure anywhere."""
    dead = f"http://127.0.0.1:{_free_port()}"
    return env | {"YTCLAIMS_PROXY_HTTP": dead, "YTCLAIMS_PROXY_HTTPS": dead}


COUNTS = (
    "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM claims), "
    "(SELECT count(*) FROM citations)"
)


def _read(db: Path, sql: str) -> list[tuple]:
    from ytclaims.warehouse.db import connect_read

    con = connect_read(db)  # the published copy, if the warehouse publishes one
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def direct_counts(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, int, int]:
    """sources, claims, citations of the same files ingested without Prefect."""
    from ytclaims.pipeline import ingest

    tmp = tmp_path_factory.mktemp("direct")
    _, paths = _project(tmp, "unused")
    db = tmp / "direct.duckdb"
    ingest(paths, db)
    (counts,) = _read(db, COUNTS)
    assert counts[1] > 0 and counts[2] > 0
    return counts


def _assert_update_result(db: Path, direct_counts: tuple[int, int, int]) -> None:
    (counts,) = _read(db, COUNTS)
    assert counts == direct_counts
    attempts = _read(db, f"SELECT outcome FROM fetch_attempts WHERE video_id = '{VIDEO}'")
    assert attempts, "the fetch stage did not run"
    assert all(o not in ("ok", "cached") for (o,) in attempts)


# --- the tests ------------------------------------------------------------------------


def test_served_deployment_run_keeps_the_warehouse_current(
    server: dict[str, str], client, tmp_path: Path, direct_counts: tuple[int, int, int]
) -> None:
    from prefect.exceptions import ObjectNotFound

    cfg, _ = _project(tmp_path, "served-test")
    log = tmp_path / "serve.log"
    env = _unreachable_youtube(server)
    args = [sys.executable, "-m", "ytclaims.cli", "serve", "--config", str(cfg)]
    serve = _start(args, env, log, tmp_path)
    try:

        def deployment():
            try:
                return client.read_deployment_by_name("update/served-test")
            except ObjectNotFound:
                return None

        dep = _wait_for("deployment registered", deployment, SERVER_STARTUP_S, serve, log)
        assert dep.parameters == {"config": str(cfg)}
        (sched,) = dep.schedules
        assert (sched.schedule.cron, sched.schedule.timezone) == ("0 3 * * *", "Europe/Berlin")

        run = client.create_flow_run_from_deployment(dep.id)

        def finished():
            state = client.read_flow_run(run.id).state
            return state if state is not None and state.is_final() else None

        state = _wait_for("flow run", finished, RUN_TIMEOUT_S, serve, log)
        assert state.is_completed(), f"{state}\n{_tail(log)}"
    finally:
        _stop(serve)
    _assert_update_result(tmp_path / "wh" / "ytclaims.duckdb", direct_counts)
    # serve's own output has one summary line for the run
    lines = [
        ln for ln in log.read_text("utf-8", "replace").splitlines() if ln.startswith("update ")
    ]
    assert len(lines) == 1, _tail(log)
    assert f" {cfg}: ingest " in lines[0] and "fetch 1 videos (0 ok, 1 failed" in lines[0]


def test_run_once_against_the_server(
    server: dict[str, str], tmp_path: Path, direct_counts: tuple[int, int, int]
) -> None:
    cfg, _ = _project(tmp_path, "run-once-test")
    args = [sys.executable, "-m", "ytclaims.cli", "serve", "--config", str(cfg), "--run-once"]
    r = subprocess.run(
        args,
        env=_unreachable_youtube(server),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    assert r.returncode == 0, r.stderr[-4000:]
    report = json.loads(r.stdout)
    (line,) = [ln for ln in r.stderr.splitlines() if ln.startswith("update ")]
    assert f"{report['ingest']['claims_loaded']:,} claims" in line
    db = tmp_path / "wh" / "ytclaims.duckdb"
    assert report["db"] == str(db)
    assert report["ingest"]["claims_loaded"] == direct_counts[1]
    assert report["fetch"]["videos"] == report["fetch"]["failed"] == 1
    _assert_update_result(db, direct_counts)


def test_prefect_yaml_deploys(server: dict[str, str], client) -> None:
    """The work-pool route: `prefect deploy --all` accepts prefect.yaml as committed."""
    from ytclaims.config import load_config

    def prefect(*args: str) -> None:
        r = subprocess.run(
            [str(PREFECT), *args],
            env=server,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
        )
        assert r.returncode == 0, (args, r.stdout[-3000:], r.stderr[-3000:])

    prefect("work-pool", "create", "ytclaims", "--type", "process")
    prefect("deploy", "--all")
    cfg = load_config(REPO / "ytclaims.toml")
    dep = client.read_deployment_by_name(f"update/{cfg.deployment.name}")
    assert dep.work_pool_name == "ytclaims"
    assert dep.entrypoint == "flows/update.py:update"
    assert dep.parameters == {"config": str(cfg.path)}
    assert dep.description == f"Keep {cfg.db} current from {cfg.path}."
    (sched,) = dep.schedules
    assert (sched.schedule.cron, sched.schedule.timezone) == (
        cfg.schedule.cron,
        cfg.schedule.timezone,
    )
    (pull,) = dep.pull_steps
    directory = pull["prefect.deployments.steps.set_working_directory"]["directory"]
    assert Path(directory).resolve() == REPO.resolve()
