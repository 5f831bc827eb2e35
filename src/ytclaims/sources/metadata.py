"""Video metadata: title, channel, upload date and duration, and where each came from.

A citation needs what the notes do not say: the video's real title, the channel's name
(not its folder slug), the upload date and the running time. They come from files users
already have, and from the fetch path:

* ``youtube``: what YouTube itself sent when ``ytclaims fetch`` fetched the transcript
  (the player response's ``videoDetails`` and the watch page's
  ``microformat.playerMicroformatRenderer``), kept in the fetch cache file beside the
  snippets (:func:`from_player_responses`, :func:`from_fetch_cache`);
* ``yt-dlp``: a yt-dlp ``.info.json`` (``yt-dlp --write-info-json --skip-download``),
  ingested like any other file (:func:`read_info_json`);
* ``csv``: a plain CSV with a ``video_id`` column and any of ``title``, ``channel``,
  ``channel_handle``, ``upload_date`` and ``duration`` (:func:`read_metadata_csv`).

:data:`PRECEDENCE` is the one order in which sources are trusted, best first; the
warehouse view ``videos`` takes each field from the best source that has it (the most
recently loaded one among equals), so a later, better source replaces a worse one and a
later, worse one never does. Everything here is validated and bounded: a title is
folded to one line of at most :data:`MAX_TEXT` characters, a date must lie between
YouTube's first upload and tomorrow, a duration must be positive and under a week;
what does not pass is a recorded problem, never a guess.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ytclaims import errors
from ytclaims.records import is_video_id
from ytclaims.sources.notes import content_hash

#: Where metadata comes from, best first. Ranks are positions in this tuple (1-based).
#: ``index`` (a channel index page of the notes: title and channel folder), ``note``
#: (the channel a note names) and ``transcript`` (the end of the last cue: a lower
#: bound of the duration) are filled by the warehouse from rows it already has.
PRECEDENCE: tuple[str, ...] = ("youtube", "yt-dlp", "csv", "index", "note", "transcript")

#: Longest title or channel name kept (YouTube allows 100 characters for a title).
MAX_TEXT = 500
#: yt-dlp info files are a few hundred kB (formats, thumbnails); refuse anything huge.
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
#: Rows a metadata CSV may hold: far beyond any channel, small enough to stay bounded.
MAX_CSV_ROWS = 1_000_000
#: The day "Me at the zoo" was uploaded: no YouTube video is older.
FIRST_UPLOAD = date(2005, 4, 23)
#: Longest duration believed (YouTube archives live streams of up to 12 hours).
MAX_DURATION_SECONDS = 7 * 24 * 3600

INFO_JSON_SUFFIX = ".info.json"
CSV_SUFFIX = ".csv"

_HANDLE_RE = re.compile(r"@[A-Za-z0-9._\-\u00b7\u0080-\uffff]{1,100}")
_HANDLE_URL_RE = re.compile(r"youtube\.com/(@[^/?#\s]+)", re.IGNORECASE)
_CHANNEL_ID_RE = re.compile(r"UC[A-Za-z0-9_-]{22}")
_DATE_RE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:$|[T ])")
_HMS_RE = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")
#: Control characters (ANSI escapes included) and the Unicode line/paragraph separators.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


# --- errors (recorded in ingest_errors, never raised out of a run) ------------------------


class MetadataFileError(errors.SourceError):
    """A metadata file (yt-dlp .info.json or CSV) could not be read as metadata."""

    kind = "bad_metadata"
    hint = (
        "A yt-dlp .info.json must be one video's JSON object with its 'id'; a metadata CSV "
        "needs a header with video_id and any of title, channel, channel_handle, "
        "upload_date (YYYY-MM-DD or YYYYMMDD), duration (seconds or H:MM:SS)."
    )


class MetadataValueWarning(errors.SourceError):
    """A metadata value was unusable and left out; the rest of the file was loaded."""

    kind = "bad_metadata_value"
    severity = "warning"
    hint = "Fix the value named here (the other values were loaded) and ingest the file again."


class NotMetadataCsvError(errors.SourceError):
    """A CSV file that is not a video metadata table."""

    kind = "unsupported_file"
    severity = "skipped"
    hint = (
        "Only CSV files whose header has a video_id column are read (video metadata: "
        "video_id,title,channel,upload_date,duration); other CSV files are skipped."
    )


# --- the record ------------------------------------------------------------------------


@dataclass(slots=True)
class VideoMeta:
    """What one source says about one video; any field may be unknown (None)."""

    video_id: str
    origin: str
    title: str | None = None
    channel_name: str | None = None
    channel_handle: str | None = None
    channel_id: str | None = None
    upload_date: date | None = None
    duration_seconds: float | None = None
    #: When the source read it from YouTube (fetch time, yt-dlp's extraction time).
    retrieved_at: datetime | None = None

    def is_empty(self) -> bool:
        return all(
            v is None
            for v in (
                self.title,
                self.channel_name,
                self.channel_handle,
                self.channel_id,
                self.upload_date,
                self.duration_seconds,
            )
        )

    def row(self, source_id: str, path: str) -> dict[str, object]:
        """A ``video_metadata`` row (plus the staging-only ``_path``)."""
        return {
            "_path": path,
            "video_id": self.video_id,
            "source_id": source_id,
            "origin": self.origin,
            "title": self.title,
            "channel_name": self.channel_name,
            "channel_handle": self.channel_handle,
            "channel_id": self.channel_id,
            "upload_date": self.upload_date,
            "duration_seconds": self.duration_seconds,
            "retrieved_at": self.retrieved_at,
        }


@dataclass(slots=True)
class MetadataFile:
    """A metadata file as read: its videos, its problems, and its bytes' hash."""

    path: str
    origin: str
    videos: list[VideoMeta] = field(default_factory=list)
    problems: list[errors.SourceError] = field(default_factory=list)
    content_hash: str = ""
    size_bytes: int = 0

    @property
    def fatal(self) -> errors.SourceError | None:
        return errors.first_fatal(self.problems)


def is_metadata_file(path: Path) -> bool:
    """Is this file read as metadata (a yt-dlp ``.info.json`` or a ``.csv``)?"""
    name = path.name.lower()
    return name.endswith(INFO_JSON_SUFFIX) or name.endswith(CSV_SUFFIX)


# --- cleaning single values ----------------------------------------------------------------


def clean_text(value: object) -> str | None:
    """One line of printable text, at most :data:`MAX_TEXT` characters; None if empty.

    Control characters (a terminal escape sequence, a stray newline) are dropped, not
    kept for a terminal or a reference list to interpret; the text is NFC-normalised.
    """
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFC", _CONTROL_RE.sub(" ", value))
    text = " ".join(text.split())
    if not text:
        return None
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "\u2026"


def parse_handle(value: object) -> str | None:
    """``@handle`` from ``@Handle``, ``Handle`` or a ``youtube.com/@Handle`` URL."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    m = _HANDLE_URL_RE.search(value)
    if m:
        value = m.group(1)
    if not value.startswith("@"):
        if "/" in value or " " in value:
            return None
        value = "@" + value
    return value if _HANDLE_RE.fullmatch(value) else None


def parse_channel_id(value: object) -> str | None:
    return value if isinstance(value, str) and _CHANNEL_ID_RE.fullmatch(value) else None


def parse_upload_date(value: object, *, today: date | None = None) -> date | None:
    """A date from ``20240305``, ``2024-03-05`` or ``2024-03-05T07:00:12-08:00``.

    The date is taken as written (YouTube's own calendar day for the video); anything
    before YouTube's first upload or after tomorrow is refused (None).
    """
    if not isinstance(value, str):
        return None
    m = _DATE_RE.match(value.strip())
    if not m:
        return None
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    latest = (today or datetime.now(UTC).date()) + timedelta(days=1)
    return d if FIRST_UPLOAD <= d <= latest else None


def parse_duration(value: object) -> float | None:
    """Seconds from a number, ``"754"``, ``"754.5"`` or ``"12:34"``/``"1:02:05"``.

    Must be positive and under :data:`MAX_DURATION_SECONDS`; otherwise None.
    """
    seconds: float | None = None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        m = _HMS_RE.match(text)
        if m:
            h, mm, ss = int(m.group(1) or 0), int(m.group(2)), int(m.group(3))
            if mm < 60 and ss < 60:
                seconds = float(h * 3600 + mm * 60 + ss)
        else:
            try:
                seconds = float(text)
            except ValueError:
                seconds = None
    if seconds is None or seconds != seconds or not 0 < seconds <= MAX_DURATION_SECONDS:
        return None
    return seconds


def _epoch(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        at = datetime.fromtimestamp(float(value), UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return at if at.date() >= FIRST_UPLOAD else None


def _iso(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


# --- the fetch path: what YouTube sent with the transcript ----------------------------------


def from_player_responses(
    video_id: str,
    responses: list[dict[str, Any]],
    retrieved_at: datetime | None = None,
) -> VideoMeta | None:
    """Metadata from player responses YouTube sent while a transcript was fetched.

    youtube-transcript-api asks the innertube ``player`` endpoint (its answer has
    ``videoDetails``: title, author, lengthSeconds, channelId) after reading the watch
    page (whose ``ytInitialPlayerResponse`` also carries ``microformat.
    playerMicroformatRenderer``: publishDate/uploadDate, ownerChannelName,
    ownerProfileUrl with the @handle). Each field is taken from the first response that
    has it; responses about another video are ignored. None when nothing was found.
    """
    meta = VideoMeta(video_id, "youtube", retrieved_at=retrieved_at)
    for resp in responses:
        if not isinstance(resp, dict):
            continue
        details = resp.get("videoDetails")
        details = details if isinstance(details, dict) else {}
        micro = resp.get("microformat")
        micro = micro.get("playerMicroformatRenderer") if isinstance(micro, dict) else None
        micro = micro if isinstance(micro, dict) else {}
        about = details.get("videoId") or micro.get("externalVideoId")
        if about is not None and about != video_id:
            continue
        micro_title = micro.get("title")
        if isinstance(micro_title, dict):
            micro_title = micro_title.get("simpleText")
        meta.title = meta.title or clean_text(details.get("title")) or clean_text(micro_title)
        meta.channel_name = (
            meta.channel_name
            or clean_text(micro.get("ownerChannelName"))
            or clean_text(details.get("author"))
        )
        meta.channel_handle = meta.channel_handle or parse_handle(micro.get("ownerProfileUrl"))
        meta.channel_id = (
            meta.channel_id
            or parse_channel_id(details.get("channelId"))
            or parse_channel_id(micro.get("externalChannelId"))
        )
        meta.upload_date = (
            meta.upload_date
            or parse_upload_date(micro.get("publishDate"))
            or parse_upload_date(micro.get("uploadDate"))
        )
        meta.duration_seconds = (
            meta.duration_seconds
            or parse_duration(details.get("lengthSeconds"))
            or parse_duration(micro.get("lengthSeconds"))
        )
    return None if meta.is_empty() else meta


_PLAYER_VAR_RE = re.compile(r"ytInitialPlayerResponse\s*=\s*")


def player_response_from_html(html: str) -> dict[str, Any] | None:
    """The ``ytInitialPlayerResponse`` object embedded in a watch page, if any.

    The object is decoded with ``raw_decode`` from where the assignment starts, so the
    rest of the page (more scripts, more JSON) is never parsed.
    """
    m = _PLAYER_VAR_RE.search(html)
    if m is None:
        return None
    try:
        obj, _ = json.JSONDecoder().raw_decode(html, m.end())
    except (ValueError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


def as_cache_dict(meta: VideoMeta) -> dict[str, object]:
    """The metadata as plain JSON for the fetch cache file (the ``video`` key)."""
    return {
        "title": meta.title,
        "channel_name": meta.channel_name,
        "channel_handle": meta.channel_handle,
        "channel_id": meta.channel_id,
        "upload_date": meta.upload_date.isoformat() if meta.upload_date else None,
        "duration_seconds": meta.duration_seconds,
        "source": "youtube player response",
    }


def from_fetch_cache(data: object, video_id: str) -> VideoMeta | None:
    """Metadata from a fetch cache file's ``video`` object (see :func:`as_cache_dict`).

    The cache file is a file on disk like any other input: every value is validated
    again. ``fetched_at`` becomes the retrieval date.
    """
    if not isinstance(data, dict):
        return None
    video = data.get("video")
    if not isinstance(video, dict):
        return None
    meta = VideoMeta(
        video_id,
        "youtube",
        title=clean_text(video.get("title")),
        channel_name=clean_text(video.get("channel_name")),
        channel_handle=parse_handle(video.get("channel_handle")),
        channel_id=parse_channel_id(video.get("channel_id")),
        upload_date=parse_upload_date(video.get("upload_date")),
        duration_seconds=parse_duration(video.get("duration_seconds")),
        retrieved_at=_iso(data.get("fetched_at")),
    )
    return None if meta.is_empty() else meta


# --- files users have: yt-dlp .info.json, CSV ------------------------------------------------


def _read_bytes(path: Path, max_bytes: int, out: MetadataFile) -> bytes | None:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            out.problems.append(
                errors.SourceTooLargeError(f"{size:,} bytes is over the {max_bytes:,}-byte limit.")
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        out.problems.append(errors.UnreadableSourceError(f"{exc.strerror or exc}."))
        return None
    out.size_bytes = len(data)
    out.content_hash = content_hash(data)
    if not data.strip():
        out.problems.append(errors.EmptySourceError())
        return None
    return data


def read_info_json(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> MetadataFile:
    """One video's metadata from a yt-dlp ``.info.json``.

    Read: ``id``; ``title`` (else ``fulltitle``); ``channel`` (else ``uploader``);
    the handle from ``uploader_id`` (``@name``), ``channel_url`` or ``uploader_url``;
    ``channel_id``; ``upload_date`` (``YYYYMMDD``, else ``release_date``);
    ``duration`` (seconds); ``epoch`` (when yt-dlp extracted it). A playlist's info
    file, another site's video, or a file without an 11-character id is an error.
    """
    path = Path(path)
    out = MetadataFile(str(path), "yt-dlp")
    data = _read_bytes(path, max_bytes, out)
    if data is None:
        return out
    try:
        info = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        out.problems.append(MetadataFileError(f"Not valid UTF-8 JSON: {exc}."))
        return out
    except RecursionError:
        out.problems.append(MetadataFileError("The JSON is nested too deeply to read."))
        return out
    if not isinstance(info, dict):
        out.problems.append(MetadataFileError("The file is not a JSON object."))
        return out
    if info.get("_type") not in (None, "video"):
        out.problems.append(
            MetadataFileError(
                f"This is a yt-dlp '{info.get('_type')}' file, not one video's.",
                hint="Write one .info.json per video (yt-dlp --write-info-json on the "
                "videos, not the playlist).",
            )
        )
        return out
    extractor = str(info.get("extractor_key") or info.get("extractor") or "youtube").lower()
    if not extractor.startswith("youtube"):
        out.problems.append(
            MetadataFileError(f"Metadata of a {extractor!r} video, not a YouTube one.")
        )
        return out
    vid = info.get("id")
    if not isinstance(vid, str) or not is_video_id(vid):
        out.problems.append(MetadataFileError(f"'id' is {vid!r}, not an 11-character video id."))
        return out
    meta = VideoMeta(vid, "yt-dlp")
    meta.title = clean_text(info.get("title")) or clean_text(info.get("fulltitle"))
    meta.channel_name = clean_text(info.get("channel")) or clean_text(info.get("uploader"))
    meta.channel_handle = (
        parse_handle(info.get("uploader_id"))
        if str(info.get("uploader_id") or "").startswith("@")
        else None
    ) or next(
        (h for k in ("channel_url", "uploader_url") if (h := _url_handle(info.get(k)))),
        None,
    )
    meta.channel_id = parse_channel_id(info.get("channel_id"))
    meta.upload_date = _checked(
        out, "upload_date", info.get("upload_date"), parse_upload_date
    ) or parse_upload_date(info.get("release_date"))
    meta.duration_seconds = _checked(out, "duration", info.get("duration"), parse_duration)
    meta.retrieved_at = _epoch(info.get("epoch"))
    if meta.is_empty():
        out.problems.append(MetadataFileError("No title, channel, date or duration in the file."))
        return out
    out.videos.append(meta)
    return out


def _url_handle(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    m = _HANDLE_URL_RE.search(value)
    return parse_handle(m.group(1)) if m else None


def _checked(out: MetadataFile, name: str, value: object, parse: Any, where: str = "") -> Any:
    """``parse(value)``, recording a warning when a value was given but is unusable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed = parse(value)
    if parsed is None:
        shown = value if not isinstance(value, str) else clean_text(value)
        out.problems.append(MetadataValueWarning(f"{where}{name} {shown!r} is not usable."))
    return parsed


#: CSV header names accepted for each field (case and spaces ignored).
_CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "video_id": ("video_id", "videoid", "id"),
    "title": ("title", "video_title"),
    "channel": ("channel", "channel_name", "uploader", "author"),
    "channel_handle": ("channel_handle", "handle"),
    "upload_date": ("upload_date", "date", "published", "publish_date"),
    "duration": ("duration", "duration_seconds", "length_seconds", "length"),
}


def _header_map(header: list[str]) -> dict[str, int]:
    norm = [re.sub(r"[\s-]+", "_", h.strip().lstrip("\ufeff").lower()) for h in header]
    out: dict[str, int] = {}
    for name, aliases in _CSV_COLUMNS.items():
        for i, h in enumerate(norm):
            if h in aliases and name not in out:
                out[name] = i
    return out


def read_metadata_csv(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> MetadataFile:
    """Videos' metadata from a CSV: ``video_id,title,channel,upload_date,duration``.

    The header decides: a ``video_id`` column is required (else the file is skipped as
    not a metadata table), the others are optional and may come in any order
    (``channel_handle`` too; a channel written ``@name`` is taken as the handle). One
    bad row or value is one warning naming its line; the good rows are loaded. A
    video listed twice keeps its first row.
    """
    path = Path(path)
    out = MetadataFile(str(path), "csv")
    data = _read_bytes(path, max_bytes, out)
    if data is None:
        return out
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        out.problems.append(errors.EncodingWarning_())
    if "\x00" in text:
        out.problems.append(errors.BinarySourceError())
        return out
    # The delimiter is the one the header line uses most (spreadsheets in some locales
    # write ';'); quoting is the standard one (csv.Sniffer guesses it wrongly for
    # doubled quotes inside a quoted field).
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        out.problems.append(MetadataFileError(f"Unreadable CSV: {exc}."))
        return out
    cols = _header_map(header or [])
    if "video_id" not in cols:
        out.problems.append(NotMetadataCsvError("The header has no video_id column."))
        return out
    seen: set[str] = set()
    n = 1
    try:
        for n, row in enumerate(reader, start=2):
            if n - 1 > MAX_CSV_ROWS:
                out.problems.append(
                    MetadataValueWarning(f"More than {MAX_CSV_ROWS:,} rows; the rest was left out.")
                )
                break
            if not any(c.strip() for c in row):
                continue
            meta = _csv_row(row, cols, n, out)
            if meta is None:
                continue
            if meta.video_id in seen:
                out.problems.append(
                    MetadataValueWarning(
                        f"line {n}: video {meta.video_id} is listed again; kept its first row."
                    )
                )
                continue
            seen.add(meta.video_id)
            out.videos.append(meta)
    except csv.Error as exc:
        out.problems.append(MetadataValueWarning(f"Unreadable CSV after line {n}: {exc}."))
    if not out.videos and out.fatal is None:
        out.problems.append(MetadataFileError("No row with a valid video id and any metadata."))
    return out


def _csv_row(row: list[str], cols: dict[str, int], n: int, out: MetadataFile) -> VideoMeta | None:
    def cell(name: str) -> str | None:
        i = cols.get(name)
        return row[i].strip() if i is not None and i < len(row) else None

    vid = cell("video_id") or ""
    if not is_video_id(vid):
        out.problems.append(
            MetadataValueWarning(
                f"line {n}: video_id {clean_text(vid)!r} is not an 11-character id."
            )
        )
        return None
    meta = VideoMeta(vid, "csv", title=clean_text(cell("title")))
    channel = cell("channel")
    if channel and channel.startswith("@"):
        meta.channel_handle = _checked(out, "channel", channel, parse_handle, f"line {n}: ")
    else:
        meta.channel_name = clean_text(channel)
    handle = cell("channel_handle")
    if handle:
        meta.channel_handle = _checked(out, "channel_handle", handle, parse_handle, f"line {n}: ")
    meta.upload_date = _checked(
        out, "upload_date", cell("upload_date"), parse_upload_date, f"line {n}: "
    )
    meta.duration_seconds = _checked(
        out, "duration", cell("duration"), parse_duration, f"line {n}: "
    )
    if meta.is_empty():
        return None
    return meta


def read_metadata_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> MetadataFile:
    """A yt-dlp ``.info.json`` or a metadata CSV, by its name."""
    path = Path(path)
    if path.name.lower().endswith(INFO_JSON_SUFFIX):
        return read_info_json(path, max_bytes=max_bytes)
    return read_metadata_csv(path, max_bytes=max_bytes)
