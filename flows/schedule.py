"""Scheduled runs: the ``update`` flow as a Prefect deployment built from ``ytclaims.toml``.

A schedule fires only while something polls the Prefect API for due runs. Two routes:

* :func:`serve` registers the deployment and keeps this process polling (``ytclaims
  serve``): the simplest setup, one long-running process next to ``prefect server``;
* ``prefect.yaml`` + ``prefect deploy --all`` + ``prefect worker start --pool ytclaims``:
  the work-pool route, for when runs should start on other machines.

Everything a deployment needs comes from the config (name, cron, time zone) and the
deployment's only parameter is the config's absolute path, so each run re-reads the
file: edit the notes folders or video list and the next run uses them without
re-registering. Everything here is Prefect-specific, so it lives with the flows; the
library side of a scheduled run (config, ingest and fetch steps, summary) is in ``ytclaims``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ytclaims.config import DEFAULT_CONFIG, Config, load_config
from ytclaims.errors import ConfigError, YtclaimsError

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

FLOW_NAME = "update"
TAGS = ["ytclaims"]


def deployment_kwargs(config: Config) -> dict[str, Any]:
    """Keyword arguments for ``update.to_deployment`` / ``update.serve``.

    The schedule is a ``prefect.schedules.Cron`` with the config's time zone (the plain
    ``cron=`` argument has none, so '0 6 * * *' would mean 06:00 UTC everywhere). The
    entrypoint is the module path ``flows.update.update``: ``flows`` is an installed
    package, so the runner can start flow runs from any working directory.
    """
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    if config.schedule.cron is None:
        raise ConfigError(
            f"{config.path}: 'schedule.cron' is not set, so a deployment would never fire.",
            hint='Add [schedule] with cron = "0 6 * * *", or run once with --run-once.',
        )
    try:  # Prefect's own parser has the last word (the config was checked with cronsim)
        cron = Cron(config.schedule.cron, timezone=config.schedule.timezone)
    except ValueError as exc:
        raise ConfigError(
            f"{config.path}: 'schedule.cron' = {config.schedule.cron!r} is not a cron "
            f"expression Prefect accepts ({exc}).",
            hint="Use five fields: minute hour day-of-month month day-of-week, "
            "e.g. '0 6 * * *' for 06:00 every day.",
        ) from exc
    return {
        "name": config.deployment.name,
        "schedules": [cron],
        "parameters": {"config": str(config.path)},
        "description": f"Keep {config.db} current from {config.path}.",
        "tags": list(TAGS),
        "entrypoint_type": EntrypointType.MODULE_PATH,
    }


def deploy_settings(config: str = str(DEFAULT_CONFIG)) -> dict[str, str]:
    """A ``prefect.yaml`` build step: the deployment's settings, read from ``config``.

    Why: ``prefect deploy`` reads prefect.yaml, not ytclaims.toml; with this step the
    work-pool route takes its config path, cron, time zone and description from the one
    file ``ytclaims serve`` reads too, so the two routes cannot drift. The config is
    checked exactly as ``serve`` checks it (a bad or missing cron stops the deploy with
    the key to fix). prefect.yaml refers to the outputs as ``{{ ytclaims.cron }}`` etc.
    """
    cfg = load_config(config)
    kwargs = deployment_kwargs(cfg)
    _check_taxonomy(cfg)
    assert cfg.schedule.cron is not None  # deployment_kwargs refuses a config without one
    return {
        "config": str(cfg.path),
        "cron": cfg.schedule.cron,
        "timezone": cfg.schedule.timezone,
        "name": cfg.deployment.name,
        "description": str(kwargs["description"]),
    }


def to_deployment(config: Config) -> RunnerDeployment:
    """The deployment object (no server needed until it is applied or served)."""
    from flows.update import update

    return update.to_deployment(**deployment_kwargs(config))


def serve(config_path: str | Path = DEFAULT_CONFIG) -> None:
    """Register the ``update/<name>`` deployment and poll for its runs until interrupted.

    Blocks. On Ctrl-C Prefect pauses the schedule (nothing would run it anyway), and the
    next ``serve`` resumes it. Needs ``PREFECT_API_URL`` pointing at a running server:
    a temporary server would vanish with this process, and its schedule with it.
    """
    config = load_config(config_path)
    kwargs = deployment_kwargs(config)
    _check_taxonomy(config)
    _require_server()
    from flows.update import update

    # One run at a time (limit=1): a second would parse everything, then wait for the
    # warehouse's single writer and fail after 10 s if the first ran long.
    update.serve(**kwargs, limit=1)


def run_once(config_path: str | Path = DEFAULT_CONFIG) -> dict[str, object]:
    """Run the ``update`` flow once, now (for cron-less setups, or to test a config)."""
    config = load_config(config_path)
    _check_taxonomy(config)
    from flows.update import update

    return update(config=str(config.path))


def _check_taxonomy(config: Config) -> None:
    """A broken taxonomy would fail every run: refuse it before registering anything."""
    if config.taxonomy is not None and config.tag:
        from ytclaims.tags.taxonomy import load_taxonomy

        load_taxonomy(str(config.taxonomy))


def _require_server() -> None:
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise YtclaimsError(
            "PREFECT_API_URL is not set: the schedule would live in a temporary server "
            "that stops with this process.",
            hint="Start 'prefect server start' and export "
            "PREFECT_API_URL=http://127.0.0.1:4200/api (or use --run-once).",
        )
