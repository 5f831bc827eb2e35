"""Tag claim rows with the taxonomy: layers, trends, entities and the evidence for each.

One spaCy pipeline per process and taxonomy (:func:`get_pipeline`), fed claims in
batches with ``nlp.pipe``. The claim's context (lead-in, heading path, note title,
wiki-link targets) rides along in ``doc._.ytc_context``. Output is plain rows for the
``tag_evidence`` and ``entities`` tables; the claim rows get ``layers``, ``trends``
and ``about_ai`` in place.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ytclaims.tags import components  # noqa: F401 - registers the spaCy factories
from ytclaims.tags.taxonomy import Taxonomy, load_taxonomy

BATCH_SIZE = 512


@lru_cache(maxsize=4)
def get_pipeline(taxonomy_path: str | None = None) -> Language:
    """Blank English + ytclaims_taxonomy + ytclaims_entities, built once per process."""
    nlp = spacy.blank("en")
    cfg = {"taxonomy_path": taxonomy_path}
    nlp.add_pipe("ytclaims_taxonomy", config=cfg)
    nlp.add_pipe("ytclaims_entities", config=cfg)
    return nlp


@lru_cache(maxsize=4)
def get_taxonomy(taxonomy_path: str | None = None) -> Taxonomy:
    return load_taxonomy(taxonomy_path)


def _context(c: dict[str, object]) -> dict[str, str]:
    wiki = c.get("wiki_targets") or []
    return {
        "lead_in": str(c.get("lead_in") or ""),
        "heading": str(c.get("heading_path") or ""),
        "note_title": str(c.get("note_title") or ""),
        "wiki": " ; ".join(str(w).replace("_", " ") for w in wiki),  # type: ignore[union-attr]
    }


def _row_id(*parts: object) -> str:
    return hashlib.blake2b("\x1f".join(str(p) for p in parts).encode(), digest_size=8).hexdigest()


def tag_claims(
    claims: list[dict[str, object]], taxonomy_path: str | None = None
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Set layers/trends/about_ai on each claim row; return (evidence rows, entity rows)."""
    if not claims:
        return [], []
    nlp = get_pipeline(taxonomy_path)
    tax = get_taxonomy(taxonomy_path)
    gate_id = tax.gate.id if tax.gate is not None else None
    evidence_rows: list[dict[str, object]] = []
    entity_rows: list[dict[str, object]] = []

    # Each claim is tokenized once; the rules and the classifier share its tokens.
    docs = []
    for c in claims:
        text = str(c.get("text") or "")
        doc = nlp.make_doc(text)
        doc._.ytc_context = _context(c) | {"_text": text}
        docs.append(doc)
    docs = list(nlp.pipe(docs, batch_size=BATCH_SIZE))
    clf_probs = _classify(docs, claims, tax)
    for i, (c, doc) in enumerate(zip(claims, docs, strict=True)):
        ext = doc._  # each ``doc._`` access builds a new proxy object: take it once
        tags = {k: (list(v) if isinstance(v, list) else v) for k, v in (ext.ytc_tags or {}).items()}
        evidence = list(ext.ytc_evidence or [])
        if clf_probs is not None:
            _combine(tags, evidence, clf_probs[i], tax, ext.ytc_scores or {}, c)
        _enforce_gate(tags, evidence, tax)
        c["layers"] = list(tags.get("layers", []))
        c["trends"] = list(tags.get("trends", []))
        c["about_ai"] = bool(tags.get(gate_id)) if gate_id else None
        c["tags"] = [
            {"group_id": g.id, "label_id": lb} for g in tax.groups for lb in tags.get(g.id, [])
        ]
        cid = c["claim_id"]
        for e in evidence:
            evidence_rows.append(
                {
                    "claim_id": cid,
                    "source_id": c.get("source_id"),
                    "_path": c.get("_path"),
                    "group_id": e["group"] if e["group"] != components.GATE_GROUP else "gate",
                    "label_id": e["label"],
                    "context_source": e["source"],
                    "evidence_id": e["evidence"],
                    "matched_text": e["matched"],
                    "weight": float(e["weight"]),
                    "label_score": float(e["score"]),
                }
            )
        for span in doc.spans.get("ytc_entities", []):
            entity_rows.append(
                {
                    "claim_id": cid,
                    "source_id": c.get("source_id"),
                    "_path": c.get("_path"),
                    "label": span.label_,
                    "text": span.text,
                    "start_char": span.start_char,
                    "end_char": span.end_char,
                    "value": components.entity_value(span.label_, span.text),
                }
            )
    return evidence_rows, entity_rows


def _classify(
    docs: list[Doc], claims: list[dict[str, object]], tax: Taxonomy
) -> list[dict[str, float]] | None:
    """Classifier probabilities per claim, or None when the taxonomy does not use it."""
    if tax.classifier.get("model") != "default":
        return None
    from ytclaims.tags.classifier import classify_docs, note_smoothed

    probs = classify_docs(docs, claims, [d._.ytc_evidence or [] for d in docs])
    if probs is None:
        return None
    return note_smoothed(probs, claims, note_shares(tax))


def note_shares(tax: Taxonomy) -> dict[str, float]:
    """``[classifier] note_share`` per label id: given per label, per group id or
    ``gate``; labels of groups not named keep their own probability."""
    given: dict[str, float] = dict(tax.classifier.get("note_share") or {})  # type: ignore[arg-type]
    out = {}
    if tax.gate is not None and "gate" in given:
        out[tax.gate.id] = float(given["gate"])
    for g in tax.groups:
        for lb in g.labels:
            if lb.id in given or g.id in given:
                out[lb.id] = float(given.get(lb.id, given.get(g.id, 0.0)))
    return out


def _enforce_gate(
    tags: dict[str, object], evidence: list[dict[str, object]], tax: Taxonomy
) -> None:
    """No label of a group that requires the gate survives a closed gate, nor its evidence.

    Whatever decided the labels (rules, classifier, both), a claim the gate calls
    out of the domain (not about AI) carries no label of a gated group: a statistics
    claim about the normal "distribution" gets no ``distribution_moat``.
    """
    if tax.gate is None or tags.get(tax.gate.id):
        return
    gated = {g.id for g in tax.groups if g.requires_gate}
    for gid in gated:
        if tags.get(gid):
            tags[gid] = []
    evidence[:] = [e for e in evidence if e["group"] not in gated]


def _combine(
    tags: dict[str, object],
    evidence: list[dict[str, object]],
    probs: dict[str, float],
    tax: Taxonomy,
    rule_scores: dict[tuple[str, str], float],
    claim: dict[str, object] | None = None,
) -> None:
    """Classifier OR rules, per label, under one gate.

    ``[classifier] thresholds`` in the taxonomy give the probability a label needs,
    per label id, else per group id, and ``gate`` for the gate. A label is assigned
    when the classifier reaches its threshold *or* the taxonomy rules alone would
    assign it (their score reaches the label's rule threshold); the gate opens when
    the classifier reaches ``gate`` or the rules' gate is open. Measured by
    leave-channel-out cross-validation over the training channels
    (``src/ytclaims/tags/train/README.md``): this beats the classifier alone and the
    rules alone on channels the model never saw (rules carry the trends, for which
    3,000 claims hold too few positives outside one channel). The gate is then
    enforced by :func:`_enforce_gate`.
    """
    th: dict[str, float] = dict(tax.classifier.get("thresholds") or {})  # type: ignore[arg-type]
    present = {(e["group"], e["label"]) for e in evidence}
    if tax.gate is not None and tax.gate.id in probs and "gate" in th:
        p = probs[tax.gate.id]
        by_clf = p >= th["gate"]
        if by_clf and tax.classifier.get("gate_needs_ai_terms") and claim is not None:
            from ytclaims.tags.classifier import ai_fields

            by_clf = bool(ai_fields(claim))
        rules_open = (
            "gate_rules_floor" in th and bool(tags.get(tax.gate.id)) and p >= th["gate_rules_floor"]
        )
        tags[tax.gate.id] = by_clf or rules_open
        if by_clf:
            _decided(evidence, components.GATE_GROUP, tax.gate.id, p, True)
    for g in tax.groups:
        if g.id not in th and not any(lb.id in th for lb in g.labels):
            continue
        chosen = []
        for lb in g.labels:
            p = probs.get(lb.id)
            rule_th = lb.threshold if lb.threshold is not None else g.threshold
            by_rules = rule_scores.get((g.id, lb.id), 0.0) >= rule_th
            if p is None:
                if by_rules:
                    chosen.append(lb.id)
                continue
            by_clf = p >= th.get(lb.id, th.get(g.id, 0.5))
            if by_clf or by_rules:
                chosen.append(lb.id)
                if by_clf:
                    _decided(evidence, g.id, lb.id, p, True)
                elif (g.id, lb.id) not in present:
                    # The rules reached the label's threshold while their own gate was
                    # closed (the classifier's gate opened it): say so.
                    evidence.append(
                        {
                            "group": g.id,
                            "label": lb.id,
                            "source": "rules",
                            "evidence": "rule_score",
                            "matched": f"score={rule_scores[(g.id, lb.id)]:.2f}",
                            "weight": 1.0,
                            "score": round(p, 3),
                        }
                    )
            elif (g.id, lb.id) in present:
                _decided(evidence, g.id, lb.id, p, False)
        tags[g.id] = chosen


def _decided(
    evidence: list[dict[str, object]], group: str, label: str, p: float, assigned: bool
) -> None:
    """Record the classifier's decision on one label in the claim's evidence list."""
    mine = [e for e in evidence if e["group"] == group and e["label"] == label]
    evidence[:] = [e for e in evidence if not (e["group"] == group and e["label"] == label)]
    if not assigned:
        return
    for e in mine:
        evidence.append(e | {"score": round(p, 3)})
    evidence.append(
        {
            "group": group,
            "label": label,
            "source": "classifier",
            "evidence": "textcat",
            "matched": f"p={p:.2f}",
            "weight": round(p, 3),
            "score": round(p, 3),
        }
    )
