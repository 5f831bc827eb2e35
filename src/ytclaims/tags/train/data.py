"""The labelled claims, the channel split, and one ``spacy train`` run.

Shared by the training command (``python -m ytclaims.tags.train``) and the
evaluation (``ytclaims evaluate --split cv`` trains one model per fold the same way).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ytclaims import errors

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
DEFAULT_LABELS = REPO / "data" / "tagging" / "labels.jsonl"
DEFAULT_SPLITS = REPO / "data" / "tagging" / "splits.toml"
CONFIG = HERE / "config.cfg"
#: Older labels (redpointai and fireship, an earlier guideline), kept because
#: leave-channel-out CV measured that they help (src/ytclaims/tags/train/README.md).
OLDER_LABELS = (
    HERE / "train.jsonl",
    HERE / "train_more.jsonl",
    REPO / "benchmarks" / "data" / "tagging_dev.jsonl",
)


class TaggingDataError(errors.YtclaimsError):
    """The labelled tagging data or its split file is missing or malformed."""

    kind = "tagging_data"
    hint = "The labelled claims are data/tagging/labels.jsonl, the split data/tagging/splits.toml."


@dataclass(frozen=True, slots=True)
class Splits:
    #: Frozen test channels: never trained or tuned on.
    test: frozenset[str]
    folds: int


def load_splits(path: str | Path = DEFAULT_SPLITS) -> Splits:
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
        return Splits(frozenset(data["test"]["channels"]), int(data.get("cv", {}).get("folds", 5)))
    except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise TaggingDataError(f"Cannot read the split file {path}: {exc}.") from exc


def load_rows(path: str | Path = DEFAULT_LABELS) -> list[dict]:
    """Labelled claims (JSON lines): text, context, ``about_ai``, ``layers``, ``trends``."""
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise TaggingDataError(f"Cannot read {path}: {exc}.") from exc
    rows = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            r["layers"], r["trends"], r["about_ai"]  # noqa: B018 - must exist
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise TaggingDataError(
                f"{path}:{i} is not a labelled claim (JSON with text, layers, trends, "
                f"about_ai): {exc}."
            ) from exc
        r.setdefault("channel", "")
        rows.append(r)
    return rows


def training_rows(
    labels: str | Path = DEFAULT_LABELS,
    splits: Splits | None = None,
    older: tuple[Path, ...] = OLDER_LABELS,
) -> tuple[list[dict], list[dict]]:
    """(labelled rows, older rows) of the training channels only.

    Older rows of a test channel, or repeating a claim id or text of the labelled
    data, are dropped. Older rows carry ``older: True``; they are training material
    only (never scored, and dropped with their channel's fold in cross-validation).
    """
    splits = splits or load_splits()
    rows = [r for r in load_rows(labels) if r["channel"] not in splits.test]
    every = load_rows(labels)
    seen = {r["claim_id"] for r in every} | {r["text"] for r in every}
    extra = []
    for path in older:
        for r in load_rows(path):
            if r["channel"] in splits.test or r["claim_id"] in seen or r["text"] in seen:
                continue
            seen |= {r["claim_id"], r["text"]}
            extra.append(r | {"older": True})
    return rows, extra


def cv_folds(rows: list[dict], splits: Splits) -> dict[str, int]:
    """Channel -> fold, for leave-channel-out cross-validation.

    A channel holding more than a fifth of the claims (redpointai: 1,257 of 3,050)
    is a fold of its own: mixed with others it would make one fold of half the data.
    The other channels go round-robin, in a fixed hash order, to the remaining folds.
    """
    sizes: dict[str, int] = {}
    for r in rows:
        sizes[r["channel"]] = sizes.get(r["channel"], 0) + 1
    big = sorted(c for c, n in sizes.items() if n > len(rows) / 5)
    rest = sorted(
        (c for c in sizes if c not in big),
        key=lambda c: hashlib.blake2b(c.encode(), digest_size=8).hexdigest(),
    )
    out = {c: i for i, c in enumerate(big)}
    k = max(splits.folds - len(big), 1)
    out |= {c: len(big) + i % k for i, c in enumerate(rest)}
    return out


def gold_labels(r: dict) -> set[str]:
    return set(r["layers"]) | set(r["trends"]) | ({"about_ai"} if r["about_ai"] else set())


def claim_row(r: dict) -> dict[str, object]:
    """A labelled row as the claim row the tagger reads (text plus its context)."""
    return {
        "claim_id": r.get("claim_id"),
        "channel": r.get("channel"),
        "note": r.get("note"),
        "text": r["text"],
        "lead_in": r.get("lead_in"),
        "heading_path": r.get("heading_path"),
        "note_title": r.get("note_title"),
        "wiki_targets": r.get("wiki_targets") or [],
    }


def docbin(rows: list[dict]):  # -> DocBin
    """The rows as the classifier's training docs (input words + gold cats)."""
    from spacy.tokens import Doc, DocBin

    from ytclaims.tags.classifier import LABELS, ai_words, feature_words
    from ytclaims.tags.tagger import get_pipeline

    nlp = get_pipeline(None)
    db = DocBin(store_user_data=False)
    claims = [claim_row(r) for r in rows]
    from ytclaims.tags.tagger import _context

    docs = []
    for c in claims:
        d = nlp.make_doc(str(c["text"]))
        d._.ytc_context = _context(c) | {"_text": c["text"]}
        docs.append(d)
    ai = ai_words(claims)
    for r, c, d, a in zip(rows, claims, nlp.pipe(docs), ai, strict=True):
        words = feature_words(nlp, c, d._.ytc_evidence or [], a)
        doc = Doc(nlp.vocab, words=words)
        gold = gold_labels(r)
        doc.cats = {lb: float(lb in gold) for lb in LABELS}
        db.add(doc)
    return db


def train_model(rows: list[dict], workdir: Path, overrides: dict | None = None) -> Path:
    """Run ``spacy train`` on ``rows``; return the trained model's folder (``model-last``).

    The dev corpus spacy train asks for is every 10th training row, for its log only:
    the model kept is the last one, after the epoch count fixed in ``config.cfg``.
    """
    from spacy.cli.train import train as spacy_train

    workdir.mkdir(parents=True, exist_ok=True)
    docbin(rows).to_disk(workdir / "train.spacy")
    docbin(rows[::10]).to_disk(workdir / "dev.spacy")
    spacy_train(
        CONFIG,
        workdir / "output",
        overrides={
            "paths.train": str(workdir / "train.spacy"),
            "paths.dev": str(workdir / "dev.spacy"),
        }
        | (overrides or {}),
    )
    return workdir / "output" / "model-last"
