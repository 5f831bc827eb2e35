"""Freeze the held-out test videos for transcript segmentation and check-worthiness.

    python data/checkworthy/split.py            # writes data/checkworthy/split.json

Why this way: sentences of one video share a speaker, a topic and a style, so a model
scored on sentences of videos it was trained on looks better than it is. The split is
therefore by video, made once, before any model was trained, and never changed after
looking at a score. Everything tuned (thresholds, configs) is tuned by cross-validation
over the training videos only.

How: the 48 labelled videos of ``labels.jsonl`` fall in two strata that read very
differently: the 7 "Lockdown math" livestreams (slug ``ldm-*``: long, unscripted,
loosely punctuated) and the 41 edited videos. Within each stratum videos are ordered by
``blake2b("ytclaims-issue17-split:" + video_id)`` (a fixed shuffle nobody chose) and
the first 2 livestreams and first 9 edited videos are held out: 11 test videos, about
the same share of each stratum (2/7, 9/41). Every other video of
``../shared/corpus/more_captions`` (the labelled rest and the two unlabelled ones) is
for training.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SALT = "ytclaims-issue17-split:"
PER_STRATUM = {"livestream": 2, "edited": 9}


def stratum(slug: str) -> str:
    return "livestream" if slug.startswith("ldm-") else "edited"


def main() -> None:
    rows = [json.loads(x) for x in (HERE / "labels.jsonl").read_text("utf-8").splitlines() if x]
    slugs = {r["video_id"]: r["title"] for r in rows}
    groups: dict[str, list[str]] = defaultdict(list)
    for vid, slug in slugs.items():
        groups[stratum(slug)].append(vid)
    test: list[str] = []
    for name, vids in sorted(groups.items()):
        vids.sort(key=lambda v: hashlib.blake2b((SALT + v).encode()).hexdigest())
        test.extend(vids[: PER_STRATUM[name]])
    out = {
        "why": (
            "Held-out test videos, frozen before any training (see split.py): 2 of the 7 "
            "livestreams and 9 of the 41 edited videos, first in blake2b(salt + video_id) "
            "order. Never train or tune on them; tune by cross-validation over the rest."
        ),
        "salt": SALT,
        "test_videos": sorted(test),
        "test_slugs": {v: slugs[v] for v in sorted(test)},
        "n_labelled_videos": len(slugs),
        "n_test_sentences": sum(1 for r in rows if r["video_id"] in set(test)),
    }
    (HERE / "split.json").write_text(json.dumps(out, indent=1) + "\n", "utf-8")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
