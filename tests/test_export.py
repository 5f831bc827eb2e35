"""Exports: Parquet, CSV and JSON Lines round-trips, custom SELECTs, and refusals.

Each exported file is read back with DuckDB's own readers (read_parquet, read_csv,
read_json), and CSV and JSON Lines with pandas, polars and pyarrow as their documentation
says (JSON columns of a CSV decoded with ``json``/``str.json_decode``; the schema file
given to readers that infer types), and compared row for row with the same query run
directly on the warehouse.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pytest
from helpers import REPO, ro

from ytclaims import errors
from ytclaims.pipeline import ingest
from ytclaims.research.export import arrow_schema, export, format_for, polars_schema, schema_path

FIX = REPO / "tests" / "fixtures" / "search"
ORDER = "ORDER BY source_key, anchor_ordinal"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("export") / "export.duckdb"
    ingest([FIX / "notes", FIX / "captions"], db, taxonomy=str(FIX / "taxonomy.toml"), workers=1)
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
    # CSV holds text: scalars as DuckDB casts them to text, lists and structs as JSON.
    cols, want = source_rows(
        db,
        "SELECT COLUMNS(c -> c NOT IN ('layers', 'trends', 'rejected_readings', "
        "'wiki_targets'))::VARCHAR, to_json(layers)::VARCHAR AS layers, "
        "to_json(trends)::VARCHAR AS trends, "
        "to_json(rejected_readings)::VARCHAR AS rejected_readings, "
        f"to_json(wiki_targets)::VARCHAR AS wiki_targets FROM citations {ORDER}",
    )
    got_cols, _ = read_back(out, "read_csv")
    assert n == len(want)
    con = duckdb.connect()
    try:
        got = con.execute(
            "SELECT COLUMNS(c -> c NOT IN ('layers', 'trends', 'rejected_readings', "
            "'wiki_targets'))::VARCHAR, layers, trends, rejected_readings, wiki_targets "
            "FROM read_csv(?, all_varchar = true)",
            [str(out)],
        ).fetchall()
    finally:
        con.close()
    assert sorted(got_cols) == sorted(cols)  # a header row
    assert got == want
    assert any(r[cols.index("layers")] not in ("[]", None) for r in got)  # tags as JSON arrays
    assert all(json.loads(r[cols.index("layers")]) is not None for r in got)


# --- the readers people use: pandas, polars, pyarrow -------------------------------------------

LIST_COLUMNS = ("layers", "trends", "wiki_targets", "rejected_readings")


def warehouse_lists(db: Path) -> list[dict]:
    """claim_id, seconds and the list columns of every citation, in export order."""
    cols, rows = source_rows(
        db, f"SELECT claim_id, seconds, {', '.join(LIST_COLUMNS)} FROM citations {ORDER}"
    )
    return [dict(zip(cols, r, strict=True)) for r in rows]


def _pick(records: list[dict]) -> list[dict]:
    keys = ("claim_id", "seconds", *LIST_COLUMNS)
    out = []
    for r in records:
        row = {k: r[k] for k in keys}
        s = row["seconds"]
        row["seconds"] = None if s is None or s != s else int(s)  # pandas: NaN for NULL
        out.append(row)
    return out


def _read_csv(path: Path, library: str, text: tuple[str, ...] = ()) -> list[dict]:
    """Read a CSV export the way each library's documentation says, decoding the JSON
    columns the schema file names (``text``: columns to keep as text, not inferred)."""
    spec = json.loads(schema_path(path).read_text("utf-8"))
    json_cols = [f["name"] for f in spec["fields"] if f["type"] in ("array", "object")]
    if library == "pandas":
        conv = {c: (lambda s: json.loads(s) if s else None) for c in json_cols}
        return pd.read_csv(path, converters=conv).to_dict("records")
    if library == "polars":
        types = polars_schema(path)
        df = pl.read_csv(path, schema_overrides={c: pl.String for c in [*json_cols, *text]})
        df = df.with_columns(pl.col(c).str.json_decode(types[c]) for c in json_cols)
        return df.to_dicts()
    opts = pacsv.ConvertOptions(column_types={c: pa.string() for c in [*json_cols, *text]})
    rows = pacsv.read_csv(path, convert_options=opts).to_pylist()
    for r in rows:
        for c in json_cols:
            r[c] = json.loads(r[c]) if r[c] else None
    return rows


def _read_jsonl(path: Path, library: str) -> list[dict]:
    if library == "pandas":
        return pd.read_json(path, lines=True, dtype=False).to_dict("records")
    if library == "polars":
        return pl.read_ndjson(path, schema=polars_schema(path)).to_dicts()
    opts = pajson.ParseOptions(explicit_schema=arrow_schema(path))
    return pajson.read_json(path, parse_options=opts).to_pylist()


@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_list_columns_round_trip_in_pandas_polars_and_pyarrow(
    db: Path, tmp_path: Path, fmt: str, library: str
) -> None:
    out = tmp_path / f"citations.{fmt}"
    export(db, out, fmt)  # type: ignore[arg-type]
    if fmt == "csv":
        spec = json.loads(schema_path(out).read_text("utf-8"))
        arrays = {f["name"] for f in spec["fields"] if f["type"] == "array"}
        assert set(LIST_COLUMNS) <= arrays
    got = _pick((_read_csv if fmt == "csv" else _read_jsonl)(out, library))
    want = warehouse_lists(db)
    assert got == want
    assert any(r["layers"] for r in want) and any(not r["layers"] for r in want)
    assert all(isinstance(r["rejected_readings"], list) for r in want)  # [] not NULL


EMPTY_FIRST = (
    "SELECT i, CASE WHEN i < 150 THEN CAST([] AS VARCHAR[]) ELSE ['model'] END AS layers, "
    "CASE WHEN i < 150 THEN NULL ELSE 'late' END AS note, "
    "CASE WHEN i < 150 THEN [] ELSE [{'reading': 'mm:ss:00', 'seconds': 90.0}] END AS cands "
    "FROM range(200) t(i) ORDER BY i"
)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_empty_lists_and_nulls_first_keep_their_types(db: Path, tmp_path: Path, fmt: str) -> None:
    """polars infers a type from the first 100 rows; a list column that starts with 150
    empty lists would become List(Null) and lose every later value. The schema file
    types it."""
    out = tmp_path / f"late.{fmt}"
    assert export(db, out, fmt, EMPTY_FIRST) == 200  # type: ignore[arg-type]
    types = polars_schema(out)
    assert types["layers"] == pl.List(pl.String) and types["note"] == pl.String
    assert types["cands"] == pl.List(pl.Struct({"reading": pl.String, "seconds": pl.Float64}))
    for library in ("pandas", "polars", "pyarrow"):
        if fmt == "csv":
            spec = json.loads(schema_path(out).read_text("utf-8"))
            assert [f["name"] for f in spec["fields"] if f["type"] == "array"] == [
                "layers",
                "cands",
            ]
            rows = _read_csv(out, library, text=("note",))
        else:
            rows = _read_jsonl(out, library)
        assert rows[0]["layers"] == [] and rows[199]["layers"] == ["model"], library
        assert rows[199]["cands"] == [{"reading": "mm:ss:00", "seconds": 90.0}], library
        assert rows[199]["note"] == "late", library


def test_timestamps_are_utc_iso_8601_whatever_the_zone(db: Path, tmp_path: Path) -> None:
    query = "SELECT source_id, loaded_at FROM sources ORDER BY source_id"
    _, want = source_rows(db, query)
    for fmt in ("csv", "jsonl"):
        out = tmp_path / f"loaded.{fmt}"
        export(db, out, fmt, query)  # type: ignore[arg-type]
        got = _read_jsonl(out, "pyarrow") if fmt == "jsonl" else pacsv.read_csv(out).to_pylist()
        for g, (_, at) in zip(got, want, strict=True):
            value = g["loaded_at"]
            if isinstance(value, str):
                assert value.endswith("Z")
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            assert value == at
        fields = {f["name"]: f for f in json.loads(schema_path(out).read_text("utf-8"))["fields"]}
        assert fields["loaded_at"]["type"] == "datetime"


def test_a_failed_export_leaves_the_previous_file_and_no_temporary_one(
    db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "keep.csv"
    export(db, out, "csv", "SELECT 1 AS a")
    before = out.read_bytes(), schema_path(out).read_bytes()
    with pytest.raises(errors.QueryError, match="Export failed"):
        # fails while DuckDB is writing rows, after the temporary file was opened
        export(db, out, "csv", "SELECT CAST(text AS INTEGER) AS n FROM claims")
    assert (out.read_bytes(), schema_path(out).read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.csv", "keep.csv.schema.json"]


def test_the_warehouse_is_never_an_export_target(db: Path) -> None:
    before = db.read_bytes()
    for fmt in ("parquet", "csv", "jsonl"):
        with pytest.raises(errors.QueryError, match="onto the warehouse"):
            export(db, db, fmt)  # type: ignore[arg-type]
    assert db.read_bytes() == before


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
