"""The fetch orchestration: video references -> raw transcript cache -> the warehouse.

``ytclaims fetch --no-prefect`` runs :func:`fetch`; the Prefect flows
(``flows/fetch.py`` and the scheduled ``flows/update.py``) run the same three steps as
tasks: :func:`video_ids`, :func:`fetch_videos`, :func:`load_fetched`, and return
:meth:`FetchRun.as_dict` of :func:`fetch_report`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ytclaims import progress
from ytclaims.pipeline import pipeline_fingerprint
from ytclaims.records import FetchRun, IngestRun
from ytclaims.sources.discover import Discovery, discover
from ytclaims.sources.notes import content_hash
from ytclaims.sources.youtube.refs import InvalidVideoRefError, parse_video_ref, read_refs_file
from ytclaims.warehouse import load as wl
from ytclaims.warehouse.db import db_path
from ytclaims.warehouse.known import known_sources
from ytclaims.worker import parse_batch


def video_ids(
    refs: Sequence[str], refs_files: Sequence[str | Path] = ()
) -> tuple[list[str], list[dict[str, object]]]:
    """Video ids from ids/URLs and files of them; bad ones become problems, not errors."""
    ids: list[str] = []
    problems: list[dict[str, object]] = []
    for f in refs_files:
        got, bad = read_refs_file(f)
        ids.extend(got)
        problems.extend(bad)
    for ref in refs:
        try:
            ids.append(parse_video_ref(ref))
        except InvalidVideoRefError as exc:
            problems.append({"text": ref, "error_kind": exc.kind, "message": exc.message})
    return list(dict.fromkeys(ids)), problems


def fetch_videos(
    ids: Sequence[str],
    config: object | None = None,
    on_result: Callable[[object], None] | None = None,
) -> dict[str, object]:
    """Fetch (or serve from the raw cache) each video; plain data for the loader.

    The config is built here, from options and the environment, and never returned:
    proxy credentials must not travel into run records or logs.
    """
    from ytclaims.sources.youtube.fetch import FetchConfig, advice_for, fetch_many

    cfg = config if config is not None else FetchConfig.build()
    reporter = progress.current()  # the command line's display, when it handed one over
    reporter.stage("fetch", total=len(ids), unit="videos")

    def done(result: object) -> None:
        reporter.advance(1)
        if on_result is not None:
            on_result(result)

    results = fetch_many(list(ids), cfg, on_result=done)  # type: ignore[arg-type]
    attempts: list[dict[str, object]] = []
    paths: list[str] = []
    for r in results:
        cache_key = ""
        cached = r.cache_path or r.kept_cache_path
        if cached is not None and Path(cached).exists():
            paths.append(str(cached))
            cache_key = content_hash(Path(cached).read_bytes())
        attempts.extend(dict(a) | {"cache_key": cache_key} for a in r.attempts)
    return {
        "results": [
            {
                "video_id": r.video_id,
                "status": r.status,
                "cache_path": str(r.cache_path) if r.cache_path else None,
                "error": r.error.message if r.error is not None else None,
                "track": r.track_info,
            }
            for r in results
        ],
        "attempts": attempts,
        "paths": paths,
        "advice": advice_for(results),
    }


def load_fetched(
    fetched: dict[str, object],
    db: str | Path | None = None,
    *,
    inputs: Sequence[str] = (),
    taxonomy: str | None = None,
    tag: bool = True,
    started: float | None = None,
) -> IngestRun:
    """Load fetched transcripts and every fetch attempt in one transaction."""
    t0 = started if started is not None else time.perf_counter()
    path = db_path(db)
    fp = pipeline_fingerprint(taxonomy, tag=tag)
    paths = list(fetched["paths"])  # type: ignore[call-overload]
    found = discover(paths) if paths else Discovery()
    known = known_sources(path, fp)
    reporter = progress.current()
    reporter.stage("parse", total=len(found.files), unit="transcripts")
    batches = [parse_batch(found.files, known, taxonomy=taxonomy, tag=tag)] if found.files else []
    reporter.advance(len(found.files))
    return wl.load(
        path,
        batches,
        found,
        list(inputs),
        started=t0,
        fingerprint=fp,
        fetch_attempts=list(fetched["attempts"]),  # type: ignore[call-overload]
        on_phase=lambda phase: reporter.stage(f"load: {phase}"),
    )


def fetch_report(
    fetched: dict[str, object],
    ingest: IngestRun | None,
    ref_problems: list[dict[str, object]],
) -> FetchRun:
    """The one shape of a fetch's outcome, from the steps' plain data."""
    return FetchRun(
        results=list(fetched["results"]),  # type: ignore[call-overload]
        ingest=ingest,
        advice=str(fetched["advice"]),
        ref_problems=ref_problems,
    )


def fetch(
    refs: Sequence[str],
    db: str | Path | None = None,
    *,
    config: object | None = None,
    refs_files: Sequence[str | Path] = (),
    taxonomy: str | None = None,
    tag: bool = True,
    on_result: Callable[[object], None] | None = None,
) -> FetchRun:
    """Fetch transcripts with youtube-transcript-api, then load them and every attempt.

    The raw transcript is cached on disk before anything else; the warehouse load
    (transcript rows, transcript claims, re-resolution of the videos' note anchors and
    the ``fetch_attempts`` rows) is one transaction, so a failure leaves nothing
    half-written.
    """
    t0 = time.perf_counter()
    ids, problems = video_ids(refs, refs_files)
    fetched = fetch_videos(ids, config, on_result)
    report = load_fetched(
        fetched, db, inputs=[*refs, *map(str, refs_files)], taxonomy=taxonomy, tag=tag, started=t0
    )
    return fetch_report(fetched, report, problems)
