"""A terminal view of one video: what was claimed, when, and how far to trust the time.

Reading a video's claims in the order they are spoken is how a researcher checks a
note against the video, so claims are sorted by their cited second (claims without a
usable second last), whichever note they came from. Every string from the warehouse
(titles, channels, claim text, labels) is escaped before Rich sees it: claim text is
copied from notes anyone can write, and ``[bold]`` or ``[link=...]`` in it must print
as written, not restyle or relink the terminal.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import duckdb
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ytclaims import errors
from ytclaims.records import is_video_id
from ytclaims.timestamps.parse import format_hms

#: Colours by timestamp status: green only for what a transcript confirmed.
STATUS_STYLES: dict[str, str] = {
    "verified": "green",
    "corrected": "cyan",
    "reinterpreted": "yellow",
    "unverified": "white",
    "suspect": "bold red",
    "ambiguous": "magenta",
    "invalid": "red",
    "transcript": "blue",
}
#: Footer order: most trustworthy first, then the rest alphabetically.
_STATUS_ORDER = tuple(STATUS_STYLES)


@dataclass(slots=True)
class ShownClaim:
    """One claim as the view lists it: the second it is cited at and its labels."""

    claim_id: str
    text: str
    seconds: int | None
    timestamp_status: str
    layers: list[str]
    trends: list[str]
    source_kind: str


def video_id_from_ref(ref: str) -> str:
    """A video id from an id or any YouTube video URL.

    A bare id is taken as is without importing the fetch module (``show`` should start
    as fast as ``query``); URLs go through the same strict parser ``fetch`` uses, which
    raises ``InvalidVideoRefError`` for channel/playlist URLs and other hosts.
    """
    ref = ref.strip()
    if is_video_id(ref):
        return ref
    from ytclaims.sources.youtube.refs import parse_video_ref

    return parse_video_ref(ref)


def video_claims(con: duckdb.DuckDBPyConnection, video_id: str) -> list[ShownClaim]:
    """The video's claims in time order (no second last; ties in note order).

    A claim with several anchors is listed once, at the same anchor ``cite`` uses: the
    first one with a usable second.
    """
    rows = con.execute(
        """
        SELECT claim_id, text, seconds, timestamp_status, layers, trends, source_kind,
               source_key, claim_ordinal
        FROM citations WHERE video_id = ?
        ORDER BY claim_id, seconds IS NULL, anchor_ordinal
        """,
        [video_id],
    ).fetchall()
    first: dict[str, tuple] = {}
    for r in rows:
        first.setdefault(r[0], r)
    ordered = sorted(
        first.values(),
        key=lambda r: (r[2] is None, r[2] if r[2] is not None else 0, r[7] or "", r[8] or 0),
    )
    return [
        ShownClaim(
            claim_id=r[0],
            text=r[1],
            seconds=r[2],
            timestamp_status=r[3],
            layers=list(r[4] or []),
            trends=list(r[5] or []),
            source_kind=r[6],
        )
        for r in ordered
    ]


def status_counts(claims: list[ShownClaim]) -> list[tuple[str, int]]:
    """(status, claims) pairs, known statuses in trust order, unknown ones after."""
    counts = Counter(c.timestamp_status for c in claims)
    known = [(s, counts[s]) for s in _STATUS_ORDER if counts[s]]
    other = sorted((s, n) for s, n in counts.items() if s not in STATUS_STYLES)
    return known + other


def footer_text(claims: list[ShownClaim]) -> str:
    """``5 claims: 3 reinterpreted, 2 unverified`` (plain text, no markup)."""
    n = len(claims)
    head = f"{n} claim" + ("" if n == 1 else "s")
    parts = ", ".join(f"{k} {s}" for s, k in status_counts(claims))
    return f"{head}: {parts}" if parts else head


def _header(con: duckdb.DuckDBPyConnection, video_id: str) -> tuple[str, str | None, str] | None:
    """(title line, channel, url) from the ``videos`` view; None when the video is unknown.

    Without an index-page title the notes' topic titles are shown, marked as such, so
    nobody mistakes them for the video's title.
    """
    row = con.execute(
        "SELECT title, channel, url FROM videos WHERE video_id = ? LIMIT 1", [video_id]
    ).fetchone()
    if row is None:
        return None
    title, channel, url = row
    if not title:
        notes = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT note_title FROM sources "
                "WHERE video_id = ? AND note_title IS NOT NULL ORDER BY 1",
                [video_id],
            ).fetchall()
        ]
        title = f"{video_id} (title unknown" + (f"; notes: {', '.join(notes)})" if notes else ")")
    return title, channel, url


def render_video(con: duckdb.DuckDBPyConnection, video_id: str, console: Console) -> None:
    """Print the video's title, channel and URL, its claims in time order, and a footer
    counting claims by timestamp status.

    ``video_id`` may also be a watch URL (or youtu.be/shorts/embed/live URL). An unknown
    video raises ``errors.QueryError`` with a hint on how to list the known ones.
    """
    vid = video_id_from_ref(video_id)
    header = _header(con, vid)
    if header is None:
        raise errors.QueryError(
            f"No video '{vid}' in the warehouse.",
            hint='List known videos with: ytclaims query "select video_id, title from videos"',
        )
    title, channel, url = header
    console.print(f"[bold]{escape(title)}[/bold]")
    console.print(
        (f"{escape(channel)} · " if channel else "") + f"[link={url}]{escape(url)}[/link]"
    )
    claims = video_claims(con, vid)
    if not claims:
        console.print(
            "No claims for this video (it is known from an index page or transcript only)."
        )
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("layers")
    table.add_column("trends")
    table.add_column("claim", ratio=1)
    for c in claims:
        colour = STATUS_STYLES.get(c.timestamp_status, "white")
        table.add_row(
            format_hms(c.seconds),
            f"[{colour}]{escape(c.timestamp_status)}[/{colour}]",
            escape(", ".join(c.layers)) or "-",
            escape(", ".join(c.trends)) or "-",
            escape(c.text),
        )
    console.print(table)
    console.print(footer_text(claims), markup=False, highlight=False)
    warning = suspect_warning(claims, vid)
    if warning:
        console.print(f"[bold red]{escape(warning)}[/bold red]")


def suspect_warning(claims: list[ShownClaim], video_id: str) -> str:
    """A warning line when some seconds are ``suspect`` (implausible: check by hand)."""
    n = sum(1 for c in claims if c.timestamp_status == "suspect")
    if not n:
        return ""
    return (
        f"Warning: {n} timestamp{'s are' if n > 1 else ' is'} suspect: far outside "
        f"everything else known about this video. Check before citing "
        f'(ytclaims query "SELECT anchor_raw, seconds, resolution_reason FROM citations '
        f"WHERE timestamp_status = 'suspect' AND video_id = '{video_id}'\")."
    )
