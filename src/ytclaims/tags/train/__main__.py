"""Train the claim classifier shipped in ``ytclaims/tags/model`` (reproducible, offline).

    python -m ytclaims.tags.train                 # train on every training channel
    python -m ytclaims.tags.train --cv            # leave-channel-out CV: tune thresholds

Reads the hand-labelled ``data/tagging/labels.jsonl`` and keeps only the training
channels (``data/tagging/splits.toml``: the frozen test channels are never read into
a model or a threshold). Each claim becomes the classifier's input words
(:func:`ytclaims.tags.classifier.feature_words`: claim, prefixed context, rule
evidence), written to spaCy DocBins in a temporary folder; ``spacy train`` runs with
``config.cfg`` beside this file (seed 0, a fixed number of epochs chosen by CV) and
the last model is copied to ``--out``. Labels: every layer and trend id of the
default taxonomy, plus ``about_ai``.

``--cv`` trains one model per leave-channel-out fold, predicts the held-out
channels, and prints the note share and the thresholds (gate, one per label) that
maximise layer macro-F1 + trend micro-F1 + about-AI accuracy over all folds together;
they go into ``note_share`` and ``[classifier.thresholds]`` of ``taxonomy.toml`` by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import tempfile
from pathlib import Path

from ytclaims.tags.train.data import (
    DEFAULT_LABELS,
    DEFAULT_SPLITS,
    cv_folds,
    load_splits,
    train_model,
    training_rows,
)

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "model"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, default=DEFAULT_LABELS)
    ap.add_argument("--splits", type=Path, default=DEFAULT_SPLITS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--cv", action="store_true", help="Leave-channel-out CV and thresholds.")
    ap.add_argument("--oof", type=Path, help="With --cv: reuse/save out-of-fold probabilities.")
    ap.add_argument("--verbose", action="store_true", help="Show spacy train's log.")
    args = ap.parse_args()
    splits = load_splits(args.splits)
    rows, older = training_rows(args.data, splits)
    if args.cv:
        from ytclaims.tags.train.tune import tune

        folds = cv_folds(rows, splits)
        print(json.dumps(tune(rows, older, folds, args.oof), indent=2))
        return
    with tempfile.TemporaryDirectory() as tmp:
        quiet = (
            contextlib.nullcontext() if args.verbose else contextlib.redirect_stdout(io.StringIO())
        )
        with quiet:
            best = train_model(rows + older, Path(tmp))
        if args.out.exists():
            shutil.rmtree(args.out)
        shutil.copytree(best, args.out)
    n_ch = len({r["channel"] for r in rows})
    print(
        f"trained on {len(rows)} labelled claims from {n_ch} channels and {len(older)} older "
        f"ones; model in {args.out}"
    )


if __name__ == "__main__":
    main()
