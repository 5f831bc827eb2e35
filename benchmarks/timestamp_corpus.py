"""Timestamps on the real notes without captions: what the resolver reads, and why.

    python benchmarks/timestamp_corpus.py [--shared ../shared]
        [--training /work/data/training_notes] [--db FILE] [--before OLD.duckdb]

Ingests the shared notes (and the 10 caption files) plus the unpacked training notes
without tagging (``--db FILE`` reuses a warehouse already built that way), then prints:

* citations by timestamp status;
* how many readings differ from the literal one, by the reading chosen and by the
  evidence named first in the reason (third fields, neighbours, length, siblings, ...);
* citations more than 5 h into a video, and more than 3x their note's median second
  plus 30 minutes (notes of at least 4 anchors): for the literal reading, for the
  note-level rules alone (``anchors.anchor_seconds``, the per-note resolution the
  parser does) and for the final citations, plus ``--before`` (a warehouse built by an
  older ytclaims from the same notes) when given;
* citations past a known duration (must be 0) and the suspect ones;
* wall time and peak memory of the ingest and of a full re-resolution.
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import duckdb

from ytclaims.pipeline import ingest
from ytclaims.timestamps.video import READING_WORDS
from ytclaims.warehouse.resolution import resolve_videos

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
DEFAULT_TRAINING = Path("/work/data/training_notes")
FIVE_HOURS = 5 * 3600

#: Evidence named in a resolution reason -> a short label (first match wins per clause).
EVIDENCE = (
    ("transcript", re.compile(r"transcript says it|transcript leans|transcript confirms")),
    ("duration", re.compile(r"past the end of the video|the video is .* long")),
    ("third field :00", re.compile(r"end in ':00'")),
    ("third field repeats the seconds", re.compile(r"repeat their seconds")),
    ("third field constant", re.compile(r"end in the same ':")),
    ("third field hundredths", re.compile(r"hundredths")),
    ("third field frames (<30)", re.compile(r"under 30")),
    ("neighbours in the note", re.compile(r"neighbours in the note")),
    ("other notes of the video", re.compile(r"other notes reach")),
    ("video length prior", re.compile(r"into the video, which is rare")),
    ("hours field >= 24", re.compile(r"hours field \d+ is implausible")),
    ("third field >= 60", re.compile(r"last field \d+ is 60 or more")),
    ("milliseconds", re.compile(r"milliseconds")),
    ("the rest of the note", re.compile(r"reads like the rest of its note")),
)


_LEADS = sorted(
    [f"read as {w}" for w in READING_WORDS.values()] + ["literal reading"], key=len, reverse=True
)


def evidence_named(reason: str | None) -> list[str]:
    """The evidence a reason names, in its order (reasons list the strongest first)."""
    if not reason:
        return []
    body = next((reason[len(x) :] for x in _LEADS if reason.startswith(x)), reason)
    hits = sorted((m.start(), label) for label, rx in EVIDENCE if (m := rx.search(body)))
    return [label for _, label in hits]


def first_evidence(reason: str | None) -> str:
    named = evidence_named(reason)
    return named[0] if named else "other"


def _over(con: duckdb.DuckDBPyConnection, column: str, table: str = "citations") -> tuple[int, int]:
    """(citations > 5 h, citations > 3x note median + 30 min in notes of >= 4 anchors)."""
    five = con.execute(
        f"SELECT count(*) FROM {table} WHERE source_kind = 'note' AND {column} > {FIVE_HOURS}"
    ).fetchone()[0]  # type: ignore[index]
    far = con.execute(
        f"""
        WITH t AS (
            SELECT source_path, {column} AS s,
                   median({column}) OVER (PARTITION BY source_path) AS med,
                   count({column}) OVER (PARTITION BY source_path) AS n
            FROM {table} WHERE source_kind = 'note'
        )
        SELECT count(*) FROM t WHERE n >= 4 AND s > 3 * med + 1800
        """
    ).fetchone()[0]  # type: ignore[index]
    return five, far


def report(con: duckdb.DuckDBPyConnection, before: Path | None) -> None:
    n_notes, n_cit = con.execute(
        "SELECT count(DISTINCT source_path), count(*) FROM citations WHERE source_kind = 'note'"
    ).fetchone()  # type: ignore[misc]
    print(f"notes: {n_notes:,}   note citations: {n_cit:,}")
    print("\n== citations by timestamp status")
    for st, n in con.execute(
        "SELECT timestamp_status, count(*) FROM citations WHERE source_kind = 'note' "
        "GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall():
        print(f"  {st:<14} {n:>9,}  {n / n_cit:6.2%}")

    con.execute(
        """
        CREATE OR REPLACE TEMP VIEW _lit AS
        SELECT c.source_path, c.source_kind, a.data_t_seconds AS literal_s,
               a.anchor_seconds AS note_s, c.seconds AS final_s, c.original_seconds,
               c.anchor_reading, c.resolution_reason, c.timestamp_status
        FROM citations c JOIN sources s ON s.source_key = c.source_key
        JOIN anchors a ON a.source_id = s.source_id AND a.anchor_ordinal = c.anchor_ordinal
        WHERE c.source_kind = 'note'
        """
    )
    print("\n== readings that differ from the literal one")
    rows = con.execute(
        """
        SELECT anchor_reading, resolution_reason, timestamp_status FROM _lit
        WHERE final_s IS NOT NULL AND original_seconds IS NOT NULL AND literal_s IS NOT NULL
          AND floor(original_seconds) <> floor(literal_s)
        """
    ).fetchall()
    print(f"  changed: {len(rows):,}")
    by_reading = Counter(r[0] for r in rows)
    by_evidence = Counter(first_evidence(r[1]) for r in rows)
    any_evidence = Counter(e for r in rows for e in set(evidence_named(r[1])))
    print("  by reading chosen: " + ", ".join(f"{k} {v:,}" for k, v in by_reading.most_common()))
    print(f"  {'evidence':<34} {'named first':>11} {'named at all':>13}")
    for k, v in by_evidence.most_common():
        print(f"    {k:<32} {v:>11,} {any_evidence[k]:>13,}")

    print("\n== far into the video (>5 h; >3x note median + 30 min, notes of >= 4 anchors)")
    for label, col in (
        ("literal HH:MM:SS reading", "literal_s"),
        ("note-level rules only", "note_s"),
        ("final citations", "final_s"),
    ):
        five, far = _over(con, col, "_lit")
        print(f"  {label:<28} >5 h: {five:>7,}   >3x median+30 min: {far:>7,}")
    if before is not None and before.exists():
        old = duckdb.connect(str(before), read_only=True)
        try:
            five, far = _over(old, "seconds")
            print(f"  {'--before warehouse':<28} >5 h: {five:>7,}   >3x median+30 min: {far:>7,}")
            olds = dict(
                old.execute(
                    "SELECT timestamp_status, count(*) FROM citations WHERE source_kind='note' "
                    "GROUP BY 1"
                ).fetchall()
            )
            print(f"  --before statuses: {olds}")
        finally:
            old.close()

    print("\n== citations past a known duration (must be 0)")
    past = con.execute(
        "SELECT count(*) FROM citations c JOIN videos v USING (video_id) "
        "WHERE v.duration_seconds IS NOT NULL AND c.seconds > v.duration_seconds"
    ).fetchone()[0]  # type: ignore[index]
    print(f"  {past}")
    print("\n== remaining >5 h citations (status, first 12)")
    for row in con.execute(
        "SELECT timestamp_status, channel, anchor_raw, seconds, resolution_reason "
        "FROM citations WHERE source_kind = 'note' AND seconds > ? ORDER BY channel, seconds "
        "LIMIT 12",
        [FIVE_HOURS],
    ).fetchall():
        print(f"  {row[0]:<12} {row[1]:<18} {row[2]:<10} {row[3]:>6}  {row[4][:110]}")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--training", type=Path, default=DEFAULT_TRAINING)
    ap.add_argument("--db", type=Path, help="Use (or build) this warehouse.")
    ap.add_argument("--before", type=Path, help="A warehouse of the same notes, older ytclaims.")
    ap.add_argument("--re-resolve", action="store_true", help="Time a full re-resolution of --db.")
    args = ap.parse_args()
    notes = args.shared / "corpus" / "notes"
    captions = args.shared / "corpus" / "captions"
    if not notes.is_dir():
        print(f"no shared corpus at {notes}", file=sys.stderr)
        return 2
    paths = [str(notes), str(captions)]
    if args.training.is_dir():
        paths.append(str(args.training))
    else:
        print(f"(no training notes at {args.training}: shared notes only)", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "corpus.duckdb"
        if not db.exists():
            t0 = time.perf_counter()
            ingest(paths, db, tag=False)
            print(
                f"ingest (no tagging): {time.perf_counter() - t0:.1f} s, "
                f"peak RSS {_peak_mb():.0f} MB"
            )
        if args.re_resolve:
            con = duckdb.connect(str(db))
            try:
                vids = [
                    r[0]
                    for r in con.execute(
                        "SELECT DISTINCT video_id FROM sources WHERE video_id IS NOT NULL"
                    ).fetchall()
                ]
                n_anchors = con.execute("SELECT count(*) FROM anchors").fetchone()[0]  # type: ignore[index]
                t0 = time.perf_counter()
                con.execute("BEGIN")
                n = resolve_videos(con, vids)
                con.execute("COMMIT")
                dt = time.perf_counter() - t0
                print(
                    f"re-resolution: {len(vids):,} videos, {n:,} anchors "
                    f"(of {n_anchors:,}) in {dt:.1f} s = {n / dt:,.0f} anchors/s, "
                    f"peak RSS {_peak_mb():.0f} MB"
                )
            finally:
                con.close()
        con = duckdb.connect(str(db), read_only=True)
        try:
            report(con, args.before)
        finally:
            con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
