"""Per-video timestamp resolution inside the writer's transaction.

After a run's rows are loaded, every *affected* video is resolved again as a whole:
videos whose notes or transcripts were (re)loaded in this run, videos with anchors
that have no resolution yet, and every video when the resolver itself changed
(``RESOLVER_VERSION`` is kept in ``meta``). So a transcript that arrives after its
notes, or a note that arrives after its transcript, re-resolves exactly that video,
without re-parsing anything.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pyarrow as pa

from ytclaims.timestamps.align import Sentence, TranscriptIndex
from ytclaims.timestamps.video import AnchorInput, VideoInput, resolve_many

#: Bump when resolution logic changes: every video is then resolved again once.
RESOLVER_VERSION = "2"

RESOLUTION_SCHEMA = pa.schema(  # column order = timestamps.video.ROW_FIELDS
    [
        ("video_id", pa.string()),
        ("source_id", pa.string()),
        ("anchor_ordinal", pa.int32()),
        ("seconds", pa.float64()),
        ("timestamp_status", pa.string()),
        ("reading", pa.string()),
        ("reason", pa.string()),
        ("rejected_readings", pa.list_(pa.string())),
        ("anchor_seconds", pa.float64()),
        ("match_start", pa.float64()),
        ("match_end", pa.float64()),
        ("match_text", pa.string()),
        ("match_score", pa.float64()),
        ("match_confident", pa.bool_()),
        ("offset_seconds", pa.float64()),
        ("quote", pa.string()),
        ("quote_start", pa.float64()),
        ("quote_end", pa.float64()),
    ]
)


def affected_videos(con: duckdb.DuckDBPyConnection, loaded_source_ids: list[str]) -> list[str]:
    """Videos to resolve again after a load (see module docstring)."""
    row = con.execute("SELECT value FROM meta WHERE key = 'resolver_version'").fetchone()
    if row is None or row[0] != RESOLVER_VERSION:
        rows = con.execute(
            "SELECT DISTINCT video_id FROM sources WHERE video_id IS NOT NULL "
            "UNION SELECT DISTINCT video_id FROM transcript_tracks"
        ).fetchall()
        return sorted(r[0] for r in rows)
    con.register("_loaded_ids", pa.table({"source_id": pa.array(loaded_source_ids, pa.string())}))
    rows = con.execute(
        """
        SELECT DISTINCT video_id FROM sources
        WHERE source_id IN (SELECT source_id FROM _loaded_ids) AND video_id IS NOT NULL
        UNION
        SELECT DISTINCT video_id FROM transcript_tracks
        WHERE source_id IN (SELECT source_id FROM _loaded_ids)
        UNION
        -- metadata (a duration) for a video: its readings are checked against it again
        SELECT DISTINCT video_id FROM video_metadata
        WHERE source_id IN (SELECT source_id FROM _loaded_ids)
        UNION
        SELECT DISTINCT s.video_id FROM anchors a JOIN sources s ON s.source_id = a.source_id
        WHERE s.source_kind = 'note' AND NOT EXISTS (
            SELECT 1 FROM anchor_resolution r
            WHERE r.source_id = a.source_id AND r.anchor_ordinal = a.anchor_ordinal)
        """
    ).fetchall()
    con.unregister("_loaded_ids")
    return sorted(r[0] for r in rows if r[0])


def _best_tracks(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """video -> source_id of the transcript track to align against."""
    rows = con.execute(
        """
        SELECT video_id, source_id
        FROM transcript_tracks
        WHERE video_id IN (SELECT video_id FROM _videos)
        QUALIFY row_number() OVER (
            PARTITION BY video_id
            ORDER BY kind = 'manual' DESC, coalesce(language, '') LIKE 'en%' DESC,
                     has_word_timings DESC, source_id) = 1
        """
    ).fetchall()
    return dict(rows)


def durations(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """The best known length of each video in ``_videos``: the one place resolution reads
    durations from.

    It is ``videos.duration_seconds``, which takes the most trusted source the warehouse
    has (today the end of the longest caption track; video metadata, where a source
    provides it, plugs in there). A reading past it is impossible, so the value must be
    a length the video really has, never a guess.
    """
    rows = con.execute(
        "SELECT video_id, max(duration_seconds) FROM videos "
        "WHERE video_id IN (SELECT video_id FROM _videos) AND duration_seconds IS NOT NULL "
        "GROUP BY video_id"
    ).fetchall()
    return {v: float(d) for v, d in rows if d is not None and d > 0}


def resolve_videos(con: duckdb.DuckDBPyConnection, video_ids: list[str]) -> int:
    """Recompute ``anchor_resolution`` for these videos; returns anchors resolved."""
    if not video_ids:
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('resolver_version', ?)", [RESOLVER_VERSION]
        )
        return 0
    con.register("_videos", pa.table({"video_id": pa.array(video_ids, pa.string())}))
    tracks = _best_tracks(con)
    lengths = durations(con)
    sentences: dict[str, list[Sentence]] = defaultdict(list)
    if tracks:
        con.register("_tracks", pa.table({"source_id": pa.array(list(tracks.values()))}))
        for vid, start, end, text in con.execute(
            'SELECT video_id, start, "end", text FROM sentences '
            "WHERE source_id IN (SELECT source_id FROM _tracks) ORDER BY video_id, sentence_index"
        ).fetchall():
            sentences[vid].append(Sentence(start, end, text))
        con.unregister("_tracks")
    con.execute("DELETE FROM anchor_resolution WHERE video_id IN (SELECT video_id FROM _videos)")
    n_resolved = 0
    for i in range(0, len(video_ids), CHUNK_VIDEOS):
        n_resolved += _resolve_chunk(con, video_ids[i : i + CHUNK_VIDEOS], lengths, sentences)
    con.unregister("_videos")
    con.execute("INSERT OR REPLACE INTO meta VALUES ('resolver_version', ?)", [RESOLVER_VERSION])
    return n_resolved


#: Videos resolved per round trip: bounds the Python objects held at once (at 21k notes,
#: holding all 731k anchors and their rows cost over a gigabyte) without many queries.
CHUNK_VIDEOS = 1000


def _resolve_chunk(
    con: duckdb.DuckDBPyConnection,
    video_ids: list[str],
    lengths: dict[str, float],
    sentences: dict[str, list[Sentence]],
) -> int:
    """Resolve and insert the anchors of some videos; returns how many."""
    con.register("_chunk", pa.table({"video_id": pa.array(video_ids, pa.string())}))
    tracked = [v for v in video_ids if sentences.get(v)]
    con.register("_tracked", pa.table({"video_id": pa.array(tracked, pa.string())}))
    by_video: dict[str, list[AnchorInput]] = defaultdict(list)
    # The claim text is only read to align with a transcript: fetch it for those videos.
    for row in con.execute(
        """
        SELECT c.video_id, a.source_id, a.anchor_ordinal, a.claim_id,
               CASE WHEN c.video_id IN (SELECT video_id FROM _tracked) THEN c.text END,
               a.parse_status, a.form,
               -- two flat lists convert to Python far faster than a list of structs
               list_transform(a.candidates, c -> c.reading),
               list_transform(a.candidates, c -> c.seconds),
               a.anchor_seconds, a.anchor_reading,
               a.timestamp_status, a.resolution_reason, a.data_t_raw, a.label_raw
        FROM anchors a JOIN claims c USING (claim_id) JOIN sources s ON s.source_id = a.source_id
        WHERE s.source_kind = 'note' AND c.video_id IN (SELECT video_id FROM _chunk)
        ORDER BY c.video_id, a.source_id, a.anchor_ordinal
        """
    ).fetchall():
        # Positional: source_id, anchor_ordinal, claim_id, text, parse_status, form,
        # candidates, note_seconds, note_reading, note_status, note_reason, data-t, label.
        by_video[row[0]].append(
            AnchorInput(
                row[1],
                row[2],
                row[3],
                row[4] or "",
                row[5],
                row[6],
                list(zip(row[7] or [], row[8] or [], strict=True)),
                row[9],
                row[10],
                row[11],
                row[12],
                row[13],
                row[14],
            )
        )
    con.unregister("_tracked")
    con.unregister("_chunk")
    inputs = [
        VideoInput(
            vid,
            by_video[vid],
            lengths.get(vid),
            TranscriptIndex(sentences[vid]) if sentences.get(vid) else None,
        )
        for vid in video_ids
        if by_video.get(vid)
    ]
    out: list[tuple[object, ...]] = []
    for v, resolved in zip(inputs, resolve_many(inputs), strict=True):
        out.extend(r.as_tuple(v.video_id) for r in resolved)
    if out:
        columns = list(zip(*out, strict=True))
        table = pa.Table.from_arrays(
            [pa.array(col, f.type) for col, f in zip(columns, RESOLUTION_SCHEMA, strict=True)],
            schema=RESOLUTION_SCHEMA,
        )
        con.register("_resolution", table)
        con.execute("INSERT INTO anchor_resolution BY NAME SELECT * FROM _resolution")
        con.unregister("_resolution")
    return len(out)
