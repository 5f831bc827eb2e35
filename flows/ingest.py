"""Prefect flow ``ingest``: notes under some paths -> the DuckDB warehouse.

Stages, each a library call of ``ytclaims.pipeline`` wrapped in a task (the same calls
``ytclaims ingest --no-prefect`` makes):

1. ``plan``: list the input files, skip unchanged ones, cut the rest into batches;
2. ``parse-batch`` (one task per batch of files, submitted concurrently): read,
   hash, extract claims and anchors, tag; writes the rows as Parquet files to the
   run's staging folder and returns their paths (plain data, a few kB);
3. ``load``: the single writer streams the staged files into the warehouse in one
   transaction, then removes the staging folder.

No task passes a DuckDB connection or an NLP object to another, and caching is
off (inputs are large and a re-run must re-check the files), so the same flow runs
on the default thread runner or a distributed one. Run it without a server: Prefect
starts a temporary local API (15-30 s) when none is configured.

    python -m flows.ingest examples/notes --db warehouse/ytclaims.duckdb

Distributed: with ``dask_address`` (a running Dask scheduler, ``tcp://host:8786``) the
parse tasks run on that cluster's workers (prefect-dask's ``DaskTaskRunner``), each
batch in the worker's own process. Workers stage their Parquet files under
``stage_root`` and the writer, in this flow's process, loads them: DuckDB allows one
writer per file, so the load stays here whatever the cluster size.
"""

from __future__ import annotations

import os
import sys

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows import split_db_arg
from ytclaims import errors, pipeline, progress
from ytclaims.records import BatchResult
from ytclaims.sources.notes import DEFAULT_MAX_BYTES
from ytclaims.warehouse.db import db_path
from ytclaims.warehouse.known import KnownSources
from ytclaims.worker import parse_batch


class DaskClusterError(errors.YtclaimsError):
    """The Dask cluster cannot run this ingest (checked before any work is sent)."""

    kind = "dask_cluster"
    hint = (
        "Start a scheduler with `dask scheduler` and workers with `dask worker "
        "tcp://HOST:8786`, or run without --dask-address."
    )


@task(name="plan", cache_policy=NONE, persist_result=False)
def plan_task(paths: list[str], db: str, options: dict[str, object]) -> pipeline.IngestPlan:
    return pipeline.plan_ingest(paths, db, **options)  # type: ignore[arg-type]


@task(name="parse-batch", cache_policy=NONE, persist_result=False)
def parse_batch_task(
    paths: list[str], known: KnownSources, options: dict[str, object], in_pool: bool
) -> BatchResult:
    # Parsing and tagging are CPU-bound: with several batches each task hands its batch to
    # the shared worker-process pool, so Prefect's task threads use every core.
    run = pipeline.parse_batch_in_pool if in_pool else parse_batch
    return run(paths, known, **options)  # type: ignore[arg-type]


@task(name="load", cache_policy=NONE, persist_result=False)
def load_task(plan: pipeline.IngestPlan, results: list[BatchResult]) -> dict[str, object]:
    return pipeline.finish_ingest(plan, results).as_dict()


@flow(name="ingest", log_prints=True)
def ingest(
    paths: list[str],
    db: str | None = None,
    batch_size: int = pipeline.DEFAULT_BATCH_SIZE,
    max_bytes: int = DEFAULT_MAX_BYTES,
    taxonomy: str | None = None,
    tag: bool = True,
    prune: bool = False,
    stage_root: str | None = None,
    dask_address: str | None = None,
) -> dict[str, object]:
    """Ingest notes under ``paths`` into the warehouse ``db``; returns the run report.

    The steps are the library's (``ytclaims.pipeline``): plan, parse each batch, load.
    ``stage_root`` is where parse tasks write their Parquet files (default: ``.staging``
    next to the warehouse); with workers on other machines it must be a folder they and
    the writer share. ``prune`` deletes sources whose files are gone.

    ``dask_address`` (e.g. ``tcp://scheduler:8786``) runs the parse tasks on that Dask
    cluster instead of this machine's process pool. The workers read the note files and
    write to ``stage_root`` at the paths this process sees, so both must be on a
    filesystem every worker mounts at the same place. Discovery and the load (the single
    DuckDB writer) always run here; a run with nothing to parse never contacts the cluster.
    """
    options = {
        "batch_size": batch_size,
        "max_bytes": max_bytes,
        "taxonomy": taxonomy,
        "tag": tag,
        "prune": prune,
        "stage_root": stage_root,
    }
    plan = plan_task(paths, str(db_path(db)), options)
    # Progress goes to the reporter the caller handed over (ytclaims.progress.reporting:
    # the command line's display); the steps report their own stages, and files parsed
    # are counted here, as each batch's task returns.
    reporter = progress.current()
    reporter.stage("parse", total=plan.n_files, done=plan.unchanged)
    try:
        if dask_address and plan.batches:
            results = _parse_on_dask(dask_address, plan)
        else:
            in_pool = len(plan.batches) > 1
            futures = [
                parse_batch_task.submit(b, plan.known, plan.parse_options, in_pool)
                for b in plan.batches
            ]
            results = _collect(futures, plan.batches, reporter)
    except BaseException:
        # The writer never runs, so nothing else would remove the batches staged so far.
        pipeline.abandon_ingest(plan)
        raise
    return load_task(plan, results)


def _collect(futures: list, batches: list[list[str]], reporter: progress.Reporter) -> list:
    """The batches' results in order, counting each batch's files as it comes back."""
    results = []
    for future, batch in zip(futures, batches, strict=True):
        results.append(future.result())
        reporter.advance(len(batch))
    return results


def _api_url_for_workers() -> str:
    """The Prefect API the Dask workers report their task runs to: this flow's.

    Without ``PREFECT_API_URL`` the flow runs on a temporary API that this process
    started; a worker given no URL would start one of its own (seconds per worker, on
    the same ``PREFECT_HOME`` database) and record the task runs there instead.
    """
    url = PREFECT_API_URL.value()
    if url:
        return url
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the one instance this process's client uses
    server.start()  # already running for this flow run: returns at once
    get_run_logger().warning(
        "No PREFECT_API_URL: Dask workers report to this run's temporary API at %s, which "
        "only workers on this machine can reach. With workers elsewhere, run `prefect "
        "server start --host 0.0.0.0` and set PREFECT_API_URL=http://HOST:4200/api.",
        server.api_url,
    )
    return server.api_url


def _unseen_on_worker(stage_dir: str | None, paths: list[str]) -> list[str]:
    """Run on each Dask worker: this run's staging folder and input files it cannot see
    (at most three). The folder has a fresh random name, so a worker that sees it shares
    the writer's filesystem, not merely a folder of the same name."""
    unseen = [] if stage_dir is None or os.path.isdir(stage_dir) else [stage_dir]
    unseen += [p for p in paths if not os.path.exists(p)]
    return unseen[:3]


def _check_workers(unseen: dict[str, list[str]], address: str) -> None:
    """Refuse to start when the parse tasks could not run or could not be loaded.

    Without this, a cluster with no workers waits forever, a worker without the note
    files records every note as unreadable, and one without the staging folder writes
    Parquet files the writer never finds.
    """
    if not unseen:
        raise DaskClusterError(
            f"The Dask scheduler at {address} has no workers.",
            hint="Start some with `dask worker " + address + "`.",
        )
    blind = {worker: paths for worker, paths in unseen.items() if paths}
    if blind:
        worker, paths = next(iter(blind.items()))
        raise DaskClusterError(
            f"{len(blind)} of {len(unseen)} Dask workers cannot see this run's files "
            f"(e.g. {worker} cannot see {', '.join(paths)}).",
            hint="Workers open note files and the staging folder by the paths this "
            "machine uses: put both on a filesystem every worker mounts at the same "
            "path (see --stage-root), and give absolute paths.",
        )


def _parse_on_dask(address: str, plan: pipeline.IngestPlan) -> list[BatchResult]:
    """Run one ``parse-batch`` task per batch on the Dask cluster at ``address``.

    The runner is entered here, around the parse stage only, rather than set on the
    flow: the flow's own task runner is fixed when the flow is defined, and a flow
    parameter has to work for ``ingest(...)`` calls, the CLI and deployments alike.
    ``TaskRunner.submit`` is what ``Task.submit`` calls with the flow's runner.
    Each task parses in the Dask worker's own process (``in_pool=False``): Dask already
    spreads batches over its worker processes, and a process pool inside each would
    oversubscribe the cores Dask was told about.
    """
    from prefect_dask import DaskTaskRunner

    known = plan.for_workers()
    taxonomy = plan.parse_options.get("taxonomy")
    # Each task carries this process's Prefect settings to its worker, API URL included.
    with (
        temporary_settings({PREFECT_API_URL: _api_url_for_workers()}),
        DaskTaskRunner(address=address) as runner,
    ):
        try:
            client = runner.client  # connect now: one clear error, not one per task
        except OSError as exc:
            raise DaskClusterError(
                f"Could not reach a Dask scheduler at {address}: {exc}."
            ) from exc
        read = [p for batch in plan.batches for p in batch] + ([str(taxonomy)] if taxonomy else [])
        _check_workers(client.run(_unseen_on_worker, plan.stage_dir, read), address)
        futures = [
            runner.submit(
                parse_batch_task,
                {"paths": batch, "known": known, "options": plan.parse_options, "in_pool": False},
            )
            for batch in plan.batches
        ]
        return _collect(futures, plan.batches, progress.current())


if __name__ == "__main__":
    args, db_arg = split_db_arg(sys.argv[1:])
    report = ingest(args, db_arg)
    print({k: v for k, v in report.items() if k != "problems"})
