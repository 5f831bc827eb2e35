"""Note body -> claims and anchors, as plain rows ready for the warehouse.

A claim is the text an anchor group stands for: from the end of the previous anchor
group (or the start of its paragraph, list item or table cell) up to the group.
The sentence's closing period, written after the anchors, is moved back onto it.

The note is split into blocks by a line scanner written for this format (headings,
paragraphs, list items with nesting, table cells, fenced code), which keeps the
heading path and the bold lead-in (``**Cost Reduction**:``) each claim sits under.
A general Markdown parser would cost more and still need this bookkeeping.

Every anchor found becomes exactly one anchor row, whatever block it sits in
(code fences and tables included): nothing is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ytclaims.claims.anchors import AnchorMatch, find_anchors
from ytclaims.claims.text import CALLOUT_MARKER, to_plain, wiki_targets
from ytclaims.records import claim_id_for
from ytclaims.sources.notes import NoteFile
from ytclaims.timestamps import parse as tp
from ytclaims.timestamps.resolve import resolve_note

_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_RE = re.compile(r"^(\s*)(?:[*+-]|\d{1,9}[.)])\s+(.*)$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_TABLE_SEP_RE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_QUOTE_RE = re.compile(r"^\s*>\s?")
#: An Obsidian callout's first line: ``> [!NOTE] Optional title`` (``[!info]-``/``+`` fold).
_CALLOUT_RE = re.compile(rf"^\s*{CALLOUT_MARKER}(?:[ \t]+|$)")
_LEAD_RE = re.compile(
    r"^\s*(?:\*\*|__)(?P<lead>[^*_\n]{1,150}?)\s*(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:)\s*"
)
_GROUP_GAP_RE = re.compile(r"^[\s,;&/-]*$")
_TRAIL_RE = re.compile(r"[ \t]*([.!?]+)")
_HAS_A_RE = re.compile(r"<a\b", re.IGNORECASE)
# A cell boundary is a '|' outside [[wiki | links]], `code` and escaped as '\|'.
_CELL_PART_RE = re.compile(r"\[\[.*?\]\]|`[^`]*`|\\\||[^|\[`\\]+|.", re.DOTALL)
_LEADING_JUNK_RE = re.compile(r"^[\s.,;:!?)\]]+")
# A hand-written timestamp link left in front of an anchor: "... [00:19:00](<a ...>".
_TRAILING_STAMP_RE = re.compile(r"\s*\[\d{1,2}(?::\d{1,3}){1,3}\]\s*\(?\s*$")
_ANCHOR_ELEMENT_RE = re.compile(r"<a\b[^>]*>.*?</a>", re.DOTALL | re.IGNORECASE)
_FENCE_LINE_RE = re.compile(r"^\s*(```|~~~).*$", re.MULTILINE)
#: Longest text an anchor-only line borrows from the block above it.
MAX_BORROWED_CHARS = 1000


def _strip_anchors(s: str) -> str:
    return _ANCHOR_ELEMENT_RE.sub("", s)


@dataclass(slots=True)
class Block:
    """A unit of note text that claims cannot cross."""

    kind: str  # paragraph | list_item | table_cell | heading | code
    text: str
    line: int
    heading_path: str
    lead_in: str | None = None
    indent: int = 0


@dataclass(slots=True)
class NoteClaims:
    """Everything one note yields: claim rows and anchor rows."""

    claims: list[dict[str, object]] = field(default_factory=list)
    anchors: list[dict[str, object]] = field(default_factory=list)
    n_malformed: int = 0
    malformed_examples: list[str] = field(default_factory=list)


def _heading_text(raw: str) -> str:
    return to_plain(_strip_anchors(raw))


def split_cells(row: str) -> list[str]:
    """Cells of a Markdown table row; '|' inside wiki links, code or escaped is text."""
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    cells, cur = [], []
    for m in _CELL_PART_RE.finditer(row):
        part = m.group(0)
        if part == "|":
            cells.append("".join(cur))
            cur = []
        else:
            cur.append(part)
    cells.append("".join(cur))
    return cells


def iter_blocks(body: str, first_line: int = 1) -> list[Block]:
    """Split a note body into blocks, tracking headings and list lead-ins."""
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    path = ""
    cur: Block | None = None
    lead_stack: list[tuple[int, str | None]] = []  # (indent, lead-in) of open list items
    callout_title: str | None = None  # title of the open callout: its blocks' lead-in
    in_code = False

    def close() -> None:
        nonlocal cur
        if cur is not None:
            blocks.append(cur)
            cur = None

    for i, line in enumerate(body.split("\n")):
        lineno = first_line + i
        if _FENCE_RE.match(line):
            if in_code:
                if cur is not None:
                    cur.text += "\n" + line
                close()
                in_code = False
            else:
                close()
                in_code = True
                cur = Block("code", line, lineno, path)
            continue
        if in_code:
            assert cur is not None
            cur.text += "\n" + line
            continue
        if not line.strip():
            close()
            if callout_title is not None:  # the callout ends with its quote
                callout_title = None
                lead_stack = [(ind, ld) for ind, ld in lead_stack if ind >= 0]
            continue
        h = _HEADING_RE.match(line)
        if h:
            close()
            callout_title = None
            level = len(h.group(1))
            headings = [(lv, t) for lv, t in headings if lv < level]
            headings.append((level, _heading_text(h.group(2))))
            path = " > ".join(t for _, t in headings if t)
            lead_stack = []
            if _HAS_A_RE.search(line):
                blocks.append(Block("heading", h.group(2), lineno, path))
            continue
        stripped = line.lstrip()
        if stripped.startswith("|"):
            close()
            if _TABLE_SEP_RE.match(line):
                continue
            cells = split_cells(stripped)
            for cell in cells:
                if cell.strip():
                    blocks.append(Block("table_cell", cell, lineno, path))
            continue
        if _QUOTE_RE.match(line):
            line = _QUOTE_RE.sub("", line)
        co = _CALLOUT_RE.match(line)
        if co:
            # ``[!NOTE]`` is markup, never claim text. A title without anchors is the
            # callout's lead-in (like a bold lead-in); a title with anchors is text.
            close()
            title = line[co.end() :]
            meta = to_plain(co.group("meta") or "").rstrip(":").strip() or None
            callout_title = None
            lead_stack = []
            if not _HAS_A_RE.search(title):
                callout_title = to_plain(title).rstrip(":").strip() or meta
                lead_stack = [(-1, callout_title)]
                continue
            callout_title = meta  # '[!NOTE|Title] text <a ...>': the title leads the text
            line = title
        li = _LIST_RE.match(line)
        if li:
            close()
            indent = len(li.group(1).expandtabs(4))
            lead_stack = [(ind, ld) for ind, ld in lead_stack if ind < indent]
            cur = Block("list_item", li.group(2), lineno, path, indent=indent)
            lm = _LEAD_RE.match(cur.text)
            own = to_plain(lm.group("lead")) if lm else None
            inherited = next((ld for _, ld in reversed(lead_stack) if ld), None)
            cur.lead_in = own or inherited
            lead_stack.append((indent, own))
            continue
        if cur is not None and cur.kind in ("paragraph", "list_item"):
            cur.text += "\n" + line
            continue
        close()
        lead_stack = [(-1, callout_title)] if callout_title else []
        cur = Block("paragraph", line, lineno, path)
        lm = _LEAD_RE.match(line)
        cur.lead_in = to_plain(lm.group("lead")) if lm else callout_title
    close()
    return blocks


def _group(anchors: list[AnchorMatch], text: str) -> list[list[AnchorMatch]]:
    groups: list[list[AnchorMatch]] = []
    for a in anchors:
        if groups and _GROUP_GAP_RE.match(text[groups[-1][-1].end : a.start]):
            groups[-1].append(a)
        else:
            groups.append([a])
    return groups


def extract_claims(nf: NoteFile) -> NoteClaims:
    """All claims and anchors of one note, with ids, positions and resolved seconds."""
    out = NoteClaims()
    if nf.video_id is None or not _HAS_A_RE.search(nf.body):
        return out
    pending: list[tuple[dict[str, object], list[AnchorMatch]]] = []
    seen: dict[str, int] = {}
    block_ordinal = 0
    previous: Block | None = None
    for block in iter_blocks(nf.body, nf.body_line):
        before, previous = previous, block
        if not _HAS_A_RE.search(block.text):
            continue
        anchors = find_anchors(block.text)
        if not anchors:
            continue
        text = block.text
        cursor = 0
        if block.lead_in:
            lm = _LEAD_RE.match(text)
            if lm:
                cursor = lm.end()
        for group in _group(anchors, text):
            seg = text[cursor : group[0].start]
            if block.kind == "code":  # code is text, not markup: keep it verbatim
                claim_text = " ".join(_FENCE_LINE_RE.sub("", seg).split())
            else:
                claim_text = _TRAILING_STAMP_RE.sub("", _LEADING_JUNK_RE.sub("", to_plain(seg)))
            if not claim_text and cursor == 0 and before is not None:
                # An anchor alone on its line (often right after a code block) stands
                # for the block above it.
                seg = _strip_anchors(before.text)
                if before.kind == "code":  # code is text, not markup: keep it verbatim
                    plain = " ".join(_FENCE_LINE_RE.sub("", seg).split())
                else:
                    plain = _LEADING_JUNK_RE.sub("", to_plain(seg))
                claim_text = plain[:MAX_BORROWED_CHARS]
            cursor = group[-1].end
            trail = _TRAIL_RE.match(text, cursor)
            if trail:
                cursor = trail.end()
                if claim_text and claim_text[-1] not in ".!?":
                    claim_text += trail.group(1)
            occurrence = seen.get(claim_text, 0)
            seen[claim_text] = occurrence + 1
            ordinal = len(out.claims)
            claim = {
                "claim_id": claim_id_for(nf.source_key, claim_text, occurrence),
                "claim_ordinal": ordinal,
                "block_ordinal": block_ordinal,
                "block_kind": block.kind,
                "line": block.line + text.count("\n", 0, group[0].start),
                "heading_path": block.heading_path or None,
                "lead_in": block.lead_in,
                "text": claim_text,
                "wiki_targets": wiki_targets(seg),
                "n_anchors": len(group),
            }
            out.claims.append(claim)
            pending.append((claim, group))
        block_ordinal += 1

    # Parse every anchor, then resolve the note's anchors together (note-level evidence).
    flat: list[tuple[dict[str, object], int, AnchorMatch]] = []
    for claim, group in pending:
        for gi, a in enumerate(group):
            flat.append((claim, gi, a))
    parsed = [(tp.parse_time(a.data_t), tp.parse_time(a.label)) for _, _, a in flat]
    resolutions = resolve_note(parsed)
    for ordinal, ((claim, gi, a), (pdt, plb), res) in enumerate(
        zip(flat, parsed, resolutions, strict=True)
    ):
        if a.markup_issue:
            out.n_malformed += 1
            if len(out.malformed_examples) < 3:
                out.malformed_examples.append(f"line {claim['line']}: {a.markup_issue}")
        out.anchors.append(
            {
                "claim_id": claim["claim_id"],
                "anchor_ordinal": ordinal,
                "group_position": gi,
                "data_t_raw": a.data_t,
                "label_raw": a.label,
                "markup_issue": a.markup_issue,
                "form": pdt.form if pdt.status != tp.EMPTY or plb.status == tp.EMPTY else plb.form,
                "parse_status": pdt.status,
                "parse_reason": pdt.reason or None,
                "data_t_seconds": pdt.seconds,
                "label_seconds": plb.seconds,
                "label_mismatch": res.label_mismatch,
                "candidates": [r.as_dict() for r in pdt.readings]
                + [{"reading": "label:" + r.name, "seconds": r.seconds} for r in plb.readings],
                "anchor_seconds": res.seconds,
                "anchor_reading": res.reading,
                "anchor_source": res.source,
                "timestamp_status": res.status,
                "resolution_reason": res.reason or None,
            }
        )
    return out
