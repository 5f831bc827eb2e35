"""Check-worthiness: is a transcript sentence a claim a researcher would cite?

A claim states something that can be true or false, or a notable judgement (facts,
figures, comparisons, causes, predictions, definitions); narration, references to what
is on screen, instructions, questions, greetings and sponsor reads are not
(``docs/labelling/checkworthy.md``). Keyword rules cannot tell "this point here moves
over to there" from "every face is bounded by three edges", so a classifier trained on
the labelled transcript sentences (``data/checkworthy``) decides: a spaCy ``textcat`` trained with
``spacy train`` from ``claims/train/checkworthy.cfg``, shipped in
``claims/model/checkworthy`` and loaded once per process, offline.

**Input.** The sentence's own tokens (lower-cased when the model says ``lower``) and
:func:`marks`: how it opens, how it ends, how long it is, whether it has digits. The
context a labeller saw can be added — the end of the sentence before, the start of the
one after and the video's title, each token prefixed (``prev=so``, ``next=but``,
``title=euler``) so words around a sentence never count as words of it — but in
cross-validation over the training videos it did not help, and ingest knows no title,
so the shipped model reads none. What the model reads is stored with it
(``meta.json``: ``ytclaims.context``), so training and use cannot disagree. Besides the
labelled sentences it was trained on 600 claims from video notes about AI and other
subjects, so that it has seen their vocabulary.

**Auto-generated captions** are lower case and unpunctuated; the model was also trained
on every sentence in that form (:func:`auto_form`), so it scores both, and the
benchmark reports the two separately.

**Score and threshold.** ``checkworthy`` is the model's probability for ``claim``; a
sentence is a claim at or above ``ytclaims.threshold`` in ``meta.json``, the threshold
cross-validation over the training videos chose for precision first. The environment
variable ``YTCLAIMS_CHECKWORTHY_THRESHOLD`` (a number in [0, 1]) sets another cut for a
run: looser for more claims, stricter for fewer; every sentence's score is stored either
way (``sentences.checkworthy``), so the cut can also be redrawn in SQL.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ytclaims import errors
from ytclaims.sources.autocaptions import asr_text

CLAIM, OTHER = "claim", "other"
#: Context the model reads when its meta.json does not say.
DEFAULT_CONTEXT = {"edge_words": 3, "title": True}
DEFAULT_THRESHOLD = 0.5
#: Environment variable that overrides the shipped threshold for a run.
THRESHOLD_ENV = "YTCLAIMS_CHECKWORTHY_THRESHOLD"
_I_RE = re.compile(r"^i(?='(?:m|ve|ll|d|s)$|$)")


class CheckworthyModelMissingError(errors.YtclaimsError):
    """The shipped check-worthiness model is not installed."""

    hint = (
        "Reinstall ytclaims (the model ships in ytclaims/claims/model/checkworthy), or "
        "retrain it with: python -m ytclaims.claims.train checkworthy"
    )


def model_dir() -> Path:
    """Folder of the shipped check-worthiness model."""
    return Path(str(resources.files("ytclaims.claims").joinpath("model", "checkworthy")))


def restore_case(words: Sequence[str]) -> str:
    """Lower-case recogniser words as a sentence: capital first letter, ``I`` restored."""
    out = [_I_RE.sub("I", w) for w in words]
    if out and out[0][:1].islower():
        out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out)


def auto_form(text: str) -> str:
    """A human-written sentence as auto-captions would give it, after case restoration."""
    return restore_case([w for w in (asr_text(t) for t in text.split()) if w])


def input_words(
    nlp: Any,
    text: str,
    prev: str | None,
    nxt: str | None,
    title: str | None,
    context: dict[str, Any] | None = None,
) -> list[str]:
    """The classifier's tokens for one sentence (see the module docstring)."""
    spec = DEFAULT_CONTEXT if context is None else context
    words = _own([t.text for t in nlp.tokenizer(text)], spec)
    k = int(spec.get("edge_words", 0))
    if k and prev:
        words += ["prev=" + t.lower_ for t in nlp.tokenizer(prev)[-k:]]
    if k and nxt:
        words += ["next=" + t.lower_ for t in nlp.tokenizer(nxt)[:k]]
    if spec.get("title") and title:
        words += ["title=" + w for w in re.split(r"[\W_]+", title.lower()) if w]
    return words or ["<empty>"]


_LENGTHS = (5, 10, 20, 35)


def marks(words: Sequence[str]) -> list[str]:
    """Features a bag of words cannot see: how the sentence opens, ends, and how long it is.

    Narration and set-ups open alike ("so let's", "now if"), questions end in "?"
    (auto-captions have no "?", so their opening matters more), fragments are short.
    """
    low = [w.lower() for w in words]
    n = sum(1 for w in low if any(ch.isalnum() for ch in w))
    size = next((f"<={k}" for k in _LENGTHS if n <= k), f">{_LENGTHS[-1]}")
    last = next((w for w in reversed(low) if w.strip()), "")
    end = last if last in (".", "?", "!") else "none"
    out = [f"len={size}", f"end={end}"]
    if low:
        out.append("first=" + low[0])
    if len(low) > 1:
        out.append("first2=" + low[0] + "_" + low[1])
    if any(ch.isdigit() for w in low for ch in w):
        out.append("has=digit")
    return out


def _own(words: list[str], spec: dict[str, Any]) -> list[str]:
    """The sentence's own tokens as the model reads them (lower-cased if ``lower``) + marks."""
    out = [w.lower() for w in words] if spec.get("lower") else list(words)
    return out + (marks(words) if spec.get("marks") else [])


@dataclass(frozen=True, slots=True)
class Checkworthy:
    """The loaded model: the pipeline, its threshold and the context it reads."""

    nlp: Any
    threshold: float
    context: dict[str, Any]


class CheckworthyThresholdError(errors.YtclaimsError):
    """YTCLAIMS_CHECKWORTHY_THRESHOLD is not a number between 0 and 1."""

    hint = "Set YTCLAIMS_CHECKWORTHY_THRESHOLD to a number such as 0.8, or unset it."


def threshold_override() -> float | None:
    """The run's threshold from :data:`THRESHOLD_ENV`, or None when it is unset."""
    raw = os.environ.get(THRESHOLD_ENV, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise CheckworthyThresholdError(f"{THRESHOLD_ENV}={raw!r} is not in [0, 1].")
    return value


@lru_cache(maxsize=1)
def _load() -> tuple[Any, dict[str, Any]]:
    import spacy

    path = model_dir()
    if not (path / "config.cfg").is_file():
        raise CheckworthyModelMissingError(f"No check-worthiness model at {path}.")
    meta = json.loads((path / "meta.json").read_text("utf-8")).get("ytclaims", {})
    return spacy.load(path), meta


def load_model() -> Checkworthy:
    """The shipped model (loaded once per process) with the run's threshold.

    Raises CheckworthyModelMissingError when it is not installed and
    CheckworthyThresholdError for an unusable :data:`THRESHOLD_ENV`.
    """
    nlp, meta = _load()
    override = threshold_override()
    return Checkworthy(
        nlp,
        float(meta.get("threshold", DEFAULT_THRESHOLD)) if override is None else override,
        dict(meta.get("context", DEFAULT_CONTEXT)),
    )


def _doc(m: Checkworthy, words: list[str]) -> Any:
    from spacy.tokens import Doc

    return Doc(m.nlp.vocab, words=words)


def _predict(m: Checkworthy, docs: list[Any]) -> list[float]:
    if not docs:
        return []
    textcat = m.nlp.get_pipe("textcat")
    scores = textcat.model.predict(docs)
    col = list(textcat.labels).index(CLAIM)
    return [round(float(s), 4) for s in scores[:, col].tolist()]


def score_one(
    text: str, prev: str | None, nxt: str | None, title: str | None, model: Checkworthy
) -> float:
    """Check-worthiness of one sentence given its neighbours and the video's title."""
    words = input_words(model.nlp, text, prev, nxt, title, model.context)
    return _predict(model, [_doc(model, words)])[0]


def score_sentences(
    texts: Sequence[str], title: str | None = None, model: Checkworthy | None = None
) -> list[float]:
    """Check-worthiness (0-1) of each sentence of one track, read with its neighbours.

    Equivalent to :func:`score_one` per sentence, but every sentence is tokenized once
    (it is also its neighbours' context) and the track is scored in one batch.
    """
    m = model or load_model()
    toks = [[t.text for t in m.nlp.tokenizer(x)] for x in texts]
    lowered = [[w.lower() for w in ws] for ws in toks]
    k = int(m.context.get("edge_words", 0))
    tail = (
        ["title=" + w for w in re.split(r"[\W_]+", title.lower()) if w]
        if m.context.get("title") and title
        else []
    )
    docs = []
    for i, words in enumerate(toks):
        ws = _own(words, m.context)
        if k and i > 0 and texts[i - 1]:
            ws += ["prev=" + w for w in lowered[i - 1][-k:]]
        if k and i + 1 < len(texts) and texts[i + 1]:
            ws += ["next=" + w for w in lowered[i + 1][:k]]
        ws += tail
        docs.append(_doc(m, ws or ["<empty>"]))
    return _predict(m, docs)
