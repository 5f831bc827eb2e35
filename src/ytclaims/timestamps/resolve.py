"""Choose the second each anchor of a note should cite, and say why.

Evidence used here is the weakest kind the timestamp design allows: the note's own
anchors. It is still strong for the commonest ambiguity. Under an honest
``HH:MM:SS`` reading only 1 anchor in 60 ends in ``:00``; a note where a quarter or
more of its anchors do is writing ``MM:SS:00``, and its ``:00`` anchors mean
minutes:seconds. Stronger evidence (transcripts, video durations, other notes of the
same video) belongs to later resolution stages, which can overrule what is chosen
here because every candidate reading is stored with the anchor.

Status vocabulary (``citations.timestamp_status``):

- ``unverified``: one reading is clearly meant; nothing checked it against the video.
- ``reinterpreted``: the cited second comes from a non-literal reading, chosen on
  evidence (named in ``resolution_reason``).
- ``ambiguous``: several readings stay plausible; ``seconds`` is NULL so no citation
  points at a guessed second.
- ``invalid``: no usable second.
"""

from __future__ import annotations

from dataclasses import dataclass

from ytclaims.timestamps import parse as tp

UNVERIFIED = "unverified"
REINTERPRETED = "reinterpreted"
AMBIGUOUS = "ambiguous"
INVALID = "invalid"

#: A note whose share of ``:00`` anchors is at least this is writing MM:SS:00.
MS00_SHARE = 0.25
#: ...provided it has at least this many ``:00`` anchors (one can be chance).
MS00_MIN = 2
#: A literal reading of this many hours or more is implausible for a single anchor.
IMPLAUSIBLE_HOURS = 4


@dataclass(slots=True)
class Resolution:
    """The second chosen for one anchor, with the evidence behind it."""

    seconds: float | None
    status: str
    reading: str | None  # name of the chosen reading, e.g. 'hh:mm:ss' or 'mm:ss:00'
    source: str | None  # 'data-t' or 'label': which written value the second comes from
    reason: str
    label_mismatch: bool


def _agree(a: tp.ParsedTime, b: tp.ParsedTime) -> bool:
    sa = {int(r.seconds) for r in a.readings}
    return any(int(r.seconds) in sa for r in b.readings)


def _primary(dt: tp.ParsedTime, label: tp.ParsedTime) -> tuple[tp.ParsedTime, str]:
    if dt.status not in (tp.EMPTY, tp.INVALID):
        return dt, "data-t"
    if label.status not in (tp.EMPTY, tp.INVALID):
        return label, "label"
    return dt, "data-t"


def note_convention(times: list[tp.ParsedTime]) -> tuple[str | None, str]:
    """Does this note write ``MM:SS:00``, ``HH:MM:SS``, or can't we tell?"""
    # Anchors already read as MM:SS:00 (hours field too large) are evidence too.
    hms = [
        t
        for t in times
        if (t.form == "hh:mm:ss" and t.status in (tp.OK, tp.AMBIGUOUS)) or t.form == "mm:ss:00"
    ]
    n = len(hms)
    z = sum(1 for t in hms if t.status == tp.AMBIGUOUS or t.form == "mm:ss:00")
    if n == 0 or z == 0:
        return None, ""
    share = z / n
    if z >= MS00_MIN and share >= MS00_SHARE:
        return "mm:ss:00", (
            f"{z} of {n} HH:MM:SS-form anchors in this note end in ':00' "
            f"(about 1 in 60 would by chance), so ':00' anchors are read as MM:SS:00"
        )
    if n - z >= 3:
        return "hh:mm:ss", (
            f"only {z} of {n} HH:MM:SS-form anchors in this note end in ':00', "
            f"as chance predicts, so they are read literally"
        )
    return None, ""


def resolve_note(pairs: list[tuple[tp.ParsedTime, tp.ParsedTime]]) -> list[Resolution]:
    """Resolve every anchor of one note: ``pairs`` is (data-t, label) per anchor."""
    primaries = [_primary(dt, lb) for dt, lb in pairs]
    convention, why = note_convention([p for p, _ in primaries])
    out: list[Resolution] = []
    for (dt, lb), (p, src) in zip(pairs, primaries, strict=True):
        mismatch = bool(dt.readings and lb.readings and not _agree(dt, lb))
        note = ""
        if mismatch:
            note = f"; label '{tp.clean(lb.raw)}' disagrees with data-t '{tp.clean(dt.raw)}'"
        elif src == "label":
            note = "; data-t unusable, label used"
        if not p.readings:
            reason = p.reason or "no usable time"
            if lb.status == tp.INVALID and src == "data-t" and lb.reason:
                reason += f"; label: {lb.reason}"
            out.append(Resolution(None, INVALID, None, None, reason, mismatch))
            continue
        if p.status == tp.OK:
            r = p.readings[0]
            out.append(
                Resolution(r.seconds, UNVERIFIED, r.name, src, (p.reason or "") + note, mismatch)
            )
            continue
        if p.status == tp.NONSTANDARD:
            r = p.readings[0]
            out.append(Resolution(r.seconds, REINTERPRETED, r.name, src, p.reason + note, mismatch))
            continue
        # AMBIGUOUS: HH:MM:SS literal vs MM:SS:00.
        literal, alt = p.readings[0], p.reading("mm:ss:00")
        hours = int(literal.seconds // 3600)
        if convention == "mm:ss:00" and alt is not None:
            out.append(Resolution(alt.seconds, REINTERPRETED, alt.name, src, why + note, mismatch))
        elif convention == "hh:mm:ss":
            out.append(
                Resolution(literal.seconds, UNVERIFIED, literal.name, src, why + note, mismatch)
            )
        elif alt is not None and hours >= IMPLAUSIBLE_HOURS:
            reason = f"a literal reading is {hours} h in, implausible; read as MM:SS:00"
            out.append(
                Resolution(alt.seconds, REINTERPRETED, alt.name, src, reason + note, mismatch)
            )
        else:
            # e.g. a lone 00:05:00: 5 minutes, or 5 seconds written MM:SS:00. Too close
            # to call from the note alone; NULL beats a guessed second.
            out.append(Resolution(None, AMBIGUOUS, None, src, p.reason + note, mismatch))
    return out
