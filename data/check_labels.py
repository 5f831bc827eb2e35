"""Check a labels file against its batch file.

python3 data/check_labels.py tagging BATCH.jsonl LABELS.jsonl
python3 data/check_labels.py cw BATCH.jsonl LABELS.jsonl
"""

import json
import sys
import tomllib
from pathlib import Path

#: Label ids come from the packaged taxonomy, the one source the tagger reads too.
TAXONOMY = Path(__file__).resolve().parent.parent / "src" / "ytclaims" / "tags" / "taxonomy.toml"
with open(TAXONOMY, "rb") as _fh:
    _GROUPS = {g["id"]: {lb["id"] for lb in g["labels"]} for g in tomllib.load(_fh)["groups"]}
LAYERS = _GROUPS["layers"]
TRENDS = _GROUPS["trends"]
TRUE_KINDS = {"fact", "figure", "comparison", "cause", "prediction", "definition", "judgement"}
FALSE_KINDS = {
    "narration",
    "onscreen",
    "instruction",
    "question",
    "greeting",
    "sponsor",
    "fragment",
    "setup",
    "anecdote",
}

kind, batch, labels = sys.argv[1], sys.argv[2], sys.argv[3]
key = "claim_id" if kind == "tagging" else "sentence_id"
with open(batch, encoding="utf-8") as fh:
    want = [json.loads(x)[key] for x in fh]
got = {}
bad = []
with open(labels, encoding="utf-8") as fh:
    label_lines = fh.readlines()
for n, line in enumerate(label_lines, 1):
    if not line.strip():
        continue
    try:
        r = json.loads(line)
    except json.JSONDecodeError as e:
        bad.append(f"line {n}: not JSON ({e})")
        continue
    k = r.get(key)
    if k in got:
        bad.append(f"line {n}: {k} labelled twice")
    got[k] = r
    if kind == "tagging":
        if not isinstance(r.get("about_ai"), bool):
            bad.append(f"line {n}: about_ai must be true or false")
        ls, ts = r.get("layers"), r.get("trends")
        if not isinstance(ls, list) or not set(ls) <= LAYERS:
            bad.append(f"line {n}: bad layers {ls!r}")
        if not isinstance(ts, list) or not set(ts) <= TRENDS:
            bad.append(f"line {n}: bad trends {ts!r}")
        if r.get("about_ai") is False and (ls or ts):
            bad.append(f"line {n}: about_ai false but layers/trends given")
    else:
        c, kd = r.get("claim"), r.get("kind")
        if not isinstance(c, bool):
            bad.append(f"line {n}: claim must be true or false")
        elif c and kd not in TRUE_KINDS:
            bad.append(f"line {n}: kind {kd!r} not one of {sorted(TRUE_KINDS)}")
        elif not c and kd not in FALSE_KINDS:
            bad.append(f"line {n}: kind {kd!r} not one of {sorted(FALSE_KINDS)}")
missing = [w for w in want if w not in got]
extra = [g for g in got if g not in set(want)]
if missing:
    bad.append(f"{len(missing)} ids missing, e.g. {missing[:3]}")
if extra:
    bad.append(f"{len(extra)} ids not in the batch, e.g. {extra[:3]}")
print("OK" if not bad else "\n".join(bad[:30]))
sys.exit(1 if bad else 0)
