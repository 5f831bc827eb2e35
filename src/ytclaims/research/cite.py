"""Citations for claims: what a researcher pastes into a paper or report.

A citation names the video (its real title from the channel index page when known,
else the note's topic title, marked as such), the channel, and the moment as a link
that opens the video at the cited second. When the second is not verified against
the video, the citation says so: a reader deserves to know how far to trust it.

Styles (:data:`STYLES`, :func:`cite`): ``markdown`` (the original format), ``apa``,
``mla``, ``chicago``, ``bibtex``, ``csl-json`` and ``url``. Citing several claims
gives one in-text citation (or note) per claim, in the order the ids were given, each
with its own time stamp, and one bibliography entry per *video*: three claims from one
video are three moments of one work, not three works.

What the warehouse cannot know is never made up: the upload date is not in the notes,
so APA writes ``n.d.`` and the other styles leave the date out; an access date appears
only when the caller passes one. The channel is treated as the author (the person or
group who uploaded the video, as APA 7 and MLA 9 do when the creator's real name is
unknown).

The rules each style follows are written in its functions' docstrings. They were
written from the published YouTube examples of APA 7, MLA 9 and Chicago 17 from
memory, not checked against the manuals here, so no section numbers are cited.
"""

from __future__ import annotations

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


@dataclass(slots=True)
class CitationRecord:
    """Everything a citation style needs about one claim."""

    claim_id: str
    text: str
    video_id: str
    video_title: str | None
    note_title: str | None
    channel: str | None
    seconds: int | None
    url: str | None
    timestamp_status: str
    resolution_reason: str | None
    other_seconds: list[int]
    #: Video length in seconds when a transcript told us (Chicago cites the running time).
    duration_seconds: int | None = None


def fetch_record(con: duckdb.DuckDBPyConnection, claim_id: str) -> CitationRecord:
    """Read one claim and its anchors; the first anchor with a usable second is cited."""
    rows = con.execute(
        """
        SELECT c.claim_id, c.text, c.video_id, v.title, c.note_title,
               coalesce(v.channel, c.channel), c.seconds, c.url, c.timestamp_status,
               c.resolution_reason, v.duration_seconds
        FROM citations c LEFT JOIN videos v USING (video_id)
        WHERE c.claim_id = ?
        ORDER BY c.seconds IS NULL, c.anchor_ordinal
        """,
        [claim_id],
    ).fetchall()
    if not rows:
        raise errors.ClaimNotFoundError(f"No claim '{claim_id}'.")
    first = rows[0]
    others = sorted({int(r[6]) for r in rows[1:] if r[6] is not None and r[6] != first[6]})
    return CitationRecord(
        claim_id=first[0],
        text=first[1],
        video_id=first[2],
        video_title=first[3],
        note_title=first[4],
        channel=first[5],
        seconds=first[6],
        url=first[7],
        timestamp_status=first[8],
        resolution_reason=first[9],
        other_seconds=others,
        duration_seconds=int(first[10]) if first[10] is not None else None,
    )


def _escape_md(s: str) -> str:
    return s.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("*", "\\*")


def markdown(rec: CitationRecord) -> str:
    """A Markdown citation: quoted claim, video, channel, and a timestamped link."""
    if rec.video_title:
        title = f"*{_escape_md(rec.video_title)}*"
    elif rec.note_title:
        title = f"video {rec.video_id} (note: *{_escape_md(rec.note_title)}*)"
    else:
        title = f"video {rec.video_id}"
    channel = f"{_escape_md(rec.channel)}, " if rec.channel else ""
    if rec.seconds is not None and rec.url:
        moment = f"at [{format_hms(rec.seconds)}]({rec.url})"
    else:
        moment = f"(no usable timestamp: https://www.youtube.com/watch?v={rec.video_id})"
    lines = [f"> {rec.text}", "", f"— {channel}{title}, YouTube, {moment}."]
    if rec.timestamp_status == "suspect":
        why = f": {rec.resolution_reason}" if rec.resolution_reason else ""
        lines.append(f"WARNING: timestamp suspect, check it before citing{why}.")
    elif rec.timestamp_status != "verified":
        why = f": {rec.resolution_reason}" if rec.resolution_reason else ""
        lines.append(f"Timestamp {rec.timestamp_status}{why}.")
    if rec.other_seconds:
        lines.append(
            "Also anchored at " + ", ".join(format_hms(s) for s in rec.other_seconds) + "."
        )
    lines.append(f"Claim {rec.claim_id}.")
    return "\n".join(lines)


# --- several claims, several styles ---------------------------------------------------

#: Every style :func:`cite` knows, in the order the CLI should offer them.
STYLES: tuple[str, ...] = ("markdown", "apa", "mla", "chicago", "bibtex", "csl-json", "url")

_WATCH = "https://www.youtube.com/watch?v="
_MLA_MONTHS = tuple("Jan. Feb. Mar. Apr. May June July Aug. Sept. Oct. Nov. Dec.".split())
_FULL_MONTHS = tuple(
    "January February March April May June July August September October November December".split()
)
#: Where a main title ends and its subtitle begins (short titles keep the main title).
_SUBTITLE_RE = re.compile(r"\s*(?::|\s[-\u2013\u2014|]\s)")
_ARTICLE_RE = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)
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
    records: list[CitationRecord] = field(default_factory=list)

    @property
    def watch_url(self) -> str:
        """The video's own URL: a bibliography names the work, not one moment of it."""
        return _WATCH + self.video_id

    @property
    def key(self) -> str:
        """BibTeX/CSL key from channel and video id: the same on every run and machine."""
        return citation_key(self.channel, self.video_id)


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
    """One entry per video, in order of first citation.

    When no index page gives the video's title, the entry is described by a note title;
    the alphabetically first one among the cited notes is used so the entry does not
    change with the order the claims were given in.
    """
    entries: dict[str, VideoEntry] = {}
    for rec in records:
        e = entries.get(rec.video_id)
        if e is None:
            e = entries[rec.video_id] = VideoEntry(
                rec.video_id, rec.channel, rec.video_title, rec.note_title, rec.duration_seconds
            )
        elif rec.note_title and (e.note_title is None or rec.note_title < e.note_title):
            e.note_title = rec.note_title
        e.records.append(rec)
    return list(entries.values())


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


def _with_disclosure(citation: str, rec: CitationRecord) -> str:
    d = disclosure(rec)
    return f"{citation} {d}" if d else citation


def _description(e: VideoEntry) -> str:
    """Stands in for a missing title, as the styles prescribe for untitled works.

    Never a guessed title: it names the video id, says the title is unknown, and quotes
    the note's (topic) title when there is one.
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
    return " ".join(words[:4]) if len(words) > 4 else main


def _sort_title(title: str) -> str:
    """Alphabetising ignores a leading article (A, An, The), as all three manuals do."""
    return _ARTICLE_RE.sub("", title).casefold()


def _end(s: str, punct: str = ".") -> str:
    """Add closing punctuation unless the text already ends with a mark of its own."""
    return s if s.endswith((".", "?", "!")) else s + punct


def _quoted(title: str, punct: str) -> str:
    """``"Title,"`` with the punctuation inside the quotes, US-style; a title ending in
    ``?`` or ``!`` takes no extra mark."""
    return f'"{title}"' if title.endswith(("?", "!")) else f'"{title}{punct}"'


def _md(s: str) -> str:
    """Markdown-escape data: the styles use ``*...*`` for italics, as ``markdown`` does."""
    return _escape_md(s)


# --- APA 7 ---------------------------------------------------------------------------------


def _apa_dates(entries: list[VideoEntry]) -> dict[str, str]:
    """``n.d.`` per video, with ``-a``, ``-b``... when one author has several undated works.

    APA 7: works by the same author with the same date (here all ``n.d.``) get
    letters in the order of their titles in the reference list.
    """
    by_author: dict[str, list[VideoEntry]] = {}
    for e in entries:
        by_author.setdefault(_apa_author_key(e), []).append(e)
    out: dict[str, str] = {}
    for group in by_author.values():
        ordered = sorted(group, key=lambda e: (_sort_title(_apa_title_text(e)), e.video_id))
        for i, e in enumerate(ordered):
            out[e.video_id] = "n.d." if len(group) == 1 else f"n.d.-{_letters(i)}"
    return out


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
    return (e.channel or _apa_title_text(e)).casefold()


def _apa_title(e: VideoEntry) -> str:
    """``*Title* [Video]``; an untitled work gets a bracketed description instead (APA)."""
    if e.video_title:
        return f"*{_md(e.video_title)}* [Video]"
    return f"[{_md(_description(e))}]"


def apa_reference(e: VideoEntry, nd: str = "n.d.") -> str:
    """APA 7, YouTube video: ``Channel. (n.d.). *Title* [Video]. YouTube. URL``.

    The uploader (channel) is the author; the date would be ``(Year, Month Day)`` but the
    upload date is unknown here, so ``(n.d.)``; no period after the URL. Without a channel the
    title moves to the author position.
    """
    if e.channel:
        return f"{_end(_md(e.channel))} ({nd}). {_apa_title(e)}. YouTube. {e.watch_url}"
    return f"{_apa_title(e)}. ({nd}). YouTube. {e.watch_url}"


def apa_in_text(rec: CitationRecord, e: VideoEntry, nd: str = "n.d.") -> str:
    """APA 7 parenthetical citation with a time stamp: ``(Channel, n.d., 2:30)``.

    The time is written as the player shows it (``M:SS``, ``H:MM:SS``); without a channel
    the italic title stands in for the author.
    """
    who = (
        _md(e.channel)
        if e.channel
        else (f"*{_md(e.video_title)}*" if e.video_title else f"[{_md(_description(e))}]")
    )
    when = f", {format_hms(rec.seconds)}" if rec.seconds is not None else ""
    return _with_disclosure(f"({who}, {nd}{when})", rec)


def _apa(records: list[CitationRecord], accessed: date | None) -> str:
    """In-text citations, then the reference list (ordered by author, date, title).

    ``accessed`` is ignored: APA 7 gives a retrieval date only for works designed
    to change over time, which a published video is not.
    """
    entries = group_by_video(records)
    nd = _apa_dates(entries)
    by_id = {e.video_id: e for e in entries}
    in_text = [apa_in_text(r, by_id[r.video_id], nd[r.video_id]) for r in records]
    refs = sorted(
        entries, key=lambda e: (_apa_author_key(e), nd[e.video_id], _sort_title(_apa_title_text(e)))
    )
    return "\n".join(
        [*in_text, "", "References", *(apa_reference(e, nd[e.video_id]) for e in refs)]
    )


# --- MLA 9 ---------------------------------------------------------------------------------


def _mla_date(d: date) -> str:
    """MLA 9 writes dates day-month-year with abbreviated months: ``5 Jan. 2026``."""
    return f"{d.day} {_MLA_MONTHS[d.month - 1]} {d.year}"


def mla_works_cited(e: VideoEntry, accessed: date | None = None, *, repeat: bool = False) -> str:
    """MLA 9: ``Channel. "Title." *YouTube*, URL.`` (+ ``Accessed 5 Jan. 2026.``).

    The channel is the author element (the uploader is the creator as far as we know, so
    no separate "uploaded by"); the title is in quotes (a video is part of a larger
    whole), the container *YouTube* is italic; the upload date element is left out
    because it is unknown, so an access date is added when given (MLA recommends one for
    undated online works). A second work by the same author replaces the name with
    three hyphens (``---.``).
    """
    title = _quoted(_md(e.video_title), ".") if e.video_title else _end(_md(_description(e)))
    if e.channel:
        author = "---." if repeat else _end(_md(e.channel))
        head = f"{author} {title}"
    else:
        head = title
    out = f"{head} *YouTube*, {e.watch_url}."
    if accessed is not None:
        out += f" Accessed {_mla_date(accessed)}."
    return out


def mla_in_text(rec: CitationRecord, e: VideoEntry, *, with_title: bool = False) -> str:
    """MLA 9 in-text citation: ``(Channel 00:02:30)``, the time as ``HH:MM:SS``.

    The first element of the works-cited entry leads (the channel, else the short
    title); when several works by the channel are cited, a short title follows the name
    after a comma so the reader can tell them apart.
    """
    short = (
        _quoted(_md(_short_title(e.video_title)), "")
        if e.video_title
        else _md(f"Video {e.video_id}")
    )
    who = short
    if e.channel:
        who = f"{_md(e.channel)}, {short}" if with_title else _md(e.channel)
    when = f" {format_hms(rec.seconds, 'hh:mm:ss')}" if rec.seconds is not None else ""
    return _with_disclosure(f"({who}{when})", rec)


def _mla_sort_key(e: VideoEntry) -> tuple[str, str]:
    title = e.video_title or _description(e)
    return ((e.channel or "").casefold() or _sort_title(title), _sort_title(title))


def _in_list_order(
    entries: list[VideoEntry], render: Callable[[VideoEntry, bool], str]
) -> list[str]:
    """Entries alphabetised by author, then title (MLA Works Cited, Chicago bibliography),
    each rendered with ``repeat`` = same channel as the entry before (the 3-em dash)."""
    out: list[str] = []
    previous: str | None = None
    for e in sorted(entries, key=_mla_sort_key):
        out.append(render(e, e.channel is not None and e.channel == previous))
        previous = e.channel
    return out


def _mla(records: list[CitationRecord], accessed: date | None) -> str:
    """In-text citations, then Works Cited alphabetised by author, then title."""
    entries = group_by_video(records)
    works_by = Counter(e.channel for e in entries if e.channel)
    by_id = {e.video_id: e for e in entries}
    in_text = []
    for r in records:
        e = by_id[r.video_id]
        in_text.append(mla_in_text(r, e, with_title=works_by[e.channel] > 1))
    cited = _in_list_order(entries, lambda e, repeat: mla_works_cited(e, accessed, repeat=repeat))
    return "\n".join([*in_text, "", "Works Cited", *cited])


# --- Chicago 17, notes and bibliography ------------------------------------------------------


def _chicago_date(d: date) -> str:
    return f"{_FULL_MONTHS[d.month - 1]} {d.day}, {d.year}"


def chicago_note(
    n: int, rec: CitationRecord, e: VideoEntry, *, short: bool, accessed: date | None = None
) -> str:
    """A numbered Chicago 17 footnote (online video; shortened notes for later citations).

    Full (first citation of the video): ``1. Channel, "Title," YouTube video, at 2:30,
    <URL opening the video at that second>.`` The running time, when known, follows
    "YouTube video" as Chicago shows it (``YouTube video, 12:40, at 2:30``); the cited
    moment is written ``at M:SS`` so it cannot be mistaken for the running time.
    Later citations of the same video are short notes: ``2. Channel, "Short Title," at
    5:10.`` The upload date is unknown and left out; an access date is added when given.
    """
    at = f"at {format_hms(rec.seconds)}" if rec.seconds is not None else ""
    who = f"{_md(e.channel)}, " if e.channel else ""
    if short:
        title = (
            _quoted(_md(_short_title(e.video_title)), ",")
            if e.video_title
            else _md(f"Video {e.video_id}") + ","
        )
        body = f"{who}{title} {at}" if at else f"{who}{title.rstrip(',')}"
        return _with_disclosure(f"{n}. {body.rstrip()}.", rec)
    title = _quoted(_md(e.video_title), ",") if e.video_title else _md(_description(e)) + ","
    parts = ["YouTube video"]
    if e.duration_seconds is not None:
        parts.append(format_hms(e.duration_seconds))
    if at:
        parts.append(at)
    if accessed is not None:
        parts.append(f"accessed {_chicago_date(accessed)}")
    url = rec.url if rec.seconds is not None and rec.url else e.watch_url
    parts.append(url)
    return _with_disclosure(f"{n}. {who}{title} {', '.join(parts)}.", rec)


def chicago_bibliography(
    e: VideoEntry, accessed: date | None = None, *, repeat: bool = False
) -> str:
    """Chicago 17 bibliography entry: ``Channel. "Title." YouTube video. URL.``

    Running time after "YouTube video" when known; ``Accessed Month Day, Year.`` before
    the URL when given; a repeated author is replaced by a 3-em dash (``———.``).
    """
    title = _quoted(_md(e.video_title), ".") if e.video_title else _end(_md(_description(e)))
    head = title
    if e.channel:
        head = ("\u2014\u2014\u2014." if repeat else _end(_md(e.channel))) + f" {title}"
    medium = "YouTube video"
    if e.duration_seconds is not None:
        medium += f", {format_hms(e.duration_seconds)}"
    acc = f" Accessed {_chicago_date(accessed)}." if accessed is not None else ""
    return f"{head} {medium}.{acc} {e.watch_url}."


def _chicago(records: list[CitationRecord], accessed: date | None) -> str:
    """Numbered notes in citation order (full, then short per video), then the
    bibliography alphabetised by author, then title."""
    entries = group_by_video(records)
    by_id = {e.video_id: e for e in entries}
    seen: set[str] = set()
    notes: list[str] = []
    for n, r in enumerate(records, start=1):
        notes.append(
            chicago_note(n, r, by_id[r.video_id], short=r.video_id in seen, accessed=accessed)
        )
        seen.add(r.video_id)
    bib = _in_list_order(
        entries, lambda e, repeat: chicago_bibliography(e, accessed, repeat=repeat)
    )
    return "\n".join([*notes, "", "Bibliography", *bib])


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


def bibtex_entry(e: VideoEntry, accessed: date | None = None) -> str:
    """A biblatex ``@online`` entry for the video.

    ``author`` is double-braced so a channel name is taken literally, not split into
    first/last names; ``organization = {YouTube}``; ``url`` is the watch URL (biblatex
    reads it verbatim, so it is not escaped); no ``year``/``date`` because the upload date
    is unknown; ``urldate`` when an access date is given. ``note`` lists every cited moment
    with its timestamp status (``at 2:30, timestamp reinterpreted; ...``): BibTeX users
    cite a moment with the biblatex postnote, ``\\autocite[2:30]{key}``.
    """
    fields = []
    if e.channel:
        fields.append(("author", "{" + latex_escape(e.channel) + "}"))
    fields.append(("title", latex_escape(e.video_title or _description(e))))
    fields.append(("organization", "YouTube"))
    fields.append(("url", e.watch_url))
    if accessed is not None:
        fields.append(("urldate", accessed.isoformat()))
    fields.append(("note", latex_escape("; ".join(_bib_moment(r) for r in e.records))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@online{{{e.key},\n{body},\n}}"


def bibtex_cite_comment(rec: CitationRecord, e: VideoEntry) -> str:
    """``% \\autocite[2:30]{key} claim <id>[; timestamp <status>: <reason>]``: how to cite the
    claim's moment, with the disclosure the entry's note can only abbreviate."""
    post = f"[{format_hms(rec.seconds)}]" if rec.seconds is not None else ""
    d = disclosure(rec)
    tail = f"; {d[1:-1]}" if d else ""
    return "% " + _bib_comment(f"\\autocite{post}{{{e.key}}} claim {rec.claim_id}{tail}")


def _bibtex(records: list[CitationRecord], accessed: date | None) -> str:
    """``% \\autocite`` comment lines (one per claim), then one entry per video."""
    entries = group_by_video(records)
    by_id = {e.video_id: e for e in entries}
    comments = [bibtex_cite_comment(r, by_id[r.video_id]) for r in records]
    return "\n".join(comments) + "\n\n" + "\n\n".join(bibtex_entry(e, accessed) for e in entries)


# --- CSL-JSON ---------------------------------------------------------------------------------


def csl_item(e: VideoEntry, accessed: date | None = None) -> dict[str, object]:
    """A CSL-JSON item (CSL 1.0.2 data schema) for the video.

    ``type: "motion_picture"`` (CSL has no separate video type; Zotero and pandoc map
    online videos to it), ``author: [{"literal": channel}]`` (a channel is not a
    family/given name), ``container-title: "YouTube"``, ``genre: "Video"`` (APA styles
    print it as ``[Video]``), ``URL`` the watch URL, ``dimensions`` the running time when
    known, ``accessed`` only when given, no ``issued`` (unknown). The cited moments live
    in ``custom["citation-items"]`` — one citeproc citation item per claim:
    ``{"id", "locator": "HH:MM:SS", "label": "timestamp", "claim_id", "timestamp_status",
    "url"}`` (no ``locator``/``label`` when the claim has no usable second) — and, for
    humans and tools that ignore ``custom``, in ``note`` with every disclosure.
    """
    item: dict[str, object] = {
        "id": e.key,
        "type": "motion_picture",
        "title": e.video_title or _description(e),
    }
    if e.channel:
        item["author"] = [{"literal": e.channel}]
    item["container-title"] = "YouTube"
    item["genre"] = "Video"
    item["URL"] = e.watch_url
    if e.duration_seconds is not None:
        item["dimensions"] = format_hms(e.duration_seconds)
    if accessed is not None:
        item["accessed"] = {"date-parts": [[accessed.year, accessed.month, accessed.day]]}
    notes: list[str] = []
    cites: list[dict[str, object]] = []
    for r in e.records:
        ci: dict[str, object] = {"id": e.key}
        if r.seconds is not None:
            ci["locator"] = format_hms(r.seconds, "hh:mm:ss")
            ci["label"] = "timestamp"
        ci["claim_id"] = r.claim_id
        ci["timestamp_status"] = r.timestamp_status
        ci["url"] = r.url if r.seconds is not None and r.url else e.watch_url
        cites.append(ci)
        when = (
            f"at {format_hms(r.seconds, 'hh:mm:ss')}" if r.seconds is not None else "no usable time"
        )
        d = disclosure(r)
        notes.append(f"{when} {d}" if d else when)
    item["note"] = "; ".join(notes)
    item["custom"] = {"citation-items": cites}
    return item


def _csl_json(records: list[CitationRecord], accessed: date | None) -> str:
    items = [csl_item(e, accessed) for e in group_by_video(records)]
    return json.dumps(items, ensure_ascii=False, indent=2)


# --- entry point ------------------------------------------------------------------------------


def _url(records: list[CitationRecord]) -> str:
    """One URL per claim: the timestamped link, or the watch URL when no second is usable.

    Deliberately bare (scripts open or paste it); the trust disclosure is the other
    styles' job.
    """
    return "\n".join(
        r.url if r.seconds is not None and r.url else _WATCH + r.video_id for r in records
    )


def render(records: list[CitationRecord], style: str, *, accessed: date | None = None) -> str:
    """Format already-fetched records in ``style`` (see :data:`STYLES`)."""
    if style == "markdown":
        return "\n\n".join(markdown(r) for r in records)
    if style == "url":
        return _url(records)
    formatters = {
        "apa": _apa,
        "mla": _mla,
        "chicago": _chicago,
        "bibtex": _bibtex,
        "csl-json": _csl_json,
    }
    fmt = formatters.get(style)
    if fmt is None:
        raise errors.QueryError(
            f"Unknown citation style '{style}'.", hint="Use one of: " + ", ".join(STYLES) + "."
        )
    return fmt(records, accessed)


def cite(
    con: duckdb.DuckDBPyConnection,
    claim_ids: list[str],
    style: str = "markdown",
    *,
    accessed: date | None = None,
    quote: bool = False,
) -> str:
    """Cite ``claim_ids`` in ``style``: per-claim citations plus one entry per video.

    ``quote``: after the citations, what is said at each cited second (the transcript
    sentences stored in ``citations.quote``), so the claim can be checked against it.

    Raises ``errors.ClaimNotFoundError`` (naming every unknown id) and
    ``errors.QueryError`` for an unknown style — before touching the warehouse, so a
    typo in the style costs no lookup.
    """
    if style not in STYLES:
        raise errors.QueryError(
            f"Unknown citation style '{style}'.", hint="Use one of: " + ", ".join(STYLES) + "."
        )
    out = render(fetch_records(con, claim_ids), style, accessed=accessed)
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
