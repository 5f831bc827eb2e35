"""The tagger's speed-ups change no result: checked against the plain spaCy way on
real corpus claims.

* The classifier reuses each claim's tokens and the rules' evidence instead of building
  ``Doc(vocab, words=feature_words(...))`` (the words spacy train saw) again.
* Token patterns run in one Matcher each, behind regex gates, instead of one Matcher
  over every claim.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.matcher import Matcher
from spacy.tokens import Doc

from ytclaims.tags import components
from ytclaims.tags.classifier import ai_words, classify_docs, feature_words, load_classifier
from ytclaims.tags.tagger import _context, get_pipeline, get_taxonomy
from ytclaims.warehouse.known import KnownSources
from ytclaims.worker import parse_batch

pytestmark = pytest.mark.corpus  # reads ../shared/corpus


@pytest.fixture(scope="module")
def corpus_claims(corpus_dir: Path) -> list[dict[str, object]]:
    files = sorted(corpus_dir.rglob("*.md"))[::8]  # every 8th note: ~180 notes
    claims = parse_batch(files, KnownSources(), tag=False).tables["claims"].to_pylist()
    assert len(claims) > 3000
    return claims


def test_classifier_on_shared_tokens_equals_classifier_on_its_training_words(
    corpus_claims,
) -> None:
    nlp, clf = get_pipeline(None), load_classifier()
    assert clf is not None
    docs = []
    for c in corpus_claims:
        d = nlp.make_doc(str(c["text"] or ""))
        d._.ytc_context = _context(c) | {"_text": str(c["text"] or "")}
        docs.append(d)
    docs = list(nlp.pipe(docs))
    evidence = [d._.ytc_evidence or [] for d in docs]
    assert sum(1 for e in evidence if e) > 500  # rule features are part of the input
    fast = classify_docs(docs, corpus_claims, evidence)
    textcat = clf.get_pipe("textcat_multilabel")
    ai = ai_words(corpus_claims)  # AI-term flags and note density, over each note's claims
    plain = [
        dict(textcat(Doc(clf.vocab, words=feature_words(nlp, c, ev, a))).cats)
        for c, ev, a in zip(corpus_claims, evidence, ai, strict=True)
    ]
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
