"""Read a caption file into timed cues (and word timings, when the file has them).

Transcripts are the second source of claims next to notes: a caption track says
*what* was said and *when*, so a claim drawn from it can be cited to the second.
Caption files come from several tools, so this module reads the formats they write:

* SubRip ``.srt`` (human-made tracks, e.g. the shared corpus);
* WebVTT ``.vtt``, including YouTube auto-caption files, whose cues repeat the
  previous line (a rolling window) and carry inline word times
  (``<00:00:01.520><c> word</c>``);
* YouTube ``json3`` (``events`` / ``segs``) and ``srv1`` XML (``<transcript><text>``);
* youtube-transcript-api JSON: a list of ``{text, start, duration}`` snippets, or the
  fetch cache's ``{video_id, language_code, is_generated, snippets}`` wrapper.

The format comes from the content when it can be recognised and from the extension
otherwise (a mismatch is recorded as a warning). A ``word_timings.json`` beside a
``captions.<ext>`` file supplies word times for tracks that have none of their own.

Reading never raises for bad content: problems become :class:`~ytclaims.errors.SourceError`
instances on the result, as :mod:`ytclaims.sources.notes` does for notes, and every
cue that can be read is returned even when others cannot.

**Cue count.** A track has one cue per cue in the source: one per SRT block with a
readable timing line, per WebVTT cue, per json3 event with ``segs`` (append events
excepted), per srv1 ``<text>`` element and per youtube-transcript-api snippet. Cues
whose text is empty are *kept*, with empty text, so cue indices match the source.
Blocks whose timing cannot be read are dropped, and each drop is recorded. In rolling-window
auto-captions, text already shown by the previous cue is removed, so a cue that only
repeats earlier lines is kept with empty text.

SRT is scanned here rather than with ``webvtt.from_srt``: webvtt-py 0.6.0 drops SRT
cues with empty text, joins the remains of a truncated block to the cue before it and
rejects a whole file whose first line is blank. Those behaviours would break the
one-cue-per-block rule and the recording of problems.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import webvtt
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from webvtt.errors import MalformedCaptionError, MalformedFileError

from ytclaims import errors
from ytclaims.limits import MAX_INT_DIGITS, MAX_SIDECAR_BYTES, MAX_VIDEO_SECONDS
from ytclaims.records import is_video_id, safe_text
from ytclaims.sources.reading import decode_text, read_bounded

#: Caption files larger than this are refused unless the caller raises the limit.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
#: Longest a word with only a start time (inline VTT time, json3 offset) is taken to last.
MAX_WORD_SECONDS = 1.0
#: Name of the word-timing file read beside ``captions.<ext>`` (the shared corpus layout).
WORD_TIMINGS_NAME = "word_timings.json"

#: Track formats (``CaptionTrack.format``).
SRT, VTT, JSON3, SRV1, YTA_JSON, YTA_CACHE, UNKNOWN = (
    "srt",
    "vtt",
    "json3",
    "srv1",
    "yta_json",
    "yta_cache",
    "unknown",
)
#: Track kinds (``CaptionTrack.kind``).
MANUAL, GENERATED, UNKNOWN_KIND = "manual", "generated", "unknown"

#: Which formats each extension may hold; anything else is read, with a warning.
_EXT_FORMATS: dict[str, frozenset[str]] = {
    ".srt": frozenset({SRT}),
    ".vtt": frozenset({VTT}),
    ".json3": frozenset({JSON3}),
    ".srv1": frozenset({SRV1}),
    ".xml": frozenset({SRV1}),
    ".json": frozenset({YTA_JSON, YTA_CACHE, JSON3}),
}
_SUPPORTED = ".srt, .vtt, .json3, .srv1/.xml and youtube-transcript-api .json"

_LANG = r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*"
_LANG_RE = re.compile(_LANG)
_NAME_ID_RE = re.compile(rf"^(?P<id>[A-Za-z0-9_-]{{11}})(?:\.(?P<lang>{_LANG}))?$")
_BRACKET_ID_RE = re.compile(rf"\[(?P<id>[A-Za-z0-9_-]{{11}})\](?:\.(?P<lang>{_LANG}))?$")
#: An 11-character word ("transcripts", "__pycache__") is a name, not a video id.
_WORDLIKE_RE = re.compile(r"^[a-z_-]+$")

_SRT_TIME = r"(\d{1,3}):(\d{1,2}):(\d{1,2})(?:[,.](\d{1,3}))?"
# The end time must be whole (two-digit seconds, not cut off mid-number): a file truncated
# inside it ("--> 00:00:1") loses that block instead of gaining a wrong cue.
_SRT_END_TIME = r"(\d{1,3}):(\d{2}):(\d{2})(?:[,.](\d{1,3}))?(?![\d:,.])"
_SRT_TIMING_RE = re.compile(rf"^\s*{_SRT_TIME}\s*-->\s*{_SRT_END_TIME}")
_SRT_SNIFF_RE = re.compile(r"^\s*(?:\d+\s*\n\s*)?\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3}\s*-->")
_SRT_COMMA_RE = re.compile(r"\d{1,2}:\d{1,2},\d{1,3}\s*-->")
_VTT_TIME = r"(?:\d+:)?\d{1,2}:\d{1,2}\.\d{1,3}"
_VTT_TIMING_RE = re.compile(rf"^\s*{_VTT_TIME}\s*-->\s*{_VTT_TIME}")
_VTT_TIMING_LINE_RE = re.compile(rf"^[ \t]*{_VTT_TIME}[ \t]*-->", re.MULTILINE)
#: Formatting tags SRT players honour (<i>, <b>, <u>, <s>, <font ...>) and ASS overrides.
_SRT_TAG_RE = re.compile(r"</?(?:[bius]|font)\b[^<>]*>|\{\\[^{}]*\}", re.IGNORECASE)
_HTML_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
#: An inline cue timestamp (YouTube word time): <00:00:01.520> or <01:02.500>.
_INLINE_TIME_RE = re.compile(r"<((?:\d{1,4}:)?\d{1,2}:\d{1,2}\.\d{1,3})>")
# Tags never span a '<': "<<<<" written 100,000 times must not rescan the line each time.
_CUE_TAG_RE = re.compile(r"<[^<>]*>")
_WS_RE = re.compile(r"\s+")
# Recovery from broken XML: a <text> body ends at the next <text (an unclosed element
# does not rescan the rest of the file: <text> x 8,000 took 6 s, 140 kB of it 60 s).
_XML_TEXT_RE = re.compile(r"<text\b([^<>]*)>((?:(?!<text\b).)*?)</text\s*>", re.DOTALL)
_XML_ATTR_RE = re.compile(r"([A-Za-z_][\w.-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")

#: How many bad cues a problem message names before it says "and N more".
_MAX_LISTED = 5
#: Most lines of a rolling-window cue compared with the previous cue (YouTube's: 2-3).
_MAX_ROLLING_LINES = 32


# --- problems ------------------------------------------------------------------------
# Where a problem is the same as one with notes (empty, binary, too large, encoding,
# missing video id), the class subclasses that one and keeps its ``kind``, so
# ``ingest_errors`` counts it with them; only the hint speaks of captions.


class CaptionError(errors.SourceError):
    """A caption file could not be read (or only partly)."""

    kind = "caption_error"
    severity = "error"
    hint = ""


class EmptyCaptionFileError(errors.EmptySourceError):
    """The caption file is empty."""

    kind = "empty_file"
    severity = "error"
    hint = "Nothing to read; download the captions again or delete the file."


class BinaryCaptionFileError(errors.BinarySourceError):
    """The caption file holds binary data (NUL bytes), not text."""

    kind = "binary_file"
    severity = "error"
    hint = f"Caption files are text ({_SUPPORTED}); move other files out of the caption folder."


class CaptionFileTooLargeError(errors.SourceTooLargeError):
    """The caption file is larger than the size limit."""

    kind = "too_large"
    severity = "error"
    hint = "Pass a larger max_bytes if this really is one caption track."


class UnreadableCaptionFileError(errors.UnreadableSourceError):
    """The caption file could not be opened or read."""

    kind = "unreadable"
    severity = "error"
    hint = "Check that the file exists and that you may read it."


class CaptionEncodingWarning(errors.EncodingWarning_):
    """The caption file is not valid UTF-8 (or UTF-16/32 with a BOM); bad bytes were replaced."""

    kind = "encoding"
    severity = "warning"
    hint = "Re-save the caption file as UTF-8 to keep every character."


class UnknownCaptionFormatError(CaptionError):
    """The file is not in a caption format ytclaims reads."""

    kind = "caption_format"
    severity = "error"
    hint = f"Supported caption files: {_SUPPORTED}."


class CaptionFormatMismatchWarning(CaptionError):
    """The content is in another caption format than the extension says; it was read as such."""

    kind = "caption_format_mismatch"
    severity = "warning"
    hint = "Rename the file to the extension of its format so other tools read it too."


class MalformedCaptionsError(CaptionError):
    """The file looks like a caption file but no cue could be read from it."""

    kind = "malformed_captions"
    severity = "error"
    hint = "Download the captions again; the file may be truncated or damaged."


class MalformedCueWarning(CaptionError):
    """Some cues could not be read and were skipped; the others were loaded."""

    kind = "malformed_cue"
    severity = "warning"
    hint = "Fix or re-download the file to keep every cue; the readable cues were loaded."


class MissingVttHeaderWarning(CaptionError):
    """The WebVTT file lacks its 'WEBVTT' first line; its cues were read anyway."""

    kind = "vtt_header"
    severity = "warning"
    hint = "Add 'WEBVTT' as the first line so strict players accept the file."


class MissingCaptionVideoIdError(errors.MissingVideoIdError):
    """No valid YouTube video id is known for the caption file."""

    kind = "missing_video_id"
    severity = "error"
    hint = (
        "Name the file '<videoId>.<lang>.<ext>' (e.g. dQw4w9WgXcQ.en.vtt), put it in a folder "
        "named after the 11-character video id, or pass video_id."
    )


class VideoIdMismatchWarning(CaptionError):
    """The file's content names another video id than its file or folder name."""

    kind = "video_id_mismatch"
    severity = "warning"
    hint = "The id stored in the file was used; rename the file if the name is wrong."


class WordTimingsWarning(CaptionError):
    """The word-timing file could not be read, or only partly."""

    kind = "word_timings"
    severity = "warning"
    hint = (
        "word_timings.json must be a JSON list of [word, start_s, end_s] items (or of lists "
        "of them); without it, sentence times are interpolated within cues."
    )


# --- data ------------------------------------------------------------------------------


@dataclass(slots=True)
class Cue:
    """One caption cue: shown from ``start`` for ``duration`` seconds.

    ``text`` has tags removed and whitespace collapsed to single spaces; it may be
    empty (see the module docstring).
    """

    start: float
    duration: float
    text: str

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass(slots=True)
class Word:
    """One spoken word and when it was said, in seconds."""

    start: float
    end: float
    text: str


@dataclass(slots=True)
class CaptionTrack:
    """One caption file as read from disk, before sentences and claims are drawn from it."""

    video_id: str | None
    language: str | None
    kind: str  # 'manual' | 'generated' | 'unknown'
    format: str  # srt | vtt | json3 | srv1 | yta_json | yta_cache | unknown
    cues: list[Cue]
    words: list[Word] | None
    path: str
    problems: list[errors.SourceError] = field(default_factory=list)
    content_hash: str = ""  # blake2b-128 of the bytes, as for notes: detects changed files
    size_bytes: int = 0

    @property
    def fatal(self) -> errors.SourceError | None:
        """The first problem that keeps this track out of the warehouse, if any."""
        return errors.first_fatal(self.problems)


@dataclass(slots=True)
class _Parsed:
    """What a format reader found; read_caption_file merges it into the track."""

    cues: list[Cue] = field(default_factory=list)
    words: list[Word] | None = None
    kind: str = UNKNOWN_KIND
    language: str | None = None
    video_id: str | None = None


# --- names, bytes, format --------------------------------------------------------------


def ids_from_path(path: Path) -> tuple[str | None, str | None]:
    """Video id and language a caption file's name or folder implies (None where not).

    ``<id>.<lang>.<ext>`` or ``<id>.<ext>`` first, then yt-dlp's ``Title [<id>].<lang>.<ext>``,
    then a parent folder named ``<id>`` (``<id>/captions.srt``, as in the shared corpus).
    An all-lowercase word such as ``transcripts`` is never taken for an id.
    """
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    for rx in (_NAME_ID_RE, _BRACKET_ID_RE):
        m = rx.search(stem)
        if m and not _WORDLIKE_RE.match(m.group("id")):
            return m.group("id"), m.group("lang")
    parent = path.parent.name
    if is_video_id(parent) and not _WORDLIKE_RE.match(parent):
        return parent, None
    return None, None


def _decode(data: bytes, problems: list[errors.SourceError]) -> str | None:
    """Bytes -> text, honouring UTF-8/16/32 BOMs; None (and a problem) for binary data."""
    return decode_text(
        data, problems, binary=BinaryCaptionFileError, encoding_warning=CaptionEncodingWarning
    )


def _sniff(text: str) -> str | None:
    """The format family the content itself shows: srt, vtt, json or xml (None if none)."""
    head = text.lstrip()[:4096]
    if head.startswith("WEBVTT"):
        return VTT
    if head.startswith(("{", "[")):
        return "json"
    if head.startswith("<"):
        return "xml"
    if _SRT_SNIFF_RE.match(head):
        return SRT
    return None


def _clean(text: str) -> str:
    """Collapse runs of whitespace (line breaks included) to single spaces; lone
    surrogates (JSON ``"\\ud800"``) become U+FFFD, so the text can be stored."""
    return safe_text(_WS_RE.sub(" ", text).strip())


def _number(value: object, limit: float = MAX_VIDEO_SECONDS) -> float | None:
    """A finite number from JSON in ``[0, limit]``, else None (bools are not numbers).

    ``limit`` is the longest any video runs (in the value's unit): a start of 2**31 s or
    more is no moment of a video, and it would break the warehouse's 32-bit seconds.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        if isinstance(value, str) and len(value) <= 64:
            try:
                value = float(value)
            except ValueError:
                return None
        else:
            return None
    try:
        f = float(value)
    except OverflowError:  # an integer too large for a float
        return None
    return f if math.isfinite(f) and 0 <= f <= limit else None


#: The same bound in milliseconds (json3 times).
_MS_LIMIT = MAX_VIDEO_SECONDS * 1000


def _json_int(digits: str) -> int | float:
    """JSON integers: huge ones become infinity (then no time), never ``ValueError``
    (Python refuses to convert integers over 4,300 digits: a 5,000-digit ``tStartMs``
    dropped the whole file as an unexpected error)."""
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        return -math.inf if digits.startswith("-") else math.inf
    return int(digits)


def _ms(seconds: float) -> float:
    """Round to the millisecond: caption times have no finer resolution; float noise goes."""
    return round(seconds, 3)


def _listing(labels: list[str]) -> str:
    shown = ", ".join(labels[:_MAX_LISTED])
    more = len(labels) - _MAX_LISTED
    return f"{shown} and {more} more" if more > 0 else shown


# --- SRT -----------------------------------------------------------------------------


def _srt_seconds(h: str, m: str, s: str, ms: str | None) -> float | None:
    if int(m) >= 60 or int(s) >= 60:
        return None
    frac = int(ms.ljust(3, "0")) / 1000 if ms else 0.0
    return _ms(int(h) * 3600 + int(m) * 60 + int(s) + frac)


def _is_timing_line(lines: list[str], i: int) -> bool:
    """Is line ``i`` a cue's timing line (readable or not)?

    A readable timing line always is. Another line with ``-->`` is one only where a
    timing line stands: first, after a blank line or after a cue number. Elsewhere it
    is cue text ("the arrow --> means"), which must not end the cue before it.
    """
    line = lines[i]
    if "-->" not in line:
        return False
    if _SRT_TIMING_RE.match(line):
        return True
    prev = lines[i - 1].strip() if i > 0 else ""
    return not prev or prev.isdigit()


def _parse_srt(text: str, problems: list[errors.SourceError]) -> _Parsed:
    """Scan SRT blocks: one cue per timing line that can be read.

    A digit-only line right before a timing line is that cue's number. Text after a
    blank line inside a cue is kept as part of it (some files break a cue's text with
    blank lines), unless it starts with a number line: that is a block whose timing
    line is missing, and it is dropped and recorded.
    """
    lines = text.split("\n")
    timing_at = [i for i, line in enumerate(lines) if _is_timing_line(lines, i)]
    if not timing_at:
        problems.append(MalformedCaptionsError("No line has SRT cue timings ('-->')."))
        return _Parsed()
    cues: list[Cue] = []
    bad: list[str] = []
    backwards: list[str] = []
    for k, i in enumerate(timing_at):
        stop = timing_at[k + 1] if k + 1 < len(timing_at) else len(lines)
        if k + 1 < len(timing_at) and stop - 1 > i and lines[stop - 1].strip().isdigit():
            stop -= 1  # the next cue's number
        number = lines[i - 1].strip() if i > 0 and lines[i - 1].strip().isdigit() else ""
        label = f"cue {number}" if number else f"line {i + 1}"
        m = _SRT_TIMING_RE.match(lines[i])
        start = _srt_seconds(*m.groups()[:4]) if m else None
        end = _srt_seconds(*m.groups()[4:]) if m else None
        if start is None or end is None:
            bad.append(f"{label} (unreadable timing {lines[i].strip()[:40]!r})")
            continue
        body = _srt_body(lines[i + 1 : stop], bad)
        if end < start:
            backwards.append(label)
        cues.append(Cue(start, _ms(max(0.0, end - start)), _clean(_SRT_TAG_RE.sub("", body))))
    if bad:
        problems.append(MalformedCueWarning(f"{len(bad)} SRT block(s) skipped: {_listing(bad)}."))
    if backwards:
        problems.append(
            MalformedCueWarning(
                f"{len(backwards)} cue(s) end before they start ({_listing(backwards)}); "
                "their duration was set to 0."
            )
        )
    if not cues:
        problems.append(MalformedCaptionsError("No SRT cue has readable timings."))
    return _Parsed(cues)


def _srt_body(lines: list[str], bad: list[str]) -> str:
    """A cue's text lines; paragraphs that are numbered blocks without timings are dropped."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    kept: list[str] = []
    for n, para in enumerate(p for p in paragraphs if p):
        if n > 0 and para[0].strip().isdigit() and len(para) > 1:
            bad.append(f"cue {para[0].strip()} (no timing line)")
            continue
        kept.extend(para)
    return "\n".join(kept)


# --- WebVTT ------------------------------------------------------------------------------


def _vtt_time(ts: str) -> float:
    *fields, seconds = ts.split(":")
    total = 0
    for f in fields:
        total = total * 60 + int(f)
    return total * 60 + float(seconds)


def _parse_vtt(text: str, problems: list[errors.SourceError]) -> _Parsed:
    """WebVTT via webvtt-py; rolling-window repeats removed, inline word times kept."""
    if not text.lstrip().startswith("WEBVTT") and _VTT_TIMING_LINE_RE.search(text):
        problems.append(MissingVttHeaderWarning("The file does not start with 'WEBVTT'."))
        text = "WEBVTT\n\n" + text.lstrip()
    try:
        doc = webvtt.from_buffer(io.StringIO(text))
    except MalformedFileError:
        problems.append(
            MalformedCaptionsError("The file does not start with 'WEBVTT' and has no cue timings.")
        )
        return _Parsed()
    except (MalformedCaptionError, ValueError) as exc:
        problems.append(MalformedCaptionsError(f"WebVTT could not be parsed: {exc}."))
        return _Parsed()

    timing_lines = [line for line in text.split("\n") if "-->" in line]
    unreadable = [line.strip()[:40] for line in timing_lines if not _VTT_TIMING_RE.match(line)]
    lost = len(timing_lines) - len(doc.captions)
    if lost > 0:
        named = f": {_listing([repr(u) for u in unreadable])}" if unreadable else ""
        problems.append(
            MalformedCueWarning(f"{lost} WebVTT cue(s) skipped, timing unreadable{named}.")
        )

    parsed = _Parsed()
    for line in doc.metadata:
        key, _, value = line.partition(":")
        if key.strip().lower() == "language" and _LANG_RE.fullmatch(value.strip()):
            parsed.language = value.strip()

    rows: list[tuple[float, float, list[str], list[str]]] = []
    too_late: list[str] = []
    for n, cap in enumerate(doc.captions):
        start_ms, end_ms = cap.start_time.in_milliseconds(), cap.end_time.in_milliseconds()
        if max(start_ms, end_ms) > _MS_LIMIT:  # webvtt-py reads up to 10-digit hours
            too_late.append(f"cue {n + 1} ({cap.start} --> {cap.end})")
            continue
        start, end = start_ms / 1000, end_ms / 1000
        raw = [line for line in cap.lines if _CUE_TAG_RE.sub("", line).strip()]
        # Tags out first, then character references (&amp; &lt; &nbsp;), as WebVTT defines.
        plain = [_clean(html.unescape(_CUE_TAG_RE.sub("", line))) for line in raw]
        rows.append((start, _ms(max(0.0, end - start)), raw, plain))

    if too_late:
        problems.append(
            MalformedCueWarning(
                f"{len(too_late)} WebVTT cue(s) skipped, later than any video runs "
                f"({MAX_VIDEO_SECONDS // 3600:,} hours): {_listing(too_late)}."
            )
        )
    timed = any(_INLINE_TIME_RE.search(line) for _, _, raw, _ in rows for line in raw)
    repeats = sum(
        1 for a, b in zip(rows, rows[1:], strict=False) if a[3] and b[3] and b[3][0] == a[3][-1]
    )
    rolling = timed or (repeats >= 2 and repeats * 2 >= len(rows))
    words: list[Word] = []
    prev: list[str] = []
    for start, duration, raw, plain in rows:
        overlap = 0
        if rolling:
            # The longest run of this cue's first lines that ends the previous cue was
            # already shown: only the lines after it are new.
            overlap = next(
                (
                    n
                    for n in range(min(len(prev), len(plain), _MAX_ROLLING_LINES), 0, -1)
                    if plain[:n] == prev[-n:]
                ),
                0,
            )
            if plain:
                prev = plain
        parsed.cues.append(Cue(start, duration, _clean(" ".join(plain[overlap:]))))
        if timed:
            for line in raw[overlap:]:
                words.extend(_inline_words(line, start, start + duration))
    if not parsed.cues:
        problems.append(MalformedCaptionsError("The WebVTT file has no readable cue."))
    if timed:
        parsed.words = words
        parsed.kind = GENERATED  # YouTube writes word times only into speech-recognition tracks
    return parsed


def _inline_words(line: str, cue_start: float, cue_end: float) -> list[Word]:
    """Words of a cue line with inline ``<hh:mm:ss.mmm>`` times (before the first: cue start)."""
    pieces: list[tuple[float, str]] = []
    t = cue_start
    pos = 0
    for m in _INLINE_TIME_RE.finditer(line):
        pieces.append((t, html.unescape(_CUE_TAG_RE.sub("", line[pos : m.start()]))))
        at = _vtt_time(m.group(1))
        t = at if at <= MAX_VIDEO_SECONDS else t  # no word starts after any video ends
        pos = m.end()
    pieces.append((t, html.unescape(_CUE_TAG_RE.sub("", line[pos:]))))
    return _spread(pieces, cue_end)


def _spread(pieces: list[tuple[float, str]], last_end: float) -> list[Word]:
    """Timed text pieces -> words; a piece's words share its span until the next piece.

    Inline times mark only when a word starts. A word is taken to last until the next
    one starts, but at most :data:`MAX_WORD_SECONDS` per word, so a silence after it
    stays visible as a pause (sentence splitting of unpunctuated captions uses pauses).
    """
    words: list[Word] = []
    pieces = [(t, s) for t, s in pieces if s.strip()]
    for n, (t, s) in enumerate(pieces):
        nxt = pieces[n + 1][0] if n + 1 < len(pieces) else last_end
        tokens = s.split()
        span = min(max(nxt, t) - t, MAX_WORD_SECONDS * len(tokens))
        step = span / len(tokens)
        for j, tok in enumerate(tokens):
            words.append(Word(_ms(t + j * step), _ms(t + (j + 1) * step), tok))
    return words


# --- YouTube json3 -------------------------------------------------------------------------


def _parse_json3(data: dict[str, Any], problems: list[errors.SourceError]) -> _Parsed:
    """json3: one cue per event with ``segs`` (``aAppend`` events only add a line break)."""
    events = data.get("events")
    if not isinstance(events, list):
        problems.append(MalformedCaptionsError("json3 'events' is missing or not a list."))
        return _Parsed()
    parsed = _Parsed()
    bad: list[str] = []
    timed_events: list[tuple[float, float, list[tuple[float, str]]]] = []
    has_offsets = False
    for n, ev in enumerate(events):
        if not isinstance(ev, dict) or "segs" not in ev or ev.get("aAppend"):
            if not isinstance(ev, dict):
                bad.append(f"event {n}")
            continue
        start_ms = _number(ev.get("tStartMs"), _MS_LIMIT)
        dur_ms = _number(ev.get("dDurationMs", 0), _MS_LIMIT)
        segs = ev.get("segs")
        if start_ms is None or not isinstance(segs, list):
            bad.append(f"event {n}")
            continue
        pieces: list[tuple[float, str]] = []
        for seg in segs:
            if not isinstance(seg, dict):
                continue
            utf8 = seg.get("utf8")
            if not isinstance(utf8, str) or not utf8.strip():
                continue  # newline-only segments break lines; they carry no words
            off = _number(seg.get("tOffsetMs"), _MS_LIMIT)
            has_offsets = has_offsets or off is not None or "acAsrConf" in seg
            pieces.append(((start_ms + (off or 0.0)) / 1000, utf8))
        start, duration = start_ms / 1000, (dur_ms or 0.0) / 1000
        parsed.cues.append(Cue(start, duration, _clean("".join(s for _, s in pieces))))
        timed_events.append((start, start + duration, pieces))
    if bad:
        problems.append(
            MalformedCueWarning(f"{len(bad)} json3 event(s) skipped, unreadable: {_listing(bad)}.")
        )
    if not parsed.cues:
        problems.append(MalformedCaptionsError("No json3 event has caption text ('segs')."))
    if has_offsets:
        parsed.kind = GENERATED
        words: list[Word] = []
        for n, (_, end, pieces) in enumerate(timed_events):
            # Auto-caption events stay on screen after the next one starts: a word
            # ends no later than the next event's start.
            if n + 1 < len(timed_events):
                end = min(end, timed_events[n + 1][0])
            words.extend(_spread(pieces, end))
        parsed.words = words
    return parsed


# --- srv1 XML -------------------------------------------------------------------------------


def _parse_srv1(text: str, problems: list[errors.SourceError]) -> _Parsed:
    """srv1: ``<transcript><text start dur>``; text is HTML-escaped inside the XML.

    Parsed with defusedxml (no entity expansion, no external resources). When the
    XML is broken (e.g. truncated), the complete ``<text>`` elements are recovered.
    """
    items: list[tuple[dict[str, str], str]] = []
    try:
        root = SafeET.fromstring(text)
    except DefusedXmlException as exc:
        problems.append(
            MalformedCaptionsError(
                f"The XML declares entities or a DTD ({type(exc).__name__}), which is refused "
                "for safety.",
                hint="srv1 caption files never need a DTD; download the captions again.",
            )
        )
        return _Parsed()
    except ParseError as exc:
        for m in _XML_TEXT_RE.finditer(text):
            attrs = {
                a.group(1): a.group(2) or a.group(3) or "" for a in _XML_ATTR_RE.finditer(m[1])
            }
            items.append((attrs, html.unescape(m.group(2))))
        if not items:
            problems.append(MalformedCaptionsError(f"The XML cannot be parsed ({exc})."))
            return _Parsed()
        problems.append(
            MalformedCueWarning(
                f"The XML is malformed ({exc}); {len(items)} complete <text> element(s) "
                "were recovered, anything after the damage is lost."
            )
        )
    else:
        if root.tag != "transcript":
            problems.append(
                UnknownCaptionFormatError(
                    f"XML root is <{root.tag}>, not <transcript> (srv1); "
                    "srv2/srv3/TTML are not read."
                )
            )
            return _Parsed()
        items = [(dict(el.attrib), "".join(el.itertext())) for el in root.iter("text")]

    parsed = _Parsed()
    bad: list[str] = []
    for n, (attrs, body) in enumerate(items):
        start = _number(attrs.get("start"))
        if start is None:
            bad.append(f"<text> {n + 1} (start={attrs.get('start')!r})")
            continue
        dur = _number(attrs.get("dur", "0")) or 0.0
        # YouTube escapes the text twice: the XML layer is undone by the parser, the
        # HTML layer (&#39;, &quot;, &amp;) here. Then formatting tags are dropped.
        plain = _HTML_TAG_RE.sub("", html.unescape(body))
        parsed.cues.append(Cue(start, dur, _clean(plain)))
    if bad:
        problems.append(
            MalformedCueWarning(
                f"{len(bad)} srv1 cue(s) skipped, no usable start: {_listing(bad)}."
            )
        )
    if not parsed.cues and not any(p.severity == "error" for p in problems):
        problems.append(MalformedCaptionsError("The srv1 file has no <text> cue."))
    return parsed


# --- youtube-transcript-api JSON ---------------------------------------------------------------


def _parse_snippets(snippets: list[Any], problems: list[errors.SourceError]) -> _Parsed:
    parsed = _Parsed()
    bad: list[str] = []
    for n, item in enumerate(snippets):
        start = _number(item.get("start")) if isinstance(item, dict) else None
        text = item.get("text") if isinstance(item, dict) else None
        if start is None or not isinstance(text, str):
            bad.append(f"snippet {n}")
            continue
        dur = _number(item.get("duration", 0)) or 0.0
        parsed.cues.append(Cue(start, dur, _clean(text)))
    if bad:
        problems.append(
            MalformedCueWarning(
                f"{len(bad)} snippet(s) skipped, they need 'text' and a numeric 'start': "
                f"{_listing(bad)}."
            )
        )
    if not parsed.cues:
        problems.append(MalformedCaptionsError("The transcript has no snippet."))
    return parsed


def _parse_json(text: str, problems: list[errors.SourceError]) -> tuple[str, _Parsed]:
    """Any JSON caption file: json3, a snippet list, or the fetch cache's wrapper."""
    try:
        data = json.loads(text, parse_int=_json_int)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        problems.append(
            MalformedCaptionsError(
                f"Invalid JSON ({exc}).",
                hint="Download the captions again; the file may be truncated.",
            )
        )
        return UNKNOWN, _Parsed()
    if isinstance(data, dict) and "events" in data:
        return JSON3, _parse_json3(data, problems)
    if isinstance(data, dict) and "snippets" in data:
        snippets = data.get("snippets")
        if not isinstance(snippets, list):
            problems.append(MalformedCaptionsError("'snippets' is not a list."))
            return YTA_CACHE, _Parsed()
        parsed = _parse_snippets(snippets, problems)
        vid = data.get("video_id")
        parsed.video_id = vid if isinstance(vid, str) and vid else None
        lang = data.get("language_code")
        # A language code, or nothing: the field is stored and shown as it is.
        parsed.language = lang if isinstance(lang, str) and _LANG_RE.fullmatch(lang) else None
        gen = data.get("is_generated")
        if isinstance(gen, bool):
            parsed.kind = GENERATED if gen else MANUAL
        return YTA_CACHE, parsed
    if isinstance(data, list) and (not data or isinstance(data[0], dict)):
        return YTA_JSON, _parse_snippets(data, problems)
    if isinstance(data, list) and data and isinstance(data[0], list):
        problems.append(
            UnknownCaptionFormatError(
                "This is a word-timing list, not a caption track.",
                hint="Read the captions file beside it; word_timings.json is picked up with it.",
            )
        )
        return UNKNOWN, _Parsed()
    problems.append(
        UnknownCaptionFormatError(
            "The JSON is neither json3 ('events'), a youtube-transcript-api snippet list, "
            "nor a {'snippets': [...]} cache file."
        )
    )
    return UNKNOWN, _Parsed()


# --- word timings -----------------------------------------------------------------------------


def _word_items(items: Iterable[Any], depth: int = 0) -> Iterator[tuple[Any, Any, Any] | None]:
    """Flatten [word, start, end] triples, dicts, and lists of them (per segment)."""
    for it in items:
        if isinstance(it, dict):
            inner = it.get("words")
            if isinstance(inner, list) and depth < 3:
                yield from _word_items(inner, depth + 1)
            else:
                yield (it.get("word", it.get("text")), it.get("start"), it.get("end"))
        elif isinstance(it, list | tuple) and len(it) == 3 and isinstance(it[0], str):
            yield (it[0], it[1], it[2])
        elif isinstance(it, list | tuple) and depth < 3:
            yield from _word_items(it, depth + 1)
        else:
            yield None


def read_word_timings(path: Path, problems: list[errors.SourceError]) -> list[Word] | None:
    """Read a word-timing file (``word_timings.json``); problems are recorded, not raised.

    The file is a JSON list of ``[word, start_s, end_s]``, possibly nested per segment,
    as speech-recognition tools write it. Such tools mark a new word with a leading
    space and split some words into pieces (``" pseudo"``, ``"-hexagonal"``); when the
    file follows that convention, pieces without a leading space are joined to the word
    before, so words line up with caption text.
    """
    try:
        raw = read_bounded(path, MAX_SIDECAR_BYTES)
        data = json.loads(raw.decode("utf-8-sig"), parse_int=_json_int)
    except errors.SourceError as exc:
        problems.append(WordTimingsWarning(f"{path.name} could not be read: {exc.detail}"))
        return None
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON
        problems.append(WordTimingsWarning(f"{path.name} could not be read ({exc})."))
        return None
    if not isinstance(data, list):
        problems.append(WordTimingsWarning(f"{path.name} is not a JSON list."))
        return None
    raw: list[tuple[str, float, float]] = []
    bad = 0
    for item in _word_items(data):
        text, start, end = item if item is not None else (None, None, None)
        s, e = _number(start), _number(end)
        if not isinstance(text, str) or s is None or e is None or e < s:
            bad += 1
            continue
        raw.append((text, s, e))
    if bad:
        problems.append(WordTimingsWarning(f"{bad} item(s) in {path.name} skipped as unreadable."))
    if not raw:
        if not bad:
            problems.append(WordTimingsWarning(f"{path.name} holds no words."))
        return None
    spaced = sum(1 for t, _, _ in raw if t[:1].isspace()) * 2 >= len(raw)
    words: list[Word] = []
    for text, s, e in raw:
        if spaced and words and not text[:1].isspace():
            last = words[-1]
            words[-1] = Word(last.start, max(last.end, e), last.text + text.strip())
        elif text.strip():
            words.append(Word(s, e, safe_text(text.strip())))
    return words


# --- entry point ----------------------------------------------------------------------------------


def read_caption_file(
    path: Path,
    video_id: str | None = None,
    language: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> CaptionTrack:
    """Read one caption file into a :class:`CaptionTrack`; problems are recorded, never raised.

    ``video_id`` and ``language`` given here win over what the file's content or name says.
    """
    path = Path(path)
    problems: list[errors.SourceError] = []
    track = CaptionTrack(None, language, UNKNOWN_KIND, UNKNOWN, [], None, str(path), problems)
    parsed = _Parsed()
    try:
        data = read_bounded(
            path,
            max_bytes,
            too_large=CaptionFileTooLargeError,
            unreadable=UnreadableCaptionFileError,
        )
    except errors.SourceError as exc:
        problems.append(exc)
        data = b""

    track.size_bytes = len(data)
    if data:
        track.content_hash = hashlib.blake2b(data, digest_size=16).hexdigest()
    if not problems:
        if not data.strip():
            problems.append(EmptyCaptionFileError())
        else:
            text = _decode(data, problems)
            if text is not None and not text.strip():
                problems.append(EmptyCaptionFileError())
            elif text is not None:
                track.format, parsed = _read_text(path, text, problems)

    track.cues = parsed.cues
    track.words = parsed.words
    track.kind = parsed.kind
    _resolve_ids(track, path, video_id, parsed)
    if track.words is None and track.cues and path.name.split(".")[0] == "captions":
        sidecar = path.with_name(WORD_TIMINGS_NAME)
        if sidecar.is_file():
            track.words = read_word_timings(sidecar, problems)
    return track


def _read_text(path: Path, text: str, problems: list[errors.SourceError]) -> tuple[str, _Parsed]:
    """Pick the format (content first, extension second) and parse."""
    ext = path.suffix.lower()
    family = _sniff(text)
    if family is None:
        expected = _EXT_FORMATS.get(ext)
        if expected is None:
            problems.append(UnknownCaptionFormatError(f"'{path.name}' is not a caption file."))
            return UNKNOWN, _Parsed()
        family = "json" if ext in (".json", ".json3") else "xml" if SRV1 in expected else ext[1:]
    if family == SRT and ext == ".vtt" and not _SRT_COMMA_RE.search(text):
        family = VTT  # WebVTT cues ('.' before the milliseconds) without the header line
    if family == SRT:
        fmt, parsed = SRT, _parse_srt(text, problems)
    elif family == VTT:
        fmt, parsed = VTT, _parse_vtt(text, problems)
    elif family == "json":
        fmt, parsed = _parse_json(text, problems)
    else:
        fmt, parsed = SRV1, _parse_srv1(text, problems)
    expected = _EXT_FORMATS.get(ext)
    if expected is not None and fmt != UNKNOWN and fmt not in expected:
        problems.append(
            CaptionFormatMismatchWarning(f"'{path.name}' holds {fmt} captions; read as {fmt}.")
        )
    return fmt, parsed


def _resolve_ids(track: CaptionTrack, path: Path, video_id: str | None, parsed: _Parsed) -> None:
    """Video id and language: argument, then file content, then file or folder name."""
    name_id, name_lang = ids_from_path(path)
    track.language = track.language or parsed.language or name_lang
    if video_id is not None:
        if is_video_id(video_id.strip()):
            track.video_id = video_id.strip()
        else:
            track.problems.append(
                MissingCaptionVideoIdError(f"'{video_id}' is not an 11-character YouTube video id.")
            )
        return
    content_id = parsed.video_id
    if content_id is not None and not is_video_id(content_id):
        track.problems.append(
            MissingCaptionVideoIdError(
                f"The file's video_id '{content_id}' is not an 11-character YouTube video id."
            )
        )
        return
    if content_id and name_id and content_id != name_id:
        track.problems.append(
            VideoIdMismatchWarning(f"The file says '{content_id}', its name says '{name_id}'.")
        )
    track.video_id = content_id or name_id
    if track.video_id is None:
        track.problems.append(
            MissingCaptionVideoIdError(
                f"No video id in the name of '{path.parent.name}/{path.name}'."
            )
        )
