"""Join the annotators' label files with the drawn samples into the files the repo keeps.

Annotators wrote one file per batch, ``<batch>.<annotator>.jsonl`` (their id is the
second-to-last dot part); this script only joins them to the sample rows by id, checks
every sampled item got exactly one label, and writes:

* ``data/tagging/labels.jsonl``: every sampled claim with its context and its labels;
* ``data/tagging/double.jsonl``: the second annotator's labels of a subset (agreement);
* ``data/checkworthy/labels.jsonl`` and ``data/checkworthy/double.jsonl`` likewise.

    python data/assemble_labels.py /tmp/labels
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).parent


def _read_labels(folder: Path, key: str) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for f in sorted(folder.glob("*.jsonl")):
        annotator = f.name.split(".")[-2]
        for line in f.open(encoding="utf-8"):
            if line.strip():
                row = json.loads(line)
                if row[key] in out:
                    raise SystemExit(f"{row[key]} labelled twice ({f})")
                out[row[key]] = row | {"annotator": annotator}
    return out


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {path}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "labels", type=Path, help="folder with tagging/, tagging_double/, cw/, cw_double/"
    )
    args = ap.parse_args()

    sample = [json.loads(x) for x in (HERE / "tagging" / "sample.jsonl").open(encoding="utf-8")]
    first = _read_labels(args.labels / "tagging", "claim_id")
    second = _read_labels(args.labels / "tagging_double", "claim_id")
    missing = [r["claim_id"] for r in sample if r["claim_id"] not in first]
    if missing:
        raise SystemExit(f"{len(missing)} sampled claims have no label, e.g. {missing[:3]}")
    # The annotator's free-text "note" becomes "reason": "note" is the note's path.
    fields = ("about_ai", "layers", "trends", "reason", "annotator")

    def labelled(row: dict[str, object]) -> dict[str, object]:
        return row | {"reason": row.get("note")}

    _write(
        HERE / "tagging" / "labels.jsonl",
        [r | {k: labelled(first[r["claim_id"]]).get(k) for k in fields} for r in sample],
    )
    by_id = {r["claim_id"]: r for r in sample}
    _write(
        HERE / "tagging" / "double.jsonl",
        [
            {"claim_id": cid} | {k: labelled(row).get(k) for k in fields}
            for cid, row in second.items()
            if cid in by_id
        ],
    )

    cw_sample = [
        json.loads(x) for x in (HERE / "checkworthy" / "sample.jsonl").open(encoding="utf-8")
    ]
    cw_first = _read_labels(args.labels / "cw", "sentence_id")
    cw_second = _read_labels(args.labels / "cw_double", "sentence_id")
    missing = [r["sentence_id"] for r in cw_sample if r["sentence_id"] not in cw_first]
    if missing:
        raise SystemExit(f"{len(missing)} sampled sentences have no label, e.g. {missing[:3]}")
    cw_fields = ("claim", "kind", "note", "annotator")
    _write(
        HERE / "checkworthy" / "labels.jsonl",
        [r | {k: cw_first[r["sentence_id"]].get(k) for k in cw_fields} for r in cw_sample],
    )
    _write(
        HERE / "checkworthy" / "double.jsonl",
        [
            {"sentence_id": sid} | {k: row.get(k) for k in cw_fields}
            for sid, row in cw_second.items()
        ],
    )


if __name__ == "__main__":
    main()
