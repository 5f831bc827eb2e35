"""Shared fixtures: paths to the examples, test fixtures and shared data, and the shared
corpus ingested once per session (tests read it; only the re-run test writes, and that
run must change nothing).

**Tests that need the shared corpus** (``$YTCLAIMS_SHARED``, else ``../shared``) run only
where it is: a fresh clone has none, and there they are skipped with a one-line reason. A
test needs it when it is marked ``corpus`` or uses one of ``SHARED_FIXTURES`` (directly or
through another fixture); parametrize over shared files with ``helpers.shared_params``.
When ``$YTCLAIMS_SHARED`` is set (``.ci/run`` sets it), a missing corpus is an error, not a
skip, so CI cannot pass by skipping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import (
    CAPTIONS,
    CORPUS,
    EXAMPLES,
    FIXTURES,
    HAVE_SHARED,
    SEED,
    SHARED,
    SHARED_ENV,
    SHARED_SKIP_REASON,
    ingest_untagged,
)

#: Fixtures that read the shared folder: a test using any of them is a corpus test.
SHARED_FIXTURES = frozenset({"shared_dir", "corpus_dir", "captions_dir", "seed_path", "corpus_db"})


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get(SHARED_ENV) and not HAVE_SHARED:
        raise pytest.UsageError(
            f"{SHARED_ENV}={os.environ[SHARED_ENV]} but the shared corpus is not there "
            f"(expected corpus/notes, corpus/captions and seed/ under {SHARED}): point it at "
            f"the shared folder, or unset it to skip the corpus tests"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs the shared corpus ``corpus``; skip them when it is missing."""
    skip = pytest.mark.skip(reason=SHARED_SKIP_REASON)
    for item in items:
        if SHARED_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.corpus)
        if not HAVE_SHARED and item.get_closest_marker("corpus"):
            item.add_marker(skip)


def _need_shared() -> None:
    if not HAVE_SHARED:
        pytest.skip(SHARED_SKIP_REASON)


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
    _need_shared()
    return SHARED


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    """``shared/corpus/notes``: the real notes, one folder per channel."""
    return CORPUS


@pytest.fixture(scope="session")
def captions_dir(shared_dir: Path) -> Path:
    """``shared/corpus/captions``: ten 3Blue1Brown SRT files, ``<video id>/captions.srt``."""
    return CAPTIONS


@pytest.fixture(scope="session")
def seed_path(shared_dir: Path) -> Path:
    """The seed note the project was conceived from."""
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
