"""Prefect flow ``ingest``: notes under some paths -> the DuckDB warehouse.

Stages, each a library call wrapped in a task:

1. ``discover``: list note files (and record files that are not notes);
2. ``parse_batch`` (one task per batch of files, submitted concurrently): read,
   hash, extract claims and anchors; returns Arrow tables (plain data);
3. ``load``: the single writer, one transaction for the whole run.

No task passes a DuckDB connection or an NLP object to another, and caching is
off (inputs are large and a re-run must re-check the files), so the same flow runs
on the default thread runner or a distributed one. Run it without a server: Prefect
starts a temporary local API (15-30 s) when none is configured.

    python -m flows.ingest examples/notes --db warehouse/ytclaims.duckdb
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NONE

from flows import split_db_arg
from ytclaims import pipeline
from ytclaims.sources.discover import Discovery, discover
from ytclaims.sources.notes import DEFAULT_MAX_BYTES
from ytclaims.warehouse import load as wl
from ytclaims.warehouse.db import db_path


@task(name="discover", cache_policy=NONE, persist_result=False)
def discover_task(paths: list[str]) -> Discovery:
    return discover(paths)


@task(name="known-sources", cache_policy=NONE, persist_result=False)
def known_sources_task(db: str, fingerprint: str) -> wl.KnownSources:
    return wl.known_sources(Path(db), fingerprint)


@task(name="parse-batch", cache_policy=NONE, persist_result=False)
def parse_batch_task(
    paths: list[str],
    known: wl.KnownSources,
    max_bytes: int,
    taxonomy: str | None,
    tag: bool,
    in_pool: bool,
) -> pipeline.BatchResult:
    # Parsing and tagging are CPU-bound: with several batches each task hands its batch to
    # the shared worker-process pool, so Prefect's task threads use every core.
    run = pipeline.parse_batch_in_pool if in_pool else pipeline.parse_batch
    return run(paths, known, max_bytes=max_bytes, taxonomy=taxonomy, tag=tag)


@task(name="load", cache_policy=NONE, persist_result=False)
def load_task(
    db: str,
    results: list[pipeline.BatchResult],
    found: Discovery,
    inputs: list[str],
    started: float,
    fingerprint: str,
    seed: dict[str, str],
    unchanged: int,
) -> dict[str, object]:
    return wl.load(
        Path(db),
        results,
        found,
        inputs,
        started=started,
        fingerprint=fingerprint,
        seed=seed,
        unchanged=unchanged,
    ).as_dict()


@flow(name="ingest", log_prints=True)
def ingest(
    paths: list[str],
    db: str | None = None,
    batch_size: int = pipeline.DEFAULT_BATCH_SIZE,
    max_bytes: int = DEFAULT_MAX_BYTES,
    taxonomy: str | None = None,
    tag: bool = True,
) -> dict[str, object]:
    """Ingest notes under ``paths`` into the warehouse ``db``; returns the run report."""
    started = time.perf_counter()
    target = str(db_path(db))
    fp = pipeline.fingerprint(taxonomy, tag=tag)
    found = discover_task(paths)
    known = known_sources_task(target, fp)
    todo, seed, skipped = pipeline.prefilter_unchanged(found.files, known)
    batches = list(pipeline.batched(todo, batch_size))
    in_pool = len(batches) > 1
    futures = [
        parse_batch_task.submit([str(p) for p in batch], known, max_bytes, taxonomy, tag, in_pool)
        for batch in batches
    ]
    results = [f.result() for f in futures]
    return load_task(target, results, found, [str(p) for p in paths], started, fp, seed, skipped)


if __name__ == "__main__":
    args, db_arg = split_db_arg(sys.argv[1:])
    report = ingest(args, db_arg)
    print({k: v for k, v in report.items() if k != "problems"})
