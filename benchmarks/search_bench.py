"""Keyword search at production scale: index build time and query latency.

    python benchmarks/search_bench.py                 # 21,000 synthetic notes (~700k claims)
    python benchmarks/search_bench.py --notes 3000    # smaller, quicker
    python benchmarks/search_bench.py --db FILE       # an existing warehouse, as it is

Without ``--db`` it writes a synthetic corpus with ``benchmarks/make_corpus.py`` into a
temporary folder and ingests it with ``tag=False``: layer/trend tagging runs spaCy over
every claim, which takes far longer than the search being measured and does not change
the index (it indexes claim text only). So layer/trend filters find nothing in such a
warehouse; they are still timed, because their cost is the SQL, not the hits. The
synthetic corpus has no transcripts, so sentence search is only timed with ``--db`` on a
warehouse that has some.

It then builds the index the way the loader does (inside one transaction, forced) and
times 50 representative queries on a read-only connection, half without filters and
half with a channel, video, source-kind or layer/trend filter, each with
``limit=20``. One warm-up query is not counted (it loads the extension). Latencies are
wall time of ``ytclaims.search.search`` including its freshness check.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

QUERIES = [
    "inference cost",
    "nvidia gpu",
    "open source models",
    "data center power",
    "ai agents",
    "switching costs",
    "scaling laws",
    "transformer architecture",
    "price per token",
    "reinforcement learning",
    "fine tuning",
    "market share",
    "openai anthropic",
    "10x cheaper",
    "venture capital",
    "semiconductor supply chain",
    "energy consumption",
    "distribution moat",
    "enterprise adoption",
    "hallucination",
    "context window",
    "synthetic data",
    "sleep and dopamine",
    "linear algebra matrix",
    "javascript framework",
]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (no interpolation): a latency that was actually observed."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


def make_warehouse(notes: int, workdir: Path, seed: int) -> tuple[Path, float, float]:
    """Generate and ingest a synthetic corpus; return (db, generate seconds, ingest seconds)."""
    from ytclaims.pipeline import ingest

    corpus = workdir / "corpus"
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(HERE / "make_corpus.py"),
            str(corpus),
            "--notes",
            str(notes),
            "--seed",
            str(seed),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    t1 = time.perf_counter()
    db = workdir / "bench.duckdb"
    ingest([corpus], db, tag=False)
    return db, t1 - t0, time.perf_counter() - t1


def build_index(db: Path) -> dict[str, object]:
    from ytclaims.warehouse.db import apply_views, connect_write
    from ytclaims.warehouse.search_index import build_search_index

    con = connect_write(db)
    try:
        apply_views(con)
        con.execute("BEGIN TRANSACTION")
        info = build_search_index(con, force=True)
        con.execute("COMMIT")
    finally:
        con.close()
    return info


def workload(con: object) -> list[tuple[str, str, dict[str, object]]]:
    """50 (label, query, filters): 25 plain, 25 filtered on values present in the warehouse."""
    channels = [
        r[0]
        for r in con.execute(  # type: ignore[attr-defined]
            "SELECT channel FROM claims WHERE channel IS NOT NULL "
            "GROUP BY channel ORDER BY count(*) DESC, channel LIMIT 10"
        ).fetchall()
    ]
    videos = [
        r[0]
        for r in con.execute(  # type: ignore[attr-defined]
            "SELECT video_id FROM claims GROUP BY video_id ORDER BY count(*) DESC, video_id LIMIT 5"
        ).fetchall()
    ]
    out: list[tuple[str, str, dict[str, object]]] = [("plain", q, {}) for q in QUERIES]
    for i, ch in enumerate(channels):
        out.append(("channel", QUERIES[i], {"channel": ch}))
    for i, vid in enumerate(videos):
        out.append(("video", QUERIES[10 + i], {"video": vid}))
    for i in range(5):
        out.append(("source_kind", QUERIES[15 + i], {"source_kind": "note"}))
    layer_trend: list[dict[str, object]] = [
        {"layer": "infrastructure"},
        {"layer": "model"},
        {"trend": "cost_reduction"},
        {"layer": "application", "channel": channels[0] if channels else "x"},
        {"trend": "agents", "source_kind": "note"},
    ]
    for i, flt in enumerate(layer_trend):
        out.append(("layer/trend", QUERIES[20 + i], flt))
    return out[:50]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--db", type=Path, help="benchmark this warehouse instead of building one")
    ap.add_argument("--notes", type=int, default=21_000, help="synthetic notes (default 21000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", type=Path, help="build in this folder and keep it")
    ap.add_argument("--no-rebuild", action="store_true", help="with --db: time the existing index")
    args = ap.parse_args(argv)

    from ytclaims.research.search import search, search_sentences
    from ytclaims.warehouse.db import connect_read

    tmp = None
    if args.db:
        db = args.db
        print(f"warehouse        {db} (given)")
    else:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            workdir = args.keep
        else:
            tmp = tempfile.TemporaryDirectory(prefix="ytc_search_bench_")
            workdir = Path(tmp.name)
        db, t_gen, t_ingest = make_warehouse(args.notes, workdir, args.seed)
        print(f"corpus           {args.notes:,} synthetic notes (make_corpus.py, seed {args.seed})")
        print(f"generate         {t_gen:8.1f} s")
        print(f"ingest (tag=False) {t_ingest:6.1f} s")
    try:
        if not (args.db and args.no_rebuild):
            t0 = time.perf_counter()
            build_index(db)
            t_build = time.perf_counter() - t0
            print(f"index build      {t_build:8.1f} s  (claims + sentences, one transaction)")
        con = connect_read(db)
        try:
            n_claims, n_sent = con.execute(
                "SELECT (SELECT count(*) FROM claims), (SELECT count(*) FROM sentences)"
            ).fetchone()
            print(f"claims           {n_claims:>10,}")
            print(f"sentences        {n_sent:>10,}")
            work = workload(con)
            search(con, "warm up")  # loads the extension; not counted
            lat: list[tuple[str, float, int]] = []
            for label, q, flt in work:
                t = time.perf_counter()
                hits = search(con, q, limit=20, **flt)  # type: ignore[arg-type]
                lat.append((label, (time.perf_counter() - t) * 1000, len(hits)))
            sent_lat: list[float] = []
            if n_sent:
                for q in QUERIES[:10]:
                    t = time.perf_counter()
                    search_sentences(con, q, limit=20)
                    sent_lat.append((time.perf_counter() - t) * 1000)
        finally:
            con.close()
    finally:
        if tmp is not None:
            tmp.cleanup()

    ms = [x[1] for x in lat]
    print(
        f"queries          {len(ms)} (limit 20), mean hits {statistics.mean(x[2] for x in lat):.1f}"
    )
    print(
        f"latency all      p50 {percentile(ms, 50):7.1f} ms   p90 {percentile(ms, 90):7.1f} ms"
        f"   max {max(ms):7.1f} ms"
    )
    for label in ("plain", "channel", "video", "source_kind", "layer/trend"):
        sub = [x[1] for x in lat if x[0] == label]
        if sub:
            print(
                f"  {label:<14} p50 {percentile(sub, 50):7.1f} ms   "
                f"p90 {percentile(sub, 90):7.1f} ms   max {max(sub):7.1f} ms   (n={len(sub)})"
            )
    if sent_lat:
        print(
            f"sentences        p50 {percentile(sent_lat, 50):7.1f} ms   "
            f"max {max(sent_lat):7.1f} ms   (n={len(sent_lat)})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
