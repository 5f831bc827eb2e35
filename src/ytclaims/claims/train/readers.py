"""spaCy corpus readers, registered by name, for the two transcript models' configs.

``spacy train`` reads examples through these (``[corpora.*] @readers = ...`` in
``senter.cfg`` and ``checkworthy.cfg``), so the configs say exactly which videos train
and which pick the checkpoint, and nothing is staged by hand. Importing this module
registers them; ``python -m ytclaims.claims.train`` does, and so does
``spacy train CONFIG --code src/ytclaims/claims/train/readers.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

from ytclaims.claims.train.data import (
    DEFAULT_CAPTIONS,
    DEFAULT_LABELS,
    DEFAULT_SPLIT,
    REPO,
    boundary_videos,
    labelled_sentences,
)


def _path(value: str | None, default: object) -> str:
    return str(value) if value else str(default)


@spacy.registry.readers("ytclaims.caption_boundaries.v1")
def caption_boundaries(
    role: str,
    captions: str | None = None,
    split: str | None = None,
    folds: int = 5,
    fold: int = -1,
    chunk_words: int = 160,
) -> Callable[[Language], Iterator[Example]]:
    """Sentence-start examples from recogniser-style words of ``role``'s videos.

    Each video's words (lower case, no punctuation) get the pause tokens the model
    reads at run time (:func:`ytclaims.claims.senter.model_words`); a word that starts an
    author sentence is a sentence start, every other token is not. Videos are cut into
    docs of about ``chunk_words`` words at author sentence starts.
    """
    from ytclaims.claims.senter import model_words

    videos = boundary_videos(
        _path(captions, DEFAULT_CAPTIONS),
        role,
        folds=folds,
        fold=fold,
        split=_path(split, DEFAULT_SPLIT),
    )

    def read(nlp: Language) -> Iterator[Example]:
        for v in videos:
            starts = v.sent_starts
            a = 0
            while a < len(v.texts):
                b = min(a + chunk_words, len(v.texts))
                while b < len(v.texts) and not starts[b]:
                    b += 1
                tokens, index = model_words(v.texts[a:b], v.starts[a:b])
                gold = [False] * len(tokens)
                for i, k in enumerate(index):
                    gold[k] = starts[a + i]
                gold[0] = True
                ref = Doc(nlp.vocab, words=tokens, sent_starts=gold)
                yield Example(Doc(nlp.vocab, words=tokens), ref)
                a = b

    return read


@spacy.registry.readers("ytclaims.checkworthy_sentences.v1")
def checkworthy_sentences(
    role: str,
    labels: str | None = None,
    split: str | None = None,
    folds: int = 5,
    fold: int = -1,
    auto_copies: bool = True,
    edge_words: int = 3,
    title: bool = True,
    lower: bool = False,
    marks: bool = False,
    note_claims: str | None = None,
    note_claims_limit: int = 0,
) -> Callable[[Language], Iterator[Example]]:
    """Labelled sentences (with their context) of ``role``'s videos as textcat examples.

    With ``auto_copies`` every sentence is also given as auto-generated captions would
    give it (:func:`ytclaims.claims.checkworthy.auto_form`: lower case, no punctuation,
    capital restored at the start), so the classifier knows both forms. ``edge_words``,
    ``title``, ``lower`` and ``marks`` say what it reads (stored with the model; see
    :func:`ytclaims.claims.checkworthy.input_words`).

    ``note_claims`` (a JSON-lines file with ``text``, e.g. the tagger's training claims
    from video notes) adds up to ``note_claims_limit`` of them as claims, in both forms:
    statements about other subjects than the labelled videos' mathematics.
    """
    from ytclaims.claims.checkworthy import CLAIM, OTHER, auto_form, input_words

    rows = labelled_sentences(
        role,
        folds=folds,
        fold=fold,
        labels=_path(labels, DEFAULT_LABELS),
        split=_path(split, DEFAULT_SPLIT),
    )

    context = {"edge_words": edge_words, "title": title, "lower": lower, "marks": marks}
    if note_claims and note_claims_limit > 0:
        for name in str(note_claims).split(","):
            path = Path(name) if Path(name).is_absolute() else REPO / name
            for line in path.read_text("utf-8").splitlines():
                if line.strip() and note_claims_limit > 0:
                    rows.append({"text": json.loads(line)["text"], "claim": True})
                    note_claims_limit -= 1

    def read(nlp: Language) -> Iterator[Example]:
        for r in rows:
            ctx = (str(r["text"]), r.get("prev"), r.get("next"), str(r.get("title") or ""))
            forms = [ctx]
            if auto_copies:
                forms.append(tuple(auto_form(x) if x else x for x in ctx))  # type: ignore[arg-type]
            for text, prev, nxt, name in forms:
                words = input_words(nlp, text, prev, nxt, name, context)
                cats = {CLAIM: float(bool(r["claim"])), OTHER: float(not r["claim"])}
                ref = Doc(nlp.vocab, words=words)
                ref.cats = cats
                yield Example(Doc(nlp.vocab, words=words), ref)

    return read
