"""Citation styles (``ytclaims.cite.cite``) against strings composed by hand.

Fixtures (tests/fixtures/cite/notes) were written for these tests:

* ``aiweekly/aiweekly.md`` — an index page giving video ``ciTe_vid001`` its title, which
  holds LaTeX specials (``%``, ``&``, ``_``) on purpose;
* ``aiweekly/inference_costs.md`` — every anchor written ``MM:SS:00`` (``02:30:00`` ...),
  so by the README's rule (>= 25 % and >= 2 anchors end in ``:00``) they are read as
  minutes:seconds and the citations are ``reinterpreted``;
* ``aiweekly/agent_markets.md`` — a second note on the same video with literal
  ``HH:MM:SS`` anchors (``unverified``: no transcript);
* ``codecasts/vector_search.md`` — a video no index page lists (no title known), with
  one ``N/A`` anchor (``invalid``: no usable second).

Expected strings are built here from the fixture text and the style rules written in
each test (APA 7, MLA 9, Chicago 17 notes-bibliography, biblatex, CSL-JSON 1.0.2); the
only values read back from the warehouse are ids and the resolver's reason text, which
are inputs to a citation, not what is under test.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from helpers import index_titles, read_text, ro

from ytclaims import errors
from ytclaims.research.cite import (
    STYLES,
    CitationRecord,
    cite,
    fetch_record,
    latex_escape,
    markdown,
    render,
)

NOTES = Path(__file__).resolve().parent / "fixtures" / "cite" / "notes"
INDEX = NOTES / "aiweekly" / "aiweekly.md"
COSTS = NOTES / "aiweekly" / "inference_costs.md"
AGENTS = NOTES / "aiweekly" / "agent_markets.md"
VECTOR = NOTES / "codecasts" / "vector_search.md"

VID_A, VID_B = "ciTe_vid001", "ciTe_vid002"
WATCH = "https://www.youtube.com/watch?v="

# Claim openings, one per fixture claim used below.
PRICE = "The price of running"  # inference_costs.md, 02:30:00
MARGINS = "Cheaper inference widens"  # inference_costs.md, 05:10:00
AGENTS_WEB = "Agents that browse"  # agent_markets.md, 00:01:15
SEARCH = "Approximate search trades"  # vector_search.md, 00:04:48
BENCH = "The speaker promised"  # vector_search.md, N/A


# --- reading the fixtures independently ---------------------------------------------------


def written_anchor(note: Path, prefix: str) -> str:
    """The data-t written after the sentence starting with ``prefix``."""
    text = read_text(note)
    m = re.search(re.escape(prefix) + r'.*?data-t="([^"]*)"', text, re.S)
    assert m, f"{prefix!r} not in {note}"
    return m.group(1)


def mmss00_seconds(written: str) -> int:
    """``MM:SS:00`` read as minutes:seconds (the README's reinterpretation)."""
    mm, ss, zero = written.split(":")
    assert zero == "00"
    return int(mm) * 60 + int(ss)


def hms_seconds(written: str) -> int:
    h, m, s = (int(x) for x in written.split(":"))
    return h * 3600 + m * 60 + s


def player_time(seconds: int) -> str:
    """APA/Chicago time stamp as a player shows it: M:SS under an hour."""
    m, s = divmod(seconds, 60)
    return f"{m}:{s:02d}"


def padded(seconds: int) -> str:
    """MLA / CSL locator: HH:MM:SS."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def latex(s: str) -> str:
    """The specials the fixture title uses, escaped as LaTeX requires."""
    return s.replace("%", r"\%").replace("&", r"\&").replace("_", r"\_")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ytclaims.pipeline import ingest

    path = tmp_path_factory.mktemp("cite") / "cite.duckdb"
    report = ingest([NOTES], path, tag=False, workers=1)
    assert report.n_errors == 0
    return path


@pytest.fixture()
def con(db: Path):
    with ro(db) as c:
        yield c


def claim(con, prefix: str) -> tuple[str, str, str | None]:
    """(claim_id, timestamp_status, resolution_reason) of the claim starting with prefix."""
    rows = con.execute(
        "SELECT DISTINCT claim_id, timestamp_status, resolution_reason FROM citations "
        "WHERE starts_with(text, ?)",
        [prefix],
    ).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


@pytest.fixture(scope="module")
def title_a() -> str:
    title = index_titles(INDEX)[VID_A]
    # The Markdown-flavoured styles escape * [ ] \ ; the fixture title has none of them,
    # so it appears verbatim there — and it does carry LaTeX specials for BibTeX.
    assert not set("*[]\\") & set(title) and {"%", "&", "_"} <= set(title)
    return title


# --- preconditions the expectations rely on --------------------------------------------------


def test_fixture_statuses_follow_the_readme_rules(con) -> None:
    assert claim(con, PRICE)[1] == "reinterpreted"
    assert claim(con, MARGINS)[1] == "reinterpreted"
    assert claim(con, AGENTS_WEB)[1] == "unverified"
    assert claim(con, BENCH)[1] == "invalid"


# --- APA 7 --------------------------------------------------------------------------------


def test_apa_reference_and_in_text_with_time_stamp_and_disclosure(con, title_a) -> None:
    cid, status, reason = claim(con, PRICE)
    t = player_time(mmss00_seconds(written_anchor(COSTS, PRICE)))
    expected = (
        f"(aiweekly, n.d., {t}) [timestamp {status}: {reason}]\n"
        "\n"
        "References\n"
        f"aiweekly. (n.d.). *{title_a}* [Video]. YouTube. {WATCH}{VID_A}"
    )
    assert cite(con, [cid], "apa") == expected


def test_apa_untitled_video_is_described_and_no_second_means_no_time(con) -> None:
    """APA 9.21: an untitled work gets a bracketed description; the note title is quoted
    as the note's, never passed off as the video title; no date is invented."""
    bench_id, status, reason = claim(con, BENCH)
    search_id, s_status, s_reason = claim(con, SEARCH)
    t = player_time(hms_seconds(written_anchor(VECTOR, SEARCH)))
    note_title = "Vector search in practice"  # vector_search.md front matter
    assert f"title: {note_title}" in read_text(VECTOR)
    expected = (
        f"(codecasts, n.d.) [timestamp {status}: {reason}]\n"
        f"(codecasts, n.d., {t}) [timestamp {s_status}: {s_reason}]\n"
        "\n"
        "References\n"
        f'codecasts. (n.d.). [Video {VID_B}, title unknown (note: "{note_title}")]. '
        f"YouTube. {WATCH}{VID_B}"
    )
    assert cite(con, [bench_id, search_id], "apa") == expected


def test_apa_same_author_undated_works_get_letters_by_title() -> None:
    """APA 8.19/9.47: two n.d. works by one author are n.d.-a, n.d.-b in title order."""
    beta = _record("c1", "vid_beta_01", "Beta Talk", 61)
    alpha = _record("c2", "vid_alpha01", "Alpha Talk", 3725)
    out = render([beta, alpha], "apa")
    assert out == (
        "(chan, n.d.-b, 1:01) [timestamp unverified: literal reading]\n"
        "(chan, n.d.-a, 1:02:05) [timestamp unverified: literal reading]\n"
        "\n"
        "References\n"
        f"chan. (n.d.-a). *Alpha Talk* [Video]. YouTube. {WATCH}vid_alpha01\n"
        f"chan. (n.d.-b). *Beta Talk* [Video]. YouTube. {WATCH}vid_beta_01"
    )


# --- MLA 9 --------------------------------------------------------------------------------


def test_mla_works_cited_and_in_text_time_stamp(con, title_a) -> None:
    cid, status, reason = claim(con, PRICE)
    t = padded(mmss00_seconds(written_anchor(COSTS, PRICE)))
    expected = (
        f"(aiweekly {t}) [timestamp {status}: {reason}]\n"
        "\n"
        "Works Cited\n"
        f'aiweekly. "{title_a}." *YouTube*, {WATCH}{VID_A}.'
    )
    assert cite(con, [cid], "mla") == expected


def test_mla_access_date_and_several_works_by_one_channel() -> None:
    """MLA 9: access date "Accessed 5 Jan. 2026."; with two works by one author the
    in-text citation adds a short title, and the second entry replaces the name by ---."""
    a = _record("c1", "vid_alpha01", "Alpha Talk: The Long Subtitle", 75)
    b = _record("c2", "vid_beta_01", "Beta Talk", 5)
    out = render([a, b], "mla", accessed=date(2026, 1, 5))
    assert out == (
        '(chan, "Alpha Talk" 00:01:15) [timestamp unverified: literal reading]\n'
        '(chan, "Beta Talk" 00:00:05) [timestamp unverified: literal reading]\n'
        "\n"
        "Works Cited\n"
        f'chan. "Alpha Talk: The Long Subtitle." *YouTube*, {WATCH}vid_alpha01. '
        "Accessed 5 Jan. 2026.\n"
        f'---. "Beta Talk." *YouTube*, {WATCH}vid_beta_01. Accessed 5 Jan. 2026.'
    )


# --- Chicago 17 -------------------------------------------------------------------------------


def test_chicago_full_note_then_short_note_and_bibliography(con, title_a) -> None:
    """First citation of a video: full note with the URL opening the cited second;
    later ones: Author, "Short Title," at M:SS (main title, <= 4 words)."""
    p_id, p_status, p_reason = claim(con, PRICE)
    a_id, a_status, a_reason = claim(con, AGENTS_WEB)
    p_sec = mmss00_seconds(written_anchor(COSTS, PRICE))
    a_sec = hms_seconds(written_anchor(AGENTS, AGENTS_WEB))
    short = title_a.split(":")[0]
    assert len(short.split()) <= 4
    expected = (
        f'1. aiweekly, "{title_a}," YouTube video, at {player_time(p_sec)}, '
        f"{WATCH}{VID_A}&t={p_sec}s. [timestamp {p_status}: {p_reason}]\n"
        f'2. aiweekly, "{short}," at {player_time(a_sec)}. [timestamp {a_status}: {a_reason}]\n'
        "\n"
        "Bibliography\n"
        f'aiweekly. "{title_a}." YouTube video. {WATCH}{VID_A}.'
    )
    assert cite(con, [p_id, a_id], "chicago") == expected


def test_chicago_running_time_and_access_date() -> None:
    rec = _record("c1", "vid_alpha01", "Alpha Talk", 150, duration=760, status="verified")
    out = render([rec], "chicago", accessed=date(2026, 1, 5))
    assert out == (
        '1. chan, "Alpha Talk," YouTube video, 12:40, at 2:30, accessed January 5, 2026, '
        f"{WATCH}vid_alpha01&t=150s.\n"
        "\n"
        "Bibliography\n"
        f'chan. "Alpha Talk." YouTube video, 12:40. Accessed January 5, 2026. {WATCH}vid_alpha01.'
    )


# --- BibTeX -------------------------------------------------------------------------------


def _entries(bib: str) -> list[str]:
    """Split a .bib text into entries by brace matching (independent of ytclaims);
    ``%`` comment lines are dropped first, as biber does."""
    text = "\n".join(line for line in bib.splitlines() if not line.startswith("%"))
    out, i = [], 0
    while (start := text.find("@", i)) != -1:
        depth, j = 0, text.index("{", start)
        while True:
            c = text[j]
            if c == "\\":
                j += 2
                continue
            depth += c == "{"
            depth -= c == "}"
            j += 1
            if depth == 0:
                break
        out.append(text[start:j])
        i = j
    return out


def _fields(entry: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+(\w+) = \{(.*)\},$", entry, re.M))


def test_bibtex_entry_parses_escapes_latex_and_notes_every_moment(con, title_a) -> None:
    ids = [claim(con, p) for p in (PRICE, AGENTS_WEB, MARGINS)]
    secs = [
        mmss00_seconds(written_anchor(COSTS, PRICE)),
        hms_seconds(written_anchor(AGENTS, AGENTS_WEB)),
        mmss00_seconds(written_anchor(COSTS, MARGINS)),
    ]
    bib = cite(con, [i[0] for i in ids], "bibtex")
    entries = _entries(bib)
    assert len(entries) == 1, "one entry per video, not per claim"
    entry = entries[0]
    assert entry.count("{") - entry.count(r"\{") == entry.count("}") - entry.count(r"\}")
    key = f"aiweekly_{VID_A}"
    assert entry.startswith(f"@online{{{key},\n")
    f = _fields(entry)
    assert f["author"] == "{aiweekly}"  # double braces: a channel name, not First Last
    assert f["title"] == latex(title_a)
    assert f["organization"] == "YouTube"
    assert f["url"] == f"{WATCH}{VID_A}"
    assert "year" not in f and "date" not in f  # upload date unknown: never invented
    assert f["note"] == "; ".join(
        f"at {player_time(s)}, timestamp {st}" for s, (_, st, _) in zip(secs, ids, strict=True)
    )
    # per-claim biblatex postnote with the full disclosure, before the entries
    for (cid, st, reason), s in zip(ids, secs, strict=True):
        assert (
            f"% \\autocite[{player_time(s)}]{{{key}}} claim {cid}; timestamp {st}: {reason}" in bib
        )


def test_bibtex_key_is_deterministic_and_latex_escape_is_complete(con) -> None:
    cid = claim(con, PRICE)[0]
    assert cite(con, [cid], "bibtex") == cite(con, [cid], "bibtex")
    assert latex_escape("a\\b{c}$&%#_^~") == (
        r"a\textbackslash{}b\{c\}\$\&\%\#\_\textasciicircum{}\textasciitilde{}"
    )


# --- CSL-JSON -------------------------------------------------------------------------------


def test_csl_json_items_and_timestamp_locators(con, title_a) -> None:
    p_id, p_status, p_reason = claim(con, PRICE)
    b_id, b_status, b_reason = claim(con, BENCH)
    p_sec = mmss00_seconds(written_anchor(COSTS, PRICE))
    items = json.loads(cite(con, [p_id, b_id], "csl-json"))
    assert isinstance(items, list) and [i["id"] for i in items] == [
        f"aiweekly_{VID_A}",
        f"codecasts_{VID_B}",
    ]
    a, b = items
    assert a["type"] == b["type"] == "motion_picture"
    assert a["container-title"] == b["container-title"] == "YouTube"
    assert a["title"] == title_a and a["author"] == [{"literal": "aiweekly"}]
    assert a["URL"] == f"{WATCH}{VID_A}" and "issued" not in a and "accessed" not in a
    assert a["custom"]["citation-items"] == [
        {
            "id": f"aiweekly_{VID_A}",
            "locator": padded(p_sec),
            "label": "timestamp",
            "claim_id": p_id,
            "timestamp_status": p_status,
            "url": f"{WATCH}{VID_A}&t={p_sec}s",
        }
    ]
    assert a["note"] == f"at {padded(p_sec)} [timestamp {p_status}: {p_reason}]"
    # no usable second: no locator, the watch URL, and the disclosure
    (bi,) = b["custom"]["citation-items"]
    assert "locator" not in bi and bi["url"] == f"{WATCH}{VID_B}"
    assert b["note"] == f"no usable time [timestamp {b_status}: {b_reason}]"


# --- url, markdown -------------------------------------------------------------------------------


def test_url_style_one_timestamped_link_per_claim(con) -> None:
    ids = [claim(con, p)[0] for p in (MARGINS, BENCH, AGENTS_WEB)]
    assert cite(con, ids, "url") == "\n".join(
        [
            f"{WATCH}{VID_A}&t={mmss00_seconds(written_anchor(COSTS, MARGINS))}s",
            f"{WATCH}{VID_B}",
            f"{WATCH}{VID_A}&t={hms_seconds(written_anchor(AGENTS, AGENTS_WEB))}s",
        ]
    )


def test_markdown_style_keeps_the_original_format(con, title_a) -> None:
    cid, status, reason = claim(con, PRICE)
    sec = mmss00_seconds(written_anchor(COSTS, PRICE))
    text = con.execute("SELECT text FROM claims WHERE claim_id = ?", [cid]).fetchone()[0]
    expected = (
        f"> {text}\n\n— aiweekly, *{title_a}*, YouTube, at [{player_time(sec)}]"
        f"({WATCH}{VID_A}&t={sec}s).\nTimestamp {status}: {reason}.\nClaim {cid}."
    )
    assert cite(con, [cid], "markdown") == expected == markdown(fetch_record(con, cid))


# --- several claims, disclosure, errors ---------------------------------------------------------


def test_one_bibliography_entry_per_video_and_one_citation_per_claim(con) -> None:
    prefixes = (PRICE, MARGINS, AGENTS_WEB, SEARCH, BENCH)
    ids = [claim(con, p)[0] for p in prefixes]
    ids_with_repeat = [*ids, ids[0]]  # a repeated id is one claim
    heading = {"apa": "References", "mla": "Works Cited", "chicago": "Bibliography"}
    for style, head in heading.items():
        out = cite(con, ids_with_repeat, style)
        cites, refs = out.split(f"\n\n{head}\n")
        assert len(cites.splitlines()) == len(ids), style
        assert len(refs.splitlines()) == 2, style  # two videos
        assert sum(VID_A in r for r in refs.splitlines()) == 1, style
    assert len(_entries(cite(con, ids_with_repeat, "bibtex"))) == 2
    assert len(json.loads(cite(con, ids_with_repeat, "csl-json"))) == 2
    assert len(cite(con, ids_with_repeat, "url").splitlines()) == len(ids)


def test_every_non_verified_citation_is_disclosed(con) -> None:
    for prefix in (PRICE, AGENTS_WEB, BENCH):
        cid, status, reason = claim(con, prefix)
        assert status != "verified"
        for style in ("apa", "mla", "chicago", "bibtex", "csl-json", "markdown"):
            out = cite(con, [cid], style)
            assert f"timestamp {status}" in out.lower(), (style, prefix)
            assert reason in out or json.dumps(reason)[1:-1] in out, (style, prefix)


def test_verified_citation_carries_no_disclosure() -> None:
    rec = _record("c1", "vid_alpha01", "Alpha Talk", 150, status="verified")
    assert render([rec], "apa").splitlines()[0] == "(chan, n.d., 2:30)"
    assert render([rec], "mla").splitlines()[0] == "(chan 00:02:30)"
    assert "[timestamp" not in render([rec], "chicago")
    assert "note" in json.loads(render([rec], "csl-json"))[0]
    assert json.loads(render([rec], "csl-json"))[0]["note"] == "at 00:02:30"


def test_unknown_ids_are_all_named_and_come_with_a_hint(con) -> None:
    known = claim(con, PRICE)[0]
    with pytest.raises(errors.ClaimNotFoundError) as exc:
        cite(con, [known, "nope1", "nope2"], "apa")
    assert "'nope1'" in str(exc.value) and "'nope2'" in str(exc.value)
    assert f"'{known}'" not in str(exc.value)
    assert exc.value.hint and "ytclaims query" in exc.value.hint
    with pytest.raises(errors.ClaimNotFoundError):
        cite(con, [], "apa")


def test_unknown_style_lists_the_styles(con) -> None:
    with pytest.raises(errors.QueryError) as exc:
        cite(con, [claim(con, PRICE)[0]], "harvard")
    assert all(s in exc.value.hint for s in STYLES)


def _record(
    cid: str,
    vid: str,
    title: str | None,
    seconds: int | None,
    *,
    status: str = "unverified",
    duration: int | None = None,
) -> CitationRecord:
    """A hand-made record (for rules the fixture warehouse does not exercise)."""
    return CitationRecord(
        claim_id=cid,
        text="A claim.",
        video_id=vid,
        video_title=title,
        note_title="Some note",
        channel="chan",
        seconds=seconds,
        url=f"{WATCH}{vid}&t={seconds}s" if seconds is not None else None,
        timestamp_status=status,
        resolution_reason=None if status == "verified" else "literal reading",
        other_seconds=[],
        duration_seconds=duration,
    )
