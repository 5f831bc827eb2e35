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
    probability measured; the ``k`` largest positive drops are returned per label.
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
    out: dict[str, list[tuple[str, float]]] = {}
    for lb in labels:
        if lb not in names:
            continue
        j = names.index(lb)
        base = float(scores[0][j])
        drops = [(w, base - float(scores[i + 1][j])) for i, w in enumerate(distinct)]
        out[lb] = [(w, d) for w, d in sorted(drops, key=lambda x: -x[1])[:k] if d > 0.005]
    return out
