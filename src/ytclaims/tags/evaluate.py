"""Measure the tagger against hand-labelled claims, split by channel.

The labelled claims (``data/tagging/labels.jsonl``, 4,203 claims from 59 channels,
labelled by reading against ``docs/labelling/tagging.md``) are split by *channel*
(``data/tagging/splits.toml``): the frozen ``test`` channels are never trained or
tuned on, so ``--split test`` (the default) is the honest figure for channels a user
brings. ``--split cv`` is leave-channel-out cross-validation over the training
channels: one model per fold is trained with ``spacy train`` on the other folds and
tags only its own unseen channels (slow: minutes). ``--dev FILE`` scores any other
file of labelled claims (all its rows unless ``--split`` says otherwise).

Printed: per-label precision/recall/F1, layer macro-F1, trend micro-F1, about-AI
accuracy, how many claims the gate calls out of the domain yet carry a gated label
(must be 0), and the per-channel spread.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

from ytclaims import errors
from ytclaims.tags.train.data import (
    DEFAULT_LABELS,
    DEFAULT_SPLITS,
    claim_row,
    cv_folds,
    load_rows,
    load_splits,
)

SPLITS = ("test", "train", "cv", "all")
#: Strata of data/tagging (how a claim was drawn) and of the older dev set.
STRATA = ("all", "random", "ai_note", "ai_mention", "trend", "targeted")
#: The labelled claims, relative to the repository (evaluation data, not packaged).
DEFAULT_DEV = Path("data") / "tagging" / "labels.jsonl"
#: The repository this module was installed from (editable installs, a source checkout).
_REPO = Path(__file__).resolve().parents[3]


def _check_choice(option: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise errors.EvaluationError(
            f"Unknown {option} {value!r}.", hint=f"Use one of: {', '.join(allowed)}."
        )


def find_dev(path: str | Path | None = None) -> Path:
    """The labelled claims to evaluate on: ``path`` when given, else
    ``data/tagging/labels.jsonl`` under the current folder, else in the repository
    ytclaims runs from. Installed from a wheel and run elsewhere, a clear error."""
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise errors.EvaluationError(f"No dev set at {p}.", hint="Check the --dev path.")
        return p
    for p in (DEFAULT_DEV, _REPO / DEFAULT_DEV):
        if p.is_file():
            return p
    raise errors.EvaluationError(f"No dev set at {DEFAULT_DEV} (nor in {_REPO}).")


@dataclass(slots=True)
class LabelScore:
    label: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_dev(
    path: str | Path | None = None,
    *,
    split: str = "all",
    stratum: str = "all",
    splits_path: str | Path = DEFAULT_SPLITS,
) -> list[dict]:
    """Labelled rows of ``path`` in ``split`` (test channels, training channels, all)."""
    _check_choice("--split", split, SPLITS)
    _check_choice("--stratum", stratum, STRATA)
    rows = load_rows(find_dev(path))
    if split != "all":
        test = load_splits(splits_path).test
        keep_test = split == "test"
        rows = [r for r in rows if (r["channel"] in test) == keep_test]
    if stratum != "all":
        rows = [r for r in rows if str(r.get("stratum", "random")).split(":")[0] == stratum]
    return rows


def dev_claims(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Labelled rows as the claim rows the tagger reads (text plus its context)."""
    return [claim_row(r) for r in rows]


def _scores(gold: list[set[str]], pred: list[set[str]], labels: list[str]) -> list[LabelScore]:
    out = []
    for lb in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if lb in g and lb in p)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if lb not in g and lb in p)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if lb in g and lb not in p)
        out.append(LabelScore(lb, tp, fp, fn))
    return out


def _figures(rows: list[dict], claims: list[dict], layers: list[str], trends: list[str]) -> dict:
    lay = _scores([set(r["layers"]) for r in rows], [set(c["layers"]) for c in claims], layers)
    tre = _scores([set(r["trends"]) for r in rows], [set(c["trends"]) for c in claims], trends)
    micro = LabelScore(
        "trends (micro)", sum(s.tp for s in tre), sum(s.fp for s in tre), sum(s.fn for s in tre)
    )
    ok = sum(
        1 for r, c in zip(rows, claims, strict=True) if bool(r["about_ai"]) == bool(c["about_ai"])
    )
    return {
        "layers": lay,
        "trends": tre,
        "layer_macro_f1": sum(s.f1 for s in lay) / len(lay) if lay else 0.0,
        "trend_micro": micro,
        "about_ai_accuracy": ok / len(rows) if rows else 0.0,
    }


def _tag_cv(rows: list[dict], claims: list[dict], taxonomy: str | None, splits_path: Path) -> int:
    """Tag each fold's claims with a model trained on the other folds; return #folds."""
    import contextlib
    import io
    import tempfile

    from ytclaims.tags.classifier import use_model
    from ytclaims.tags.tagger import tag_claims
    from ytclaims.tags.train.data import train_model, training_rows
    from ytclaims.tags.train.tune import fold_training

    splits = load_splits(splits_path)
    _, older = training_rows(splits=splits)
    folds = cv_folds(rows, splits)
    for k in sorted(set(folds.values())):
        train = fold_training(rows, older, folds, k)
        mine = [c for r, c in zip(rows, claims, strict=True) if folds[r["channel"]] == k]
        with tempfile.TemporaryDirectory() as tmp:
            with contextlib.redirect_stdout(io.StringIO()):
                path = train_model(train, Path(tmp))
            with use_model(path):
                tag_claims(mine, taxonomy)
    return len(set(folds.values()))


def evaluate(
    dev: str | Path | None = None,
    taxonomy: str | None = None,
    *,
    split: str | None = None,
    stratum: str = "all",
    splits_path: str | Path = DEFAULT_SPLITS,
) -> dict[str, object]:
    """Tag the labelled claims of ``split`` and compare with the gold labels.

    ``split`` defaults to ``test`` for the project's labelled data and ``all`` for any
    other file. ``cv`` is leave-channel-out cross-validation on the training channels.
    """
    from ytclaims.tags.tagger import get_taxonomy, tag_claims

    if split is not None:
        _check_choice("--split", split, SPLITS)
    _check_choice("--stratum", stratum, STRATA)
    dev = find_dev(dev)
    if split is None:
        split = "test" if dev.resolve() == DEFAULT_LABELS.resolve() else "all"
    rows = load_dev(
        dev, split="train" if split == "cv" else split, stratum=stratum, splits_path=splits_path
    )
    claims = dev_claims(rows)
    n_folds = 0
    if split == "cv":
        n_folds = _tag_cv(rows, claims, taxonomy, Path(splits_path))
    else:
        tag_claims(claims, taxonomy)
    tax = get_taxonomy(taxonomy)
    layers = [lb.id for lb in (tax.group("layers").labels if tax.group("layers") else ())]
    trends = [lb.id for lb in (tax.group("trends").labels if tax.group("trends") else ())]
    gated = [g.id for g in tax.groups if g.requires_gate]
    leaks = sum(1 for c in claims if not c["about_ai"] and any(c.get(g) for g in gated))
    per_channel = []
    by_channel: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_channel.setdefault(str(r.get("channel") or ""), []).append(i)
    for ch, idx in sorted(by_channel.items()):
        f = _figures([rows[i] for i in idx], [claims[i] for i in idx], layers, trends)
        n_ai = sum(1 for i in idx if rows[i]["about_ai"])
        per_channel.append(
            {
                "channel": ch,
                "n": len(idx),
                "n_ai": n_ai,
                "about_ai_accuracy": f["about_ai_accuracy"],
                "layer_micro_f1": LabelScore(
                    "", *(sum(getattr(s, a) for s in f["layers"]) for a in ("tp", "fp", "fn"))
                ).f1,
                "trend_micro_f1": f["trend_micro"].f1,
                "n_layer": sum(s.tp + s.fn for s in f["layers"]),
                "n_trend": f["trend_micro"].tp + f["trend_micro"].fn,
            }
        )
    return {
        "n": len(rows),
        "split": split,
        "folds": n_folds,
        "stratum": stratum,
        **_figures(rows, claims, layers, trends),
        "gate_leaks": leaks,
        "per_channel": per_channel,
        "predictions": [
            {
                "claim_id": c["claim_id"],
                "layers": c["layers"],
                "trends": c["trends"],
                "about_ai": c["about_ai"],
            }
            for c in claims
        ],
    }


def _spread(values: list[float]) -> str:
    if not values:
        return "-"
    return f"min {min(values):.2f}  median {statistics.median(values):.2f}  max {max(values):.2f}"


def format_evaluation(res: dict[str, object], only: set[str] | None = None) -> str:
    """The evaluation as text; ``only`` limits the per-label rows to those label ids."""
    split = str(res["split"]) + (
        f", {res['folds']} leave-channel-out folds" if res["folds"] else ""
    )
    lines = [f"dev claims: {res['n']} (split={split}, stratum={res['stratum']})", ""]
    lines.append(f"{'label':<22}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}")
    for group in ("layers", "trends"):
        for s in res[group]:  # type: ignore[union-attr]
            if only is not None and s.label not in only:
                continue
            lines.append(
                f"{s.label:<22}{s.precision:>7.2f}{s.recall:>7.2f}{s.f1:>7.2f}{s.tp:>5}{s.fp:>5}{s.fn:>5}"
            )
        lines.append("")
    m = res["trend_micro"]
    lines.append(f"layer macro-F1      {res['layer_macro_f1']:.3f}")
    lines.append(f"trend micro-F1      {m.f1:.3f}  (P {m.precision:.2f}, R {m.recall:.2f})")  # type: ignore[union-attr]
    lines.append(f"about-AI accuracy   {res['about_ai_accuracy']:.3f}")
    lines.append(f"gate closed but a gated label: {res['gate_leaks']}")
    chans = res["per_channel"]
    lines += ["", f"per channel ({len(chans)}):"]  # type: ignore[arg-type]
    lines.append(f"{'channel':<32}{'n':>5}{'AI':>5}{'AI acc':>8}{'layer F1':>10}{'trend F1':>10}")
    for c in chans:  # type: ignore[union-attr]
        lay = f"{c['layer_micro_f1']:.2f}" if c["n_layer"] else "-"
        tre = f"{c['trend_micro_f1']:.2f}" if c["n_trend"] else "-"
        lines.append(
            f"{c['channel'][:31]:<32}{c['n']:>5}{c['n_ai']:>5}{c['about_ai_accuracy']:>8.2f}"
            f"{lay:>10}{tre:>10}"
        )
    lines.append(f"spread of about-AI accuracy: {_spread([c['about_ai_accuracy'] for c in chans])}")  # type: ignore[index,union-attr]
    lines.append(
        "spread of layer micro-F1 (channels with >= 5 gold layers): "
        + _spread([c["layer_micro_f1"] for c in chans if c["n_layer"] >= 5])  # type: ignore[index,union-attr]
    )
    lines.append(
        "spread of trend micro-F1 (channels with >= 5 gold trends): "
        + _spread([c["trend_micro_f1"] for c in chans if c["n_trend"] >= 5])  # type: ignore[index,union-attr]
    )
    return "\n".join(lines)
