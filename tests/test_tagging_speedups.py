"""The tagger's speed-ups change no result: checked against the plain spaCy way on
real corpus claims.

* The classifier reuses each claim's tokens instead of tokenizing
  ``classifier_text`` (claim + " || " + context) again.
* Token patterns run in one Matcher each, behind regex gates, instead of one Matcher
  over every claim.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.matcher import Matcher

from ytclaims.tags import components
from ytclaims.tags.classifier import classifier_text, classify_docs, load_classifier
from ytclaims.tags.tagger import get_pipeline, get_taxonomy
from ytclaims.warehouse.known import KnownSources
from ytclaims.worker import parse_batch

pytestmark = pytest.mark.corpus  # reads ../shared/corpus


@pytest.fixture(scope="module")
def corpus_claims(corpus_dir: Path) -> list[dict[str, object]]:
    files = sorted(corpus_dir.rglob("*.md"))[::8]  # every 8th note: ~180 notes
    claims = parse_batch(files, KnownSources(), tag=False).tables["claims"].to_pylist()
    assert len(claims) > 3000
    return claims


def test_classifier_on_shared_tokens_equals_classifier_on_joined_text(corpus_claims) -> None:
    nlp, clf = get_pipeline(None), load_classifier()
    assert clf is not None
    docs = [nlp.make_doc(str(c["text"] or "")) for c in corpus_claims]
    fast = classify_docs(docs, corpus_claims)
    plain = [dict(d.cats) for d in clf.pipe(classifier_text(c) for c in corpus_claims)]
    assert fast is not None and len(fast) == len(plain)
    for c, a, b in zip(corpus_claims, fast, plain, strict=True):
        assert a.keys() == b.keys()
        assert all(abs(a[k] - b[k]) < 1e-6 for k in a), c["text"]
    # not a vacuous comparison: the classifier is sure about some claims either way
    assert any(max(p.values()) > 0.9 for p in plain)


def test_gated_matchers_find_what_one_matcher_over_every_claim_finds(corpus_claims) -> None:
    nlp = get_pipeline(None)
    finder = nlp.get_pipe("ytclaims_taxonomy").finder
    tax = get_taxonomy(None)
    reference = Matcher(nlp.vocab)
    labels = [(components.GATE_GROUP, tax.gate)] if tax.gate is not None else []
    labels += [(g.id, lb) for g in tax.groups for lb in g.labels]
    n_patterns = 0
    for gid, lb in labels:
        for p in lb.patterns:
            reference.add(f"{gid}|{lb.id}|pattern:{p.id}", [components._expand_pattern(p.pattern)])
            n_patterns += 1
    assert n_patterns == len(finder.gated) > 0
    expected, found = set(), set()
    for i, c in enumerate(corpus_claims):
        text = str(c["text"] or "")
        doc = nlp.make_doc(text)
        for kid, start, end in reference(doc):
            expected.add((i, nlp.vocab.strings[kid], start, end))
        for g, lb, ev, _w, matched in finder.find(doc):
            if ev.startswith("pattern:"):
                found.add((i, f"{g}|{lb}|{ev}", matched))
    expected_text = {
        (i, key, nlp.make_doc(str(corpus_claims[i]["text"]))[s:e].text) for i, key, s, e in expected
    }
    assert len(expected_text) > 20  # the patterns do fire on real claims
    assert found == expected_text
