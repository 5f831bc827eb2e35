"""Opening the DuckDB warehouse: where it is, how to open it, and its schema.

Readers and writers never wait for each other. DuckDB allows one writer per file and
that writer's lock blocks every other process, even read-only ones (and an open
read-only connection blocks a writer). So the warehouse is two files:

* the **published snapshot** ``warehouse/ytclaims.duckdb`` (the path users, ``ytclaims
  query`` and the DuckDB CLI open, read-only), and
* the writer's private **working file** beside it, ``warehouse/.ytclaims.duckdb.writer``
  (and DuckDB's ``.wal`` for it), which only pipeline runs open.

A run writes the working file in one transaction (:func:`open_writer`); after COMMIT,
:func:`publish` checkpoints it and copies it to a temporary file in the same folder,
fsyncs it and renames it over the published path. A rename is atomic, so a reader sees
either the previous complete run or the new one, never half a run; a reader that holds
the old file open keeps its old inode, so it never blocks the writer.

Crash safety: a process killed mid-load leaves the working file to DuckDB's WAL
recovery (the uncommitted transaction is gone) and the published file untouched; a
process killed between COMMIT and publishing, or mid-copy, leaves the previous snapshot
published, and the next writer removes the stale temporary file and publishes.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb

from ytclaims import __version__, errors
from ytclaims.warehouse import migrations

log = logging.getLogger(__name__)

DEFAULT_DB = Path("warehouse") / "ytclaims.duckdb"
ENV_DB = "YTCLAIMS_DB"

#: How long a writer waits for another writer (or a publish) before giving up. Read at
#: call time, so a test can shorten it.
WRITE_WAIT_SECONDS = 10.0
#: How long a reader waits for a lock. Readers of the published snapshot only meet one
#: when someone opened the snapshot itself for writing (it is not meant for that).
READ_WAIT_SECONDS = 5.0


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database path: ``--db``, else ``$YTCLAIMS_DB``, else ``warehouse/ytclaims.duckdb``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_DB)
    return Path(env) if env else DEFAULT_DB


def working_path(path: Path) -> Path:
    """The writer's private working file for the published warehouse ``path``.

    Hidden (dot-prefixed) so nobody opens it by mistake: a reader holding it would
    block the next run.
    """
    return path.with_name(f".{path.name}.writer")


def wal_path(path: Path) -> Path:
    """DuckDB's write-ahead log for the database file ``path``."""
    return path.with_name(path.name + ".wal")


def _temp_prefix(path: Path, purpose: str = "publish") -> str:
    """Temporary copies are ``.<name>.publish-*.tmp`` / ``.<name>.seed-*.tmp``."""
    return f".{path.name}.{purpose}-"


def _is_lock_error(exc: Exception) -> bool:
    msg = str(exc).lower()
    return "lock" in msg and ("conflicting" in msg or "could not set" in msg)


def _connect(
    path: Path,
    *,
    read_only: bool,
    wait_seconds: float,
    config: dict[str, object] | None = None,
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` that retries while another process holds the file, then raises
    :class:`WarehouseLockedError` instead of hanging."""
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    verb = "read" if read_only else "write"
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config or {})
        except duckdb.IOException as exc:
            if _is_lock_error(exc) and time.monotonic() < deadline:
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            if _is_lock_error(exc):
                holder = "written" if read_only else "held"
                raise errors.WarehouseLockedError(
                    f"{path} is {holder} by another process (waited {wait_seconds:g} s)."
                ) from exc
            raise errors.WarehouseError(f"Cannot open {path} to {verb}: {exc}") from exc
        except duckdb.Error as exc:
            raise errors.WarehouseError(f"Cannot open {path} to {verb}: {exc}") from exc


def connect_write(path: Path, *, wait_seconds: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open exactly the file ``path`` for writing, creating it and applying the schema.

    Pipeline runs do not call this on the published warehouse: they use
    :func:`open_writer` (the working file) and :func:`publish`. Retries for
    ``wait_seconds`` (default :data:`WRITE_WAIT_SECONDS`) while another process holds the
    file, then raises :class:`WarehouseLockedError` instead of hanging.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    wait = WRITE_WAIT_SECONDS if wait_seconds is None else wait_seconds
    con = _connect(path, read_only=False, wait_seconds=wait)
    # Bound DuckDB's own memory during big loads (it spills to disk beyond this); parsed
    # rows reach the writer as staged Parquet files, which DuckDB streams.
    con.execute(f"SET memory_limit = '{os.environ.get('YTCLAIMS_DUCKDB_MEMORY', '1GB')}'")
    con.execute("SET enable_progress_bar = false")
    apply_schema(con)
    return con


def connect_read(
    path: Path, *, wait_seconds: float | None = None, external_access: bool = True
) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse ``path`` read-only.

    Runs never lock the published file (they replace it by a rename), so this does not
    wait for a run. It waits ``wait_seconds`` (default :data:`READ_WAIT_SECONDS`) only if
    someone opened the snapshot itself for writing, then fails clearly.
    ``external_access=False`` also forbids reading or writing other files (for running
    SQL a user typed).
    """
    if not path.exists():
        if working_path(path).exists():
            raise errors.WarehouseMissingError(
                f"No published warehouse at {path} yet: the first run has not finished "
                "(or stopped before publishing).",
                hint="Wait for the running ingest, or run 'ytclaims ingest PATH' again.",
            )
        raise errors.WarehouseMissingError(f"No warehouse at {path}.")
    wait = READ_WAIT_SECONDS if wait_seconds is None else wait_seconds
    config: dict[str, object] = {} if external_access else {"enable_external_access": False}
    return _connect(path, read_only=True, wait_seconds=wait, config=config)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _copy_file(src: Path, dst: Path) -> None:
    """Copy ``src``'s bytes onto ``dst`` and fsync them (the slow step of publishing;
    a module-level function so tests can pause a publish here)."""
    shutil.copyfile(src, dst)
    with open(dst, "rb+") as f:
        os.fsync(f.fileno())


def _mode_for(src: Path, dst: Path) -> int:
    """Permissions for a new copy: those of the file it replaces (someone may have shared
    the warehouse with a group), else those of its source; never mkstemp's 0600, which
    would lock other users out of the warehouse."""
    for p in (dst, src):
        with contextlib.suppress(OSError):
            return stat.S_IMODE(p.stat().st_mode)
    return 0o644


def _copy_atomically(src: Path, dst: Path) -> None:
    """Replace ``dst`` by a copy of ``src``: readers see the old file or the whole new
    one. A crash leaves at most a ``.<name>.publish-*.tmp`` file, which the next writer
    removes."""
    fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(dst), suffix=".tmp", dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _copy_file(src, tmp)
        os.chmod(tmp, _mode_for(src, dst))
        os.replace(tmp, dst)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(dst.parent)


def _remove_stale_temps(path: Path) -> None:
    """Delete temporary copies left by a publish or seeding that crashed. Call only
    while holding the working file's write lock: publishing holds it too, so no copy is
    in progress (and a seeding that loses its copy sees the working file and stops)."""
    for purpose in ("publish", "seed"):
        for tmp in path.parent.glob(_temp_prefix(path, purpose) + "*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()
                log.info("removed %s, left by an interrupted copy", tmp)


def _seed_working(path: Path, wait_seconds: float) -> bool:
    """Start the working file from the published warehouse when there is none yet
    (warehouses made before the published snapshot existed, or a deleted working file).
    True if it did."""
    working = working_path(path)
    if working.exists():
        return False
    # A log without its database belongs to a deleted working file: replaying it onto a
    # fresh copy would corrupt it.
    with contextlib.suppress(FileNotFoundError):
        wal_path(working).unlink()
    if not path.exists():
        return False
    if wal_path(path).exists():  # an old warehouse whose last writer crashed: recover it
        _connect(path, read_only=False, wait_seconds=wait_seconds).close()
    fd, tmp_name = tempfile.mkstemp(
        prefix=_temp_prefix(path, "seed"), suffix=".tmp", dir=path.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _copy_file(path, tmp)
        os.chmod(tmp, _mode_for(path, working))
        try:
            os.link(tmp, working)  # never replaces a working file another writer just made
        except FileExistsError:
            return False
        except OSError:  # no hard links on this file system
            if not working.exists():
                os.replace(tmp, working)
    except OSError as exc:
        if working.exists():  # another writer seeded it meanwhile
            return False
        raise errors.WarehouseError(
            f"Cannot copy {path} to start the working file {working}: {exc}.",
            hint="Free disk space: the warehouse keeps a working copy beside the published one.",
        ) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _fsync_dir(path.parent)
    log.info("seeded the working file %s from %s", working, path)
    return True


def _is_unpublished(path: Path) -> bool:
    """Whether the working file may hold commits the published file lacks (a run
    stopped between COMMIT and publishing). Errs towards yes: publishing twice only
    costs a copy."""
    working = working_path(path)
    if wal_path(working).exists():
        # A run stopped after COMMIT but before close: its commit is only in the log,
        # so the working file's own mtime says nothing about it.
        return True
    try:
        return working.stat().st_mtime_ns >= path.stat().st_mtime_ns
    except FileNotFoundError:
        return working.exists()


def open_writer(path: Path, *, wait_seconds: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open the working file of the warehouse ``path`` for one run's transaction.

    Seeds the working file from the published one if needed, removes temporary files of
    a crashed publish, and publishes commits a crashed run left unpublished. Call
    :func:`publish` after COMMIT and ``close()``. A second writer waits ``wait_seconds``
    (default :data:`WRITE_WAIT_SECONDS`), then gets :class:`WarehouseLockedError`.
    """
    wait = WRITE_WAIT_SECONDS if wait_seconds is None else wait_seconds
    path.parent.mkdir(parents=True, exist_ok=True)
    seeded = _seed_working(path, wait)
    heal = not seeded and _is_unpublished(path)  # before connect_write touches the file
    con = connect_write(working_path(path), wait_seconds=wait)
    try:
        _remove_stale_temps(path)
        if heal:
            _publish_locked(con, path)
            log.info("published %s, left unpublished by an earlier run", path)
    except BaseException:
        con.close()
        raise
    return con


def _publish_locked(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Copy the working file over ``path``; ``con`` holds the working file's write lock
    and has no open transaction."""
    working = working_path(path)
    try:
        con.execute("CHECKPOINT")  # everything in the main file, nothing in the WAL
        if wal_path(path).exists():
            # Only someone who opened the snapshot for writing leaves a log; it would be
            # replayed onto the new snapshot and corrupt it.
            log.warning("removing %s: the published snapshot is read-only", wal_path(path))
            wal_path(path).unlink()
        _copy_atomically(working, path)
    except OSError as exc:
        raise errors.WarehouseError(
            f"The run was saved in {working} but publishing it to {path} failed: {exc}.",
            hint="Free disk space (publishing needs room for one more copy); "
            "the next run publishes it.",
        ) from exc
    except duckdb.Error as exc:
        raise errors.WarehouseError(f"Cannot checkpoint {working} to publish it: {exc}") from exc


def publish(path: Path, *, wait_seconds: float | None = None) -> bool:
    """Publish the working file as the warehouse ``path`` readers open; True if done.

    Holds the working file's write lock while copying, so no other run changes it
    mid-copy. If another run holds it for longer than ``wait_seconds``, returns False:
    that run started from this commit and publishes it when it finishes.
    """
    working = working_path(path)
    if not working.exists():
        return False
    wait = WRITE_WAIT_SECONDS if wait_seconds is None else wait_seconds
    try:
        con = _connect(working, read_only=False, wait_seconds=wait)
    except errors.WarehouseLockedError:
        log.warning("%s is held by another run, which will publish it; not publishing", working)
        return False
    try:
        _remove_stale_temps(path)
        _publish_locked(con, path)
    finally:
        con.close()
    return True


@contextlib.contextmanager
def writer(path: Path, *, wait_seconds: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """One run's connection to the working file; published when the block succeeds.

    On an exception nothing is published (roll back inside the block).
    """
    con = open_writer(path, wait_seconds=wait_seconds)
    try:
        yield con
    finally:
        con.close()
    publish(path, wait_seconds=wait_seconds)


def schema_sql() -> str:
    return resources.files("ytclaims.warehouse").joinpath("schema.sql").read_text("utf-8")


def views_sql() -> str:
    """The analysis views (``warehouse/views.sql``), shipped as package data."""
    return resources.files("ytclaims.warehouse").joinpath("views.sql").read_text("utf-8")


def apply_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the analysis views and their comments; idempotent, needs a write connection.

    Runs after ``schema.sql`` (the views read its tables and its citations/videos views).
    """
    con.execute(views_sql())


def schema_digest() -> str:
    """Identifies the schema, views and migrations this ytclaims writes: stored in ``meta``
    so that opening a file that already has them skips re-applying some 300 statements
    (1-2 s of every run, most of a no-op run)."""
    h = hashlib.blake2b(digest_size=8)
    for part in (schema_sql(), views_sql(), str(migrations.LATEST)):
        h.update(part.encode())
        h.update(b"\x1f")
    return h.hexdigest()


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables and (re)create views and comments; safe to repeat.

    A file whose ``meta.schema_digest`` is this version's has all of it already and is
    left alone.
    """
    fresh = not con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meta'"
    ).fetchone()[0]  # type: ignore[index]
    digest = schema_digest()
    if not fresh:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_digest'").fetchone()
        if row is not None and row[0] == digest:
            return
        # Old tables get their new columns before schema.sql re-creates the views on them.
        migrations.migrate(con)
    con.execute(schema_sql())
    con.execute(
        "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
        [str(migrations.LATEST)],
    )
    apply_views(con)
    con.execute(
        "INSERT INTO meta VALUES ('created_by', ?) ON CONFLICT DO NOTHING",
        [f"ytclaims {__version__}"],
    )
    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_digest', ?)", [digest])
