"""Shared fixtures: paths to the examples, test fixtures and shared data, and the shared
corpus ingested once per session (tests read it; only the re-run test writes, and that
run must change nothing)."""

from __future__ import annotations

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
