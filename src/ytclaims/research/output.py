"""Writing an output file (an export, the HTML report) without ever harming the warehouse.

Two rules, for every file ytclaims writes on a user's request:

1. **Never over the warehouse.** ``ytclaims export warehouse/ytclaims.duckdb -f csv``
   used to replace the published warehouse with a CSV and exit 0, and an export onto the
   writer's working file (``.ytclaims.duckdb.writer``) made every later ingest fail. The
   target is refused when it is the warehouse, its working file, either's DuckDB log,
   a temporary copy of them, anything in the staging folder, any other DuckDB database,
   or a folder, however it is spelled (relative, through a symlink, as a hard link).
2. **Whole or not at all.** The file is written under a temporary name in the target's
   folder and renamed over the target only when complete, so a failed export leaves
   the old file (or no file), never a 0-byte or half-written one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ytclaims import errors
from ytclaims.records import display_path, is_utf8_path
from ytclaims.warehouse.db import wal_path, working_path

#: Bytes 8-11 of every DuckDB database file.
_DUCKDB_MAGIC = b"DUCK"


def _is_duckdb_file(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(12)[8:12] == _DUCKDB_MAGIC
    except OSError:
        return False


def _same(a: Path, b: Path) -> bool:
    """The same file, whatever the spelling: same resolved path, or same inode."""
    with contextlib.suppress(OSError):
        if os.path.realpath(a) == os.path.realpath(b):
            return True
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return False


def check_target(out: Path, db: Path) -> None:
    """Refuse an output path that would replace the warehouse ``db`` or one of its files
    (see the module docstring), or that is a folder; :class:`~ytclaims.errors.OutputError`
    says which and what to do."""
    shown = display_path(out)
    if not is_utf8_path(out):
        raise errors.OutputError(f"The output name {shown!r} is not valid UTF-8.")
    try:
        st = os.stat(out)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise errors.OutputError(f"Cannot use {shown}: {exc.strerror or exc}.") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise errors.OutputError(
            f"{shown} is a folder.", hint="Give a file name, e.g. out/citations.parquet."
        )
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise errors.OutputError(f"{shown} is not a regular file.")
    working = working_path(db)
    protected = [db, working, wal_path(db), wal_path(working)]
    for p in protected:
        if _same(out, p):
            raise errors.OutputError(
                f"{shown} is the warehouse's own file ({p.name}); writing there would destroy it."
            )
    folder = Path(os.path.realpath(db)).parent
    real = Path(os.path.realpath(out))
    if real.parent == folder and real.name.startswith((f".{db.name}.", f".{working.name}.")):
        raise errors.OutputError(f"{shown} is a temporary file of the warehouse {db.name}.")
    staging = folder / ".staging"
    if real == staging or staging in real.parents:
        raise errors.OutputError(f"{shown} is inside the warehouse's staging folder.")
    if st is not None and _is_duckdb_file(out):
        raise errors.OutputError(
            f"{shown} is a DuckDB database; an export would replace it.",
            hint="Give a new file name; delete the database first if you really mean it.",
        )


def _discard(tmp: Path) -> None:
    """Remove the temporary file, and the one DuckDB's ``COPY`` writes beside it
    (``tmp_<name>``, renamed only on success): a failed COPY leaves it behind."""
    for p in (tmp, tmp.with_name(f"tmp_{tmp.name}")):
        with contextlib.suppress(OSError):
            p.unlink()


@contextlib.contextmanager
def atomic_output(out: Path) -> Iterator[Path]:
    """A temporary path beside ``out`` to write to; renamed over ``out`` when the block
    ends without an exception, removed otherwise. The temporary name ends with ``out``'s
    name, so tools that read the extension (DuckDB's ``.csv.gz``) treat it the same."""
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".tmp-", suffix=f"-{out.name}", dir=out.parent)
    except OSError as exc:
        raise errors.OutputError(
            f"Cannot write in {display_path(out.parent)}: {exc.strerror or exc}.",
            hint="Check that the folder exists (or can be created) and that you may write there.",
        ) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        try:
            mode = stat.S_IMODE(os.stat(out).st_mode)
        except OSError:
            mode = 0o644  # not mkstemp's 0600: others may read what a user exports
        os.chmod(tmp, mode)
        os.replace(tmp, out)
    except OSError as exc:
        _discard(tmp)
        raise errors.OutputError(
            f"Cannot write {display_path(out)}: {exc.strerror or exc}."
        ) from None
    except BaseException:
        _discard(tmp)
        raise
