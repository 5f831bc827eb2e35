"""Find ``yt-timestamp`` anchors in a span of note text and read what they say.

What counts as an anchor: an ``<a ...>`` start tag whose ``class`` value begins
with ``yt`` (``class="yt-timestamp"``, and the damaged forms real notes contain:
``class="yt="yt-timestamp"``, ``class="yt="``, ``<a class class="yt-timestamp"``,
``class="yt-0timestamp"``). Every such tag becomes one anchor row; none is dropped.

Speed: 98 % of anchors are exactly ``<a class="yt-timestamp" data-t="X">[Y]</a>``;
one compiled regex reads those. Every other tag is handed, alone, to BeautifulSoup
(html.parser), which reads the attributes of broken markup the way a browser would.
Parsing whole files with BeautifulSoup instead costs as much as this whole extraction
(benchmarks/ingest_bench.py: 5.5 s vs 5.4 s on the shared corpus) and loses anchors that
follow a ``<script>`` in a code example, which html.parser swallows as raw text.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass

from bs4 import BeautifulSoup

from ytclaims.claims.text import html_text

#: Start tag of an anchor: ``<a``, up to the first ``>``, with a ``class`` value that
#: begins with ``yt`` (the tag may hold a ``<``: ``data-t="00:15:11]-[00:15:24]</a>`` is a
#: real damaged tag). Kept in sync with the independent count in the tests. Read by
#: :func:`anchor_tags`, which finds exactly this pattern's matches in linear time.
ANCHOR_START_RE = re.compile(r"<a\b[^>]*?\bclass\s*=\s*[\"']?yt[^>]*>", re.IGNORECASE)
_A_OPEN_RE = re.compile(r"<a\b", re.IGNORECASE)
_CLASS_YT_RE = re.compile(r"\bclass\s*=\s*[\"']?yt", re.IGNORECASE)
_CANONICAL_RE = re.compile(r'<a class="yt-timestamp" data-t="(?P<t>[^"<>]*)">(?P<label>[^<]*)</a>')
_CLOSE_RE = re.compile(r"</a\s*>", re.IGNORECASE)
_CLOSE_A_RE = re.compile(r"</a>", re.IGNORECASE)
_NEXT_OPEN_RE = re.compile(r"<a\b", re.IGNORECASE)
_BRACKET_LABEL_RE = re.compile(r"\s*\[[^\]\n<]{0,40}\]")
_TIME_ATTRS = ("data-t", "data-timestamp", "data-time", "data", "t", "data-start")


@dataclass(slots=True)
class AnchorMatch:
    """One anchor as written: where it is, its time attribute and its label."""

    start: int
    end: int
    data_t: str | None  # the time attribute exactly as written (None: no such attribute)
    label: str | None  # the link text exactly as written (None: no link text)
    markup_issue: str | None  # why the markup is not the canonical form, if it is not


def _read_tag(tag: str) -> tuple[str | None, str | None]:
    """Read the time attribute of a non-canonical start tag with BeautifulSoup."""
    soup = BeautifulSoup(tag, "html.parser")  # one tag, no '<' inside: linear
    a = soup.find("a")
    if a is None:
        return None, None
    attrs = a.attrs
    for name in _TIME_ATTRS:
        if name in attrs:
            v = attrs[name]
            return (" ".join(v) if isinstance(v, list) else str(v)), name
    return None, None


def anchor_tags(text: str, pos: int = 0) -> Iterator[tuple[int, int]]:
    """(start, end) of each match of :data:`ANCHOR_START_RE` in ``text`` from ``pos``.

    The regex itself rescans to the next ``>`` from every ``<a`` that is not an anchor
    (``<a `` written 20,000 times without a ``>``: 98 s for a 60 kB note). But every
    ``<a`` before a ``>`` ends its tag at that same ``>``, and a later one's tag is a
    part of an earlier one's: if the first has no ``class="yt...``, none has, and the
    scan goes on after the ``>``. Each character is looked at a bounded number of times.
    Callers may move ``pos`` forward between matches (``send``).
    """
    while True:
        m = _A_OPEN_RE.search(text, pos)
        if m is None:
            return
        gt = text.find(">", m.end())
        if gt < 0:
            return
        if _CLASS_YT_RE.search(text, m.start(), gt):
            nxt = yield m.start(), gt + 1
            pos = gt + 1 if nxt is None else max(nxt, gt + 1)
        else:
            pos = gt + 1


def strip_anchor_elements(s: str) -> str:
    """``s`` without its ``<a ...>...</a>`` elements (any class), as the regex
    ``<a\\b[^>]*>.*?</a>`` (dot-all, any case) would remove them, in linear time: once
    no ``</a>`` follows an ``<a``'s ``>``, none follows any later one either."""
    out: list[str] = []
    pos = 0
    while True:
        m = _A_OPEN_RE.search(s, pos)
        gt = s.find(">", m.end()) if m is not None else -1
        close = _CLOSE_A_RE.search(s, gt + 1) if gt >= 0 else None
        if m is None or close is None:
            out.append(s[pos:])
            return "".join(out)
        out.append(s[pos : m.start()])
        pos = close.end()


class _NextMatch:
    """The next match of a pattern at or after a position, for positions that only grow.

    Searching again from each anchor would rescan the rest of the text every time (an
    unclosed anchor looks for ``</a>`` up to the end of the note, and 100,000 of them in
    one paragraph took 693 s); a match found once stays the answer until the position
    passes it.
    """

    __slots__ = ("_rx", "_text", "_found", "_from")

    def __init__(self, rx: re.Pattern[str], text: str) -> None:
        self._rx, self._text = rx, text
        self._found: re.Match[str] | None = None
        self._from = -1  # where the cached search started (-1: none yet)

    def at(self, pos: int) -> re.Match[str] | None:
        if (
            self._from < 0
            or pos < self._from
            or (self._found is not None and self._found.start() < pos)
        ):
            self._found = self._rx.search(self._text, pos)
            self._from = pos
        return self._found


def find_anchors(text: str) -> list[AnchorMatch]:
    """All anchors in ``text``, in order, with their extent (tag through ``</a>``).

    Linear in the length of ``text`` whatever it holds (see :class:`_NextMatch` and
    :data:`ANCHOR_START_RE`).
    """
    out: list[AnchorMatch] = []
    closes = _NextMatch(_CLOSE_RE, text)
    opens = _NextMatch(_NEXT_OPEN_RE, text)
    tags = anchor_tags(text)
    found = next(tags, None)
    while found is not None:
        start, tag_end = found
        c = _CANONICAL_RE.match(text, start)
        if c is not None:
            t = c.group("t")
            issue = None if t.strip() == t and "]" not in t else "stray characters in data-t"
            out.append(AnchorMatch(start, c.end(), t, c.group("label"), issue))
            found = _send(tags, c.end())
            continue
        tag = text[start:tag_end]
        data_t, attr = _read_tag(tag)
        issues: list[str] = []
        if attr is None:
            issues.append("no data-t attribute")
        elif attr != "data-t":
            issues.append(f"time in '{attr}' instead of 'data-t'")
        if not tag.startswith('<a class="yt-timestamp"'):
            issues.append('class attribute is not class="yt-timestamp"')
        # The label runs to </a>, unless another tag opens first (unclosed anchor).
        close = closes.at(tag_end)
        nxt = opens.at(tag_end)
        if close is not None and (nxt is None or close.start() < nxt.start()):
            label: str | None = text[tag_end : close.start()]
            end = close.end()
        else:
            issues.append("anchor is never closed with </a>")
            b = _BRACKET_LABEL_RE.match(text, tag_end)
            label = b.group(0).strip() if b else None
            end = b.end() if b else tag_end
        if label is not None and "<" in label:
            label = html_text(label)
        out.append(AnchorMatch(start, end, data_t, label, "; ".join(issues) or None))
        found = _send(tags, end)
    return out


def _send(tags: Generator[tuple[int, int], int | None, None], pos: int) -> tuple[int, int] | None:
    """The next anchor tag at or after ``pos``."""
    try:
        return tags.send(pos)
    except StopIteration:
        return None
