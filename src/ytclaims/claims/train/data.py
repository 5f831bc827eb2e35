"""Which videos train, tune and test the transcript models, and their examples as plain data.

The split is by video and frozen in ``data/checkworthy/split.json`` (see
``data/checkworthy/split.py``): the held-out test videos are never read by anything
here except :func:`test_videos`, which only the benchmark calls. Tuning uses folds of
the *training* videos (:func:`fold_of`).

Segmentation data comes from ``../shared/corpus/more_captions/<videoId>/`` (per-word
times and the caption authors' sentences); a video whose author sentences are not a
segmentation (they leave more than a tenth of its words outside every sentence, or one
"sentence" runs over :data:`MAX_AUTHOR_SENTENCE_WORDS` words) is left out of
segmentation training and scoring, and the benchmark says which.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]
DEFAULT_SPLIT = REPO / "data" / "checkworthy" / "split.json"
DEFAULT_LABELS = REPO / "data" / "checkworthy" / "labels.jsonl"
DEFAULT_CAPTIONS = REPO.parent / "shared" / "corpus" / "more_captions"
#: Author "sentences" longer than this are unsegmented text, not sentences.
MAX_AUTHOR_SENTENCE_WORDS = 500
#: Share of a video's words that must lie inside author sentences.
MIN_COVERED = 0.9
_FOLD_SALT = "ytclaims-issue17-folds:"


@lru_cache(maxsize=4)
def test_videos(split: str | Path = DEFAULT_SPLIT) -> frozenset[str]:
    """The frozen held-out videos (never trained or tuned on)."""
    return frozenset(json.loads(Path(split).read_text("utf-8"))["test_videos"])


def fold_of(video_id: str, folds: int) -> int:
    """The cross-validation fold of a training video (a fixed salted hash)."""
    h = hashlib.blake2b((_FOLD_SALT + video_id).encode(), digest_size=8).hexdigest()
    return int(h, 16) % folds


def in_role(video_id: str, role: str, *, folds: int, fold: int, split: str | Path) -> bool:
    """Does a video belong to ``role``?

    Roles: ``train`` and ``dev`` (with ``fold >= 0``: every training video but fold
    ``fold``, and fold ``fold``; with ``fold < 0``, the shipped model: dev is fold 0 of
    ``folds``, used only to pick the best checkpoint), ``all_train`` (every training video),
    and ``test`` (the held-out videos; the benchmark's only).
    """
    held_out = video_id in test_videos(split)
    if role == "test":
        return held_out
    if held_out:
        return False
    if role == "all_train":
        return True
    k = fold_of(video_id, folds) if folds > 0 else -1
    target = fold if fold >= 0 else 0
    if role == "dev":
        return k == target
    if role == "train":
        return k != target
    raise ValueError(f"unknown role {role!r}: use train, dev, all_train or test")


@dataclass(frozen=True, slots=True)
class BoundaryVideo:
    """One video's recogniser-style words and where the author's sentences start."""

    video_id: str
    texts: list[str]
    starts: list[float]
    sentence_of: list[int]

    @property
    def sent_starts(self) -> list[bool]:
        """True where a word begins a new author sentence."""
        return [i == 0 or s != self.sentence_of[i - 1] for i, s in enumerate(self.sentence_of)]


def usable_for_segmentation(video_dir: Path) -> bool:
    """Are the author's sentences of this video a segmentation (see the module docstring)?"""
    from ytclaims.sources.autocaptions import video_asr_words

    st = video_dir / "sentence_timings.json"
    if not st.is_file():
        return False
    sents = json.loads(st.read_text("utf-8"))
    if len(sents) < 2 or max(len(str(s[0]).split()) for s in sents) > MAX_AUTHOR_SENTENCE_WORDS:
        return False
    words = video_asr_words(video_dir)
    if not words:
        return False
    return sum(w.sentence >= 0 for w in words) >= MIN_COVERED * len(words)


def boundary_videos(
    captions: str | Path = DEFAULT_CAPTIONS,
    role: str = "all_train",
    *,
    folds: int = 5,
    fold: int = -1,
    split: str | Path = DEFAULT_SPLIT,
) -> list[BoundaryVideo]:
    """Words and author sentence starts of every usable video in ``role``, sorted by id."""
    from ytclaims.sources.autocaptions import video_asr_words

    out: list[BoundaryVideo] = []
    for vdir in sorted(p for p in Path(captions).iterdir() if p.is_dir()):
        if not in_role(vdir.name, role, folds=folds, fold=fold, split=split):
            continue
        if not usable_for_segmentation(vdir):
            continue
        words = video_asr_words(vdir) or []
        # Words outside every author sentence (music, a cut) join the sentence before.
        sentence_of: list[int] = []
        for w in words:
            sentence_of.append(w.sentence if w.sentence >= 0 else (sentence_of or [0])[-1])
        out.append(
            BoundaryVideo(vdir.name, [w.text for w in words], [w.start for w in words], sentence_of)
        )
    return out


def labelled_sentences(
    role: str = "all_train",
    *,
    folds: int = 5,
    fold: int = -1,
    labels: str | Path = DEFAULT_LABELS,
    split: str | Path = DEFAULT_SPLIT,
) -> list[dict[str, object]]:
    """The check-worthiness labels (``data/checkworthy/labels.jsonl``) of ``role``'s videos."""
    rows = [json.loads(x) for x in Path(labels).read_text("utf-8").splitlines() if x.strip()]
    return [
        r for r in rows if in_role(str(r["video_id"]), role, folds=folds, fold=fold, split=split)
    ]
