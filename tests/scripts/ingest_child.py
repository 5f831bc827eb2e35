"""An ingest run in its own process, for the concurrency and crash tests.

The tests need a second *process* (DuckDB's locks are per process) that they can hold
at a known point and then release or kill. Hooks, each keyed to a folder of marker
files the test watches:

* ``--pause-load DIR``: inside the load transaction, after every insert (where
  ``ytclaims.warehouse.load`` builds the search index), create ``DIR/paused`` and wait
  for ``DIR/release``.
* ``--pause-publish DIR``: while copying the working file to the published path,
  write half of the bytes, create ``DIR/paused`` and wait for ``DIR/release`` (a kill
  then leaves a torn temporary file, as a crash mid-copy would).
* ``--announce-open DIR``: create ``DIR/opening`` just before opening the working file
  for writing, so a test knows this writer is now waiting for another one.
* ``--exit-after-commit``: end the process (``os._exit``, no clean-up) right after the
  load's COMMIT, before the connection is closed: the commit is then only in the
  working file's log, and nothing is published.
* ``--read-wait`` / ``--write-wait SECONDS``: how long to wait for a lock on the
  working file to read what is loaded / to write (shortens or lengthens a test).

Prints the run report as JSON; on a ytclaims error prints ``error: <kind>: <message>``
to stderr and exits 3.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

#: Fail-safe: a paused child gives up after this long instead of living forever.
MAX_PAUSE_SECONDS = 120.0


def _pause(folder: Path) -> None:
    (folder / "paused").touch()
    deadline = time.monotonic() + MAX_PAUSE_SECONDS
    while not (folder / "release").exists():
        if time.monotonic() > deadline:
            print("error: test_timeout: never released", file=sys.stderr)
            os._exit(4)
        time.sleep(0.02)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--db", required=True)
    ap.add_argument("--pause-load", type=Path)
    ap.add_argument("--pause-publish", type=Path)
    ap.add_argument("--announce-open", type=Path)
    ap.add_argument("--exit-after-commit", action="store_true")
    ap.add_argument("--read-wait", type=float)
    ap.add_argument("--write-wait", type=float)
    args = ap.parse_args()

    from ytclaims import errors
    from ytclaims.pipeline import ingest
    from ytclaims.warehouse import db as wdb
    from ytclaims.warehouse import load as wload

    if args.read_wait is not None:
        wdb.READ_WAIT_SECONDS = args.read_wait
    if args.write_wait is not None:
        wdb.WRITE_WAIT_SECONDS = args.write_wait
    if args.pause_load:
        real_index = wload.build_search_index

        def paused_index(*a: object, **kw: object) -> object:
            _pause(args.pause_load)
            return real_index(*a, **kw)  # type: ignore[arg-type]

        wload.build_search_index = paused_index  # type: ignore[assignment]
    if args.pause_publish:
        published = Path(args.db)

        def paused_copy(src: Path, dst: Path) -> None:
            if Path(src) != wdb.working_path(published):  # seeding: copy as usual
                real_copy(src, dst)
                return
            data = Path(src).read_bytes()
            with open(dst, "wb") as f:
                f.write(data[: len(data) // 2])
                f.flush()
                os.fsync(f.fileno())
            _pause(args.pause_publish)
            real_copy(src, dst)

        real_copy = wdb._copy_file
        wdb._copy_file = paused_copy  # type: ignore[assignment]
    if args.announce_open:
        real_connect = wdb.connect_write

        def announced(path: Path, **kw: object) -> object:
            if path == wdb.working_path(Path(args.db)):
                (args.announce_open / "opening").touch()
            return real_connect(path, **kw)  # type: ignore[arg-type]

        wdb.connect_write = announced  # type: ignore[assignment]

    if args.exit_after_commit:
        real_open = wload.open_writer

        class ExitAfterCommit:
            def __init__(self, con: object) -> None:
                self._con = con

            def __getattr__(self, name: str) -> object:
                return getattr(self._con, name)

            def execute(self, sql: str, *a: object) -> object:
                out = self._con.execute(sql, *a)  # type: ignore[attr-defined]
                if sql.strip().upper() == "COMMIT":
                    os._exit(9)
                return out

        def exiting_writer(path: Path, **kw: object) -> object:
            return ExitAfterCommit(real_open(path, **kw))  # type: ignore[arg-type]

        wload.open_writer = exiting_writer  # type: ignore[assignment]

    try:
        report = ingest(args.paths, args.db, workers=1, tag=False)
    except errors.YtclaimsError as exc:
        print(f"error: {exc.kind}: {exc.message}", file=sys.stderr)
        return 3
    print(json.dumps(report.as_dict(), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
