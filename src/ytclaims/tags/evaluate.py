"""Measure the tagger against hand-labelled claims: per-label P/R/F1 and summaries.

The development set (``benchmarks/data/tagging_dev.jsonl``) was labelled by reading
each claim with its context, before and independently of the tagger. Each row holds
the claim's text and context, gold ``layers``, ``trends``, ``about_ai``, and its
``stratum``: ``random`` rows are an unbiased sample (use them for precision), while
``targeted`` rows were searched for to give rare trends enough positives (use them
for recall). Rules were tuned on the ``tune`` half of the set (even hash of the
claim id); the ``test`` half is the honest figure.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ytclaims import errors
from ytclaims.tags.tagger import get_taxonomy, tag_claims

DEFAULT_DEV = Path("benchmarks") / "data" / "tagging_dev.jsonl"
#: The repository this module was installed from (editable installs, a source checkout).
_REPO = Path(__file__).resolve().parents[3]
SPLITS = ("all", "tune", "test")
STRATA = ("all", "random", "targeted")


def find_dev(path: str | Path | None = None) -> Path:
    """The dev set to evaluate on: ``path`` when given, else ``benchmarks/data/...`` under
    the current folder, else in the repository ytclaims runs from.

    Why: the dev set is not packaged (it is evaluation data, not a model input), so the
    default is a path in the repository; run elsewhere, it would be a raw "No such file".
    """
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise errors.EvaluationError(f"No dev set at {p}.", hint="Check the --dev path.")
        return p
    for p in (DEFAULT_DEV, _REPO / DEFAULT_DEV):
        if p.is_file():
            return p
    raise errors.EvaluationError(f"No dev set at {DEFAULT_DEV} (nor in {_REPO}).")


def _check_choice(option: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise errors.EvaluationError(
            f"Unknown {option} {value!r}.", hint=f"Use one of: {', '.join(allowed)}."
        )


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


def split_of(claim_id: str) -> str:
    """Deterministic tune/test split by claim id."""
    return (
        "tune" if hashlib.blake2b(claim_id.encode(), digest_size=1).digest()[0] % 2 == 0 else "test"
    )


def load_dev(
    path: str | Path | None = None, *, split: str = "all", stratum: str = "all"
) -> list[dict]:
    _check_choice("--split", split, SPLITS)
    _check_choice("--stratum", stratum, STRATA)
    dev = find_dev(path)
    rows = [json.loads(line) for line in dev.read_text("utf-8").splitlines() if line.strip()]
    if split != "all":
        rows = [r for r in rows if split_of(r["claim_id"]) == split]
    if stratum != "all":
        rows = [r for r in rows if r.get("stratum", "random") == stratum]
    return rows


def dev_claims(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Dev-set rows as the claim rows the tagger reads (text plus its context)."""
    return [
        {
            "claim_id": r["claim_id"],
            "text": r["text"],
            "lead_in": r.get("lead_in"),
            "heading_path": r.get("heading_path"),
            "note_title": r.get("note_title"),
            "wiki_targets": r.get("wiki_targets") or [],
        }
        for r in rows
    ]


def _scores(gold: list[set[str]], pred: list[set[str]], labels: list[str]) -> list[LabelScore]:
    out = []
    for lb in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if lb in g and lb in p)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if lb not in g and lb in p)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if lb in g and lb not in p)
        out.append(LabelScore(lb, tp, fp, fn))
    return out


def evaluate(
    dev: str | Path | None = None,
    taxonomy: str | None = None,
    *,
    split: str = "all",
    stratum: str = "all",
) -> dict[str, object]:
    """Tag the dev claims and compare with the gold labels."""
    rows = load_dev(dev, split=split, stratum=stratum)
    claims = dev_claims(rows)
    tag_claims(claims, taxonomy)
    tax = get_taxonomy(taxonomy)
    layers = [lb.id for lb in (tax.group("layers").labels if tax.group("layers") else ())]
    trends = [lb.id for lb in (tax.group("trends").labels if tax.group("trends") else ())]
    lay = _scores([set(r["layers"]) for r in rows], [set(c["layers"]) for c in claims], layers)
    tre = _scores([set(r["trends"]) for r in rows], [set(c["trends"]) for c in claims], trends)
    micro = LabelScore(
        "trends (micro)", sum(s.tp for s in tre), sum(s.fp for s in tre), sum(s.fn for s in tre)
    )
    ai_acc = (
        sum(
            1
            for r, c in zip(rows, claims, strict=True)
            if bool(r["about_ai"]) == bool(c["about_ai"])
        )
        / len(rows)
        if rows
        else 0.0
    )
    return {
        "n": len(rows),
        "split": split,
        "stratum": stratum,
        "layers": lay,
        "trends": tre,
        "layer_macro_f1": sum(s.f1 for s in lay) / len(lay) if lay else 0.0,
        "trend_micro": micro,
        "about_ai_accuracy": ai_acc,
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


def format_evaluation(res: dict[str, object]) -> str:
    lines = [f"dev claims: {res['n']} (split={res['split']}, stratum={res['stratum']})", ""]
    lines.append(f"{'label':<22}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}")
    for group in ("layers", "trends"):
        for s in res[group]:  # type: ignore[union-attr]
            lines.append(
                f"{s.label:<22}{s.precision:>7.2f}{s.recall:>7.2f}{s.f1:>7.2f}{s.tp:>5}{s.fp:>5}{s.fn:>5}"
            )
        lines.append("")
    m = res["trend_micro"]
    lines.append(f"layer macro-F1      {res['layer_macro_f1']:.3f}")
    lines.append(f"trend micro-F1      {m.f1:.3f}  (P {m.precision:.2f}, R {m.recall:.2f})")  # type: ignore[union-attr]
    lines.append(f"about-AI accuracy   {res['about_ai_accuracy']:.3f}")
    return "\n".join(lines)
