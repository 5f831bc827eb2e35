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


#: Re-sort the postings by term once this share of them was appended since the last sort
#: (queries read only their terms' row groups while the table is sorted).
RESORT_SHARE = 0.2
#: The ``sentences`` columns ``sentence_docs`` copies, after its single-column key.
SENTENCE_FIELDS = (
    "source_id",
    "sentence_index",
    "video_id",
    "track",
    "start",
    "end",
    "text",
    "checkworthy",
    "claim_id",
)
#: The columns of ``sentence_docs``, in order: a table from an older ytclaims with other
#: columns is rebuilt whole.
SENTENCE_DOC_NAMES = ("sentence_id", *SENTENCE_FIELDS)
#: Its rows, selected from ``sentences``.
SENTENCE_DOC_COLUMNS = "source_id || ':' || sentence_index AS sentence_id, " + ", ".join(
    f'"{c}"' for c in SENTENCE_FIELDS
)


def _row(alias: str) -> str:
    """``(alias."source_id", ...)``: a sentence copy's fields, compared as one row."""
    return "(" + ", ".join(f'{alias}."{c}"' for c in SENTENCE_FIELDS) + ")"


def _stopwords() -> list[str]:
    """The fts extension's English stop-words (571), read from a throw-away index so the
    index built here drops exactly the words the extension would."""
    con = duckdb.connect()
    try:
        load_fts(con)
        con.execute("CREATE TABLE t (id INTEGER, text VARCHAR)")
        con.execute(f"PRAGMA create_fts_index('t', 'id', 'text', stopwords='{STOPWORDS}')")
        return [r[0] for r in con.execute("SELECT sw FROM fts_main_t.stopwords").fetchall()]
    finally:
        con.close()


def _ensure_index_tables(con: duckdb.DuckDBPyConnection, fts: str, what: str) -> None:
    """The tables (and ``tokenize`` macro) the fts extension would create, empty, where
    missing; a warehouse indexed by the extension keeps its tables as they are."""
    has_stats = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = 'stats'",
        [fts],
    ).fetchone()[0]  # type: ignore[index]
    if has_stats:
        return
    ignore = IGNORE.replace("'", "''")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {fts}")
    con.execute(
        f"CREATE OR REPLACE MACRO {fts}.tokenize(s) AS string_split_regex(regexp_replace("
        f"lower(strip_accents(CAST(s AS VARCHAR))), '{ignore}', ' ', 'g'), '\\s+')"
    )
    con.execute(f"CREATE OR REPLACE TABLE {fts}.stopwords (sw VARCHAR)")
    con.executemany(f"INSERT INTO {fts}.stopwords VALUES (?)", [[w] for w in _stopwords()])
    con.execute(f"CREATE OR REPLACE TABLE {fts}.fields (fieldid BIGINT, field VARCHAR)")
    con.execute(f"INSERT INTO {fts}.fields VALUES (0, 'text')")
    con.execute(f"CREATE OR REPLACE TABLE {fts}.docs (docid BIGINT, name VARCHAR, len BIGINT)")
    con.execute(f"CREATE OR REPLACE TABLE {fts}.dict (termid BIGINT, term VARCHAR, df BIGINT)")
    con.execute(
        f"CREATE OR REPLACE TABLE {fts}.terms "
        "(docid BIGINT, fieldid BIGINT, termid BIGINT, doclen BIGINT)"
    )
    con.execute(f"CREATE OR REPLACE TABLE {fts}.stats (num_docs BIGINT, avgdl DOUBLE)")
    _comment_fts_tables(con, fts, what)


def _sync_index(
    con: duckdb.DuckDBPyConnection, fts: str, source: str, gone_names: str | None = None
) -> dict[str, int]:
    """Bring index ``fts`` in line with ``source`` (a query of ``name, text`` rows).

    Only what changed is tokenized: documents whose name left ``source`` (or is listed by
    ``gone_names``, for rows whose text changed under the same name) are removed with
    their postings, and rows of ``source`` the index lacks are added. Document
    frequencies, lengths and the statistics follow, so scores are exactly those of a
    full rebuild by the fts extension (a test compares the two).
    """
    gone_extra = f" OR d.name IN ({gone_names})" if gone_names else ""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _fts_gone AS SELECT d.docid FROM {fts}.docs d "
        f"WHERE d.name NOT IN (SELECT name FROM ({source})){gone_extra}"
    )
    n_gone = con.execute("SELECT count(*) FROM _fts_gone").fetchone()[0]  # type: ignore[index]
    if n_gone:
        con.execute(
            f"UPDATE {fts}.dict SET df = dict.df - g.n FROM (SELECT termid, count(DISTINCT "
            f"docid) AS n FROM {fts}.terms WHERE docid IN (SELECT docid FROM _fts_gone) "
            "GROUP BY termid) g WHERE dict.termid = g.termid"
        )
        con.execute(f"DELETE FROM {fts}.terms WHERE docid IN (SELECT docid FROM _fts_gone)")
        con.execute(f"DELETE FROM {fts}.docs WHERE docid IN (SELECT docid FROM _fts_gone)")
        con.execute(f"DELETE FROM {fts}.dict WHERE df <= 0")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _fts_new AS SELECT (row_number() OVER (ORDER BY s.name) "
        f"+ (SELECT coalesce(max(docid), -1) FROM {fts}.docs))::BIGINT AS docid, s.name, "
        f"s.text FROM ({source}) s WHERE s.name NOT IN (SELECT name FROM {fts}.docs)"
    )
    n_new = con.execute("SELECT count(*) FROM _fts_new").fetchone()[0]  # type: ignore[index]
    if n_new:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _fts_tok AS SELECT docid, "
            f"stem(t, '{STEMMER}') AS term FROM (SELECT docid, unnest({fts}.tokenize(text)) "
            f"AS t FROM _fts_new) WHERE t <> '' AND t NOT IN (SELECT sw FROM {fts}.stopwords)"
        )
        con.execute(
            f"INSERT INTO {fts}.dict SELECT (row_number() OVER (ORDER BY term) + (SELECT "
            f"coalesce(max(termid), -1) FROM {fts}.dict))::BIGINT, term, 0 FROM (SELECT "
            f"DISTINCT term FROM _fts_tok) WHERE term NOT IN (SELECT term FROM {fts}.dict)"
        )
        con.execute(
            f"UPDATE {fts}.dict SET df = dict.df + a.n FROM (SELECT term, count(DISTINCT "
            "docid) AS n FROM _fts_tok GROUP BY term) a WHERE dict.term = a.term"
        )
        con.execute(
            f"INSERT INTO {fts}.docs SELECT n.docid, n.name, coalesce(l.len, 0)::BIGINT "
            "FROM _fts_new n LEFT JOIN (SELECT docid, count(*) AS len FROM _fts_tok GROUP BY "
            "docid) l USING (docid)"
        )
        # Each posting carries its document's length, so ranking needs no join with docs.
        con.execute(
            f"INSERT INTO {fts}.terms SELECT t.docid, 0, d.termid, docs.len FROM _fts_tok t "
            f"JOIN {fts}.dict d USING (term) JOIN {fts}.docs docs USING (docid) "
            "ORDER BY d.termid, t.docid"
        )
    if n_gone or n_new:
        con.execute(f"DELETE FROM {fts}.stats")
        con.execute(
            f"INSERT INTO {fts}.stats SELECT count(*)::BIGINT, coalesce(avg(len), 0)::DOUBLE "
            f"FROM {fts}.docs"
        )
        _maybe_resort(con, fts, int(n_new))
    for t in ("_fts_gone", "_fts_new", "_fts_tok"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return {"removed": int(n_gone), "added": int(n_new)}


def _maybe_resort(con: duckdb.DuckDBPyConnection, fts: str, n_new: int) -> None:
    """Keep the postings sorted by term: a query then reads only the row groups of its
    terms (DuckDB's min/max zone maps), 4-5x faster at 700k claims. Appended postings
    are sorted among themselves only; the table is re-sorted once documents appended
    since the last sort pass :data:`RESORT_SHARE` of all."""
    # The index's own bookkeeping lives with it (not in meta, which describes the data).
    con.execute(f"CREATE TABLE IF NOT EXISTS {fts}.layout (appended_docs BIGINT)")
    con.execute(
        f"COMMENT ON TABLE {fts}.layout IS 'Full-text index: documents appended since the "
        "postings were last sorted by term (they are re-sorted past a share of all).'"
    )
    con.execute(
        f"COMMENT ON COLUMN {fts}.layout.appended_docs IS 'Documents appended since the last sort.'"
    )
    row = con.execute(f"SELECT max(appended_docs) FROM {fts}.layout").fetchone()
    total = con.execute(f"SELECT count(*) FROM {fts}.docs").fetchone()[0]  # type: ignore[index]
    appended = int((row[0] if row else None) or 0) + n_new
    if n_new >= total:
        appended = 0  # the whole index was just written, in term order
    elif appended > RESORT_SHARE * total:
        # Rewritten in place (not re-created), so the table keeps its comments.
        con.execute(f"CREATE OR REPLACE TEMP TABLE _fts_sorted AS SELECT * FROM {fts}.terms")
        con.execute(f"DELETE FROM {fts}.terms")
        con.execute(f"INSERT INTO {fts}.terms SELECT * FROM _fts_sorted ORDER BY termid, docid")
        con.execute("DROP TABLE _fts_sorted")
        appended = 0
    con.execute(f"DELETE FROM {fts}.layout")
    con.execute(f"INSERT INTO {fts}.layout VALUES (?)", [appended])


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
        if force:
            con.execute(f"DROP SCHEMA IF EXISTS {CLAIMS_FTS} CASCADE")
        _ensure_index_tables(
            con, CLAIMS_FTS, "Search index over claims.text (ytclaims.research.search)"
        )
        out["claims_changes"] = _sync_index(
            con, CLAIMS_FTS, "SELECT claim_id AS name, text FROM claims"
        )
        _set_meta(con, META_CLAIMS, dg_claims)
        out["claims_rebuilt"] = True

    dg_sent = _sentences_digest(con)
    if (
        force
        or not schema_exists(con, SENTENCES_FTS)
        or stored_digest(con, META_SENTENCES) != dg_sent
    ):
        if force:
            con.execute(f"DROP SCHEMA IF EXISTS {SENTENCES_FTS} CASCADE")
            con.execute(f"DROP TABLE IF EXISTS {SENTENCE_TABLE}")
        rewritten = _sync_sentence_docs(con)
        _ensure_index_tables(
            con, SENTENCES_FTS, "Search index over transcript sentences (ytclaims.research.search)"
        )
        changes = _sync_index(
            con,
            SENTENCES_FTS,
            f"SELECT sentence_id AS name, text FROM {SENTENCE_TABLE}",
            gone_names="SELECT sentence_id FROM _changed_sentences",
        )
        con.execute("DROP TABLE IF EXISTS _changed_sentences")
        out["sentences_changes"] = changes | {"rewritten": rewritten}
        _set_meta(con, META_SENTENCES, dg_sent)
        out["sentences_rebuilt"] = True

    n_claims, n_sent = con.execute(
        "SELECT (SELECT count(*) FROM claims), (SELECT count(*) FROM sentences)"
    ).fetchone()  # type: ignore[misc]
    out |= {"claims": n_claims, "sentences": n_sent, "seconds": time.perf_counter() - t0}
    return out


def _sync_sentence_docs(con: duckdb.DuckDBPyConnection) -> int:
    """Bring ``sentence_docs`` in line with ``sentences``; returns how many of its ids now
    name other text. They are listed in the temp table ``_changed_sentences`` so the
    index drops their old postings: a re-loaded transcript keeps its source id and
    sentence indexes."""
    have = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
            "AND schema_name = 'main' ORDER BY column_index",
            [SENTENCE_TABLE],
        ).fetchall()
    ]
    exists = bool(have)
    if exists and tuple(have) != SENTENCE_DOC_NAMES:  # written by an older ytclaims
        con.execute(f"DROP SCHEMA IF EXISTS {SENTENCES_FTS} CASCADE")
        con.execute(f"DROP TABLE {SENTENCE_TABLE}")
        exists = False
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _sentences_now AS SELECT {SENTENCE_DOC_COLUMNS} "
        "FROM sentences"
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _changed_sentences (sentence_id VARCHAR)")
    if not exists:
        con.execute(f"CREATE TABLE {SENTENCE_TABLE} AS SELECT * FROM _sentences_now")
        _comment_sentence_docs(con)
    else:
        con.execute(
            "INSERT INTO _changed_sentences SELECT d.sentence_id FROM "
            f"{SENTENCE_TABLE} d JOIN _sentences_now n USING (sentence_id) "
            "WHERE d.text IS DISTINCT FROM n.text"
        )
        # Gone, re-worded, or re-scored (checkworthy, claim_id): replaced; only re-worded
        # ones change the index's postings.
        con.execute(
            f"DELETE FROM {SENTENCE_TABLE} WHERE sentence_id NOT IN (SELECT sentence_id "
            "FROM _sentences_now) OR sentence_id IN (SELECT d.sentence_id FROM "
            f"{SENTENCE_TABLE} d JOIN _sentences_now n USING (sentence_id) WHERE "
            f"{_row('d')} IS DISTINCT FROM {_row('n')})"
        )
        con.execute(
            f"INSERT INTO {SENTENCE_TABLE} SELECT * FROM _sentences_now WHERE sentence_id "
            f"NOT IN (SELECT sentence_id FROM {SENTENCE_TABLE})"
        )
    con.execute("DROP TABLE _sentences_now")
    row = con.execute("SELECT count(*) FROM _changed_sentences").fetchone()
    return int(row[0]) if row else 0


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
