"""Timestamps on the real notes of ../shared/corpus (no captions): the forms and the
evidence of the issue, on the notes that show them.

Expected seconds are computed here from the written strings; which reading is meant was
decided by reading each note (its other anchors), not by running ytclaims.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import CORPUS, note_files, read_text, ro

pytestmark = pytest.mark.corpus

DATA_T = re.compile(r'data-t="([^"]*)"')
FIVE_HOURS = 5 * 3600


def mmss(t: str) -> int:
    a, b, _ = t.split(":")
    return int(a) * 60 + int(b)


def cited(db: Path, note: Path, written: str) -> list[tuple[int | None, str, str]]:
    with ro(db) as con:
        return con.execute(
            "SELECT seconds, timestamp_status, resolution_reason FROM citations "
            "WHERE source_path = ? AND anchor_raw = ? ORDER BY anchor_ordinal",
            [str(note), written],
        ).fetchall()


@pytest.mark.parametrize(
    ("name", "written"),
    [
        # one hour-looking anchor among anchors under ten minutes (the fireship case)
        ("comparison_of_react_native_and_flutter_for_cross_platform_app_development", "08:08:21"),
        ("progressive_web_application_pwa_features_in_angular", "01:10:07"),
        ("stateful_and_stateless_widgets", "01:02:11"),
        ("impact_of_ai_on_traditional_jobs", "03:48:00"),
        # a whole note written MM:SS:FF, 4:51:00 to 15:45:00 if read literally
        ("lowlevel_systems_programming_languages", "06:48:42"),
        ("lowlevel_systems_programming_languages", "15:45:00"),
    ],
)
def test_fireship_anchors_hours_away_from_their_note_are_minutes(corpus_db, name, written) -> None:
    db, _ = corpus_db
    note = CORPUS / "fireship" / f"{name}.md"
    assert written in DATA_T.findall(read_text(note))
    rows = cited(db, note, written)
    assert rows, (name, written)
    for sec, status, reason in rows:
        assert sec == mmss(written), (name, written, sec, reason)
        assert status == "reinterpreted"
        assert reason.startswith("read as minutes:seconds"), reason


def test_a_note_written_mm_ss_ff_throughout_is_read_in_minutes(corpus_db) -> None:
    db, _ = corpus_db
    note = CORPUS / "fireship" / "lowlevel_systems_programming_languages.md"
    written = DATA_T.findall(read_text(note))
    with ro(db) as con:
        got = [
            r[0]
            for r in con.execute(
                "SELECT seconds FROM citations WHERE source_path = ? ORDER BY anchor_ordinal",
                [str(note)],
            ).fetchall()
        ]
    assert got == [mmss(w) for w in written]


def _literal(t: str) -> int | None:
    m = re.fullmatch(r"(\d+):(\d+):(\d+)", t.strip())
    if not m:
        return None
    h, mi, s = (int(g) for g in m.groups())
    return h * 3600 + mi * 60 + s if mi < 60 and s < 60 else None


def test_hours_deep_citations_are_gone_or_flagged(corpus_db, corpus_dir: Path) -> None:
    """Literally, thousands of the shared notes' anchors lie 5 h or more into their
    video; what is still cited that far in must say it is suspect."""
    literal_deep = sum(
        1
        for p in note_files(corpus_dir)
        for t in DATA_T.findall(read_text(p))
        if (s := _literal(t)) is not None and s > FIVE_HOURS
    )
    assert literal_deep > 1000
    db, _ = corpus_db
    with ro(db) as con:
        deep = con.execute(
            "SELECT timestamp_status, count(*) FROM citations "
            "WHERE source_kind = 'note' AND seconds > ? GROUP BY 1",
            [FIVE_HOURS],
        ).fetchall()
    assert sum(n for _, n in deep) <= literal_deep // 100, deep
    assert {s for s, _ in deep} <= {"suspect"}, deep


def test_every_reading_but_the_literal_one_says_why(corpus_db) -> None:
    db, _ = corpus_db
    with ro(db) as con:
        rows = con.execute(
            "SELECT timestamp_status, resolution_reason, anchor_reading FROM citations "
            "WHERE source_kind = 'note' AND timestamp_status IN ('reinterpreted', 'suspect', "
            "'ambiguous')"
        ).fetchall()
    assert rows
    for status, reason, reading in rows:
        assert reason, (status, reading)
        if status == "reinterpreted":
            assert reason.startswith("read as "), reason
        if status == "suspect":
            assert "suspect: " in reason, reason
        if status == "ambiguous":
            assert "no second is cited" in reason, reason


def test_third_fields_of_60_or_more_are_hundredths(corpus_db, corpus_dir: Path) -> None:
    """An A:B:C whose last field is 60+ is never hours:minutes:seconds (odd-format notes)."""
    db, _ = corpus_db
    seen = 0
    with ro(db) as con:
        for raw, sec in con.execute(
            "SELECT anchor_raw, seconds FROM citations WHERE source_kind = 'note' "
            "AND regexp_matches(anchor_raw, '^\\d{1,2}:\\d{2}:(6|7|8|9)\\d$')"
        ).fetchall():
            seen += 1
            assert sec is None or sec == mmss(raw), (raw, sec)
    assert seen > 0
