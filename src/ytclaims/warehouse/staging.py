"""Typed Arrow tables for parsed rows: the hand-off between parsers and the writer.

Parsers (threads, processes, Dask workers) produce dict rows; :func:`to_tables`
freezes them into Arrow tables with these explicit schemas, so the writer's
``INSERT ... BY NAME`` gets the same column types whatever the data, and empty
batches still have every column. Each table carries ``_path`` (the file a row came
from), which is staging-only and never reaches the warehouse.

Staging folder: with a ``stage_dir``, a batch writes its big tables as Parquet files
(``<stage_dir>/<table>/<batch id>.parquet``) and hands back only their paths, the
small ``sources`` table and its problems. The writer then loads each table with one
``INSERT ... SELECT FROM read_parquet([...])``, which DuckDB streams: memory stays
bounded whatever the corpus size, and a Dask worker on another machine can stage to
a shared folder the writer reads.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ytclaims import errors
from ytclaims.records import BatchResult

_STR = pa.string()
_LIST_STR = pa.list_(pa.string())

SOURCES_SCHEMA = pa.schema(
    [
        ("_path", _STR),
        ("source_id", _STR),
        ("source_key", _STR),
        ("source_kind", _STR),
        ("source_path", _STR),
        ("content_hash", _STR),
        ("size_bytes", pa.int64()),
        ("video_id", _STR),
        ("channel", _STR),
        ("note_title", _STR),
        ("n_claims", pa.int32()),
        ("n_anchors", pa.int32()),
    ]
)
CLAIMS_SCHEMA = pa.schema(
    [
        ("_path", _STR),
        ("claim_id", _STR),
        ("source_id", _STR),
        ("video_id", _STR),
        ("channel", _STR),
        ("note_title", _STR),
        ("claim_ordinal", pa.int32()),
        ("block_ordinal", pa.int32()),
        ("block_kind", _STR),
        ("line", pa.int32()),
        ("heading_path", _STR),
        ("lead_in", _STR),
        ("text", _STR),
        ("wiki_targets", _LIST_STR),
        ("n_anchors", pa.int32()),
        ("layers", _LIST_STR),
        ("trends", _LIST_STR),
        ("about_ai", pa.bool_()),
    ]
)
ANCHORS_SCHEMA = pa.schema(
    [
        ("_path", _STR),
        ("claim_id", _STR),
        ("source_id", _STR),
        ("anchor_ordinal", pa.int32()),
        ("group_position", pa.int32()),
        ("data_t_raw", _STR),
        ("label_raw", _STR),
        ("markup_issue", _STR),
        ("form", _STR),
        ("parse_status", _STR),
        ("parse_reason", _STR),
        ("data_t_seconds", pa.float64()),
        ("label_seconds", pa.float64()),
        ("label_mismatch", pa.bool_()),
        ("candidates", pa.list_(pa.struct([("reading", _STR), ("seconds", pa.float64())]))),
        ("anchor_seconds", pa.float64()),
        ("anchor_reading", _STR),
        ("anchor_source", _STR),
        ("timestamp_status", _STR),
        ("resolution_reason", _STR),
    ]
)
VIDEO_INDEX_SCHEMA = pa.schema(
    [
        ("_path", _STR),
        ("video_id", _STR),
        ("channel", _STR),
        ("title", _STR),
        ("url", _STR),
        ("note_slugs", _LIST_STR),
        ("source_id", _STR),
    ]
)
ERRORS_SCHEMA = pa.schema(
    [
        ("error_id", _STR),
        ("source_path", _STR),
        ("content_hash", _STR),
        ("severity", _STR),
        ("error_kind", _STR),
        ("message", _STR),
    ]
)


CLAIM_TAGS_SCHEMA = pa.schema(
    [
        ("_path", _STR),
        ("claim_id", _STR),
        ("source_id", _STR),
        ("group_id", _STR),
        ("label_id", _STR),
    ]
)
TAG_EVIDENCE_SCHEMA = pa.schema(
    [
        ("_path", _STR),
        ("claim_id", _STR),
        ("source_id", _STR),
        ("group_id", _STR),
        ("label_id", _STR),
        ("context_source", _STR),
        ("evidence_id", _STR),
        ("matched_text", _STR),
        ("weight", pa.float64()),
        ("label_score", pa.float64()),
    ]
)
ENTITIES_SCHEMA = pa.schema(
    [
        ("_path", _STR),
        ("claim_id", _STR),
        ("source_id", _STR),
        ("label", _STR),
        ("text", _STR),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("value", pa.float64()),
    ]
)

TRANSCRIPT_TRACKS_SCHEMA = pa.schema(
    [
        ("_path", _STR),
        ("source_id", _STR),
        ("video_id", _STR),
        ("track", _STR),
        ("language", _STR),
        ("kind", _STR),
        ("format", _STR),
        ("origin", _STR),
        ("n_cues", pa.int32()),
        ("n_sentences", pa.int32()),
        ("has_word_timings", pa.bool_()),
        ("duration_seconds", pa.float64()),
    ]
)
SEGMENTS_SCHEMA = pa.schema(
    [
        ("_path", _STR),
        ("source_id", _STR),
        ("video_id", _STR),
        ("track", _STR),
        ("cue_index", pa.int32()),
        ("start", pa.float64()),
        ("duration", pa.float64()),
        ("text", _STR),
    ]
)
SENTENCES_SCHEMA = pa.schema(
    [
        ("_path", _STR),
        ("source_id", _STR),
        ("video_id", _STR),
        ("track", _STR),
        ("sentence_index", pa.int32()),
        ("start", pa.float64()),
        ("end", pa.float64()),
        ("text", _STR),
        ("first_cue", pa.int32()),
        ("last_cue", pa.int32()),
    ]
)

VIDEO_METADATA_SCHEMA = pa.schema(
    [
        ("_path", _STR),
        ("video_id", _STR),
        ("source_id", _STR),
        ("origin", _STR),
        ("title", _STR),
        ("channel_name", _STR),
        ("channel_handle", _STR),
        ("channel_id", _STR),
        ("upload_date", pa.date32()),
        ("duration_seconds", pa.float64()),
        ("retrieved_at", pa.timestamp("us", tz="UTC")),
    ]
)

SCHEMAS = {
    "sources": SOURCES_SCHEMA,
    "claims": CLAIMS_SCHEMA,
    "anchors": ANCHORS_SCHEMA,
    "video_index": VIDEO_INDEX_SCHEMA,
    "claim_tags": CLAIM_TAGS_SCHEMA,
    "tag_evidence": TAG_EVIDENCE_SCHEMA,
    "entities": ENTITIES_SCHEMA,
    "transcript_tracks": TRANSCRIPT_TRACKS_SCHEMA,
    "segments": SEGMENTS_SCHEMA,
    "sentences": SENTENCES_SCHEMA,
    "video_metadata": VIDEO_METADATA_SCHEMA,
}


def table(rows: list[dict[str, object]], schema: pa.Schema) -> pa.Table:
    """Rows (dicts) -> Arrow table with exactly ``schema``'s columns."""
    cols = {name: [r.get(name) for r in rows] for name in schema.names}
    return pa.Table.from_pydict(cols, schema=schema)


def to_tables(batch: BatchResult) -> dict[str, pa.Table]:
    """All staged row lists of a batch as typed Arrow tables."""
    return {name: table(getattr(batch, name), schema) for name, schema in SCHEMAS.items()}


def freeze(batch: BatchResult, stage_dir: str | os.PathLike[str] | None = None) -> BatchResult:
    """Turn a batch's row lists into Arrow tables and drop the dicts.

    With ``stage_dir``, the big tables go to Parquet files there and only their paths
    stay in the result, so handing a batch back costs a few kB whatever its size.
    """
    tables = to_tables(batch)
    batch.counts = {name: int(t.num_rows) for name, t in tables.items()}
    if stage_dir is not None:
        batch.staged = write_staged(tables, stage_dir)
        tables = {name: t for name, t in tables.items() if name in IN_MEMORY}
    batch.tables = tables  # type: ignore[assignment]
    batch.clear_rows()
    return batch


#: Tables kept in memory even when staging: one small row per file, needed by the
#: writer to find duplicate source keys before it loads anything.
IN_MEMORY = frozenset({"sources"})

#: Staging folders of runs that crashed are removed after this long (a run in progress
#: is never this old on its own folder: each run stages under a fresh name).
STALE_AFTER_SECONDS = 6 * 3600


def default_stage_root(db: Path) -> Path:
    """Where runs stage by default: next to the warehouse (same disk, same owner)."""
    return db.parent / ".staging"


def stage_dir_for(db: Path, stage_root: str | os.PathLike[str] | None = None) -> Path:
    """A fresh staging folder for one run into ``db``: under ``stage_root`` if given,
    else :func:`default_stage_root`. Absolute, because a Dask worker would resolve a
    relative path against its own working directory."""
    root = Path(stage_root) if stage_root else default_stage_root(db)
    return new_stage_dir(root.absolute())


def new_stage_dir(root: Path) -> Path:
    """A fresh staging folder for one run; stale folders of crashed runs are removed."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".probe-{uuid.uuid4().hex}"
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise errors.WarehouseError(
            f"Cannot use {root} as the staging folder: {exc.strerror or exc}.",
            hint="Pass --stage-root a writable folder (workers on other machines must "
            "share it), or leave it out to stage next to the warehouse.",
        ) from exc
    now = time.time()
    for old in root.iterdir():
        try:
            if old.is_dir() and now - old.stat().st_mtime > STALE_AFTER_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue
    out = root / f"run-{uuid.uuid4().hex}"
    out.mkdir()
    return out


def write_staged(tables: dict[str, pa.Table], stage_dir: str | os.PathLike[str]) -> dict[str, str]:
    """Write a batch's non-empty tables (except :data:`IN_MEMORY`) as Parquet files.

    Files are written under a temporary name and renamed, so a reader never sees half
    a file. Returns table name -> file path; tables with no rows get no file.
    """
    batch_id = uuid.uuid4().hex
    out: dict[str, str] = {}
    for name, t in tables.items():
        if name in IN_MEMORY or t.num_rows == 0:
            continue
        folder = Path(stage_dir) / name
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{batch_id}.parquet"
        tmp = folder / f".{batch_id}.parquet.tmp"
        pq.write_table(t, tmp, compression="zstd", compression_level=1)
        os.replace(tmp, final)
        out[name] = str(final)
    return out


def remove_stage_dir(stage_dir: str | os.PathLike[str] | None) -> None:
    """Delete a run's staging folder once its rows are committed (or the run failed)."""
    if stage_dir:
        shutil.rmtree(stage_dir, ignore_errors=True)
