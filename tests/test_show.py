"""The terminal view of one video (``ytclaims.show.render_video``).

Uses the fixtures of test_cite_styles.py (tests/fixtures/cite/notes): video
``ciTe_vid001`` has two notes — ``inference_costs.md`` writes every anchor ``MM:SS:00``
(read as minutes:seconds, status ``reinterpreted``), ``agent_markets.md`` writes
literal ``HH:MM:SS`` (``unverified``) and has a claim containing ``[bold]...[/bold]``.
The expected order is computed here from the anchors written in the files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import index_titles, read_text, ro
from rich.console import Console

from ytclaims import errors
from ytclaims.research.show import render_video

NOTES = Path(__file__).resolve().parent / "fixtures" / "cite" / "notes"
COSTS = NOTES / "aiweekly" / "inference_costs.md"
AGENTS = NOTES / "aiweekly" / "agent_markets.md"
VECTOR = NOTES / "codecasts" / "vector_search.md"
VID_A, VID_B = "ciTe_vid001", "ciTe_vid002"

#: An anchored sentence in a list item or paragraph: its text, then the anchor's data-t.
_CLAIM_RX = re.compile(
    r"^(?:\*\s+\*\*[^*]+\*\*:\s*)?(?P<text>[A-Z][^<\n]*?)\s*"
    r'<a class="yt-timestamp" data-t="(?P<t>[^"]+)">',
    re.M,
)


def anchored_sentences(note: Path) -> list[tuple[str, str]]:
    """(sentence start, data-t) for each anchored sentence of a fixture note."""
    return [(m["text"][:25], m["t"]) for m in _CLAIM_RX.finditer(read_text(note))]


def seconds(note: Path, written: str) -> int:
    """The README's rule: when >= 25 % (and >= 2) of a note's anchors end in ':00', its
    ':00' anchors are MM:SS:00; otherwise HH:MM:SS is read literally."""
    all_t = [t for _, t in anchored_sentences(note)]
    zeros = sum(t.endswith(":00") for t in all_t)
    h, m, s = (int(x) for x in written.split(":"))
    if written.endswith(":00") and zeros >= 2 and zeros >= 0.25 * len(all_t):
        return h * 60 + m
    return h * 3600 + m * 60 + s


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tagged (layers/trends filled), so the view's label columns are exercised."""
    from ytclaims.pipeline import ingest

    path = tmp_path_factory.mktemp("show") / "show.duckdb"
    assert ingest([NOTES], path, tag=True, workers=1).n_errors == 0
    return path


def shown(db: Path, ref: str, width: int = 120) -> str:
    console = Console(record=True, width=width)
    with ro(db) as con:
        render_video(con, ref, console)
    return console.export_text()


def test_claims_are_listed_in_time_order_across_notes(db) -> None:
    expected = sorted(
        (seconds(note, t), text) for note in (COSTS, AGENTS) for text, t in anchored_sentences(note)
    )
    assert len(expected) == 5
    out = shown(db, VID_A)
    positions = [out.find(text) for _, text in expected]
    assert all(p >= 0 for p in positions), (expected, out)
    assert positions == sorted(positions)
    # each row starts with its time as M:SS
    for secs, text in expected:
        line = next(ln for ln in out.splitlines() if text in ln)
        assert line.split()[0] == f"{secs // 60}:{secs % 60:02d}"


def test_claim_text_markup_is_printed_literally(db) -> None:
    assert "[bold]fully autonomous[/bold]" in read_text(AGENTS)
    out = shown(db, VID_A)
    assert "[bold]fully" in out and "autonomous[/bold]" in out


def test_header_and_footer(db) -> None:
    out = shown(db, VID_A)
    lines = out.splitlines()
    assert lines[0] == index_titles(NOTES / "aiweekly" / "aiweekly.md")[VID_A]
    assert lines[1] == f"aiweekly · https://www.youtube.com/watch?v={VID_A}"
    # 3 MM:SS:00 anchors in inference_costs.md, 2 literal ones in agent_markets.md
    assert lines[-1] == "5 claims: 3 reinterpreted, 2 unverified"


def test_untitled_video_shows_note_title_and_unusable_second_last(db) -> None:
    out = shown(db, VID_B)
    lines = out.splitlines()
    assert lines[0] == f"{VID_B} (title unknown; notes: Vector search in practice)"
    rows = [ln for ln in lines if "Approximate search" in ln or "The speaker promised" in ln]
    assert "Approximate search" in rows[0] and "The speaker promised" in rows[1]
    assert rows[1].split()[:2] == ["?", "invalid"]
    assert lines[-1] == "2 claims: 1 unverified, 1 invalid"


def test_layers_and_trends_are_shown(db) -> None:
    with ro(db) as con:
        tagged = con.execute(
            "SELECT text, layers, trends FROM claims WHERE video_id = ? AND len(layers) > 0",
            [VID_A],
        ).fetchall()
    assert tagged, "the tagger labelled none of the fixture claims"
    out = shown(db, VID_A, width=220)
    for text, layers, trends in tagged:
        line = next(ln for ln in out.splitlines() if text[:25] in ln)
        assert ", ".join(layers) in line and ", ".join(trends) in line


def test_watch_urls_are_accepted(db) -> None:
    by_id = shown(db, VID_A)
    assert shown(db, f"https://www.youtube.com/watch?v={VID_A}") == by_id
    assert shown(db, f"https://youtu.be/{VID_A}") == by_id


def test_unknown_and_invalid_video_refs_fail_clearly(db) -> None:
    with pytest.raises(errors.QueryError) as exc:
        shown(db, "AAAAAAAAAAA")
    assert "AAAAAAAAAAA" in str(exc.value) and "videos" in exc.value.hint
    with pytest.raises(errors.YtclaimsError):
        shown(db, "https://www.youtube.com/playlist?list=PL123")


def test_status_is_coloured(db) -> None:
    console = Console(record=True, width=120, force_terminal=True, color_system="standard")
    with ro(db) as con:
        render_video(con, VID_A, console)
    ansi = console.export_text(styles=True)
    assert "\x1b[33mreinterpreted" in ansi  # yellow
    assert "\x1b[1mfully autonomous" not in ansi  # not made bold by its own markup


def test_transcript_claims_are_marked_with_their_score() -> None:
    from ytclaims.research.show import ShownClaim

    said = ShownClaim("c1", "Light takes 8 minutes.", 12, "transcript", [], [], "transcript", 0.934)
    note = ShownClaim("c2", "A note claim.", 3, "unverified", [], [], "note")
    assert said.source_mark == "said 0.93"
    assert note.source_mark == "note"
