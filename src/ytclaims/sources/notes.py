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
from ytclaims.limits import MAX_FRONT_MATTER_CHARS, MAX_FRONT_MATTER_DEPTH, MAX_TITLE_CHARS
from ytclaims.records import is_video_id, safe_text
from ytclaims.sources.reading import decode_text, read_bounded

#: Notes larger than this are refused unless the caller raises the limit.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


_FROM_RE = re.compile(r"^From:\s*\[\[([^\]|]+)(?:\|[^\]]*)?\]\]", re.MULTILINE)
# Linear: no two adjacent parts can match the same characters.
_FM_LINE_RE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(.*)$")
#: Every scalar is read as text (BaseLoader): front matter values are titles and ids.
_YAML_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


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


class _RefusedYaml(Exception):
    """Front matter that is valid YAML but is not read as YAML (aliases, deep nesting)."""


def _check_yaml_events(block: str) -> None:
    """Refuse aliases and deep nesting before any YAML object is built.

    Aliases let a few hundred bytes stand for millions of values (a 469-byte "billion
    laughs" title renders as 34.7 M characters); notes never need them. Walking the
    parser's events is linear in the block and builds nothing.
    """
    depth = 0
    for event in yaml.parse(block, Loader=_YAML_LOADER):
        if isinstance(event, yaml.AliasEvent):
            raise _RefusedYaml("it uses YAML aliases (*name), which notes never need")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_FRONT_MATTER_DEPTH:
                raise _RefusedYaml(f"it nests lists or mappings over {MAX_FRONT_MATTER_DEPTH} deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _literal_lines(block: str) -> dict[str, object]:
    """Each ``key: value`` line read literally (linear, whatever the block holds)."""
    meta: dict[str, object] = {}
    for line in block.splitlines():
        m = _FM_LINE_RE.match(line)
        if m:
            meta[m.group(1)] = m.group(2).strip().strip("\"'")
    return meta


def split_front_matter(
    text: str, problems: list[errors.SourceError]
) -> tuple[dict[str, object], str, int]:
    """Split ``---`` front matter from the body; tolerate YAML that is not quite YAML.

    Real titles contain colons (``title: Foo: bar``), which strict YAML rejects. In
    that case each ``key: value`` line is read literally, which is what the author
    meant. Values are read as text, never as YAML's numbers, dates or booleans:
    ``videoId: 0x1234567ab`` is a video id, not the integer 4886718379, and
    ``title: 12:30`` is not 750. Front matter over
    :data:`~ytclaims.limits.MAX_FRONT_MATTER_CHARS`, with aliases or deeply nested is
    read line by line too, with a warning.
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
    if len(block) > MAX_FRONT_MATTER_CHARS:
        problems.append(
            errors.FrontMatterError(
                f"The front matter is {len(block):,} characters, over the "
                f"{MAX_FRONT_MATTER_CHARS:,} read as YAML; its 'key: value' lines were read.",
                hint="Front matter holds a title and a videoId; move long text into the body.",
            )
        )
        problems[-1].severity = "warning"
        return _literal_lines(block), body, body_line
    meta: dict[str, object] = {}
    try:
        if block.strip():
            _check_yaml_events(block)
        loaded = yaml.load(block, Loader=_YAML_LOADER) if block.strip() else {}
        if isinstance(loaded, dict):
            meta = {str(k): v for k, v in loaded.items() if isinstance(k, str)}
        else:
            raise yaml.YAMLError("front matter is not a mapping")
    except _RefusedYaml as exc:
        problems.append(
            errors.FrontMatterError(
                f"The front matter was not read as YAML: {exc}; its 'key: value' lines were read.",
                hint="Write plain 'title: ...' and 'videoId: ...' lines.",
            )
        )
        problems[-1].severity = "warning"
        meta = _literal_lines(block)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        meta = _literal_lines(block)
    return meta, body, body_line


def _text_value(
    meta: dict[str, object], key: str, problems: list[errors.SourceError]
) -> str | None:
    """A front-matter value that must be text (title, videoId): lists and mappings are
    ignored with a warning; YAML's ``null``/``~`` is no value."""
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(
            errors.FrontMatterError(
                f"'{key}' is a {'list' if isinstance(value, list) else 'mapping'}, "
                "not text; it was ignored."
            )
        )
        problems[-1].severity = "warning"
        return None
    value = value.strip()
    return None if value in ("", "~", "null", "Null", "NULL") else value


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
        data = read_bounded(path, max_bytes)
    except errors.SourceError as exc:
        nf = NoteFile(spath, f"{path.parent.name}/{path.name}", "", 0)
        nf.problems.append(exc)
        return nf

    nf = NoteFile(spath, f"{path.parent.name}/{path.name}", content_hash(data), len(data))
    nf.problems = problems
    if not data.strip():
        problems.append(errors.EmptySourceError())
        return nf
    text = decode_text(data, problems)
    if text is None:
        return nf
    if not text.strip():
        problems.append(errors.EmptySourceError())
        return nf
    meta, body, body_line = split_front_matter(text, problems)
    nf.front_matter = meta
    nf.body = body
    nf.body_line = body_line
    nf.channel = safe_text(channel_from(body, path))
    nf.source_key = f"{nf.channel}/{path.name}"
    title = _text_value(meta, "title", problems)
    if title is not None and len(title) > MAX_TITLE_CHARS:
        problems.append(
            errors.LongTextWarning(
                f"The title is {len(title):,} characters; the first {MAX_TITLE_CHARS:,} were kept."
            )
        )
        title = title[:MAX_TITLE_CHARS]
    nf.title = title

    if is_index_page(path, meta):
        nf.kind = "index"
        nf.channel = title or path.parent.name
        nf.source_key = f"{nf.channel}/{path.name}"
        # A front-matter problem on an index page is not worth a warning.
        nf.problems = [p for p in problems if not isinstance(p, errors.FrontMatterError)]
        return nf

    vid_s = _text_value(meta, "videoId", problems) or _text_value(meta, "video_id", problems)
    if not vid_s:
        if not any(isinstance(p, errors.FrontMatterError) for p in problems):
            problems.append(errors.MissingVideoIdError("The front matter has no 'videoId'."))
        else:
            problems.append(errors.MissingVideoIdError("No 'videoId' could be read."))
    elif not is_video_id(vid_s):
        shown = vid_s if len(vid_s) <= 40 else vid_s[:40] + "…"
        problems.append(
            errors.MissingVideoIdError(f"'{shown}' is not an 11-character YouTube video id.")
        )
    else:
        nf.video_id = vid_s
    # Missing front matter alone is a warning when the rest is readable; a note
    # without a video id cannot yield citations and is an error (already recorded).
    for p in problems:
        if isinstance(p, errors.FrontMatterError):
            p.severity = "warning"
    return nf
