"""What a worker does with one batch of files: read, extract, tag, stage.

A batch runs in a thread, a spawned process or a Dask worker; it gets plain data in
(paths, the known sources) and hands plain data back (:class:`BatchResult`, its big
tables staged as Parquet), never a database connection or an NLP object. Each file is
its own boundary: whatever goes wrong with one is recorded as a problem of that file
and the batch goes on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

from ytclaims import errors
from ytclaims.claims.extract import extract_claims
from ytclaims.limits import MAX_CLAIM_CHARS, MAX_CONTEXT_CHARS
from ytclaims.records import BatchResult, is_utf8_path, problem_row, source_id_for
from ytclaims.sources.discover import NOTE_SUFFIXES
from ytclaims.sources.index_pages import parse_index
from ytclaims.sources.metadata import (
    VideoMeta,
    from_fetch_cache,
    is_metadata_file,
    read_metadata_file,
)
from ytclaims.sources.notes import DEFAULT_MAX_BYTES, read_note
from ytclaims.warehouse.known import KnownSources
from ytclaims.warehouse.staging import freeze

#: Most claims handed to the tagger at once (a batch of 250 real notes has about 10,000).
TAG_CHUNK = 5000


def note_chunks(claims: list[dict[str, object]], size: int) -> list[list[dict[str, object]]]:
    """Consecutive runs of whole notes (by ``source_id``) of at most ``size`` claims; a
    note larger than ``size`` is cut into parts of ``size``."""
    chunks: list[list[dict[str, object]]] = []
    cur: list[dict[str, object]] = []
    i = 0
    while i < len(claims):
        j = i
        while j < len(claims) and claims[j].get("source_id") == claims[i].get("source_id"):
            j += 1
        note = claims[i:j]
        if cur and len(cur) + len(note) > size:
            chunks.append(cur)
            cur = []
        if len(note) > size:
            chunks.extend(note[k : k + size] for k in range(0, len(note), size))
        else:
            cur.extend(note)
        i = j
    if cur:
        chunks.append(cur)
    return chunks


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
        if not is_utf8_path(path):  # discovery refuses these; direct callers may not
            out.problems.append(problem_row(path, errors.FileNameError("The name is not UTF-8.")))
            continue
        try:
            _parse_one(path, known or KnownSources(), max_bytes, out)
        except Exception as exc:  # noqa: BLE001 - one bad file must never stop a run
            _drop_file(out, str(path))
            err = errors.SourceError(
                f"Unexpected {type(exc).__name__}: {exc}",
                hint="This is a ytclaims bug; please report it with the file.",
            )
            out.problems.append(problem_row(path, err))
            out.parsed_paths.append(str(path))
    try:
        _tag_and_freeze(out, taxonomy, tag, stage_dir)
    except Exception:  # noqa: BLE001 - find the file that broke it; the others go on
        _tag_and_freeze_per_file(out, taxonomy, tag, stage_dir)
    out.seconds = time.perf_counter() - t0
    return out


def _tag_and_freeze(
    out: BatchResult, taxonomy: str | None, tag: bool, stage_dir: str | None
) -> None:
    """Tag the batch's claims together (spaCy's ``nlp.pipe``), then freeze its rows."""
    if tag and out.claims:
        from ytclaims.tags.tagger import tag_claims

        # In chunks: the tagger holds a spaCy Doc per claim it is given, and one note of
        # 100,000 anchors (one batch) then peaked at 1.2 GB. A chunk holds whole notes (the
        # tagger reads each note's claims together: their share naming AI, their mean
        # probabilities), so chunks change no result; only a note of more than TAG_CHUNK
        # claims, which no real note has, is tagged in parts of TAG_CHUNK.
        out.tag_evidence, out.entities = [], []
        for chunk in note_chunks(out.claims, TAG_CHUNK):
            evidence, entities = tag_claims(chunk, taxonomy)
            out.tag_evidence.extend(evidence)
            out.entities.extend(entities)
        for c in out.claims:
            for t in c.pop("tags", []):  # type: ignore[union-attr]
                out.claim_tags.append(
                    {"_path": c["_path"], "claim_id": c["claim_id"], "source_id": c["source_id"]}
                    | t
                )
    freeze(out, stage_dir)


def _tag_and_freeze_per_file(
    out: BatchResult, taxonomy: str | None, tag: bool, stage_dir: str | None
) -> None:
    """Tagging or freezing the batch failed: try each file alone, record the ones that
    fail as one problem each, and freeze the rest. The per-file boundary holds for every
    exception, also those raised after parsing."""
    for name in ("claim_tags", "tag_evidence", "entities"):
        setattr(out, name, [])
    paths = list(dict.fromkeys(str(r["_path"]) for r in out.sources))
    for path in paths:
        one = BatchResult()
        for name in BatchResult.ROW_LISTS:
            setattr(one, name, [r for r in getattr(out, name) if r.get("_path") == path])
        try:
            _tag_and_freeze(one, taxonomy, tag, None)
        except Exception as exc:  # noqa: BLE001
            _drop_file(out, path)
            hashes = [r.get("content_hash") for r in one.sources]
            err = errors.TaggingError(f"{type(exc).__name__}: {str(exc)[:300]}")
            out.problems.append(problem_row(path, err, hashes[0] if hashes else None))
            continue
        for name in ("claim_tags", "tag_evidence", "entities"):
            getattr(out, name).extend(getattr(one, name))
    freeze(out, stage_dir)


def _drop_file(out: BatchResult, path: str) -> None:
    """Forget every row of ``path`` (its problems stay): the file is not loaded."""
    for name in BatchResult.ROW_LISTS:
        rows = getattr(out, name)
        if any(r.get("_path") == path for r in rows):
            setattr(out, name, [r for r in rows if r.get("_path") != path])


def _bound_texts(rows: list[dict[str, object]], keep_end: bool) -> list[int]:
    """Cut claim text and context to the limits before anything is tagged; returns the
    ordinals of claims whose text was cut (their rows are loaded, with the cut text).

    spaCy refuses any text over its ``max_length`` (error E088), and its tokenizer and
    rules cost more than linear time on some long tokens: no text it sees may be long.
    ``keep_end``: keep the end of a note claim (the words right before its anchor),
    else the start (a transcript sentence starts at its time).
    """
    cut: list[int] = []
    for c in rows:
        text = str(c.get("text") or "")
        if len(text) > MAX_CLAIM_CHARS:
            c["text"] = text[-MAX_CLAIM_CHARS:] if keep_end else text[:MAX_CLAIM_CHARS]
            cut.append(int(c.get("claim_ordinal") or 0))
        for key in ("heading_path", "lead_in", "note_title"):
            v = c.get(key)
            if isinstance(v, str) and len(v) > MAX_CONTEXT_CHARS:
                c[key] = v[:MAX_CONTEXT_CHARS]
    return cut


def _parse_one(path: Path, known: KnownSources, max_bytes: int, out: BatchResult) -> None:
    if path.suffix.lower() in NOTE_SUFFIXES:
        _parse_note(path, known, max_bytes, out)
    elif is_metadata_file(path):
        _parse_metadata(path, known, max_bytes, out)
    else:
        _parse_captions(path, known, max_bytes, out)


def _parse_captions(path: Path, known: KnownSources, max_bytes: int, out: BatchResult) -> None:
    """A caption file -> transcript source, cues, sentences and transcript claims."""
    from ytclaims.claims.transcript import transcript_rows
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
    source_key = f"{track.video_id}/{path.name}"
    sid = source_id_for(source_key)
    rows = transcript_rows(track, str(path), source_key, sid)
    cut = _bound_texts(rows.claims, keep_end=False)
    if cut:
        out.problems.append(
            problem_row(
                path,
                errors.LongTextWarning(
                    f"{len(cut)} transcript claim(s) over {MAX_CLAIM_CHARS:,} characters "
                    f"were cut to their first {MAX_CLAIM_CHARS:,}."
                ),
                track.content_hash or None,
            )
        )
    out.transcript_tracks.append(rows.track)
    out.segments.extend(rows.segments)
    out.sentences.extend(rows.sentences)
    out.claims.extend(rows.claims)
    out.anchors.extend(rows.anchors)
    if track.format == "yta_cache":
        # A fetched transcript's cache file also keeps what YouTube said about the video.
        meta = _cached_video_meta(path, track.video_id)
        if meta is not None:
            out.video_metadata.append(meta.row(sid, str(path)))
    out.sources.append(
        {
            "_path": str(path),
            "source_id": sid,
            "source_key": source_key,
            "source_kind": "transcript",
            "source_path": str(path),
            "content_hash": track.content_hash,
            "size_bytes": track.size_bytes,
            "video_id": track.video_id,
            "channel": None,
            "note_title": None,
            "n_claims": len(rows.claims),
            "n_anchors": len(rows.anchors),
        }
    )


def _cached_video_meta(path: Path, video_id: str) -> VideoMeta | None:
    """The ``video`` object of a fetch cache file (read again: it is small, and the
    caption reader keeps only the snippets)."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return from_fetch_cache(data, video_id)


def _parse_metadata(path: Path, known: KnownSources, max_bytes: int, out: BatchResult) -> None:
    """A yt-dlp ``.info.json`` or a metadata CSV -> one ``metadata`` source and its
    ``video_metadata`` rows (no claims)."""
    mf = read_metadata_file(path, max_bytes=max_bytes)
    # A one-video file is keyed by its video (like caption files); a CSV by its folder.
    single = mf.origin == "yt-dlp" and len(mf.videos) == 1
    source_key = f"{mf.videos[0].video_id if single else path.parent.name}/{path.name}"
    if mf.content_hash and mf.fatal is None and known.has(source_key, mf.content_hash):
        out.unchanged += 1
        out.unchanged_keys.append((source_key, str(path)))
        return
    out.parsed_paths.append(str(path))
    for p in mf.problems:
        out.problems.append(problem_row(path, p, mf.content_hash or None))
    if mf.fatal is not None:
        return
    sid = source_id_for(source_key)
    out.video_metadata.extend(m.row(sid, str(path)) for m in mf.videos)
    out.sources.append(
        {
            "_path": str(path),
            "source_id": sid,
            "source_key": source_key,
            "source_kind": "metadata",
            "source_path": str(path),
            "content_hash": mf.content_hash,
            "size_bytes": mf.size_bytes,
            "video_id": mf.videos[0].video_id if single else None,
            "channel": None,
            "note_title": None,
            "n_claims": 0,
            "n_anchors": 0,
        }
    )


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
            _bound_texts(nc.claims, keep_end=True)
            if nc.long_lines:
                lines = ", ".join(str(n) for n in nc.long_lines[:5])
                problems.append(
                    errors.LongTextWarning(
                        f"{len(nc.long_lines)} claim(s) over {MAX_CLAIM_CHARS:,} characters "
                        f"were cut to the last {MAX_CLAIM_CHARS:,} before their anchor "
                        f"(line {lines})."
                    )
                )
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
