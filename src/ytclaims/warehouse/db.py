"""Opening the DuckDB warehouse: where it is, how to open it, and its schema.

DuckDB allows one writer per file and that writer blocks every other process, even
readers. Writers therefore hold the file only for the load transaction; readers open
it read-only and are told clearly when a writer has it.
"""

from __future__ import annotations

import os
import time
from importlib import resources
from pathlib import Path

import duckdb

from ytclaims import __version__, errors

DEFAULT_DB = Path("warehouse") / "ytclaims.duckdb"
ENV_DB = "YTCLAIMS_DB"
SCHEMA_VERSION = "1"


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database path: ``--db``, else ``$YTCLAIMS_DB``, else ``warehouse/ytclaims.duckdb``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_DB)
    return Path(env) if env else DEFAULT_DB


def _is_lock_error(exc: Exception) -> bool:
    msg = str(exc).lower()
    return "lock" in msg and ("conflicting" in msg or "could not set" in msg)


def connect_write(path: Path, *, wait_seconds: float = 10.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing, creating it and applying the schema.

    Retries for ``wait_seconds`` while another process holds the file, then raises
    :class:`WarehouseLockedError` instead of hanging.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.IOException as exc:
            if _is_lock_error(exc) and time.monotonic() < deadline:
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            if _is_lock_error(exc):
                raise errors.WarehouseLockedError(f"{path} is locked by another process.") from exc
            raise errors.WarehouseError(f"Cannot open {path} for writing: {exc}") from exc
        except duckdb.Error as exc:
            raise errors.WarehouseError(f"Cannot open {path} for writing: {exc}") from exc
    # Bound DuckDB's own memory during big loads (it spills to disk beyond this); the
    # parsed batches themselves are held by Python until the single transaction.
    con.execute(f"SET memory_limit = '{os.environ.get('YTCLAIMS_DUCKDB_MEMORY', '2GB')}'")
    con.execute("SET enable_progress_bar = false")
    apply_schema(con)
    return con


def connect_read(
    path: Path, *, wait_seconds: float = 5.0, external_access: bool = True
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only; wait briefly if a writer holds it, then fail clearly.

    ``external_access=False`` also forbids reading or writing other files (for running
    SQL a user typed).
    """
    if not path.exists():
        raise errors.WarehouseMissingError(f"No warehouse at {path}.")
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            config = {} if external_access else {"enable_external_access": False}
            return duckdb.connect(str(path), read_only=True, config=config)
        except duckdb.IOException as exc:
            if _is_lock_error(exc) and time.monotonic() < deadline:
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            if _is_lock_error(exc):
                raise errors.WarehouseLockedError(
                    f"{path} is being written by another process."
                ) from exc
            raise errors.WarehouseError(f"Cannot open {path}: {exc}") from exc


def schema_sql() -> str:
    return resources.files("ytclaims.warehouse").joinpath("schema.sql").read_text("utf-8")


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables and (re)create views and comments; safe to repeat."""
    con.execute(schema_sql())
    from ytclaims.search import apply_views

    apply_views(con)
    con.execute(
        "INSERT INTO meta VALUES ('schema_version', ?), ('created_by', ?) ON CONFLICT DO NOTHING",
        [SCHEMA_VERSION, f"ytclaims {__version__}"],
    )
