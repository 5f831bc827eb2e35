"""Sentence boundaries in unpunctuated captions: pauses plus a trained ``senter``.

YouTube's automatic captions have no punctuation and no capitals, so the rules that
split human captions after ``.``/``?``/``!`` find nothing. Two kinds of evidence are
left, and the model reads both:

* **Pauses.** Speakers pause between sentences: on the shared captions the time from
  one word's start to the next is 0.94 s at a sentence boundary (median) against 0.22 s
  inside a sentence. Recognisers write only when a word *starts*, so the pause is what
  that start-to-start time leaves after the word itself: :func:`pause_token` subtracts
  the time a word of that length usually takes and writes the rest, bucketed, as a token
  (``<p1>`` ... ``<p5>``) between the words.
* **Words.** Sentences start with "so", "now", "and then", "the"; they rarely end on
  "the" or "of". A spaCy ``senter`` (a small hash-embedding CNN, trained with
  ``spacy train`` from ``claims/train/senter.cfg`` on the training videos' words with
  case and punctuation removed) reads the words and the pause tokens together and
  scores every word as a sentence start.

A word starts a sentence when its score reaches the threshold stored with the model
(``meta.json``: ``ytclaims.threshold``, chosen by cross-validation over the training
videos). The model is small (see ``python -m ytclaims.claims.train``), shipped in
``claims/model/senter`` and loaded once per process, offline.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from ytclaims import errors
from ytclaims.sources.autocaptions import asr_text

#: Pause (seconds beyond a word's usual length) at which each pause token starts.
PAUSE_BUCKETS = (0.15, 0.35, 0.6, 1.0, 2.0)
PAUSE_TOKENS = tuple(f"<p{i + 1}>" for i in range(len(PAUSE_BUCKETS)))
#: Usual start-to-start time of a word of n characters: max(MIN, PER_CHAR * n)
#: (medians on the shared captions, inside sentences).
WORD_SECONDS_MIN = 0.18
WORD_SECONDS_PER_CHAR = 0.045
#: Used when the model folder carries no threshold.
DEFAULT_THRESHOLD = 0.5
#: No sentence of unpunctuated captions runs longer than this many words: a longer run
#: is split where the model most expects a sentence to start.
MAX_WORDS = 80
#: Stands in for a word that is punctuation only.
SYMBOL = "<sym>"


class SenterModelMissingError(errors.YtclaimsError):
    """The shipped sentence-boundary model is not installed."""

    hint = (
        "Reinstall ytclaims (the model ships in ytclaims/claims/model/senter), or retrain "
        "it with: python -m ytclaims.claims.train senter"
    )


def model_dir() -> Path:
    """Folder of the shipped sentence-boundary model."""
    return Path(str(resources.files("ytclaims.claims").joinpath("model", "senter")))


def pause_token(gap: float, word: str) -> str | None:
    """The pause token for ``gap`` seconds from the start of ``word`` to the next start."""
    usual = max(WORD_SECONDS_MIN, WORD_SECONDS_PER_CHAR * len(word))
    rest = gap - usual
    token = None
    for bound, name in zip(PAUSE_BUCKETS, PAUSE_TOKENS, strict=True):
        if rest >= bound:
            token = name
    return token


def model_words(texts: Sequence[str], starts: Sequence[float]) -> tuple[list[str], list[int]]:
    """The model's input: normalised words with pause tokens between them.

    Returns the tokens and, for each input word, the index of its token.
    """
    tokens: list[str] = []
    index: list[int] = []
    for i, text in enumerate(texts):
        if i:
            pause = pause_token(starts[i] - starts[i - 1], tokens[index[-1]])
            if pause is not None:
                tokens.append(pause)
        index.append(len(tokens))
        tokens.append(asr_text(text) or SYMBOL)
    return tokens, index


@lru_cache(maxsize=1)
def load_senter() -> tuple[object, float]:
    """(the spaCy pipeline, its threshold); raises SenterModelMissingError without it."""
    import spacy

    path = model_dir()
    if not (path / "config.cfg").is_file():
        raise SenterModelMissingError(f"No sentence-boundary model at {path}.")
    nlp = spacy.load(path)
    meta = json.loads((path / "meta.json").read_text("utf-8"))
    threshold = float(meta.get("ytclaims", {}).get("threshold", DEFAULT_THRESHOLD))
    return nlp, threshold


def start_scores(texts: Sequence[str], starts: Sequence[float], nlp: object = None) -> list[float]:
    """For each word, the model's probability that a sentence starts there."""
    from spacy.tokens import Doc

    if not texts:
        return []
    if nlp is None:
        nlp, _ = load_senter()
    tokens, index = model_words(texts, starts)
    doc = Doc(nlp.vocab, words=tokens)  # type: ignore[attr-defined]
    senter = nlp.get_pipe("senter")  # type: ignore[attr-defined]
    scores = senter.model.predict([doc])[0]  # unnormalised (Tagger.v2, normalize = false)
    s_col = list(senter.labels).index("S")
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = (np.exp(scores[:, s_col]) / np.exp(scores).sum(axis=1)).tolist()
    return [float(probs[k]) for k in index]


def sentence_starts(
    texts: Sequence[str],
    starts: Sequence[float],
    *,
    threshold: float | None = None,
    nlp: object = None,
) -> list[bool]:
    """Which words start a sentence (the first word always does)."""
    if not texts:
        return []
    if nlp is None:
        nlp, default = load_senter()
    else:
        default = DEFAULT_THRESHOLD
    cut = default if threshold is None else threshold
    return decode(start_scores(texts, starts, nlp), threshold=cut)


def decode(probs: Sequence[float], *, threshold: float, max_words: int = MAX_WORDS) -> list[bool]:
    """Sentence starts from start probabilities: at or above ``threshold``, and in any run
    longer than ``max_words`` words also at its likeliest start (repeatedly)."""
    starts = [i == 0 or p >= threshold for i, p in enumerate(probs)]
    cuts = [i for i, s in enumerate(starts) if s] + [len(probs)]
    pending = list(zip(cuts, cuts[1:], strict=False))
    while pending:
        a, b = pending.pop()
        if b - a <= max_words:
            continue
        margin = max(1, (b - a) // 8)  # keep both parts substantial
        k = max(range(a + margin, b - margin + 1), key=lambda i: probs[i])
        starts[k] = True
        pending += [(a, k), (k, b)]
    return starts
