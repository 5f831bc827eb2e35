"""Inline Markdown/HTML -> clean plain text, keeping what links point at.

Claim text is cited verbatim, so it must read like prose: wiki links become their
label (``[[target | label]]`` -> ``label``), emphasis markers, Obsidian callout markers
(``[!NOTE]``) and HTML tags vanish,
entities are decoded and whitespace is folded. Inline code is protected first, so
``<div>`` written in backticks by a programming note survives as text.

HTML other than anchors is rare in notes; when a span has a tag in it, BeautifulSoup
(html.parser, on that span only) extracts the text, which copes with the broken
markup real notes contain. Spans without tags never pay for a parser.
"""

from __future__ import annotations

import html
import re

from bs4 import BeautifulSoup

_CODE_RE = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_WIKI_RE = re.compile(r"\[\[([^\[\]|]*?)(?:\s*\|\s*([^\[\]]*?))?\]\]")
_IMG_RE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\[\]]*)\]\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)")
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?-->", re.DOTALL)
_BOLD_RE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_STAR_RE = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", re.DOTALL)
_UNDER_RE = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])", re.DOTALL)
_STRIKE_RE = re.compile(r"~~(.+?)~~", re.DOTALL)
_WS_RE = re.compile(r"\s+")
#: An Obsidian callout marker: ``[!NOTE]``, ``[!info]-`` (folded), ``[!PRO TIP]``, and the
#: ``[!NOTE|Title]`` form some notes use (the part after '|' is metadata, here a title).
CALLOUT_MARKER = r"\[!(?P<type>[A-Za-z][\w \t/-]{0,30}?)(?:\|(?P<meta>[^\]\n]{0,200}))?\][+-]?"
#: Markers wherever a block left one (not only at its start): markup, never text.
_CALLOUT_RE = re.compile(rf"(?<![^\s>]){CALLOUT_MARKER}(?!\S)")
_PLACEHOLDER = "\ue000{}\ue001"
_PH_RE = re.compile("\ue000(\\d+)\ue001")


def wiki_targets(md: str) -> list[str]:
    """Targets of ``[[target | label]]`` links, in order, without duplicates."""
    seen: dict[str, None] = {}
    for m in _WIKI_RE.finditer(md):
        t = m.group(1).strip()
        if t:
            seen.setdefault(t, None)
    return list(seen)


def _strip_html(s: str) -> str:
    if not _TAG_RE.search(s):
        return s
    # <br> and block tags separate words; get_text(" ") keeps them apart.
    return BeautifulSoup(s, "html.parser").get_text(" ")


def to_plain(md: str) -> str:
    """Render a span of note Markdown as one line of plain text."""
    if not md:
        return ""
    codes: list[str] = []

    def _keep_code(m: re.Match[str]) -> str:
        codes.append(m.group(2).strip())
        return _PLACEHOLDER.format(len(codes) - 1)

    s = _CODE_RE.sub(_keep_code, md) if "`" in md else md
    if "[!" in s:
        s = _CALLOUT_RE.sub(" ", s)
    if "[[" in s:
        s = _WIKI_RE.sub(lambda m: (m.group(2) or m.group(1)).strip(), s)
    if "](" in s:
        s = _IMG_RE.sub(r"\1", s)
        s = _LINK_RE.sub(r"\1", s)
    if "<" in s:
        s = _strip_html(s)
    if "&" in s:
        s = html.unescape(s)
    if "*" in s or "_" in s or "~" in s:
        s = _BOLD_RE.sub(r"\2", s)
        s = _STAR_RE.sub(r"\1", s)
        s = _UNDER_RE.sub(r"\1", s)
        s = _STRIKE_RE.sub(r"\1", s)
    if codes:
        s = _PH_RE.sub(lambda m: codes[int(m.group(1))], s)
    return _WS_RE.sub(" ", s).strip()
