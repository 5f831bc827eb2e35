"""Exports: Parquet, CSV and JSON Lines round-trips, custom SELECTs, and refusals.

Each exported file is read back with DuckDB's own readers (read_parquet, read_csv,
read_json) and compared row for row with the same query run directly on the warehouse.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from helpers import REPO, loose_checkworthy, ro

from ytclaims import errors
from ytclaims.pipeline import ingest
from ytclaims.research.export import export, format_for

FIX = REPO / "tests" / "fixtures" / "search"
ORDER = "ORDER BY source_key, anchor_ordinal"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("export") / "export.duckdb"
    with loose_checkworthy():  # the fixture captions' claims, not the model, are under test
        ingest(
            [FIX / "notes", FIX / "captions"], db, taxonomy=str(FIX / "taxonomy.toml"), workers=1
        )
    return db


def source_rows(db: Path, sql: str) -> tuple[list[str], list[tuple]]:
    with ro(db) as con:
        rel = con.execute(sql)
        return [d[0] for d in rel.description], rel.fetchall()


def read_back(path: Path, reader: str) -> tuple[list[str], list[tuple]]:
    con = duckdb.connect()
    try:
        rel = con.execute(f"SELECT * FROM {reader}(?)", [str(path)])
        return [d[0] for d in rel.description], rel.fetchall()
    finally:
        con.close()


def test_parquet_round_trip_of_every_citation(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "citations.parquet"
    n = export(db, out, "parquet")
    cols, want = source_rows(db, f"SELECT * FROM citations {ORDER}")
    got_cols, got = read_back(out, "read_parquet")
    assert n == len(want) > 20
    assert got_cols == cols
    assert got == want  # types survive: lists stay lists, NULLs stay NULL


def test_jsonl_round_trip(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "citations.jsonl"
    n = export(db, out, "jsonl")
    cols, want = source_rows(db, f"SELECT * FROM citations {ORDER}")
    lines = out.read_text("utf-8").splitlines()
    assert n == len(lines) == len(want)
    assert all(line.startswith("{") and line.endswith("}") for line in lines)
    got_cols, got = read_back(out, "read_json")
    assert got_cols == cols
    for g, w in zip(got, want, strict=True):
        for c, a, b in zip(cols, g, w, strict=True):
            # JSON has one number type; compare as numbers where the source is numeric.
            assert (a == pytest.approx(b)) if isinstance(b, float) else (a == b), c


def test_csv_round_trip(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "citations.csv"
    n = export(db, out, "csv")
    # CSV holds text: compare with every source value cast to text by DuckDB.
    cols, want = source_rows(db, f"SELECT COLUMNS(*)::VARCHAR FROM citations {ORDER}")
    got_cols, got = read_back(out, "read_csv")
    assert n == len(want)
    assert got_cols == cols  # a header row
    con = duckdb.connect()
    try:
        got = con.execute(
            "SELECT COLUMNS(*)::VARCHAR FROM read_csv(?, all_varchar = true)", [str(out)]
        ).fetchall()
    finally:
        con.close()
    assert got == want


def test_custom_select(db: Path, tmp_path: Path) -> None:
    query = (
        "-- claims of one video\n"
        "WITH c AS (SELECT claim_id, text, layers, seconds FROM citations "
        "WHERE video_id = 'srchAlphaB2')\n"
        "SELECT * FROM c ORDER BY claim_id, seconds -- trailing comment;\n"
    )
    out = tmp_path / "sub" / "dir" / "b2.parquet"
    n = export(db, out, "parquet", query)
    _, want = source_rows(db, query)
    _, got = read_back(out, "read_parquet")
    assert n == len(want) > 0
    assert got == want
    assert {r[0] for r in got} < {r[0] for r in source_rows(db, "SELECT claim_id FROM claims")[1]}


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("DELETE FROM claims", "not DELETE"),
        ("DROP TABLE claims", "not DROP"),
        ("INSERT INTO meta VALUES ('x', 'y')", "not INSERT"),
        ("COPY claims TO '/tmp/ytclaims_should_not_exist.csv'", "not COPY"),
        ("SELECT 1; DELETE FROM claims", "got 2"),
        ("ATTACH ':memory:' AS other", "not ATTACH"),
        ("CREATE TABLE x AS SELECT 1", "not CREATE"),
        ("   ", "Empty"),
        ("SELEC * FROM claims", "does not parse"),
    ],
)
def test_anything_but_one_select_is_refused(db: Path, tmp_path: Path, query: str, why: str) -> None:
    with ro(db) as con:
        before = con.execute("SELECT count(*) FROM claims").fetchone()
    out = tmp_path / "refused.csv"
    with pytest.raises(errors.QueryError, match=why):
        export(db, out, "csv", query)
    assert not out.exists()
    assert not Path("/tmp/ytclaims_should_not_exist.csv").exists()
    with ro(db) as con:
        assert con.execute("SELECT count(*) FROM claims").fetchone() == before


def test_unknown_format_is_refused(db: Path, tmp_path: Path) -> None:
    with pytest.raises(errors.QueryError, match="parquet, csv or jsonl"):
        export(db, tmp_path / "x.xlsx", "xlsx")  # type: ignore[arg-type]


def test_missing_warehouse_is_reported(tmp_path: Path) -> None:
    with pytest.raises(errors.WarehouseMissingError):
        export(tmp_path / "nope.duckdb", tmp_path / "x.csv", "csv")


def test_format_from_the_file_name() -> None:
    assert format_for(Path("a/b.PARQUET")) == "parquet"
    assert format_for(Path("b.csv")) == "csv"
    assert format_for(Path("b.jsonl")) == "jsonl"
    with pytest.raises(errors.QueryError):
        format_for(Path("b.txt"))
