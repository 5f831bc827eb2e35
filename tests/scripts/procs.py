"""Child processes for the concurrency and crash tests, and a run-independent view of a
warehouse to compare two of them.

Timeouts here are fail-safes against a hung test, never assertions about speed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb

CHILD = Path(__file__).with_name("ingest_child.py")
#: Fail-safe for any one child process or wait.
FAILSAFE_SECONDS = 180.0
#: Columns that record when or in which run a row was written: they differ between two
#: warehouses holding the same data.
RUN_COLUMNS = frozenset(
    {"run_id", "loaded_at", "detected_at", "started_at", "finished_at", "attempted_at"}
)


def start_ingest(paths: list[Path], db: Path, *flags: object) -> subprocess.Popen[str]:
    """``ytclaims.pipeline.ingest`` in a new process (see ingest_child.py for flags)."""
    cmd = [sys.executable, str(CHILD), *map(str, paths), "--db", str(db), *map(str, flags)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str]) -> tuple[int, dict[str, object] | None, str]:
    """Wait for a child: (exit code, its report if it printed one, its stderr)."""
    out, err = proc.communicate(timeout=FAILSAFE_SECONDS)
    report = json.loads(out) if proc.returncode == 0 and out.strip() else None
    return proc.returncode, report, err


def run_ingest(paths: list[Path], db: Path, *flags: object) -> dict[str, object]:
    """A complete run in a child process; its report."""
    code, report, err = finish(start_ingest(paths, db, *flags))
    assert code == 0 and report is not None, err
    return report


def wait_for(marker: Path, proc: subprocess.Popen[str]) -> None:
    """Wait until ``marker`` exists; fail (with the child's stderr) if the child exits."""
    deadline = time.monotonic() + FAILSAFE_SECONDS
    while not marker.exists():
        if proc.poll() is not None:
            _, err = proc.communicate()
            raise AssertionError(f"child exited {proc.returncode} before {marker.name}: {err}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"fail-safe: no {marker.name} after {FAILSAFE_SECONDS} s")
        time.sleep(0.02)


def run_ids(db: Path) -> list[str]:
    """The run log's ids (the helpers' snapshots leave the run log out)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(r[0] for r in con.execute("SELECT run_id FROM runs").fetchall())
    finally:
        con.close()


def comparable(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table and view but the run log, without the columns that say
    when or in which run it was written: equal for two warehouses with the same data."""
    from helpers import all_relations, fetch_sorted, ro

    names = all_relations(db)
    with ro(db) as con:
        out: dict[str, list[tuple[object, ...]]] = {}
        for r in names:
            cols = [c[0] for c in con.execute(f"DESCRIBE {r}").fetchall()]
            keep = ", ".join(f'"{c}"' for c in cols if c not in RUN_COLUMNS)
            out[r] = fetch_sorted(con, f"(SELECT {keep} FROM {r})")
        return out
