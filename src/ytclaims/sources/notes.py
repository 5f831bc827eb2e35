"""Read a video note file: bytes -> front matter, channel and Markdown body.

A note is Markdown with YAML front matter (``title``, ``videoId``), a
``From: [[channel]]`` line and inline ``yt-timestamp`` anchors. Channel index pages
(``<channel>/<channel>.md``) look like notes but list videos; they are recognised
here and handed to :mod:`ytclaims.sources.index_pages` instead.

Reading never raises for bad content: problems become :class:`SourceError`
instances collected on the result, so one broken note cannot stop a run.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ytclaims import errors
from ytclaims.records import is_video_id

#: Notes larger than this are refused unless the caller raises the limit.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


_FROM_RE = re.compile(r"^From:\s*\[\[([^\]|]+)(?:\|[^\]]*)?\]\]", re.MULTILINE)
_FM_LINE_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(slots=True)
class NoteFile:
    """One note file as read from disk, before claims are extracted."""

    path: str
    source_key: str  # '<channel>/<file name>': stable id input across machines
    content_hash: str
    size_bytes: int
    kind: str = "note"  # 'note' | 'index'
    front_matter: dict[str, object] = field(default_factory=dict)
    title: str | None = None
    video_id: str | None = None
    channel: str | None = None
    body: str = ""
    body_line: int = 1  # 1-based line number of the body's first line in the file
    problems: list[errors.SourceError] = field(default_factory=list)

    @property
    def fatal(self) -> errors.SourceError | None:
        """The first problem that keeps this file out of the warehouse, if any."""
        return errors.first_fatal(self.problems)


def content_hash(data: bytes) -> str:
    """Hash of the exact bytes: detects changed sources and ties rows to content."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def decode(data: bytes, problems: list[errors.SourceError]) -> str:
    """Decode UTF-8 (with or without BOM); fall back to replacement, recording it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        problems.append(errors.EncodingWarning_(f"byte {exc.start} is not UTF-8 ({exc.reason})."))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_front_matter(
    text: str, problems: list[errors.SourceError]
) -> tuple[dict[str, object], str, int]:
    """Split ``---`` front matter from the body; tolerate YAML that is not quite YAML.

    Real titles contain colons (``title: Foo: bar``), which strict YAML rejects. In
    that case each ``key: value`` line is read literally, which is what the author
    meant.
    """
    if not text.startswith("---"):
        problems.append(errors.FrontMatterError("The file does not start with '---'."))
        return {}, text, 1
    end = text.find("\n---", 3)
    if end < 0:
        problems.append(errors.FrontMatterError("The front matter is never closed with '---'."))
        return {}, text, 1
    block = text[3:end].strip("\n")
    after = text.find("\n", end + 4)
    body = "" if after < 0 else text[after + 1 :]
    body_line = text.count("\n", 0, after + 1) + 1 if after >= 0 else 1
    meta: dict[str, object] = {}
    try:
        loaded = yaml.load(block, Loader=_YAML_LOADER) if block.strip() else {}
        if isinstance(loaded, dict):
            meta = {str(k): v for k, v in loaded.items()}
        else:
            raise yaml.YAMLError("front matter is not a mapping")
    except yaml.YAMLError:
        for line in block.splitlines():
            m = _FM_LINE_RE.match(line)
            if m:
                meta[m.group(1)] = m.group(2).strip().strip("\"'")
    return meta, body, body_line


def channel_from(body: str, path: Path) -> str:
    """The channel a note belongs to: its ``From: [[channel]]`` line, else its folder."""
    m = _FROM_RE.search(body, 0, 4000)
    if m:
        return m.group(1).strip()
    return path.parent.name or "unknown"


def is_index_page(path: Path, meta: dict[str, object]) -> bool:
    """``<channel>/<channel>.md`` lists a channel's videos; it is metadata, not a note."""
    return path.stem == path.parent.name and "videoId" not in meta


def read_note(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> NoteFile:
    """Read one file into a :class:`NoteFile`; problems are recorded, never raised."""
    problems: list[errors.SourceError] = []
    spath = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            nf = NoteFile(spath, f"{path.parent.name}/{path.name}", "", size)
            nf.problems.append(
                errors.SourceTooLargeError(f"{size:,} bytes is over the {max_bytes:,}-byte limit.")
            )
            return nf
        data = path.read_bytes()
    except OSError as exc:
        nf = NoteFile(spath, f"{path.parent.name}/{path.name}", "", 0)
        nf.problems.append(errors.UnreadableSourceError(f"{exc.strerror or exc}."))
        return nf

    nf = NoteFile(spath, f"{path.parent.name}/{path.name}", content_hash(data), len(data))
    nf.problems = problems
    if not data.strip():
        problems.append(errors.EmptySourceError())
        return nf
    if b"\x00" in data[:65536]:
        problems.append(errors.BinarySourceError())
        return nf

    text = decode(data, problems)
    meta, body, body_line = split_front_matter(text, problems)
    nf.front_matter = meta
    nf.body = body
    nf.body_line = body_line
    nf.channel = channel_from(body, path)
    nf.source_key = f"{nf.channel}/{path.name}"
    title = meta.get("title")
    nf.title = str(title).strip() if title is not None else None

    if is_index_page(path, meta):
        nf.kind = "index"
        nf.channel = str(title).strip() if title else path.parent.name
        nf.source_key = f"{nf.channel}/{path.name}"
        # A front-matter problem on an index page is not worth a warning.
        nf.problems = [p for p in problems if not isinstance(p, errors.FrontMatterError)]
        return nf

    vid = meta.get("videoId", meta.get("video_id"))
    vid_s = str(vid).strip() if vid is not None else ""
    if not vid_s:
        if not any(isinstance(p, errors.FrontMatterError) for p in problems):
            problems.append(errors.MissingVideoIdError("The front matter has no 'videoId'."))
        else:
            problems.append(errors.MissingVideoIdError("No 'videoId' could be read."))
    elif not is_video_id(vid_s):
        problems.append(
            errors.MissingVideoIdError(f"'{vid_s}' is not an 11-character YouTube video id.")
        )
    else:
        nf.video_id = vid_s
    # Missing front matter alone is a warning when the rest is readable; a note
    # without a video id cannot yield citations and is an error (already recorded).
    for p in problems:
        if isinstance(p, errors.FrontMatterError):
            p.severity = "warning"
    return nf
