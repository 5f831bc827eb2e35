"""Train the claim classifier shipped in ``ytclaims/tags/model`` (reproducible, offline).

    python -m ytclaims.tags.train [--out src/ytclaims/tags/model]

Reads the hand-labelled ``train.jsonl`` and ``train_more.jsonl`` beside this file
(2,001 claims; never the dev set), holds
out every 10th claim for early stopping, writes spaCy DocBins to a temporary folder,
runs ``spacy train`` with ``config.cfg`` (seed 0), and copies the best model to
``--out``. Labels: every layer and trend id of the default taxonomy, plus ``about_ai``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import spacy
from spacy.cli.train import train as spacy_train
from spacy.tokens import DocBin

from ytclaims.tags.classifier import LABELS, classifier_text

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "model"


def _docbin(rows: list[dict], nlp: spacy.Language) -> DocBin:
    db = DocBin()
    for r in rows:
        doc = nlp.make_doc(classifier_text(r))
        gold = set(r["layers"]) | set(r["trends"]) | ({"about_ai"} if r["about_ai"] else set())
        doc.cats = {lb: float(lb in gold) for lb in LABELS}
        db.add(doc)
    return db


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--data", type=Path, nargs="+", default=[HERE / "train.jsonl", HERE / "train_more.jsonl"]
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    rows = [
        json.loads(x) for f in args.data for x in f.read_text("utf-8").splitlines() if x.strip()
    ]
    train_rows = [r for i, r in enumerate(rows) if i % 10 != 0]
    dev_rows = [r for i, r in enumerate(rows) if i % 10 == 0]
    nlp = spacy.blank("en")
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        _docbin(train_rows, nlp).to_disk(t / "train.spacy")
        _docbin(dev_rows, nlp).to_disk(t / "dev.spacy")
        spacy_train(
            HERE / "config.cfg",
            t / "output",
            overrides={"paths.train": str(t / "train.spacy"), "paths.dev": str(t / "dev.spacy")},
        )
        best = t / "output" / "model-best"
        if args.out.exists():
            shutil.rmtree(args.out)
        shutil.copytree(best, args.out)
    print(f"trained on {len(train_rows)} claims (held out {len(dev_rows)}); model in {args.out}")


if __name__ == "__main__":
    main()
