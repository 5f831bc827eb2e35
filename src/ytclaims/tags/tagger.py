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
    clf_probs = _classify(docs, claims, tax)
    for i, (c, doc) in enumerate(zip(claims, nlp.pipe(docs, batch_size=BATCH_SIZE), strict=True)):
        ext = doc._  # each ``doc._`` access builds a new proxy object: take it once
        tags = {k: (list(v) if isinstance(v, list) else v) for k, v in (ext.ytc_tags or {}).items()}
        evidence = list(ext.ytc_evidence or [])
        if clf_probs is not None:
            _combine(tags, evidence, clf_probs[i], tax, ext.ytc_scores or {})
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
    from ytclaims.tags.classifier import classify_docs

    return classify_docs(docs, claims)


#: Without any rule evidence for a label, the classifier alone must be this sure.
CLASSIFIER_ALONE = 0.7


def _combine(
    tags: dict[str, object],
    evidence: list[dict[str, object]],
    probs: dict[str, float],
    tax: Taxonomy,
    rule_scores: dict[tuple[str, str], float],
) -> None:
    """Rules OR classifier, per group threshold; the gate is the classifier's call.

    Measured on the dev set (ytclaims evaluate): the classifier alone is better than
    the gate rules at "is this about AI?", rules-or-classifier is best for layers, and
    rules carry the trends (the classifier sees too few positives of each). The
    classifier adds a label on its own only when it is sure (``CLASSIFIER_ALONE``);
    otherwise some rule evidence for that label must exist.
    """
    th: dict[str, float] = dict(tax.classifier.get("thresholds") or {})  # type: ignore[arg-type]

    def note(group: str, label: str, p: float) -> None:
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

    if tax.gate is not None and tax.gate.id in probs and "gate" in th:
        p = probs[tax.gate.id]
        gate_open = p >= th["gate"]
        tags[tax.gate.id] = gate_open
        if gate_open:
            note(components.GATE_GROUP, tax.gate.id, p)
    else:
        gate_open = bool(tags.get(tax.gate.id)) if tax.gate is not None else True
    for g in tax.groups:
        labels = list(tags.get(g.id, []))  # type: ignore[arg-type]
        if g.requires_gate and not gate_open:
            tags[g.id] = []
            continue
        if g.id not in th:
            continue
        for lb in g.labels:
            p = probs.get(lb.id)
            if p is None or lb.id in labels:
                continue
            # Some rule evidence: at least half of what the rules alone would need.
            has_rule_evidence = rule_scores.get((g.id, lb.id), 0.0) > 0
            if p >= th[g.id] and (has_rule_evidence or p >= CLASSIFIER_ALONE):
                labels.append(lb.id)
                note(g.id, lb.id, p)
        tags[g.id] = [lb.id for lb in g.labels if lb.id in labels]  # taxonomy order
