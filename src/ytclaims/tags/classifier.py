"""The trained claim classifier: a small bag-of-words textcat shipped in the package.

Rules find explicit evidence; many claims are tagged by a human from what they are
about rather than from a keyword ("Works on the user interface and integration into
Notion" is an application claim). A bag-of-words ``textcat_multilabel`` trained on
2,001 hand-labelled claims (``tags/train/*.jsonl``; the dev set is never used)
captures that. Its input is the claim plus its context, the same way the labeller
read it. It is loaded once per process; when the model folder is missing (a custom
build), tagging falls back to rules alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc

from ytclaims.tags.fingerprint import model_path

LABELS = (
    "model",
    "infrastructure",
    "application",
    "cost_reduction",
    "commoditization",
    "distribution_moat",
    "specialization",
    "switching_costs",
    "rapid_evolution",
    "use_case_discovery",
    "data_centers",
    "inference_market",
    "agents",
    "market_growth",
    "about_ai",
)


#: Context fields appended to a claim's text for the classifier, in this order.
_CONTEXT_KEYS = ("lead_in", "heading_path", "note_title")


def classifier_text(c: dict[str, object]) -> str:
    """Claim text followed by its context, as the classifier is trained on it."""
    parts = [str(c.get("text") or "")]
    for key in _CONTEXT_KEYS:
        v = c.get(key)
        if v:
            parts.append(str(v))
    return " || ".join(parts)


@lru_cache(maxsize=1)
def load_classifier() -> Language | None:
    """The shipped model, or None when it is not installed."""
    p = model_path()
    if not (p / "config.cfg").exists():
        return None
    return spacy.load(p)


class _Orths:
    """Just enough of a ``Doc`` for the bag-of-words textcat: its ``ORTH`` ids.

    The model reads nothing but ``len(doc)`` and ``doc.to_array([ORTH])`` (spaCy's
    ``extract_ngrams``), and ORTH ids are string hashes, the same in every vocab.
    """

    __slots__ = ("orth",)

    def __init__(self, orth: np.ndarray) -> None:
        self.orth = orth

    def __len__(self) -> int:
        return int(self.orth.shape[0])

    def to_array(self, attrs: object) -> np.ndarray:
        return self.orth


def classify_docs(
    claim_docs: Sequence[Doc], claims: Sequence[dict[str, object]]
) -> list[dict[str, float]] | None:
    """Classifier probabilities per claim, reusing the claims' already tokenized docs.

    Equivalent to running the model on :func:`classifier_text` (claim + " || " +
    context): spaCy tokenizes each whitespace-separated chunk on its own, so the tokens
    of the joined string are the claim's tokens, then "||", then each context's
    tokens. Context strings repeat across a note's claims and are tokenized once. This
    halves tokenization, the largest cost of tagging (tests check the equivalence on
    real claims). Returns None when the model is not installed.
    """
    clf = load_classifier()
    if clf is None:
        return None
    pipe = clf.get_pipe("textcat_multilabel")
    cache: dict[str, np.ndarray] = {}

    def orths(text: str) -> np.ndarray:
        hit = cache.get(text)
        if hit is None:
            hit = cache[text] = clf.make_doc(text).to_array([ORTH])
        return hit

    sep = orths("||")
    inputs = []
    for doc, c in zip(claim_docs, claims, strict=True):
        parts = [doc.to_array([ORTH])]
        for key in _CONTEXT_KEYS:
            v = c.get(key)
            if v:
                parts += [sep, orths(str(v))]
        inputs.append(_Orths(np.concatenate(parts) if len(parts) > 1 else parts[0]))
    if not inputs:
        return []
    labels = list(pipe.labels)
    # A claim without a token (empty text, no context) gets no probability mass, as
    # spaCy gives a batch of only such docs: its n-gram layer fails on an empty doc
    # inside a batch (IndexError), so such claims are never sent to it.
    full = [i for i, x in enumerate(inputs) if len(x)]
    zero = dict.fromkeys(labels, 0.0)
    out = [dict(zero) for _ in inputs]
    if full:
        scores = pipe.predict([inputs[i] for i in full])  # type: ignore[arg-type]
        for i, row in zip(full, scores, strict=True):
            out[i] = dict(zip(labels, map(float, row), strict=True))
    return out
