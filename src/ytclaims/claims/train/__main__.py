"""Train the two transcript models shipped in ``ytclaims/claims/model`` (offline, seeded).

    python -m ytclaims.claims.train senter       [--folds 5] [--no-cv] [--out DIR]
    python -m ytclaims.claims.train checkworthy  [--folds 5] [--no-cv] [--out DIR]

Both run ``spacy train`` with the config beside this file (``senter.cfg``,
``checkworthy.cfg``), whose registered readers (``readers.py``) read the training videos
only: the held-out test videos of ``data/checkworthy/split.json`` are never read here.

1. **Cross-validation** (``--folds`` folds of the training videos, by video): one model
   per fold, trained without that fold; its out-of-fold scores choose the decision
   threshold (check-worthiness: the lowest threshold whose pooled out-of-fold precision
   is at least :data:`TARGET_PRECISION`, the precision the issue asks for;
   segmentation: the threshold that recovers the most author sentences exactly). The
   figures go to ``cv_<model>.json`` beside this file.
2. **The shipped model** is trained on every training video for the same number of
   epochs (``model-last``), and the threshold and input settings are written into its
   ``meta.json`` under ``ytclaims``.

Needs a checkout of the repository (``data/checkworthy``) and ``../shared/corpus``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.cli.train import train as spacy_train

from ytclaims.claims import checkworthy, senter
from ytclaims.claims.train import readers as _readers  # noqa: F401 - registers the readers
from ytclaims.claims.train.data import boundary_videos, labelled_sentences
from ytclaims.claims.transcript import eligible

HERE = Path(__file__).resolve().parent
MODEL_ROOT = HERE.parent / "model"
#: Pooled out-of-fold precision the check-worthiness threshold must reach.
TARGET_PRECISION = 0.85
SENTER_THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.2, 0.96, 0.05))


#: ``--set key=value`` overrides, applied to every run (for trying settings by CV).
EXTRA: dict[str, Any] = {}
#: ``--config FILE``: another config than the one beside this file (for trying settings).
CONFIG: dict[str, Path] = {}
#: ``--cv-only``: print the cross-validation figures and stop.
CV_ONLY = False


def _train(cfg: Path, out: Path, overrides: dict[str, Any]) -> Path:
    spacy_train(cfg, out, overrides=overrides | EXTRA)
    return out / "model-last"


def _fold_overrides(fold: int, folds: int, *, final: bool) -> dict[str, Any]:
    if final:
        return {
            "corpora.train.role": "all_train",
            "corpora.dev.role": "all_train",
            "corpora.train.folds": folds,
            "corpora.dev.folds": folds,
        }
    return {
        "corpora.train.fold": fold,
        "corpora.dev.fold": fold,
        "corpora.train.folds": folds,
        "corpora.dev.folds": folds,
    }


# --- check-worthiness -----------------------------------------------------------------------


def pr_at(scores: np.ndarray, gold: np.ndarray, threshold: float) -> tuple[float, float]:
    """(precision, recall) of ``scores >= threshold``; precision 1.0 when nothing is chosen."""
    chosen = scores >= threshold
    tp = int((chosen & gold).sum())
    precision = tp / int(chosen.sum()) if chosen.any() else 1.0
    recall = tp / int(gold.sum()) if gold.any() else 0.0
    return precision, recall


def choose_threshold(scores: np.ndarray, gold: np.ndarray, target: float) -> float:
    """The lowest threshold (best recall) whose precision reaches ``target``."""
    for t in sorted(set(np.round(scores[scores >= 0], 4).tolist())):
        p, _ = pr_at(scores, gold, t)
        if p >= target:
            return float(t)
    return 1.0


def _score_rows(nlp: Any, rows: list[dict[str, Any]], context: dict[str, Any], auto: bool):
    """Scores as select_claims sees them: a sentence its rules exclude scores -1."""
    model = checkworthy.Checkworthy(nlp, 0.5, context)
    out = []
    for r in rows:
        text = checkworthy.auto_form(r["text"]) if auto else r["text"]
        if not eligible(text, punctuated=not auto):
            out.append(-1.0)
            continue
        ctx = [r["text"], r.get("prev"), r.get("next")]
        if auto:
            ctx = [checkworthy.auto_form(x) if x else x for x in ctx]
        out.append(checkworthy.score_one(ctx[0], ctx[1], ctx[2], str(r.get("title") or ""), model))
    return np.array(out)


def train_checkworthy(folds: int, out: Path, cv: bool) -> None:
    cfg = CONFIG.get("checkworthy", HERE / "checkworthy.cfg")
    config = spacy.util.load_config(cfg, overrides=EXTRA)
    train_cfg = config["corpora"]["train"]
    context = {
        "edge_words": int(train_cfg["edge_words"]),
        "title": bool(train_cfg["title"]),
        "lower": bool(train_cfg.get("lower", False)),
        "marks": bool(train_cfg.get("marks", False)),
    }
    report: dict[str, Any] = {"folds": folds, "context": context}
    threshold = checkworthy.DEFAULT_THRESHOLD
    with tempfile.TemporaryDirectory() as tmp:
        if cv:
            human, auto, gold = [], [], []
            for k in range(folds):
                path = _train(cfg, Path(tmp) / f"fold{k}", _fold_overrides(k, folds, final=False))
                nlp = spacy.load(path)
                rows = labelled_sentences("dev", folds=folds, fold=k)
                human.append(_score_rows(nlp, rows, context, auto=False))
                auto.append(_score_rows(nlp, rows, context, auto=True))
                gold.append(np.array([bool(r["claim"]) for r in rows]))
            h, a, g = np.concatenate(human), np.concatenate(auto), np.concatenate(gold)
            threshold = choose_threshold(h, g, TARGET_PRECISION)
            report |= {
                "n_sentences": int(len(g)),
                "n_claims": int(g.sum()),
                "threshold": threshold,
                "target_precision": TARGET_PRECISION,
                "human": dict(zip(("precision", "recall"), pr_at(h, g, threshold), strict=True)),
                "auto_form": dict(
                    zip(("precision", "recall"), pr_at(a, g, threshold), strict=True)
                ),
                "curve": [
                    {"threshold": t, "precision": round(p, 4), "recall": round(r, 4)}
                    for t in np.round(np.arange(0.3, 0.96, 0.05), 2).tolist()
                    for p, r in [pr_at(h, g, t)]
                ],
            }
            print(json.dumps(report, indent=1))
            if CV_ONLY:
                return
            (HERE / "cv_checkworthy.json").write_text(json.dumps(report, indent=1) + "\n")
        else:
            threshold = _shipped_setting(out, "threshold", threshold)
        path = _train(cfg, Path(tmp) / "final", _fold_overrides(-1, folds, final=True))
        _ship(path, out, {"threshold": threshold, "context": context, "cv": _cv_summary(report)})


# --- segmentation ---------------------------------------------------------------------------


def exact_sentences(pred: list[bool], gold: list[bool]) -> tuple[int, int, int, int]:
    """(exact, ends_ok, n_pred, n_gold): predicted pieces equal to an author sentence, and
    those that merely begin and end at author boundaries."""
    gb = {i for i, s in enumerate(gold) if s} | {len(gold)}
    pb = sorted({i for i, s in enumerate(pred) if s} | {0, len(pred)})
    exact = ends = 0
    for a, b in zip(pb, pb[1:], strict=False):
        if a in gb and b in gb:
            ends += 1
            exact += not any(k in gb for k in range(a + 1, b))
    return exact, ends, len(pb) - 1, len(gb) - 1 if 0 in gb else len(gb)


def train_senter(folds: int, out: Path, cv: bool) -> None:
    cfg = CONFIG.get("senter", HERE / "senter.cfg")
    report: dict[str, Any] = {"folds": folds}
    threshold = senter.DEFAULT_THRESHOLD
    with tempfile.TemporaryDirectory() as tmp:
        if cv:
            pooled: list[tuple[list[float], list[bool]]] = []
            for k in range(folds):
                path = _train(cfg, Path(tmp) / f"fold{k}", _fold_overrides(k, folds, final=False))
                nlp = spacy.load(path)
                for v in boundary_videos(role="dev", folds=folds, fold=k):
                    pooled.append((senter.start_scores(v.texts, v.starts, nlp), v.sent_starts))
            rows = []
            for t in SENTER_THRESHOLDS:
                tot = np.zeros(4, dtype=int)
                for probs, gold in pooled:
                    pred = senter.decode(probs, threshold=t)
                    tot += np.array(exact_sentences(pred, gold))
                exact, ends, n_pred, n_gold = (int(x) for x in tot)
                rows.append(
                    {
                        "threshold": t,
                        "exact_share_of_pieces": round(exact / n_pred, 4),
                        "exact_share_of_sentences": round(exact / n_gold, 4),
                        "begin_and_end_at_boundaries": round(ends / n_pred, 4),
                        "pieces": n_pred,
                        "sentences": n_gold,
                    }
                )
            best = max(rows, key=lambda r: r["exact_share_of_sentences"])
            threshold = float(best["threshold"])
            report |= {"threshold": threshold, "best": best, "curve": rows}
            print(json.dumps(report, indent=1))
            if CV_ONLY:
                return
            (HERE / "cv_senter.json").write_text(json.dumps(report, indent=1) + "\n")
        else:
            threshold = _shipped_setting(out, "threshold", threshold)
        path = _train(cfg, Path(tmp) / "final", _fold_overrides(-1, folds, final=True))
        _ship(path, out, {"threshold": threshold, "cv": _cv_summary(report)})


# --- shipping -------------------------------------------------------------------------------


def _cv_summary(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "curve"}


def _shipped_setting(out: Path, key: str, default: float) -> float:
    meta = out / "meta.json"
    if meta.is_file():
        return float(json.loads(meta.read_text("utf-8")).get("ytclaims", {}).get(key, default))
    return default


def _ship(model: Path, out: Path, settings: dict[str, Any]) -> None:
    """Copy the trained pipeline to ``out`` with ytclaims' settings in its meta.json."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(model, out)
    meta_path = out / "meta.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    meta["ytclaims"] = settings
    meta.pop("performance", None)  # scored on the training data: not a measure
    meta_path.write_text(json.dumps(meta, indent=1) + "\n", "utf-8")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"shipped {out} ({size / 1e6:.1f} MB)")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("model", choices=("senter", "checkworthy"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--no-cv", action="store_true", help="keep the shipped threshold")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--config", type=Path, default=None, help="another spaCy config")
    ap.add_argument("--cv-only", action="store_true", help="report CV figures; ship nothing")
    ap.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="config override"
    )
    args = ap.parse_args()
    global CV_ONLY
    CV_ONLY = args.cv_only
    if args.config:
        CONFIG[args.model] = args.config
    for item in args.set:
        key, _, value = item.partition("=")
        EXTRA[key] = json.loads(value) if value[:1] in '0123456789-tf[{"' else value
    out = args.out or MODEL_ROOT / args.model
    if args.model == "senter":
        train_senter(args.folds, out, not args.no_cv)
    else:
        train_checkworthy(args.folds, out, not args.no_cv)


if __name__ == "__main__":
    main()
