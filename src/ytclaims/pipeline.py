"""The ingest pipeline: plan -> parse batches -> load. The one orchestration of ingest.

``ytclaims ingest --no-prefect`` runs :func:`ingest`; the Prefect flow
(``flows/ingest.py``) runs the very same steps as tasks: :func:`plan_ingest`, then
``worker.parse_batch`` per batch, then :func:`finish_ingest`. Each step reports its
progress (stages ``plan``, ``parse``, ``load: <phase>``) to a ``ytclaims.progress``
reporter: the one passed in, else the one the caller handed over with
``progress.reporting`` (how the flow's task threads find the command line's display).
Each step hands the next plain data (lists, dicts, paths), never a database connection
or an NLP object, so a batch can be parsed in a thread, a process, or a Dask worker and
the single writer loads the results in one transaction.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ytclaims import __version__
from ytclaims.progress import Reporter, as_reporter
from ytclaims.records import BatchResult, IngestRun
from ytclaims.sources.discover import Discovery, discover
from ytclaims.sources.notes import DEFAULT_MAX_BYTES, content_hash
from ytclaims.warehouse import load as wl
from ytclaims.warehouse import staging
from ytclaims.warehouse.db import db_path
from ytclaims.warehouse.known import KnownSources, known_sources
from ytclaims.worker import parse_batch

DEFAULT_BATCH_SIZE = 250


def pipeline_fingerprint(taxonomy: str | None = None, *, tag: bool = True) -> str:
    """What produced a source's rows: ytclaims version and tagger.

    Re-runs skip a file only when its bytes *and* this fingerprint are unchanged, so
    upgrading ytclaims or editing the taxonomy re-processes everything once.
    """
    if not tag:
        return f"{__version__}+untagged"
    from ytclaims.tags.fingerprint import tagger_fingerprint

    return f"{__version__}+{tagger_fingerprint(taxonomy)}"


@dataclass(slots=True)
class IngestPlan:
    """Everything decided before any file is parsed: what to parse, and how.

    Plain data, so the Prefect flow can hand it from its planning task to its parse
    and load tasks (and to Dask workers, see :meth:`for_workers`).
    """

    db: str
    inputs: list[str]
    found: Discovery
    fingerprint: str
    known: KnownSources
    #: Files still to parse (unchanged files are already counted in ``unchanged``).
    batches: list[list[str]]
    #: source key -> path of files found unchanged (they keep their key on re-runs).
    seed: dict[str, str]
    unchanged: int
    stage_dir: str | None
    started: float
    prune: bool = False
    #: Keyword arguments of ``worker.parse_batch`` besides paths and known sources.
    parse_options: dict[str, object] = field(default_factory=dict)

    @property
    def n_files(self) -> int:
        return len(self.found.files)

    def for_workers(self) -> KnownSources:
        """The known sources a worker needs: only (source key, hash) pairs; the path
        index is for :func:`prefilter_unchanged` and would double what each task carries."""
        return KnownSources(pairs=self.known.pairs)


def plan_ingest(
    paths: Sequence[str | Path],
    db: str | Path | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_bytes: int = DEFAULT_MAX_BYTES,
    taxonomy: str | None = None,
    tag: bool = True,
    prune: bool = False,
    stage_root: str | Path | None = None,
    progress: Reporter | None = None,
) -> IngestPlan:
    """Discover the inputs, skip unchanged files, and cut the rest into batches.

    Creates the run's staging folder when there is anything to parse; whoever runs the
    plan must end with :func:`finish_ingest` or :func:`abandon_ingest` to remove it.
    """
    as_reporter(progress).stage("plan")
    started = time.perf_counter()
    target = db_path(db)
    found = discover(list(paths))
    fp = pipeline_fingerprint(taxonomy, tag=tag)
    known = known_sources(target, fp)
    todo, seed, skipped = prefilter_unchanged(found.files, known)
    batches = [[str(p) for p in b] for b in batched(todo, batch_size)]
    stage_dir = str(staging.stage_dir_for(target, stage_root)) if batches else None
    return IngestPlan(
        db=str(target),
        inputs=[str(p) for p in paths],
        found=found,
        fingerprint=fp,
        known=known,
        batches=batches,
        seed=seed,
        unchanged=skipped,
        stage_dir=stage_dir,
        started=started,
        prune=prune,
        parse_options={
            "max_bytes": max_bytes,
            "taxonomy": taxonomy,
            "tag": tag,
            "stage_dir": stage_dir,
        },
    )


def finish_ingest(
    plan: IngestPlan, results: Sequence[BatchResult], *, progress: Reporter | None = None
) -> IngestRun:
    """The single writer: load every batch in one transaction, then drop the staging."""
    reporter = as_reporter(progress)
    try:
        return wl.load(
            Path(plan.db),
            results,
            plan.found,
            plan.inputs,
            started=plan.started,
            fingerprint=plan.fingerprint,
            seed=plan.seed,
            unchanged=plan.unchanged,
            prune=plan.prune,
            on_phase=lambda phase: reporter.stage(f"load: {phase}"),
        )
    finally:
        staging.remove_stage_dir(plan.stage_dir)


def abandon_ingest(plan: IngestPlan) -> None:
    """A run that will not reach the writer: remove what it staged so far."""
    staging.remove_stage_dir(plan.stage_dir)


def ingest(
    paths: Sequence[str | Path],
    db: str | Path | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_bytes: int = DEFAULT_MAX_BYTES,
    taxonomy: str | None = None,
    tag: bool = True,
    workers: int | None = None,
    progress: Reporter | Callable[[int, int], None] | None = None,
    prune: bool = False,
    stage_root: str | Path | None = None,
) -> IngestRun:
    """Ingest notes and caption files under ``paths`` into the warehouse, without Prefect.

    Batches are parsed in ``workers`` processes (default: one per core; 1 = in this
    process), each of which loads spaCy once; their rows are staged as Parquet under
    ``stage_root`` (default: ``.staging`` next to the warehouse) and streamed into the
    warehouse by one writer, so memory does not grow with the corpus. ``prune`` deletes
    sources whose files are gone. ``progress``: a ``ytclaims.progress`` reporter, or a
    ``(files done, files in all)`` callback for the parse stage.
    """
    reporter = as_reporter(progress)
    plan = plan_ingest(
        paths,
        db,
        batch_size=batch_size,
        max_bytes=max_bytes,
        taxonomy=taxonomy,
        tag=tag,
        prune=prune,
        stage_root=stage_root,
        progress=reporter,
    )
    try:
        results = list(parse_all(plan, workers=workers, progress=reporter))
    except BaseException:
        abandon_ingest(plan)
        raise
    return finish_ingest(plan, results, progress=reporter)


def parse_all(
    plan: IngestPlan,
    *,
    workers: int | None = None,
    progress: Reporter | Callable[[int, int], None] | None = None,
) -> Iterable[BatchResult]:
    """Parse the plan's batches (in ``workers`` spawned processes), in order.

    Progress counts files (unchanged ones are done from the start) as each batch ends.
    """
    reporter = as_reporter(progress)
    n_workers = min(workers or os.cpu_count() or 1, len(plan.batches))
    reporter.stage("parse", total=plan.n_files, done=plan.unchanged)
    if n_workers <= 1:
        for batch in plan.batches:
            yield parse_batch(batch, plan.known, **plan.parse_options)  # type: ignore[arg-type]
            reporter.advance(len(batch))
        return
    with spawn_pool(n_workers) as pool:
        futures = [
            pool.submit(parse_batch, b, plan.for_workers(), **plan.parse_options)
            for b in plan.batches
        ]
        for fut, batch in zip(futures, plan.batches, strict=True):
            yield fut.result()
            reporter.advance(len(batch))


def batched(items: Sequence[Path], size: int) -> Iterable[list[Path]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


def spawn_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes that are spawned, not forked: a fork of a process holding
    threads (DuckDB, Prefect) can deadlock."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def worker_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """One process pool per process, shared by concurrent callers (e.g. Prefect's task
    threads): parsing and tagging are CPU-bound Python, so threads alone would not use
    more than one core. Workers are spawned (not forked) and load spaCy once each."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = spawn_pool(workers or os.cpu_count() or 1)
            atexit.register(_POOL.shutdown)
        return _POOL


def parse_batch_in_pool(
    paths: Sequence[str | Path], known: KnownSources | None = None, **kwargs: object
) -> BatchResult:
    """``worker.parse_batch`` in the shared worker pool (blocks until done)."""
    return worker_pool().submit(parse_batch, paths, known, **kwargs).result()  # type: ignore[arg-type]


def prefilter_unchanged(
    files: Sequence[Path], known: KnownSources
) -> tuple[list[Path], dict[str, str], int]:
    """Files still to parse, and the keys of files unchanged since they were loaded.

    A file at the same path with the same bytes as a loaded source is unchanged; this
    needs only a read and a hash, so a no-op re-run starts no worker process at all.
    """
    todo: list[Path] = []
    seed: dict[str, str] = {}
    skipped = 0
    for f in files:
        hit = known.by_path.get(str(f))
        if hit is not None:
            try:
                same = content_hash(f.read_bytes()) == hit[0]
            except OSError:
                same = False
            if same:
                seed.setdefault(hit[1], str(f))
                skipped += 1
                continue
        todo.append(f)
    return todo, seed, skipped
