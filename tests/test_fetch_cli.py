"""``ytclaims fetch`` end to end through the CLI, with every HTTP request failing offline.

A ``responses`` mock with nothing registered is active in every test: any request
raises ConnectionError, so nothing here can reach YouTube. Retry back-off is patched
to zero so the retry costs no time (the number of back-offs is still asserted).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses
from helpers import all_relations, ingest_untagged, ro, snapshot
from typer.testing import CliRunner

from ytclaims.cli import app
from ytclaims.sources.youtube import errors as yterr
from ytclaims.sources.youtube import fetch as yt

VID = "N0netW0rk42"
CACHED = "C4chedVid01"
BAD_REF = "https://example.com/x"

runner = CliRunner()


@contextlib.contextmanager
def offline_env() -> Iterator[tuple[responses.RequestsMock, list[int]]]:
    """All HTTP fails; no proxy from the environment; back-off delays recorded, not slept."""
    backoffs: list[int] = []

    def no_wait(attempt: int, config: object, rand: object) -> float:
        backoffs.append(attempt)
        return 0.0

    with pytest.MonkeyPatch.context() as mp:
        for name in (
            yterr.ENV_PROXY_HTTP,
            yterr.ENV_PROXY_HTTPS,
            yterr.ENV_WEBSHARE_USERNAME,
            yterr.ENV_WEBSHARE_PASSWORD,
        ):
            mp.delenv(name, raising=False)
        mp.setattr(yt, "backoff_delay", no_wait)
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            yield rsps, backoffs


@pytest.fixture
def offline():
    with offline_env() as env:
        yield env


def fetch(db: Path, *refs: str, extra: tuple[str, ...] = ()):
    args = ["fetch", *refs, "--db", str(db), "--no-prefect", "--rate-limit", "0", *extra]
    return runner.invoke(app, args, catch_exceptions=False)


# --- everything fails ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def failed_fetch(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("failed") / "w.duckdb"
    with offline_env() as (rsps, backoffs):
        res = fetch(db, VID, BAD_REF, extra=("--max-attempts", "2"))
        yield db, res, rsps, backoffs


def test_failed_fetch_exits_non_zero_with_advice(failed_fetch) -> None:
    _, res, _, _ = failed_fetch
    assert res.exit_code != 0, res.output
    advice = res.stderr.lower()
    assert "proxy" in advice, res.stderr
    assert "caption files" in advice, res.stderr
    assert "ytclaims ingest" in advice
    assert f"{VID}: failed" in res.stdout


def test_every_attempt_is_recorded(failed_fetch) -> None:
    db, _, rsps, backoffs = failed_fetch
    with ro(db) as con:
        rows = con.execute(
            "SELECT attempt, outcome, will_retry, error_class FROM fetch_attempts "
            "WHERE video_id = ? ORDER BY attempt",
            [VID],
        ).fetchall()
        n_all = con.execute("SELECT count(*) FROM fetch_attempts").fetchone()[0]
    assert [r[0] for r in rows] == [1, 2]
    assert {r[1] for r in rows} == {"transient"}
    assert [r[2] for r in rows] == [True, False]
    assert all(r[3] for r in rows)
    assert n_all == 2
    assert backoffs == [1], "one back-off between the two attempts"
    # Both attempts went out (and failed) as HTTP requests to YouTube only.
    assert len(rsps.calls) >= 2
    assert all("youtube.com" in c.request.url for c in rsps.calls), [
        c.request.url for c in rsps.calls
    ]


def test_no_transcript_rows_are_written(failed_fetch) -> None:
    db, _, _, _ = failed_fetch
    with ro(db) as con:
        for table in ("transcript_tracks", "segments", "sentences"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
        assert con.execute("SELECT count(*) FROM sources").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM citations").fetchone()[0] == 0


def test_invalid_reference_is_reported_and_skipped(failed_fetch) -> None:
    db, res, rsps, _ = failed_fetch
    assert BAD_REF in res.stderr
    assert "skipped" in res.stderr.lower()
    assert not any("example.com" in c.request.url for c in rsps.calls)
    with ro(db) as con:
        vids = {r[0] for r in con.execute("SELECT video_id FROM fetch_attempts").fetchall()}
    assert vids == {VID}


def test_only_invalid_references_is_an_error(offline, tmp_path: Path) -> None:
    rsps, _ = offline
    res = fetch(tmp_path / "w.duckdb", BAD_REF)
    assert res.exit_code != 0
    assert BAD_REF in res.stderr
    assert len(rsps.calls) == 0


# --- served from the cache ----------------------------------------------------------------------

SNIPPETS = [
    {
        "text": "Welcome to a video that was never downloaded in this test.",
        "start": 0.0,
        "duration": 3.5,
    },
    {
        "text": "The cache file was written by hand, in the documented format.",
        "start": 3.5,
        "duration": 4.25,
    },
    {
        "text": "Its snippets hold text, a start and a duration in seconds.",
        "start": 8.0,
        "duration": 4.0,
    },
    {
        "text": "Caching means a video is requested from YouTube only once.",
        "start": 12.5,
        "duration": 3.75,
    },
    {"text": "That is all for today.", "start": 16.25, "duration": 2.0},
]


def write_cache(cache_dir: Path) -> Path:
    """``<cache_dir>/<video_id>.<language_code>.json`` as youtube.py writes it."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{CACHED}.en.json"
    payload = {
        "video_id": CACHED,
        "language": "English",
        "language_code": "en",
        "is_generated": False,
        "translated_from": None,
        "fetched_at": "2025-06-01T12:00:00+00:00",
        "snippets": SNIPPETS,
    }
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cached_fetch(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("cached")
    db = base / "w.duckdb"
    cache = write_cache(base / "transcripts")  # the default: <db folder>/transcripts
    with offline_env() as (rsps, _):
        res = fetch(db, CACHED)
        yield db, cache, res, rsps


def test_cached_video_is_served_without_http(cached_fetch) -> None:
    db, cache, res, rsps = cached_fetch
    assert res.exit_code == 0, res.output
    assert len(rsps.calls) == 0
    assert f"{CACHED}: cached" in res.stdout
    with ro(db) as con:
        rows = con.execute(
            "SELECT attempt, outcome FROM fetch_attempts WHERE video_id = ?", [CACHED]
        ).fetchall()
        src = con.execute(
            "SELECT source_kind, source_path FROM sources WHERE video_id = ?", [CACHED]
        ).fetchall()
    assert rows == [(1, "cached")]
    assert src == [("transcript", str(cache))]


def test_cached_transcript_is_loaded_into_segments(cached_fetch) -> None:
    db, _, _, _ = cached_fetch
    with ro(db) as con:
        rows = con.execute(
            "SELECT start, duration, text FROM transcript_segments WHERE video_id = ? "
            "ORDER BY cue_index",
            [CACHED],
        ).fetchall()
        dur = con.execute(
            "SELECT duration_seconds FROM videos WHERE video_id = ?", [CACHED]
        ).fetchone()[0]
        track = con.execute(
            "SELECT language, kind, origin FROM transcript_tracks WHERE video_id = ?", [CACHED]
        ).fetchone()
    assert rows == [(s["start"], s["duration"], s["text"]) for s in SNIPPETS]
    assert dur == pytest.approx(max(s["start"] + s["duration"] for s in SNIPPETS))
    assert track == ("en", "manual", "fetch")


def test_second_fetch_of_a_cached_video_changes_nothing_but_runs(cached_fetch, offline) -> None:
    db, _, _, _ = cached_fetch
    rsps, _ = offline
    relations = all_relations(db)
    assert "fetch_attempts" in relations and "segments" in relations
    with ro(db) as con:
        n_runs = con.execute("SELECT count(*) FROM runs").fetchone()[0]
    before = snapshot(db, relations)
    res = fetch(db, CACHED)
    assert res.exit_code == 0, res.output
    after = snapshot(db, relations)
    for rel in relations:
        assert after[rel] == before[rel], f"{rel} changed on a second fetch of a cached video"
    with ro(db) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == n_runs + 1
    assert len(rsps.calls) == 0


# --- a fetched transcript re-resolves notes already in the warehouse ----------------------------

RES = Path(__file__).resolve().parent / "fixtures" / "resolution"
BREAD = "Sd7BreadV01"
SRT_TIMING = re.compile(r"^(\d+):(\d\d):(\d\d),(\d{3}) --> (\d+):(\d\d):(\d\d),(\d{3})$")


def srt_snippets(path: Path) -> list[dict[str, object]]:
    """The fixture SRT as youtube-transcript-api snippets (text, start, duration)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for i, line in enumerate(lines):
        m = SRT_TIMING.match(line.strip())
        if m:
            g = [int(x) for x in m.groups()]
            start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
            end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
            out.append(
                {"text": lines[i + 1].strip(), "start": start, "duration": round(end - start, 3)}
            )
    return out


def test_fetched_transcript_re_resolves_an_already_loaded_note(offline, tmp_path: Path) -> None:
    rsps, _ = offline
    db = tmp_path / "w.duckdb"
    ingest_untagged([RES / "notes" / "breadchan" / "sourdough_basics.md"], db, workers=1)
    with ro(db) as con:
        before = con.execute(
            "SELECT DISTINCT timestamp_status FROM citations WHERE video_id = ?", [BREAD]
        ).fetchall()
        src_before = con.execute("SELECT * FROM sources").fetchall()
    assert before == [("reinterpreted",)]
    snippets = srt_snippets(RES / "captions" / f"{BREAD}.en.srt")
    (tmp_path / "transcripts").mkdir()
    (tmp_path / "transcripts" / f"{BREAD}.en.json").write_text(
        json.dumps(
            {
                "video_id": BREAD,
                "language": "English",
                "language_code": "en",
                "is_generated": False,
                "translated_from": None,
                "fetched_at": "2025-06-01T12:00:00+00:00",
                "snippets": snippets,
            }
        ),
        encoding="utf-8",
    )
    res = fetch(db, BREAD)
    assert res.exit_code == 0, res.output
    assert len(rsps.calls) == 0
    with ro(db) as con:
        after = dict(
            con.execute(
                "SELECT timestamp_status, count(*) FROM citations "
                "WHERE video_id = ? AND source_kind = 'note' GROUP BY 1",
                [BREAD],
            ).fetchall()
        )
        past_end = con.execute(
            "SELECT count(*) FROM citations WHERE video_id = ? AND seconds > ?",
            [BREAD, max(s["start"] + s["duration"] for s in snippets)],
        ).fetchone()[0]
        src_after = con.execute("SELECT * FROM sources WHERE source_kind = 'note'").fetchall()
    assert set(after) <= {"verified", "corrected"}, after
    assert after.get("verified", 0) >= 1
    assert past_end == 0
    assert src_after == src_before
