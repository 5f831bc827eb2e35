"""The ``ingest`` flow with its parse tasks on a Dask cluster (``dask_address``).

A real ``distributed.LocalCluster`` with two worker processes stands in for a cluster
of machines: the flow gets only its scheduler address, as it would for a remote one.
Which worker ran which task is read from the scheduler itself (a scheduler plugin:
the LocalCluster's scheduler runs in this process), not from anything ytclaims reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed.diagnostics.plugin import SchedulerPlugin
from helpers import EXAMPLES, ro, snapshot
from typer.testing import CliRunner

pytestmark = pytest.mark.prefect

#: Columns that name the run or its clock: they differ between any two warehouses.
RUN_COLUMNS = {"run_id", "loaded_at", "detected_at", "error_id"}
#: Everything a run derives from the notes, including tags and entities.
COMPARED = (
    "sources",
    "claims",
    "anchors",
    "claim_tags",
    "tag_evidence",
    "entities",
    "video_index",
    "ingest_errors",
    "citations",
    "videos",
)


class TaskWorkers(SchedulerPlugin):
    """Scheduler plugin: the worker that finished each task, as the scheduler saw it."""

    name = "ytclaims-test-task-workers"

    def __init__(self) -> None:
        self.finished: list[tuple[str, str]] = []

    def transition(self, key: object, start: str, finish: str, *args: object, **kw: object) -> None:
        if start == "processing" and finish == "memory":
            self.finished.append((str(key), str(kw.get("worker"))))


@pytest.fixture(scope="module")
def cluster(prefect_harness) -> Iterator[object]:
    """Two single-threaded worker processes (started after the Prefect harness, so they
    inherit its environment: PREFECT_HOME, logging level, no telemetry). The scheduler's
    HTTP server always starts: ":0" gives it a free port instead of a busy 8787."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as c:
        c.wait_for_workers(2, timeout=120)  # fail-safe only
        yield c


@pytest.fixture
def task_workers(cluster) -> Iterator[TaskWorkers]:
    plugin = TaskWorkers()
    cluster.scheduler.add_plugin(plugin)
    try:
        yield plugin
    finally:
        cluster.scheduler.remove_plugin(name=plugin.name)


def comparable(db: Path) -> dict[str, list]:
    """Every row of COMPARED, without the columns that identify the run."""
    with ro(db) as con:
        out = {}
        for rel in COMPARED:
            cols = [r[0] for r in con.execute(f"DESCRIBE {rel}").fetchall()]
            keep = ", ".join(f'"{c}"' for c in cols if c not in RUN_COLUMNS)
            out[rel] = sorted(con.execute(f"SELECT {keep} FROM {rel}").fetchall(), key=repr)
    return out


def test_dask_run_matches_the_library_and_uses_both_workers(
    cluster, task_workers: TaskWorkers, tmp_path: Path
) -> None:
    from flows.ingest import ingest as ingest_flow
    from ytclaims.pipeline import ingest

    flow_db, lib_db = tmp_path / "flow.duckdb", tmp_path / "lib.duckdb"
    stage = tmp_path / "stage"
    workers = set(cluster.scheduler_info["workers"])
    assert len(workers) == 2

    # batch_size=1: one parse task per file, so both workers get some.
    first = ingest_flow(
        [str(EXAMPLES)],
        str(flow_db),
        batch_size=1,
        stage_root=str(stage),
        dask_address=cluster.scheduler_address,
    )
    ingest([EXAMPLES], lib_db, workers=1, stage_root=tmp_path / "lib_stage")

    expected = comparable(lib_db)
    assert expected["claims"] and expected["claim_tags"] and expected["citations"]
    assert comparable(flow_db) == expected

    # Every file went through a parse task on the cluster, and only parse tasks did:
    # discovery and the load (the single DuckDB writer) ran in the flow's process.
    n_files = first["files_seen"]
    assert [k.split("-")[0] for k, _ in task_workers.finished] == ["parse_batch_task"] * n_files
    assert {w for _, w in task_workers.finished} == workers
    # The writer removed the run's staging folder.
    assert stage.is_dir() and list(stage.iterdir()) == []

    # A re-run is a no-op. Only files that failed to load (a note without a video id)
    # are parsed again, on the cluster; unchanged sources are skipped in the flow.
    before = snapshot(flow_db)
    second = ingest_flow(
        [str(EXAMPLES)],
        str(flow_db),
        batch_size=1,
        stage_root=str(stage),
        dask_address=cluster.scheduler_address,
    )
    assert second["sources_loaded"] == 0 and second["claims_loaded"] == 0
    assert second["sources_unchanged"] == first["sources_loaded"]
    assert snapshot(flow_db) == before
    not_loaded = n_files - second["sources_unchanged"]
    assert 0 < not_loaded < n_files
    assert len(task_workers.finished) == n_files + not_loaded
    assert list(stage.iterdir()) == []


def test_cli_dask_address(cluster, task_workers: TaskWorkers, tmp_path: Path) -> None:
    from ytclaims.cli import app

    db, stage = tmp_path / "cli.duckdb", tmp_path / "stage"
    folder = EXAMPLES / "aiweekly"
    args = ["ingest", str(folder), "--db", str(db), "--batch-size", "1"]
    r = CliRunner().invoke(
        app, [*args, "--stage-root", str(stage), "--dask-address", cluster.scheduler_address]
    )
    assert r.exit_code == 0, r.output
    n_files = len(list(folder.glob("*.md")))
    assert len(task_workers.finished) == n_files
    assert list(stage.iterdir()) == []
    with ro(db) as con:
        assert con.execute("SELECT count(*) FROM sources").fetchone()[0] == n_files

    # Dask runs go through the flow: --no-prefect with --dask-address is refused.
    r = CliRunner().invoke(app, [*args, "--no-prefect", "--dask-address", "tcp://x:1"])
    assert r.exit_code == 2
    assert "--dask-address" in r.output


def test_unreachable_scheduler_is_a_clear_error(prefect_harness, tmp_path: Path) -> None:
    import dask

    from flows.ingest import DaskClusterError
    from flows.ingest import ingest as ingest_flow

    stage = tmp_path / "stage"
    # Nothing listens on port 1; the short connect timeout only keeps the test quick.
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "2s"}),
        pytest.raises(DaskClusterError, match="Could not reach .* tcp://127.0.0.1:1"),
    ):
        ingest_flow(
            [str(EXAMPLES / "aiweekly")],
            str(tmp_path / "x.duckdb"),
            stage_root=str(stage),
            dask_address="tcp://127.0.0.1:1",
        )
    assert list(stage.iterdir()) == []  # the run's staging folder was removed


def test_workers_that_cannot_see_the_files_are_refused(
    cluster, task_workers: TaskWorkers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Relative paths from a working directory the workers do not share: the flow sees
    the notes, the workers (started elsewhere) do not, so nothing is sent to them."""
    import shutil

    from flows.ingest import DaskClusterError
    from flows.ingest import ingest as ingest_flow

    shutil.copytree(EXAMPLES / "aiweekly", tmp_path / "only_here" / "aiweekly")
    monkeypatch.chdir(tmp_path)
    db, stage = tmp_path / "x.duckdb", tmp_path / "stage"
    with pytest.raises(DaskClusterError, match="2 of 2 Dask workers cannot see .*only_here"):
        ingest_flow(
            ["only_here"], str(db), stage_root=str(stage), dask_address=cluster.scheduler_address
        )
    assert task_workers.finished == []
    assert list(stage.iterdir()) == []
    assert not db.exists()


def test_a_scheduler_without_workers_is_refused(prefect_harness, tmp_path: Path) -> None:
    from distributed import LocalCluster

    from flows.ingest import DaskClusterError
    from flows.ingest import ingest as ingest_flow

    with (
        LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty,
        pytest.raises(DaskClusterError, match="has no workers"),
    ):
        ingest_flow(
            [str(EXAMPLES / "aiweekly")],
            str(tmp_path / "x.duckdb"),
            stage_root=str(tmp_path / "stage"),
            dask_address=empty.scheduler_address,
        )
