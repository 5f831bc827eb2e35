"""The Prefect flow ``flows.ingest.ingest`` on a temporary local Prefect API."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import EXAMPLES, count_anchors, note_files, read_text, ro, snapshot

pytestmark = pytest.mark.prefect


def test_flow_report_matches_the_warehouse(prefect_harness, tmp_path: Path) -> None:
    from flows.ingest import ingest as ingest_flow

    db = tmp_path / "flow.duckdb"
    first = ingest_flow([str(EXAMPLES)], str(db))

    with ro(db) as con:
        n_sources, n_claims, n_anchors, n_cit, n_err = con.execute(
            "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM claims), "
            "(SELECT count(*) FROM anchors), (SELECT count(*) FROM citations), "
            "(SELECT count(*) FROM ingest_errors)"
        ).fetchone()
        runs = con.execute("SELECT run_id, n_sources_loaded FROM runs").fetchall()
    assert first["sources_loaded"] == n_sources
    assert first["claims_loaded"] == n_claims
    assert first["anchors_loaded"] == n_anchors == n_cit
    assert first["files_seen"] == len(list(EXAMPLES.rglob("*.md")))
    assert len({p["error_kind"] + p["source_path"] for p in first["problems"]}) == n_err
    assert runs == [(first["run_id"], n_sources)]
    assert first["totals"]["citations"] == n_cit
    # independent: every anchor of every loadable example note is a citation
    loadable = [f for f in note_files(EXAMPLES) if "videoId:" in read_text(f)]
    assert n_cit == sum(count_anchors(read_text(f)) for f in loadable)

    before = snapshot(db)
    second = ingest_flow([str(EXAMPLES)], str(db))
    assert second["sources_loaded"] == 0
    assert second["claims_loaded"] == 0 and second["anchors_loaded"] == 0
    assert second["sources_unchanged"] == first["sources_loaded"]
    assert snapshot(db) == before


def test_flow_and_library_agree(prefect_harness, tmp_path: Path) -> None:
    from flows.ingest import ingest as ingest_flow
    from ytclaims.pipeline import ingest

    flow_db, lib_db = tmp_path / "flow.duckdb", tmp_path / "lib.duckdb"
    ingest_flow([str(EXAMPLES)], str(flow_db))
    ingest([EXAMPLES], lib_db)
    q = (
        "SELECT claim_id, video_id, anchor_ordinal, anchor_raw, text, seconds, "
        "timestamp_status, url FROM citations"
    )
    with ro(flow_db) as a, ro(lib_db) as b:
        rows_a = sorted(a.execute(q).fetchall(), key=repr)
        rows_b = sorted(b.execute(q).fetchall(), key=repr)
    assert rows_a and rows_a == rows_b
