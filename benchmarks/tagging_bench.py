"""Tagging speed in claims per second on one core: the tagger as ingest runs it.

    python benchmarks/tagging_bench.py [--db /work/data/corpus.duckdb] [--claims 30000]

Reads note claims (text and context, in note order, every note whole) from a
warehouse ingested with ``--no-tag`` (read-only), then times
``ytclaims.tags.tagger.tag_claims`` over them in batches of whole notes, the way a
worker tags one batch of files: rules (phrase and pattern matchers), entities, the
classifier and the gate. One process, one thread (``OMP/OPENBLAS_NUM_THREADS=1``), so
the figure is per core. Loading spaCy and the models is timed apart (once per process).
Prints claims/s, wall time and peak memory; then a second, warm pass over the same claims
(the vocab then holds every word: a long-running worker's speed). To compare with an
older tagger, run the same script with ``PYTHONPATH`` pointing at that version's ``src``.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import duckdb  # noqa: E402


def load_claims(db: str, n: int) -> list[list[dict[str, object]]]:
    """About ``n`` claims, grouped by note, from a fixed spread of notes."""
    con = duckdb.connect(db, read_only=True)
    try:
        cur = con.execute(
            """
            WITH notes AS (
                SELECT source_id FROM sources WHERE source_kind = 'note'
                ORDER BY hash(source_id)
            )
            SELECT c.claim_id, c.source_id, c.text, c.lead_in, c.heading_path, c.note_title,
                   c.wiki_targets
            FROM claims c JOIN notes USING (source_id)
            ORDER BY hash(c.source_id), c.claim_ordinal
            """
        )
        cols = [d[0] for d in cur.description]
        notes: list[list[dict[str, object]]] = []
        total = 0
        last = None
        while total < n:
            row = cur.fetchone()
            if row is None:
                break
            c = dict(zip(cols, row, strict=True))
            if c["source_id"] != last:
                last = c["source_id"]
                notes.append([])
            notes[-1].append(c)
            total += 1
        return notes
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", default="/work/data/corpus.duckdb")
    ap.add_argument("--claims", type=int, default=30000)
    ap.add_argument("--notes-per-batch", type=int, default=40)
    args = ap.parse_args()
    notes = load_claims(args.db, args.claims)
    n = sum(len(x) for x in notes)

    t0 = time.perf_counter()
    from ytclaims.tags.tagger import tag_claims

    tag_claims([dict(c) for c in notes[0]])  # load spaCy, the rules and the model
    load_s = time.perf_counter() - t0

    batches = [
        [dict(c) for note in notes[i : i + args.notes_per_batch] for c in note]
        for i in range(0, len(notes), args.notes_per_batch)
    ]
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    n_ev = 0
    for b in batches:
        ev, _ = tag_claims(b)
        n_ev += len(ev)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    about = sum(1 for b in batches for c in b if c["about_ai"])
    # Again, warm: every word already in the vocab, the context caches filled (what a
    # worker that has tagged a few thousand notes sees).
    cpu0 = time.process_time()
    for b in batches:
        tag_claims(b)
    warm = time.process_time() - cpu0
    import ytclaims.tags.tagger as tagger_module

    print(f"tagger            {tagger_module.__file__}")
    print(f"claims tagged     {n} ({len(notes)} notes, {len(batches)} batches)")
    print(f"load (once)       {load_s:.2f} s")
    print(f"wall time         {wall:.2f} s   cpu time {cpu:.2f} s")
    print(f"claims/s (wall)   {n / wall:,.0f}")
    print(f"claims/s per core {n / cpu:,.0f}   (cpu time: fair on a loaded machine)")
    print(f"warm pass         {n / warm:,.0f} claims/s per core (same claims again)")
    print(f"peak memory       {peak:,.0f} MiB")
    print(f"about AI          {about} claims; evidence rows {n_ev}")


if __name__ == "__main__":
    main()
