"""Keyword search (BM25) over claims and transcript sentences, and the analysis views.

DuckDB's full-text-search extension is loaded from the ``duckdb-extension-fts`` wheel
(``LOAD '<path>'``), never downloaded: ytclaims must work offline, and a plain
``match_bm25`` call on a connection without the extension makes DuckDB try to fetch it
from the network.

The index is built at write time (:func:`build_search_index`, meant to run inside the
loader's transaction so it never disagrees with the claims it indexes) and only read at
search time, so searching works on a read-only connection. The index does not follow
later writes by itself; its fingerprint (a count and hash of the indexed ids) is kept in
``meta`` and a search refuses a stale index instead of silently missing new claims.

Scoring reads the index tables the extension builds (``fts_main_claims.dict/terms/docs/
stats``) with exactly the formula of its ``match_bm25`` macro (k=1.2, b=0.75), starting
from the query's terms instead of calling the macro once per claim row: the same scores
(tests compare them), but only documents containing a query term are touched. Measured
on 704k claims (2 cores), ranking through the macro took 0.55-1.0 s per query, this way
0.1-0.2 s; the details of the top hits are then read from the citations view.
"""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from ytclaims import errors

#: Index settings. Digits are kept in tokens (the extension's default drops them), so
#: "10x", "h100" and "2030" are searchable; dots split tokens, so "1.2" is "1" and "2".
STEMMER = "english"
STOPWORDS = "english"
IGNORE = r"(\.|[^a-z0-9])+"
#: Bump when the index settings change: a stored fingerprint of another version is stale.
INDEX_VERSION = "1"

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


def _fingerprint(con: duckdb.DuckDBPyConnection, table: str, key: str) -> str:
    # A count and an xor of row hashes changes whenever indexed rows are added, removed
    # or replaced (claim_id already hashes the claim text; sentences hash their text).
    n, x = con.execute(
        f"SELECT count(*), coalesce(bit_xor(hash({key})), 0) FROM {table}"
    ).fetchone()  # type: ignore[misc]
    return f"v{INDEX_VERSION}:{n}:{x}"


def _sentences_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    return _fingerprint(con, "sentences", "source_id, sentence_index, text")


def _claims_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    return _fingerprint(con, "claims", "claim_id")


def _stored(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def _schema_exists(con: duckdb.DuckDBPyConnection, schema: str) -> bool:
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
    whose stored fingerprint still matches is left alone (unless ``force``), so a no-op
    ingest does not pay the rebuild (23-33 s at 704k claims on 2 cores).

    Sentences have no single-column key, so they are copied with one
    (``sentence_docs``) and that copy is indexed; the fts extension indexes base
    tables only. Returns what was done: claims/sentences counts, which index was rebuilt,
    and seconds.
    """
    t0 = time.perf_counter()
    load_fts(con)
    out: dict[str, Any] = {"claims_rebuilt": False, "sentences_rebuilt": False}

    fp_claims = _claims_fingerprint(con)
    if force or not _schema_exists(con, CLAIMS_FTS) or _stored(con, META_CLAIMS) != fp_claims:
        _create_index(con, "claims", "claim_id")
        _comment_fts_tables(con, CLAIMS_FTS, "Search index over claims.text (ytclaims.search)")
        _set_meta(con, META_CLAIMS, fp_claims)
        out["claims_rebuilt"] = True

    fp_sent = _sentences_fingerprint(con)
    if force or not _schema_exists(con, SENTENCES_FTS) or _stored(con, META_SENTENCES) != fp_sent:
        con.execute(
            f"CREATE OR REPLACE TABLE {SENTENCE_TABLE} AS "
            "SELECT source_id || ':' || sentence_index AS sentence_id, source_id, "
            'sentence_index, video_id, track, start, "end", text FROM sentences'
        )
        _comment_sentence_docs(con)
        _create_index(con, SENTENCE_TABLE, "sentence_id")
        _comment_fts_tables(
            con, SENTENCES_FTS, "Search index over transcript sentences (ytclaims.search)"
        )
        _set_meta(con, META_SENTENCES, fp_sent)
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
        "(ytclaims.search.build_search_index).'"
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
    }.items():
        con.execute(f"COMMENT ON COLUMN {SENTENCE_TABLE}.{col} IS '{text}'")


# --- searching ----------------------------------------------------------------------------


def _bm25_ctes(fts: str, conjunctive: bool) -> str:
    """CTEs ending in ``scores(name, score)``: the ``match_bm25`` formula of the extension,
    computed from the query's terms (``$q`` must be bound; ``$n_terms`` when conjunctive)."""
    having = "HAVING count(DISTINCT tf.termid) = $n_terms" if conjunctive else ""
    return f"""
    tokens AS (
        SELECT DISTINCT stem(t, '{STEMMER}') AS t
        FROM (SELECT unnest({fts}.tokenize($q)) AS t)
        WHERE t <> '' AND t NOT IN (SELECT sw FROM {fts}.stopwords)
    ), qterms AS (
        SELECT d.termid, d.df FROM {fts}.dict d JOIN tokens ON d.term = tokens.t
    ), tf AS (
        SELECT docid, termid, count(*) AS tf, any_value(doclen) AS len
        FROM {fts}.terms WHERE termid IN (SELECT termid FROM qterms)
        GROUP BY docid, termid
    ), by_doc AS (
        SELECT tf.docid,
               sum(log(((st.num_docs - q.df) + 0.5) / (q.df + 0.5) + 1)
                   * ((tf.tf * (1.2 + 1))
                      / (tf.tf + 1.2 * ((1 - 0.75) + 0.75 * (tf.len / st.avgdl)))))
                   AS score
        FROM tf
        JOIN qterms q ON q.termid = tf.termid
        CROSS JOIN {fts}.stats st
        GROUP BY tf.docid
        {having}
    ), top_docs AS (
        -- The best documents by score before their names are looked up; generous, so
        -- ties at the cut are still ordered by name below.
        SELECT docid, score FROM by_doc ORDER BY score DESC LIMIT $pool
    ), scores AS (
        SELECT docs.name, t.score FROM top_docs t JOIN {fts}.docs docs ON docs.docid = t.docid
    )"""


def _require_text(query: object) -> str:
    if not isinstance(query, str) or not query.strip():
        raise errors.QueryError(
            "Empty search query.", hint='Give one or more words, e.g. "inference cost".'
        )
    return query


def _check_query(con: duckdb.DuckDBPyConnection, fts: str, query: str) -> int:
    """Refuse queries that cannot match anything, and say why; return the term count."""
    row = con.execute(
        f"SELECT count(DISTINCT stem(t, '{STEMMER}')) FROM (SELECT unnest({fts}.tokenize(?)) AS t) "
        f"WHERE t <> '' AND t NOT IN (SELECT sw FROM {fts}.stopwords)",
        [query],
    ).fetchone()
    n = int(row[0]) if row else 0
    if n == 0:
        raise errors.QueryError(
            f"Nothing to search for in {query!r}: it has no letters or digits, or only "
            "common words (the, and, of, ...) that the index leaves out.",
            hint='Search for content words, e.g. "inference cost" or "nvidia".',
        )
    return n


def _quick_fingerprint(con: duckdb.DuckDBPyConnection, table: str, meta_key: str) -> str:
    """What the index's stored fingerprint must look like now, checked cheaply.

    ytclaims rebuilds the index in the same transaction that changes the rows, so at
    query time a row count is enough to catch a warehouse edited behind its back; the
    full hash over every id (100+ ms at 700k claims) is only needed when building.
    """
    stored = _stored(con, meta_key) or ""
    parts = stored.split(":")
    n = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
    if len(parts) == 3 and parts[0] == f"v{INDEX_VERSION}" and parts[1] == str(n):
        return stored
    return f"v{INDEX_VERSION}:{n}:?"


def _check_index(con: duckdb.DuckDBPyConnection, fts: str, meta_key: str, fresh: str) -> None:
    if not _schema_exists(con, fts) or _stored(con, meta_key) is None:
        raise errors.QueryError(
            "This warehouse has no search index.",
            hint="Run 'ytclaims ingest' (it builds the index), or call "
            "ytclaims.search.build_search_index on a write connection.",
        )
    if _stored(con, meta_key) != fresh:
        raise errors.QueryError(
            "The search index is out of date: rows changed after it was built, so a "
            "search would miss or invent results.",
            hint="Re-run 'ytclaims ingest' (it rebuilds the index), or call "
            "ytclaims.search.build_search_index on a write connection.",
        )


def _check_limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise errors.QueryError(f"limit must be a positive whole number, not {limit!r}.")
    return limit


def search(
    con: duckdb.DuckDBPyConnection,
    query: str,
    *,
    layer: str | None = None,
    trend: str | None = None,
    channel: str | None = None,
    video: str | None = None,
    source_kind: str | None = None,
    limit: int = 20,
    all_terms: bool = False,
) -> list[dict[str, Any]]:
    """Claims (from notes and transcripts) ranked by BM25 against ``query``, best first.

    Filters are applied in SQL before ranking: ``layer``/``trend`` (a label in
    ``claims.layers``/``trends``), ``channel`` (case-insensitive; a transcript claim's
    channel is its video's), ``video`` (video id), ``source_kind`` (note or transcript).
    ``all_terms`` keeps only claims containing every (non-stop-word) query term.
    Each result: rank, claim_id, text, url and seconds (the first anchor with a known
    second), timestamp_status, layers, trends, channel, video_id, title, source_kind,
    score. Works on a read-only connection; raises QueryError for queries with nothing
    to search for and for a missing or stale index.
    """
    query = _require_text(query)
    limit = _check_limit(limit)
    if source_kind is not None and source_kind not in SOURCE_KINDS:
        raise errors.QueryError(
            f"Unknown source kind {source_kind!r}.", hint="Use note or transcript."
        )
    load_fts(con)
    _check_index(con, CLAIMS_FTS, META_CLAIMS, _quick_fingerprint(con, "claims", META_CLAIMS))
    n_terms = _check_query(con, CLAIMS_FTS, query)

    where: list[str] = []
    params: dict[str, object] = {"q": query, "limit": limit}
    if all_terms:
        params["n_terms"] = n_terms
    if layer is not None:
        where.append("list_contains(c.layers, $layer)")
        params["layer"] = layer
    if trend is not None:
        where.append("list_contains(c.trends, $trend)")
        params["trend"] = trend
    if video is not None:
        where.append("c.video_id = $video")
        params["video"] = video
    if source_kind is not None:
        where.append("c.source_id IN (SELECT source_id FROM sources WHERE source_kind = $kind)")
        params["kind"] = source_kind
    if channel is not None:
        where.append(
            "(lower(c.channel) = lower($channel) OR (c.channel IS NULL AND c.video_id IN "
            "(SELECT video_id FROM videos WHERE lower(channel) = lower($channel))))"
        )
        params["channel"] = channel
    # Two steps: rank (the index, plus the filter columns), then read the top ``limit``
    # claims from the citations view with their ids as a constant list, which DuckDB
    # pushes into the scans under the view (joining the view to the ranking is 5x slower).
    # Without filters only the best documents need names; with filters every match may
    # be needed, since filtering happens after scoring.
    params["pool"] = limit * 10 + 100 if not where else 2**62
    joined = "JOIN claims c ON c.claim_id = s.name WHERE " + " AND ".join(where) if where else ""
    top = con.execute(
        f"""
        WITH {_bm25_ctes(CLAIMS_FTS, all_terms)}
        SELECT s.name, s.score FROM scores s {joined}
        ORDER BY s.score DESC, s.name
        LIMIT $limit
        """,
        params,
    ).fetchall()
    if not top:
        return []
    # Details from the base tables, each filtered by the ids first: the same values as
    # the citations view (first anchor with a usable second), without joining the whole
    # view (which costs most of a second at 700k claims).
    ids = [name for name, _ in top]
    # Constant IN-lists let DuckDB use the claim-id indexes (a few ms) where a join
    # with a subquery would scan the tables.
    marks = ", ".join("?" for _ in ids)
    details = _dicts(
        con.execute(
            f"""
            WITH c AS (
                SELECT claim_id, text, layers, trends, channel, video_id, source_id
                FROM claims WHERE claim_id IN ({marks})
            ), a AS (
                SELECT claim_id, source_id, anchor_ordinal, anchor_seconds, timestamp_status
                FROM anchors WHERE claim_id IN ({marks})
            ), r AS (
                SELECT r.* FROM anchor_resolution r
                WHERE r.source_id IN (SELECT DISTINCT source_id FROM a)
            ), ar AS (
                SELECT a.claim_id, a.anchor_ordinal,
                       CASE WHEN r.source_id IS NULL THEN a.anchor_seconds ELSE r.seconds END
                           AS sec,
                       coalesce(r.timestamp_status, a.timestamp_status) AS status
                FROM a
                LEFT JOIN r ON r.source_id = a.source_id AND r.anchor_ordinal = a.anchor_ordinal
            ), agg AS (
                SELECT claim_id,
                       arg_min(sec, anchor_ordinal) FILTER (WHERE sec IS NOT NULL) AS sec,
                       coalesce(arg_min(status, anchor_ordinal) FILTER (WHERE sec IS NOT NULL),
                                arg_min(status, anchor_ordinal)) AS timestamp_status
                FROM ar GROUP BY claim_id
            ), vi AS (
                SELECT video_id, any_value(title ORDER BY source_id) AS title,
                       any_value(channel ORDER BY source_id) AS channel
                FROM video_index WHERE video_id IN (SELECT video_id FROM c)
                GROUP BY video_id
            )
            SELECT c.claim_id, c.text,
                   CASE WHEN agg.sec IS NULL THEN NULL
                        ELSE 'https://www.youtube.com/watch?v=' || c.video_id || '&t='
                             || CAST(floor(agg.sec) AS BIGINT) || 's' END AS url,
                   CAST(floor(agg.sec) AS INTEGER) AS seconds,
                   agg.timestamp_status, c.layers, c.trends,
                   coalesce(c.channel, vi.channel) AS channel, c.video_id, vi.title,
                   s.source_kind
            FROM c JOIN agg USING (claim_id)
            JOIN sources s ON s.source_id = c.source_id
            LEFT JOIN vi ON vi.video_id = c.video_id
            """,
            ids + ids,
        )
    )
    by_id = {d["claim_id"]: d for d in details}
    # Every claim has an anchor, hence a citation; a claim without one would still be
    # listed, with empty details, rather than crash the search.
    empty = dict.fromkeys(details[0] if details else ["claim_id"])
    return [
        {"rank": i} | by_id.get(name, empty | {"claim_id": name}) | {"score": score}
        for i, (name, score) in enumerate(top, 1)
    ]


def search_sentences(
    con: duckdb.DuckDBPyConnection,
    query: str,
    *,
    channel: str | None = None,
    video: str | None = None,
    limit: int = 20,
    all_terms: bool = False,
) -> list[dict[str, Any]]:
    """Transcript sentences ranked by BM25 against ``query``, best first.

    Every sentence is searched, not only those picked as transcript claims: what was
    said, with a link that opens the video at the sentence's start. Each result: rank,
    video_id, title, channel, start, end, seconds, text, url (``&t=<seconds>s``), track,
    source_id, sentence_index, score.
    """
    query = _require_text(query)
    limit = _check_limit(limit)
    load_fts(con)
    _check_index(
        con, SENTENCES_FTS, META_SENTENCES, _quick_fingerprint(con, "sentences", META_SENTENCES)
    )
    n_terms = _check_query(con, SENTENCES_FTS, query)
    where: list[str] = []
    params: dict[str, object] = {"q": query, "limit": limit}
    if all_terms:
        params["n_terms"] = n_terms
    if video is not None:
        where.append("d.video_id = $video")
        params["video"] = video
    if channel is not None:
        where.append(
            "d.video_id IN (SELECT video_id FROM videos WHERE lower(channel) = lower($channel))"
        )
        params["channel"] = channel
    params["pool"] = limit * 10 + 100 if not where else 2**62
    sql = f"""
    WITH {_bm25_ctes(SENTENCES_FTS, all_terms)},
    top AS (
        SELECT d.sentence_id, s.score
        FROM scores s JOIN {SENTENCE_TABLE} d ON d.sentence_id = s.name
        {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY s.score DESC, d.sentence_id
        LIMIT $limit
    )
    SELECT row_number() OVER (ORDER BY t.score DESC, t.sentence_id) AS rank,
           d.video_id, v.title, v.channel, d.start, d."end",
           CAST(floor(d.start) AS BIGINT) AS seconds, d.text,
           'https://www.youtube.com/watch?v=' || d.video_id || '&t='
               || CAST(floor(d.start) AS BIGINT) || 's' AS url,
           d.track, d.source_id, d.sentence_index, t.score
    FROM top t
    JOIN {SENTENCE_TABLE} d ON d.sentence_id = t.sentence_id
    LEFT JOIN videos v ON v.video_id = d.video_id
    ORDER BY rank
    """
    return _dicts(con.execute(sql, params))


def _dicts(rel: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in rel.description or []]
    return [dict(zip(cols, row, strict=True)) for row in rel.fetchall()]


# --- views --------------------------------------------------------------------------------


def views_sql() -> str:
    """The analysis views (``warehouse/views.sql``), shipped as package data."""
    return resources.files("ytclaims.warehouse").joinpath("views.sql").read_text("utf-8")


def apply_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the analysis views and their comments; idempotent, needs a write connection.

    Call it after ``schema.sql`` (the views read its tables and its citations/videos
    views), e.g. at the end of ``apply_schema``.
    """
    con.execute(views_sql())
