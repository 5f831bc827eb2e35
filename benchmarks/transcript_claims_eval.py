"""Transcript claims on held-out videos: precision, recall, whole sentences, cost.

    python benchmarks/transcript_claims_eval.py [--captions DIR] [--videos test|all_train]

Scores what ``ytclaims ingest`` does to a caption file on the frozen held-out videos of
``data/checkworthy/split.json`` (never trained or tuned on), by video, and prints:

* **Human captions** (``captions.srt`` with its ``word_timings.json``): claim precision
  and recall against the labelled sentences of those videos
  (``data/checkworthy/labels.jsonl``, labelled by reading the caption authors'
  sentences), and the share of transcript claims that are complete sentences: starting
  where an author sentence starts and ending in ``.``, ``?`` or ``!``.
* **Auto-generated captions** made from the same words by
  :mod:`ytclaims.sources.autocaptions` (lower case, no punctuation, rolling windows;
  WebVTT and json3), reported separately: the share of transcript claims that begin
  *and* end at an author sentence boundary, the stricter share that are exactly one
  author sentence, the same two shares over all sentences, and claim precision/recall.
* **Cost**: sentences per second and peak traced memory of segmentation + scoring for
  the whole held-out set, beside the straightforward way (one model call per sentence).

A labelled sentence counts as chosen only when ytclaims produced that very sentence
(same start and end word) and chose it; a labelled sentence ytclaims cut differently
counts as not chosen (a miss when it is a claim), and the script says how many there
were. Figures are what was measured; nothing is rounded towards a target.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ytclaims.claims import checkworthy
from ytclaims.claims.train.data import DEFAULT_CAPTIONS, in_role, usable_for_segmentation
from ytclaims.claims.transcript import (
    Sentence,
    is_complete,
    score_sentences,
    segment_sentences,
    select_claims,
)
from ytclaims.sources.autocaptions import to_json3, to_vtt, video_asr_words
from ytclaims.sources.captions import read_caption_file

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "data" / "checkworthy" / "labels.jsonl"
SPLIT = ROOT / "data" / "checkworthy" / "split.json"
#: Author sentence times are word times; ours come from the same words.
TOL = 0.011


@dataclass
class Tally:
    """Counts for one kind of track over several videos."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    unmatched: int = 0
    labelled: int = 0
    claims: int = 0
    complete: int = 0  # human: starts at an author start, ends in terminal punctuation
    ends_ok: int = 0  # auto: begins and ends at author boundaries
    exact: int = 0  # exactly one author sentence
    sentences: int = 0
    sentences_ends_ok: int = 0
    sentences_exact: int = 0
    per_video: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def pr(self) -> tuple[float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")
        return p, r


def _near(x: float, values: list[float]) -> bool:
    i = bisect_left(values, x - TOL)
    return i < len(values) and values[i] <= x + TOL


def _boundaries(sents: list[Sentence], i: int, starts: list[float]) -> tuple[bool, bool]:
    """(begins, ends) at an author boundary: a start that is an author start, and a next
    sentence (if any) that begins at an author start."""
    begins = _near(sents[i].start, starts)
    ends = i + 1 == len(sents) or _near(sents[i + 1].start, starts)
    return begins, ends


def _exact(sents: list[Sentence], i: int, starts: list[float]) -> bool:
    begins, ends = _boundaries(sents, i, starts)
    if not (begins and ends):
        return False
    hi = sents[i + 1].start if i + 1 < len(sents) else float("inf")
    return not any(sents[i].start + TOL < s < hi - TOL for s in starts)


def evaluate_video(
    vid: str,
    sents: list[Sentence],
    author: list[list[object]],
    labels: list[dict[str, object]],
    tally: Tally,
    *,
    human: bool,
) -> None:
    starts = sorted(float(a[1]) for a in author)  # type: ignore[arg-type]
    chosen = {id(s) for s in select_claims(sents)}
    # Labelled sentences -> our sentence with the same start and the same end boundary.
    ours = [s.start for s in sents]
    tp = fp = fn = tn = 0
    for lab in labels:
        tally.labelled += 1
        hit = None
        lo = bisect_left(ours, float(lab["start"]) - TOL)
        if lo < len(sents) and abs(sents[lo].start - float(lab["start"])) <= TOL:
            same_end = (
                abs(sents[lo].end - float(lab["end"])) <= TOL
                if human
                else _exact(sents, lo, starts)
            )
            hit = sents[lo] if same_end else None
        picked = hit is not None and id(hit) in chosen
        if hit is None:
            tally.unmatched += 1
        if lab["claim"]:
            tp += picked
            fn += not picked
        else:
            fp += picked
            tn += not picked
    tally.tp += tp
    tally.fp += fp
    tally.fn += fn
    tally.tn += tn
    n_claims = good = 0
    for i, s in enumerate(sents):
        begins, ends = _boundaries(sents, i, starts)
        exact = _exact(sents, i, starts)
        tally.sentences += 1
        tally.sentences_ends_ok += begins and ends
        tally.sentences_exact += exact
        if id(s) not in chosen:
            continue
        n_claims += 1
        tally.claims += 1
        tally.ends_ok += begins and ends
        tally.exact += exact
        ok = begins and is_complete(s.text) if human else begins and ends
        tally.complete += ok and human
        good += ok
    tally.per_video[vid] = (tp, fp, fn, n_claims, good)


def _pct(k: int, n: int) -> str:
    return f"{k}/{n} = {k / n:.1%}" if n else "n/a"


def print_tally(name: str, t: Tally, *, human: bool) -> None:
    p, r = t.pr()
    print(f"\n== {name}")
    print(f"{'video':<13} {'tp':>3} {'fp':>3} {'fn':>3} {'claims':>6} {'whole':>6}")
    for vid, (tp, fp, fn, n, good) in sorted(t.per_video.items()):
        print(f"{vid:<13} {tp:>3} {fp:>3} {fn:>3} {n:>6} {good:>6}")
    print(f"claim precision {p:.3f}  recall {r:.3f}  (tp {t.tp}, fp {t.fp}, fn {t.fn})")
    print(
        f"labelled sentences {t.labelled}, of which ytclaims cut {t.unmatched} differently "
        "(counted as not chosen)"
    )
    if human:
        print(f"claims that are complete sentences: {_pct(t.complete, t.claims)}")
    else:
        print(f"claims that begin and end at a sentence boundary: {_pct(t.ends_ok, t.claims)}")
    print(f"claims that are exactly one author sentence: {_pct(t.exact, t.claims)}")
    print(
        f"all sentences: begin and end at boundaries {_pct(t.sentences_ends_ok, t.sentences)}, "
        f"exactly one author sentence {_pct(t.sentences_exact, t.sentences)}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--captions", type=Path, default=DEFAULT_CAPTIONS)
    ap.add_argument("--videos", choices=("test", "all_train"), default="test")
    args = ap.parse_args(argv)
    if not args.captions.is_dir():
        print(f"caption folder not found: {args.captions}", file=sys.stderr)
        return 2
    labels: dict[str, list[dict[str, object]]] = defaultdict(list)
    for line in LABELS.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            labels[row["video_id"]].append(row)
    vids = sorted(
        v
        for v in labels
        if in_role(v, args.videos, folds=5, fold=-1, split=SPLIT)
        and (args.captions / v / "captions.srt").is_file()
    )
    print(f"videos ({args.videos}): {len(vids)}")
    human, vtt, json3 = Tally(), Tally(), Tally()
    n_sent = 0
    seconds = {"human": 0.0, "vtt": 0.0, "json3": 0.0}
    skipped: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for vid in vids:
            vdir = args.captions / vid
            author = json.loads((vdir / "sentence_timings.json").read_text("utf-8"))
            t0 = time.perf_counter()
            sents = score_sentences(segment_sentences(read_caption_file(vdir / "captions.srt")))
            seconds["human"] += time.perf_counter() - t0
            n_sent += len(sents)
            evaluate_video(vid, sents, author, labels[vid], human, human=True)
            if not usable_for_segmentation(vdir):
                skipped.append(vid)
                continue
            words = video_asr_words(vdir) or []
            for fmt, make, tally in (("vtt", to_vtt, vtt), ("json3", to_json3, json3)):
                path = Path(tmp) / f"{vid}.en.{fmt}"
                path.write_text(make(words), "utf-8")
                t0 = time.perf_counter()
                auto = score_sentences(segment_sentences(read_caption_file(path)))
                seconds[fmt] += time.perf_counter() - t0
                evaluate_video(vid, auto, author, labels[vid], tally, human=False)
    print_tally("human captions (SRT + word timings)", human, human=True)
    if skipped:
        print(f"\n(auto-captions skip {skipped}: their author sentences are no segmentation)")
    print_tally("auto-generated captions, WebVTT", vtt, human=False)
    print_tally("auto-generated captions, json3", json3, human=False)
    _cost(args.captions, vids, n_sent, seconds)
    return 0


def _cost(captions: Path, vids: list[str], n_sent: int, seconds: dict[str, float]) -> None:
    """Batched scoring as shipped vs one model call per sentence (the straightforward way)."""
    tracks = [read_caption_file(captions / v / "captions.srt") for v in vids]
    sents = [segment_sentences(t) for t in tracks]
    model = checkworthy.load_model()

    def shipped() -> None:
        for ss in sents:
            checkworthy.score_sentences([s.text for s in ss], None, model)

    def one_by_one() -> None:
        for ss in sents:
            texts = [s.text for s in ss]
            for i, text in enumerate(texts):
                prev = texts[i - 1] if i else None
                nxt = texts[i + 1] if i + 1 < len(texts) else None
                checkworthy.score_one(text, prev, nxt, None, model)

    print("\n== cost")
    for name, secs in seconds.items():
        print(f"segment + score, {name:<5}: {secs:.2f} s for the held-out videos")
    n = sum(len(ss) for ss in sents)
    shipped()  # warm up: first calls allocate the model's buffers
    one_by_one()
    for name, fn in (("batched (shipped)", shipped), ("one call per sentence", one_by_one)):
        t0 = time.perf_counter()
        fn()
        wall = time.perf_counter() - t0
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"scoring, {name:<22}: {n} sentences in {wall:.2f} s = {n / wall:,.0f} sentences/s, "
            f"peak traced memory {peak / 1e6:.1f} MB"
        )
    size = sum(
        p.stat().st_size
        for d in (checkworthy.model_dir(), checkworthy.model_dir().parent / "senter")
        for p in d.rglob("*")
        if p.is_file()
    )
    print(f"shipped models (senter + checkworthy): {size / 1e6:.1f} MB")


if __name__ == "__main__":
    raise SystemExit(main())
