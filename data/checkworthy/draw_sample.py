"""Draw the transcript sentences to label for check-worthiness (`data/checkworthy/sample.jsonl`).

Sentences are the caption authors' own (``sentence_timings.json`` in
``../shared/corpus/more_captions/<videoId>/``), so the labels do not depend on ytclaims'
segmentation. For each video that has them (48 of the 50), 36 sentences are drawn (all
of a shorter one) in ``sha1(video:index)`` order (a fixed shuffle); each comes with the
sentence before and after it and the video's slug as its title.

    python data/checkworthy/draw_sample.py ../shared/corpus/more_captions
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

HERE = Path(__file__).parent
PER_VIDEO = 36


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("more_captions", type=Path)
    ap.add_argument("--out", type=Path, default=HERE / "sample.jsonl")
    ap.add_argument("--per-video", type=int, default=PER_VIDEO)
    args = ap.parse_args()
    rows = []
    for vdir in sorted(p for p in args.more_captions.iterdir() if p.is_dir()):
        if not (vdir / "sentence_timings.json").exists():
            continue  # one video comes without the authors' sentences
        sents = json.loads((vdir / "sentence_timings.json").read_text())
        slug = (vdir / "slug.txt").read_text().strip()
        order = sorted(
            range(len(sents)),
            key=lambda i, v=vdir.name: hashlib.sha1(f"{v}:{i}".encode()).hexdigest(),
        )
        for i in sorted(order[: args.per_video]):
            text, start, end = sents[i][0], sents[i][1], sents[i][2]
            rows.append(
                {
                    "sentence_id": f"{vdir.name}:{i}",
                    "video_id": vdir.name,
                    "title": slug,
                    "index": i,
                    "start": start,
                    "end": end,
                    "prev": sents[i - 1][0] if i > 0 else None,
                    "text": text,
                    "next": sents[i + 1][0] if i + 1 < len(sents) else None,
                }
            )
    with args.out.open("w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} sentences from {len({r['video_id'] for r in rows})} videos")


if __name__ == "__main__":
    main()
