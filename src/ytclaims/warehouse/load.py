"""The single writer: load parsed batches into DuckDB in one transaction.

Rows arrive as plain dicts from any number of parser workers; here they become
Arrow tables (typed by explicit schemas) and are inserted with
``INSERT ... BY NAME SELECT`` from the registered table. That is thousands of times
faster than ``executemany`` and keeps the write window (when the file is locked)
short. Everything a run changes commits together or not at all.

Idempotency: a source whose content hash is already loaded is skipped before
parsing, so a re-run on the same inputs writes only its ``runs`` row. A changed
source replaces exactly its own rows.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from ytclaims import __version__, errors
from ytclaims.records import (
    BatchResult,
    Discovery,
    IngestRun,
    new_run_id,
    problem_row,
    source_id_for,
)
from ytclaims.warehouse.db import open_writer, publish
from ytclaims.warehouse.resolution import affected_videos, resolve_videos
from ytclaims.warehouse.search_index import build_search_index
from ytclaims.warehouse.videos import is_current, refresh_video_info

#: Tables whose rows belong to one source and are replaced with it.
CHILD_TABLES = (
    "anchors",
    "claims",
    "video_index",
    "claim_tags",
    "tag_evidence",
    "entities",
    "anchor_resolution",
    "transcript_tracks",
    "segments",
    "sentences",
    "video_metadata",
)

ERRORS_SCHEMA = pa.schema(
    [
        ("error_id", pa.string()),
        ("source_path", pa.string()),
        ("content_hash", pa.string()),
        ("severity", pa.string()),
        ("error_kind", pa.string()),
        ("message", pa.string()),
    ]
)


def _error_id(p: dict[str, object]) -> str:
    key = "\x1f".join(
        str(p.get(k) or "") for k in ("source_path", "content_hash", "error_kind", "message")
    )
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


ATTEMPTS_SCHEMA = pa.schema(
    [
        ("attempt_id", pa.string()),
        ("video_id", pa.string()),
        ("attempted_at", pa.timestamp("us", tz="UTC")),
        ("attempt", pa.int32()),
        ("outcome", pa.string()),
        ("error_class", pa.string()),
        ("message", pa.string()),
        ("will_retry", pa.bool_()),
    ]
)


def _attempt_id(a: dict[str, object]) -> str:
    # A cache hit is the same event every time the same cached file is served.
    if a.get("outcome") == "cached":
        key = f"{a.get('video_id')}\x1fcached\x1f{a.get('cache_key', '')}"
    else:
        key = f"{a.get('video_id')}\x1f{a.get('attempted_at')}\x1f{a.get('attempt')}"
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def _insert_attempts(
    con: duckdb.DuckDBPyConnection, attempts: list[dict[str, object]], run_id: str
) -> None:
    rows = [a | {"attempt_id": _attempt_id(a)} for a in attempts]
    table = pa.Table.from_pydict(
        {k: [r.get(k) for r in rows] for k in ATTEMPTS_SCHEMA.names}, schema=ATTEMPTS_SCHEMA
    )
    con.register("_attempts", table)
    con.execute(
        "INSERT INTO fetch_attempts BY NAME SELECT DISTINCT ON (attempt_id) *, ? AS run_id "
        "FROM _attempts WHERE attempt_id NOT IN (SELECT attempt_id FROM fetch_attempts)",
        [run_id],
    )
    con.unregister("_attempts")


def find_duplicates(
    results: Sequence[BatchResult], seed: dict[str, str] | None = None
) -> tuple[set[str], list[dict[str, object]]]:
    """Files whose source key another file of this run already has: (paths, problems).

    The first file (in discovery order) wins; the others are reported, not loaded. A
    key already loaded from a file that is still there unchanged (``seed``: key -> path,
    and each batch's ``unchanged_keys``) keeps its file, so re-runs never swap twins.
    """
    first: dict[str, str] = dict(seed or {})
    for r in results:
        for key, pth in r.unchanged_keys:
            first.setdefault(key, pth)
    dropped: set[str] = set()
    problems: list[dict[str, object]] = []
    for r in results:
        src = r.tables["sources"]
        for key, path, h in zip(
            src.column("source_key").to_pylist(),
            src.column("_path").to_pylist(),
            src.column("content_hash").to_pylist(),
            strict=True,
        ):
            if key in first and first[key] != path:
                dropped.add(path)
                problems.append(
                    problem_row(
                        path,
                        errors.DuplicateSourceError(f"Same source key '{key}' as {first[key]}."),
                        h,
                    )
                )
            else:
                first[key] = path
    return dropped, problems


#: Tables inserted from staged Parquet or in-memory Arrow, in this order (``sources``
#: goes first, on its own, with the run's columns).
_TABLE_ORDER = tuple(t for t in BatchResult.ROW_LISTS if t != "sources")


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def _insert_results(
    con: duckdb.DuckDBPyConnection,
    results: Sequence[BatchResult],
    keep: str,
    run_id: str,
    fingerprint: str,
) -> dict[str, int]:
    """Insert every batch's rows: one statement per table and kind of hand-off.

    Batches staged to Parquet are read with one ``read_parquet`` over all their files
    (DuckDB streams them, so memory does not grow with the corpus); batches handed
    back in memory are concatenated and inserted from Arrow. Returns rows inserted.
    """
    n = {"sources": 0, "claims": 0, "anchors": 0}
    sources = [r.tables["sources"] for r in results if "sources" in r.tables]
    if sources:
        con.register("_src", pa.concat_tables(sources))  # type: ignore[arg-type]
        row = con.execute(
            "INSERT INTO sources BY NAME SELECT * EXCLUDE (_path), ? AS run_id, "
            "? AS loaded_at, ? AS ytclaims_version, ? AS pipeline_fingerprint "
            f"FROM _src {keep}",
            [run_id, datetime.now(UTC), __version__, fingerprint],
        ).fetchone()
        n["sources"] = int(row[0]) if row else 0
        con.unregister("_src")
    for table in _TABLE_ORDER:
        inserted = 0
        files = [r.staged[table] for r in results if table in r.staged]
        if files:
            row = con.execute(
                f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (_path) "
                f"FROM read_parquet({_sql_list(files)}) {keep}"
            ).fetchone()
            inserted += int(row[0]) if row else 0
        mem = [r.tables[table] for r in results if table in r.tables]
        mem = [t for t in mem if t.num_rows]  # type: ignore[attr-defined]
        if mem:
            con.register("_rows", pa.concat_tables(mem))  # type: ignore[arg-type]
            row = con.execute(
                f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (_path) FROM _rows {keep}"
            ).fetchone()
            inserted += int(row[0]) if row else 0
            con.unregister("_rows")
        if table in n:
            n[table] = inserted
    return n


def _gone_paths(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    inputs: Sequence[str],
    found: Discovery,
    keep_ids: frozenset[str] = frozenset(),
) -> list[tuple[str, str]]:
    """(id, path) rows of ``sql`` whose path is under ``inputs`` and whose file is gone.

    Only paths under the run's own inputs are considered (ingesting folder A never
    touches folder B's sources), and only under inputs where this run found at least
    one file: an unmounted disk looks like an empty folder and must not empty the
    warehouse. A file counts as gone only if discovery did not see it and it does not
    exist, and an id in ``keep_ids`` (seen this run, e.g. a note that moved or a path
    spelled differently) is never gone.
    """
    as_found = [str(f) for f in found.files]
    live = [i for i in inputs if any(f == i or f.startswith(i.rstrip("/") + "/") for f in as_found)]
    roots = [Path(i).resolve() for i in live]
    as_found_set = set(as_found)
    seen: set[str] | None = None  # resolved paths, built only if some path needs them
    out: list[tuple[str, str]] = []
    if not roots:
        return out
    for key, spath in con.execute(sql).fetchall():
        if spath in as_found_set or key in keep_ids:  # the common cases, no syscall
            continue
        if seen is None:
            seen = {str(Path(f).resolve()) for f in found.files}
        resolved = Path(spath).resolve()
        if str(resolved) in seen or not any(resolved.is_relative_to(r) for r in roots):
            continue
        if not resolved.exists():
            out.append((key, spath))
    return out


def _stale_sources(
    con: duckdb.DuckDBPyConnection,
    inputs: Sequence[str],
    found: Discovery,
    seen_ids: frozenset[str],
) -> list[tuple[str, str]]:
    """(source_id, source_path) of loaded sources under ``inputs`` whose file is gone."""
    return _gone_paths(con, "SELECT source_id, source_path FROM sources", inputs, found, seen_ids)


def _moved_sources(con: duckdb.DuckDBPyConnection, new_path: dict[str, str]) -> None:
    """Point unchanged sources found at a new path (a moved note, another spelling of the
    same path) at that path (``new_path``: source id -> path found this run), when the
    stored path no longer exists.

    A twin of a loaded note (same key and bytes, another file) leaves the stored path
    alone while that file exists, so re-runs never swap twins.
    """
    if not new_path:
        return
    con.register("_unchanged", pa.table({"source_id": pa.array(list(new_path), pa.string())}))
    rows = con.execute(
        "SELECT source_id, source_path FROM sources "
        "WHERE source_id IN (SELECT source_id FROM _unchanged)"
    ).fetchall()
    con.unregister("_unchanged")
    moves = [
        (sid, new_path[sid])
        for sid, stored in rows
        if stored != new_path[sid] and not Path(stored).exists()
    ]
    for sid, pth in moves:
        con.execute("UPDATE sources SET source_path = ? WHERE source_id = ?", [pth, sid])


def _prune(con: duckdb.DuckDBPyConnection, stale: list[tuple[str, str]]) -> list[str]:
    """Delete stale sources and everything derived from them; returns their videos."""
    con.register(
        "_stale",
        pa.table(
            {
                "source_id": pa.array([s for s, _ in stale], pa.string()),
                "source_path": pa.array([p for _, p in stale], pa.string()),
            }
        ),
    )
    videos = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT video_id FROM sources WHERE video_id IS NOT NULL "
            "AND source_id IN (SELECT source_id FROM _stale) "
            "UNION SELECT DISTINCT video_id FROM transcript_tracks "
            "WHERE source_id IN (SELECT source_id FROM _stale) "
            "UNION SELECT DISTINCT video_id FROM video_metadata "
            "WHERE source_id IN (SELECT source_id FROM _stale)"
        ).fetchall()
    ]
    for table in CHILD_TABLES + ("sources",):
        con.execute(f"DELETE FROM {table} WHERE source_id IN (SELECT source_id FROM _stale)")
    con.unregister("_stale")
    return sorted(v for v in videos if v)


#: The load's phases in order: the keys of ``IngestRun.load_phases``.
LOAD_PHASES = (
    "open",
    "replace_and_prune",
    "insert",
    "videos",
    "resolve",
    "errors_and_run_log",
    "search_index",
    "commit",
    "checkpoint_close",
    "publish",
)
_NEXT_PHASE = dict(zip(LOAD_PHASES, LOAD_PHASES[1:], strict=False))


def load(
    path: Path,
    results: Sequence[BatchResult],
    found: Discovery,
    inputs: list[str],
    *,
    started: float | None = None,
    run_id: str | None = None,
    fingerprint: str = "",
    fetch_attempts: list[dict[str, object]] | None = None,
    seed: dict[str, str] | None = None,
    unchanged: int = 0,
    prune: bool = False,
    on_phase: Callable[[str], None] | None = None,
) -> IngestRun:
    """Write one run's results in one transaction and return its report.

    ``on_phase`` is called with each phase's name (``LOAD_PHASES``) as it starts, for
    progress displays: at scale the load is a minute of work after the last file is parsed.

    Sources under ``inputs`` whose file is gone are *stale*: they are counted in the
    report, and deleted (with every row derived from them) only when ``prune`` is set,
    because a folder that is missing for a moment (an unmounted disk) must not empty
    the warehouse.
    """
    t_load = time.perf_counter()
    started = started if started is not None else t_load
    started_at = datetime.now(UTC) - timedelta(seconds=t_load - started)
    run_id = run_id or new_run_id()
    dropped, dup_problems = find_duplicates(results, seed)
    problems = list(found.problems) + [p for r in results for p in r.problems] + dup_problems
    for p in problems:
        p["error_id"] = _error_id(p)
    parsed_paths = [p for r in results for p in r.parsed_paths]
    unchanged += sum(r.unchanged for r in results)
    n = {"sources": 0, "claims": 0, "anchors": 0}
    n_resolved = 0

    phases: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = round(now - mark, 3)
        mark = now
        if on_phase is not None and name in _NEXT_PHASE:
            on_phase(_NEXT_PHASE[name])

    if on_phase is not None:
        on_phase(LOAD_PHASES[0])
    con = open_writer(path)  # the working file; readers open the published copy
    lap("open")
    try:
        con.execute("BEGIN TRANSACTION")
        con.register("_dropped", pa.table({"_path": pa.array(sorted(dropped), pa.string())}))
        keep = "WHERE _path NOT IN (SELECT _path FROM _dropped)"
        # A changed source replaces exactly its previous rows: one DELETE per table for
        # the whole run, and only for sources the warehouse already holds (none on a
        # first load), instead of rescanning growing tables once per batch.
        incoming: dict[str, str] = {}  # source id -> path, loaded this run
        for r in results:
            for sid, pth in zip(
                r.tables["sources"].column("source_id").to_pylist(),
                r.tables["sources"].column("_path").to_pylist(),
                strict=True,
            ):
                if pth not in dropped:
                    incoming[sid] = pth
        con.register(
            "_incoming",
            pa.table(
                {
                    "source_id": pa.array(list(incoming), pa.string()),
                    "source_path": pa.array(list(incoming.values()), pa.string()),
                }
            ),
        )
        # Unchanged sources: recognised by their path before parsing (seed), or by key
        # and bytes after (a moved note: where it was found this run, first file wins).
        found_at: dict[str, str] = {}
        for r in results:
            for key, pth in r.unchanged_keys:
                if key not in (seed or {}):
                    found_at.setdefault(source_id_for(key), pth)
        unchanged_ids = frozenset(found_at) | frozenset(map(source_id_for, seed or {}))
        seen_ids = frozenset(incoming) | unchanged_ids
        con.register(
            "_unchanged_ids", pa.table({"source_id": pa.array(list(unchanged_ids), pa.string())})
        )
        # Replaced: the same source loaded again, and sources last loaded from a file
        # that now yields another source (e.g. its channel line changed the key), unless
        # they were seen unchanged elsewhere this run (a moved note).
        replaced = con.execute(
            "SELECT source_id, video_id FROM sources "
            "WHERE source_id IN (SELECT source_id FROM _incoming) "
            "OR (source_path IN (SELECT source_path FROM _incoming) "
            "    AND source_id NOT IN (SELECT source_id FROM _unchanged_ids))"
        ).fetchall()
        con.unregister("_unchanged_ids")
        replaced_videos = [v for _, v in replaced if v]
        if replaced:
            con.register(
                "_replaced",
                pa.table({"source_id": pa.array([r[0] for r in replaced], pa.string())}),
            )
            # A metadata file replaced (or emptied) changes its videos' durations too.
            replaced_videos += [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT video_id FROM video_metadata "
                    "WHERE source_id IN (SELECT source_id FROM _replaced)"
                ).fetchall()
            ]
            for table in CHILD_TABLES + ("sources",):
                con.execute(
                    f"DELETE FROM {table} WHERE source_id IN (SELECT source_id FROM _replaced)"
                )
            con.unregister("_replaced")
        con.unregister("_incoming")
        _moved_sources(con, found_at)
        stale = _stale_sources(con, inputs, found, seen_ids)
        pruned_videos: list[str] = []
        if prune:
            pruned_videos = _prune(con, stale)
            # Problems recorded for files that are gone (loaded or never loadable).
            gone = _gone_paths(
                con, "SELECT error_id, source_path FROM ingest_errors", inputs, found
            )
            con.register(
                "_gone", pa.table({"error_id": pa.array([g for g, _ in gone], pa.string())})
            )
            con.execute("DELETE FROM ingest_errors WHERE error_id IN (SELECT error_id FROM _gone)")
            con.unregister("_gone")
        lap("replace_and_prune")
        n = _insert_results(con, results, keep, run_id, fingerprint)
        lap("insert")
        # Titles, channels, dates, durations: before resolving (it reads the durations).
        if incoming or replaced or (prune and stale) or not is_current(con):
            refresh_video_info(con)
        lap("videos")
        # Timestamps: resolve again every video this run touched, with all evidence.
        videos = sorted(
            set(affected_videos(con, list(incoming))) | set(pruned_videos) | set(replaced_videos)
        )
        n_resolved = resolve_videos(con, videos)
        lap("resolve")
        # Problems describe the current bytes: forget those of files re-read this run.
        errs = pa.Table.from_pydict(
            {k: [p.get(k) for p in problems] for k in ERRORS_SCHEMA.names}, schema=ERRORS_SCHEMA
        )
        con.register("_errs", errs)
        con.register("_parsed", pa.table({"source_path": pa.array(parsed_paths, pa.string())}))
        con.execute(
            "DELETE FROM ingest_errors WHERE source_path IN (SELECT source_path FROM _parsed) "
            "AND error_id NOT IN (SELECT error_id FROM _errs)"
        )
        con.execute(
            "INSERT INTO ingest_errors BY NAME SELECT DISTINCT ON (error_id) *, ? AS run_id, "
            "? AS detected_at FROM _errs "
            "WHERE error_id NOT IN (SELECT error_id FROM ingest_errors)",
            [run_id, datetime.now(UTC)],
        )
        if fetch_attempts:
            _insert_attempts(con, fetch_attempts, run_id)
        con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                started_at,
                datetime.now(UTC),
                __version__,
                inputs,
                len(found.files),
                n["sources"],
                unchanged,
                n["claims"],
                n["anchors"],
                len(problems),
            ],
        )
        # The keyword index changes in the same transaction as the claims it indexes
        # (built once per transaction: DuckDB cannot rebuild it twice before COMMIT).
        lap("errors_and_run_log")
        search_index = build_search_index(con)
        lap("search_index")
        con.execute("COMMIT")
        lap("commit")
        row = con.execute(
            "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM claims), "
            "(SELECT count(*) FROM anchors), (SELECT count(*) FROM citations), "
            "(SELECT count(*) FROM ingest_errors)"
        ).fetchone()
        totals = dict(
            zip(
                ("sources", "claims", "anchors", "citations", "ingest_errors"),
                row or (),
                strict=False,
            )
        )
    except duckdb.Error as exc:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise errors.WarehouseError(
            f"Loading into {path} failed and was rolled back: {exc}"
        ) from exc
    finally:
        con.close()
    lap("checkpoint_close")
    # After COMMIT only: readers see whole runs. False when another run holds the working
    # file: it started from this commit and publishes it when it finishes.
    published = publish(path)
    lap("publish")
    t_end = time.perf_counter()
    return IngestRun(
        run_id=run_id,
        db=str(path),
        files_seen=len(found.files),
        sources_loaded=n["sources"],
        sources_unchanged=unchanged,
        claims_loaded=n["claims"],
        anchors_loaded=n["anchors"],
        problems=problems,
        parse_seconds=sum(r.seconds for r in results),
        load_seconds=t_end - t_load,
        wall_seconds=t_end - started,
        load_phases=phases,
        totals=totals
        | {
            "anchors_resolved_this_run": n_resolved,
            "stale_sources": len(stale),
            "sources_pruned": len(stale) if prune else 0,
            "search_index_rebuilt": int(bool(search_index.get("claims_rebuilt"))),
            "published": int(published),
        },
    )
