"""Read each anchor of a note the way its neighbours, its note and its video say it is meant.

A three-field time ``A:B:C`` is literally hours:minutes:seconds, but many notes write
minutes:seconds followed by a third field that is not a time at all: ``:00``, the
seconds repeated (``01:31:31`` = 1:31), video frames (``01:52:04``), hundredths, or one
constant suffix (``:07`` on every anchor). Read literally they put a claim hours into a
ten-minute video. Which reading is meant cannot be told from one string; it can from
the evidence around it, weighed here as log-likelihoods:

* **the third fields of the whole note** (:func:`fit_third_field`). Under an honest
  ``HH:MM:SS`` reading the seconds field is uniform over 0-59: a share of ``:00``
  anchors, repeated seconds, one constant value, or only values below 30 far above
  chance says the note writes minutes:seconds plus something else. The note's own mix
  of these kinds is fitted (a small mixture, by EM), so no list of special cases is
  needed, and an anchor whose third field does not fit the note's habit is not pulled
  along by it;
* **its neighbours**: a note's anchors mostly run in time order over one stretch of the
  video, so a jump between neighbours costs in proportion to its size in log-time
  (``06:48:42`` between 6:30 and 7:10 is 6:48, not 6 h 48 min); backwards costs more;
* **how long the video can be**: past a known duration is impossible; without one, a
  generic prior on video length (hours are rare, five and more very rare), raised to at
  least as far as the video's other notes reach (:class:`LengthPrior`);
* **a small prior for the literal form**, the format the notes are meant to use.

A Viterbi pass over the note (states: each anchor's readings, plus whether the note has
used a non-literal reading yet, which costs once) gives the best reading for every
anchor and, by max-marginals, how much worse the best alternative is: the margin is the
evidence's log-odds, so a small one leaves the anchor ``ambiguous`` instead of guessing.
Every term is kept per anchor, so the chosen reading's reason names the evidence that
decided it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ytclaims.timestamps import parse as tp
from ytclaims.timestamps.parse import format_hms

#: Readings that take the written fields at face value.
LITERAL_READINGS = frozenset({"hh:mm:ss", "mm:ss", "seconds", "hh:mm:ss:ff"})

# --- weights (log-probabilities, natural log) -------------------------------------------
# Steps between consecutive anchors of a note, measured on 231k steps of notes written
# in honest HH:MM:SS (every hours field <= 2, few ':00' or repeated seconds): 86 % go
# forward, log-normal around 19 s (median 15 s); 12 % go back, log-normal around 107 s;
# 1.6 % stay on the same second.
STEP_SAME = math.log(0.016)
STEP_FWD = (math.log(0.861), 2.93, 1.54)  # (log share, mean and sd of ln seconds)
STEP_BACK = (math.log(0.123), 4.68, 1.77)
#: Where a note's first anchor lies: broad, around five minutes in.
FIRST = (0.0, math.log(300.0), 2.5)
#: A note writes minutes:seconds with a third field (``MM:SS:xx``) with this prior...
ALT_NOTE = math.log(0.2)
LIT_NOTE = math.log(0.8)
#: ...switches between the two within a note rarely...
SWITCH = math.log(0.03)
STAY = math.log(0.97)
#: ...and one anchor reads against the note's current habit now and then.
DEVIATE = math.log(0.1)
CONFORM = math.log(0.9)
#: Weight of the video-length prior, shared by a note's anchors (one video, one length)...
EXTENT_WEIGHT = 3.0
#: ...except past this log-survival (about 4 h in, where videos become very rare): below
#: it every anchor pays in full, so a few anchors read 9 h in cannot hide in a long note.
EXTENT_SHARED_FLOOR = -2.5
#: How much of the video a note covers (last anchor minus first), log-normal in seconds:
#: measured on the 4,641 notes of the shared and training corpus with at least four
#: anchors, all honest ``HH:MM:SS`` under an hour (median about 9 min; under a minute is
#: 5 %). A habit that would squeeze a note of several anchors into a few seconds, or
#: stretch it over many hours, pays for it (scale-free: in log-seconds).
SPAN = (0.0, 6.31, 1.18)
#: With a known duration, the share of the video the note covers instead, log-normal:
#: notes summarise a video from its early minutes to near its end (set by judgement, as
#: videos of known length are few here: about 60 % with a broad spread).
COVERAGE = (0.0, math.log(0.6), 0.9)
#: ...for notes of at least this many anchors with a reading to choose (two say little).
SPAN_MIN_ANCHORS = 3
#: Below this margin (log-odds) between two readings far apart, no reading is chosen.
AMBIGUOUS_MARGIN = 2.5
#: Readings closer than this are the same citation for a reader: never ambiguous.
SAME_PLACE_SECONDS = 15.0
_LN_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _lognormal(z: float, params: tuple[float, float, float]) -> float:
    w, mu, sd = params
    return w - (z - mu) ** 2 / (2 * sd * sd) - math.log(sd) - _LN_SQRT_2PI


def step_score(prev: float, cur: float, shift: float = 0.0) -> float:
    """log P(the next anchor of a note is ``cur`` seconds | this one is ``prev``), per second.

    ``shift`` moves the step sizes on the log scale: each note is scored with the step
    size its own readings show (:func:`step_shift`), so the step model says which anchors
    are out of step with their note, never which scale a note is at (that is the third
    fields' and the video length's say). Per second, not per log-second: a reading 60
    times smaller makes a step 60 times more probable per second, which a minutes:seconds
    reading pays back with the probability of its third field (:meth:`ThirdFieldModel.logp`).
    """
    d = int(cur) - int(prev)
    if d == 0:
        return STEP_SAME
    z = math.log(abs(d))
    w, mu, sd = STEP_FWD if d > 0 else STEP_BACK
    return _lognormal(z, (w, mu + shift, sd)) - z


def first_score(x: float, shift: float = 0.0) -> float:
    z = math.log(int(x) + 1.0)
    return _lognormal(z, (FIRST[0], FIRST[1] + shift, FIRST[2])) - z


#: How many typical steps a note's own step size is shrunk towards (few anchors, little say).
STEP_SHRINK = 3.0


def step_shift(values: Sequence[float]) -> float:
    """log-scale of a note's forward steps under one reading, relative to typical notes."""
    zs = sorted(math.log(b - a) for a, b in zip(values, values[1:], strict=False) if b - a >= 1)
    if not zs:
        return 0.0
    med = zs[len(zs) // 2]
    mu = (len(zs) * med + STEP_SHRINK * STEP_FWD[1]) / (len(zs) + STEP_SHRINK)
    return mu - STEP_FWD[1]


#: Generic log-probability that a video runs at least h hours (piecewise linear): most
#: videos notes cite are under an hour, podcasts run two or three, five is very rare.
_LOG_SURVIVAL_HOURS = ((0.0, 0.0), (1.0, 0.0), (2.0, -0.3), (3.0, -1.0), (4.0, -2.5), (5.0, -5.0))
_LOG_SURVIVAL_SLOPE = -3.0  # per hour past the last point
#: A reading this improbable under the length prior (about 5 h in) is suspect unless
#: other evidence about the video reaches that far.
SUSPECT_LOG_SURVIVAL = -5.0


def generic_log_survival(seconds: float) -> float:
    """log P(a video runs at least ``seconds``), before anything is known about it."""
    h = seconds / 3600.0
    pts = _LOG_SURVIVAL_HOURS
    if h <= pts[0][0]:
        return 0.0
    for (h0, v0), (h1, v1) in zip(pts, pts[1:], strict=False):
        if h <= h1:
            return v0 + (v1 - v0) * (h - h0) / (h1 - h0)
    return pts[-1][1] + _LOG_SURVIVAL_SLOPE * (h - pts[-1][0])


_HOURS = np.array([h for h, _ in _LOG_SURVIVAL_HOURS])
_LOGS = np.array([v for _, v in _LOG_SURVIVAL_HOURS])


def _generic_log_survival_array(seconds: np.ndarray) -> np.ndarray:
    h = seconds / 3600.0
    inside = np.interp(h, _HOURS, _LOGS)
    beyond = _LOGS[-1] + _LOG_SURVIVAL_SLOPE * (h - _HOURS[-1])
    return np.where(h > _HOURS[-1], beyond, inside)


@dataclass(frozen=True, slots=True)
class LengthPrior:
    """What is known about how long a video runs, as a log-survival function.

    ``duration``: the known length (readings past it are impossible). ``floor``: the
    other notes of the video confidently reach this far, so the video is at least that
    long (the prior is conditioned on it), and a reading well past it is a little less
    likely (those notes, covering other parts of the video, did not get there).
    """

    duration: float | None = None
    floor: float | None = None

    def log_survival(self, seconds: float) -> float:
        if self.duration is not None:
            return 0.0 if seconds <= self.duration + 1 else -math.inf
        if self.floor is None:
            return generic_log_survival(seconds)
        if seconds <= self.floor:
            return 0.0
        base = generic_log_survival(seconds) - generic_log_survival(self.floor)
        reach = 1.5 * self.floor + 600.0
        if seconds > reach:
            base -= 0.5 * math.log2(seconds / reach)
        return base

    def log_survival_array(self, seconds: np.ndarray) -> np.ndarray:
        """:meth:`log_survival` over an array (the note batch uses it)."""
        if self.duration is not None:
            return np.where(seconds <= self.duration + 1, 0.0, -np.inf)
        gen = _generic_log_survival_array(seconds)
        if self.floor is None:
            return gen
        base = gen - generic_log_survival(self.floor)
        reach = 1.5 * self.floor + 600.0
        base = base - np.where(
            seconds > reach, 0.5 * np.log2(np.maximum(seconds, 1.0) / reach), 0.0
        )
        return np.where(seconds <= self.floor, 0.0, base)

    def describe(self, seconds: float) -> str:
        """Why a reading this far in is (un)likely, in words."""
        if self.duration is not None:
            if seconds > self.duration + 1:
                return (
                    f"{format_hms(seconds)} is past the end of the video "
                    f"({format_hms(self.duration)})"
                )
            return f"the video is {format_hms(self.duration)} long"
        if self.floor is not None and seconds > self.floor:
            return (
                f"the video's other notes reach {format_hms(self.floor)}; "
                f"{format_hms(seconds)} would be {_hours(seconds)} in"
            )
        return f"{format_hms(seconds)} would be {_hours(seconds)} into the video, which is rare"


def _hours(seconds: float) -> str:
    h, m = divmod(int(seconds) // 60, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"


# --- readings ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Option:
    """One reading of a written time: its name, its second, whether it is literal."""

    name: str
    seconds: float
    literal: bool


_THREE = re.compile(r"^(\d{1,3}):(\d{1,2}):(\d{1,2})$")


def three_fields(pt: tp.ParsedTime) -> tuple[int, int, int] | None:
    """``(A, B, C)`` of an ``A:B:C`` time whose literal reading is valid, else None."""
    if pt.form != "hh:mm:ss" or pt.status not in (tp.OK, tp.AMBIGUOUS):
        return None
    m = _THREE.match(tp.clean(pt.raw))
    if m is None:
        return None
    a, b, c = (int(g) for g in m.groups())
    return a, b, c


def alt_name(a: int, b: int, c: int) -> str:
    """Name of the minutes:seconds reading of ``A:B:C``, after what its third field is."""
    if c == 0:
        return "mm:ss:00"
    if c == b:
        return "mm:ss:ss"
    return "mm:ss:ff"


@lru_cache(maxsize=65536)
def options_for(pt: tp.ParsedTime) -> tuple[tuple[Option, ...], tuple[int, int, int] | None]:
    """Every reading of one parsed time, literal first, and its three fields if any.

    ``A:B:C`` (seconds field under 60) has two: hours:minutes:seconds, and minutes:seconds
    with the third field dropped (``:00``, repeated seconds, frames, hundredths). Other
    forms keep the reading the parser gave (``MM:SS``, seconds, frames, ``MM:SS:cc`` when
    the last field is 60 or more, ...).
    """
    if not pt.readings:
        return (), None
    abc = three_fields(pt)
    if abc is not None:
        a, b, c = abc
        literal = Option("hh:mm:ss", float(a * 3600 + b * 60 + c), True)
        alt = Option(alt_name(a, b, c), float(a * 60 + b), False)
        if abs(literal.seconds - alt.seconds) < 1:
            return (literal,), None
        return (literal, alt), abc
    r = pt.readings[0]
    return (Option(r.name, r.seconds, r.name in LITERAL_READINGS),), None


# --- what a note's third fields say -------------------------------------------------------

_KINDS = ("zero", "repeat", "const", "low", "centi", "uniform")
EM_ROUNDS = 40
#: Dirichlet pseudo-counts: before the note says otherwise, third fields are seconds.
_PSEUDO = {"zero": 0.5, "repeat": 0.5, "const": 0.5, "low": 0.5, "centi": 0.5, "uniform": 4.0}


@dataclass(frozen=True, slots=True)
class ThirdFieldModel:
    """The note's habit for the third field of ``A:B:C`` under a minutes:seconds reading.

    ``weights`` over kinds: ``zero`` (``:00``), ``repeat`` (the seconds again), ``const``
    (one value, ``const_value``), ``low`` (under 30: frames), ``centi`` (0-99:
    hundredths), ``uniform`` (anything: no information).
    """

    weights: dict[str, float]
    const_value: int | None
    n: int
    counts: dict[str, int]
    mass: float = 0.0  # anchors plus pseudo-counts the weights were fitted on
    _logp: dict[tuple[int, int], float] = field(default_factory=dict, compare=False, repr=False)

    def _kind_liks(self, b: int, c: int) -> tuple[float, ...]:
        """P(c | kind) for each kind, in ``_KINDS`` order."""
        return (
            1.0 if c == 0 else 0.0,
            1.0 if c == b else 0.0,
            1.0 if self.const_value is not None and c == self.const_value else 0.0,
            1 / 30 if c < 30 else 0.0,
            1 / 100,
            1 / 60,
        )

    def prob(self, b: int, c: int) -> float:
        w = self.weights
        return sum(w[k] * lk for k, lk in zip(_KINDS, self._kind_liks(b, c), strict=True))

    def logp(self, b: int, c: int) -> float:
        """log P(third field ``c``) under the note's habit, fitted without this anchor.

        Leave-one-out (a one-step approximation of refitting without it): an anchor is
        not evidence for itself, so a lone ``02:30:00`` does not teach the note that it
        writes ``:00`` and then believe it.
        """
        key = (b, c)
        hit = self._logp.get(key)
        if hit is not None:
            return hit
        self._logp[key] = v = self._logp_loo(b, c)
        return v

    def logp_many(self, bc: Sequence[tuple[int, int]]) -> np.ndarray:
        """:meth:`logp` for many (seconds, third field) pairs at once."""
        arr = np.asarray(bc, dtype=float).reshape(-1, 2)
        b, c = arr[:, 0], arr[:, 1]
        const = -1.0 if self.const_value is None else float(self.const_value)
        liks = np.stack(
            [
                (c == 0).astype(float),
                (c == b).astype(float),
                (c == const).astype(float),
                np.where(c < 30, 1 / 30, 0.0),
                np.full_like(c, 1 / 100),
                np.full_like(c, 1 / 60),
            ],
            axis=1,
        )
        w = np.array([self.weights[k] for k in _KINDS])
        parts = liks * w
        tot = parts.sum(axis=1, keepdims=True)
        big_n = self.mass
        if big_n <= 1:
            return np.log(np.maximum(tot[:, 0], 1e-12))
        share = np.divide(parts, tot, out=np.zeros_like(parts), where=tot > 0)
        wk = np.maximum(big_n * w - share, 0.0) / (big_n - 1)
        return np.log(np.maximum((wk * liks).sum(axis=1), 1e-12))

    def _logp_loo(self, b: int, c: int) -> float:
        w = self.weights
        liks = self._kind_liks(b, c)
        parts = [w[k] * lk for k, lk in zip(_KINDS, liks, strict=True)]
        tot = sum(parts)
        big_n = self.mass
        if tot <= 0 or big_n <= 1:
            return math.log(max(tot, 1e-12))
        p = 0.0
        for (k, lk), part in zip(zip(_KINDS, liks, strict=True), parts, strict=True):
            wk = max(big_n * w[k] - part / tot, 0.0) / (big_n - 1)
            p += wk * lk
        return math.log(max(p, 1e-12))

    def llr(self, b: int, c: int) -> float:
        """The third field's evidence for minutes:seconds over honest seconds (uniform)."""
        return self.logp(b, c) + math.log(60.0)

    def describe(self, b: int, c: int) -> str:
        """The note's habit that explains this third field, in words ('' if none)."""
        n = self.n
        k = self.counts
        if c == 0 and k["zero"] >= 2:
            return (
                f"{k['zero']} of {n} A:B:C anchors in this note end in ':00' "
                f"(about 1 in 60 would by chance)"
            )
        if c == b and k["repeat"] >= 2:
            return f"{k['repeat']} of {n} repeat their seconds as a third field (like 01:31:31)"
        if self.const_value is not None and c == self.const_value and k["const"] >= 2:
            return f"{k['const']} of {n} end in the same ':{self.const_value:02d}'"
        if k["centi"] >= 1 and self.weights["centi"] >= 0.2:
            return f"{k['centi']} of {n} have a third field of 60 or more (hundredths)"
        if c < 30 and self.weights["low"] >= 0.3:
            return f"{k['low']} of {n} third fields are under 30 (video frames)"
        return ""


def fit_third_field(fields: Sequence[tuple[int, int, int]], centi: int = 0) -> ThirdFieldModel:
    """Fit the note's third-field habit (EM on pattern counts; microseconds a note).

    ``fields`` are the ``(A, B, C)`` of the note's two-reading anchors; ``centi`` counts
    its anchors whose third field is 60 or more (only hundredths explain those).
    """
    nonjunk = Counter(c for _, b, c in fields if c != 0 and c != b)
    const_value, const_n = (None, 0)
    if nonjunk:
        v, k = nonjunk.most_common(1)[0]
        if k >= 2:
            const_value, const_n = v, k
    # Each anchor's likelihood under each kind; anchors with equal vectors are pooled.
    patterns: Counter[tuple[float, ...]] = Counter()
    for _, b, c in fields:
        patterns[
            (
                1.0 if c == 0 else 0.0,
                1.0 if c == b else 0.0,
                1.0 if const_value is not None and c == const_value else 0.0,
                1 / 30 if c < 30 else 0.0,
                1 / 100,
                1 / 60,
            )
        ] += 1
    if centi:
        patterns[(0.0, 0.0, 0.0, 0.0, 1 / 100, 0.0)] += centi
    pseudo = np.array([_PSEUDO[k] for k in _KINDS])
    if patterns:
        lik = np.array(list(patterns.keys()))  # (patterns, kinds)
        cnt = np.array(list(patterns.values()), dtype=float)
        total = cnt.sum() + pseudo.sum()
        w = np.full(len(_KINDS), 1.0 / len(_KINDS))
        for _ in range(EM_ROUNDS):
            parts = lik * w
            sums = parts.sum(axis=1, keepdims=True)
            resp = np.divide(parts, sums, out=np.zeros_like(parts), where=sums > 0)
            new = (pseudo + (resp * cnt[:, None]).sum(axis=0)) / total
            if np.abs(new - w).max() < 1e-3:
                w = new
                break
            w = new
    else:
        w = pseudo / pseudo.sum()
    weights = dict(zip(_KINDS, (float(v) for v in w), strict=True))
    counts = {
        "zero": sum(1 for _, _, c in fields if c == 0),
        "repeat": sum(1 for _, b, c in fields if c == b and c != 0),
        "const": const_n,
        "low": sum(1 for _, _, c in fields if c < 30),
        "centi": centi,
    }
    mass = len(fields) + centi + float(pseudo.sum())
    return ThirdFieldModel(weights, const_value, len(fields) + centi, counts, mass)


# --- the sequence --------------------------------------------------------------------------


@dataclass(slots=True)
class SeqAnchor:
    """One anchor of a note, as the sequence model sees it."""

    options: tuple[Option, ...]
    fields: tuple[int, int, int] | None = None  # (A, B, C) when options = (literal, alt)


@dataclass(slots=True)
class Choice:
    """The reading chosen for one anchor, how sure, and why."""

    option: Option | None
    margin: float = math.inf  # log-odds of the chosen reading against the best other one
    other: Option | None = None  # the best reading not chosen
    evidence: list[str] = field(default_factory=list)  # why, strongest first
    suspect: str = ""  # non-empty when the reading stays implausible: why


_LN60 = math.log(60.0)
_NEG = -np.inf
#: Notes are resolved in batches padded to a common length; this bounds a batch's cells.
BATCH_CELLS = 120_000


@dataclass(slots=True)
class NoteJob:
    """One note to resolve: its anchors in order, what is known of the video's length,
    and the note's third-field habit (fitted once, reused by both passes)."""

    anchors: Sequence[SeqAnchor]
    prior: LengthPrior
    model: ThirdFieldModel


def note_model(anchors: Sequence[SeqAnchor]) -> ThirdFieldModel:
    fields = [a.fields for a in anchors if a.fields is not None]
    centi = sum(1 for a in anchors if a.options and a.options[0].name == "mm:ss:cc")
    return fit_third_field(fields, centi)  # type: ignore[arg-type]


def resolve_sequence(
    anchors: Sequence[SeqAnchor], prior: LengthPrior, *, model: ThirdFieldModel | None = None
) -> list[Choice]:
    """Choose a reading for every anchor of one note (in note order), with margins."""
    job = NoteJob(anchors, prior, model if model is not None else note_model(anchors))
    return resolve_jobs([job])[0]


def _step_scores(d: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """:func:`step_score` over arrays (``d`` whole-second steps; ``shift`` broadcasts)."""
    ad = np.maximum(np.abs(d), 1.0)
    z = np.log(ad)
    fw_w, fw_mu, fw_sd = STEP_FWD
    bk_w, bk_mu, bk_sd = STEP_BACK
    fw = fw_w - (z - fw_mu - shift) ** 2 / (2 * fw_sd * fw_sd) - math.log(fw_sd)
    bk = bk_w - (z - bk_mu - shift) ** 2 / (2 * bk_sd * bk_sd) - math.log(bk_sd)
    out = np.where(d > 0, fw, bk) - _LN_SQRT_2PI - z
    return np.where(d == 0, STEP_SAME, out)


def _first_scores(x: np.ndarray, shift: np.ndarray) -> np.ndarray:
    z = np.log(np.floor(x) + 1.0)
    w, mu, sd = FIRST
    return w - (z - mu - shift) ** 2 / (2 * sd * sd) - math.log(sd) - _LN_SQRT_2PI - z


def resolve_jobs(jobs: Sequence[NoteJob]) -> list[list[Choice]]:
    """Resolve many notes at once (numpy over a batch of notes, a loop over positions)."""
    results: list[list[Choice] | None] = [None] * len(jobs)
    prepared = [_prepare(job) for job in jobs]
    order = sorted(range(len(jobs)), key=lambda i: prepared[i].n)
    start = 0
    while start < len(order):
        length = max(prepared[order[start]].n, 1)
        end = start + 1
        while (
            end < len(order) and (end - start + 1) * max(prepared[order[end]].n, 1) <= BATCH_CELLS
        ):
            end += 1
        batch = [prepared[i] for i in order[start:end]]
        _run_batch(batch)
        for i in order[start:end]:
            results[i] = _choices(jobs[i], prepared[i])
        start = end
        del length
    return [r if r is not None else [] for r in results]


_NONE = Choice(None)  # shared placeholder for anchors without a usable reading


@dataclass(slots=True)
class _Prepared:
    """A note's anchors as arrays for the batch pass; results are written back here."""

    idx: list[int]  # anchor positions (in the note) that have a usable reading
    opts: list[tuple[Option, ...]]
    rejected: dict[int, list[Option]]
    x: np.ndarray  # (n, 2) seconds (second slot 0 when the anchor has one reading)
    valid: np.ndarray  # (n, 2)
    emit: np.ndarray  # (n, 2 readings, 2 habits)
    third: np.ndarray  # (n, 2)
    ext: np.ndarray  # (n, 2)
    shifts: np.ndarray  # (2,) step shift per habit
    note_prior: np.ndarray  # (2,) log prior of each habit
    n: int
    marg: np.ndarray | None = None  # (n, 2) max-marginals
    mode: np.ndarray | None = None  # (n,) habit of the best state of the chosen reading
    spans: tuple[float, float] = (0.0, 0.0)  # span term of the literal and the other habit
    span_seconds: tuple[float, float] = (0.0, 0.0)  # the spans themselves


def _prepare(job: NoteJob) -> _Prepared:
    prior, model = job.prior, job.model
    idx: list[int] = []
    opts: list[tuple[Option, ...]] = []
    rejected: dict[int, list[Option]] = {}
    for i, a in enumerate(job.anchors):
        if not a.options:
            continue
        keep = a.options
        if prior.duration is not None:
            keep = tuple(o for o in a.options if o.seconds <= prior.duration + 1)
            if len(keep) < len(a.options):
                rejected[i] = [o for o in a.options if o not in keep]
        if keep:
            idx.append(i)
            opts.append(keep)
        else:
            rejected.setdefault(i, list(a.options))
    n = len(idx)
    x = np.zeros((n, 2))
    valid = np.zeros((n, 2), dtype=bool)
    lit = np.ones((n, 2), dtype=bool)
    two = np.zeros(n, dtype=bool)
    third = np.zeros((n, 2))
    alt_at: list[tuple[int, int]] = []
    alt_bc: list[tuple[int, int]] = []
    for k, (i, os_) in enumerate(zip(idx, opts, strict=True)):
        a = job.anchors[i]
        two[k] = len(a.options) > 1  # a reading the duration excluded still shows the habit
        for j, o in enumerate(os_):
            x[k, j] = o.seconds
            valid[k, j] = True
            lit[k, j] = o.literal
            if not o.literal and a.fields is not None:
                alt_at.append((k, j))
                alt_bc.append((a.fields[1], a.fields[2]))
    if alt_at:
        rows, cols = zip(*alt_at, strict=True)
        third[list(rows), list(cols)] = model.logp_many(alt_bc)
    ls = prior.log_survival_array(x)
    shared = np.maximum(ls, EXTENT_SHARED_FLOOR)
    ext = np.where(valid, (EXTENT_WEIGHT / max(n, 1)) * shared + (ls - shared), 0.0)
    base = third + ext
    dev_lit = np.where(two[:, None], np.where(lit, CONFORM, DEVIATE), 0.0)
    dev_alt = np.where(two[:, None], np.where(lit, DEVIATE, CONFORM), 0.0)
    emit = np.stack([base + dev_lit, base + dev_alt], axis=-1)
    emit[~valid] = _NEG
    # The minutes:seconds habit is the same note 60 times smaller: its step size is the
    # literal one scaled down (measuring it on the squeezed readings would not do: they
    # collapse many steps to the same second).
    shift_lit = step_shift(list(x[:, 0]))
    share_two = float(two.mean()) if n else 0.0
    shifts = np.array([shift_lit, shift_lit - share_two * _LN60])
    # A minutes:seconds habit whose third fields look like honest seconds is rarer than
    # one with ':00' or repeated seconds: the prior says so (1 - 0.85 w_uniform).
    alt_prior = ALT_NOTE + math.log(1.0 - 0.85 * model.weights["uniform"])
    span_seconds, spans = _span_terms(x, valid, lit, two, prior)
    return _Prepared(
        idx,
        opts,
        rejected,
        x,
        valid,
        emit,
        third,
        ext,
        shifts,
        np.array([LIT_NOTE + spans[0], alt_prior + spans[1]]),
        n,
        spans=spans,
        span_seconds=span_seconds,
    )


def _span_terms(
    x: np.ndarray, valid: np.ndarray, lit: np.ndarray, two: np.ndarray, prior: LengthPrior
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The note's span if every anchor takes its literal reading and if every one takes
    its minutes:seconds reading, and the log-probability of each (:data:`SPAN`; with a
    known duration, the share of the video covered, :data:`COVERAGE`). An anchor with one
    reading counts in both; one whose reading of a kind the duration excluded counts in
    the other only. Zero terms when too few anchors have two readings to say anything."""
    spans: list[float] = []
    terms: list[float] = []
    single = ~two
    for want_literal in (True, False):
        ok = valid & ((lit == want_literal) | single[:, None])
        col = np.where(ok[:, 0], x[:, 0], np.where(ok[:, 1], x[:, 1], np.nan))
        col = col[~np.isnan(col)]
        span = max(float(col.max() - col.min()), 1.0) if col.size >= 2 else 0.0
        spans.append(span)
        if int(two.sum()) < SPAN_MIN_ANCHORS or col.size < 2:
            terms.append(0.0)
            continue
        if prior.duration:
            z, mu, sd = math.log(min(span / prior.duration, 1.0)), COVERAGE[1], COVERAGE[2]
        else:
            z, mu, sd = math.log(span), SPAN[1], SPAN[2]
        terms.append(-((z - mu) ** 2) / (2 * sd * sd))
    return (spans[0], spans[1]), (terms[0], terms[1])


def _run_batch(batch: list[_Prepared]) -> None:
    """Forward and backward max-passes over a batch of notes padded to one length."""
    nb = len(batch)
    length = max(p.n for p in batch)
    if length == 0:
        for p in batch:
            p.marg = np.zeros((0, 2))
            p.mode = np.zeros(0, dtype=int)
        return
    x = np.zeros((nb, length, 2))
    emit = np.full((nb, length, 2, 2), _NEG)
    emit[:, :, 0, :] = 0.0  # padding: one free reading, no cost
    live = np.zeros((nb, length), dtype=bool)
    shifts = np.zeros((nb, 2))
    note_prior = np.zeros((nb, 2))
    for b, p in enumerate(batch):
        x[b, : p.n] = p.x
        emit[b, : p.n] = p.emit
        live[b, : p.n] = True
        shifts[b] = p.shifts
        note_prior[b] = p.note_prior
    xi = np.floor(x)
    # steps[b, k, j, jn, mn]: from reading j at k to reading jn at k+1, at habit mn's size.
    d = xi[:, 1:, None, :] - xi[:, :-1, :, None]  # (nb, L-1, j, jn)
    steps = _step_scores(d[..., None], shifts[:, None, None, None, :])
    pad = ~live[:, 1:]
    steps[pad] = 0.0
    stay = np.array([[STAY, SWITCH], [SWITCH, STAY]])
    free = np.array([[0.0, _NEG], [_NEG, 0.0]])  # padding keeps the habit
    mode_t = np.where(pad[..., None, None], free, stay)  # (nb, L-1, m, mn)
    fwd = np.empty((nb, length, 2, 2))
    first = _first_scores(x[:, 0, :, None], shifts[:, None, :])  # (nb, j, m)
    fwd[:, 0] = emit[:, 0] + first + note_prior[:, None, :]
    for k in range(1, length):
        # cand[b, jp, mp, j, m]
        cand = (
            fwd[:, k - 1][:, :, :, None, None]
            + steps[:, k - 1][:, :, None, :, :]
            + mode_t[:, k - 1][:, None, :, None, :]
        )
        fwd[:, k] = cand.max(axis=(1, 2)) + emit[:, k]
    bwd = np.zeros((nb, length, 2, 2))
    for k in range(length - 2, -1, -1):
        ahead = emit[:, k + 1] + bwd[:, k + 1]  # (nb, jn, mn)
        cand = (
            steps[:, k][:, :, None, :, :]
            + mode_t[:, k][:, None, :, None, :]
            + ahead[:, None, None, :, :]
        )
        bwd[:, k] = cand.max(axis=(3, 4))
    tot = fwd + bwd  # (nb, L, j, m)
    marg = tot.max(axis=3)
    mode = tot.argmax(axis=3)
    for b, p in enumerate(batch):
        p.marg = marg[b, : p.n]
        p.mode = mode[b, : p.n]


def _choices(job: NoteJob, p: _Prepared) -> list[Choice]:
    out: list[Choice] = [_NONE] * len(job.anchors)
    for i, gone in p.rejected.items():
        if i not in p.idx:
            out[i] = Choice(
                None,
                other=gone[0],
                evidence=[job.prior.describe(o.seconds) for o in gone],
            )
    assert p.marg is not None and p.mode is not None
    n = p.n
    marg: list[list[float]] = p.marg.tolist()
    modes: list[list[int]] = p.mode.tolist()
    chosen = [0 if len(p.opts[k]) == 1 or marg[k][0] >= marg[k][1] else 1 for k in range(n)]
    for k, i in enumerate(p.idx):
        j = chosen[k]
        o = p.opts[k][j]
        gone = p.rejected.get(i, [])
        if len(p.opts[k]) == 1:
            ev = [job.prior.describe(r.seconds) for r in gone]
            out[i] = Choice(o, other=gone[0] if gone else None, evidence=ev)
            continue
        jo = 1 - j
        other = p.opts[k][jo]
        margin = marg[k][j] - marg[k][jo]
        ch = Choice(o, margin, other)
        if not o.literal or margin < AMBIGUOUS_MARGIN:
            # Words only where a reader needs them: non-literal or close calls.
            sh = float(p.shifts[modes[k][j]])
            prev = p.opts[k - 1][chosen[k - 1]].seconds if k > 0 else None
            nxt = p.opts[k + 1][chosen[k + 1]].seconds if k + 1 < n else None
            ch.evidence = _span_evidence(p, o.literal) + _evidence(
                job.anchors[i],
                o,
                other,
                p.third[k, j] - p.third[k, jo],
                float(p.ext[k, j] - p.ext[k, jo]),
                sh,
                prev,
                nxt,
                job.prior,
                job.model,
            )
        out[i] = ch
    _mark_suspects(out, p.idx, job.prior)
    return out


def _span_evidence(p: _Prepared, literal: bool) -> list[str]:
    """The note's span in words, when it favours this reading's habit."""
    mine, other = (p.spans[0], p.spans[1]) if literal else (p.spans[1], p.spans[0])
    if mine - other <= 0.5:
        return []
    this, that = p.span_seconds if literal else p.span_seconds[::-1]
    return [
        f"the note's anchors would cover {format_hms(this)} of the video this way and "
        f"{format_hms(that)} the other way (notes usually cover minutes)"
    ]


def _evidence(
    a: SeqAnchor,
    o: Option,
    other: Option,
    d_third: float,
    d_ext: float,
    shift: float,
    prev: float | None,
    nxt: float | None,
    prior: LengthPrior,
    model: ThirdFieldModel,
) -> list[str]:
    """The terms that favour ``o`` over ``other``, in words, strongest first.

    The 60x per-second factor of a minutes:seconds reading is moved from the steps to
    the third field, so each term reads as evidence on its own (ThirdFieldModel.llr).
    """
    d_steps = 0.0
    if prev is not None:
        d_steps += step_score(prev, o.seconds, shift) - step_score(prev, other.seconds, shift)
    if nxt is not None:
        d_steps += step_score(o.seconds, nxt, shift) - step_score(other.seconds, nxt, shift)
    if not o.literal:
        d_steps -= _LN60
        d_third += _LN60
    elif not other.literal:
        d_steps += _LN60
        d_third -= _LN60
    terms: list[tuple[float, str]] = []
    if a.fields is not None and d_third > 0.5 and not o.literal:
        habit = model.describe(a.fields[1], a.fields[2])
        if habit:
            terms.append((d_third, habit))
    if d_steps > 0.5 and (prev is not None or nxt is not None):
        around = " and ".join(format_hms(s) for s in (prev, nxt) if s is not None)
        terms.append(
            (
                d_steps,
                f"its neighbours in the note are at {around}; "
                f"{format_hms(other.seconds)} would be out of step with them",
            )
        )
    if d_ext > 0.3:
        terms.append((d_ext, prior.describe(other.seconds)))
    terms.sort(key=lambda t: -t[0])
    return [t for _, t in terms]


def _mark_suspects(out: list[Choice], idx: list[int], prior: LengthPrior) -> None:
    """Flag readings that stay implausible: far past what the video is known to run, or
    far outside the note's own stretch (more than 3x its median second + 30 min)."""
    secs = sorted(out[i].option.seconds for i in idx if out[i].option is not None)  # type: ignore[union-attr]
    median = secs[len(secs) // 2] if secs else 0.0
    for i in idx:
        ch = out[i]
        if ch.option is None:
            continue
        x = ch.option.seconds
        if prior.duration is None and prior.log_survival(x) <= SUSPECT_LOG_SURVIVAL:
            ch.suspect = (
                f"{format_hms(x)} is {_hours(x)} into the video, and nothing else known "
                f"about the video reaches that far"
            )
        elif (
            len(secs) >= 4
            and x > 3 * median + 1800
            and (prior.floor is None or x > 1.5 * prior.floor + 600)
        ):
            ch.suspect = (
                f"{format_hms(x)} lies far outside this note's other anchors "
                f"(median {format_hms(median)})"
            )


#: A sibling note's reach is its anchors' 90th percentile (one stray anchor does not
#: stretch the video), counted only over readings chosen with this much margin.
SIBLING_QUANTILE = 0.9


def _reach(choices: list[Choice]) -> float | None:
    xs = sorted(
        c.option.seconds
        for c in choices
        if c.option is not None and c.margin >= AMBIGUOUS_MARGIN and not c.suspect
    )
    if not xs:
        return None
    return xs[min(len(xs) - 1, int(SIBLING_QUANTILE * (len(xs) - 1) + 0.5))]


@dataclass(slots=True)
class VideoNotes:
    """The notes of one video (anchors in note order, keyed by note) and its duration."""

    notes: dict[str, list[SeqAnchor]]
    duration: float | None = None


#: A note whose every choice beats its alternative by this much, with no reading past
#: this many seconds, cannot change when its siblings' reach is known: not re-run.
DECIDED_MARGIN = 8.0
SIBLINGS_MATTER_SECONDS = 3 * 3600.0


def _floor_can_matter(anchors: Sequence[SeqAnchor], choices: list[Choice]) -> bool:
    """Could knowing how far the other notes reach change this note's readings?"""
    for a, c in zip(anchors, choices, strict=True):
        if c.suspect or (c.other is not None and c.margin < DECIDED_MARGIN):
            return True
        if any(o.seconds > SIBLINGS_MATTER_SECONDS for o in a.options):
            return True
    return False


def resolve_videos(videos: Sequence[VideoNotes]) -> list[dict[str, list[Choice]]]:
    """Resolve the notes of many videos: each note alone, then (videos of several notes
    and no known duration) again, knowing how far the video's other notes reach: a video
    is at least as long as its other notes' confident readings."""
    models = [{k: note_model(a) for k, a in v.notes.items()} for v in videos]
    keys: list[tuple[int, str]] = []
    jobs: list[NoteJob] = []
    for vi, v in enumerate(videos):
        prior = LengthPrior(duration=v.duration)
        for k, anchors in v.notes.items():
            keys.append((vi, k))
            jobs.append(NoteJob(anchors, prior, models[vi][k]))
    first = resolve_jobs(jobs)
    out: list[dict[str, list[Choice]]] = [{} for _ in videos]
    for (vi, k), ch in zip(keys, first, strict=True):
        out[vi][k] = ch
    again_keys: list[tuple[int, str]] = []
    again: list[NoteJob] = []
    for vi, v in enumerate(videos):
        if v.duration is not None or len(v.notes) < 2:
            continue
        reach = {k: _reach(ch) for k, ch in out[vi].items()}
        for k, anchors in v.notes.items():
            floors = [r for kk, r in reach.items() if kk != k and r is not None]
            if floors and _floor_can_matter(anchors, out[vi][k]):
                again_keys.append((vi, k))
                again.append(NoteJob(anchors, LengthPrior(floor=max(floors)), models[vi][k]))
    for (vi, k), ch in zip(again_keys, resolve_jobs(again), strict=True):
        out[vi][k] = ch
    return out
