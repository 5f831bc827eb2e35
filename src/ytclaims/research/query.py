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
from ytclaims.research.cite import fetch_record, markdown
from ytclaims.warehouse.db import connect_read

#: What DuckDB says when a statement would write: to the read-only file, or to the file
#: system that this connection may not touch.
_WRITE_REFUSALS = ("read-only mode", "file system operations are disabled")


def _query_error(exc: duckdb.Error) -> errors.QueryError:
    """A syntax or binder error says check the SQL; only a refused write says read-only."""
    text = str(exc)
    if isinstance(exc, duckdb.PermissionException) or any(s in text for s in _WRITE_REFUSALS):
        return errors.QueryWriteError(text)
    return errors.QueryError(text)


def run_query(db: Path, sql: str) -> tuple[list[str], list[tuple[object, ...]]]:
    """Run one SQL statement read-only and return (column names, rows).

    The file is opened read-only and without access to the file system or network
    (``enable_external_access = false``), so ``COPY ... TO`` cannot write anywhere;
    exactly one statement is accepted. Exports are ``ytclaims export``'s job.
    """
    con = connect_read(db, external_access=False)
    try:
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as exc:
            raise _query_error(exc) from exc
        if len(statements) != 1:
            raise errors.QueryError(
                f"Expected one SQL statement, got {len(statements)}.",
                hint="Run one statement per 'ytclaims query'.",
            )
        try:
            rel = con.execute(sql)
        except duckdb.Error as exc:
            raise _query_error(exc) from exc
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
        return buf.getvalue().rstrip("\n")
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


def _feature_name(word: str) -> str:
    """A classifier input word as a reader would say it."""
    for prefix, where in (("l:", "lead-in"), ("h:", "heading"), ("t:", "title")):
        if word.startswith(prefix):
            return f"'{word[2:]}' in the {where}"
    if word[:2] in ("r:", "s:", "e:"):
        return "rule " + word[2:]
    return f"'{word}'"


def _classifier_words(claim: dict[str, object], labels: list[str]) -> dict[str, list]:
    """Top input words of the installed classifier per label (spaCy imported only here)."""
    if not labels:
        return {}
    from ytclaims.tags.explain import top_features

    return top_features(claim, labels)


def explain(db: Path, claim_id: str) -> str:
    """Why a claim carries each of its labels, read from ``tag_evidence``."""
    con = connect_read(db)
    try:
        claim = con.execute(
            "SELECT text, layers, trends, about_ai, lead_in, heading_path, note_title "
            "FROM claims WHERE claim_id = ?",
            [claim_id],
        ).fetchone()
        if claim is None:
            raise errors.ClaimNotFoundError(f"No claim '{claim_id}'.")
        rows = con.execute(
            "SELECT group_id, label_id, label_score, context_source, evidence_id, matched_text, "
            "weight "
            "FROM tag_evidence WHERE claim_id = ? "
            "ORDER BY group_id = 'gate' DESC, group_id, label_id, context_source, matched_text",
            [claim_id],
        ).fetchall()
        ents = con.execute(
            "SELECT label, text, value FROM entities WHERE claim_id = ? ORDER BY start_char",
            [claim_id],
        ).fetchall()
    finally:
        con.close()
    text, layers, trends, about_ai, lead_in, heading, title = claim
    out = [
        f"claim {claim_id}: {text}",
        f"context: note '{title}'"
        + (f"; heading '{heading}'" if heading else "")
        + (f"; lead-in '{lead_in}'" if lead_in else ""),
        f"about_ai: {about_ai}   layers: {', '.join(layers) or '-'}   "
        f"trends: {', '.join(trends) or '-'}",
    ]
    by_classifier = [(g, lb) for g, lb, _s, src, *_ in rows if src == "classifier"]
    words = _classifier_words(
        {"text": text, "lead_in": lead_in, "heading_path": heading, "note_title": title},
        [("about_ai" if g == "gate" else lb) for g, lb in by_classifier],
    )
    current = None
    for g, lb, score, src, ev, matched, w in rows:
        if (g, lb) != current:
            current = (g, lb)
            out.append(f"{g}/{lb} (score {score:.2f}):")
        if src == "classifier":
            out.append(f"  - classifier: probability {matched.removeprefix('p=')} (textcat)")
            top = words.get("about_ai" if g == "gate" else lb)
            if top:
                out.append(
                    "    words that raised it most (log-odds): "
                    + ", ".join(f"{_feature_name(x)} (+{d:.2f})" for x, d in top)
                )
            continue
        out.append(f"  - {src}: '{matched}' matched {ev} (weight {w:g})")
    if not rows:
        out.append("no evidence: no label of the taxonomy matched this claim or its context.")
    if ents:
        out.append(
            "entities: "
            + "; ".join(
                f"{lab} '{t}'" + (f" = {v:g}" if v is not None else "") for lab, t, v in ents
            )
        )
    return "\n".join(out)
