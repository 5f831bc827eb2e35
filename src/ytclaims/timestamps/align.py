"""Find where in a transcript a note's claim is spoken.

Claims are paraphrases, so the matcher compares *content words*: lower-cased,
stop words removed, crudely stemmed (``matrices``/``matrix`` and ``exponentials``/
``exponential`` meet). Each candidate span is a window of 1-3 consecutive transcript
sentences; its score is the idf-weighted share of the claim's content words the
window contains (idf over the video's own sentences, so words the video repeats
everywhere count little). This is BM25's idea without length normalisation, which
windows of similar size do not need.

Search order follows the evidence: first near the stated anchor (a soft prior that
prefers closer spans), then over the whole video. A match is *confident* only when
it covers enough of the claim and clearly beats the next-best span elsewhere.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOP_WORDS = frozenset(
    (
        "a about above after again against all also am an and any are aren't as at be because "
        "been before being below between both but by can can't cannot could couldn't did "
        "didn't do does doesn't doing don't down during each even ever every few for from "
        "further had hadn't has hasn't have haven't having he he'd he'll he's her here here's "
        "hers herself him himself his how how's however i i'd i'll i'm i've if in into is "
        "isn't it it's its itself just let's like may me might more most much must mustn't my "
        "myself no nor not now of off often on once only or other ought our ours ourselves "
        "out over own really same shall shan't she she'd she'll she's should shouldn't so "
        "some such than that that's the their theirs them themselves then there there's these "
        "they they'd they'll they're they've this those though through thus to too under "
        "until up upon us very via was wasn't we we'd we'll we're we've were weren't what "
        "what's when when's where where's whether which while who who's whom why why's will "
        "with within without won't would wouldn't yet you you'd you'll you're you've your "
        "yours yourself yourselves one two also say says said thing things way ways going get "
        "got make makes made well kind sort actually basically lot lots something anything "
        "everything know see think want look use used using called discuss discusses "
        "discussed explain explains explained describe describes described video speaker "
        "notes note mentions mentioned highlights highlighted emphasizes emphasized example "
        "examples e g i.e eg "
    ).split()
)
_SUFFIXES = (
    "ations",
    "ation",
    "ings",
    "ing",
    "ies",
    "ied",
    "ness",
    "ments",
    "ment",
    "ers",
    "er",
    "ed",
    "es",
    "ly",
    "s",
)


def stem(word: str) -> str:
    """A crude suffix stripper: enough for paraphrase overlap, cheap, no dependency."""
    if word.endswith("ices") and len(word) > 6:  # matrices -> matrix, vertices -> vertex
        return word[:-4] + "ix"
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            return word[: -len(suf)]
    return word


def content_terms(text: str) -> list[str]:
    """Stemmed content words of a text, in order."""
    return [stem(w) for w in _WORD_RE.findall(text.lower()) if w not in STOP_WORDS and len(w) > 1]


@dataclass(frozen=True, slots=True)
class Sentence:
    start: float
    end: float
    text: str


@dataclass(frozen=True, slots=True)
class Match:
    """The transcript span that best supports a claim."""

    start: float
    end: float
    text: str
    score: float  # idf-weighted coverage of the claim's content words, 0..1
    runner_up: float  # best score of a span not overlapping this one
    near_anchor: bool  # found by the search near the stated anchor
    confident: bool


#: A confident match covers at least this share of the claim's (idf-weighted) words...
MIN_SCORE_NEAR = 0.30
MIN_SCORE_GLOBAL = 0.60
#: ...and beats the best non-overlapping span elsewhere by this margin (global search).
MIN_MARGIN = 0.20
NEAR_SECONDS = 90.0
PRIOR_TAU = 60.0
MAX_WINDOW = 3


class TranscriptIndex:
    """A video's sentences, indexed for repeated claim look-ups."""

    def __init__(self, sentences: list[Sentence]) -> None:
        self.sentences = sentences
        self.starts = [s.start for s in sentences]
        self.terms = [set(content_terms(s.text)) for s in sentences]
        df: Counter[str] = Counter()
        for ts in self.terms:
            df.update(ts)
        n = max(len(sentences), 1)
        self.idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, ts in enumerate(self.terms):
            for t in ts:
                self.postings[t].append(i)

    def _candidates(self, claim_terms: set[str]) -> set[int]:
        hits: set[int] = set()
        for t in claim_terms:
            hits.update(self.postings.get(t, ()))
        return hits

    def _score_window(self, i: int, j: int, claim_terms: set[str], total: float) -> float:
        covered: set[str] = set()
        for k in range(i, j + 1):
            covered |= self.terms[k] & claim_terms
        return sum(self.idf.get(t, 0.0) for t in covered) / total if total else 0.0

    def spans(self, claim: str) -> dict[tuple[int, int], float]:
        """Score of every window (first, last sentence) that shares a word with the claim."""
        cterms = set(content_terms(claim))
        if not cterms or not self.sentences:
            return {}
        # Words the transcript never uses still count in the denominator (at the idf of a
        # word seen once), so a vague claim with two common words cannot score high.
        unseen_idf = math.log(1 + max(len(self.sentences), 1))
        total = sum(self.idf.get(t, unseen_idf) for t in cterms)
        hits = self._candidates(cterms)
        out: dict[tuple[int, int], float] = {}
        n = len(self.sentences)
        for h in hits:
            for i in range(max(0, h - MAX_WINDOW + 1), h + 1):
                for j in range(h, min(n, i + MAX_WINDOW)):
                    if (i, j) not in out:
                        out[(i, j)] = self._score_window(i, j, cterms, total)
        return out

    def _match(
        self, spans: dict[tuple[int, int], float], key: tuple[int, int], near: bool, confident: bool
    ) -> Match:
        i, j = key
        others = [v for (a, b), v in spans.items() if b < i - 1 or a > j + 1]
        return Match(
            start=self.sentences[i].start,
            end=self.sentences[j].end,
            text=" ".join(s.text for s in self.sentences[i : j + 1]),
            score=round(spans[key], 4),
            runner_up=round(max(others, default=0.0), 4),
            near_anchor=near,
            confident=confident,
        )

    @staticmethod
    def _tightest(
        spans: dict[tuple[int, int], float], keys: list[tuple[int, int]]
    ) -> tuple[int, int]:
        # Highest score; among equals the shortest window (its start is the most precise).
        return max(keys, key=lambda k: (round(spans[k], 6), -(k[1] - k[0])))

    def near(self, claim: str, anchor: float, radius: float = NEAR_SECONDS) -> Match | None:
        """Best span overlapping [anchor - radius, anchor + radius] (None if no shared word)."""
        spans = self.spans(claim)
        keys = [
            k
            for k in spans
            if self.sentences[k[0]].start <= anchor + radius
            and self.sentences[k[1]].end >= anchor - radius
        ]
        if not keys:
            return None
        key = self._tightest(spans, keys)
        return self._match(spans, key, True, spans[key] >= MIN_SCORE_NEAR)

    def best(self, claim: str) -> Match | None:
        """Best span anywhere; confident when it covers the claim well and stands out."""
        spans = self.spans(claim)
        if not spans:
            return None
        key = self._tightest(spans, list(spans))
        m = self._match(spans, key, False, False)
        confident = m.score >= MIN_SCORE_GLOBAL and m.score - m.runner_up >= MIN_MARGIN
        return self._match(spans, key, False, confident)
