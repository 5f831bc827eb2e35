"""Precision of transcript claim selection on the shared caption corpus (10 videos).

The main evaluation of transcript claims is ``benchmarks/transcript_claims_eval.py``
(held-out videos, precision and recall, whole sentences, auto-captions). This script
keeps the older measure: the 60 sentences labelled here were drawn from what the
first, rule-based selection chose on ``../shared/corpus/captions``, under a stricter
criterion (no opinions, nothing that leans on the picture); today's selection is scored
on those of them it still chooses, and the script says how many that is.

    python benchmarks/transcript_claim_precision.py [CAPTIONS_DIR] [--labels FILE]
    python benchmarks/transcript_claim_precision.py --draw 60 [--seed 20261128] > sample.jsonl

Why it is built this way:

* **Precision only.** ``select_claims`` is meant to feed citations, where a
  wrong claim costs more than a missed one, so the question is "of what it selects,
  how much is a checkable claim?". Recall would need every sentence labelled.
* **Labels are joined by (video_id, text)**, not by position or time, so they survive
  changes to timing; a change to segmentation or to the rule makes some labelled
  sentences disappear, and the script says how many ("no longer selected"). Sentences
  selected now but never labelled are counted too: if that count grows, the sample no
  longer describes the selection and needs topping up (``--draw`` with a new seed,
  then label the new rows by hand).
* **The sample is drawn once with a fixed seed** over all selected sentences of all
  videos (``--draw``), and labelled by a person reading each sentence, by the criterion
  below, so that a second labeller can apply the same one.

Labelling criterion: ``is_claim`` is true when the sentence makes a definite
assertion that could be verified against a source or by a calculation: a fact, a
quantity, a date, a comparison or a forecast. The sentence may lean on what was *said*
before it ("those questions", "its mean"), not on what is *shown* ("this expression",
"these rectangles"): a claim that needs the picture is false. Also false: narration
about the video ("we're going to see", "I'm not going to show you"), instructions and
challenges, suppositions and example values ("say dr is 0.1"), opinions, hedged
heuristics, and fragments without an assertion of their own. A sentence that mixes an
instruction with a definite checkable fact ("each pair has a 1 in 36 chance, so count
the buckets") is true. Worked mathematics counts when the result is stated
definitely ("a 270 degree rotation plus a 120 degree rotation equals a 30 degree
rotation").
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

from ytclaims.claims.transcript import score_sentences, segment_sentences, select_claims
from ytclaims.sources.captions import read_caption_file

HERE = Path(__file__).resolve().parent
DEFAULT_CAPTIONS = HERE.parents[1] / "shared" / "corpus" / "captions"
DEFAULT_LABELS = HERE / "data" / "transcript_claims_labels.jsonl"
DEFAULT_SEED = 20261128


def selection(captions: Path) -> tuple[list[dict[str, object]], dict[str, tuple[int, int]]]:
    """Every selected sentence (as label-shaped rows) and per-video (sentences, claims)."""
    rows: list[dict[str, object]] = []
    per_video: dict[str, tuple[int, int]] = {}
    for path in sorted(captions.glob("*/captions.*")):
        track = read_caption_file(path)
        vid = track.video_id or path.parent.name
        sentences = score_sentences(segment_sentences(track))
        claims = select_claims(sentences)
        per_video[vid] = (len(sentences), len(claims))
        for s in claims:
            rows.append(
                {"video_id": vid, "start": s.start, "text": s.text, "checkworthy": s.checkworthy}
            )
    return rows, per_video


def draw(rows: list[dict[str, object]], n: int, seed: int) -> None:
    """Print a reproducible sample as JSONL rows to label (is_claim/note left empty)."""
    sample = random.Random(seed).sample(rows, min(n, len(rows)))
    sample.sort(key=lambda r: (str(r["video_id"]), float(r["start"])))  # type: ignore[arg-type]
    for r in sample:
        print(json.dumps({**r, "is_claim": None, "note": ""}, ensure_ascii=False))


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval: a sample of 60 leaves a wide band, and the reader should see it."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def report(rows: list[dict[str, object]], per_video: dict[str, tuple[int, int]], labels: Path):
    print(f"{'video':<13} {'sentences':>9} {'claims':>7}")
    for vid, (n_sent, n_claims) in per_video.items():
        print(f"{vid:<13} {n_sent:>9} {n_claims:>7}")
    total_s = sum(s for s, _ in per_video.values())
    total_c = sum(c for _, c in per_video.values())
    print(f"{'total':<13} {total_s:>9} {total_c:>7}  ({total_c / max(total_s, 1):.0%} selected)")

    labelled = [json.loads(line) for line in labels.read_text("utf-8").splitlines() if line.strip()]
    current = {(r["video_id"], r["text"]): r for r in rows}
    matched = [lab for lab in labelled if (lab["video_id"], lab["text"]) in current]
    stale = len(labelled) - len(matched)
    unlabelled = len(current) - len(matched)
    judged = [lab for lab in matched if isinstance(lab.get("is_claim"), bool)]
    true = sum(lab["is_claim"] for lab in judged)
    print()
    print(
        f"labelled rows: {len(labelled)}  still selected: {len(matched)}  "
        f"no longer selected: {stale}  selected but unlabelled: {unlabelled}"
    )
    if not judged:
        print("no judged rows match the current selection: precision unknown")
        return
    lo, hi = wilson(true, len(judged))
    print(f"precision: {true}/{len(judged)} = {true / len(judged):.1%}  (95% CI {lo:.0%}-{hi:.0%})")

    print("by check-worthiness:")
    for lo_cw, hi_cw in ((0.0, 0.9), (0.9, 0.95), (0.95, 1.01)):
        band = [
            lab
            for lab in judged
            if lo_cw <= float(current[(lab["video_id"], lab["text"])]["checkworthy"]) < hi_cw  # type: ignore[arg-type]
        ]
        if band:
            k = sum(lab["is_claim"] for lab in band)
            print(
                f"  [{lo_cw:.2f}, {min(hi_cw, 1):.2f})  {k:>3}/{len(band):<3} = {k / len(band):.0%}"
            )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("captions", nargs="?", type=Path, default=DEFAULT_CAPTIONS)
    ap.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    ap.add_argument("--draw", type=int, metavar="N", help="print N sampled rows to label")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    if not args.captions.is_dir():
        print(f"caption folder not found: {args.captions}", file=sys.stderr)
        return 2
    rows, per_video = selection(args.captions)
    if args.draw:
        draw(rows, args.draw, args.seed)
        return 0
    if not args.labels.is_file():
        print(f"labels not found: {args.labels} (make a sample with --draw)", file=sys.stderr)
        return 2
    report(rows, per_video, args.labels)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
