"""The full-text (BM25) index over claims and transcript sentences: built by the writer.

DuckDB's full-text-search extension is loaded from the ``duckdb-extension-fts`` wheel
(``LOAD '<path>'``), never downloaded: ytclaims must work offline, and a plain
``match_bm25`` call on a connection without the extension makes DuckDB try to fetch it
from the network.

The index is built at write time (:func:`build_search_index`, inside the loader's
transaction so it never disagrees with the claims it indexes) and only read at search
time (``ytclaims.research.search``), so searching works on a read-only connection. The
index does not follow later writes by itself; its digest (a count and hash of the
indexed ids) is kept in ``meta`` and a search refuses a stale index instead of silently
missing new claims.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb

from ytclaims import errors

#: Index settings. Digits are kept in tokens (the extension's default drops them), so
#: "10x", "h100" and "2030" are searchable; dots split tokens, so "1.2" is "1" and "2".
STEMMER = "english"
STOPWORDS = "english"
IGNORE = r"(\.|[^a-z0-9])+"
#: Bump when the index settings change: a stored digest of another version is stale.
INDEX_VERSION = "2"  # 2: the sentence copy carries checkworthy and claim_id

CLAIMS_FTS = "fts_main_claims"
SENTENCE_TABLE = "sentence_docs"
SENTENCES_FTS = "fts_main_sentence_docs"
META_CLAIMS = "search_index_claims"
META_SENTENCES = "search_index_sentences"
SOURCE_KINDS = ("note", "transcript")

_FTS_TABLE_COMMENTS = {
    "docs": "Full-text index: one row per indexed document (docid, name = the row id, len = "
    "number of indexed terms).",
    "terms": "Full-text index: one row per term occurrence (docid, fieldid, termid).",
    "dict": "Full-text index: the vocabulary (termid, stemmed term, document frequency df).",
    "stats": "Full-text index: number of documents and average document length (BM25).",
    "fields": "Full-text index: the indexed columns.",
    "stopwords": "Full-text index: words left out of the index (English stop-words).",
}
_FTS_COLUMN_COMMENTS = {
    ("docs", "docid"): "Internal document number.",
    ("docs", "name"): "Id of the indexed row (claims.claim_id or sentence_docs.sentence_id).",
    ("docs", "len"): "Indexed terms in the document.",
    ("terms", "docid"): "Document the term occurs in.",
    ("terms", "fieldid"): "Column it occurs in.",
    ("terms", "termid"): "The term (dict.termid).",
    (
        "terms",
        "doclen",
    ): "Length of the document of this posting (docs.len), so ranking needs no join.",
    ("dict", "termid"): "Term number.",
    ("dict", "term"): "Stemmed, lower-cased term.",
    ("dict", "df"): "Documents containing the term.",
    ("stats", "num_docs"): "Documents in the index.",
    ("stats", "avgdl"): "Average document length in terms.",
    ("fields", "fieldid"): "Column number.",
    ("fields", "field"): "Column name.",
    ("stopwords", "sw"): "A stop-word.",
}


# --- the extension ------------------------------------------------------------------------


def fts_extension_path() -> Path:
    """Where the pip package ``duckdb-extension-fts`` keeps the build for this DuckDB."""
    try:
        import duckdb_extension_fts
    except ImportError as exc:  # pragma: no cover - a pinned dependency
        raise errors.WarehouseError(
            "The full-text search extension is not installed.",
            hint=f"pip install duckdb-extension-fts=={duckdb.__version__}",
        ) from exc
    path = (
        Path(duckdb_extension_fts.__path__[0])
        / "extensions"
        / f"v{duckdb.__version__}"
        / "fts.duckdb_extension"
    )
    if not path.is_file():
        raise errors.WarehouseError(
            f"No full-text search extension for DuckDB {duckdb.__version__} at {path}.",
            hint=f"pip install duckdb-extension-fts=={duckdb.__version__}",
        )
    return path


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load the fts extension into ``con`` from the wheel (offline; repeating is harmless)."""
    path = str(fts_extension_path()).replace("'", "''")
    try:
        con.execute(f"LOAD '{path}'")
    except duckdb.Error as exc:
        raise errors.QueryError(
            f"Cannot load the full-text search extension: {exc}",
            hint="Open the warehouse with external access enabled (connect_read's default).",
        ) from exc


# --- building the index -------------------------------------------------------------------


def _digest(con: duckdb.DuckDBPyConnection, table: str, key: str) -> str:
    # A count and an xor of row hashes changes whenever indexed rows are added, removed
    # or replaced (claim_id already hashes the claim text; sentences hash their text).
    n, x = con.execute(
        f"SELECT count(*), coalesce(bit_xor(hash({key})), 0) FROM {table}"
    ).fetchone()  # type: ignore[misc]
    return f"v{INDEX_VERSION}:{n}:{x}"


def _sentences_digest(con: duckdb.DuckDBPyConnection) -> str:
    return _digest(con, "sentences", "source_id, sentence_index, text, checkworthy, claim_id")


def _claims_digest(con: duckdb.DuckDBPyConnection) -> str:
    return _digest(con, "claims", "claim_id")


def stored_digest(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def schema_exists(con: duckdb.DuckDBPyConnection, schema: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_schemas() "
        "WHERE database_name = current_database() AND schema_name = ?",
        [schema],
    ).fetchone()
    return bool(row and row[0])


def _comment_fts_tables(con: duckdb.DuckDBPyConnection, schema: str, what: str) -> None:
    """Every table and column of the warehouse carries a comment; so do the index's."""
    for table, text in _FTS_TABLE_COMMENTS.items():
        con.execute(f"COMMENT ON TABLE {schema}.{table} IS '{what}. {text}'")
    for (table, column), text in _FTS_COLUMN_COMMENTS.items():
        con.execute(f"COMMENT ON COLUMN {schema}.{table}.{column} IS '{text}'")


def _create_index(con: duckdb.DuckDBPyConnection, table: str, key: str) -> None:
    con.execute(
        f"PRAGMA create_fts_index('{table}', '{key}', 'text', stemmer='{STEMMER}', "
        f"stopwords='{STOPWORDS}', ignore='{IGNORE}', strip_accents=1, lower=1, overwrite=1)"
    )
    # Store the postings sorted by term: a query then reads only the row groups of its
    # terms (DuckDB's min/max zone maps), 4-5x faster at 700k claims; costs ~2 s here.
    fts = f"fts_main_{table}"
    # Each posting also carries its document's length, so ranking needs no join with
    # the 700k-row docs table (only the top hits are looked up there, for their names).
    con.execute(
        f"CREATE OR REPLACE TABLE {fts}.terms AS "
        f"SELECT t.docid, t.fieldid, t.termid, d.len AS doclen "
        f"FROM {fts}.terms t JOIN {fts}.docs d ON d.docid = t.docid ORDER BY t.termid, t.docid"
    )


def _set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def build_search_index(con: duckdb.DuckDBPyConnection, *, force: bool = False) -> dict[str, Any]:
    """(Re)build the BM25 indexes over claims and transcript sentences, when they changed.

    Call it on a write connection, once per transaction, after the last write to
    ``claims``/``sentences`` (the loader does it inside its run transaction, so the index
    commits or rolls back with the rows it indexes). DuckDB 1.5.5 cannot commit a
    transaction that builds the same fts index twice ("another transaction has dropped
    this table"): the commit fails and the whole transaction is rolled back. An index
    whose stored digest still matches is left alone (unless ``force``), so a no-op
    ingest does not pay the rebuild (23-33 s at 704k claims on 2 cores).

    Sentences have no single-column key, so they are copied with one
    (``sentence_docs``) and that copy is indexed; the fts extension indexes base
    tables only. Returns what was done: claims/sentences counts, which index was rebuilt,
    and seconds.
    """
    t0 = time.perf_counter()
    load_fts(con)
    out: dict[str, Any] = {"claims_rebuilt": False, "sentences_rebuilt": False}

    dg_claims = _claims_digest(con)
    if force or not schema_exists(con, CLAIMS_FTS) or stored_digest(con, META_CLAIMS) != dg_claims:
        _create_index(con, "claims", "claim_id")
        _comment_fts_tables(
            con, CLAIMS_FTS, "Search index over claims.text (ytclaims.research.search)"
        )
        _set_meta(con, META_CLAIMS, dg_claims)
        out["claims_rebuilt"] = True

    dg_sent = _sentences_digest(con)
    if (
        force
        or not schema_exists(con, SENTENCES_FTS)
        or stored_digest(con, META_SENTENCES) != dg_sent
    ):
        con.execute(
            f"CREATE OR REPLACE TABLE {SENTENCE_TABLE} AS "
            "SELECT source_id || ':' || sentence_index AS sentence_id, source_id, "
            'sentence_index, video_id, track, start, "end", text, checkworthy, claim_id '
            "FROM sentences"
        )
        _comment_sentence_docs(con)
        _create_index(con, SENTENCE_TABLE, "sentence_id")
        _comment_fts_tables(
            con, SENTENCES_FTS, "Search index over transcript sentences (ytclaims.research.search)"
        )
        _set_meta(con, META_SENTENCES, dg_sent)
        out["sentences_rebuilt"] = True

    n_claims, n_sent = con.execute(
        "SELECT (SELECT count(*) FROM claims), (SELECT count(*) FROM sentences)"
    ).fetchone()  # type: ignore[misc]
    out |= {"claims": n_claims, "sentences": n_sent, "seconds": time.perf_counter() - t0}
    return out


def _comment_sentence_docs(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"COMMENT ON TABLE {SENTENCE_TABLE} IS 'Search input: a copy of sentences with a "
        "single-column key, because the full-text index needs one; rebuilt with the index "
        "(ytclaims.warehouse.search_index.build_search_index).'"
    )
    for col, text in {
        "sentence_id": "source_id:sentence_index, unique.",
        "source_id": "Transcript source (sentences.source_id).",
        "sentence_index": "Position in the track (sentences.sentence_index).",
        "video_id": "YouTube video id.",
        "track": "Track name.",
        "start": "Start in seconds.",
        '"end"': "End in seconds.",
        "text": "Sentence text (indexed).",
        "checkworthy": "Check-worthiness of the sentence (sentences.checkworthy).",
        "claim_id": "Transcript claim the sentence became, if any (sentences.claim_id).",
    }.items():
        con.execute(f"COMMENT ON COLUMN {SENTENCE_TABLE}.{col} IS '{text}'")
