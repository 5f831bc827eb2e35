"""Keyword search (BM25) over claims and transcript sentences: the read side.

Scoring reads the index tables the extension builds (``fts_main_claims.dict/terms/docs/
stats``, see ``ytclaims.warehouse.search_index``) with exactly the formula of its
``match_bm25`` macro (k=1.2, b=0.75), starting from the query's terms instead of calling
the macro once per claim row: the same scores (tests compare them), but only documents
containing a query term are touched. Measured on 704k claims (2 cores), ranking through
the macro took 0.55-1.0 s per query, this way 0.1-0.2 s; the details of the top hits are
then read from the citations view.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ytclaims import errors
from ytclaims.warehouse.search_index import (
    CLAIMS_FTS,
    INDEX_VERSION,
    META_CLAIMS,
    META_SENTENCES,
    SENTENCE_TABLE,
    SENTENCES_FTS,
    SOURCE_KINDS,
    STEMMER,
    load_fts,
    schema_exists,
    stored_digest,
)

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


def _quick_digest(con: duckdb.DuckDBPyConnection, table: str, meta_key: str) -> str:
    """What the index's stored digest must look like now, checked cheaply.

    ytclaims rebuilds the index in the same transaction that changes the rows, so at
    query time a row count is enough to catch a warehouse edited behind its back; the
    full hash over every id (100+ ms at 700k claims) is only needed when building.
    """
    stored = stored_digest(con, meta_key) or ""
    parts = stored.split(":")
    n = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
    if len(parts) == 3 and parts[0] == f"v{INDEX_VERSION}" and parts[1] == str(n):
        return stored
    return f"v{INDEX_VERSION}:{n}:?"


def _check_index(con: duckdb.DuckDBPyConnection, fts: str, meta_key: str, fresh: str) -> None:
    if not schema_exists(con, fts) or stored_digest(con, meta_key) is None:
        raise errors.QueryError(
            "This warehouse has no search index.",
            hint="Run 'ytclaims ingest' (it builds the index), or call "
            "ytclaims.warehouse.search_index.build_search_index on a write connection.",
        )
    if stored_digest(con, meta_key) != fresh:
        raise errors.QueryError(
            "The search index is out of date: rows changed after it was built, so a "
            "search would miss or invent results.",
            hint="Re-run 'ytclaims ingest' (it rebuilds the index), or call "
            "ytclaims.warehouse.search_index.build_search_index on a write connection.",
        )


def _check_limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise errors.QueryError(f"limit must be a positive whole number, not {limit!r}.")
    return limit


def valid_labels(
    con: duckdb.DuckDBPyConnection | None, group: str, *, taxonomy: str | None = None
) -> list[str]:
    """Label ids a ``--layer``/``--trend`` filter may name: the taxonomy's ids of
    ``group`` (the default one unless given) plus any the warehouse holds (a warehouse
    tagged with ``--taxonomy FILE``)."""
    from ytclaims.tags.taxonomy import load_taxonomy

    g = load_taxonomy(taxonomy).group(group)
    ids = [lb.id for lb in g.labels] if g is not None else []
    if con is not None:
        try:
            rows = con.execute(
                "SELECT DISTINCT label_id FROM claim_tags WHERE group_id = ? ORDER BY 1", [group]
            ).fetchall()
        except duckdb.Error:
            rows = []
        ids += [r[0] for r in rows if r[0] not in ids]
    return ids


def check_label(
    con: duckdb.DuckDBPyConnection | None, group: str, value: str, *, taxonomy: str | None = None
) -> None:
    """Raise UnknownLabelError, listing the valid ids, unless ``value`` is one of them.

    A misspelt filter (``--layer infra``, ``--trend datacenters``) would otherwise match
    nothing and look like an answer: "no claims about that".
    """
    ids = valid_labels(con, group, taxonomy=taxonomy)
    if value not in ids:
        option = "--layer" if group == "layers" else "--trend" if group == "trends" else group
        raise errors.UnknownLabelError(f"Unknown {option} {value!r}. Valid ids: {', '.join(ids)}.")


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
    channel_name (the best known display name), score. Works on a read-only
    connection; raises QueryError for queries with nothing to search for and for a
    missing or stale index.
    """
    query = _require_text(query)
    limit = _check_limit(limit)
    if source_kind is not None and source_kind not in SOURCE_KINDS:
        raise errors.QueryError(
            f"Unknown source kind {source_kind!r}.", hint="Use note or transcript."
        )
    load_fts(con)
    _check_index(con, CLAIMS_FTS, META_CLAIMS, _quick_digest(con, "claims", META_CLAIMS))
    n_terms = _check_query(con, CLAIMS_FTS, query)

    where: list[str] = []
    params: dict[str, object] = {"q": query, "limit": limit}
    if all_terms:
        params["n_terms"] = n_terms
    if layer is not None:
        check_label(con, "layers", layer)
        where.append("list_contains(c.layers, $layer)")
        params["layer"] = layer
    if trend is not None:
        check_label(con, "trends", trend)
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
                -- best known title and channel name (README: Video metadata)
                SELECT video_id, title, channel, channel_name FROM videos
                WHERE video_id IN (SELECT video_id FROM c)
            )
            SELECT c.claim_id, c.text,
                   CASE WHEN agg.sec IS NULL THEN NULL
                        ELSE 'https://www.youtube.com/watch?v=' || c.video_id || '&t='
                             || TRY_CAST(floor(agg.sec) AS BIGINT) || 's' END AS url,
                   TRY_CAST(floor(agg.sec) AS INTEGER) AS seconds,
                   agg.timestamp_status, c.layers, c.trends,
                   coalesce(c.channel, vi.channel) AS channel, c.video_id, vi.title,
                   s.source_kind, vi.channel_name
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
    min_checkworthy: float | None = None,
    claims_only: bool = False,
) -> list[dict[str, Any]]:
    """Transcript sentences ranked by BM25 against ``query``, best first.

    Every sentence is searched, not only those picked as transcript claims: what was
    said, with a link that opens the video at the sentence's start. Each result: rank,
    video_id, title, channel, channel_name, start, end, seconds, text, url
    (``&t=<seconds>s``), track, source_id, sentence_index, checkworthy (0-1), claim_id
    (the transcript claim the sentence became, else None), score. ``min_checkworthy``
    keeps sentences scoring at least that; ``claims_only`` keeps those chosen as claims.
    """
    query = _require_text(query)
    limit = _check_limit(limit)
    load_fts(con)
    _check_index(
        con, SENTENCES_FTS, META_SENTENCES, _quick_digest(con, "sentences", META_SENTENCES)
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
    if min_checkworthy is not None:
        where.append("d.checkworthy >= $min_cw")
        params["min_cw"] = float(min_checkworthy)
    if claims_only:
        where.append("d.claim_id IS NOT NULL")
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
           d.video_id, v.title, v.channel, v.channel_name, d.start, d."end",
           TRY_CAST(floor(d.start) AS BIGINT) AS seconds, d.text,
           'https://www.youtube.com/watch?v=' || d.video_id || '&t='
               || TRY_CAST(floor(d.start) AS BIGINT) || 's' AS url,
           d.track, d.source_id, d.sentence_index, d.checkworthy, d.claim_id, t.score
    FROM top t
    JOIN {SENTENCE_TABLE} d ON d.sentence_id = t.sentence_id
    LEFT JOIN videos v ON v.video_id = d.video_id
    ORDER BY rank
    """
    return _dicts(con.execute(sql, params))


def _dicts(rel: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in rel.description or []]
    return [dict(zip(cols, row, strict=True)) for row in rel.fetchall()]
