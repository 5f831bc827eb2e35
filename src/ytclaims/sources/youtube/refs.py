"""Video references: ids and YouTube URLs -> video ids. No network code is imported here,
so ``show``, ``config`` and the notes parser can check a reference cheaply."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ytclaims.errors import SourceError
from ytclaims.records import VIDEO_ID_RE
from ytclaims.sources.reading import read_bounded
from ytclaims.sources.youtube.errors import InvalidVideoRefError, RefsFileError

#: Largest list of video ids read (a million URLs is some 50 MB).
MAX_REFS_BYTES = 64 * 1024 * 1024

#: Language codes end up in cache file names, so only these characters are allowed.
LANGUAGE_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,34}")

_YOUTUBE_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)
_SHORT_HOSTS = frozenset({"youtu.be", "www.youtu.be"})
_PATH_FORMS = frozenset({"shorts", "embed", "live"})
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def parse_video_ref(s: str) -> str:
    """The 11-character video id in ``s`` (a bare id or a YouTube video URL).

    Strict on purpose: a channel or playlist URL, another host, or an id of the wrong
    length is an error rather than a guess, so a typo never fetches the wrong video.
    """
    ref = (s or "").strip()
    if VIDEO_ID_RE.fullmatch(ref):
        return ref
    shown = ref if len(ref) <= 120 else ref[:117] + "..."
    bad = InvalidVideoRefError(f"'{shown}' is not a YouTube video id or video URL.")
    if not ref or any(c.isspace() for c in ref):
        raise bad
    try:
        parts = urlsplit(ref if _SCHEME_RE.match(ref) else "https://" + ref)
        host = (parts.hostname or "").lower()
        has_userinfo = parts.username is not None
    except ValueError:
        raise bad from None
    if parts.scheme.lower() not in ("http", "https") or has_userinfo:
        raise bad
    segments = [seg for seg in parts.path.split("/") if seg]
    candidate: str | None = None
    if host in _YOUTUBE_HOSTS:
        if segments == ["watch"]:
            values = parse_qs(parts.query).get("v", [])
            candidate = values[0] if len(values) == 1 else None
        elif len(segments) == 2 and segments[0] in _PATH_FORMS:
            candidate = segments[1]
    elif host in _SHORT_HOSTS and len(segments) == 1:
        candidate = segments[0]
    if candidate is None or not VIDEO_ID_RE.fullmatch(candidate):
        raise bad
    return candidate


def read_refs_file(path: str | Path) -> tuple[list[str], list[dict[str, Any]]]:
    """Video ids from a file with one id or URL per line, and the lines that are not.

    Blank lines and ``#`` comments (whole-line, or after whitespace) are ignored;
    duplicates are dropped (first one kept). A bad line is returned as a problem
    ``{path, line, text, error_kind, message}`` instead of stopping the run, so one typo
    in a list of 500 videos does not cost the other 499.
    """
    p = Path(path)
    try:  # a regular file, bounded: --from-file /dev/zero or a FIFO must not hang a fetch
        text = read_bounded(p, MAX_REFS_BYTES).decode("utf-8-sig", errors="replace")
    except SourceError as exc:
        raise RefsFileError(f"Cannot read '{p}': {exc.detail}") from exc
    ids: list[str] = []
    seen: set[str] = set()
    problems: list[dict[str, Any]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = re.split(r"(?:^|\s)#", raw, maxsplit=1)[0].strip()
        if not line:
            continue
        try:
            vid = parse_video_ref(line)
        except InvalidVideoRefError as exc:
            problems.append(
                {
                    "path": str(p),
                    "line": lineno,
                    "text": line,
                    "error_kind": exc.kind,
                    "message": exc.message,
                }
            )
            continue
        if vid not in seen:
            seen.add(vid)
            ids.append(vid)
    return ids, problems
