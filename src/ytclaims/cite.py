"""Citations for claims: what a researcher pastes into a paper or report.

A citation names the video (its real title from the channel index page when known,
else the note's topic title, marked as such), the channel, and the moment as a link
that opens the video at the cited second. When the second is not verified against
the video, the citation says so: a reader deserves to know how far to trust it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ytclaims import errors
from ytclaims.timestamps.parse import format_hms


@dataclass(slots=True)
class CitationRecord:
    """Everything a citation style needs about one claim."""

    claim_id: str
    text: str
    video_id: str
    video_title: str | None
    note_title: str | None
    channel: str | None
    seconds: int | None
    url: str | None
    timestamp_status: str
    resolution_reason: str | None
    other_seconds: list[int]


def fetch_record(con: duckdb.DuckDBPyConnection, claim_id: str) -> CitationRecord:
    """Read one claim and its anchors; the first anchor with a usable second is cited."""
    rows = con.execute(
        """
        SELECT c.claim_id, c.text, c.video_id, v.title, c.note_title,
               coalesce(v.channel, c.channel), c.seconds, c.url, c.timestamp_status,
               c.resolution_reason
        FROM citations c LEFT JOIN videos v USING (video_id)
        WHERE c.claim_id = ?
        ORDER BY c.seconds IS NULL, c.anchor_ordinal
        """,
        [claim_id],
    ).fetchall()
    if not rows:
        raise errors.ClaimNotFoundError(f"No claim '{claim_id}'.")
    first = rows[0]
    others = sorted({int(r[6]) for r in rows[1:] if r[6] is not None and r[6] != first[6]})
    return CitationRecord(
        claim_id=first[0],
        text=first[1],
        video_id=first[2],
        video_title=first[3],
        note_title=first[4],
        channel=first[5],
        seconds=first[6],
        url=first[7],
        timestamp_status=first[8],
        resolution_reason=first[9],
        other_seconds=others,
    )


def _escape_md(s: str) -> str:
    return s.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("*", "\\*")


def markdown(rec: CitationRecord) -> str:
    """A Markdown citation: quoted claim, video, channel, and a timestamped link."""
    if rec.video_title:
        title = f"*{_escape_md(rec.video_title)}*"
    elif rec.note_title:
        title = f"video {rec.video_id} (note: *{_escape_md(rec.note_title)}*)"
    else:
        title = f"video {rec.video_id}"
    channel = f"{_escape_md(rec.channel)}, " if rec.channel else ""
    if rec.seconds is not None and rec.url:
        moment = f"at [{format_hms(rec.seconds)}]({rec.url})"
    else:
        moment = f"(no usable timestamp: https://www.youtube.com/watch?v={rec.video_id})"
    lines = [f"> {rec.text}", "", f"— {channel}{title}, YouTube, {moment}."]
    if rec.timestamp_status != "verified":
        why = f": {rec.resolution_reason}" if rec.resolution_reason else ""
        lines.append(f"Timestamp {rec.timestamp_status}{why}.")
    if rec.other_seconds:
        lines.append(
            "Also anchored at " + ", ".join(format_hms(s) for s in rec.other_seconds) + "."
        )
    lines.append(f"Claim {rec.claim_id}.")
    return "\n".join(lines)
