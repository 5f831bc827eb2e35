"""Citations for claims: what a researcher pastes into a paper or a reference manager.

A citation names the video (its title, the channel that published it, its upload date),
"YouTube", the URL, and the cited moment. Titles, channel names and dates come from the
``videos`` view, which takes each from the best source the warehouse has (YouTube's
own answer at fetch time, a yt-dlp ``.info.json``, a metadata CSV, the notes' channel
index pages; README: Video metadata). What no source says is never made up: an
unknown upload date is ``n.d.`` in APA and left out elsewhere (with an access date,
as MLA and Chicago ask for undated online works), and an unknown title is replaced by
a bracketed description that depends on the video alone, not on which claims are
cited, so a reference list is the same whichever claims a paper quotes.

Styles (:data:`STYLES`, :func:`cite`): ``markdown`` (one block per claim, the original
format), ``apa`` (APA 7), ``mla`` (MLA 9), ``chicago`` (Chicago 17 notes and
bibliography), ``bibtex`` (biblatex ``@online``), ``csl-json`` (CSL 1.0.2 items, what
Zotero, pandoc and citeproc read), ``csl-citations`` (one CSL citation object per claim:
the item, and the moment as a ``timestamp`` locator) and ``url``. Citing several claims
gives one in-text citation (or note) per claim, in the order given, and one
bibliography entry per *video*: three claims from one video are three moments of one
work.

Text is data, never markup: APA, MLA and Chicago are plain text by default (``markup=
"text"``: no asterisks, no escapes); ``markup="markdown"`` italicises with ``*...*`` and
backslash-escapes every character Markdown would act on (``<script>`` in a title stays
text), ``markup="html"`` uses ``<i>`` and HTML-escapes the data.

A second that a transcript has not verified is disclosed (:data:`DISCLOSE`): by default
(``note``) with a short marker after the citation (``†1``) and the full reason in a
"Timestamp notes" list after the references; ``inline`` writes the reason in the
citation; ``none`` leaves it out.

The style rules are written in each function's docstring, from the manuals' published
YouTube examples; tests check the output with real clients (citeproc-py with the APA
and Chicago CSL styles, pybtex, the CSL data schema).
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import duckdb

from ytclaims import errors
from ytclaims.timestamps.parse import format_hms

#: Metadata origins whose channel name is a real display name (not a folder slug).
_NAMED = frozenset({"youtube", "yt-dlp", "csv"})


@dataclass(slots=True)
class CitationRecord:
    """Everything a citation style needs about one claim."""

    claim_id: str
    text: str
    video_id: str
    video_title: str | None
    #: The note title that describes an untitled video: the first (alphabetically) of
    #: all the video's notes in the warehouse, so it does not depend on what is cited.
    note_title: str | None
    #: The author as a style prints it: the channel's name, else its @handle, else the
    #: channel key of the notes.
    channel: str | None
    seconds: int | None
    url: str | None
    timestamp_status: str
    resolution_reason: str | None
    other_seconds: list[int]
    #: Video length in seconds, when known (Chicago cites the running time).
    duration_seconds: int | None = None
    upload_date: date | None = None
    #: When the video's data was read (fetch date, else first load): the access date of
    #: undated works.
    accessed_date: date | None = None


def fetch_record(con: duckdb.DuckDBPyConnection, claim_id: str) -> CitationRecord:
    """Read one claim, its anchors and its video; the first anchor with a usable second
    is cited."""
    rows = con.execute(
        """
        WITH v AS (SELECT * FROM videos WHERE video_id =
                   (SELECT any_value(video_id) FROM claims WHERE claim_id = $id))
        SELECT c.claim_id, c.text, c.video_id, v.title,
               (SELECT min(note_title) FROM sources s
                 WHERE s.video_id = c.video_id AND s.source_kind = 'note') AS note_title,
               v.channel_name, v.channel_name_source, v.channel_handle, c.channel,
               c.seconds, c.url, c.timestamp_status, c.resolution_reason,
               v.duration_seconds, v.upload_date, v.accessed_date
        FROM citations c LEFT JOIN v USING (video_id)
        WHERE c.claim_id = $id
        ORDER BY c.seconds IS NULL, c.anchor_ordinal
        """,
        {"id": claim_id},
    ).fetchall()
    if not rows:
        raise errors.ClaimNotFoundError(f"No claim '{claim_id}'.")
    first = rows[0]
    (cid, text, vid, title, note_title, name, name_source, handle, note_channel) = first[:9]
    seconds, url, status, reason, duration, uploaded, accessed = first[9:]
    author = name if name and name_source in _NAMED else handle or name or note_channel
    others = sorted({int(r[9]) for r in rows[1:] if r[9] is not None and r[9] != seconds})
    return CitationRecord(
        claim_id=cid,
        text=text,
        video_id=vid,
        video_title=title,
        note_title=note_title,
        channel=author,
        seconds=seconds,
        url=url,
        timestamp_status=status,
        resolution_reason=reason,
        other_seconds=others,
        duration_seconds=int(duration) if duration is not None else None,
        upload_date=uploaded,
        accessed_date=accessed,
    )


# --- markup: text is data --------------------------------------------------------------------

#: Characters Markdown acts on anywhere in a line (emphasis, code, links, raw HTML,
#: entities, GitHub's strike-through and table cells).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&~|])")
#: What makes a line a heading, list item, quote or rule when it starts one.
_MD_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")


def _escape_md(s: str) -> str:
    """Backslash-escape what Markdown would act on (CommonMark lets any ASCII
    punctuation be escaped), so data can neither format nor inject HTML: ``<script>``
    stays text, ``Brainf**k`` keeps its asterisks, a title starting ``# `` is no
    heading."""
    out = _MD_INLINE.sub(r"\\\1", s)
    m = _MD_LINE_START.match(out)
    if m:
        lead, mark = m.group(1), m.group(2)
        if mark[0].isdigit():  # "2024. A year" -> "2024\. A year"
            out = f"{lead}{mark}\\{out[m.end() :]}"
        else:
            out = f"{lead}\\{mark}{out[m.end() :]}"
    return out


@dataclass(frozen=True, slots=True)
class Markup:
    """How a style writes italics and data: ``text``, ``markdown`` or ``html``."""

    name: str

    def esc(self, s: str) -> str:
        if self.name == "markdown":
            return _escape_md(s)
        if self.name == "html":
            return html.escape(s, quote=True)
        return s

    def italic(self, s: str) -> str:
        """Italicise already-escaped text."""
        if self.name == "markdown":
            return f"*{s}*"
        if self.name == "html":
            return f"<i>{s}</i>"
        return s

    def url(self, u: str) -> str:
        """URLs are built here from a validated id: never escaped for Markdown (a ``\\_``
        would break them), HTML-escaped (``&t=``) for HTML."""
        return html.escape(u, quote=True) if self.name == "html" else u


MARKUPS: tuple[str, ...] = ("text", "markdown", "html")
#: How an unverified second is disclosed (module docstring).
DISCLOSE: tuple[str, ...] = ("note", "inline", "none")


# --- several claims, several styles ---------------------------------------------------

#: Every style :func:`cite` knows, in the order the CLI should offer them.
STYLES: tuple[str, ...] = (
    "markdown",
    "apa",
    "mla",
    "chicago",
    "bibtex",
    "csl-json",
    "csl-citations",
    "url",
)

_WATCH = "https://www.youtube.com/watch?v="
_MLA_MONTHS = tuple("Jan. Feb. Mar. Apr. May June July Aug. Sept. Oct. Nov. Dec.".split())
_FULL_MONTHS = tuple(
    "January February March April May June July August September October November December".split()
)
#: Where a main title ends and its subtitle begins (short titles keep the main title).
_SUBTITLE_RE = re.compile(r"\s*(?::|\s[-\u2013\u2014|]\s)")
_ARTICLE_RE = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)
_LEADING_PUNCT_RE = re.compile(r"^[\W_]+")
#: LaTeX's special characters, each replaced in one pass (so inserted braces stay).
_LATEX = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "$": r"\$",
        "&": r"\&",
        "%": r"\%",
        "#": r"\#",
        "_": r"\_",
        "^": r"\textasciicircum{}",
        "~": r"\textasciitilde{}",
    }
)


@dataclass(slots=True)
class VideoEntry:
    """One bibliography entry: a video and the cited claims from it, in citation order."""

    video_id: str
    channel: str | None
    video_title: str | None
    note_title: str | None
    duration_seconds: int | None
    upload_date: date | None = None
    accessed_date: date | None = None
    records: list[CitationRecord] = field(default_factory=list)

    @property
    def watch_url(self) -> str:
        """The video's own URL: a bibliography names the work, not one moment of it."""
        return _WATCH + self.video_id

    @property
    def key(self) -> str:
        """BibTeX/CSL key from channel and video id: the same on every run and machine."""
        return citation_key(self.channel, self.video_id)

    def access(self, accessed: date | None) -> date | None:
        """The access date to print, if any: the caller's, else for an undated work the
        date its data was read (MLA 9 and Chicago 17 ask for one when there is no
        publication date)."""
        if accessed is not None:
            return accessed
        return self.accessed_date if self.upload_date is None else None


def citation_key(channel: str | None, video_id: str) -> str:
    """``<channel folded to lowercase ASCII letters and digits>_<video id>``.

    Video ids are already key-safe (``[A-Za-z0-9_-]``) and unique; the channel prefix only
    makes keys readable. A channel with no ASCII letters or digits becomes ``youtube``.
    """
    folded = unicodedata.normalize("NFKD", channel or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "", folded).lower() or "youtube"
    return f"{slug}_{video_id}"


def fetch_records(con: duckdb.DuckDBPyConnection, claim_ids: list[str]) -> list[CitationRecord]:
    """The records of ``claim_ids`` in the given order, each id once.

    All unknown ids are reported together (one error, every id named), so a user
    pasting a list of ids fixes it in one go.
    """
    wanted = list(dict.fromkeys(claim_ids))
    if not wanted:
        raise errors.ClaimNotFoundError("No claim id given.")
    records: list[CitationRecord] = []
    missing: list[str] = []
    for cid in wanted:
        try:
            records.append(fetch_record(con, cid))
        except errors.ClaimNotFoundError:
            missing.append(cid)
    if missing:
        named = ", ".join(f"'{m}'" for m in missing)
        raise errors.ClaimNotFoundError(f"No claim {named}.")
    return records


def group_by_video(records: list[CitationRecord]) -> list[VideoEntry]:
    """One entry per video, in order of first citation. Everything an entry shows comes
    from the video (every record of it carries the same values), never from which of
    its claims happen to be cited."""
    entries: dict[str, VideoEntry] = {}
    for rec in records:
        e = entries.get(rec.video_id)
        if e is None:
            e = entries[rec.video_id] = VideoEntry(
                rec.video_id,
                rec.channel,
                rec.video_title,
                rec.note_title,
                rec.duration_seconds,
                rec.upload_date,
                rec.accessed_date,
            )
        e.records.append(rec)
    return list(entries.values())


# --- disclosure --------------------------------------------------------------------------


def disclosure(rec: CitationRecord) -> str:
    """``[timestamp <status>: <reason>]`` for any citation whose second is not verified.

    Empty for ``verified``: only a transcript check earns silence.
    """
    if rec.timestamp_status == "verified":
        return ""
    why = f": {rec.resolution_reason}" if rec.resolution_reason else ""
    if rec.timestamp_status == "suspect":
        return f"[WARNING: timestamp suspect, check it before citing{why}]"
    return f"[timestamp {rec.timestamp_status}{why}]"


class _Disclosures:
    """Collects the disclosures of one rendering: inline text, or markers and notes."""

    def __init__(self, mode: str, markup: Markup) -> None:
        self.mode = mode
        self.m = markup
        self.notes: list[str] = []

    def mark(self, citation: str, rec: CitationRecord) -> str:
        d = disclosure(rec)
        # A suspect second is always flagged, even with --disclose none: citing it unread
        # is the mistake this warning exists to prevent.
        if not d or (self.mode == "none" and rec.timestamp_status != "suspect"):
            return citation
        if self.mode == "inline":
            return f"{citation} {self.m.esc(d)}"
        n = len(self.notes) + 1
        when = f" at {format_hms(rec.seconds)}" if rec.seconds is not None else ""
        self.notes.append(f"\u2020{n} Claim {rec.claim_id}{when}: " + self.m.esc(d[1:-1]) + ".")
        return f"{citation}\u2020{n}"

    def section(self) -> list[str]:
        return ["", "Timestamp notes", *self.notes] if self.notes else []


def _description(e: VideoEntry) -> str:
    """Stands in for a missing title, as the styles prescribe for untitled works.

    Never a guessed title: it names the video id, says the title is unknown, and quotes
    the video's first note title (the same whatever claims are cited).
    """
    note = f' (note: "{e.note_title}")' if e.note_title else ""
    return f"Video {e.video_id}, title unknown{note}"


def _short_title(title: str) -> str:
    """The main title (before a colon or dash subtitle), at most four words.

    Chicago 17 shortens titles of more than four words for short notes; MLA 9
    uses the same kind of short title to tell works by one author apart in the text.
    """
    main = _SUBTITLE_RE.split(title, maxsplit=1)[0].strip() or title
    words = main.split()
    if len(words) <= 4:
        return main
    short = words[:4]
    # A short title does not end on a function word or a dangling mark ("Power &").
    while len(short) > 1 and (
        short[-1].casefold().strip(",;") in _FUNCTION_WORDS
        or not any(c.isalnum() for c in short[-1])
    ):
        short.pop()
    return " ".join(short).rstrip(",;")


#: Words a shortened title does not end on.
_FUNCTION_WORDS = frozenset(
    "a an and the of in on for to with or at by from as vs vs. is are".split()
)


def _sort_text(text: str) -> str:
    """Alphabetising key: leading punctuation (quotes, brackets, ``@``) and a leading
    article (A, An, The) are ignored, as all three manuals do; accents fold."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = _LEADING_PUNCT_RE.sub("", folded)
    return _LEADING_PUNCT_RE.sub("", _ARTICLE_RE.sub("", folded)).casefold()


def _ends_with_mark(s: str) -> bool:
    """Does the text end with . ? or !, possibly inside closing quotes (``'Why Now?'``)?"""
    return s.rstrip("'\"’”)").endswith((".", "?", "!"))


def _end(s: str, punct: str = ".") -> str:
    """Add closing punctuation unless the text already ends with a mark of its own."""
    return s if _ends_with_mark(s) else s + punct


_DOUBLE_QUOTED_RE = re.compile(r'"([^"]*)"')


def _inner_quotes(title: str) -> str:
    """Double quotes inside a title that is itself put in double quotes become single
    quotes (US style, MLA and Chicago): ``"The "AI" Bubble"`` -> ``"The 'AI' Bubble"``."""
    out = _DOUBLE_QUOTED_RE.sub(r"'\1'", title)
    out = out.replace("\u201c", "\u2018").replace("\u201d", "\u2019")
    return out.replace('"', "'")


def _quoted(title: str, punct: str, m: Markup) -> str:
    """``"Title,"`` with the punctuation inside the quotes, US-style; a title ending in
    ``?`` or ``!`` takes no extra mark; quotes inside the title become single ones."""
    inner = _inner_quotes(title)
    if title.rstrip("'\"’”)").endswith(("?", "!")):
        return f'"{m.esc(inner)}"'
    if punct and inner.endswith(("'", "’")):
        # US style puts the period or comma inside both quotes: "Beta 'Talk.'"
        return f'"{m.esc(inner[:-1] + punct + inner[-1])}"'
    return f'"{m.esc(inner)}{punct}"'


# --- APA 7 ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ApaDate:
    """An APA date label (``2024a``, ``n.d.-b``) and the entry's place among its author's."""

    label: str
    reference: str  # "(2024a, March 5)" without the parentheses
    order: tuple[int, int, int]


def _letters(i: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: date suffixes never run out."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def _apa_title_text(e: VideoEntry) -> str:
    return e.video_title or _description(e)


def _apa_author_key(e: VideoEntry) -> str:
    return _sort_text(e.channel or _apa_title_text(e))


def _apa_dates(entries: list[VideoEntry]) -> dict[str, _ApaDate]:
    """Each video's APA date, with letters when one author has several works of one year
    (or several undated ones), given in the order of their titles (APA 7: ``2024a``,
    ``2024b``; ``n.d.-a``, ``n.d.-b``; after ``z`` comes ``aa``).

    ``order`` sorts an author's works as APA does: undated first, then by year, then by
    letter (numerically: ``n.d.-aa`` after ``n.d.-z``).
    """
    groups: dict[tuple[str, int | None], list[VideoEntry]] = {}
    for e in entries:
        year = e.upload_date.year if e.upload_date else None
        groups.setdefault((_apa_author_key(e), year), []).append(e)
    out: dict[str, _ApaDate] = {}
    for (_, year), group in groups.items():
        ordered = sorted(group, key=lambda e: (_sort_text(_apa_title_text(e)), e.video_id))
        for i, e in enumerate(ordered):
            suffix = "" if len(group) == 1 else _letters(i)
            if year is None:
                label = "n.d." + (f"-{suffix}" if suffix else "")
                ref = label
            else:
                label = f"{year}{suffix}"
                d = e.upload_date
                assert d is not None
                ref = f"{label}, {_FULL_MONTHS[d.month - 1]} {d.day}"
            out[e.video_id] = _ApaDate(label, ref, (0 if year is None else 1, year or 0, i))
    return out


def _apa_title(e: VideoEntry, m: Markup) -> str:
    """``*Title* [Video]``; an untitled work gets a bracketed description instead (APA)."""
    if e.video_title:
        return f"{m.italic(m.esc(e.video_title))} [Video]"
    return f"[{m.esc(_description(e))}]"


def apa_reference(e: VideoEntry, d: str = "n.d.", m: Markup | None = None) -> str:
    """APA 7, YouTube video: ``Channel. (2024, March 5). *Title* [Video]. YouTube. URL``.

    The uploader (channel) is the author; the date is the upload date, ``(n.d.)`` when
    unknown; no period after the URL; no retrieval date (APA 7 gives one only for works
    designed to change). Without a channel the title moves to the author position.
    """
    m = m or Markup("text")
    if e.channel:
        return f"{_end(m.esc(e.channel))} ({d}). {_apa_title(e, m)}. YouTube. {m.url(e.watch_url)}"
    return f"{_apa_title(e, m)}. ({d}). YouTube. {m.url(e.watch_url)}"


def apa_in_text(
    rec: CitationRecord, e: VideoEntry, d: str = "n.d.", m: Markup | None = None
) -> str:
    """APA 7 parenthetical citation with a time stamp: ``(Channel, 2024, 2:30)``.

    The time is written as the player shows it (``M:SS``, ``H:MM:SS``); without a channel
    the italic title stands in for the author.
    """
    m = m or Markup("text")
    who = (
        m.esc(e.channel)
        if e.channel
        else (m.italic(m.esc(e.video_title)) if e.video_title else f"[{m.esc(_description(e))}]")
    )
    when = f", {format_hms(rec.seconds)}" if rec.seconds is not None else ""
    return f"({who}, {d}{when})"


def _apa(records: list[CitationRecord], ctx: _Context) -> str:
    """In-text citations, then the reference list (by author; an author's works undated
    first, then by year and letter)."""
    entries = group_by_video(records)
    dates = _apa_dates(entries)
    by_id = {e.video_id: e for e in entries}
    in_text = [
        ctx.disclose.mark(apa_in_text(r, by_id[r.video_id], dates[r.video_id].label, ctx.markup), r)
        for r in records
    ]
    refs = sorted(entries, key=lambda e: (_apa_author_key(e), dates[e.video_id].order))
    return "\n".join(
        [
            *in_text,
            "",
            "References",
            *(apa_reference(e, dates[e.video_id].reference, ctx.markup) for e in refs),
            *ctx.disclose.section(),
        ]
    )


# --- MLA 9 ---------------------------------------------------------------------------------


def _mla_date(d: date) -> str:
    """MLA 9 writes dates day-month-year with abbreviated months: ``5 Jan. 2026``."""
    return f"{d.day} {_MLA_MONTHS[d.month - 1]} {d.year}"


def mla_works_cited(
    e: VideoEntry, accessed: date | None = None, *, repeat: bool = False, m: Markup | None = None
) -> str:
    """MLA 9: ``Channel. "Title." *YouTube*, 5 Mar. 2024, URL.`` (+ ``Accessed 5 Jan. 2026.``).

    The channel is the author element (the uploader is the creator as far as we know, so
    no separate "uploaded by"); the title is in quotes (a video is part of a larger
    whole), the container *YouTube* is italic, then the upload date when known and the
    URL. An access date follows when given or when the upload date is unknown (MLA
    recommends one for undated online works). A second work by the same author
    replaces the name with three hyphens (``---.``).
    """
    m = m or Markup("text")
    title = _quoted(e.video_title, ".", m) if e.video_title else _end(m.esc(_description(e)))
    if e.channel:
        author = "---." if repeat else _end(m.esc(e.channel))
        head = f"{author} {title}"
    else:
        head = title
    when = f" {_mla_date(e.upload_date)}," if e.upload_date else ""
    out = f"{head} {m.italic('YouTube')},{when} {m.url(e.watch_url)}."
    acc = e.access(accessed)
    if acc is not None:
        out += f" Accessed {_mla_date(acc)}."
    return out


def mla_in_text(
    rec: CitationRecord, e: VideoEntry, *, with_title: bool = False, m: Markup | None = None
) -> str:
    """MLA 9 in-text citation: ``(Channel 00:02:30)``, the time as ``HH:MM:SS``.

    The first element of the works-cited entry leads (the channel, else the short
    title); when several works by the channel are cited, a short title follows the name
    after a comma so the reader can tell them apart.
    """
    m = m or Markup("text")
    short = (
        _quoted(_short_title(e.video_title), "", m)
        if e.video_title
        else m.esc(f"Video {e.video_id}")
    )
    who = short
    if e.channel:
        who = f"{m.esc(e.channel)}, {short}" if with_title else m.esc(e.channel)
    when = f" {format_hms(rec.seconds, 'hh:mm:ss')}" if rec.seconds is not None else ""
    return f"({who}{when})"


def _list_sort_key(e: VideoEntry) -> tuple[str, str]:
    title = e.video_title or _description(e)
    return (_sort_text(e.channel or "") or _sort_text(title), _sort_text(title))


def _in_list_order(
    entries: list[VideoEntry], render: Callable[[VideoEntry, bool], str]
) -> list[str]:
    """Entries alphabetised by author, then title (MLA Works Cited, Chicago bibliography),
    each rendered with ``repeat`` = same channel as the entry before (the 3-em dash)."""
    out: list[str] = []
    previous: str | None = None
    for e in sorted(entries, key=_list_sort_key):
        out.append(render(e, e.channel is not None and e.channel == previous))
        previous = e.channel
    return out


def _mla(records: list[CitationRecord], ctx: _Context) -> str:
    """In-text citations, then Works Cited alphabetised by author, then title."""
    entries = group_by_video(records)
    works_by = Counter(e.channel for e in entries if e.channel)
    by_id = {e.video_id: e for e in entries}
    in_text = []
    for r in records:
        e = by_id[r.video_id]
        cite = mla_in_text(r, e, with_title=works_by[e.channel] > 1, m=ctx.markup)
        in_text.append(ctx.disclose.mark(cite, r))
    cited = _in_list_order(
        entries,
        lambda e, repeat: mla_works_cited(e, ctx.accessed, repeat=repeat, m=ctx.markup),
    )
    return "\n".join([*in_text, "", "Works Cited", *cited, *ctx.disclose.section()])


# --- Chicago 17, notes and bibliography ------------------------------------------------------


def _chicago_date(d: date) -> str:
    return f"{_FULL_MONTHS[d.month - 1]} {d.day}, {d.year}"


def chicago_note(
    n: int,
    rec: CitationRecord,
    e: VideoEntry,
    *,
    short: bool,
    accessed: date | None = None,
    m: Markup | None = None,
) -> str:
    """A numbered Chicago 17 footnote (online video; shortened notes for later citations).

    Full (first citation of the video): ``1. Channel, "Title," YouTube video, 12:40,
    March 5, 2024, at 2:30, <URL opening the video at that second>.`` The running time
    and the upload date follow "YouTube video" when known; the cited moment is written
    ``at M:SS`` so it cannot be mistaken for the running time; an undated video gets an
    access date instead. Later citations of the same video are short notes:
    ``2. Channel, "Short Title," at 5:10.``
    """
    m = m or Markup("text")
    at = f"at {format_hms(rec.seconds)}" if rec.seconds is not None else ""
    who = f"{m.esc(e.channel)}, " if e.channel else ""
    if short:
        punct = "," if at else "."
        if e.video_title:
            title = _quoted(_short_title(e.video_title), punct, m)
        else:
            title = m.esc(f"Video {e.video_id}") + punct
        return f"{n}. {who}{title} {at}." if at else f"{n}. {who}{title}"
    title = _quoted(e.video_title, ",", m) if e.video_title else m.esc(_description(e)) + ","
    parts = ["YouTube video"]
    if e.duration_seconds is not None:
        parts.append(format_hms(e.duration_seconds))
    if e.upload_date is not None:
        parts.append(_chicago_date(e.upload_date))
    if at:
        parts.append(at)
    acc = e.access(accessed)
    if acc is not None:
        parts.append(f"accessed {_chicago_date(acc)}")
    url = rec.url if rec.seconds is not None and rec.url else e.watch_url
    parts.append(m.url(url))
    return f"{n}. {who}{title} {', '.join(parts)}."


def chicago_bibliography(
    e: VideoEntry, accessed: date | None = None, *, repeat: bool = False, m: Markup | None = None
) -> str:
    """Chicago 17 bibliography entry: ``Channel. "Title." YouTube video, 12:40. March 5,
    2024. URL.``

    Running time after "YouTube video" and the upload date when known; ``Accessed Month
    Day, Year.`` before the URL when given or when the upload date is unknown; a
    repeated author is replaced by a 3-em dash (``———.``).
    """
    m = m or Markup("text")
    title = _quoted(e.video_title, ".", m) if e.video_title else _end(m.esc(_description(e)))
    head = title
    if e.channel:
        head = ("\u2014\u2014\u2014." if repeat else _end(m.esc(e.channel))) + f" {title}"
    medium = "YouTube video"
    if e.duration_seconds is not None:
        medium += f", {format_hms(e.duration_seconds)}"
    dated = f" {_chicago_date(e.upload_date)}." if e.upload_date else ""
    acc = e.access(accessed)
    acc_text = f" Accessed {_chicago_date(acc)}." if acc is not None else ""
    return f"{head} {medium}.{dated}{acc_text} {m.url(e.watch_url)}."


def _chicago(records: list[CitationRecord], ctx: _Context) -> str:
    """Numbered notes in citation order (full, then short per video), then the
    bibliography alphabetised by author, then title."""
    entries = group_by_video(records)
    by_id = {e.video_id: e for e in entries}
    seen: set[str] = set()
    notes: list[str] = []
    for n, r in enumerate(records, start=1):
        note = chicago_note(
            n, r, by_id[r.video_id], short=r.video_id in seen, accessed=ctx.accessed, m=ctx.markup
        )
        notes.append(ctx.disclose.mark(note, r))
        seen.add(r.video_id)
    bib = _in_list_order(
        entries,
        lambda e, repeat: chicago_bibliography(e, ctx.accessed, repeat=repeat, m=ctx.markup),
    )
    return "\n".join([*notes, "", "Bibliography", *bib, *ctx.disclose.section()])


# --- BibTeX (biblatex @online) ----------------------------------------------------------------


def latex_escape(s: str) -> str:
    """Escape LaTeX's special characters so a title like ``90% & more`` compiles."""
    return s.translate(_LATEX)


def _bib_comment(s: str) -> str:
    """Text outside entries is ignored by BibTeX and biber, but an ``@`` would open an
    entry: keep comments on one line and without ``@``."""
    return " ".join(s.replace("@", "(at)").split())


def _bib_moment(rec: CitationRecord) -> str:
    when = f"at {format_hms(rec.seconds)}" if rec.seconds is not None else "no usable time"
    return f"{when}, timestamp {rec.timestamp_status}"


def bibtex_entry(e: VideoEntry, accessed: date | None = None, *, moments: bool = False) -> str:
    """A biblatex ``@online`` entry for the video.

    ``author`` and ``title`` are double-braced: a channel name is taken literally (not
    split into first/last names) and a title keeps its capitals (a style that
    sentence-cases titles would otherwise lowercase ``GPU``, ``OpenAI`` and video ids);
    ``date`` is the upload date (ISO 8601) when known; ``urldate`` the access date when
    given or when the upload date is unknown; ``organization = {YouTube}``; ``url`` the
    watch URL (biblatex reads it verbatim, so it is not escaped). The cited moment is a
    citation's business (``\\autocite[2:30]{key}``, in the comment lines before the
    entries); with ``moments`` (``--disclose inline``) the entry's ``note`` also lists
    every cited moment with its timestamp status.
    """
    fields = []
    if e.channel:
        fields.append(("author", "{" + latex_escape(e.channel) + "}"))
    fields.append(("title", "{" + latex_escape(e.video_title or _description(e)) + "}"))
    if e.upload_date is not None:
        fields.append(("date", e.upload_date.isoformat()))
    fields.append(("organization", "YouTube"))
    fields.append(("url", e.watch_url))
    acc = e.access(accessed)
    if acc is not None:
        fields.append(("urldate", acc.isoformat()))
    if moments:
        fields.append(("note", latex_escape("; ".join(_bib_moment(r) for r in e.records))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@online{{{e.key},\n{body},\n}}"


def bibtex_cite_comment(rec: CitationRecord, e: VideoEntry, disclose: str = "note") -> str:
    """``% \\autocite[2:30]{key} claim <id>[; timestamp <status>: <reason>]``: how to cite the
    claim's moment, with the disclosure (left out with ``disclose="none"``)."""
    post = f"[{format_hms(rec.seconds)}]" if rec.seconds is not None else ""
    d = disclosure(rec) if disclose != "none" else ""
    tail = f"; {d[1:-1]}" if d else ""
    return "% " + _bib_comment(f"\\autocite{post}{{{e.key}}} claim {rec.claim_id}{tail}")


def _bibtex(records: list[CitationRecord], ctx: _Context) -> str:
    """``% \\autocite`` comment lines (one per claim), then one entry per video."""
    entries = group_by_video(records)
    by_id = {e.video_id: e for e in entries}
    comments = [bibtex_cite_comment(r, by_id[r.video_id], ctx.disclose.mode) for r in records]
    moments = ctx.disclose.mode == "inline"
    return (
        "\n".join(comments)
        + "\n\n"
        + "\n\n".join(bibtex_entry(e, ctx.accessed, moments=moments) for e in entries)
    )


# --- CSL-JSON ---------------------------------------------------------------------------------


def _date_parts(d: date) -> dict[str, object]:
    return {"date-parts": [[d.year, d.month, d.day]]}


def csl_item(
    e: VideoEntry, accessed: date | None = None, *, disclose: str = "note"
) -> dict[str, object]:
    """A CSL-JSON item (CSL 1.0.2 data schema) for the video.

    ``type: "motion_picture"`` (CSL has no video type; Zotero's "Video Recording" maps to
    it), ``author: [{"literal": channel}]`` (a channel is not a family/given name),
    ``publisher: "YouTube"`` (where APA's CSL style expects the platform: it prints
    ``[Video]. YouTube.``), ``genre: "Video"``, ``URL`` the watch URL, ``issued`` the
    upload date when known, ``accessed`` (given, else the date the video's data was
    read) when it is not, ``dimensions`` the running time when known. The cited moments
    are citations' business (style ``csl-citations``); the item's ``note`` lists them
    with their disclosures, unless ``disclose="none"``.
    """
    item: dict[str, object] = {
        "id": e.key,
        "type": "motion_picture",
        "title": e.video_title or _description(e),
    }
    if e.channel:
        item["author"] = [{"literal": e.channel}]
    item["publisher"] = "YouTube"
    item["genre"] = "Video"
    item["URL"] = e.watch_url
    if e.upload_date is not None:
        item["issued"] = _date_parts(e.upload_date)
    acc = e.access(accessed)
    if acc is not None:
        item["accessed"] = _date_parts(acc)
    if e.duration_seconds is not None:
        item["dimensions"] = format_hms(e.duration_seconds)
    if disclose != "none":
        notes = []
        for r in e.records:
            when = f"at {format_hms(r.seconds)}" if r.seconds is not None else "no usable time"
            d = disclosure(r)
            notes.append(f"{when} {d}" if d else when)
        item["note"] = "; ".join(notes)
    return item


def _csl_json(records: list[CitationRecord], ctx: _Context) -> str:
    items = [csl_item(e, ctx.accessed, disclose=ctx.disclose.mode) for e in group_by_video(records)]
    return json.dumps(items, ensure_ascii=False, indent=2)


def csl_citations(
    records: list[CitationRecord], accessed: date | None = None, *, disclose: str = "note"
) -> list[dict[str, object]]:
    """One CSL citation object per claim, in order, as citation processors take them
    (citeproc-js ``processCitationCluster``, citeproc-py ``Citation``, the
    ``csl-citation.json`` embedding of word-processor plugins)::

        {"citationID": "<claim id>",
         "citationItems": [{"id": "<item id>", "itemData": {...CSL item...},
                            "locator": "2:30", "label": "timestamp"}],
         "properties": {"noteIndex": 0}}

    ``locator`` is the cited second as the player shows it, with CSL 1.0.2's
    ``timestamp`` label (absent when no second is usable). A second that is not
    verified gets a ``suffix``: ``[timestamp <status>]`` (the reason is in the item's
    ``note``), or the whole reason with ``disclose="inline"``, nothing with ``none``.
    """
    entries = group_by_video(records)
    items = {e.video_id: csl_item(e, accessed, disclose=disclose) for e in entries}
    out: list[dict[str, object]] = []
    for r in records:
        item = items[r.video_id]
        ci: dict[str, object] = {"id": item["id"], "itemData": item}
        if r.seconds is not None:
            ci["locator"] = format_hms(r.seconds)
            ci["label"] = "timestamp"
        d = disclosure(r)
        if d and disclose == "inline":
            ci["suffix"] = f" {d}"
        elif d and disclose == "note":
            ci["suffix"] = f" [timestamp {r.timestamp_status}]"
        out.append(
            {"citationID": r.claim_id, "citationItems": [ci], "properties": {"noteIndex": 0}}
        )
    return out


def _csl_citations(records: list[CitationRecord], ctx: _Context) -> str:
    return json.dumps(
        csl_citations(records, ctx.accessed, disclose=ctx.disclose.mode),
        ensure_ascii=False,
        indent=2,
    )


# --- Markdown (one block per claim) -----------------------------------------------------------


def markdown(rec: CitationRecord, disclose: str = "note") -> str:
    """A Markdown citation: quoted claim, video, channel, and a timestamped link.

    Every piece of data is escaped (claim text from notes included), so nothing in it
    can format the block or reach a renderer as HTML.
    """
    m = Markup("markdown")
    if rec.video_title:
        title = m.italic(m.esc(rec.video_title))
    elif rec.note_title:
        title = f"video {m.esc(rec.video_id)} (note: {m.italic(m.esc(rec.note_title))})"
    else:
        title = f"video {m.esc(rec.video_id)}"
    channel = f"{m.esc(rec.channel)}, " if rec.channel else ""
    dated = f", {_chicago_date(rec.upload_date)}" if rec.upload_date else ""
    if rec.seconds is not None and rec.url:
        moment = f"at [{format_hms(rec.seconds)}]({rec.url})"
    else:
        moment = f"(no usable timestamp: {_WATCH}{rec.video_id})"
    lines = [f"> {m.esc(rec.text)}", "", f"— {channel}{title}, YouTube{dated}, {moment}."]
    if rec.timestamp_status == "suspect":
        why = f": {m.esc(rec.resolution_reason)}" if rec.resolution_reason else ""
        lines.append(f"WARNING: timestamp suspect, check it before citing{why}.")
    elif rec.timestamp_status != "verified" and disclose != "none":
        why = f": {m.esc(rec.resolution_reason)}" if rec.resolution_reason else ""
        lines.append(f"Timestamp {rec.timestamp_status}{why}.")
    if rec.other_seconds:
        lines.append(
            "Also anchored at " + ", ".join(format_hms(s) for s in rec.other_seconds) + "."
        )
    lines.append(f"Claim {rec.claim_id}.")
    return "\n".join(lines)


# --- entry point ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Context:
    """One rendering's options and its disclosure notes."""

    accessed: date | None
    markup: Markup
    disclose: _Disclosures


def _url(records: list[CitationRecord]) -> str:
    """One URL per claim: the timestamped link, or the watch URL when no second is usable.

    Deliberately bare (scripts open or paste it); the trust disclosure is the other
    styles' job.
    """
    return "\n".join(
        r.url if r.seconds is not None and r.url else _WATCH + r.video_id for r in records
    )


def _check_options(style: str, disclose: str, markup: str) -> None:
    if style not in STYLES:
        raise errors.QueryError(
            f"Unknown citation style '{style}'.", hint="Use one of: " + ", ".join(STYLES) + "."
        )
    if disclose not in DISCLOSE:
        raise errors.QueryError(
            f"Unknown disclosure '{disclose}'.", hint="Use one of: " + ", ".join(DISCLOSE) + "."
        )
    if markup not in MARKUPS:
        raise errors.QueryError(
            f"Unknown markup '{markup}'.", hint="Use one of: " + ", ".join(MARKUPS) + "."
        )


def render(
    records: list[CitationRecord],
    style: str,
    *,
    accessed: date | None = None,
    disclose: str = "note",
    markup: str = "text",
) -> str:
    """Format already-fetched records in ``style`` (see :data:`STYLES`).

    ``accessed`` overrides every entry's access date; ``disclose`` is one of
    :data:`DISCLOSE`; ``markup`` (:data:`MARKUPS`) applies to apa, mla and chicago.
    """
    _check_options(style, disclose, markup)
    if style == "markdown":
        return "\n\n".join(markdown(r, disclose) for r in records)
    if style == "url":
        return _url(records)
    m = Markup(markup)
    ctx = _Context(accessed, m, _Disclosures(disclose, m))
    formatters: dict[str, Callable[[list[CitationRecord], _Context], str]] = {
        "apa": _apa,
        "mla": _mla,
        "chicago": _chicago,
        "bibtex": _bibtex,
        "csl-json": _csl_json,
        "csl-citations": _csl_citations,
    }
    return formatters[style](records, ctx)


def cite(
    con: duckdb.DuckDBPyConnection,
    claim_ids: list[str],
    style: str = "markdown",
    *,
    accessed: date | None = None,
    disclose: str = "note",
    markup: str = "text",
    quote: bool = False,
) -> str:
    """Cite ``claim_ids`` in ``style``: per-claim citations plus one entry per video.

    ``quote``: after the citations, what is said at each cited second (the transcript
    sentences stored in ``citations.quote``), so the claim can be checked against it.

    Raises ``errors.ClaimNotFoundError`` (naming every unknown id) and
    ``errors.QueryError`` for an unknown style, disclosure or markup — before touching
    the warehouse, so a typo costs no lookup.
    """
    _check_options(style, disclose, markup)
    out = render(
        fetch_records(con, claim_ids), style, accessed=accessed, disclose=disclose, markup=markup
    )
    return out + "\n\n" + spoken_words(con, claim_ids) if quote else out


def spoken_words(con: duckdb.DuckDBPyConnection, claim_ids: list[str]) -> str:
    """For each claim, the transcript sentence(s) at its cited second, or why there are none.

    The cited anchor is the one :func:`fetch_record` cites (first with a usable second).
    """
    lines = ["Spoken at the cited second:"]
    for cid in dict.fromkeys(claim_ids):
        row = con.execute(
            "SELECT seconds, quote, quote_start, quote_end, video_id FROM citations "
            "WHERE claim_id = ? ORDER BY seconds IS NULL, anchor_ordinal LIMIT 1",
            [cid],
        ).fetchone()
        if row is None:
            continue
        sec, text, start, end, vid = row
        if text:
            lines.append(
                f'- {cid} at {format_hms(sec)} ({format_hms(start)}-{format_hms(end)}): "{text}"'
            )
        elif sec is None:
            lines.append(f"- {cid}: no usable second, nothing to quote.")
        else:
            lines.append(
                f"- {cid} at {format_hms(sec)}: no transcript of {vid} in the warehouse "
                f"(ingest caption files or run `ytclaims fetch {vid}`)."
            )
    return "\n".join(lines)
