"""Readers and writers at the same time, each in its own process (issue 6, part 5).

The pattern under test (see ``ytclaims.warehouse.db``): a run writes a private working
file and, after COMMIT, publishes a copy of it by an atomic rename over the warehouse
path that readers open read-only. So a reader never waits for a run and never sees half
of one, and an idle reader never blocks a run. Runs are held at a known point with the
hooks of ``scripts/ingest_child.py`` (inside the load transaction, after every insert),
so nothing here depends on timing; timeouts are only fail-safes.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EXAMPLES, all_relations, snapshot
from scripts.procs import (
    FAILSAFE_SECONDS,
    finish,
    run_ids,
    run_ingest,
    start_ingest,
    wait_for,
)

from ytclaims import errors
from ytclaims.warehouse.db import connect_read, working_path

AIWEEKLY = EXAMPLES / "aiweekly"
COUNT_CLAIMS = "SELECT count(*) AS n FROM claims"
#: connect_read from yet another process: prints the claim count, or the error kind.
READ_CODE = (
    "import sys; from pathlib import Path\n"
    "from ytclaims import errors\n"
    "from ytclaims.warehouse.db import connect_read\n"
    "try:\n"
    "    con = connect_read(Path(sys.argv[1]))\n"
    "except errors.YtclaimsError as exc:\n"
    "    print(exc.kind); sys.exit(3)\n"
    "print(con.execute('SELECT count(*) FROM claims').fetchone()[0])\n"
)
#: An idle reader: holds one read-only connection and answers SQL lines on stdin.
IDLE_READER_CODE = (
    "import sys; from pathlib import Path\n"
    "from ytclaims.warehouse.db import connect_read\n"
    "con = connect_read(Path(sys.argv[1]))\n"
    "for line in sys.stdin:\n"
    "    print(con.execute(line).fetchone()[0], flush=True)\n"
)


def cli_query(db: Path, sql: str) -> subprocess.CompletedProcess[str]:
    """``ytclaims query`` (the console script's module) in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "ytclaims.cli", "query", sql, "--db", str(db), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=FAILSAFE_SECONDS,
        check=False,
    )


def cli_count(db: Path) -> int:
    out = cli_query(db, COUNT_CLAIMS)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)[0]["n"]


def read_count(db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", READ_CODE, str(db)],
        capture_output=True,
        text=True,
        timeout=FAILSAFE_SECONDS,
        check=False,
    )


@pytest.fixture
def marks(tmp_path: Path) -> Path:
    folder = tmp_path / "marks"
    folder.mkdir()
    return folder


def test_readers_see_the_previous_complete_run_while_a_run_is_mid_load(
    tmp_path: Path, marks: Path
) -> None:
    db = tmp_path / "w.duckdb"
    first = run_ingest([AIWEEKLY], db)
    before = snapshot(db, all_relations(db))
    n_before = len(before["claims"])
    assert n_before == first["totals"]["claims"] > 0  # type: ignore[index]

    writer = start_ingest([EXAMPLES], db, "--pause-load", marks)
    try:
        wait_for(marks / "paused", writer)  # inside the run's transaction, rows inserted
        cli = cli_query(db, COUNT_CLAIMS)
        assert cli.returncode == 0, cli.stderr
        assert json.loads(cli.stdout) == [{"n": n_before}]
        api = read_count(db)
        assert api.returncode == 0, api.stderr
        assert int(api.stdout) == n_before
        # Every table and view, row for row, from this process too: the previous run.
        assert snapshot(db, all_relations(db)) == before
        assert run_ids(db) == [first["run_id"]]
        assert writer.poll() is None  # all of that happened while the run was held
    finally:
        (marks / "release").touch()
    code, second, err = finish(writer)
    assert code == 0 and second is not None, err
    n_after = cli_count(db)
    assert n_after == second["totals"]["claims"] > n_before  # type: ignore[index]
    assert run_ids(db) == sorted([first["run_id"], second["run_id"]])


def test_before_the_first_run_publishes_readers_are_told_clearly(
    tmp_path: Path, marks: Path
) -> None:
    db = tmp_path / "w.duckdb"
    writer = start_ingest([AIWEEKLY], db, "--pause-load", marks)
    try:
        wait_for(marks / "paused", writer)
        assert working_path(db).exists() and not db.exists()
        cli = cli_query(db, COUNT_CLAIMS)
        assert cli.returncode != 0
        assert "has not finished" in cli.stderr and "ingest" in cli.stderr
        api = read_count(db)
        assert (api.returncode, api.stdout.strip()) == (3, "warehouse_missing")
        with pytest.raises(errors.WarehouseMissingError, match="Wait for the running ingest"):
            connect_read(db)
        assert writer.poll() is None
    finally:
        (marks / "release").touch()
    code, report, err = finish(writer)
    assert code == 0 and report is not None, err
    assert cli_count(db) == report["totals"]["claims"]  # type: ignore[index]


def test_an_idle_reader_does_not_block_a_run(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    run_ingest([AIWEEKLY], db)
    n_before = cli_count(db)
    reader = subprocess.Popen(
        [sys.executable, "-c", IDLE_READER_CODE, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert reader.stdin is not None and reader.stdout is not None
    try:
        reader.stdin.write(COUNT_CLAIMS + "\n")
        reader.stdin.flush()
        assert int(reader.stdout.readline()) == n_before  # its connection is open now
        # A one-second lock wait: were the reader in the way, this run would fail.
        report = run_ingest([EXAMPLES], db, "--write-wait", 1, "--read-wait", 1)
        assert reader.poll() is None
        reader.stdin.write(COUNT_CLAIMS + "\n")
        reader.stdin.flush()
        # The open connection still reads the snapshot it opened: whole, and old.
        assert int(reader.stdout.readline()) == n_before
    finally:
        reader.stdin.close()
        reader.wait(timeout=FAILSAFE_SECONDS)
    assert reader.returncode == 0, reader.stderr.read() if reader.stderr else ""
    assert cli_count(db) == report["totals"]["claims"] > n_before  # type: ignore[index]


def test_a_second_writer_fails_clearly_while_the_first_holds_the_warehouse(
    tmp_path: Path, marks: Path
) -> None:
    db = tmp_path / "w.duckdb"
    first = start_ingest([AIWEEKLY], db, "--pause-load", marks)
    try:
        wait_for(marks / "paused", first)
        second = start_ingest([EXAMPLES], db, "--write-wait", 1, "--read-wait", 1)
        code, report, err = finish(second)  # while the first is still held
        assert first.poll() is None
    finally:
        (marks / "release").touch()
    assert code == 3 and report is None
    assert "warehouse_locked" in err and "Wait for the running ingest to finish" in err
    code, done, err = finish(first)
    assert code == 0 and done is not None, err
    assert run_ids(db) == [done["run_id"]]
    assert cli_count(db) == done["totals"]["claims"]  # type: ignore[index]


def test_a_second_writer_waits_for_the_first_and_then_runs(tmp_path: Path, marks: Path) -> None:
    db = tmp_path / "w.duckdb"
    waiting = tmp_path / "waiting"
    waiting.mkdir()
    first = start_ingest([AIWEEKLY], db, "--pause-load", marks)
    second: subprocess.Popen[str] | None = None
    try:
        wait_for(marks / "paused", first)
        # It cannot read what is loaded (the first run holds the working file), so it
        # parses everything and then waits to write.
        second = start_ingest(
            [EXAMPLES], db, "--read-wait", 0, "--write-wait", FAILSAFE_SECONDS,
            "--announce-open", waiting,
        )  # fmt: skip
        wait_for(waiting / "opening", second)
    finally:
        (marks / "release").touch()
    code, one, err = finish(first)
    assert code == 0 and one is not None, err
    code, two, err = finish(second)
    assert code == 0 and two is not None, err
    assert run_ids(db) == sorted([one["run_id"], two["run_id"]])
    assert cli_count(db) == two["totals"]["claims"] > one["totals"]["claims"]  # type: ignore[index]


def test_the_published_file_keeps_its_permissions(tmp_path: Path) -> None:
    """Readers may be other users: a publish must not leave a private (0600) file."""
    db = tmp_path / "w.duckdb"
    run_ingest([AIWEEKLY], db)
    assert stat.S_IMODE(db.stat().st_mode) == stat.S_IMODE(working_path(db).stat().st_mode)
    db.chmod(0o640)  # shared with a group, say
    run_ingest([EXAMPLES], db)
    assert stat.S_IMODE(db.stat().st_mode) == 0o640
