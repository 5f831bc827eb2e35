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
from dataclasses import dataclass

from bs4 import BeautifulSoup

#: Start tag of an anchor. Kept in sync with the independent count in the tests.
ANCHOR_START_RE = re.compile(r"<a\b[^>]*?\bclass\s*=\s*[\"']?yt[^>]*>", re.IGNORECASE)
_CANONICAL_RE = re.compile(r'<a class="yt-timestamp" data-t="(?P<t>[^"<>]*)">(?P<label>[^<]*)</a>')
_CLOSE_RE = re.compile(r"</a\s*>", re.IGNORECASE)
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
    soup = BeautifulSoup(tag, "html.parser")
    a = soup.find("a")
    if a is None:
        return None, None
    attrs = a.attrs
    for name in _TIME_ATTRS:
        if name in attrs:
            v = attrs[name]
            return (" ".join(v) if isinstance(v, list) else str(v)), name
    return None, None


def find_anchors(text: str) -> list[AnchorMatch]:
    """All anchors in ``text``, in order, with their extent (tag through ``</a>``)."""
    out: list[AnchorMatch] = []
    pos = 0
    while True:
        m = ANCHOR_START_RE.search(text, pos)
        if m is None:
            return out
        c = _CANONICAL_RE.match(text, m.start())
        if c is not None:
            t = c.group("t")
            issue = None if t.strip() == t and "]" not in t else "stray characters in data-t"
            out.append(AnchorMatch(m.start(), c.end(), t, c.group("label"), issue))
            pos = c.end()
            continue
        tag = m.group(0)
        data_t, attr = _read_tag(tag)
        issues: list[str] = []
        if attr is None:
            issues.append("no data-t attribute")
        elif attr != "data-t":
            issues.append(f"time in '{attr}' instead of 'data-t'")
        if not re.match(r'<a class="yt-timestamp"', tag):
            issues.append('class attribute is not class="yt-timestamp"')
        # The label runs to </a>, unless another tag opens first (unclosed anchor).
        close = _CLOSE_RE.search(text, m.end())
        nxt = _NEXT_OPEN_RE.search(text, m.end())
        if close is not None and (nxt is None or close.start() < nxt.start()):
            label: str | None = text[m.end() : close.start()]
            end = close.end()
        else:
            issues.append("anchor is never closed with </a>")
            b = _BRACKET_LABEL_RE.match(text, m.end())
            label = b.group(0).strip() if b else None
            end = b.end() if b else m.end()
        if label is not None and "<" in label:
            label = BeautifulSoup(label, "html.parser").get_text()
        out.append(AnchorMatch(m.start(), end, data_t, label, "; ".join(issues) or None))
        pos = end
