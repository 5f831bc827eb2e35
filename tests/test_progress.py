"""Progress of long runs: plain lines when not on a terminal, what each step reports, and
the command line's display on both paths. Expectations are counted from the inputs (files
under the examples) and from the load phases the run itself records, never from the
reporter under test."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from helpers import EXAMPLES
from typer.testing import CliRunner

from ytclaims import progress
from ytclaims.cli import app
from ytclaims.warehouse.load import LOAD_PHASES


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


class Recorder(progress.Reporter):
    """Every call, in order (thread-safe: the flow's tasks report from threads)."""

    def __init__(self) -> None:
        self.events: list[tuple] = []
        self._lock = threading.Lock()

    def stage(self, name, total=None, done=0, unit="files"):
        with self._lock:
            self.events.append(("stage", name, total, done))

    def update(self, done, total=None):
        with self._lock:
            self.events.append(("update", done, total))

    def advance(self, n=1):
        with self._lock:
            self.events.append(("advance", n))

    def stages(self) -> list[str]:
        return [e[1] for e in self.events if e[0] == "stage"]

    def parsed(self) -> int:
        (start,) = [e for e in self.events if e[:2] == ("stage", "parse")]
        return start[3] + sum(e[1] for e in self.events if e[0] == "advance")


def n_input_files(root: Path) -> int:
    return sum(1 for p in root.rglob("*") if p.is_file() and p.suffix == ".md")


# --- plain lines --------------------------------------------------------------------------


def test_plain_lines_stay_quiet_for_a_short_run() -> None:
    clock, lines = Clock(), []
    rep = progress.LineReporter(lines.append, clock=clock, timer=False, quiet_seconds=3)
    rep.stage("plan")
    clock.t += 1
    rep.stage("parse", total=10)
    rep.advance(10)
    clock.t += 1
    rep.stage("load: open")
    rep.close()
    assert lines == []  # over in 2 s: the run's own summary is enough


def test_plain_lines_for_a_long_run() -> None:
    clock, lines = Clock(), []
    rep = progress.LineReporter(
        lines.append, clock=clock, timer=False, quiet_seconds=3, interval=10
    )
    rep.stage("plan")
    clock.t += 4
    rep.stage("parse", total=1000, done=200)  # a new step after the quiet time: a line
    assert lines == ["ingest: parse 200/1,000 files (20 %); 4.0 s in all"]
    clock.t += 5
    rep.advance(250)  # not due yet
    assert len(lines) == 1
    clock.t += 5
    rep.tick()  # the timer: 10 s since the last line
    assert lines[-1] == "ingest: parse 450/1,000 files (45 %); 10.0 s in this stage, 14.0 s in all"
    rep.advance(550)
    rep.stage("load: open")  # a new step: a line at once
    assert lines[-1] == "ingest: load: open; 14.0 s in all"
    clock.t += 1
    rep.stage("load: insert")  # a phase of the same step: not at once...
    assert len(lines) == 3
    clock.t += 20
    rep.tick()  # ...but the timer does not let a long phase go silent
    assert lines[-1] == "ingest: load: insert; 20.0 s in this stage, 35.0 s in all"
    rep.stage("load: publish")
    clock.t += 0.5
    rep.close()
    assert lines[-1] == (
        "ingest: done in 35.5 s: plan 4.0 s, parse 10.0 s, load 21.5 s "
        "(open 1.0, insert 20.0, publish 0.5)"
    )
    rep.close()  # idempotent
    assert len(lines) == 5


def test_the_timer_thread_writes_while_nothing_happens() -> None:
    lines: list[str] = []
    done = threading.Event()

    def write(line: str) -> None:
        lines.append(line)
        if "s in this stage" in line:  # only the timer's lines: the stage's own has none
            done.set()

    rep = progress.LineReporter(write, quiet_seconds=0, interval=0.05)
    rep.stage("load: resolve")
    assert done.wait(10), f"no line from the timer: {lines}"
    rep.close()
    assert lines[0] == "ingest: load: resolve; 0.0 s in all"
    assert lines[1].startswith("ingest: load: resolve; ") and "s in this stage" in lines[1]


def test_for_stream_picks_lines_off_a_terminal() -> None:
    rep = progress.for_stream(io.StringIO())
    try:
        assert isinstance(rep, progress.LineReporter)
    finally:
        rep.close()


def test_a_callback_still_works_as_progress() -> None:
    """``ingest(progress=callback)``, as benchmarks call it: (files done, files in all)."""
    calls: list[tuple[int, int]] = []
    rep = progress.as_reporter(lambda d, t: calls.append((d, t)))
    rep.stage("plan")
    rep.stage("parse", total=7, done=2)
    rep.advance(3)
    rep.advance(2)
    rep.stage("load: open")
    rep.advance(1)  # not counted: not the parse stage
    assert calls == [(2, 7), (5, 7), (7, 7)]


# --- what the steps report ------------------------------------------------------------------


def test_library_ingest_reports_plan_parse_and_every_load_phase(tmp_path: Path) -> None:
    from ytclaims.pipeline import ingest

    rec = Recorder()
    run = ingest([EXAMPLES], tmp_path / "w.duckdb", progress=rec, workers=1, tag=False)
    stages = rec.stages()
    assert stages[:2] == ["plan", "parse"]
    assert stages[2:] == [f"load: {p}" for p in LOAD_PHASES]
    assert list(run.load_phases) == list(LOAD_PHASES)  # the phases the run recorded
    assert rec.parsed() == n_input_files(EXAMPLES) == run.files_seen
    # A re-run: the files loaded before are done before parsing starts; only the one that
    # could not be loaded (no videoId) is read again.
    rec2 = Recorder()
    ingest([EXAMPLES], tmp_path / "w.duckdb", progress=rec2, workers=1, tag=False)
    (start,) = [e for e in rec2.events if e[:2] == ("stage", "parse")]
    assert start[2] == n_input_files(EXAMPLES) and start[3] == run.sources_loaded
    assert rec2.parsed() == n_input_files(EXAMPLES)


def test_cli_no_prefect_prints_plain_progress_lines_when_not_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "QUIET_SECONDS", 0.0)
    r = CliRunner().invoke(
        app,
        ["ingest", str(EXAMPLES), "--db", str(tmp_path / "w.duckdb"), "--no-prefect", "--no-tag"],
    )
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("ingest: ")]
    assert lines[0].startswith("ingest: plan")
    assert any(ln.startswith("ingest: parse ") and " files (" in ln for ln in lines)
    assert any(ln.startswith("ingest: load: ") for ln in lines)
    assert lines[-1].startswith("ingest: done in ") and "publish" in lines[-1]
    assert "\x1b[" not in r.stderr  # plain text: no terminal control codes in a log


@pytest.mark.prefect
def test_flow_steps_report_to_the_callers_reporter(prefect_harness, tmp_path: Path) -> None:
    from flows.ingest import ingest as ingest_flow

    rec = Recorder()
    with progress.reporting(rec):
        report = ingest_flow([str(EXAMPLES)], str(tmp_path / "f.duckdb"), tag=False)
    assert progress.current() is not rec  # handed back
    stages = rec.stages()
    assert stages[:2] == ["plan", "parse"]
    assert stages[2:] == [f"load: {p}" for p in LOAD_PHASES]
    assert rec.parsed() == n_input_files(EXAMPLES) == report["files_seen"]


# --- serve: one line per scheduled run --------------------------------------------------


def test_update_line_says_what_a_scheduled_run_did() -> None:
    from datetime import UTC, datetime

    from ytclaims.summary import update_line

    report = {
        "config": "/srv/ytclaims.toml",
        "db": "/srv/wh/ytclaims.duckdb",
        "ingest": {
            "files_seen": 1467,
            "sources_loaded": 3,
            "sources_unchanged": 1464,
            "claims_loaded": 120,
            "n_errors": 2,
        },
        "fetch": {"videos": 2, "ok": 1, "failed": 1, "claims_loaded": 14},
    }
    line = update_line(report, 12.34, when=datetime(2026, 12, 2, 6, 0, tzinfo=UTC))
    assert line == (
        "update 2026-12-02T06:00:00+00:00 /srv/ytclaims.toml: ingest 1,467 files (3 loaded, "
        "1,464 unchanged, 120 claims, 2 problems); fetch 2 videos (1 ok, 1 failed, 14 claims); "
        "12.3 s; warehouse /srv/wh/ytclaims.duckdb"
    )
    assert "\n" not in update_line({"config": "c", "db": "d", "ingest": None, "fetch": None}, 1)


def test_fetch_reports_videos_and_the_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ytclaims fetch`: one count per video as each is done, then the load's phases."""
    from ytclaims import fetching
    from ytclaims.sources.youtube import errors as yterr
    from ytclaims.sources.youtube import fetch as yt

    def fake_fetch_many(ids, config, on_result=None, **kw):
        out = []
        for vid in ids:
            r = yt.FetchResult(vid, "failed", error=yterr.NetworkError("offline"))
            out.append(r)
            on_result(r)
        return out

    monkeypatch.setattr(yt, "fetch_many", fake_fetch_many)
    rec = Recorder()
    ids = ["dQw4w9WgXcQ", "9bZkp7q19f0", "jNQXAC9IVRw"]
    with progress.reporting(rec):
        fetched = fetching.fetch_videos(ids, yt.FetchConfig(cache_dir=tmp_path / "c"))
        fetching.load_fetched(fetched, tmp_path / "w.duckdb", tag=False)
    assert rec.events[0] == ("stage", "fetch", 3, 0)
    assert rec.events[1:4] == [("advance", 1)] * 3
    assert rec.stages()[-len(LOAD_PHASES) :] == [f"load: {p}" for p in LOAD_PHASES]
