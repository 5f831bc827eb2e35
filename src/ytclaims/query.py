"""Read-only access to the warehouse: SQL queries and claim lookups.

Everything here opens the file read-only (DuckDB then refuses writes itself) and
imports neither Prefect nor spaCy, so ``ytclaims query`` and ``ytclaims cite``
answer in well under a second.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb

from ytclaims import errors
from ytclaims.cite import fetch_record, markdown
from ytclaims.warehouse.db import connect_read


def run_query(db: Path, sql: str) -> tuple[list[str], list[tuple[object, ...]]]:
    """Run one SQL statement read-only and return (column names, rows)."""
    con = connect_read(db)
    try:
        try:
            rel = con.execute(sql)
        except duckdb.Error as exc:
            raise errors.QueryError(f"{exc}") from exc
        cols = [d[0] for d in (rel.description or [])]
        rows = rel.fetchall() if rel.description else []
        return cols, rows
    finally:
        con.close()


def format_rows(cols: list[str], rows: list[tuple[object, ...]], fmt: str) -> str:
    """Render query results as csv or json (tables are drawn by the CLI with Rich)."""
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        w.writerows(rows)
        return buf.getvalue()
    if fmt == "json":
        return json.dumps(
            [dict(zip(cols, r, strict=True)) for r in rows],
            default=str,
            ensure_ascii=False,
            indent=2,
        )
    raise errors.QueryError(f"Unknown format '{fmt}'.", hint="Use table, csv or json.")


def cite(db: Path, claim_id: str) -> str:
    """The Markdown citation of one claim."""
    con = connect_read(db)
    try:
        return markdown(fetch_record(con, claim_id))
    finally:
        con.close()
