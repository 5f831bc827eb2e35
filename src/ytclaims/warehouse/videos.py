"""The ``videos`` view's rows: each video's best known title, channel, date and duration.

Every source says something about a video: metadata files and fetched player responses
(``video_metadata``), the notes' channel index pages (``video_index``), the notes
(``sources``: their channel, how many, how many anchors) and transcripts (the end of the
last cue). :data:`ytclaims.sources.metadata.PRECEDENCE` ranks them; for each field the
best-ranked source that has a value wins, and among sources of one rank the most
recently loaded one, then the lowest source id (deterministic).

The ranking is computed by the loader, in the transaction that changed the sources, into
``video_info``, which the ``videos`` view reads: a read (``cite``, ``search``, the
timestamp resolver's durations) is then a plain scan, where computing the ranking in
the view cost every query some 20 ms of planning alone. It is recomputed whole (a few
hundred milliseconds at 20,000 videos) whenever a run loaded, replaced or pruned a
source, and once after an upgrade (:data:`VIDEO_INFO_VERSION` in ``meta``).
"""

from __future__ import annotations

import duckdb

from ytclaims.sources.metadata import PRECEDENCE

#: Bump when the ranking changes: every warehouse recomputes ``video_info`` once.
VIDEO_INFO_VERSION = "1"

#: Sort key of a fact: its rank, then the latest loaded, then its source (deterministic).
_KEY = "(rank, -epoch(loaded_at), tie)"


def _best(column: str) -> str:
    """The best-ranked non-NULL value of ``column``."""
    return f"arg_min({column}, {_KEY}) FILTER (WHERE {column} IS NOT NULL) AS {column}"


def _origin(column: str, alias: str) -> str:
    """Where the value :func:`_best` picked for ``column`` came from."""
    return f"arg_min(origin, {_KEY}) FILTER (WHERE {column} IS NOT NULL) AS {alias}"


#: One aggregation over every fact any source gives, ranked 1 (best) to 6:
#: youtube, yt-dlp, csv, index, note, transcript (sources.metadata.PRECEDENCE).
_RANKED_TEMPLATE = """
WITH facts AS (
    SELECT m.video_id, m.origin,
           {metadata_rank} AS rank,
           s.loaded_at, m.source_id AS tie, m.title, m.channel_name, m.channel_handle,
           m.upload_date, m.duration_seconds, m.retrieved_at, CAST(NULL AS INTEGER) AS n_anchors
    FROM video_metadata m JOIN sources s USING (source_id)
    UNION ALL
    SELECT i.video_id, 'index', {index_rank}, s.loaded_at, i.source_id, i.title, i.channel,
           NULL, NULL, NULL, NULL, NULL
    FROM video_index i JOIN sources s USING (source_id)
    UNION ALL
    SELECT video_id, 'note', {note_rank}, loaded_at, source_key, NULL, channel,
           NULL, NULL, NULL, NULL, n_anchors
    FROM sources WHERE source_kind = 'note' AND video_id IS NOT NULL
    UNION ALL
    SELECT t.video_id, 'transcript', {transcript_rank}, s.loaded_at, t.source_id, NULL, NULL,
           NULL, NULL, t.duration_seconds, NULL, NULL
    FROM transcript_tracks t JOIN sources s USING (source_id)
), ranked AS (
    -- Per field, the best-ranked source that has it; among equals the latest loaded.
    SELECT video_id,
           {best_title}, {title_source},
           coalesce(arg_min(channel_name, tie) FILTER (WHERE origin = 'index'),
                    arg_min(channel_name, tie) FILTER (WHERE origin = 'note')) AS channel,
           {best_duration}, {duration_source},
           count(*) FILTER (WHERE origin = 'note') AS n_notes,
           coalesce(sum(n_anchors) FILTER (WHERE origin = 'note'), 0) AS n_anchors,
           {best_name}, {name_source}, {best_handle},
           {best_date}, {date_source}, {best_retrieved},
           min(loaded_at) AS first_loaded
    FROM facts GROUP BY video_id
)
"""


def _rank(origin: str) -> int:
    return PRECEDENCE.index(origin) + 1


RANKED_SQL = _RANKED_TEMPLATE.format(
    metadata_rank="CASE m.origin "
    + " ".join(f"WHEN '{o}' THEN {_rank(o)}" for o in ("youtube", "yt-dlp", "csv"))
    + " END",
    index_rank=_rank("index"),
    note_rank=_rank("note"),
    transcript_rank=_rank("transcript"),
    best_title=_best("title"),
    title_source=_origin("title", "title_source"),
    best_duration=_best("duration_seconds"),
    duration_source=_origin("duration_seconds", "duration_source"),
    best_name=_best("channel_name"),
    name_source=_origin("channel_name", "channel_name_source"),
    best_handle=_best("channel_handle"),
    best_date=_best("upload_date"),
    date_source=_origin("upload_date", "upload_date_source"),
    best_retrieved=_best("retrieved_at"),
)

_INSERT = (
    "INSERT INTO video_info BY NAME "
    + RANKED_SQL
    + """
SELECT video_id, title, channel, duration_seconds, n_notes, n_anchors, channel_name,
       channel_handle, upload_date,
       CAST(timezone('UTC', coalesce(retrieved_at, first_loaded)) AS DATE) AS accessed_date,
       title_source, channel_name_source, upload_date_source, duration_source
FROM ranked
"""
)


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Was ``video_info`` computed by this version of the ranking?"""
    row = con.execute("SELECT value FROM meta WHERE key = 'video_info_version'").fetchone()
    return row is not None and row[0] == VIDEO_INFO_VERSION


def refresh_video_info(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute every video's row (inside the caller's transaction); returns the count."""
    con.execute("DELETE FROM video_info")
    con.execute(_INSERT)
    con.execute(
        "INSERT OR REPLACE INTO meta VALUES ('video_info_version', ?)", [VIDEO_INFO_VERSION]
    )
    (n,) = con.execute("SELECT count(*) FROM video_info").fetchone()  # type: ignore[misc]
    return int(n)
