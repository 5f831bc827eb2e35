"""Caption track -> timed sentences -> the sentences that state checkable claims.

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
* **Splitting.** Punctuated text is split after ``.``, ``?`` and ``!`` (see
  :func:`_ends_sentence` for decimals, abbreviations and initials). Unpunctuated text
  (auto-captions: fewer than one sentence end per :data:`WORDS_PER_SENTENCE_END`
  words) is also split at pauses of at least ``pause_seconds``. Any piece longer than
  ``max_words`` is split at its strongest break: the longest pause, with a bonus
  after clause punctuation and before a conjunction.

:func:`select_claims` then applies an explicit rule (see its docstring): no model,
so every selection can be explained by the reasons it returns.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from importlib import resources

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

#: Reasons select_claims can return, in the order it lists them.
REASONS = (
    "number",
    "money",
    "percent",
    "multiplier",
    "date",
    "comparison",
    "prediction",
    "organization",
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence (or pause-delimited phrase) of a caption track, in seconds.

    ``first_cue`` / ``last_cue`` index ``track.cues`` (empty cues included).
    """

    start: float
    end: float
    text: str
    first_cue: int
    last_cue: int


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
#: Abbreviations that do not end a sentence even before a capital ("Dr. Smith", "e.g. The").
_NEVER_END = frozenset(
    """
    dr. mr. mrs. ms. prof. st. sr. jr. vs. v. e.g. i.e. eg. ie. cf. fig. figs. eq. eqs.
    no. nos. approx. ca. vol. pp. p. sec. ch. mt. gen. col. lt. sgt. capt. rev. hon. esp.
    jan. feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec. ft. in. lb. lbs. oz.
    """.split()
)
_INITIAL_RE = re.compile(r"^[A-Z]\.$")
_ACRONYM_RE = re.compile(r"^(?:[A-Za-z]\.){2,}[\"'”’)\]]*$")
#: A split before one of these words is a natural clause break.
_CLAUSE_STARTERS = frozenset(
    "and but so because which where when then or while although though since".split()
)


def _ends_sentence(tokens: list[_Token], i: int) -> bool:
    """Does token ``i`` end a sentence?

    ``?`` and ``!`` always do. ``.`` (or an ellipsis) does unless the token is a known
    abbreviation (``e.g.``, ``Dr.``), a dotted acronym (``U.S.``) before more text, an
    initial in a run of initials (``J. R. R.``), or the next word starts in lower case.
    Decimals (``3.5``) never end in ``.``, so they never split.
    """
    tok = tokens[i].text
    m = _END_RE.search(tok)
    if not m:
        return False
    if "?" in m.group() or "!" in m.group():
        return True
    if _OPEN_RE.sub("", tok).lower() in _NEVER_END:
        return False
    prev = tokens[i - 1].text if i > 0 else ""
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else None
    if _ACRONYM_RE.match(_OPEN_RE.sub("", tok)) and nxt is not None:
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
    track: CaptionTrack, *, max_words: int = 40, pause_seconds: float = 1.2
) -> list[Sentence]:
    """Split a caption track into timed sentences (see the module docstring for the rules)."""
    if max_words < 1 or pause_seconds <= 0:
        raise ValueError("max_words must be at least 1 and pause_seconds above 0")
    tokens = _tokens(track)
    if not tokens:
        return []
    if track.words:
        _apply_word_times(tokens, track.words, track)
    ends = [_ends_sentence(tokens, i) for i in range(len(tokens))]
    punctuated = sum(ends) * WORDS_PER_SENTENCE_END >= len(tokens)

    pieces: list[tuple[int, int]] = []
    a = 0
    for i in range(len(tokens)):
        last = i + 1 == len(tokens)
        pause = not last and not punctuated and _gap(tokens, i) >= pause_seconds
        if last or ends[i] or pause:
            pieces.extend(_split_long(tokens, a, i + 1, max_words))
            a = i + 1

    out: list[Sentence] = []
    for a, b in pieces:
        first, final = tokens[a], tokens[b - 1]
        out.append(
            Sentence(
                start=round(first.start, 3),
                end=round(max(final.end, first.start), 3),
                text=" ".join(t.text for t in tokens[a:b]),
                first_cue=first.cue,
                last_cue=final.cue,
            )
        )
    return out


# --- claim selection ---------------------------------------------------------------------

_SMALL = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
)
_MAGNITUDE = "hundred|thousand|million|billion|trillion"
_NUMBER_WORD = (
    rf"(?:(?:{_SMALL})(?:-(?:one|two|three|four|five|six|seven|eight|nine))?|{_MAGNITUDE}|dozen)"
)
_UNIT = (
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies)|"
    r"percent|dollars?|cents?|euros?|pounds?|people|users?|employees?|customers?|countries|"
    r"times|(?:kilo|centi|milli)?met(?:er|re)s?|km|miles?|feet|foot|inches?|yards?|"
    r"(?:kilo)?grams?|kg|tons?|tonnes?|lit(?:er|re)s?|degrees?|(?:kilo|mega|giga|tera)?bytes?|"
    r"bits?|parameters?|tokens?|digits?|watts?|volts?)"
)
#: Spoken arithmetic: a digit next to one of these is maths being worked, not a quantity.
_ARITH = r"(?:plus|minus|times|over|divided|squared|cubed|power|equals?|to\s+the|x|y|n|[-+=*/^])"
_NUM_TOKEN = r"(?<![\w.$€£¥])\d+(?:[.,]\d+)*(?:st|nd|rd|th|s)?(?![\w%])"
_YEAR = r"(?:1[5-9]\d\d|20\d\d)"
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)

_RULES: dict[str, re.Pattern[str]] = {
    "money": re.compile(
        r"[$€£¥]\s?\d+(?:[.,]\d+)*|\b\d[\d,.]*\s*(?:dollars|euros|pounds|cents|bucks|yen|USD|EUR|GBP)\b|"
        rf"\b(?:{_MAGNITUDE})\s+(?:dollars|euros|pounds)\b",
        re.IGNORECASE,
    ),
    "percent": re.compile(
        r"\d+(?:[.,]\d+)*\s?%|\bper\s?cent(?:age)?\b|\bpercentage points?\b", re.IGNORECASE
    ),
    "multiplier": re.compile(
        r"\b\d+(?:\.\d+)?\s?[x×](?=\s+(?:faster|slower|more|less|cheaper|bigger|smaller|better|"
        r"larger|higher|lower|improvement|speed-?up|increase|reduction)\b|[\s.,;!]*$)|"
        r"\b(?:twice|doubled|doubles|tripled|triples|quadrupled|tenfold|hundredfold|\w+-fold)\b|"
        rf"\b(?:\d+|{_NUMBER_WORD})\s+times\s+(?:more|less|fewer|faster|slower|bigger|smaller|"
        r"larger|higher|lower|as)\b",
        re.IGNORECASE,
    ),
    "date": re.compile(
        r"\b(?:in|since|by|until|till|from|before|after|around|circa|during|year|of)\s+"
        rf"(?:the\s+)?(?:early\s+|late\s+|mid-?)?{_YEAR}s?\b|"
        r"\b(?:1[5-9]\d0s|20[0-2]0s)\b|'\d0s\b|"
        rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b|"
        rf"\b{_MONTH}\s+{_YEAR}\b|\b(?:\w+|\d+)\s+(?:years?|decades?|centur(?:y|ies))\s+ago\b"
    ),
    "comparison": re.compile(
        r"\b(?!(?:rather|other|whether|either|neither)\b)\w+er\s+than\b|"
        r"\b(?:more|less|fewer|worse)\s+than\b|"
        r"\bthe\s+(?:most|least|best|worst|largest|biggest|smallest|fastest|slowest|cheapest|"
        r"highest|lowest|longest|shortest|greatest|strongest|weakest|oldest|newest)\b|"
        r"\b(?:compared\s+(?:to|with)|outperform\w*|surpass\w*|exceed\w*)\b",
        re.IGNORECASE,
    ),
    "prediction": re.compile(
        r"\b(?:will|won['’]t|shall|going\s+to|gonna|\w+['’]ll)\b|"
        r"\b(?:expects?|expected|predicts?|predicted|forecasts?|projected|likely\s+to)\b|"
        rf"\bby\s+(?:the\s+end\s+of\s+)?{_YEAR}\b|"
        r"\bin\s+the\s+(?:next|coming)\s+(?:\w+\s+)?(?:years?|decades?|months?)\b",
        re.IGNORECASE,
    ),
}
_NUMBER_RE = re.compile(_NUM_TOKEN)
_ARITH_BEFORE_RE = re.compile(rf"\b{_ARITH}\s*$|[-+=*/^]\s*$", re.IGNORECASE)
_ARITH_AFTER_RE = re.compile(rf"^\s*(?:{_ARITH}\b|[-+=*/^])", re.IGNORECASE)
_NUMBER_WORD_RE = re.compile(
    rf"\b{_NUMBER_WORD}(?:[\s-]+\w+)?[\s-]+{_UNIT}\b|\b(?:{_MAGNITUDE})\b", re.IGNORECASE
)
#: Future tense or expectation whose subject is the speaker or the audience is
#: narration ("I'll show you", "we're going to see", "you might expect"); with a
#: pronoun for something on screen ("this will give", "it's going to be") it cannot be
#: checked without the picture. Neither counts as a prediction.
_NARRATORS = frozenset("i we you i'm we're you're let's us i'd we'd".split())
_ANAPHORS = frozenset("it it's this that these those which what they they're".split())
#: "expected value" and friends are statistics terms, not forecasts.
_EXPECTED_TERM_RE = re.compile(r"^\s+(?:values?|number|counts?|returns?|payoffs?)\b", re.I)
#: A single digit is a quantity only with a unit (or "per ...") right after it;
#: alone ("between 0 and 3", "negative 1") it is maths being worked.
_UNIT_AFTER_RE = re.compile(rf"^[\s-]+(?:\w+[\s-]+)?(?:{_UNIT}|per)\b", re.IGNORECASE)

#: Organisations beyond the tagger's gazetteer (ytclaims/tags/organizations.txt) that
#: science and tech videos cite: agencies, labs, universities, publishers.
EXTRA_ORGANIZATIONS = (
    "NASA",
    "ESA",
    "CERN",
    "NIST",
    "NSF",
    "NIH",
    "CDC",
    "FDA",
    "WHO",
    "SpaceX",
    "Boeing",
    "Airbus",
    "Princeton",
    "Caltech",
    "Oxford",
    "Cambridge",
    "Yale",
    "Bell Labs",
    "Xerox PARC",
    "Facebook",
    "YouTube",
    "Instagram",
    "TikTok",
    "Pfizer",
    "Moderna",
    "Nature",
    "Wolfram",
    "Mathematical Association of America",
)


@lru_cache(maxsize=1)
def _organization_re() -> re.Pattern[str]:
    """Case-sensitive whole-name matcher over the tagger's gazetteer plus the extras."""
    text = resources.files("ytclaims.tags").joinpath("organizations.txt").read_text("utf-8")
    names = {
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    }
    names.update(EXTRA_ORGANIZATIONS)
    alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])(?:{alts})(?![\w-])")


def _is_prediction(text: str) -> bool:
    """Future tense or forecast wording whose subject is not narration (see _NARRATORS)."""
    for m in _RULES["prediction"].finditer(text):
        word = m.group().lower().replace("’", "'")
        if word.endswith("'ll"):
            subject = word[: -len("'ll")]
        else:
            if word.startswith("expect") and _EXPECTED_TERM_RE.match(text[m.end() :]):
                continue
            before = text[: m.start()].split()[-2:]
            subject = " ".join(w.strip(",;:\"'").lower().replace("’", "'") for w in before)
        if set(subject.split()) & (_NARRATORS | _ANAPHORS):
            continue
        return True
    return False


def _has_number(text: str, taken: list[tuple[int, int]]) -> bool:
    """A quantity in digits or in words (see select_claims for the rule)."""
    for m in _NUMBER_RE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue  # already a money, percent, multiplier or date match
        if _ARITH_BEFORE_RE.search(text[: m.start()]) or _ARITH_AFTER_RE.match(text[m.end() :]):
            continue
        digits = re.sub(r"\D", "", m.group())
        if len(digits) == 1 and not _UNIT_AFTER_RE.match(text[m.end() :]):
            continue
        return True
    return any(
        not any(s <= m.start() < e for s, e in taken) for m in _NUMBER_WORD_RE.finditer(text)
    )


def claim_reasons(text: str) -> list[str]:
    """The reasons (in :data:`REASONS` order) a sentence's text states something checkable."""
    fired: set[str] = set()
    taken: list[tuple[int, int]] = []
    for name in ("money", "percent", "multiplier", "date"):
        spans = [m.span() for m in _RULES[name].finditer(text)]
        if spans:
            fired.add(name)
            taken.extend(spans)
    if _has_number(text, taken):
        fired.add("number")
    if _RULES["comparison"].search(text):
        fired.add("comparison")
    if _is_prediction(text):
        fired.add("prediction")
    if _organization_re().search(text):
        fired.add("organization")
    return [r for r in REASONS if r in fired]


def is_question(text: str) -> bool:
    """A sentence that ends in ``?`` asks; it does not claim."""
    return text.rstrip(" \"'”’)]").endswith("?")


def select_claims(sentences: list[Sentence]) -> list[tuple[Sentence, list[str]]]:
    """Keep the sentences that state something checkable, with the reasons that fired.

    The rule, in full: a sentence is a claim when it

    1. has at least :data:`MIN_CLAIM_WORDS` words,
    2. is not a question (does not end in ``?``), and
    3. fires at least one reason:

       * ``number`` - a number in digits (``12``, ``3.5``, ``1,000``) that is not part
         of spoken arithmetic (next to plus/minus/times/over/equals/squared/x/=...); a
         single digit counts only with a unit after it (``3 hours``, ``5 km``); or a
         number word with a unit (``six hours``, ``ten-year``); or
         hundred/thousand/million/billion/trillion;
       * ``money`` - a currency sign before a digit, or an amount in dollars/euros/...;
       * ``percent`` - ``%``, "percent", "percentage points";
       * ``multiplier`` - ``10x faster``, ``10x`` at the end, "twice", "-fold",
         "N times more/faster/as";
       * ``date`` - a year after in/since/by/until/from/before/after/of..., a decade
         (``1990s``), a month with a day or year, "N years ago";
       * ``comparison`` - "-er than", "more/less/fewer than", "the most/least/best/
         largest/first/...", "compared to", "outperforms", "exceeds";
       * ``prediction`` - will/won't/going to/'ll/expect/predict/forecast/likely to,
         "by 2030", "in the next N years"; not when one of the two words before it is
         I/we/you/let's (narration: "we're going to see", "you might expect") or
         it/this/that/which/they (a pronoun for something on screen), and not in
         "expected value";
       * ``organization`` - a name from the tagger's gazetteer or
         :data:`EXTRA_ORGANIZATIONS` (case-sensitive, whole name).

    Numbers inside a money, percent, multiplier or date match do not fire ``number``
    as well.
    """
    out: list[tuple[Sentence, list[str]]] = []
    for s in sentences:
        if len(s.text.split()) < MIN_CLAIM_WORDS or is_question(s.text):
            continue
        reasons = claim_reasons(s.text)
        if reasons:
            out.append((s, reasons))
    return out


@dataclass(slots=True)
class TranscriptRows:
    """A caption track as warehouse rows: the track, its cues, sentences and claims."""

    track: dict[str, object]
    segments: list[dict[str, object]]
    sentences: list[dict[str, object]]
    claims: list[dict[str, object]]
    anchors: list[dict[str, object]]


def transcript_rows(
    track: CaptionTrack, path: str, source_key: str, source_id: str
) -> TranscriptRows:
    """Rows for one caption track: cues, sentences, and the sentences chosen as claims
    (each cited at its own start: ``timestamp_status = 'transcript'``)."""
    vid = track.video_id
    kind = track.kind or "unknown"
    name = f"{track.language or 'und'}:{kind}:{track.format}"
    sentences = segment_sentences(track)
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
        }
        for i, st in enumerate(sentences)
    ]
    claims: list[dict[str, object]] = []
    anchors: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    position = {id(st): i for i, st in enumerate(sentences)}
    for sent, reasons in select_claims(sentences):
        n = len(claims)
        occurrence = seen.get(sent.text, 0)
        seen[sent.text] = occurrence + 1
        cid = claim_id_for(source_key, sent.text, occurrence)
        idx = position.get(id(sent), n)
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
                "resolution_reason": "start of the sentence in the transcript; selected for: "
                + ", ".join(reasons),
            }
        )
    return TranscriptRows(track_row, segments, sentence_rows, claims, anchors)
