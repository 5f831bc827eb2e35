"""Word vectors for the check-worthiness classifier, trained here (no third-party vectors).

    python -m ytclaims.claims.train.vectors OUT_DIR [--notes DIR] [--captions DIR]

1,591 labelled sentences are too few for a classifier to learn that "velocity",
"proportional" and "square root" all speak of the world while "video", "channel" and
"pause" speak of the video. Vectors learnt from unlabelled text carry that: words that
occur in the same company get similar vectors. They are PPMI + truncated SVD vectors
(Levy, Goldberg & Dagan 2015: as good as word2vec at this scale), counted with numpy
over the prose of the training notes (``/work/data/training_notes``) and the caption text
of the *training* videos (never the held-out ones): a window of 4 words each side
weighted 1/distance, positive PMI with context smoothing 0.75, randomized SVD, rows
scaled by sqrt of the singular values and normalised.

The result is a blank spaCy pipeline holding only the vectors, which ``checkworthy.cfg``
names in ``[initialize] vectors``; the trained classifier carries them in its vocab.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ytclaims.claims.train.data import DEFAULT_CAPTIONS, DEFAULT_SPLIT, in_role

DEFAULT_NOTES = Path("/work/data/training_notes")
WORD_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_MARKUP_RE = re.compile(r"<[^>]+>|\[\[(?:[^\]|]*\|)?\s*([^\]]*)\]\]|[*_`#>|]")


def note_lines(root: Path) -> Iterator[str]:
    """Prose lines of every note (front matter, tags and link targets dropped)."""
    for path in sorted(root.glob("*/*.md")):
        text = path.read_text("utf-8", errors="replace")
        if text.startswith("---"):
            text = text.split("---", 2)[-1]
        for line in text.splitlines():
            line = _MARKUP_RE.sub(lambda m: m.group(1) or " ", line)
            if len(line.split()) >= 4:
                yield line


def caption_lines(root: Path, split: Path) -> Iterator[str]:
    """Caption text of the training videos only."""
    for vdir in sorted(p for p in root.iterdir() if p.is_dir()):
        if not in_role(vdir.name, "all_train", folds=5, fold=-1, split=split):
            continue
        srt = vdir / "captions.srt"
        if srt.is_file():
            for line in srt.read_text("utf-8", errors="replace").splitlines():
                if line.strip() and "-->" not in line and not line.strip().isdigit():
                    yield line


def train_vectors(
    lines: Iterator[str], *, n_words: int, n_contexts: int, dims: int, window: int, seed: int
) -> tuple[list[str], np.ndarray]:
    """PPMI-SVD vectors of the ``n_words`` most frequent words."""
    docs = [WORD_RE.findall(line.lower()) for line in lines]
    freq = Counter(w for d in docs for w in d)
    vocab = [w for w, _ in freq.most_common(n_words)]
    index = {w: i for i, w in enumerate(vocab)}
    ids = np.concatenate(
        [np.array([index.get(w, -1) for w in d] + [-1] * window, dtype=np.int64) for d in docs]
    )
    counts = np.zeros((len(vocab), n_contexts), dtype=np.float64)
    for dist in range(1, window + 1):
        for a, b in ((ids[:-dist], ids[dist:]), (ids[dist:], ids[:-dist])):
            keep = (a >= 0) & (b >= 0) & (b < n_contexts)
            flat = a[keep] * n_contexts + b[keep]
            uniq, n = np.unique(flat, return_counts=True)
            counts.flat[uniq] += n / dist
    ctx = counts.sum(axis=0) ** 0.75
    ctx /= ctx.sum()
    rows = counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(counts / np.maximum(rows, 1e-12) / ctx[None, :])
    ppmi = np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0).astype(np.float32)
    rng = np.random.default_rng(seed)
    q = ppmi @ rng.standard_normal((n_contexts, dims + 20)).astype(np.float32)
    for _ in range(3):  # power iterations sharpen the top singular vectors
        q, _r = np.linalg.qr(q)
        q = ppmi @ (ppmi.T @ q)
    q, _r = np.linalg.qr(q)
    u, s, _vt = np.linalg.svd(q.T @ ppmi, full_matrices=False)
    vecs = (q @ u[:, :dims]) * np.sqrt(s[:dims])[None, :]
    vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
    return vocab, vecs.astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--notes", type=Path, default=DEFAULT_NOTES)
    ap.add_argument("--captions", type=Path, default=DEFAULT_CAPTIONS)
    ap.add_argument("--split", type=Path, default=DEFAULT_SPLIT)
    ap.add_argument("--words", type=int, default=10000)
    ap.add_argument("--contexts", type=int, default=4000)
    ap.add_argument("--dims", type=int, default=64)
    args = ap.parse_args()
    import spacy

    def lines() -> Iterator[str]:
        yield from note_lines(args.notes)
        yield from caption_lines(args.captions, args.split)

    vocab, vecs = train_vectors(
        lines(), n_words=args.words, n_contexts=args.contexts, dims=args.dims, window=4, seed=0
    )
    nlp = spacy.blank("en")
    nlp.vocab.reset_vectors(width=args.dims)
    for word, vec in zip(vocab, vecs, strict=True):
        nlp.vocab.set_vector(word, vec)
    nlp.to_disk(args.out)
    (args.out / "ytclaims_vectors.json").write_text(
        json.dumps({"words": len(vocab), "dims": args.dims, "method": "ppmi-svd"}) + "\n"
    )
    for probe in ("velocity", "video", "proves", "pause"):
        if probe in vocab:
            sims = vecs @ vecs[vocab.index(probe)]
            print(probe, "->", [vocab[i] for i in np.argsort(-sims)[1:8]])
    print(f"{len(vocab)} vectors of {args.dims} dimensions in {args.out}")


if __name__ == "__main__":
    main()
