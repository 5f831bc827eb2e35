"""Prefect flow ``fetch_transcripts``: video ids/URLs -> raw cache -> the warehouse.

1. ``video-ids``: ids and URLs (and files of them) -> video ids; bad ones reported;
2. ``fetch``: youtube-transcript-api with timeout, retries, backoff, rate limit and
   proxy; every transcript is cached on disk before anything else. The fetch config
   (which may hold proxy credentials) is built *inside* the task from plain options
   and the environment, so no secret reaches Prefect's run records;
3. ``load``: one transaction for transcripts, transcript claims, re-resolved note
   anchors of those videos, and every attempt in ``fetch_attempts``.

    python -m flows.fetch dQw4w9WgXcQ https://youtu.be/... --db warehouse/ytclaims.duckdb
"""

from __future__ import annotations

import sys
import time

from prefect import flow, task
from prefect.cache_policies import NONE

from flows import split_db_arg
from ytclaims import fetching
from ytclaims.records import IngestRun


@task(name="video-ids", cache_policy=NONE, persist_result=False)
def video_ids_task(refs: list[str], refs_files: list[str]) -> tuple[list[str], list[dict]]:
    return fetching.video_ids(refs, refs_files)


@task(name="fetch", cache_policy=NONE, persist_result=False)
def fetch_task(ids: list[str], settings: dict[str, object]) -> dict[str, object]:
    from ytclaims.sources.youtube.fetch import FetchConfig

    return fetching.fetch_videos(ids, FetchConfig.build(**settings))  # type: ignore[arg-type]


@task(name="load", cache_policy=NONE, persist_result=False)
def load_task(
    fetched: dict[str, object],
    db: str | None,
    inputs: list[str],
    taxonomy: str | None,
    tag: bool,
    started: float,
) -> IngestRun:
    return fetching.load_fetched(
        fetched, db, inputs=inputs, taxonomy=taxonomy, tag=tag, started=started
    )


@flow(name="fetch_transcripts", log_prints=True)
def fetch_transcripts(
    refs: list[str],
    db: str | None = None,
    refs_files: list[str] | None = None,
    settings: dict[str, object] | None = None,
    taxonomy: str | None = None,
    tag: bool = True,
) -> dict[str, object]:
    """Fetch transcripts for ``refs`` and load them; ``settings`` are FetchConfig options
    without secrets (proxy credentials come from the environment of the worker)."""
    started = time.perf_counter()
    ids, problems = video_ids_task(refs, refs_files or [])
    fetched = fetch_task(ids, settings or {})
    loaded = load_task(fetched, db, [*refs, *(refs_files or [])], taxonomy, tag, started)
    return fetching.fetch_report(fetched, loaded, problems).as_dict()


if __name__ == "__main__":
    args, db_arg = split_db_arg(sys.argv[1:])
    out = fetch_transcripts(args, db_arg)
    for r in out["results"]:
        print(r["video_id"], r["status"], r["error"] or "")
    if out["advice"]:
        print(out["advice"], file=sys.stderr)
    sys.exit(0 if any(r["status"] != "failed" for r in out["results"]) else 1)
