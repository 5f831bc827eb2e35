"""Caption files in the warehouse: segments, sentences, durations, transcript claims,
idempotent re-runs and bad caption files.

Expectations come from the SRT files themselves, read here with a parser of our own
(a block is a ``-->`` line; times are ``HH:MM:SS,mmm``), never from ytclaims.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from helpers import CAPTIONS, all_relations, ingest_untagged, ro, snapshot

_TIME = r"(\d+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
TIMING_RX = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")


def _secs(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def srt_cues(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, text) per SRT block: one block per line holding '-->'."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    out: list[tuple[float, float, str]] = []
    for i, line in enumerate(lines):
        if "-->" not in line:
            continue
        m = TIMING_RX.match(line)
        assert m, f"{path}: unreadable timing line {line!r}"
        g = m.groups()
        text: list[str] = []
        for nxt in lines[i + 1 :]:
            if not nxt.strip():
                break
            text.append(nxt.strip())
        out.append((_secs(*g[:4]), _secs(*g[4:]), " ".join(text)))
    return out


FIXTURE_SRT = Path(__file__).resolve().parent / "fixtures" / "captions" / "SrtFixture1.en.srt"


def caption_dirs() -> list[Path]:
    return sorted(p for p in CAPTIONS.iterdir() if (p / "captions.srt").is_file())


@pytest.fixture(scope="module")
def captions_db(captions_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("captions") / "captions.duckdb"
    report = ingest_untagged([captions_dir], db, workers=1)
    return db, report


@pytest.fixture(scope="module")
def expected_cues(captions_dir: Path) -> dict[str, list[tuple[float, float, str]]]:
    out = {d.name: srt_cues(d / "captions.srt") for d in caption_dirs()}
    assert len(out) == 10, f"expected the 10 shared caption files, found {sorted(out)}"
    return out


def test_every_caption_file_is_a_transcript_source(captions_db, expected_cues) -> None:
    db, report = captions_db
    assert report.n_errors == 0, report.problems
    with ro(db) as con:
        rows = dict(
            con.execute(
                "SELECT video_id, count(*) FROM sources WHERE source_kind = 'transcript' GROUP BY 1"
            ).fetchall()
        )
    assert rows == {vid: 1 for vid in expected_cues}


def test_segment_count_equals_srt_block_count(captions_db, expected_cues) -> None:
    db, _ = captions_db
    with ro(db) as con:
        got = dict(
            con.execute(
                "SELECT video_id, count(*) FROM transcript_segments GROUP BY video_id"
            ).fetchall()
        )
        tracks = dict(con.execute("SELECT video_id, n_cues FROM transcript_tracks").fetchall())
    want = {vid: len(cues) for vid, cues in expected_cues.items()}
    assert got == want
    assert tracks == want


def test_segment_start_times_and_text_match_the_srt(captions_db, expected_cues) -> None:
    db, _ = captions_db
    with ro(db) as con:
        for vid, cues in expected_cues.items():
            n = len(cues)
            for idx in sorted({0, 1, n // 3, n // 2, n - 2, n - 1}):
                row = con.execute(
                    "SELECT start, duration, text FROM transcript_segments "
                    "WHERE video_id = ? AND cue_index = ?",
                    [vid, idx],
                ).fetchone()
                assert row is not None, (vid, idx)
                start, end, text = cues[idx]
                assert row[0] == pytest.approx(start, abs=1e-6), (vid, idx)
                assert row[0] + row[1] == pytest.approx(end, abs=1e-6), (vid, idx)
                assert row[2] == " ".join(text.split()), (vid, idx)


def test_video_duration_is_the_end_of_the_last_cue(captions_db, expected_cues) -> None:
    db, _ = captions_db
    with ro(db) as con:
        got = dict(con.execute("SELECT video_id, duration_seconds FROM videos").fetchall())
    assert set(got) == set(expected_cues)
    for vid, cues in expected_cues.items():
        assert got[vid] == pytest.approx(cues[-1][1], abs=1e-6), vid


def test_sentences_are_ordered_and_well_formed(captions_db, expected_cues) -> None:
    db, _ = captions_db
    with ro(db) as con:
        n_sent = dict(con.execute("SELECT video_id, n_sentences FROM transcript_tracks").fetchall())
        for vid, cues in expected_cues.items():
            rows = con.execute(
                'SELECT sentence_index, start, "end", first_cue, last_cue, text FROM sentences '
                "WHERE video_id = ? ORDER BY sentence_index",
                [vid],
            ).fetchall()
            assert rows, f"{vid}: no sentences"
            assert len(rows) == n_sent[vid]
            assert [r[0] for r in rows] == list(range(len(rows))), vid
            prev_start = -1.0
            for idx, start, end, first, last, text in rows:
                assert start <= end, (vid, idx, start, end)
                assert start >= prev_start, (vid, idx, "sentences out of order")
                prev_start = start
                assert 0 <= first <= last < len(cues), (vid, idx, first, last)
                assert text.strip(), (vid, idx)
                # The sentence starts inside (or within word-timing slack of) its first cue.
                c_start, c_end, _ = cues[first]
                assert c_start - 2.5 <= start <= c_end + 2.5, (vid, idx, start, cues[first])


def test_transcript_claims_cite_the_start_of_their_sentence(captions_db, expected_cues) -> None:
    db, _ = captions_db
    with ro(db) as con:
        rows = con.execute(
            """
            SELECT c.video_id, c.claim_id, c.text, c.seconds, c.url, c.timestamp_status,
                   c.source_kind, s.text, s.start
            FROM citations c
            LEFT JOIN sentences s
              ON s.video_id = c.video_id AND s.sentence_index = c.line
             AND s.source_id = (SELECT source_id FROM sources x WHERE x.source_path = c.source_path)
            WHERE c.source_kind = 'transcript'
            """
        ).fetchall()
        n_claims = con.execute(
            "SELECT count(*) FROM claims WHERE block_kind = 'transcript_sentence'"
        ).fetchone()[0]
    assert rows, "no transcript claims at all"
    assert len(rows) == n_claims
    assert {r[0] for r in rows} <= set(expected_cues)
    for vid, cid, text, seconds, url, status, kind, sent_text, sent_start in rows:
        assert kind == "transcript"
        assert status == "transcript", (cid, status)
        assert sent_text == text, (cid, "claim is not its sentence")
        assert seconds == math.floor(sent_start), (cid, seconds, sent_start)
        assert url == f"https://www.youtube.com/watch?v={vid}&t={seconds}s", (cid, url)
        assert 0 <= seconds <= expected_cues[vid][-1][1]


def test_reingesting_the_caption_folder_changes_nothing_but_runs(captions_db) -> None:
    db, _ = captions_db
    relations = all_relations(db)
    assert {"segments", "sentences", "transcript_tracks", "citations"} <= set(relations)
    with ro(db) as con:
        n_runs = con.execute("SELECT count(*) FROM runs").fetchone()[0]
    before = snapshot(db, relations)
    report = ingest_untagged([CAPTIONS], db, workers=1)
    after = snapshot(db, relations)
    assert report.sources_loaded == 0
    assert report.sources_unchanged == len(caption_dirs())
    for rel in relations:
        assert after[rel] == before[rel], f"{rel} changed on a no-op re-run"
    with ro(db) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == n_runs + 1


# --- bad caption files -------------------------------------------------------------

GOOD_SRT = (
    "1\n00:00:01,000 --> 00:00:04,000\nThe first cue is fine.\n\n"
    "2\n00:00:04,500 --> 00:00:08,250\nSo is the second one.\n\n"
)


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("badcaps")
    bad = base / "bad"
    bad.mkdir()
    # Truncated inside the first timing line: no cue can be read at all.
    (bad / "TrUnc4tedAa.en.srt").write_text("1\n00:00:01,000 --> 00:0", encoding="utf-8")
    # Truncated inside the third block's start time: two good cues survive.
    (bad / "TrUnc4tedBb.en.srt").write_text(GOOD_SRT + "3\n00:00:0", encoding="utf-8")
    (bad / "B1naryFile0.en.srt").write_bytes(b"\x00\x01\x02\xff\xfe binary \x00\x00" * 40)
    (bad / "BadJs0nFile.en.json").write_text(
        '{"video_id": "BadJs0nFile", "snippets": [{"text": "cut', encoding="utf-8"
    )
    (bad / "no_video_id_here.srt").write_text(GOOD_SRT, encoding="utf-8")
    # Two good files in the same run, as the shared corpus lays them out (<id>/captions.srt);
    # written here, so these tests need no shared corpus.
    good_copy = base / "good"
    for vid, text in (
        ("G00dCapsAa1", FIXTURE_SRT.read_text(encoding="utf-8")),
        ("G00dCapsBb2", GOOD_SRT),
    ):
        (good_copy / vid).mkdir(parents=True)
        (good_copy / vid / "captions.srt").write_text(text, encoding="utf-8")
    db = base / "bad.duckdb"
    report = ingest_untagged([bad, good_copy], db, workers=1)
    return bad, good_copy, db, report


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("TrUnc4tedAa.en.srt", {"malformed_captions"}),
        ("B1naryFile0.en.srt", {"binary_file"}),
        ("BadJs0nFile.en.json", {"malformed_captions"}),
        ("no_video_id_here.srt", {"missing_video_id"}),
    ],
)
def test_unreadable_caption_file_is_an_error_and_not_loaded(bad_run, name, kinds) -> None:
    bad, _, db, _ = bad_run
    path = str(bad / name)
    with ro(db) as con:
        errs = con.execute(
            "SELECT severity, error_kind, message FROM ingest_errors WHERE source_path = ?",
            [path],
        ).fetchall()
        loaded = con.execute(
            "SELECT count(*) FROM sources WHERE source_path = ?", [path]
        ).fetchone()[0]
    assert errs, f"{name}: nothing recorded in ingest_errors"
    assert any(sev == "error" and kind in kinds for sev, kind, _ in errs), errs
    assert all(msg.strip() for _, _, msg in errs)
    assert loaded == 0


def test_partly_truncated_srt_loads_its_good_cues_with_a_warning(bad_run) -> None:
    bad, _, db, _ = bad_run
    path = bad / "TrUnc4tedBb.en.srt"
    complete = srt_cues(path)  # the truncated third block has no '-->' line left
    with ro(db) as con:
        errs = con.execute(
            "SELECT severity, error_kind FROM ingest_errors WHERE source_path = ?", [str(path)]
        ).fetchall()
        rows = con.execute(
            "SELECT start, duration, text FROM transcript_segments "
            "WHERE video_id = 'TrUnc4tedBb' ORDER BY cue_index"
        ).fetchall()
    assert ("warning", "malformed_cue") in errs, errs
    assert len(complete) == 2
    assert [(r[0], r[0] + r[1], r[2]) for r in rows] == [
        (pytest.approx(s), pytest.approx(e), t) for s, e, t in complete
    ]


def test_srt_truncated_inside_the_end_time_drops_that_block(tmp_path: Path) -> None:
    """A file cut off in the middle of its last timing line ('--> 00:00:1'): that block's
    timing cannot be read, so (as the captions module documents) the block is dropped and
    recorded, and the cues before it load. It must not become a cue of its own."""
    folder = tmp_path / "caps"
    folder.mkdir()
    path = folder / "TrUnc4tedCc.en.srt"
    path.write_text(GOOD_SRT + "3\n00:00:09,000 --> 00:00:1", encoding="utf-8")
    complete = [c for c in srt_cues_lenient(path) if c is not None]
    db = tmp_path / "w.duckdb"
    ingest_untagged([folder], db, workers=1)
    with ro(db) as con:
        kinds = {r[0] for r in con.execute("SELECT error_kind FROM ingest_errors").fetchall()}
        rows = con.execute(
            "SELECT start, start + duration, text FROM transcript_segments ORDER BY cue_index"
        ).fetchall()
        duration = con.execute("SELECT duration_seconds FROM videos").fetchone()[0]
    assert "malformed_cue" in kinds
    assert [(r[0], r[1]) for r in rows] == [pytest.approx(c) for c in complete], rows
    assert duration == pytest.approx(complete[-1][1])


def srt_cues_lenient(path: Path) -> list[tuple[float, float] | None]:
    """Start and end per '-->' line; None for a timing line that is not complete
    (HH:MM:SS,mmm on both sides), e.g. truncated."""
    out: list[tuple[float, float] | None] = []
    full = re.compile(r"^\s*(\d+):(\d\d):(\d\d),(\d{3})\s*-->\s*(\d+):(\d\d):(\d\d),(\d{3})\s*$")
    for line in path.read_text(encoding="utf-8").splitlines():
        if "-->" in line:
            m = full.match(line)
            out.append((_secs(*m.groups()[:4]), _secs(*m.groups()[4:])) if m else None)
    return out


def test_good_caption_files_in_the_same_run_still_load(bad_run) -> None:
    _, good, db, report = bad_run
    want = {d.name: len(srt_cues(d / "captions.srt")) for d in sorted(good.iterdir())}
    with ro(db) as con:
        got = dict(
            con.execute("SELECT video_id, count(*) FROM transcript_segments GROUP BY 1").fetchall()
        )
        kinds = {r[0] for r in con.execute("SELECT error_kind FROM ingest_errors").fetchall()}
    for vid, n in want.items():
        assert got.get(vid) == n, vid
    assert report.sources_loaded == len(want) + 1  # the two good files and the partial one
    assert {"binary_file", "malformed_captions", "missing_video_id"} <= kinds
