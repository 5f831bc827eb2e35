"""How trustworthy is ``citations.seconds``? Rerunnable measurement on the shared corpus.

    python benchmarks/timestamp_eval.py [--shared ../shared] [--reference FILE]

Builds two throw-away warehouses from the shared corpus: the 3Blue1Brown notes
alone, and the same notes plus the 10 caption files. For each, compares every
reference claim's cited second with where the claim is spoken, as found by a person
reading the captions (``benchmarks/data/spoken_reference.jsonl``; see
SPOKEN_REFERENCE.md), and prints the share within 15 s and 30 s, citations past the
end of their video, and status counts. It then ingests the whole shared note corpus
(with the captions) and counts how many anchors were reinterpreted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from ytclaims.pipeline import ingest
from ytclaims.timestamps.evaluate import (
    DEFAULT_REFERENCE,
    evaluate_timestamps,
    format_timestamp_report,
    load_reference,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"


def _run(label: str, paths: list[Path], reference: list[dict], tmp: Path) -> None:
    db = tmp / f"{label}.duckdb"
    t0 = time.perf_counter()
    ingest([str(p) for p in paths], db, tag=False)
    print(f"\n== {label}  (ingest {time.perf_counter() - t0:.1f} s)")
    con = duckdb.connect(str(db), read_only=True)
    try:
        print(format_timestamp_report(evaluate_timestamps(con, reference)))
    finally:
        con.close()


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--reference", type=Path, default=ROOT / DEFAULT_REFERENCE)
    ap.add_argument("--skip-corpus", action="store_true", help="Skip the whole-corpus count.")
    args = ap.parse_args()
    notes = args.shared / "corpus" / "notes"
    captions = args.shared / "corpus" / "captions"
    if not notes.is_dir():
        print(f"no shared corpus at {notes}", file=sys.stderr)
        return 2
    reference = load_reference(args.reference)
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        _run("notes-only", [notes / "3blue1brown"], reference, tmp)
        _run("notes+captions", [notes / "3blue1brown", captions], reference, tmp)
        if not args.skip_corpus:
            db = tmp / "corpus.duckdb"
            ingest([str(notes), str(captions)], db, tag=False)
            con = duckdb.connect(str(db), read_only=True)
            rows = con.execute(
                "SELECT timestamp_status, count(*) FROM citations WHERE source_kind = 'note' "
                "GROUP BY 1 ORDER BY 2 DESC"
            ).fetchall()
            past = con.execute(
                "SELECT count(*) FROM citations c JOIN videos v USING (video_id) "
                "WHERE v.duration_seconds IS NOT NULL AND c.seconds > v.duration_seconds"
            ).fetchone()[0]  # type: ignore[index]
            ms00 = con.execute(
                "SELECT count(*) FROM citations WHERE anchor_reading = 'mm:ss:00'"
            ).fetchone()[0]  # type: ignore[index]
            con.close()
            print("\n== whole shared corpus (notes + captions)")
            print(f"note anchors by status: {dict(rows)}")
            print(f"anchors read as MM:SS:00 (minutes:seconds): {ms00}")
            print(f"citations past the end of a video of known duration: {past}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
