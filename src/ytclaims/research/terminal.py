"""Terminal layouts for ``search`` and ``query``: readable at any width, URLs whole.

A table squeezed into 80 columns cuts a claim and its link into slivers
(``https://www.youtube.com/wa…``) that can be neither read nor opened. So:

* search results are one block per hit: the text wrapped to the terminal, then
  ``title · channel · time (status)``, then the full URL on a line of its own (never
  wrapped or cut: a terminal folds it visually, and copying it gives the whole link),
  then the claim id and tags;
* query results are a table when every column fits at its natural width, and one
  block per row (``column | value``, long values wrapped, URLs whole) when not, as
  psql's expanded display does.

Text from notes and metadata is data: control characters (a terminal escape sequence
hidden in a note) are shown as ``�`` rather than sent to the terminal. Machine formats
(``--format csv|json``) do not come through here.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from ytclaims.timestamps.parse import format_hms

#: C0/C1 control characters (ESC included) and Unicode line separators.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_URL_RE = re.compile(r"^https?://\S+$")
#: Narrowest layout width used, however narrow the terminal claims to be.
MIN_WIDTH = 40


def terminal_width(default: int = 100) -> int:
    """Columns of the terminal (``$COLUMNS`` first), at least :data:`MIN_WIDTH`."""
    return max(MIN_WIDTH, shutil.get_terminal_size((default, 24)).columns)


def safe(text: object) -> str:
    """Printable one-line text: control characters become ``�``, newlines spaces."""
    s = "" if text is None else str(text)
    s = s.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _CONTROL_RE.sub("\ufffd", s)


def _wrap(text: str, width: int, indent: str) -> list[str]:
    """Wrap on spaces only: long words (and URLs inside text) are kept whole."""
    return textwrap.wrap(
        text,
        width=max(width - len(indent), 20),
        break_long_words=False,
        break_on_hyphens=False,
    ) or [""]


def _time(seconds: object) -> str:
    return format_hms(seconds) if isinstance(seconds, int | float) else "no usable time"


def hit_blocks(hits: Sequence[dict[str, Any]], width: int, *, sentences: bool = False) -> str:
    """Search results as blocks (module docstring); ``sentences`` for transcript hits."""
    out: list[str] = []
    for h in hits:
        rank = f"{h.get('rank', len(out) + 1)}. "
        indent = " " * len(rank)
        lines = _wrap(safe(h.get("text")), width, indent)
        out.append(rank + lines[0])
        out.extend(indent + ln for ln in lines[1:])
        title = safe(h.get("title")) or f"video {safe(h.get('video_id'))}"
        where = [title]
        channel = h.get("channel_name") or h.get("channel")
        if channel:
            where.append(safe(channel))
        when = _time(h.get("seconds"))
        status = h.get("timestamp_status")
        if status and not sentences:
            when += f" ({safe(status)})"
        where.append(when)
        for ln in _wrap(" \u00b7 ".join(where), width, indent):
            out.append(indent + ln)
        url = h.get("url") or f"https://www.youtube.com/watch?v={safe(h.get('video_id'))}"
        out.append(indent + safe(url))  # whole, however long
        tail: list[str] = []
        if h.get("claim_id"):
            tail.append(f"claim {safe(h['claim_id'])}")
        for key in ("layers", "trends"):
            if h.get(key):
                tail.append(f"{key}: " + ", ".join(safe(x) for x in h[key]))
        if sentences and h.get("track"):
            tail.append(f"track {safe(h['track'])}")
        if tail:
            for ln in _wrap(" \u00b7 ".join(tail), width, indent):
                out.append(indent + ln)
        out.append("")
    return "\n".join(out).rstrip("\n")


def cell(value: object) -> str:
    """A value as shown in a terminal: NULL, lists and structs as JSON, text made safe."""
    if value is None:
        return "NULL"
    if isinstance(value, list | dict | tuple):
        return safe(json.dumps(value, ensure_ascii=False, default=str))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return safe(value)


def _table(cols: list[str], cells: list[list[str]], widths: list[int]) -> str:
    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    rule = "  ".join("\u2500" * w for w in widths)
    return "\n".join([line(cols), rule, *(line(r) for r in cells)])


def _records(cols: list[str], cells: list[list[str]], width: int) -> str:
    label = min(max(len(c) for c in cols), max(12, width // 3))
    indent = " " * (label + 3)
    out: list[str] = []
    for i, row in enumerate(cells, start=1):
        head = f"-[ row {i} ]"
        out.append(head + "\u2500" * max(0, width - len(head)))
        for c, v in zip(cols, row, strict=True):
            name = c if len(c) <= label else c[: label - 1] + "\u2026"
            first = f"{name.ljust(label)} | "
            if _URL_RE.match(v) or not v:
                out.append(first + v)  # a URL is never wrapped or cut
                continue
            parts = _wrap(v, width, indent)
            out.append(first + parts[0])
            out.extend(" " * label + " | " + p for p in parts[1:])
    return "\n".join(out)


def rows_layout(cols: list[str], rows: Sequence[Sequence[object]], width: int) -> str:
    """Query results: an aligned table when every column fits at its natural width,
    else one block per row (module docstring). ``(0 rows)`` when there are none."""
    cols = [safe(c) for c in cols]
    cells = [[cell(v) for v in r] for r in rows]
    if not cols:
        return "(no result)"
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(cols)]
    fits = sum(widths) + 2 * (len(cols) - 1) <= width
    body = _table(cols, cells, widths) if fits or not cells else _records(cols, cells, width)
    n = len(cells)
    return f"{body}\n({n} row{'s' if n != 1 else ''})"
