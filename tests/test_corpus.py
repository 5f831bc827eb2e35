"""The shared corpus (../shared/corpus), ingested once per session. Every expectation is
computed independently from the files: anchors with our own regex, titles from the index
page with our own regex, video lengths from the caption files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import (
    CAPTIONS,
    count_anchors,
    digest,
    index_titles,
    ingest_untagged,
    is_index_page,
    note_files,
    read_text,
    ro,
)

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def expected_anchors(corpus_dir: Path) -> dict[str, int]:
    """source path -> anchors counted by our own regex, for every note (not index) file."""
    files = note_files(corpus_dir)
    assert len(files) > 1000
    return {str(f): count_anchors(read_text(f)) for f in files}


def test_citation_count_equals_independent_anchor_count(corpus_db, expected_anchors) -> None:
    db, report = corpus_db
    total = sum(expected_anchors.values())
    with ro(db) as con:
        n_cit = con.execute("SELECT count(*) FROM citations").fetchone()[0]
        n_anc = con.execute("SELECT count(*) FROM anchors").fetchone()[0]
    assert n_cit == n_anc == total
    assert report.anchors_loaded == total


def test_anchor_count_per_file(corpus_db, expected_anchors) -> None:
    db, _ = corpus_db
    with ro(db) as con:
        got = dict(
            con.execute(
                "SELECT source_path, n_anchors FROM sources WHERE source_kind = 'note'"
            ).fetchall()
        )
        per_file = dict(
            con.execute("SELECT source_path, count(*) FROM citations GROUP BY 1").fetchall()
        )
    assert got == expected_anchors
    assert per_file == {p: n for p, n in expected_anchors.items() if n}


def test_every_note_without_anchors_is_reported(corpus_db, expected_anchors) -> None:
    db, _ = corpus_db
    empty = {p for p, n in expected_anchors.items() if n == 0}
    assert empty  # the corpus has notes without anchors
    with ro(db) as con:
        rows = con.execute("SELECT source_path, error_kind, severity FROM ingest_errors").fetchall()
    reported = {p for p, kind, sev in rows if kind == "no_anchors" or sev == "error"}
    assert empty <= reported


def test_nothing_is_lost(corpus_db, corpus_dir: Path) -> None:
    db, _ = corpus_db
    with ro(db) as con:
        loaded = {r[0] for r in con.execute("SELECT source_path FROM sources").fetchall()}
        problems = {r[0] for r in con.execute("SELECT source_path FROM ingest_errors").fetchall()}
    for f in note_files(corpus_dir):
        assert str(f) in loaded or str(f) in problems, f
    for f in corpus_dir.rglob("*.md"):
        if is_index_page(f):
            assert str(f) in loaded, f  # index pages load as sources of kind 'index'


def test_no_duplicate_claim_ids(corpus_db) -> None:
    db, _ = corpus_db
    with ro(db) as con:
        n, distinct = con.execute(
            "SELECT count(*), count(DISTINCT claim_id) FROM claims"
        ).fetchone()
        orphans = con.execute(
            "SELECT count(*) FROM anchors a ANTI JOIN claims c USING (claim_id)"
        ).fetchone()[0]
        claimless = con.execute(
            "SELECT count(*) FROM claims c ANTI JOIN anchors a USING (claim_id)"
        ).fetchone()[0]
    assert n > 0 and n == distinct
    assert orphans == 0 and claimless == 0


def test_anchor_ordinals_run_without_gaps(corpus_db) -> None:
    db, _ = corpus_db
    with ro(db) as con:
        bad = con.execute(
            """
            SELECT source_id, count(*) AS n, min(anchor_ordinal) AS lo, max(anchor_ordinal) AS hi,
                   count(DISTINCT anchor_ordinal) AS d
            FROM anchors GROUP BY source_id
            HAVING lo <> 0 OR hi <> n - 1 OR d <> n
            """
        ).fetchall()
        n_sources = con.execute("SELECT count(DISTINCT source_id) FROM anchors").fetchone()[0]
    assert n_sources > 1000
    assert bad == []


def test_index_page_gives_the_seed_video_its_title(corpus_db, corpus_dir: Path, seed_path) -> None:
    db, _ = corpus_db
    vid = re.search(r"^videoId:\s*(\S+)", read_text(seed_path), re.MULTILINE).group(1)
    titles = index_titles(corpus_dir / "redpointai" / "redpointai.md")
    assert vid in titles
    with ro(db) as con:
        row = con.execute(
            "SELECT title, channel, n_notes FROM videos WHERE video_id = ?", [vid]
        ).fetchone()
    assert row is not None
    assert row[0] == titles[vid]
    assert row[1] == "redpointai"
    assert row[2] >= 1


def test_every_index_page_video_is_in_videos(corpus_db, corpus_dir: Path) -> None:
    db, _ = corpus_db
    expected: dict[str, str] = {}
    for page in corpus_dir.glob("*/*.md"):
        if is_index_page(page):
            expected |= index_titles(page)
    assert expected
    with ro(db) as con:
        got = dict(
            con.execute("SELECT video_id, title FROM videos WHERE title IS NOT NULL").fetchall()
        )
    assert got == expected


def test_unusable_timestamps_have_no_seconds(corpus_db) -> None:
    db, _ = corpus_db
    with ro(db) as con:
        n = con.execute(
            "SELECT count(*) FROM citations "
            "WHERE timestamp_status IN ('invalid', 'ambiguous') "
            "AND (seconds IS NOT NULL OR url IS NOT NULL)"
        ).fetchone()[0]
        missing = con.execute(
            "SELECT count(*) FROM citations "
            "WHERE timestamp_status IN ('unverified', 'reinterpreted') AND seconds IS NULL"
        ).fetchone()[0]
        bad_url = con.execute(
            "SELECT count(*) FROM citations WHERE seconds IS NOT NULL AND url IS DISTINCT FROM "
            "'https://www.youtube.com/watch?v=' || video_id || '&t=' || seconds || 's'"
        ).fetchone()[0]
    assert n == 0
    assert missing == 0
    assert bad_url == 0


def test_seed_note_is_read_as_minutes_seconds(corpus_db, corpus_dir: Path) -> None:
    """shared/README: the seed's anchors like 02:30:00 mean 2 min 30 s."""
    db, _ = corpus_db
    path = corpus_dir / "redpointai" / "evolution_of_ai_models_and_infrastructure.md"
    written = re.findall(r'data-t="(\d\d):(\d\d):00"', read_text(path))
    assert len(written) == count_anchors(read_text(path))
    with ro(db) as con:
        got = con.execute(
            "SELECT seconds FROM citations WHERE source_path = ? ORDER BY anchor_ordinal",
            [str(path)],
        ).fetchall()
    assert [g[0] for g in got] == [int(m) * 60 + int(s) for m, s in written]


def _srt_end(path: Path) -> int:
    stamps = re.findall(r"(\d+):(\d\d):(\d\d)[,.]\d+", path.read_text(encoding="utf-8"))
    return max(int(h) * 3600 + int(m) * 60 + int(s) for h, m, s in stamps)


def test_cited_seconds_fall_inside_captioned_videos(corpus_db) -> None:
    """Captions give each video's length; no citation may point past its end."""
    db, _ = corpus_db
    ends = {d.name: _srt_end(d / "captions.srt") for d in CAPTIONS.iterdir() if d.is_dir()}
    assert len(ends) >= 10
    with ro(db) as con:
        rows = con.execute(
            "SELECT video_id, max(seconds), count(*) FROM citations "
            "WHERE video_id IN (SELECT unnest(?)) GROUP BY 1",
            [list(ends)],
        ).fetchall()
    assert {r[0] for r in rows} == set(ends)
    for vid, top, _ in rows:
        assert top <= ends[vid] + 5, (vid, top, ends[vid])


def test_claim_lines_point_at_an_anchor(corpus_db) -> None:
    db, _ = corpus_db
    with ro(db) as con:
        rows = con.execute(
            "SELECT s.source_path, c.line FROM claims c JOIN sources s USING (source_id)"
        ).fetchall()
    cache: dict[str, list[str]] = {}
    bad = []
    for path, line in rows:
        lines = cache.setdefault(path, read_text(Path(path)).splitlines())
        if not (1 <= line <= len(lines) and count_anchors(lines[line - 1])):
            bad.append((path, line))
    assert bad == []


def test_claim_text_is_plain(corpus_db) -> None:
    db, _ = corpus_db
    with ro(db) as con:
        n = con.execute(
            "SELECT count(*) FROM claims WHERE text LIKE '%yt-timestamp%' "
            "OR text LIKE '%</a>%' OR text LIKE '%data-t=%' OR text LIKE '%```%'"
        ).fetchone()[0]
        # Obsidian callout markers ('[!NOTE]', '[!info]-', '[!NOTE|Title]') are markup too;
        # only code blocks keep text verbatim.
        callouts = con.execute(
            "SELECT count(*) FROM claims WHERE block_kind <> 'code' AND "
            "(regexp_matches(text, '\\[![A-Za-z][^\\]]{0,40}\\]') "
            "OR regexp_matches(coalesce(lead_in, ''), '\\[![A-Za-z]'))"
        ).fetchone()[0]
        with_titles = con.execute(
            "SELECT count(*) FROM claims WHERE lead_in IN ('Model Progress', 'Adoption Rates')"
        ).fetchone()[0]
    assert n == 0
    assert callouts == 0
    assert with_titles >= 2  # callout titles became lead-ins (redpointai notes)


def test_second_ingest_loads_nothing_and_changes_no_rows(corpus_db, corpus_dir: Path) -> None:
    db, first = corpus_db
    before = digest(db)
    again = ingest_untagged([corpus_dir], db)
    after = digest(db)
    assert again.sources_loaded == 0
    assert again.claims_loaded == 0 and again.anchors_loaded == 0
    assert again.sources_unchanged == first.sources_loaded
    for name in before:
        assert after[name] == before[name], f"{name} changed on a re-run"
    with ro(db) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
