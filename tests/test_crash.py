"""Crash safety (issue 6, part 6): kill -9 a run and the warehouse readers open is still
the last complete run; the next run completes the work exactly.

A run is held at a known point (``scripts/ingest_child.py``: inside the load
transaction after every insert, or halfway through copying the published file) and
killed with SIGKILL there, so nothing depends on timing.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from helpers import EXAMPLES, all_relations, snapshot
from scripts.procs import comparable, run_ids, run_ingest, start_ingest, wait_for

from ytclaims.warehouse.db import wal_path, working_path

AIWEEKLY = EXAMPLES / "aiweekly"

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs kill -9")


def _temps(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f".{db.name}.publish-*"))


def _kill_when_paused(db: Path, marks: Path, hook: str) -> None:
    """Start a run over all the examples, hold it at ``hook`` and kill -9 it there."""
    marks.mkdir()
    child = start_ingest([EXAMPLES], db, hook, marks)
    try:
        wait_for(marks / "paused", child)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.communicate()
    assert child.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[object, ...]]]:
    """All the examples loaded by one clean run into a new warehouse."""
    db = tmp_path_factory.mktemp("fresh") / "w.duckdb"
    run_ingest([EXAMPLES], db)
    return comparable(db)


def test_kill_during_load_keeps_the_last_run_and_the_next_run_completes_it(
    tmp_path: Path, fresh: dict[str, list[tuple[object, ...]]]
) -> None:
    db = tmp_path / "w.duckdb"
    first = run_ingest([AIWEEKLY], db)
    before = snapshot(db, all_relations(db))

    _kill_when_paused(db, tmp_path / "marks", "--pause-load")

    assert snapshot(db, all_relations(db)) == before
    assert run_ids(db) == [first["run_id"]]
    assert _temps(db) == []
    assert working_path(db).exists()  # left to DuckDB's recovery

    again = run_ingest([EXAMPLES], db)
    assert again["sources_loaded"] > 0  # the killed run's rows were never committed
    assert comparable(db) == fresh
    assert run_ids(db) == sorted([first["run_id"], again["run_id"]])
    assert comparable(working_path(db)) == fresh
    assert not wal_path(db).exists() and _temps(db) == []


def test_kill_during_publish_keeps_the_last_run_and_the_next_run_publishes(
    tmp_path: Path, fresh: dict[str, list[tuple[object, ...]]]
) -> None:
    db = tmp_path / "w.duckdb"
    first = run_ingest([AIWEEKLY], db)
    before = snapshot(db, all_relations(db))

    _kill_when_paused(db, tmp_path / "marks", "--pause-publish")

    assert snapshot(db, all_relations(db)) == before  # the torn copy was never renamed
    assert run_ids(db) == [first["run_id"]]
    assert len(_temps(db)) == 1

    again = run_ingest([EXAMPLES], db)
    # The killed run had committed to the working file: nothing is left to load, and
    # this run publishes that commit with its own run-log row.
    assert again["sources_loaded"] == 0
    assert comparable(db) == fresh
    assert len(run_ids(db)) == 3
    assert _temps(db) == []


def test_a_killed_publish_is_published_even_if_the_next_run_fails(
    tmp_path: Path, fresh: dict[str, list[tuple[object, ...]]]
) -> None:
    """The next writer publishes commits a crash left unpublished before it loads
    anything, so a later failure of its own does not hide them."""
    from ytclaims.warehouse.db import open_writer

    db = tmp_path / "w.duckdb"
    run_ingest([AIWEEKLY], db)
    _kill_when_paused(db, tmp_path / "marks", "--pause-publish")

    con = open_writer(db)  # a run that then fails, so never reaches its own publish
    try:
        assert comparable(db) == fresh  # already published, before any loading
        assert _temps(db) == []
    finally:
        con.close()


def test_a_warehouse_without_a_working_file_is_seeded_from_the_published_one(
    tmp_path: Path, fresh: dict[str, list[tuple[object, ...]]]
) -> None:
    """Warehouses made before the published snapshot have no working file: the first
    run starts from the published file, so nothing loaded before is lost."""
    db = tmp_path / "w.duckdb"
    first = run_ingest([AIWEEKLY], db)
    working_path(db).unlink()

    again = run_ingest([EXAMPLES], db)
    assert again["sources_unchanged"] > 0  # what the published file held was known
    assert comparable(db) == fresh
    assert run_ids(db) == sorted([first["run_id"], again["run_id"]])
    assert _temps(db) == []


def test_a_run_stopped_between_commit_and_close_is_published_by_the_next_writer(
    tmp_path: Path, fresh: dict[str, list[tuple[object, ...]]]
) -> None:
    """After COMMIT the new rows may sit only in the working file's log; the next writer
    must still notice they are unpublished."""
    from ytclaims.warehouse.db import open_writer

    db = tmp_path / "w.duckdb"
    first = run_ingest([AIWEEKLY], db)
    before = snapshot(db, all_relations(db))
    child = start_ingest([EXAMPLES], db, "--exit-after-commit")
    _, err = child.communicate(timeout=300)
    assert child.returncode == 9, err
    assert wal_path(working_path(db)).exists()  # the commit is only in the log
    assert snapshot(db, all_relations(db)) == before
    assert run_ids(db) == [first["run_id"]]

    con = open_writer(db)  # publishes the stranded commit before anything else
    con.close()
    assert comparable(db) == fresh
