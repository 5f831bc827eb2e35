"""The trained claim classifier: a small bag-of-n-grams textcat shipped in the package.

Rules find explicit evidence; many claims are tagged by a human from what they are
about rather than from a keyword ("Works on the user interface and integration into
Notion" is an application claim). A ``textcat_multilabel`` (spaCy ``TextCatBOW``: a
linear model over hashed unigrams and bigrams) trained with ``spacy train`` on the
hand-labelled claims of ``data/tagging/labels.jsonl`` (training channels only, see
``data/tagging/splits.toml``) captures that.

Its input is a list of words (:func:`feature_words`), the same at training and at
tagging time:

* the claim's tokens, lower-cased;
* its context, each word prefixed by where it came from (``l:`` lead-in, ``h:``
  heading path, ``t:`` note title), so "agents" in a title and in the claim are
  different features;
* the taxonomy rules' evidence for the claim (``r:<label>:c`` found in the claim
  text, ``r:<label>:x`` in its context, ``s:<label>:<source>``,
  ``e:<label>:<evidence id>:c|x``), so the model learns how far to trust each phrase
  and pattern instead of re-learning them from 3,000 claims;
* AI-term flags (:func:`ai_words`): where an unambiguous AI term (:data:`AI_TERMS`:
  "AI", "LLM", "ChatGPT", "machine learning", ...) occurs (``ai:text``, ``ai:lead``,
  ``ai:head``, ``ai:title``, or ``ai:none``) and how many of the note's claims name
  one in their text (``ai:dens0..3``) or in text or lead-in/heading (``ai:densx0..3``).

Measured by leave-channel-out cross-validation (``ytclaims evaluate --split cv``),
the rule features are what lets the model hold on channels it never saw: the
n-grams alone memorise the training channels.

At tagging time nothing is re-tokenized: the claim's tokens come from the rules
pipeline's doc (their ``LOWER`` ids are the ``ORTH`` ids of the lower-cased words),
context words are hashed once per distinct string (the claims of a note share them),
and the model reads only ``len(doc)`` and ``doc.to_array([ORTH])``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np
import spacy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc

from ytclaims.tags.fingerprint import model_path

#: The model's outputs: every layer and trend id of the default taxonomy, then its gate.
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

#: Context fields of a claim row and the prefix their words get, in input order.
CONTEXT_PREFIXES = (("lead_in", "l:"), ("heading_path", "h:"), ("note_title", "t:"))


#: Unambiguous AI terms, matched case-insensitively on whole words. Loose words the
#: taxonomy gate also lists ("model", "compute", "agent", "inference", "ml") are left
#: out: they are everyday words in statistics, medicine or cooking notes.
AI_TERMS = re.compile(
    r"(?<![\w-])("
    r"ai|a\.i\.|artificial intelligence|gpt[\w.-]*|llms?|chatgpt|openai|claude|gemini|copilot"
    r"|machine learning|deep learning|neural\w*|agentic|llama|deepseek|anthropic"
    r"|(?:large )?language models?|generative ai|gen ?ai|genai|agi|mistral|midjourney"
    r"|hugging ?face|nvidia|chatbots?|ai-\w+|\w+-ai|mlops|embeddings?|transformers?"
    r"|tensorflow|pytorch|mediapipe|perplexity|langchain|rag|fine-?tun\w*"
    r"|prompt engineering|prompting|superintelligence|robots?|self-driving"
    r"|autonomous vehicles?|computer vision|gpus?|stable diffusion|dall-?e|sora|grok|xai"
    r")(?![\w-])",
    re.IGNORECASE,
)
#: Where AI terms are looked for: claim row key and the flag's name.
AI_FIELDS = (
    ("text", "text"),
    ("lead_in", "lead"),
    ("heading_path", "head"),
    ("note_title", "title"),
)


@lru_cache(maxsize=50_000)
def _names_ai(s: str) -> bool:
    return AI_TERMS.search(s) is not None


def ai_fields(claim: dict[str, object]) -> frozenset[str]:
    """The places (text, lead, head, title) of a claim row that name an AI term.

    Answers are cached: context strings repeat over a note's claims, and the tagger
    asks again for the claims whose gate the classifier would open."""
    return frozenset(name for key, name in AI_FIELDS if (v := claim.get(key)) and _names_ai(str(v)))


def note_key(claim: dict[str, object]) -> object:
    """Which note a claim row comes from (claims of one note share it)."""
    for key in ("source_id", "_path", "note"):
        if claim.get(key):
            return claim[key]
    return (claim.get("channel"), claim.get("note_title"))


def _bucket(share: float) -> int:
    return 0 if share == 0 else 1 if share <= 0.25 else 2 if share <= 0.5 else 3


def ai_words(claims: Sequence[dict[str, object]]) -> list[list[str]]:
    """AI-term feature words per claim: where the claim names an AI term, and how
    many claims of its note (among ``claims``) do."""
    found = [ai_fields(c) for c in claims]
    notes: dict[object, list[int]] = {}
    for i, c in enumerate(claims):
        notes.setdefault(note_key(c), []).append(i)
    out: list[list[str]] = [[] for _ in claims]
    for idx in notes.values():
        text = sum(1 for i in idx if "text" in found[i]) / len(idx)
        near = sum(1 for i in idx if found[i] - {"title"}) / len(idx)
        for i in idx:
            f = found[i]
            w = [f"ai:{name}" for name in sorted(f)] or ["ai:none"]
            if not f - {"title"}:
                w.append("ai:noctx")
            if f & {"text", "lead"}:
                w.append("ai:claim")
            w += [f"ai:dens{_bucket(text)}", f"ai:densx{_bucket(near)}"]
            out[i] = w
    return out


def note_smoothed(
    probs: list[dict[str, float]], claims: Sequence[dict[str, object]], share: dict[str, float]
) -> list[dict[str, float]]:
    """Each claim's probabilities moved towards its note's mean: label ``l`` becomes
    ``(1 - share[l]) * p + share[l] * mean over the note's claims`` (labels not in
    ``share`` are kept). Claims of one note mostly sit in the same layer and share
    whether they are about AI; cross-validation chose the shares."""
    if not share:
        return probs
    notes: dict[object, list[int]] = {}
    for i, c in enumerate(claims):
        notes.setdefault(note_key(c), []).append(i)
    out = [dict(p) for p in probs]
    for idx in notes.values():
        for lb, w in share.items():
            if lb not in probs[idx[0]]:
                continue
            mean = sum(probs[i][lb] for i in idx) / len(idx)
            for i in idx:
                out[i][lb] = (1 - w) * probs[i][lb] + w * mean
    return out


def _tokens(tokenizer: Language, text: object) -> list[str]:
    return [t.lower_ for t in tokenizer.make_doc(str(text))] if text else []


def rule_feature_words(evidence: Iterable[dict[str, object]]) -> list[str]:
    """The rules' evidence as feature words, sorted (order must not depend on matching)."""
    out: set[str] = set()
    for e in evidence:
        where = "c" if e["source"] == "text" else "x"
        out.add(f"r:{e['label']}:{where}")
        out.add(f"s:{e['label']}:{e['source']}")
        out.add(f"e:{e['label']}:{e['evidence']}:{where}")
    return sorted(out)


def feature_words(
    nlp: Language,
    claim: dict[str, object],
    evidence: Iterable[dict[str, object]],
    ai: Sequence[str] | None = None,
) -> list[str]:
    """The classifier's input for one claim, as words (what ``spacy train`` reads).

    ``ai``: the claim's :func:`ai_words` (computed over its note's claims); by default
    those of the claim alone.
    """
    words = _tokens(nlp, claim.get("text"))
    for key, prefix in CONTEXT_PREFIXES:
        words += [prefix + w for w in _tokens(nlp, claim.get(key))]
    words += rule_feature_words(evidence)
    words += list(ai if ai is not None else ai_words([claim])[0])
    return words or ["_"]


_override: list[Path] = []


@contextmanager
def use_model(path: Path) -> Iterator[None]:
    """Tag with the model at ``path`` instead of the shipped one (cross-validation folds)."""
    _override.append(Path(path))
    try:
        yield
    finally:
        _override.pop()


def load_classifier() -> Language | None:
    """The shipped model (or the one :func:`use_model` names), None when not installed."""
    return _load(_override[-1] if _override else model_path())


@lru_cache(maxsize=4)
def _load(p: Path) -> Language | None:
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


class FeatureHasher:
    """Builds the classifier's input ids for many claims, hashing each string once."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self._ctx: dict[tuple[str, str], np.ndarray] = {}
        self._words: dict[str, int] = {}

    def _context(self, prefix: str, text: str) -> np.ndarray:
        key = (prefix, text)
        hit = self._ctx.get(key)
        if hit is None:
            if len(self._ctx) > 50_000:
                self._ctx.clear()
            ids = [hash_string(prefix + w) for w in _tokens(self.nlp, text)]
            hit = self._ctx[key] = np.asarray(ids, dtype=np.uint64)
        return hit

    def _word(self, w: str) -> int:
        h = self._words.get(w)
        if h is None:
            h = self._words[w] = hash_string(w)
        return h

    def ids(
        self,
        doc: Doc,
        claim: dict[str, object],
        evidence: Iterable[dict[str, object]],
        ai: Sequence[str] = (),
    ) -> np.ndarray:
        """ORTH ids of :func:`feature_words`, from the claim's already tokenized doc."""
        parts = [doc.to_array(LOWER).astype(np.uint64)]
        for key, prefix in CONTEXT_PREFIXES:
            v = claim.get(key)
            if v:
                parts.append(self._context(prefix, str(v)))
        rules = rule_feature_words(evidence) + list(ai)
        if rules:
            parts.append(np.asarray([self._word(w) for w in rules], dtype=np.uint64))
        out = np.concatenate(parts) if len(parts) > 1 else parts[0]
        if out.shape[0] == 0:
            out = np.asarray([hash_string("_")], dtype=np.uint64)
        return out


def classify_docs(
    claim_docs: Sequence[Doc],
    claims: Sequence[dict[str, object]],
    evidence: Sequence[Iterable[dict[str, object]]],
) -> list[dict[str, float]] | None:
    """Classifier probabilities per claim, reusing the claims' tokens and rule evidence.

    Equivalent to running the model on ``Doc(vocab, words=feature_words(...))`` (tests
    check it on real claims). Returns None when the model is not installed.
    """
    clf = load_classifier()
    if clf is None:
        return None
    if not claims:
        return []
    pipe = clf.get_pipe("textcat_multilabel")
    hasher = FeatureHasher(clf)
    ai = ai_words(claims)
    inputs = [
        _Orths(hasher.ids(d, c, ev, a))
        for d, c, ev, a in zip(claim_docs, claims, evidence, ai, strict=True)
    ]
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
