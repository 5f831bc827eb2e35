"""Leave-channel-out cross-validation: out-of-fold probabilities and thresholds.

Each fold's model is trained with ``spacy train`` on the other folds' channels and
predicts only its own, unseen channels; the thresholds are then chosen once, on all
out-of-fold predictions together (never on the frozen test channels).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import tempfile
from pathlib import Path

import numpy as np

from ytclaims.tags.train.data import claim_row, gold_labels, train_model

LAYERS = ("model", "infrastructure", "application")
GRID = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)


def fold_training(rows: list[dict], older: list[dict], folds: dict[str, int], k: int) -> list[dict]:
    """Training rows of fold ``k``: every channel but the fold's, older rows included."""
    return [r for r in rows + older if folds.get(r["channel"], -1) != k]


def rule_decisions(rows: list[dict]) -> np.ndarray:
    """What the taxonomy rules alone decide per claim and label (rows x LABELS).

    Layers and trends ignore the rules' gate (the combined gate decides), as in
    ``tagger._combine``; the last column is the rules' gate.
    """
    from ytclaims.tags.classifier import LABELS
    from ytclaims.tags.tagger import _context, get_pipeline, get_taxonomy

    nlp = get_pipeline(None)
    tax = get_taxonomy(None)
    need = {
        lb.id: (g.id, lb.threshold if lb.threshold is not None else g.threshold)
        for g in tax.groups
        for lb in g.labels
    }
    docs = []
    for r in rows:
        c = claim_row(r)
        d = nlp.make_doc(str(c["text"]))
        d._.ytc_context = _context(c) | {"_text": c["text"]}
        docs.append(d)
    out = np.zeros((len(rows), len(LABELS)), dtype=bool)
    for i, d in enumerate(nlp.pipe(docs)):
        scores = d._.ytc_scores or {}
        for j, lb in enumerate(LABELS[:-1]):
            g, t = need[lb]
            out[i, j] = scores.get((g, lb), 0.0) >= t
        out[i, -1] = bool((d._.ytc_tags or {}).get(tax.gate.id))  # type: ignore[union-attr]
    return out


def oof_probabilities(
    rows: list[dict], older: list[dict], folds: dict[str, int], quiet: bool = True
) -> np.ndarray:
    """Out-of-fold classifier probabilities (rows x LABELS)."""
    from ytclaims.tags.classifier import LABELS, classify_docs, use_model
    from ytclaims.tags.tagger import _context, get_pipeline

    nlp = get_pipeline(None)
    out = np.zeros((len(rows), len(LABELS)))
    for k in sorted(set(folds.values())):
        train = fold_training(rows, older, folds, k)
        idx = [i for i, r in enumerate(rows) if folds[r["channel"]] == k]
        with tempfile.TemporaryDirectory() as tmp:
            log = contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext()
            with log:
                path = train_model(train, Path(tmp))
            claims = [claim_row(rows[i]) for i in idx]
            docs = []
            for c in claims:
                d = nlp.make_doc(str(c["text"]))
                d._.ytc_context = _context(c) | {"_text": c["text"]}
                docs.append(d)
            docs = list(nlp.pipe(docs))
            with use_model(path):
                probs = classify_docs(docs, claims, [d._.ytc_evidence or [] for d in docs])
        assert probs is not None
        for i, p in zip(idx, probs, strict=True):
            out[i] = [p[lb] for lb in LABELS]
    return out


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def figures(
    probs: np.ndarray, gold: np.ndarray, th: dict[str, float], rules: np.ndarray | None = None
) -> dict[str, float]:
    """Layer macro-F1, trend micro-F1 and about-AI accuracy under thresholds ``th``,
    for the classifier alone or (``rules`` given) classifier OR rules, as tagging does."""
    from ytclaims.tags.classifier import LABELS

    if rules is None:
        rules = np.zeros_like(gold)
    gate = (probs[:, -1] >= th["gate"]) | (
        rules[:, -1] & (probs[:, -1] >= th.get("gate_rules_floor", 0.0))
    )
    pred = np.zeros_like(gold)
    pred[:, -1] = gate
    for j, lb in enumerate(LABELS[:-1]):
        need = th.get(lb, th["layers"] if lb in LAYERS else th["trends"])
        pred[:, j] = ((probs[:, j] >= need) | rules[:, j]) & gate

    def counts(j: int) -> tuple[int, int, int]:
        p, g = pred[:, j], gold[:, j]
        return int((p & g).sum()), int((p & ~g).sum()), int((~p & g).sum())

    layer = float(np.mean([_f1(*counts(j)) for j in range(len(LAYERS))]))
    c = np.array([counts(j) for j in range(len(LAYERS), len(LABELS) - 1)]).sum(axis=0)
    return {
        "layer_macro_f1": round(layer, 4),
        "trend_micro_f1": round(_f1(*map(int, c)), 4),
        "about_ai_accuracy": round(float((pred[:, -1] == gold[:, -1]).mean()), 4),
    }


def best_thresholds(
    probs: np.ndarray, gold: np.ndarray, rules: np.ndarray | None = None
) -> tuple[dict[str, float], dict]:
    """Thresholds (gate, gate_rules_floor, layers, trends) maximising the sum of the
    three figures; with ``rules`` None the floor is moot (classifier alone)."""
    best: tuple[float, dict[str, float], dict] | None = None
    floors = (0.0, 0.1, 0.2, 0.3) if rules is not None else (0.0,)
    for g, fl, lay, tr in itertools.product(GRID + (0.7, 0.8, 0.9), floors, GRID, GRID):
        th = {"gate": g, "gate_rules_floor": fl, "layers": lay, "trends": tr}
        f = figures(probs, gold, th, rules)
        v = sum(f.values())
        if best is None or v > best[0]:
            best = (v, th, f)
    assert best is not None
    return best[1], best[2]


def tune(
    rows: list[dict], older: list[dict], folds: dict[str, int], oof: Path | None = None
) -> dict[str, object]:
    """Out-of-fold predictions, then the thresholds and the CV figures they give.

    ``oof``: a ``.npy`` file of out-of-fold probabilities to reuse (written when
    missing), so the thresholds can be searched again without retraining.
    """
    from ytclaims.tags.classifier import LABELS

    if oof is not None and oof.exists():
        probs = np.load(oof)
    else:
        probs = oof_probabilities(rows, older, folds)
        if oof is not None:
            np.save(oof, probs)
    gold = np.array([[lb in gold_labels(r) for lb in LABELS] for r in rows])
    rules = rule_decisions(rows)
    th, fig = best_thresholds(probs, gold, rules)
    alone_th, alone = best_thresholds(probs, gold)
    return {
        "thresholds": th,
        "cv classifier OR rules": fig,
        "cv classifier alone": alone | {"thresholds": alone_th},  # type: ignore[dict-item]
        "cv rules alone": figures(
            np.zeros_like(probs), gold, {"gate": 2, "layers": 2, "trends": 2}, rules
        ),
        "folds": len(set(folds.values())),
        "claims": len(rows),
    }
