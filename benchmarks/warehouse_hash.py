"""Hash a warehouse's rows, table by table, leaving out what differs between runs.

Two warehouses built from the same inputs by two versions of ytclaims print the same
hashes exactly when every row is the same; use it to show that a refactoring or a speed
change altered nothing (``citations`` is the view researchers read).

    python benchmarks/warehouse_hash.py warehouse/ytclaims.duckdb [--tables citations,claims]

Paths are compared relative to the longest common folder of ``sources.source_path`` so a
warehouse built from another checkout hashes the same.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

#: Columns that legitimately differ between two runs on the same inputs.
RUN_COLUMNS = {
    "run_id",
    "loaded_at",
    "ytclaims_version",
    "pipeline_fingerprint",
    "started_at",
    "finished_at",
    "attempted_at",
    "detected_at",
}
DEFAULT_TABLES = (
    "citations",
    "claims",
    "anchors",
    "anchor_resolution",
    "claim_tags",
    "tag_evidence",
    "entities",
    "sentences",
    "segments",
    "ingest_errors",
    "sources",
    "video_index",
    "videos",
)


def table_hash(con: duckdb.DuckDBPyConnection, table: str, prefix: str) -> tuple[int, str]:
    cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in RUN_COLUMNS]
    exprs = []
    for c in cols:
        e = f'CAST("{c}" AS VARCHAR)'
        if c in ("source_path",):
            e = f"replace({e}, ?, '')"
        exprs.append(f"coalesce({e}, '∅')")
    row = " || '\x1f' || ".join(exprs)
    n_params = sum(1 for c in cols if c == "source_path")
    sql = (
        "SELECT count(*), md5(coalesce(string_agg(r, '\x1e' ORDER BY r), '')) "
        f"FROM (SELECT {row} AS r FROM {table})"
    )
    n, h = con.execute(sql, [prefix] * n_params).fetchone()  # type: ignore[misc]
    return int(n), str(h)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db")
    ap.add_argument("--tables", default=",".join(DEFAULT_TABLES))
    args = ap.parse_args()
    con = duckdb.connect(args.db, read_only=True)
    paths = [r[0] for r in con.execute("SELECT source_path FROM sources").fetchall()]
    import os

    prefix = os.path.commonpath(paths) + "/" if paths else ""
    for t in args.tables.split(","):
        try:
            n, h = table_hash(con, t, prefix)
        except duckdb.Error as exc:
            print(f"{t:20} error: {exc}".splitlines()[0])
            continue
        print(f"{t:20} {n:>9} {h}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
