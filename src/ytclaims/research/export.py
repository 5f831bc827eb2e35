"""Export query results (by default every citation) to Parquet, CSV or JSON Lines.

DuckDB writes the file itself (``COPY (query) TO 'out'``): no rows pass through Python,
so exporting 700k citations takes seconds and little memory. The warehouse is opened
read-only, but with external access (COPY TO must write a file), which is why the user's
SQL is checked first: exactly one SELECT statement, nothing that writes, attaches,
installs or sets anything. ``ytclaims query`` stays the sandboxed way to run other SQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import duckdb

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


def export(db: Path, out: Path, fmt: Format, query: str | None = None) -> int:
    """Write the rows of ``query`` (default: every citation) to ``out``; return the row count.

    ``fmt`` is ``parquet``, ``csv`` (with a header row; list columns are written as
    DuckDB prints them, e.g. ``[model, application]``) or ``jsonl`` (one JSON object per
    line, lists as arrays). An existing file at ``out`` is replaced (whole, only once the
    new one is complete); missing folders are created. ``out`` may not be the warehouse
    or one of its files, nor a folder (:func:`ytclaims.research.output.check_target`).
    """
    if fmt not in COPY_OPTIONS:
        raise errors.QueryError(
            f"Unknown export format {fmt!r}.", hint="Use parquet, csv or jsonl."
        )
    out = Path(out)
    check_target(out, Path(db))
    con = connect_read(Path(db))
    try:
        sql = check_select(con, query) if query is not None else DEFAULT_QUERY
        with atomic_output(out) as tmp:
            target = str(tmp).replace("'", "''")
            # Newlines around the query: a trailing "-- comment" cannot swallow the ")".
            copy = f"COPY (\n{sql}\n) TO '{target}' ({COPY_OPTIONS[fmt]})"
            try:
                row = con.execute(copy).fetchone()
            except duckdb.Error as exc:
                raise errors.QueryError(
                    f"Export failed: {exc}",
                    hint="Check the query against the schema (README: Warehouse) and that "
                    f"{out.parent} is writable.",
                ) from exc
        return int(row[0]) if row else 0
    finally:
        con.close()
