"""Leave-channel-out cross-validation: out-of-fold probabilities and thresholds.

Each fold's model is trained with ``spacy train`` on the other folds' channels and
predicts only its own, unseen channels; the thresholds are then chosen once, on all
out-of-fold predictions together (never on the frozen test channels).
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

import numpy as np

from ytclaims.tags.train.data import claim_row, gold_labels, train_model

LAYERS = ("model", "infrastructure", "application")
GATE_GRID = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
LABEL_GRID = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
NOTE_SHARES = (0.0, 0.5, 0.7, 0.8, 0.9)


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


def smoothed(probs: np.ndarray, rows: list[dict], share: float) -> np.ndarray:
    """Layers and gate moved towards the note's mean (``classifier.note_smoothed``)."""
    from ytclaims.tags.classifier import LABELS, note_key

    notes: dict[object, list[int]] = {}
    for i, r in enumerate(rows):
        notes.setdefault(note_key(claim_row(r)), []).append(i)
    mean = np.zeros_like(probs)
    for idx in notes.values():
        mean[idx] = probs[idx].mean(axis=0)
    w = np.zeros(len(LABELS))
    w[[LABELS.index(lb) for lb in LAYERS]] = share
    w[-1] = share
    return (1 - w) * probs + w * mean


def figures(
    probs: np.ndarray,
    gold: np.ndarray,
    th: dict[str, float],
    rules: np.ndarray | None = None,
    terms: np.ndarray | None = None,
) -> dict[str, float]:
    """Layer macro-F1, trend micro-F1 and about-AI accuracy under thresholds ``th``,
    for the classifier alone or (``rules`` given) classifier OR rules, as tagging does;
    ``terms`` (claims naming an AI term) given, the classifier's gate needs one."""
    from ytclaims.tags.classifier import LABELS

    if rules is None:
        rules = np.zeros_like(gold)
    gate = probs[:, -1] >= th["gate"]
    if terms is not None:
        gate &= terms
    if "gate_rules_floor" in th:
        gate |= rules[:, -1] & (probs[:, -1] >= th["gate_rules_floor"])
    pred = np.zeros_like(gold)
    pred[:, -1] = gate
    for j, lb in enumerate(LABELS[:-1]):
        need = th.get(lb, th.get("layers" if lb in LAYERS else "trends", 0.5))
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
    probs: np.ndarray,
    gold: np.ndarray,
    rules: np.ndarray | None = None,
    terms: np.ndarray | None = None,
) -> tuple[dict[str, float], dict]:
    """Gate threshold, then one threshold per label (coordinate ascent, three rounds),
    maximising the sum of the three figures."""
    from ytclaims.tags.classifier import LABELS

    def score(th: dict[str, float]) -> float:
        return sum(figures(probs, gold, th, rules, terms).values())

    th: dict[str, float] = {"gate": 0.5} | {lb: 0.3 for lb in LABELS[:-1]}
    th["gate"] = max(GATE_GRID, key=lambda g: (score(th | {"gate": g}), -abs(g - 0.5)))
    for _ in range(3):
        for lb in LABELS[:-1]:
            th[lb] = max(LABEL_GRID, key=lambda t, lb=lb: (score(th | {lb: t}), -abs(t - 0.5)))
        th["gate"] = max(GATE_GRID, key=lambda g: (score(th | {"gate": g}), -abs(g - 0.5)))
    return th, figures(probs, gold, th, rules, terms)


def tune(
    rows: list[dict], older: list[dict], folds: dict[str, int], oof: Path | None = None
) -> dict[str, object]:
    """Out-of-fold predictions, then the note share, the thresholds and the CV figures.

    ``oof``: a ``.npy`` file of out-of-fold probabilities to reuse (written when
    missing), so the thresholds can be searched again without retraining.
    """
    from ytclaims.tags.classifier import LABELS, ai_fields

    if oof is not None and oof.exists():
        probs = np.load(oof)
    else:
        probs = oof_probabilities(rows, older, folds)
        if oof is not None:
            np.save(oof, probs)
    gold = np.array([[lb in gold_labels(r) for lb in LABELS] for r in rows])
    rules = rule_decisions(rows)
    terms = np.array([bool(ai_fields(claim_row(r))) for r in rows])
    by_share = {}
    for share in NOTE_SHARES:
        q = smoothed(probs, rows, share)
        th, fig = best_thresholds(q, gold, rules, terms)
        by_share[share] = (sum(fig.values()), th, fig)
    share = max(by_share, key=lambda k: by_share[k][0])
    _, th, fig = by_share[share]
    q = smoothed(probs, rows, share)
    return {
        "note_share": share,
        "thresholds": th,
        "cv classifier OR rules": fig,
        "cv by note share": {str(k): v[2] for k, v in by_share.items()},
        "cv without the AI-term requirement": best_thresholds(q, gold, rules)[1],
        "cv classifier alone": best_thresholds(q, gold, None, terms)[1],
        "cv rules alone": figures(
            np.zeros_like(probs), gold, {"gate": 2, "gate_rules_floor": 0.0}, rules
        )
        | {"note": "rules' gate; every label threshold 2"},
        "folds": len(set(folds.values())),
        "claims": len(rows),
    }
