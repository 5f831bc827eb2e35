"""Resolve every anchor of a video with all the evidence the warehouse holds.

Evidence, strongest first:

1. the transcript: its duration (a reading past the end is impossible) and its content
   (where the claim is actually said: it decides between readings, verifies the chosen
   one, or moves the citation to a much stronger match);
2. the video's duration from any source (:func:`ytclaims.warehouse.resolution.durations`);
3. the note itself and the video's other notes (:mod:`.sequence`): the note's third
   fields, each anchor's neighbours, how long videos run, and how far the video's other
   notes confidently reach.

The output per anchor is the second to cite, a status, the chosen reading, the rejected
readings with why, and, when a transcript exists, the matched span and the spoken words
at the cited second (``quote``). Each video is resolved as a whole, so when a transcript
or a new note arrives only that video is recomputed.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ytclaims.timestamps import parse as tp
from ytclaims.timestamps.align import Match, TranscriptIndex
from ytclaims.timestamps.parse import format_hms
from ytclaims.timestamps.sequence import (
    AMBIGUOUS_MARGIN,
    SAME_PLACE_SECONDS,
    Choice,
    Option,
    SeqAnchor,
    VideoNotes,
    options_for,
    resolve_videos,
)

VERIFIED = "verified"
CORRECTED = "corrected"
REINTERPRETED = "reinterpreted"
UNVERIFIED = "unverified"
SUSPECT = "suspect"
AMBIGUOUS = "ambiguous"
INVALID = "invalid"

#: A confident match within this many seconds of the stated anchor verifies it.
VERIFY_TOLERANCE = 15.0

READING_WORDS = {
    "hh:mm:ss": "hours:minutes:seconds",
    "mm:ss": "minutes:seconds",
    "seconds": "seconds",
    "hh:mm:ss:ff": "hours:minutes:seconds:frames",
    "mm:ss:00": "minutes:seconds followed by ':00' (MM:SS:00)",
    "mm:ss:ss": "minutes:seconds with the seconds written twice (MM:SS:SS)",
    "mm:ss:ff": "minutes:seconds plus a sub-second field, frames or hundredths (MM:SS:FF)",
    "mm:ss:cc": "minutes:seconds:hundredths",
    "mm:ss:mmm": "minutes:seconds:milliseconds",
}


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
    data_t_raw: str | None = None
    label_raw: str | None = None


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
    quote: tuple[float, float, str] | None = None  # spoken words at the cited second

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
        q = self.quote
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
            *((q[2], q[0], q[1]) if q is not None else (None,) * 3),
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
    "quote",
    "quote_start",
    "quote_end",
)


@dataclass(slots=True)
class VideoInput:
    """Everything known about one video for resolution."""

    video_id: str
    anchors: list[AnchorInput]
    duration: float | None = None
    index: TranscriptIndex | None = None


def _primary(a: AnchorInput) -> tp.ParsedTime:
    """The written time the second comes from: data-t when usable, else the label."""
    if a.data_t_raw is None and a.label_raw is None:
        return _from_candidates(a)
    dt = tp.parse_bounded(a.data_t_raw)
    if dt.status not in (tp.EMPTY, tp.INVALID):
        return dt
    lb = tp.parse_bounded(a.label_raw)
    if lb.status not in (tp.EMPTY, tp.INVALID):
        return lb
    return dt


def _from_candidates(a: AnchorInput) -> tp.ParsedTime:
    """Rebuild a parsed time from stored candidates (callers without the raw strings)."""
    own = [(r, float(s)) for r, s in a.candidates if not r.startswith("label:")]
    if not own:
        own = [(r[6:], float(s)) for r, s in a.candidates]
    if not own:
        return tp.ParsedTime(None, a.form, tp.INVALID, (), a.note_reason or "no usable time")
    status = tp.AMBIGUOUS if len(own) > 1 else tp.OK
    return tp.ParsedTime(
        None, a.form, status, tuple(tp.Reading(r, s) for r, s in own), a.note_reason or ""
    )


def _seq_anchor(a: AnchorInput) -> SeqAnchor:
    pt = _primary(a)
    if pt.raw is None and pt.readings:
        # Stored candidates only: literal first, alternatives after (no third fields).
        opts = tuple(
            Option(r.name, r.seconds, r.name in ("hh:mm:ss", "mm:ss", "seconds", "hh:mm:ss:ff"))
            for r in pt.readings
        )
        return SeqAnchor(opts, None)
    opts, fields = options_for(pt)
    return SeqAnchor(opts, fields)


def resolve_video(
    anchors: list[AnchorInput],
    *,
    duration: float | None = None,
    index: TranscriptIndex | None = None,
) -> list[AnchorResolution]:
    """Resolve all anchors of one video (all notes together)."""
    return resolve_many([VideoInput("", anchors, duration, index)])[0]


def resolve_many(videos: Sequence[VideoInput]) -> list[list[AnchorResolution]]:
    """Resolve the anchors of many videos (their notes are read in one batch)."""
    layouts: list[dict[str, list[int]]] = []
    seqs: list[VideoNotes] = []
    for v in videos:
        by_note: dict[str, list[int]] = defaultdict(list)
        for i, a in enumerate(v.anchors):
            by_note[a.source_id].append(i)
        for ids in by_note.values():
            ids.sort(key=lambda i: v.anchors[i].anchor_ordinal)
        layouts.append(by_note)
        seqs.append(
            VideoNotes(
                {k: [_seq_anchor(v.anchors[i]) for i in ids] for k, ids in by_note.items()},
                v.duration,
            )
        )
    choices = resolve_videos(seqs)
    out: list[list[AnchorResolution]] = []
    for v, by_note, seq, ch in zip(videos, layouts, seqs, choices, strict=True):
        res: list[AnchorResolution | None] = [None] * len(v.anchors)
        for k, ids in by_note.items():
            for i, sa, c in zip(ids, seq.notes[k], ch[k], strict=True):
                res[i] = _resolve_anchor(v.anchors[i], sa, c, v.duration, v.index)
        out.append([r for r in res if r is not None])
    return out


def _reading_words(name: str) -> str:
    return READING_WORDS.get(name, name)


def _resolve_anchor(
    a: AnchorInput,
    sa: SeqAnchor,
    c: Choice,
    duration: float | None,
    index: TranscriptIndex | None,
) -> AnchorResolution:
    """Turn the sequence model's choice into a status, a second and a reason; then let
    the transcript (if any) decide, verify or correct it."""
    o = c.option
    if index is None and o is not None and not c.suspect and c.other is None:
        # The common case, kept cheap: one reading, nothing to weigh or check.
        return AnchorResolution(
            a.source_id,
            a.anchor_ordinal,
            o.seconds,
            UNVERIFIED if o.literal else REINTERPRETED,
            o.name,
            "literal reading" if o.literal else _single_reason(a, o),
            [],
            anchor_seconds=o.seconds,
        )
    past = [o for o in sa.options if duration is not None and o.seconds > duration + 1]
    past_why = [
        f"{o.name} {format_hms(o.seconds)}: past the end of the video ({format_hms(duration)})"
        for o in past
    ]
    if c.option is None:
        reason = (
            "every reading lies past the end of the video"
            if sa.options
            else (a.note_reason or "no usable time")
        )
        res = AnchorResolution(a.source_id, a.anchor_ordinal, None, INVALID, None, reason, past_why)
        if index is not None:
            _locate(res, a.text, index)
        return res
    o = c.option
    other = c.other if c.other is not None and c.other not in past else None
    ambiguous = (
        other is not None
        and not o.literal
        and c.margin < AMBIGUOUS_MARGIN
        and abs(other.seconds - o.seconds) > SAME_PLACE_SECONDS
        and not c.suspect
    )
    why_other = (
        f"fits the note less well (log-odds {c.margin:.1f} against it)" if other is not None else ""
    )
    reasons: list[str] = []
    if index is not None and other is not None:
        # Where does the transcript say it: near this reading or near the other one?
        pick = _transcript_pick(a.text, o, other, index, ambiguous)
        if pick is not None:
            chosen, why = pick
            if chosen is other:
                o, other = other, o
            why_other = why
            reasons.append(why)
        elif ambiguous:
            reasons.append(
                f"the note leans to this reading (log-odds {c.margin:.1f}); "
                f"the transcript does not decide"
            )
        ambiguous = False  # a transcript exists: a second is owed
    if ambiguous:
        assert other is not None
        written = tp.clean(a.data_t_raw or a.label_raw or "")
        return AnchorResolution(
            a.source_id,
            a.anchor_ordinal,
            None,
            AMBIGUOUS,
            None,
            f"'{written}' reads as {format_hms(o.seconds)} ({o.name}) or "
            f"{format_hms(other.seconds)} ({other.name}) and the evidence does not settle it "
            f"(log-odds {c.margin:.1f}): no second is cited",
            past_why + [f"{r.name} {format_hms(r.seconds)}: not excluded" for r in (o, other)],
        )
    rejected = list(past_why)
    if other is not None:
        rejected.append(f"{other.name} {format_hms(other.seconds)}: {why_other}")
    if not reasons:
        lead = "literal reading" if o.literal else f"read as {_reading_words(o.name)}"
        why = "; ".join(c.evidence) if o is c.option else ""
        if past and not why:
            why = f"the only reading that fits the video; rejected {past_why[0]}"
        if not why and other is not None and not o.literal:
            why = f"it reads like the rest of its note (log-odds {c.margin:.1f})"
        reasons.append(f"{lead}: {why}" if why else lead)
    status = UNVERIFIED if o.literal else REINTERPRETED
    res = AnchorResolution(
        a.source_id,
        a.anchor_ordinal,
        o.seconds,
        status,
        o.name,
        "; ".join(reasons),
        rejected,
        anchor_seconds=o.seconds,
    )
    if index is not None:
        _verify(res, a.text, o.seconds, index)
    if c.suspect and o is c.option and res.status not in (VERIFIED, CORRECTED):
        res.status = SUSPECT
        res.reason += f"; suspect: {c.suspect}"
    if duration is not None and res.seconds is not None and res.seconds > duration + 1:
        res.seconds, res.status = None, INVALID
        res.reason += "; past the end of the video"
    if index is not None and res.seconds is not None:
        res.quote = quote_at(index, res.seconds)
    return res


def _single_reason(a: AnchorInput, o: Option) -> str:
    """Why a form with one non-literal reading reads that way (from the parser)."""
    why = tp.parse_bounded(a.data_t_raw).reason if a.data_t_raw else ""
    lead = f"read as {_reading_words(o.name)}"
    return f"{lead}: {why}" if why else lead


#: The transcript picks a reading when the claim is said near it this well...
PICK_MIN_SCORE = 0.3
#: ...and three times better than near the other reading (the two readings of an A:B:C
#: lie a factor 60 apart, so a clear difference in support is strong evidence).
PICK_RATIO = 3.0


def _transcript_pick(
    text: str, chosen: Option, other: Option, index: TranscriptIndex, ambiguous: bool
) -> tuple[Option, str] | None:
    """The reading the transcript supports clearly better, with why (None: no say)."""
    at_c = index.near(text, chosen.seconds, radius=VERIFY_TOLERANCE)
    at_o = index.near(text, other.seconds, radius=VERIFY_TOLERANCE)
    sc = at_c.score if at_c is not None else 0.0
    so = at_o.score if at_o is not None else 0.0
    if so >= PICK_MIN_SCORE and so >= PICK_RATIO * sc + 0.05:
        return other, (
            f"the transcript says it near {format_hms(other.seconds)} ({other.name}, match "
            f"{so:.2f}), not near {format_hms(chosen.seconds)} ({chosen.name}, match {sc:.2f})"
        )
    if ambiguous and sc >= PICK_MIN_SCORE and sc >= PICK_RATIO * so + 0.05:
        return chosen, (
            f"the transcript says it near {format_hms(chosen.seconds)} ({chosen.name}, match "
            f"{sc:.2f}), not near {format_hms(other.seconds)} ({other.name}, match {so:.2f})"
        )
    if ambiguous and max(sc, so) > 0:
        best = chosen if sc >= so else other
        return best, (
            f"the transcript leans to {format_hms(best.seconds)} ({best.name}; "
            f"match {max(sc, so):.2f} against {min(sc, so):.2f})"
        )
    return None


#: Support right at the anchor (within the tolerance) this good verifies it...
AT_MIN_SCORE = 0.4
#: ...a weaker match there is reported but verifies nothing.
AT_WEAK_SCORE = 0.2
#: A much better match close by (within 90 s) moves the citation there...
NEAR_CORRECT_SCORE = 0.6
NEAR_CORRECT_RATIO = 2.5
#: ...and so does a strong, unique match anywhere that dwarfs what is at the anchor.
FAR_MIN_SCORE = 0.55
FAR_RATIO = 3.0
FAR_MIN_MARGIN = 0.15
#: A claim with no usable time is placed where the transcript clearly says it.
LOCATE_MIN_SCORE = 0.5
LOCATE_MIN_MARGIN = 0.15


def _verify(res: AnchorResolution, text: str, sec: float, index: TranscriptIndex) -> None:
    """Check the anchor against the transcript; verify it, correct it, or leave it.

    Measured on the hand-checked reference, stated anchors (correctly read) are right
    far more often than a lexical match elsewhere, so moving a citation needs a match
    that dwarfs what is said at the anchor; but a weak match at the anchor is not proof
    either (a clean typo, ``05:25`` for a sentence quoted at 15:25, lands on unrelated
    words that share a term or two):

    * a strong, unique match anywhere that is at least three times what is at the
      anchor: *corrected* to it (both scores in the reason);
    * a match within 90 s that is strong and 2.5 times what is at the anchor: *corrected*;
    * the transcript at the anchor (within the tolerance) supports the claim well:
      *verified*, and the anchor's own second is kept (more precise than a sentence
      start);
    * otherwise the anchor stays (*unverified*, *reinterpreted*), with the weak match, if
      any, named in the reason.
    """
    at = index.near(text, sec, radius=VERIFY_TOLERANCE)
    near = index.near(text, sec)
    glob = index.best(text)
    at_score = at.score if at is not None else 0.0
    near_score = near.score if near is not None else 0.0
    if (
        glob is not None
        and glob.score >= FAR_MIN_SCORE
        and glob.score >= FAR_RATIO * at_score
        and glob.score - glob.runner_up >= FAR_MIN_MARGIN
        and not (glob.start - VERIFY_TOLERANCE <= sec <= glob.end + VERIFY_TOLERANCE)
    ):
        res.match = glob
        res.status = CORRECTED
        res.seconds = glob.start
        res.reason += (
            f"; the transcript says it at {format_hms(glob.start)} ({glob.start - sec:+.0f} s "
            f"from the anchor; match {glob.score:.2f} there, {at_score:.2f} at the anchor, "
            f"next best elsewhere {glob.runner_up:.2f})"
        )
        return
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
    res.match = at or near or glob
    if at is not None and at_score >= AT_WEAK_SCORE:
        res.reason += (
            f"; only a weak transcript match near the anchor ({at_score:.2f} at "
            f"{format_hms(at.start)}): not verified"
        )
    else:
        res.reason += "; no confident transcript match near the anchor"


def _locate(res: AnchorResolution, text: str, index: TranscriptIndex) -> None:
    """Give an anchor without a usable second the place the transcript clearly says it."""
    glob = index.best(text)
    if (
        glob is None
        or glob.score < LOCATE_MIN_SCORE
        or glob.score - glob.runner_up < LOCATE_MIN_MARGIN
    ):
        return
    res.match = glob
    res.seconds = glob.start
    res.status = CORRECTED
    res.reason += (
        f"; the transcript says it at {format_hms(glob.start)} (match {glob.score:.2f}, "
        f"next best {glob.runner_up:.2f})"
    )
    res.quote = quote_at(index, glob.start)


#: The quote covers the sentence at the cited second and what follows for this long...
QUOTE_SPAN_SECONDS = 10.0
#: ...in at most this many sentences, cut at this many characters.
QUOTE_MAX_SENTENCES = 3
QUOTE_MAX_CHARS = 600


def quote_at(index: TranscriptIndex, seconds: float) -> tuple[float, float, str] | None:
    """The transcript sentence(s) spoken at ``seconds``: (start, end, text).

    The sentence under the cited second (or the next one, in a pause), then the
    following sentences until about ten seconds are covered, so a reader can check the
    claim against what was said without opening the video.
    """
    sents = index.sentences
    if not sents:
        return None
    starts = index.starts
    i = bisect_right(starts, seconds) - 1
    if i < 0:
        i = 0
    elif sents[i].end < seconds and i + 1 < len(sents):
        i += 1  # a pause: the next sentence is what follows the cited second
    j = i
    while (
        j + 1 < len(sents)
        and j - i + 1 < QUOTE_MAX_SENTENCES
        and sents[j].end < seconds + QUOTE_SPAN_SECONDS
    ):
        j += 1
    text = " ".join(s.text for s in sents[i : j + 1])
    if len(text) > QUOTE_MAX_CHARS:
        text = text[: QUOTE_MAX_CHARS - 1].rstrip() + "…"
    return sents[i].start, sents[j].end, text
