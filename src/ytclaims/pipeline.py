"""The ingest pipeline as plain library calls: discover -> parse batches -> load.

Flows (``flows/ingest.py``) and the CLI only call these functions. Each stage hands
the next one plain data (lists of dicts), never a database connection or an NLP
object, so a batch can be parsed in a thread, a process, or a Dask worker and the
single writer can load the results in one transaction.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ytclaims import __version__, errors
from ytclaims.claims.extract import extract_claims
from ytclaims.sources.discover import NOTE_SUFFIXES, Discovery, discover, problem_row
from ytclaims.sources.index_pages import parse_index
from ytclaims.sources.notes import DEFAULT_MAX_BYTES, read_note
from ytclaims.warehouse.known import KnownSources

DEFAULT_BATCH_SIZE = 250


@dataclass(slots=True)
class BatchResult:
    """What parsing a batch of files produced, as plain picklable data.

    Rows are collected as dicts while a batch is parsed, then frozen into Arrow
    tables by :meth:`freeze` (compact, typed, cheap to pickle between processes).
    Every staged row carries ``_path``, the file it came from, so the writer can drop
    the rows of a duplicate file without touching its twin.
    """

    sources: list[dict[str, object]] = field(default_factory=list)
    claims: list[dict[str, object]] = field(default_factory=list)
    anchors: list[dict[str, object]] = field(default_factory=list)
    video_index: list[dict[str, object]] = field(default_factory=list)
    claim_tags: list[dict[str, object]] = field(default_factory=list)
    tag_evidence: list[dict[str, object]] = field(default_factory=list)
    entities: list[dict[str, object]] = field(default_factory=list)
    transcript_tracks: list[dict[str, object]] = field(default_factory=list)
    segments: list[dict[str, object]] = field(default_factory=list)
    sentences: list[dict[str, object]] = field(default_factory=list)
    problems: list[dict[str, object]] = field(default_factory=list)
    parsed_paths: list[str] = field(default_factory=list)  # files read and parsed this run
    unchanged: int = 0
    #: (source key, path) of files skipped as unchanged: they keep their key on re-runs.
    unchanged_keys: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    tables: dict[str, object] = field(default_factory=dict)  # name -> pyarrow.Table
    #: name -> Parquet file in a staging folder (tables moved out of memory by freeze).
    staged: dict[str, str] = field(default_factory=dict)
    #: name -> row count, kept when a table is staged to disk.
    counts: dict[str, int] = field(default_factory=dict)

    def freeze(self, stage_dir: str | os.PathLike[str] | None = None) -> BatchResult:
        """Turn the row lists into Arrow tables and drop the dicts.

        With ``stage_dir``, the big tables go to Parquet files there and only their
        paths stay in the result, so handing a batch back costs a few kB whatever its
        size (see :mod:`ytclaims.warehouse.staging`).
        """
        from ytclaims.warehouse.staging import IN_MEMORY, to_tables, write_staged

        tables = to_tables(self)
        self.counts = {name: int(t.num_rows) for name, t in tables.items()}
        if stage_dir is not None:
            self.staged = write_staged(tables, stage_dir)
            tables = {name: t for name, t in tables.items() if name in IN_MEMORY}
        self.tables = tables  # type: ignore[assignment]
        self.sources, self.claims, self.anchors, self.video_index = [], [], [], []
        self.claim_tags, self.tag_evidence, self.entities = [], [], []
        self.transcript_tracks, self.segments, self.sentences = [], [], []
        return self

    def count(self, name: str) -> int:
        if name in self.counts:
            return self.counts[name]
        t = self.tables.get(name)
        return int(t.num_rows) if t is not None else len(getattr(self, name))  # type: ignore[attr-defined]


@dataclass(slots=True)
class IngestReport:
    """Summary of one run, for humans (CLI) and machines (flow return value)."""

    run_id: str
    db: str
    files_seen: int
    sources_loaded: int
    sources_unchanged: int
    claims_loaded: int
    anchors_loaded: int
    problems: list[dict[str, object]]
    parse_seconds: float
    load_seconds: float
    wall_seconds: float
    totals: dict[str, int] = field(default_factory=dict)
    #: Seconds per stage of the load (open, insert, resolve, search index, publish...):
    #: the single writer does not scale with workers, so where its time goes matters.
    load_phases: dict[str, float] = field(default_factory=dict)

    @property
    def n_errors(self) -> int:
        return sum(1 for p in self.problems if p["severity"] == "error")

    def as_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__slots__} | {"n_errors": self.n_errors}


def source_id_for(source_key: str) -> str:
    import hashlib

    return hashlib.blake2b(source_key.encode(), digest_size=8).hexdigest()


def fingerprint(taxonomy: str | None = None, *, tag: bool = True) -> str:
    """What produced a source's rows: ytclaims version and tagging rules.

    Re-runs skip a file only when its bytes *and* this fingerprint are unchanged, so
    upgrading ytclaims or editing the taxonomy re-processes everything once.
    """
    if not tag:
        return f"{__version__}+untagged"
    from ytclaims.tags.fingerprint import fingerprint as tax_fingerprint

    return f"{__version__}+{tax_fingerprint(taxonomy)}"


def parse_batch(
    paths: Sequence[str | Path],
    known: KnownSources | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    taxonomy: str | None = None,
    tag: bool = True,
    stage_dir: str | None = None,
) -> BatchResult:
    """Read, parse and tag a batch of files. Never raises for a bad file: it records it.

    Files whose (source key, content hash) is in ``known`` are already in the warehouse
    exactly as they are (same pipeline fingerprint), and are skipped.
    The spaCy pipeline is loaded once per process and fed the batch's claims together.
    With ``stage_dir`` the rows are written there as Parquet (bounded memory, shared
    folders for distributed workers) instead of travelling back in memory.
    """
    t0 = time.perf_counter()
    out = BatchResult()
    for raw_path in paths:
        path = Path(raw_path)
        try:
            _parse_one(path, known or KnownSources(), max_bytes, out)
        except Exception as exc:  # noqa: BLE001 - one bad file must never stop a run
            err = errors.SourceError(
                f"Unexpected {type(exc).__name__}: {exc}",
                hint="This is a ytclaims bug; please report it with the file.",
            )
            out.problems.append(problem_row(path, err))
            out.parsed_paths.append(str(path))
    if tag and out.claims:
        from ytclaims.tags.tagger import tag_claims

        out.tag_evidence, out.entities = tag_claims(out.claims, taxonomy)
        for c in out.claims:
            for t in c.pop("tags", []):  # type: ignore[union-attr]
                out.claim_tags.append(
                    {"_path": c["_path"], "claim_id": c["claim_id"], "source_id": c["source_id"]}
                    | t
                )
    out.freeze(stage_dir)
    out.seconds = time.perf_counter() - t0
    return out


def _parse_one(path: Path, known: KnownSources, max_bytes: int, out: BatchResult) -> None:
    if path.suffix.lower() in NOTE_SUFFIXES:
        _parse_note(path, known, max_bytes, out)
    else:
        _parse_captions(path, known, max_bytes, out)


def _parse_captions(path: Path, known: KnownSources, max_bytes: int, out: BatchResult) -> None:
    """A caption file -> transcript source, cues, sentences and transcript claims."""
    from ytclaims.claims.transcript import segment_sentences, select_claims
    from ytclaims.sources.captions import read_caption_file

    track = read_caption_file(path, max_bytes=max_bytes)
    if track.video_id and known.has(f"{track.video_id}/{path.name}", track.content_hash):
        out.unchanged += 1
        out.unchanged_keys.append((f"{track.video_id}/{path.name}", str(path)))
        return
    out.parsed_paths.append(str(path))
    for p in track.problems:
        out.problems.append(problem_row(path, p, track.content_hash or None))
    if track.fatal is not None or track.video_id is None:
        return
    vid = track.video_id
    source_key = f"{vid}/{path.name}"
    sid = source_id_for(source_key)
    kind = track.kind or "unknown"
    name = f"{track.language or 'und'}:{kind}:{track.format}"
    sentences = segment_sentences(track)
    duration = max((c.start + c.duration for c in track.cues), default=None)
    base = {"_path": str(path), "source_id": sid, "video_id": vid}
    out.transcript_tracks.append(
        base
        | {
            "track": name,
            "language": track.language,
            "kind": kind,
            "format": track.format,
            "origin": "fetch" if track.format == "yta_cache" else "file",
            "n_cues": len(track.cues),
            "n_sentences": len(sentences),
            "has_word_timings": bool(track.words),
            "duration_seconds": duration,
        }
    )
    out.segments.extend(
        base
        | {"track": name, "cue_index": i, "start": c.start, "duration": c.duration, "text": c.text}
        for i, c in enumerate(track.cues)
    )
    out.sentences.extend(
        base
        | {
            "track": name,
            "sentence_index": i,
            "start": st.start,
            "end": st.end,
            "text": st.text,
            "first_cue": st.first_cue,
            "last_cue": st.last_cue,
        }
        for i, st in enumerate(sentences)
    )
    seen: dict[str, int] = {}
    n_claims = 0
    position = {id(st): i for i, st in enumerate(sentences)}
    for sent, reasons in select_claims(sentences):
        occurrence = seen.get(sent.text, 0)
        seen[sent.text] = occurrence + 1
        cid = _claim_id(source_key, sent.text, occurrence)
        idx = position.get(id(sent), n_claims)
        out.claims.append(
            base
            | {
                "claim_id": cid,
                "channel": None,
                "note_title": None,
                "claim_ordinal": n_claims,
                "block_ordinal": idx,
                "block_kind": "transcript_sentence",
                "line": idx,
                "heading_path": None,
                "lead_in": None,
                "text": sent.text,
                "wiki_targets": [],
                "n_anchors": 1,
                "layers": [],
                "trends": [],
            }
        )
        out.anchors.append(
            {
                "_path": str(path),
                "claim_id": cid,
                "source_id": sid,
                "anchor_ordinal": n_claims,
                "group_position": 0,
                "data_t_raw": f"{sent.start:.3f}",
                "label_raw": None,
                "markup_issue": None,
                "form": "transcript",
                "parse_status": "ok",
                "parse_reason": None,
                "data_t_seconds": sent.start,
                "label_seconds": None,
                "label_mismatch": False,
                "candidates": [{"reading": "transcript", "seconds": sent.start}],
                "anchor_seconds": sent.start,
                "anchor_reading": "transcript",
                "anchor_source": "transcript",
                "timestamp_status": "transcript",
                "resolution_reason": "start of the sentence in the transcript; selected for: "
                + ", ".join(reasons),
            }
        )
        n_claims += 1
    out.sources.append(
        {
            "_path": str(path),
            "source_id": sid,
            "source_key": source_key,
            "source_kind": "transcript",
            "source_path": str(path),
            "content_hash": track.content_hash,
            "size_bytes": path.stat().st_size,
            "video_id": vid,
            "channel": None,
            "note_title": None,
            "n_claims": n_claims,
            "n_anchors": n_claims,
        }
    )


def _claim_id(source_key: str, text: str, occurrence: int) -> str:
    from ytclaims.claims.extract import _claim_id as cid

    return cid(source_key, text, occurrence)


def _parse_note(path: Path, known: KnownSources, max_bytes: int, out: BatchResult) -> None:
    nf = read_note(path, max_bytes=max_bytes)
    if nf.content_hash and known.has(nf.source_key, nf.content_hash):
        out.unchanged += 1
        out.unchanged_keys.append((nf.source_key, str(path)))
        return
    out.parsed_paths.append(str(path))
    fatal = nf.fatal
    problems = list(nf.problems)
    if fatal is None:
        sid = source_id_for(nf.source_key)
        if nf.kind == "index":
            rows = parse_index(nf)
            for r in rows:
                r["source_id"] = sid
                r["_path"] = str(path)
                r.pop("index_source_key", None)
            out.video_index.extend(rows)
            n_claims = n_anchors = 0
        else:
            nc = extract_claims(nf)
            for c in nc.claims:
                c["_path"] = str(path)
                c["source_id"] = sid
                c["video_id"] = nf.video_id
                c["channel"] = nf.channel
                c["note_title"] = nf.title
                c["layers"] = []
                c["trends"] = []
            for a in nc.anchors:
                a["_path"] = str(path)
                a["source_id"] = sid
            out.claims.extend(nc.claims)
            out.anchors.extend(nc.anchors)
            n_claims, n_anchors = len(nc.claims), len(nc.anchors)
            if n_anchors == 0:
                problems.append(errors.NoAnchorsWarning("The note yields no citable claim."))
            if nc.n_malformed:
                problems.append(
                    errors.MalformedAnchorWarning(
                        f"{nc.n_malformed} anchor(s) malformed, e.g. "
                        f"{'; '.join(nc.malformed_examples)}."
                    )
                )
        out.sources.append(
            {
                "_path": str(path),
                "source_id": sid,
                "source_key": nf.source_key,
                "source_kind": nf.kind,
                "source_path": str(path),
                "content_hash": nf.content_hash,
                "size_bytes": nf.size_bytes,
                "video_id": nf.video_id,
                "channel": nf.channel,
                "note_title": nf.title,
                "n_claims": n_claims,
                "n_anchors": n_anchors,
            }
        )
    for p in problems:
        out.problems.append(problem_row(path, p, nf.content_hash or None))


def batched(items: Sequence[Path], size: int) -> Iterable[list[Path]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


@dataclass(slots=True)
class FetchReport:
    """What ``fetch`` did: per-video outcomes, the ingest of what arrived, and advice."""

    results: list[dict[str, object]]
    ingest: IngestReport | None
    advice: str
    ref_problems: list[dict[str, object]]

    @property
    def n_ok(self) -> int:
        return sum(1 for r in self.results if r["status"] in ("fetched", "cached"))


def resolve_refs(
    refs: Sequence[str], refs_files: Sequence[str | Path] = ()
) -> tuple[list[str], list[dict[str, object]]]:
    """Video ids from ids/URLs and files of them; bad ones become problems, not errors."""
    from ytclaims.sources.youtube import InvalidVideoRefError, parse_video_ref, read_refs_file

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
    from ytclaims.sources.notes import content_hash
    from ytclaims.sources.youtube import FetchConfig, advice_for, fetch_many

    cfg = config if config is not None else FetchConfig.build()
    results = fetch_many(list(ids), cfg, on_result=on_result)  # type: ignore[arg-type]
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
) -> IngestReport:
    """Load fetched transcripts and every fetch attempt in one transaction."""
    from ytclaims.warehouse import load as wl
    from ytclaims.warehouse.db import db_path

    t0 = started if started is not None else time.perf_counter()
    path = db_path(db)
    fp = fingerprint(taxonomy, tag=tag)
    paths = list(fetched["paths"])  # type: ignore[call-overload]
    found = discover(paths) if paths else Discovery()
    known = wl.known_sources(path, fp)
    batches = [parse_batch(found.files, known, taxonomy=taxonomy, tag=tag)] if found.files else []
    return wl.load(
        path,
        batches,
        found,
        list(inputs),
        started=t0,
        fingerprint=fp,
        fetch_attempts=list(fetched["attempts"]),  # type: ignore[call-overload]
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
) -> FetchReport:
    """Fetch transcripts with youtube-transcript-api, then load them and every attempt.

    The raw transcript is cached on disk before anything else; the warehouse load
    (transcript rows, transcript claims, re-resolution of the videos' note anchors and
    the ``fetch_attempts`` rows) is one transaction, so a failure leaves nothing
    half-written.
    """
    t0 = time.perf_counter()
    ids, problems = resolve_refs(refs, refs_files)
    fetched = fetch_videos(ids, config, on_result)
    report = load_fetched(
        fetched, db, inputs=[*refs, *map(str, refs_files)], taxonomy=taxonomy, tag=tag, started=t0
    )
    return FetchReport(
        results=list(fetched["results"]),  # type: ignore[call-overload]
        ingest=report,
        advice=str(fetched["advice"]),
        ref_problems=problems,
    )


def new_run_id() -> str:
    return uuid.uuid4().hex


def ingest(
    paths: Sequence[str | Path],
    db: str | Path | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_bytes: int = DEFAULT_MAX_BYTES,
    taxonomy: str | None = None,
    tag: bool = True,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    prune: bool = False,
    stage_root: str | Path | None = None,
) -> IngestReport:
    """Ingest notes under ``paths`` into the warehouse, without Prefect.

    The Prefect flow runs the same three stages as tasks; this function exists for
    tests, benchmarks and users who do not want an orchestrator. Batches are parsed
    in ``workers`` processes (default: one per core; 1 = in this process), each of
    which loads spaCy once; results come back as Arrow tables and one writer loads
    them in one transaction.

    Parsed rows are staged as Parquet under ``stage_root`` (default: ``.staging``
    next to the warehouse) and streamed into the warehouse by the writer, so memory
    does not grow with the corpus. ``prune`` deletes sources whose files are gone.
    """
    from ytclaims.warehouse import load as wl
    from ytclaims.warehouse import staging
    from ytclaims.warehouse.db import db_path

    t0 = time.perf_counter()
    path = db_path(db)
    found: Discovery = discover(list(paths))
    fp = fingerprint(taxonomy, tag=tag)
    known = wl.known_sources(path, fp)
    todo, seed, skipped = prefilter_unchanged(found.files, known)
    batches = list(batched(todo, batch_size))
    n_workers = min(workers or os.cpu_count() or 1, len(batches))
    results: list[BatchResult] = []
    done = skipped
    stage_dir = staging.stage_dir_for(path, stage_root) if batches else None
    kwargs = {
        "max_bytes": max_bytes,
        "taxonomy": taxonomy,
        "tag": tag,
        "stage_dir": str(stage_dir) if stage_dir else None,
    }
    if progress and skipped:
        progress(done, len(found.files))
    try:
        if n_workers <= 1:
            for batch in batches:
                results.append(parse_batch(batch, known, **kwargs))  # type: ignore[arg-type]
                done += len(batch)
                if progress:
                    progress(done, len(found.files))
        else:
            with spawn_pool(n_workers) as pool:
                futures = [pool.submit(parse_batch, b, known, **kwargs) for b in batches]
                for fut, batch in zip(futures, batches, strict=True):
                    results.append(fut.result())
                    done += len(batch)
                    if progress:
                        progress(done, len(found.files))
        return wl.load(
            path,
            results,
            found,
            [str(p) for p in paths],
            started=t0,
            fingerprint=fp,
            seed=seed,
            unchanged=skipped,
            prune=prune,
        )
    finally:
        staging.remove_stage_dir(stage_dir)


def spawn_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes that are spawned, not forked: a fork of a process holding
    threads (DuckDB, Prefect) can deadlock."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def worker_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """One process pool per process, shared by concurrent callers (e.g. Prefect's task
    threads): parsing and tagging are CPU-bound Python, so threads alone would not use
    more than one core. Workers are spawned (not forked) and load spaCy once each."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = spawn_pool(workers or os.cpu_count() or 1)
            atexit.register(_POOL.shutdown)
        return _POOL


def parse_batch_in_pool(
    paths: Sequence[str | Path], known: KnownSources | None = None, **kwargs: object
) -> BatchResult:
    """:func:`parse_batch` in the shared worker pool (blocks until done)."""
    return worker_pool().submit(parse_batch, paths, known, **kwargs).result()  # type: ignore[arg-type]


def prefilter_unchanged(
    files: Sequence[Path], known: KnownSources
) -> tuple[list[Path], dict[str, str], int]:
    """Files still to parse, and the keys of files unchanged since they were loaded.

    A file at the same path with the same bytes as a loaded source is unchanged; this
    needs only a read and a hash, so a no-op re-run starts no worker process at all.
    """
    from ytclaims.sources.notes import content_hash

    todo: list[Path] = []
    seed: dict[str, str] = {}
    skipped = 0
    for f in files:
        hit = known.by_path.get(str(f))
        if hit is not None:
            try:
                same = content_hash(f.read_bytes()) == hit[0]
            except OSError:
                same = False
            if same:
                seed.setdefault(hit[1], str(f))
                skipped += 1
                continue
        todo.append(f)
    return todo, seed, skipped
