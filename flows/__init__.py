"""Prefect flows for ytclaims. They orchestrate; the work is in the ``ytclaims`` library.

Everything Prefect-specific lives in this package: the flows, the scheduled deployment
(``flows.schedule``) and the settings a flow run from the command line gets.
"""

import os


def prefect_env() -> None:
    """Defaults for running a flow from the CLI (a user's own settings win)."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # The machines this runs on are often offline: no telemetry calls.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def split_db_arg(args: list[str]) -> tuple[list[str], str | None]:
    """``python -m flows.X ARGS... --db FILE``: the other arguments and the --db value."""
    args = list(args)
    if "--db" in args:
        i = args.index("--db")
        db = args[i + 1] if i + 1 < len(args) else None
        del args[i : i + 2]
        return args, db
    return args, None
