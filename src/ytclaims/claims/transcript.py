"""Caption track -> timed sentences -> the sentences a researcher would cite.

A caption cue is a screenful of text, not a thought: sentences run across cues and
cues hold the ends of one sentence and the start of the next. Claims are cited by
the second a sentence starts, so sentences are rebuilt from the cue text and timed
word by word:

* **Timing.** With word timings (inline VTT times, json3 offsets, or a
  ``word_timings.json``), each caption word gets the time of the timed word it is
  aligned to. Alignment is in order (difflib over normalised words), so words the
  captions and the timings disagree on are skipped, not shifted. A word that is not
  aligned, or whose aligned time falls outside its cue by more than
  :data:`MAX_WORD_DRIFT` seconds, is timed by its character offset within its cue.
* **Punctuated text** (human captions) is split after ``.``, ``?`` and ``!`` wherever
  they fall, across cue boundaries (see :func:`_ends_sentence` for decimals,
  abbreviations, initials and single-letter names); nothing else splits it, short of a
  run over ``max_words`` words.
* **Unpunctuated text** (auto-generated captions: fewer than one sentence end per
  :data:`WORDS_PER_SENTENCE_END` words) is split where the sentence-boundary model
  (:mod:`ytclaims.claims.senter`: pauses between words plus a trained ``senter``) puts
  sentence starts, and at any silence of ``pause_seconds`` or more; each sentence gets
  its capital back (:func:`ytclaims.claims.checkworthy.restore_case`). Bracketed
  sound labels (``[Music]``) are dropped and end the sentence before them.

Every sentence is then scored for check-worthiness (:mod:`ytclaims.claims.checkworthy`)
and :func:`select_claims` keeps the claims (see its docstring for the rule).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from ytclaims.claims import checkworthy
from ytclaims.records import claim_id_for
from ytclaims.sources.captions import CaptionTrack, Word

#: Text with fewer sentence ends than one per this many words is "unpunctuated".
WORDS_PER_SENTENCE_END = 60
#: An aligned word time this far outside its cue is distrusted (alignment slip).
MAX_WORD_DRIFT = 3.0
#: Cues aligned to word timings at a time (see _apply_word_times).
ALIGN_WINDOW_CUES = 200
#: Alignment is skipped (times interpolated within cues) for a window whose word lists
#: share more equal pairs than this: SequenceMatcher is quadratic on repeated words (one
#: cue of "w" x 8,000 with inline times took 33 s).
MAX_ALIGN_PAIRS = 2_000_000
#: A claim has at least this many words.
MIN_CLAIM_WORDS = 6
#: Longest sentence before the length cap splits it. Caption authors' sentences reach
#: 130 words (livestreams); the cap only stops runaway text.
MAX_WORDS = 150
#: A silence this long always ends a sentence of unpunctuated captions.
PAUSE_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a caption track, in seconds.

    ``first_cue`` / ``last_cue`` index ``track.cues`` (empty cues included).
    ``punctuated`` says whether it comes from punctuated text (split by punctuation) or
    from the boundary model; ``checkworthy`` is filled in by :func:`score_sentences`.
    """

    start: float
    end: float
    text: str
    first_cue: int
    last_cue: int
    punctuated: bool = True
    checkworthy: float | None = None


@dataclass(slots=True)
class _Token:
    text: str
    cue: int
    start: float
    end: float


# --- segmentation ------------------------------------------------------------------------

_END_RE = re.compile(r"(?:[.!?]+|…)[\"'”’)\]]*$")
_NORM_RE = re.compile(r"[\W_]+")
_OPEN_RE = re.compile(r"^[\"'“‘(\[]+")
#: Abbreviations that never end a sentence, even before a capital ("Dr. Smith", "e.g. The").
_NEVER_END = frozenset(
    """
    dr. mr. mrs. ms. prof. sr. jr. vs. e.g. i.e. eg. ie. cf. approx. ca. esp. al.
    mt. gen. col. lt. sgt. capt. rev. hon.
    """.split()
)
#: Abbreviations only before a number ("No. 5", "Fig. 3", "p. 12"); elsewhere "no." and
#: "P." are words, and maths narration ends sentences on single letters ("... point P.").
_BEFORE_NUMBER = frozenset(
    """
    no. nos. p. pp. fig. figs. eq. eqs. vol. sec. ch. art. jan. feb. mar. apr. jun. jul.
    aug. sep. sept. oct. nov. dec.
    """.split()
)
_NUMBER_START_RE = re.compile(r"^[(\[]?[#$€£]?\d")
_INITIAL_RE = re.compile(r"^[A-Z]\.$")
_ACRONYM_RE = re.compile(r"^(?:[A-Za-z]\.){2,}[\"'”’)\]]*$")
#: A split before one of these words is a natural clause break.
_CLAUSE_STARTERS = frozenset(
    "and but so because which where when then or while although though since".split()
)
#: Bracketed sound labels of automatic captions: [Music], [Applause], [Laughter].
_SOUND_RE = re.compile(r"^\[[^\]]*\]$")


def _ends_sentence(tokens: list[_Token], i: int) -> bool:
    """Does token ``i`` end a sentence?

    ``?`` and ``!`` always do. ``.`` (or an ellipsis) does unless the token is an
    abbreviation that never ends one (``e.g.``, ``Dr.``), an abbreviation before a number
    (``No. 5``, ``p. 12``), the lower-case ``v.`` of
    "Roe v. Wade", a dotted acronym (``U.S.``) before more text, an initial in a run of
    initials (``J. R. R.``), or the next word starts in lower case (which also keeps
    units together: ``5 in. wide``; "put it in. Then" ends). A single capital
    letter (``... call it P.``) is a name in maths narration and ends the sentence.
    Decimals (``3.5``) never end in ``.``, so they never split.
    """
    tok = tokens[i].text
    m = _END_RE.search(tok)
    if not m:
        return False
    if "?" in m.group() or "!" in m.group():
        return True
    bare = _OPEN_RE.sub("", tok)
    prev = tokens[i - 1].text if i > 0 else ""
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else None
    word = bare.lower()
    if word in _NEVER_END or bare == "v.":
        return False
    if word in _BEFORE_NUMBER and nxt is not None and _NUMBER_START_RE.match(nxt):
        return False
    if _ACRONYM_RE.match(bare) and nxt is not None:
        return False  # U.S., a.m.: the dots are the word's own
    if _INITIAL_RE.match(tok) and (_INITIAL_RE.match(prev) or _INITIAL_RE.match(nxt or "")):
        return False
    if nxt is None:
        return True
    return not _OPEN_RE.sub("", nxt)[:1].islower()


def _norm(text: str) -> str:
    return _NORM_RE.sub("", text.lower())


def _tokens(track: CaptionTrack) -> list[_Token]:
    """Caption words, timed by character offset within their cue."""
    out: list[_Token] = []
    for ci, cue in enumerate(track.cues):
        n = len(cue.text)
        for m in re.finditer(r"\S+", cue.text):
            out.append(
                _Token(
                    m.group(),
                    ci,
                    cue.start + cue.duration * m.start() / n,
                    cue.start + cue.duration * m.end() / n,
                )
            )
    return out


def _apply_word_times(tokens: list[_Token], words: list[Word], track: CaptionTrack) -> None:
    """Give caption words the times of the timed words they align to, in order.

    Alignment runs window by window (:data:`ALIGN_WINDOW_CUES` cues, against the words
    timed within the window's span +- :data:`MAX_WORD_DRIFT`), so its cost grows
    linearly with the length of the video rather than quadratically.
    """
    starts = [w.start for w in words]
    if any(later < earlier for earlier, later in zip(starts, starts[1:], strict=False)):
        _align(tokens, words, track)  # out of time order: windows by time would be wrong
        return
    a = 0
    while a < len(tokens):
        first_cue = tokens[a].cue
        b = a
        while b < len(tokens) and tokens[b].cue < first_cue + ALIGN_WINDOW_CUES:
            b += 1
        lo_t = track.cues[tokens[a].cue].start - MAX_WORD_DRIFT
        hi_t = track.cues[tokens[b - 1].cue].end + MAX_WORD_DRIFT
        w0, w1 = bisect_left(starts, lo_t), bisect_right(starts, hi_t)
        _align(tokens[a:b], words[w0:w1], track)
        a = b


def _equal_pairs(x: list[str], y: list[str]) -> int:
    """How many (i, j) have x[i] == y[j]: what SequenceMatcher's longest-match search
    costs. Real windows have some 10**5 (frequent words); "w w w ..." has len(x)*len(y)."""
    counts = Counter(y)
    return sum(counts.get(v, 0) for v in x)


def _align(tokens: list[_Token], words: list[Word], track: CaptionTrack) -> None:
    x = [_norm(t.text) or f"\x00{i}" for i, t in enumerate(tokens)]
    y = [_norm(w.text) or f"\x01{j}" for j, w in enumerate(words)]
    if _equal_pairs(x, y) > MAX_ALIGN_PAIRS:
        return  # hostile or degenerate input: the tokens keep their times within cues
    matcher = SequenceMatcher(None, x, y, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        # Equal runs align word for word; so do same-length replacements ("zeroth"/"0th").
        if op == "equal" or (op == "replace" and a1 - a0 == b1 - b0):
            for tok, word in zip(tokens[a0:a1], words[b0:b1], strict=True):
                cue = track.cues[tok.cue]
                if cue.start - MAX_WORD_DRIFT <= word.start <= cue.end + MAX_WORD_DRIFT:
                    tok.start, tok.end = word.start, max(word.end, word.start)


def _gap(tokens: list[_Token], i: int) -> float:
    """Silence between token i and token i+1, in seconds."""
    return tokens[i + 1].start - tokens[i].end


def _split_long(tokens: list[_Token], a: int, b: int, max_words: int) -> list[tuple[int, int]]:
    """Split tokens[a:b] at its strongest break until no piece has more than max_words."""
    n = b - a
    if n <= max_words:
        return [(a, b)]
    margin = max(1, n // 4)  # keep both pieces substantial, so splitting terminates quickly
    mid = a + n / 2

    def score(p: int) -> tuple[float, float]:
        before, after = tokens[p - 1].text, tokens[p].text.lower()
        s = _gap(tokens, p - 1)
        if before.endswith((",", ";", ":")) or before in ("-", "–", "—"):
            s += 0.5
        if after in _CLAUSE_STARTERS:
            s += 0.25
        return (s, -abs(p - mid))

    p = max(range(a + margin, b - margin + 1), key=score)
    return _split_long(tokens, a, p, max_words) + _split_long(tokens, p, b, max_words)


def segment_sentences(
    track: CaptionTrack,
    *,
    max_words: int = MAX_WORDS,
    pause_seconds: float = PAUSE_SECONDS,
    threshold: float | None = None,
) -> list[Sentence]:
    """Split a caption track into timed sentences (see the module docstring for the rules).

    ``threshold`` overrides the boundary model's own for unpunctuated text (for tuning).
    """
    if max_words < 1 or pause_seconds <= 0:
        raise ValueError("max_words must be at least 1 and pause_seconds above 0")
    tokens = _tokens(track)
    if not tokens:
        return []
    if track.words:
        _apply_word_times(tokens, track.words, track)
    ends = [_ends_sentence(tokens, i) for i in range(len(tokens))]
    punctuated = sum(ends) * WORDS_PER_SENTENCE_END >= len(tokens)
    if not punctuated:
        return _model_sentences(tokens, max_words, pause_seconds, threshold)

    pieces: list[tuple[int, int]] = []
    a = 0
    for i in range(len(tokens)):
        if i + 1 == len(tokens) or ends[i]:
            pieces.extend(_split_long(tokens, a, i + 1, max_words))
            a = i + 1
    return [_sentence(tokens[a:b], " ".join(t.text for t in tokens[a:b])) for a, b in pieces]


def _sentence(toks: list[_Token], text: str, *, punctuated: bool = True) -> Sentence:
    first, final = toks[0], toks[-1]
    return Sentence(
        start=round(first.start, 3),
        end=round(max(final.end, first.start), 3),
        text=text,
        first_cue=first.cue,
        last_cue=final.cue,
        punctuated=punctuated,
    )


def _model_sentences(
    tokens: list[_Token], max_words: int, pause_seconds: float, threshold: float | None
) -> list[Sentence]:
    """Unpunctuated text: boundary model, long silences and sound labels; case restored."""
    from ytclaims.claims import senter

    out: list[Sentence] = []
    run: list[_Token] = []

    def flush() -> None:
        if not run:
            return
        starts = senter.sentence_starts(
            [t.text for t in run], [t.start for t in run], threshold=threshold
        )
        cuts = [i for i, s in enumerate(starts) if s] + [len(run)]
        for a, b in zip(cuts, cuts[1:], strict=False):
            for x, y in _split_long(run, a, b, max_words):
                words = run[x:y]
                out.append(
                    _sentence(
                        words,
                        checkworthy.restore_case([t.text for t in words]),
                        punctuated=False,
                    )
                )
        run.clear()

    for tok in tokens:
        if _SOUND_RE.match(tok.text):
            flush()
            continue
        if run and tok.start - run[-1].end >= pause_seconds:
            flush()
        run.append(tok)
    flush()
    return out


# --- claim selection ---------------------------------------------------------------------


def is_question(text: str) -> bool:
    """A sentence that ends in ``?`` asks; it does not claim."""
    return text.rstrip(" \"'”’)]").endswith("?")


def is_complete(text: str) -> bool:
    """Starts like a sentence (capital, digit or quote) and ends in terminal punctuation."""
    t = _OPEN_RE.sub("", text.lstrip())
    return bool(t) and (t[0].isupper() or t[0].isdigit()) and bool(_END_RE.search(text))


def eligible(text: str, punctuated: bool) -> bool:
    """Rules 2 and 3 of :func:`select_claims`: long enough, not a question, whole."""
    return (
        len(text.split()) >= MIN_CLAIM_WORDS
        and not is_question(text)
        and (not punctuated or is_complete(text))
    )


def score_sentences(sentences: list[Sentence], title: str | None = None) -> list[Sentence]:
    """The sentences with their check-worthiness (:mod:`ytclaims.claims.checkworthy`)."""
    scores = checkworthy.score_sentences([s.text for s in sentences], title)
    return [replace(s, checkworthy=c) for s, c in zip(sentences, scores, strict=True)]


def select_claims(sentences: list[Sentence], threshold: float | None = None) -> list[Sentence]:
    """The scored sentences a researcher would cite: the rule, in full.

    A sentence is a claim when

    1. its check-worthiness reaches ``threshold`` (default: the shipped model's, chosen
       by cross-validation for precision),
    2. it has at least :data:`MIN_CLAIM_WORDS` words and is not a question, and
    3. it is whole: from punctuated captions it starts with a capital (or digit) and
       ends in ``.``, ``!`` or ``?`` — a piece cut by the length cap, or the unfinished
       end of a track, is never cited. (Unpunctuated captions have nothing to check
       this against; their sentences come from the boundary model.)
    """
    cut = checkworthy.load_model().threshold if threshold is None else threshold
    return [
        s
        for s in sentences
        if s.checkworthy is not None and s.checkworthy >= cut and eligible(s.text, s.punctuated)
    ]


@dataclass(slots=True)
class TranscriptRows:
    """A caption track as warehouse rows: the track, its cues, sentences and claims."""

    track: dict[str, object]
    segments: list[dict[str, object]]
    sentences: list[dict[str, object]]
    claims: list[dict[str, object]]
    anchors: list[dict[str, object]]


def transcript_rows(
    track: CaptionTrack, path: str, source_key: str, source_id: str, title: str | None = None
) -> TranscriptRows:
    """Rows for one caption track: cues, sentences (each with its check-worthiness), and
    the sentences chosen as claims (each cited at its own start:
    ``timestamp_status = 'transcript'``, with its span and score)."""
    vid = track.video_id
    kind = track.kind or "unknown"
    name = f"{track.language or 'und'}:{kind}:{track.format}"
    sentences = score_sentences(segment_sentences(track), title)
    chosen = select_claims(sentences)
    duration = max((c.start + c.duration for c in track.cues), default=None)
    base = {"_path": path, "source_id": source_id, "video_id": vid}
    track_row = base | {
        "track": name,
        "language": track.language,
        "kind": kind,
        "format": track.format,
        "origin": "fetch" if track.format == "yta_cache" else "file",
        "n_cues": len(track.cues),
        "n_sentences": len(sentences),
        "has_word_timings": bool(track.words),
        "duration_seconds": duration,
    }
    segments = [
        base
        | {"track": name, "cue_index": i, "start": c.start, "duration": c.duration, "text": c.text}
        for i, c in enumerate(track.cues)
    ]
    claims: list[dict[str, object]] = []
    anchors: list[dict[str, object]] = []
    claim_of: dict[int, str] = {}
    seen: dict[str, int] = {}
    position = {id(st): i for i, st in enumerate(sentences)}
    threshold = checkworthy.load_model().threshold
    for sent in chosen:
        n = len(claims)
        occurrence = seen.get(sent.text, 0)
        seen[sent.text] = occurrence + 1
        cid = claim_id_for(source_key, sent.text, occurrence)
        idx = position[id(sent)]
        claim_of[idx] = cid
        claims.append(
            base
            | {
                "claim_id": cid,
                "channel": None,
                "note_title": None,
                "claim_ordinal": n,
                "block_ordinal": idx,
                "block_kind": "transcript_sentence",
                "line": idx,
                "heading_path": None,
                "lead_in": None,
                "text": sent.text,
                "wiki_targets": [],
                "n_anchors": 1,
                "layers": [],
                "trends": [],
                "checkworthy": sent.checkworthy,
                "span_start": sent.start,
                "span_end": sent.end,
            }
        )
        anchors.append(
            {
                "_path": path,
                "claim_id": cid,
                "source_id": source_id,
                "anchor_ordinal": n,
                "group_position": 0,
                "data_t_raw": f"{sent.start:.3f}",
                "label_raw": None,
                "markup_issue": None,
                "form": "transcript",
                "parse_status": "ok",
                "parse_reason": None,
                "data_t_seconds": sent.start,
                "label_seconds": None,
                "label_mismatch": False,
                "candidates": [{"reading": "transcript", "seconds": sent.start}],
                "anchor_seconds": sent.start,
                "anchor_reading": "transcript",
                "anchor_source": "transcript",
                "timestamp_status": "transcript",
                "resolution_reason": (
                    f"start of the transcript sentence ({sent.start:.2f}-{sent.end:.2f} s); "
                    f"check-worthiness {sent.checkworthy:.2f} >= {threshold:.2f}"
                ),
            }
        )
    sentence_rows = [
        base
        | {
            "track": name,
            "sentence_index": i,
            "start": st.start,
            "end": st.end,
            "text": st.text,
            "first_cue": st.first_cue,
            "last_cue": st.last_cue,
            "checkworthy": st.checkworthy,
            "claim_id": claim_of.get(i),
        }
        for i, st in enumerate(sentences)
    ]
    return TranscriptRows(track_row, segments, sentence_rows, claims, anchors)
