"""Prefect flow ``update``: keep a warehouse current from a ``ytclaims.toml``.

The flow a schedule fires (see ``flows.schedule`` and ``prefect.yaml``). Its only
parameter is the path of the config file, re-read on every run, so a changed notes
folder or video list needs no re-deployment. Stages:

1. the ``ingest`` flow (a subflow) over the configured notes and caption files/folders;
   unchanged files are skipped, so a daily run costs a read and a hash per file;
2. when videos are configured, the ``fetch_transcripts`` tasks: resolve the ids, fetch
   (or reuse the raw cache), and load the transcripts and every attempt. A video that
   cannot be fetched (offline, blocked, no captions) is recorded in ``fetch_attempts``
   and the run goes on: YouTube being unreachable never fails the flow.

    python -m flows.update ytclaims.toml
"""

from __future__ import annotations

import sys
import time

from prefect import flow

from flows.fetch import fetch_task, load_task, video_ids_task
from flows.ingest import ingest
from ytclaims import fetching, pipeline
from ytclaims.config import DEFAULT_CONFIG, load_config
from ytclaims.records import update_summary
from ytclaims.summary import update_line


@flow(name="update", log_prints=True)
def update(config: str = DEFAULT_CONFIG) -> dict[str, object]:
    """Ingest the configured notes and captions, then fetch the configured videos."""
    t0 = time.perf_counter()
    cfg = load_config(config)
    db = str(cfg.db)
    taxonomy = str(cfg.taxonomy) if cfg.taxonomy else None
    ingest_report = None
    if cfg.ingest_paths:
        if cfg.workers:
            # The ingest flow's parse tasks share one process pool per process; creating
            # it first, here, fixes its size (it is created once, on first use).
            pipeline.worker_pool(cfg.workers)
        ingest_report = ingest(
            cfg.ingest_paths, db, taxonomy=taxonomy, tag=cfg.tag, prune=cfg.prune
        )
    fetch_report = None
    if cfg.has_videos:
        started = time.perf_counter()
        lists = [str(p) for p in cfg.video_lists]
        ids, problems = video_ids_task(list(cfg.videos), lists)
        if ids:
            fetched = fetch_task(ids, cfg.fetch_settings())
            # The config's `tag = false` holds for fetched transcripts too.
            loaded = load_task(fetched, db, [*cfg.videos, *lists], taxonomy, cfg.tag, started)
            fetch_report = fetching.fetch_report(fetched, loaded, problems).as_dict()
        else:
            fetch_report = fetching.fetch_report(
                {"results": [], "advice": ""}, None, problems
            ).as_dict()
    report = update_summary(str(cfg.path), db, ingest_report, fetch_report)
    print(report)
    # One plain line per run on stderr, whatever Prefect's log level: `ytclaims serve`
    # shows its flow runs' output, so a service log says what each scheduled run did.
    sys.stderr.write(update_line(report, time.perf_counter() - t0) + "\n")
    sys.stderr.flush()
    return report


if __name__ == "__main__":
    update(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_CONFIG)
