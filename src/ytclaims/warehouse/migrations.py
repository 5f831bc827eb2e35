"""Schema migrations: a warehouse written by an older ytclaims is brought up to date.

``schema.sql`` always describes the newest shape, with ``CREATE TABLE IF NOT EXISTS``: a
fresh file gets it whole, but an existing table keeps its old columns. Each change of an
existing table is therefore also a step here, written so that it is harmless on a table
that already has the new shape (``ADD COLUMN IF NOT EXISTS``, ``CREATE ... IF NOT
EXISTS``), and ``meta.schema_version`` records the last step applied. Steps run in
order, inside the writer's connection, before ``schema.sql`` (which creates tables the
file lacks, in their newest shape) and before any view is (re)created. A statement on a
table the file does not have yet is skipped: ``schema.sql`` creates that table whole.

To change the schema: edit ``schema.sql``, append a :class:`Step` with the next version
number, and add a test that a warehouse of the previous version opens and loads.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True, slots=True)
class Step:
    version: int
    why: str
    sql: tuple[str, ...]


#: Every step since version 1 (the first released shape), oldest first.
STEPS: tuple[Step, ...] = (
    Step(
        2,
        "the spoken words at each cited second (issue 12: citations.quote)",
        (
            "ALTER TABLE anchor_resolution ADD COLUMN IF NOT EXISTS quote VARCHAR",
            "ALTER TABLE anchor_resolution ADD COLUMN IF NOT EXISTS quote_start DOUBLE",
            "ALTER TABLE anchor_resolution ADD COLUMN IF NOT EXISTS quote_end DOUBLE",
        ),
    ),
    Step(
        3,
        "video_metadata: titles, channels, upload dates and durations from the fetch "
        "path, yt-dlp .info.json files and CSV; video_info: the best of them per video, "
        "which the videos view reads (filled by the next load)",
        (
            """CREATE TABLE IF NOT EXISTS video_metadata (
                video_id VARCHAR NOT NULL, source_id VARCHAR NOT NULL, origin VARCHAR NOT NULL,
                title VARCHAR, channel_name VARCHAR, channel_handle VARCHAR,
                channel_id VARCHAR, upload_date DATE, duration_seconds DOUBLE,
                retrieved_at TIMESTAMPTZ)""",
            """CREATE TABLE IF NOT EXISTS video_info (
                video_id VARCHAR NOT NULL, title VARCHAR, channel VARCHAR,
                duration_seconds DOUBLE, n_notes BIGINT NOT NULL, n_anchors BIGINT NOT NULL,
                channel_name VARCHAR, channel_handle VARCHAR, upload_date DATE,
                accessed_date DATE, title_source VARCHAR, channel_name_source VARCHAR,
                upload_date_source VARCHAR, duration_source VARCHAR)""",
        ),
    ),
)

#: The version a warehouse has once every step ran.
LATEST = max((s.version for s in STEPS), default=1)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The file's schema version (1 for files from before versions were counted)."""
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    try:
        return int(row[0]) if row else 1
    except (TypeError, ValueError):
        return 1


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every step; returns the versions the file had not recorded.

    Steps are idempotent, and this runs only when the file's schema digest differs from
    this version's, so every step runs, not only those above the recorded version: a file
    written between two merges that numbered their steps differently (version 3 without
    the column step 2 adds) is healed instead of failing on the first view that reads the
    missing column.
    """
    have = current_version(con)
    done: list[int] = []
    for step in STEPS:
        for statement in step.sql:
            try:
                con.execute(statement)
            except duckdb.CatalogException as exc:
                if "does not exist" not in str(exc):
                    raise
        if step.version > have:
            done.append(step.version)
    if done:
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(done[-1])])
    return done
