"""Shared fixtures: paths to the examples, test fixtures and shared data, and the shared
corpus ingested once per session (tests read it; only the re-run test writes, and that
run must change nothing)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import CORPUS, EXAMPLES, FIXTURES, SEED, SHARED, ingest_untagged


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    assert EXAMPLES.is_dir(), f"bundled examples missing at {EXAMPLES}"
    return EXAMPLES


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    assert FIXTURES.is_dir(), f"test fixture notes missing at {FIXTURES}"
    return FIXTURES


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    assert SHARED.is_dir(), f"shared data expected beside the repository at {SHARED}"
    return SHARED


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    assert CORPUS.is_dir(), f"shared corpus missing at {CORPUS}"
    return CORPUS


@pytest.fixture(scope="session")
def seed_path(shared_dir: Path) -> Path:
    assert SEED.is_file(), f"seed note missing at {SEED}"
    return SEED


@pytest.fixture(scope="session")
def corpus_db(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The shared corpus ingested once per session (no Prefect): (db path, report).

    Without layer/trend tagging (see helpers.ingest_untagged): the corpus tests check
    anchors, claims, timestamps and videos; tagging runs in the warehouse, CLI and flow
    tests, and over 1,457 notes it would double the suite's run time.
    """
    db = tmp_path_factory.mktemp("corpus") / "corpus.duckdb"
    report = ingest_untagged([corpus_dir], db)
    return db, report


_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # offline machines: no telemetry calls
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One temporary Prefect API for every flow test in the session (it takes 15-30 s
    to start): tests/test_flow.py and tests/test_dask.py share it."""
    saved = {k: os.environ.get(k) for k in (*_ENV, "PREFECT_HOME")}
    os.environ.update(_ENV)
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect_home"))
    from prefect.testing.utilities import prefect_test_harness

    try:
        with prefect_test_harness(server_startup_timeout=180):
            yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
