"""Resolve every anchor of one video with all the evidence the warehouse holds.

Evidence, strongest first (the order the design asks for):

1. the transcript: its content (where the claim is actually said) and its duration;
2. the video's duration from any source;
3. the other anchors of the same video across all notes: their unambiguous readings
   show how long the video runs, so ``12:30:00`` cannot be 12 h 30 min when every
   other note's anchor ends before 20 minutes;
4. the note's own sequence (already applied per note by :mod:`.resolve`).

The output per anchor is the second to cite, a status, the chosen reading, the
rejected readings with why, and, when a transcript exists, the matched span, its
score and the offset from the stated anchor. Each video is resolved as a whole, so
when a transcript or a new note arrives only that video is recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ytclaims.timestamps.align import Match, TranscriptIndex
from ytclaims.timestamps.parse import format_hms

VERIFIED = "verified"
CORRECTED = "corrected"
REINTERPRETED = "reinterpreted"
UNVERIFIED = "unverified"
AMBIGUOUS = "ambiguous"
INVALID = "invalid"

#: A confident match within this many seconds of the stated anchor verifies it.
VERIFY_TOLERANCE = 15.0
#: Sibling anchors show the video's extent only when there are at least this many.
MIN_SIBLINGS = 3
_LITERAL = {"hh:mm:ss", "mm:ss", "seconds", "hh:mm:ss:ff"}


@dataclass(slots=True)
class AnchorInput:
    """One anchor as stored by the note parser (see the ``anchors`` table)."""

    source_id: str
    anchor_ordinal: int
    claim_id: str
    text: str
    parse_status: str
    form: str
    #: (reading, seconds) pairs, as in ``anchors.candidates`` (label readings: ``label:``).
    candidates: list[tuple[str, float]]
    note_seconds: float | None
    note_reading: str | None
    note_status: str
    note_reason: str | None


@dataclass(slots=True)
class AnchorResolution:
    source_id: str
    anchor_ordinal: int
    seconds: float | None
    status: str
    reading: str | None
    reason: str
    rejected: list[str] = field(default_factory=list)
    anchor_seconds: float | None = None  # the stated anchor's second, before any correction
    match: Match | None = None

    def as_row(self, video_id: str) -> dict[str, object]:
        return dict(zip(ROW_FIELDS, self.as_tuple(video_id), strict=True))

    def as_tuple(self, video_id: str) -> tuple[object, ...]:
        """The ``anchor_resolution`` row, in :data:`ROW_FIELDS` order (no dict per row:
        the writer builds Arrow columns from 731k of these at 21k notes)."""
        m = self.match
        offset = (
            m.start - self.anchor_seconds
            if m is not None and self.anchor_seconds is not None
            else None
        )
        return (
            video_id,
            self.source_id,
            self.anchor_ordinal,
            self.seconds,
            self.status,
            self.reading,
            self.reason,
            self.rejected,
            self.anchor_seconds,
            *((m.start, m.end, m.text, m.score, m.confident) if m is not None else (None,) * 5),
            offset,
        )


#: Column order of :meth:`AnchorResolution.as_tuple` (the ``anchor_resolution`` table).
ROW_FIELDS = (
    "video_id",
    "source_id",
    "anchor_ordinal",
    "seconds",
    "timestamp_status",
    "reading",
    "reason",
    "rejected_readings",
    "anchor_seconds",
    "match_start",
    "match_end",
    "match_text",
    "match_score",
    "match_confident",
    "offset_seconds",
)


def _readings(a: AnchorInput) -> list[tuple[str, float]]:
    """The anchor's own readings (data-t first; the label's when data-t has none)."""
    own = [(r, float(s)) for r, s in a.candidates if not r.startswith("label:")]
    if own:
        return own
    return [(r[6:], float(s)) for r, s in a.candidates]


def sibling_extent(anchors: list[AnchorInput]) -> tuple[float | None, int]:
    """How far into the video its unambiguous anchors reach (95th percentile), and n."""
    vals = sorted(
        float(a.note_seconds)
        for a in anchors
        if a.parse_status == "ok" and a.form in _LITERAL and a.note_seconds is not None
    )
    if len(vals) < MIN_SIBLINGS:
        return None, len(vals)
    k = min(len(vals) - 1, int(round(0.95 * (len(vals) - 1))))
    return vals[k], len(vals)


def resolve_video(
    anchors: list[AnchorInput],
    *,
    duration: float | None = None,
    index: TranscriptIndex | None = None,
) -> list[AnchorResolution]:
    """Resolve all anchors of one video (all notes together)."""
    extent, n_sib = sibling_extent(anchors)
    limit = extent * 1.25 + 60 if extent is not None else None
    out: list[AnchorResolution] = []
    for a in anchors:
        readings = _readings(a)
        rejected: list[str] = []
        reasons: list[str] = []
        if not readings:
            out.append(
                AnchorResolution(
                    a.source_id,
                    a.anchor_ordinal,
                    None,
                    INVALID,
                    None,
                    a.note_reason or "no usable time",
                )
            )
            continue
        # 1-2. Duration: a reading past the end is impossible.
        if duration is not None:
            keep = []
            for name, sec in readings:
                if sec > duration + 1:
                    rejected.append(
                        f"{name} {format_hms(sec)}: past the end of the video "
                        f"({format_hms(duration)})"
                    )
                else:
                    keep.append((name, sec))
            if not keep:
                out.append(
                    AnchorResolution(
                        a.source_id,
                        a.anchor_ordinal,
                        None,
                        INVALID,
                        None,
                        "every reading lies past the end of the video",
                        rejected,
                    )
                )
                continue
            readings = keep
        # 3. Siblings: the video's other anchors bound how long it runs.
        if len(readings) > 1 and limit is not None and duration is None:
            keep = [(nm, s) for nm, s in readings if s <= limit]
            for nm, s in readings:
                if s > limit:
                    rejected.append(
                        f"{nm} {format_hms(s)}: past where the video's {n_sib} unambiguous anchors "
                        f"reach ({format_hms(extent or 0)})"
                    )
            if keep:
                readings = keep
        chosen: tuple[str, float] | None = None
        if len(readings) == 1:
            chosen = readings[0]
            if rejected:
                # Say which evidence excluded the others, not just that something did.
                reasons.append(f"the only reading that fits the video; rejected {rejected[0]}")
                if a.note_reason and a.note_reading == chosen[0]:
                    reasons.append(f"the note agrees: {a.note_reason}")
        elif index is not None:
            # Let the transcript decide between readings: where is the claim said?
            m = index.best(a.text)
            if m is not None and m.confident:
                chosen = min(readings, key=lambda r: abs(r[1] - m.start))
                for nm, s in readings:
                    if (nm, s) != chosen:
                        rejected.append(
                            f"{nm} {format_hms(s)}: the transcript says this at "
                            f"{format_hms(m.start)}"
                        )
                reasons.append("the reading closest to where the transcript says it")
        # 4. The note's own sequence (per-note resolution) decides, if it could.
        if chosen is None and len(readings) > 1 and a.note_seconds is not None:
            chosen = next(((nm, s) for nm, s in readings if nm == a.note_reading), None)
            if chosen is not None:
                reasons.append(a.note_reason or "note convention")
        if chosen is None:
            out.append(
                AnchorResolution(
                    a.source_id,
                    a.anchor_ordinal,
                    None,
                    AMBIGUOUS,
                    None,
                    a.note_reason or "several readings remain plausible",
                    rejected + [f"{nm} {format_hms(s)}: not excluded" for nm, s in readings],
                )
            )
            continue
        name, sec = chosen
        literal = name in _LITERAL
        status = UNVERIFIED if literal else REINTERPRETED
        if not reasons:
            reasons.append(
                a.note_reason or ("literal reading" if literal else "non-literal reading")
            )
        res = AnchorResolution(
            a.source_id,
            a.anchor_ordinal,
            sec,
            status,
            name,
            "; ".join(reasons),
            rejected,
            anchor_seconds=sec,
        )
        # Verification against the transcript: first near the stated anchor, then anywhere.
        if index is not None:
            _verify(res, a.text, sec, index)
        if duration is not None and res.seconds is not None and res.seconds > duration:
            res.seconds, res.status = None, INVALID
            res.reason += "; past the end of the video"
        out.append(res)
    return out


#: Support right at the anchor (within the tolerance) this good verifies it...
AT_MIN_SCORE = 0.25
#: ...unless a match close by is much better: then the citation moves there.
NEAR_CORRECT_SCORE = 0.6
NEAR_CORRECT_RATIO = 2.5
#: Moving a citation across the video needs an almost empty neighbourhood...
FAR_NEAR_MAX = 0.15
#: ...and a strong, unique match elsewhere.
FAR_MIN_SCORE = 0.75
FAR_MIN_MARGIN = 0.30


def _verify(res: AnchorResolution, text: str, sec: float, index: TranscriptIndex) -> None:
    """Check the anchor against the transcript; verify it, correct it, or leave it.

    Measured on the hand-checked reference, stated anchors (correctly read) are right
    far more often than a lexical match elsewhere, so the rules are conservative:

    * the transcript around the anchor (within the tolerance) supports the claim, and
      nothing close by supports it much better: *verified*, and the anchor's own
      second is kept (it is more precise than a sentence start);
    * a match within 90 s is strong and at least twice as good as what is at the
      anchor: *corrected* to that match;
    * nothing near the anchor supports it at all, and one place in the whole video
      clearly does: *corrected* to that place;
    * otherwise the anchor stays, *unverified* (or *reinterpreted*).
    """
    at = index.near(text, sec, radius=VERIFY_TOLERANCE)
    near = index.near(text, sec)
    at_score = at.score if at is not None else 0.0
    near_score = near.score if near is not None else 0.0
    if (
        near is not None
        and near_score >= NEAR_CORRECT_SCORE
        and near_score >= NEAR_CORRECT_RATIO * at_score
        and not (near.start - VERIFY_TOLERANCE <= sec <= near.end + VERIFY_TOLERANCE)
    ):
        res.match = near
        res.status = CORRECTED
        res.seconds = near.start
        res.reason += (
            f"; the transcript says it {near.start - sec:+.0f} s from the anchor, at "
            f"{format_hms(near.start)} (match {near.score:.2f}; at the anchor {at_score:.2f})"
        )
        return
    if at is not None and at_score >= AT_MIN_SCORE:
        res.match = at
        res.status = VERIFIED
        res.reason += f"; transcript confirms it (match {at_score:.2f} at {format_hms(at.start)})"
        return
    glob = index.best(text)
    if (
        glob is not None
        and near_score <= FAR_NEAR_MAX
        and glob.score >= FAR_MIN_SCORE
        and glob.score - glob.runner_up >= FAR_MIN_MARGIN
    ):
        res.match = glob
        res.status = CORRECTED
        res.seconds = glob.start
        res.reason += (
            "; nothing near the anchor says it, the transcript says it at "
            f"{format_hms(glob.start)} "
            f"({glob.start - sec:+.0f} s; match {glob.score:.2f}, next best {glob.runner_up:.2f})"
        )
        return
    res.match = at or near or glob
    res.reason += "; no confident transcript match near the anchor"
