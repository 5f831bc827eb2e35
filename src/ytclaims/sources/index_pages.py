"""Channel index pages: the video titles and URLs that notes themselves lack.

A note's front-matter ``title`` is the note's topic ("Challenges in AI hardware"),
not the video's title. ``<channel>/<channel>.md`` lists each video as
``### [Video title](https://www.youtube.com/watch?v=ID)`` followed by links to its
notes. Citations need the real video title, so these pages feed the ``videos``
view. They are never a source of claims.
"""

from __future__ import annotations

import re

from ytclaims.sources.notes import NoteFile

# The URL stops at brackets and blanks, so each "](" tried costs its URL, not the line.
_ENTRY_RE = re.compile(
    r"^#{1,6}[ \t]*\[(?P<title>.+?)\]\((?P<url>[^()\[\]\s]+)\)[ \t]*$", re.MULTILINE
)
_ID_IN_URL_RE = re.compile(
    r"(?:[?&]v=|youtu\.be/|/shorts/|/embed/|/live/)(?P<id>[A-Za-z0-9_-]{11})(?![A-Za-z0-9_-])"
)
_WIKI_RE = re.compile(r"\[\[([^\[\]|]+)")


def video_id_from_url(url: str) -> str | None:
    """The 11-character id in a watch/short/youtu.be/embed URL, or None."""
    m = _ID_IN_URL_RE.search(url)
    return m.group("id") if m else None


def parse_index(nf: NoteFile) -> list[dict[str, object]]:
    """One row per video listed on the page: id, title, channel, url, its note slugs."""
    rows: list[dict[str, object]] = []
    matches = list(_ENTRY_RE.finditer(nf.body))
    for i, m in enumerate(matches):
        vid = video_id_from_url(m.group("url"))
        if not vid:
            continue
        end = matches[i + 1].start() if i + 1 < len(matches) else len(nf.body)
        slugs = [s.strip() for s in _WIKI_RE.findall(nf.body, m.end(), end)]
        rows.append(
            {
                "video_id": vid,
                "title": m.group("title").strip(),
                "channel": nf.channel,
                "url": m.group("url"),
                "note_slugs": slugs,
                "index_source_key": nf.source_key,
            }
        )
    return rows
