"""Export query results (by default every citation) to Parquet, CSV or JSON Lines.

DuckDB writes the file itself (``COPY (query) TO 'out'``): no rows pass through Python,
so exporting 700k citations takes seconds and little memory. The warehouse is opened
read-only, but with external access (COPY TO must write a file), which is why the user's
SQL is checked first: exactly one SELECT statement, nothing that writes, attaches,
installs or sets anything. ``ytclaims query`` stays the sandboxed way to run other SQL.

Each format is written for the readers people use on it (pandas, polars, pyarrow,
spreadsheets):

* **Parquet** carries its own types: lists stay lists, NULLs stay NULL. Written as is.
* **CSV** has only text, so list and struct columns are written as JSON (``["model",
  "infrastructure"]``, ``[]``), never as DuckDB's ``[model, infrastructure]``, which no
  reader can tell apart from text; NULL is an empty field.
* **JSON Lines** holds lists as arrays and NULL as ``null``. Readers that infer types
  from the first rows (polars reads 100) cannot type a list column whose first rows are
  all ``[]``, so every CSV and JSON Lines export comes with ``<file>.schema.json``: the
  columns, their types (Table Schema names, DuckDB's, and an Arrow schema readers can
  be given: :func:`arrow_schema`, :func:`polars_schema`).

Timestamps with a time zone are written in UTC as ISO 8601 (``2026-01-05T10:00:00.000000Z``)
in CSV and JSON Lines, whatever the machine's zone. Every file is written under a
temporary name beside the target and renamed when complete: a reader (or a crash) never
sees half an export, and a failed export leaves the previous file as it was. The
warehouse itself can never be the target.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, Literal

import duckdb
import pyarrow as pa

from ytclaims import errors
from ytclaims.research.output import atomic_output, check_target
from ytclaims.warehouse.db import connect_read

Format = Literal["parquet", "csv", "jsonl"]

#: What each format is written with.
COPY_OPTIONS: dict[str, str] = {
    "parquet": "FORMAT parquet",
    "csv": "FORMAT csv, HEADER true",
    "jsonl": "FORMAT json",  # newline-delimited: one object per line
}
SUFFIXES = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

#: Default export: the public citations view, in a stable order.
DEFAULT_QUERY = "SELECT * FROM citations ORDER BY source_key, anchor_ordinal"

#: Version of the ``.schema.json`` layout.
SCHEMA_VERSION = 1


def format_for(out: Path) -> Format:
    """The format an output file name asks for (for a CLI whose --format is optional)."""
    fmt = SUFFIXES.get(out.suffix.lower())
    if fmt is None:
        raise errors.QueryError(
            f"Cannot tell the export format from {out.name!r}.",
            hint="Name the file .parquet, .csv or .jsonl, or pass the format.",
        )
    return fmt  # type: ignore[return-value]


def check_select(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """The query text if it is exactly one SELECT statement; QueryError otherwise.

    DuckDB's own parser decides (``extract_statements``), so comments, CTEs, ``FROM x``
    shorthand and a trailing semicolon are all understood; the text returned has the
    semicolon and surrounding blanks removed, ready to be wrapped in ``COPY (...)``.
    """
    hint = "Export takes one SELECT query, e.g. \"SELECT * FROM citations WHERE video_id = '…'\"."
    if not isinstance(query, str) or not query.strip():
        raise errors.QueryError("Empty export query.", hint=hint)
    try:
        statements = con.extract_statements(query)
    except duckdb.Error as exc:
        raise errors.QueryError(f"The export query does not parse: {exc}", hint=hint) from exc
    if len(statements) != 1:
        raise errors.QueryError(f"Expected one SQL statement, got {len(statements)}.", hint=hint)
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise errors.QueryError(f"Only SELECT queries can be exported, not {kind.name}.", hint=hint)
    return statements[0].query.strip().rstrip(";").strip()


# --- column types -------------------------------------------------------------------------


def schema_path(out: Path) -> Path:
    """Where the column description of a CSV or JSON Lines export is written."""
    out = Path(out)
    return out.with_name(out.name + ".schema.json")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _is_nested(duck_type: str) -> bool:
    return _table_schema_type(duck_type) in ("array", "object")


def _table_schema_type(duck_type: str) -> str:
    """The Table Schema (frictionless) type name for a DuckDB type: ``array`` and
    ``object`` mean JSON text in a CSV field, as that specification defines them."""
    t = duck_type.upper()
    if t.endswith("]"):
        return "array"
    if t.startswith(("STRUCT", "MAP", "UNION")):
        return "object"
    if t == "BOOLEAN":
        return "boolean"
    if t in {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
             "UINTEGER", "UBIGINT", "UHUGEINT"}:  # fmt: skip
        return "integer"
    if t in {"FLOAT", "DOUBLE"} or t.startswith("DECIMAL"):
        return "number"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "datetime"
    if t.startswith("TIME"):
        return "time"
    return "string"


def _reader_type(t: pa.DataType, *, top: bool) -> pa.DataType:
    """The Arrow type a JSON reader should be given for a column DuckDB exported.

    Timestamps written by :func:`_select_list` (top level) are ISO 8601 that pyarrow and
    polars parse; JSON has no date, time, decimal or binary type, so those are text or
    float as written; lists and structs keep their element types (the point: an empty
    first list no longer hides them).
    """
    if pa.types.is_timestamp(t):
        if not top:
            return pa.string()
        return pa.timestamp("us", tz="UTC") if t.tz else pa.timestamp("us")
    if pa.types.is_dictionary(t):
        return _reader_type(t.value_type, top=top)
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pa.string()
    if pa.types.is_decimal(t):
        return pa.float64()
    if (
        pa.types.is_date(t)
        or pa.types.is_time(t)
        or pa.types.is_binary(t)
        or pa.types.is_large_binary(t)
        or pa.types.is_duration(t)
        or pa.types.is_interval(t)
        or pa.types.is_fixed_size_binary(t)
    ):
        return pa.string()
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return pa.list_(_reader_type(t.value_type, top=False))
    if pa.types.is_struct(t):
        return pa.struct(
            [
                pa.field(f.name, _reader_type(f.type, top=False))
                for f in (t.field(i) for i in range(t.num_fields))
            ]
        )
    return t


def _select_list(cols: list[str], types: list[str], fmt: str) -> str:
    """Projection that writes each column the way ``fmt``'s readers want it."""
    out = []
    for c, t in zip(cols, types, strict=True):
        q = _quote(c)
        upper = t.upper()
        if fmt == "csv" and _is_nested(t):
            out.append(f"CAST(to_json({q}) AS VARCHAR) AS {q}")
        elif upper == "TIMESTAMP WITH TIME ZONE":
            out.append(f"strftime(timezone('UTC', {q}), '%Y-%m-%dT%H:%M:%S.%fZ') AS {q}")
        elif upper == "TIMESTAMP":
            out.append(f"strftime({q}, '%Y-%m-%dT%H:%M:%S.%f') AS {q}")
        else:
            out.append(q)
    return ", ".join(out)


def _describe(rel: duckdb.DuckDBPyRelation) -> tuple[list[str], list[str], pa.Schema]:
    """Column names, DuckDB type names and the Arrow schema of a query, without running it."""
    cols = list(rel.columns)
    types = [str(t) for t in rel.types]
    empty = rel.limit(0).arrow()
    schema = empty.schema if hasattr(empty, "schema") else empty.read_all().schema
    return cols, types, schema


def _sidecar(
    out: Path, fmt: str, rows: int, cols: list[str], types: list[str], schema: pa.Schema
) -> dict[str, Any]:
    reader = pa.schema([pa.field(f.name, _reader_type(f.type, top=True)) for f in schema])
    fields = [
        {
            "name": c,
            "type": _table_schema_type(t),
            "duckdb_type": t,
            "arrow_type": str(f.type),
        }
        for c, t, f in zip(cols, types, reader, strict=True)
    ]
    return {
        "ytclaims_export_schema": SCHEMA_VERSION,
        "file": out.name,
        "format": fmt,
        "rows": rows,
        "encoding": "utf-8",
        "missingValues": [""] if fmt == "csv" else [],
        "notes": (
            "array/object columns are JSON text in CSV fields"
            if fmt == "csv"
            else "array/object columns are JSON arrays/objects; NULL is null"
        )
        + "; datetimes with a time zone are ISO 8601 in UTC; dates are YYYY-MM-DD text.",
        "fields": fields,
        "arrow_schema": base64.b64encode(reader.serialize().to_pybytes()).decode("ascii"),
    }


def arrow_schema(path: str | Path) -> pa.Schema:
    """The Arrow schema to read an export with: pass the export (``x.jsonl``) or its
    ``x.jsonl.schema.json``.

    ``pyarrow.json.read_json(p, parse_options=pyarrow.json.ParseOptions(
    explicit_schema=arrow_schema(p)))`` reads a JSON Lines export with every list
    typed; for CSV it gives the types its JSON columns decode to.
    """
    p = Path(path)
    if not p.name.endswith(".schema.json"):
        p = schema_path(p)
    try:
        data = json.loads(p.read_text("utf-8"))
        raw = base64.b64decode(data["arrow_schema"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise errors.QueryError(
            f"Cannot read the export schema {p}: {exc}.",
            hint="It is written beside every CSV and JSON Lines export; export again.",
        ) from exc
    return pa.ipc.read_schema(pa.py_buffer(raw))


def polars_schema(path: str | Path) -> Any:
    """:func:`arrow_schema` as a polars schema (needs polars installed):
    ``polars.read_ndjson(p, schema=polars_schema(p))``."""
    import polars as pl

    return pl.from_arrow(arrow_schema(path).empty_table()).schema  # type: ignore[union-attr]


# --- writing -------------------------------------------------------------------------------


def export(db: Path, out: Path, fmt: Format, query: str | None = None) -> int:
    """Write the rows of ``query`` (default: every citation) to ``out``; return the row count.

    ``fmt`` is ``parquet``, ``csv`` (a header row; lists and structs as JSON text) or
    ``jsonl`` (one JSON object per line); CSV and JSON Lines also get
    ``<out>.schema.json`` (module docstring). An existing file at ``out`` is replaced
    only once the new one is complete; missing folders are created. ``out`` may not be the
    warehouse or one of its files, nor a folder
    (:func:`ytclaims.research.output.check_target`).
    """
    if fmt not in COPY_OPTIONS:
        raise errors.QueryError(
            f"Unknown export format {fmt!r}.", hint="Use parquet, csv or jsonl."
        )
    out = Path(out)
    db = Path(db)
    check_target(out, db)
    if fmt != "parquet":
        check_target(schema_path(out), db)
    con = connect_read(db)
    try:
        sql = check_select(con, query) if query is not None else DEFAULT_QUERY
        try:
            rel = con.sql(sql)
            cols, types, schema = _describe(rel)
        except duckdb.Error as exc:
            raise errors.QueryError(
                f"Export failed: {exc}",
                hint="Check the query against the schema (README: Warehouse).",
            ) from exc
        if fmt == "parquet":
            body = sql
        else:
            # Newlines around the query: a trailing "-- comment" cannot swallow the ")".
            body = f"SELECT {_select_list(cols, types, fmt)} FROM (\n{sql}\n) AS _export"
        with atomic_output(out) as tmp:
            target = str(tmp).replace("'", "''")
            copy = f"COPY (\n{body}\n) TO '{target}' ({COPY_OPTIONS[fmt]})"
            try:
                row = con.execute(copy).fetchone()
            except duckdb.Error as exc:
                raise errors.QueryError(
                    f"Export failed: {exc}",
                    hint="Check the query against the schema (README: Warehouse) and that "
                    f"{out.parent} is writable.",
                ) from exc
            n = int(row[0]) if row else 0
            if fmt != "parquet":
                side = _sidecar(out, fmt, n, cols, types, schema)
                with atomic_output(schema_path(out)) as side_tmp:
                    side_tmp.write_text(json.dumps(side, indent=2) + "\n", encoding="utf-8")
        return n
    finally:
        con.close()
