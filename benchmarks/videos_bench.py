"""The ``videos`` view: precomputed by the writer (``video_info``) vs ranked on every read.

    python benchmarks/videos_bench.py                  # 21,000 synthetic videos
    python benchmarks/videos_bench.py --videos 3000
    python benchmarks/videos_bench.py --db FILE        # an existing warehouse (read-only copy)

Each field of ``videos`` is the best of what up to six kinds of source say
(``ytclaims.warehouse.videos``). The straightforward way ranks them in the view, on every
read; ytclaims ranks once per load into ``video_info`` and the view reads that. Printed:
the writer's cost (one full recompute, as after every run that changed a source), and
the read cost both ways for what ``cite`` and ``search`` do (look up 20 videos) and for
the whole view, median of 15 runs each, plus peak memory of this process.

Without ``--db`` the warehouse is synthetic, written with SQL straight into the tables a
load fills: per video one note source, one index-page row, and for every third video a
yt-dlp metadata row and a transcript track.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from ytclaims.warehouse.db import apply_schema
from ytclaims.warehouse.videos import RANKED_SQL, refresh_video_info


def synthetic(path: Path, n: int) -> None:
    con = duckdb.connect(str(path))
    apply_schema(con)
    con.execute(
        """
        INSERT INTO sources
        SELECT 'n' || i, 'chan' || (i % 80) || '/note' || i || '.md', 'note', 'x.md', 'h', 1,
               printf('v%010d', i), 'chan' || (i % 80), 'Note ' || i, 10, 12, 'r',
               now(), 'bench', 'fp'
        FROM range(?) t(i)
        UNION ALL
        SELECT 'm' || i, 'meta/' || i, 'metadata', 'x.info.json', 'h', 1, printf('v%010d', i),
               NULL, NULL, 0, 0, 'r', now(), 'bench', 'fp'
        FROM range(0, ?, 3) t(i)
        UNION ALL
        SELECT 'i' || c, 'chan' || c || '/chan' || c || '.md', 'index', 'x.md', 'h', 1, NULL,
               'chan' || c, NULL, 0, 0, 'r', now(), 'bench', 'fp'
        FROM range(80) t(c)
        """,
        [n, n],
    )
    con.execute(
        "INSERT INTO video_index SELECT printf('v%010d', i), 'chan' || (i % 80), "
        "'Title ' || i, 'u', [], 'i' || (i % 80) FROM range(?) t(i)",
        [n],
    )
    con.execute(
        "INSERT INTO video_metadata SELECT printf('v%010d', i), 'm' || i, 'yt-dlp', "
        "'Real title ' || i, 'Channel ' || (i % 80), '@chan' || (i % 80), NULL, "
        "DATE '2024-01-01' + CAST(i % 365 AS INTEGER), 600 + i % 3000, now() "
        "FROM range(0, ?, 3) t(i)",
        [n],
    )
    con.execute(
        "INSERT INTO transcript_tracks SELECT 'm' || i, printf('v%010d', i), 'en:manual:srt', "
        "'en', 'manual', 'srt', 'file', 100, 50, false, 590 + i % 3000 FROM range(0, ?, 3) t(i)",
        [n],
    )
    con.close()


def median_ms(con: duckdb.DuckDBPyConnection, sql: str, params: list, runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        con.execute(sql, params).fetchall()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--videos", type=int, default=21_000)
    ap.add_argument("--db", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        if args.db:
            shutil.copy(args.db, path)
            con = duckdb.connect(str(path))
            apply_schema(con)
            con.close()
        else:
            synthetic(path, args.videos)
        con = duckdb.connect(str(path))
        t0 = time.perf_counter()
        con.execute("BEGIN")
        n = refresh_video_info(con)
        con.execute("COMMIT")
        refresh = time.perf_counter() - t0
        con.execute(
            "CREATE TEMP VIEW videos_ranked_on_read AS "
            + RANKED_SQL
            + " SELECT video_id, title, channel_name, upload_date, duration_seconds FROM ranked"
        )
        ids = [
            r[0] for r in con.execute("SELECT video_id FROM video_info USING SAMPLE 20").fetchall()
        ]
        marks = ", ".join("?" for _ in ids)
        lookup = "SELECT video_id, title, channel_name, upload_date, duration_seconds FROM {} "
        rows = [
            ("20 videos (cite, search)", f"{lookup} WHERE video_id IN ({marks})", ids),
            ("whole view", lookup.replace("{} ", "{}"), []),
        ]
        print(f"videos: {n:,}   writer: full recompute {refresh * 1000:.0f} ms")
        print(f"{'read':<26}{'precomputed (ms)':>18}{'ranked on read (ms)':>22}")
        for label, sql, params in rows:
            fast = median_ms(con, sql.format("videos"), params)
            slow = median_ms(con, sql.format("videos_ranked_on_read"), params)
            print(f"{label:<26}{fast:>18.1f}{slow:>22.1f}")
        con.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
