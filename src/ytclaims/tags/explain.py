"""Why the classifier gave a label: the input words that raised its probability most.

Separate from ``classifier`` (which the tagger imports) because it runs the whole
tagger's rules on one claim to rebuild the classifier's input.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from spacy.strings import hash_string

from ytclaims.tags.classifier import _Orths, feature_words, load_classifier
from ytclaims.tags.tagger import _context, get_pipeline


def top_features(
    claim: dict[str, object], labels: Sequence[str], k: int = 5
) -> dict[str, list[tuple[str, float]]]:
    """The input words that raise each label's probability most, by ablation.

    For ``explain``: each distinct input word of the claim (claim token, prefixed
    context word, rule feature) is removed in turn and the drop in the label's
    log-odds measured (the model is linear in log-odds, so this is the word's weight
    times its count); the ``k`` largest positive drops are returned per label.
    Slow (one prediction per word) and meant for one claim at a time.
    """
    clf = load_classifier()
    if clf is None or not labels:
        return {}
    nlp = get_pipeline(None)
    doc = nlp.make_doc(str(claim.get("text") or ""))
    doc._.ytc_context = _context(claim) | {"_text": str(claim.get("text") or "")}
    doc = nlp(doc)
    words = feature_words(nlp, claim, doc._.ytc_evidence or [])
    pipe = clf.get_pipe("textcat_multilabel")
    names = list(pipe.labels)
    distinct = list(dict.fromkeys(words))
    variants = [words] + [[w for w in words if w != drop] or ["_"] for drop in distinct]
    scores = pipe.predict([_Orths(np.asarray([hash_string(w) for w in v])) for v in variants])  # type: ignore[arg-type]
    arr = np.clip(np.asarray(scores, dtype=float), 1e-6, 1 - 1e-6)
    logit = np.log(arr / (1 - arr))  # contributions add up in logit space, not in p
    out: dict[str, list[tuple[str, float]]] = {}
    for lb in labels:
        if lb not in names:
            continue
        j = names.index(lb)
        drops = [(w, float(logit[0, j] - logit[i + 1, j])) for i, w in enumerate(distinct)]
        out[lb] = [(w, d) for w, d in sorted(drops, key=lambda x: -x[1])[:k] if d > 0.05]
    return out
