"""Records that cross layers: what a parsed batch, a run and a fetch hand each other.

Everything here is plain data and pure functions, and this module imports nothing of
ytclaims but ``errors``: the parsers, the orchestrators (``pipeline``, ``fetching``,
the Prefect flows) and the warehouse all import it, and it imports none of them, so no
layer has to reach up into another to name what it passes on.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ytclaims import errors

#: A YouTube video id: 11 characters of ``[A-Za-z0-9_-]``. Use ``fullmatch``.
VIDEO_ID_RE = re.compile(r"[A-Za-z0-9_-]{11}")


def is_video_id(text: str) -> bool:
    """Is ``text`` exactly a video id (nothing before or after)?"""
    return VIDEO_ID_RE.fullmatch(text) is not None


def source_id_for(source_key: str) -> str:
    """A source's id: a hash of its key (``video/name`` or the note's key)."""
    return hashlib.blake2b(source_key.encode(), digest_size=8).hexdigest()


def claim_id_for(source_key: str, text: str, occurrence: int) -> str:
    """A claim's id: stable while its source key, its text and its occurrence (the n-th
    claim with this text in its source) stay the same, whatever else the note changes."""
    h = hashlib.blake2b(f"{source_key}\x1f{text}\x1f{occurrence}".encode(), digest_size=8)
    return h.hexdigest()


def new_run_id() -> str:
    return uuid.uuid4().hex


def problem_row(
    path: str | Path, exc: errors.SourceError, content_hash: str | None = None
) -> dict[str, object]:
    """A problem as plain data, ready for ``ingest_errors``."""
    return {
        "source_path": str(path),
        "content_hash": content_hash,
        "severity": exc.severity,
        "error_kind": exc.kind,
        "message": exc.message,
    }


@dataclass(slots=True)
class Discovery:
    """Files to read, and problems met while looking for them."""

    files: list[Path] = field(default_factory=list)
    problems: list[dict[str, object]] = field(default_factory=list)


@dataclass(slots=True)
class BatchResult:
    """What parsing a batch of files produced, as plain picklable data.

    Rows are collected as dicts while a batch is parsed, then frozen into Arrow
    tables by ``warehouse.staging.freeze`` (compact, typed, cheap to pickle between
    processes). Every staged row carries ``_path``, the file it came from, so the writer
    can drop the rows of a duplicate file without touching its twin.
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
    video_metadata: list[dict[str, object]] = field(default_factory=list)
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

    #: The row lists that become tables (in this order).
    ROW_LISTS = (
        "sources",
        "claims",
        "anchors",
        "video_index",
        "claim_tags",
        "tag_evidence",
        "entities",
        "transcript_tracks",
        "segments",
        "sentences",
        "video_metadata",
    )

    def clear_rows(self) -> None:
        """Drop the dict rows once they are tables (they are the bulk of the memory)."""
        for name in self.ROW_LISTS:
            setattr(self, name, [])

    def count(self, name: str) -> int:
        if name in self.counts:
            return self.counts[name]
        t = self.tables.get(name)
        return int(t.num_rows) if t is not None else len(getattr(self, name))  # type: ignore[attr-defined]


@dataclass(slots=True)
class IngestRun:
    """What one ingest run did (its ``runs`` row and problems), for humans (CLI) and
    machines (the flow's return value)."""

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


@dataclass(slots=True)
class FetchRun:
    """What a fetch did: per-video outcomes, the load of what arrived, and advice.

    The one shape of a fetch's outcome: the library returns it, the Prefect flows
    return :meth:`as_dict` of it, and the scheduled update summarises it.
    """

    results: list[dict[str, object]]
    ingest: IngestRun | None
    advice: str
    ref_problems: list[dict[str, object]]

    @property
    def n_ok(self) -> int:
        return sum(1 for r in self.results if r["status"] in ("fetched", "cached"))

    def as_dict(self) -> dict[str, object]:
        return {
            "results": self.results,
            "advice": self.advice,
            "ref_problems": self.ref_problems,
            "ingest": self.ingest.as_dict() if self.ingest is not None else None,
        }


def update_summary(
    config_path: str,
    db: str,
    ingest: dict[str, Any] | None,
    fetch: dict[str, Any] | None,
) -> dict[str, object]:
    """What a scheduled update changed, not every row (run details are in ``runs``)."""
    out: dict[str, object] = {"config": config_path, "db": db}
    out["ingest"] = (
        None
        if ingest is None
        else {
            k: ingest.get(k)
            for k in (
                "run_id",
                "files_seen",
                "sources_loaded",
                "sources_unchanged",
                "claims_loaded",
                "anchors_loaded",
                "n_errors",
            )
        }
    )
    if fetch is None:
        out["fetch"] = None
    else:
        results = fetch["results"]
        out["fetch"] = {
            "videos": len(results),
            "ok": sum(1 for r in results if r["status"] != "failed"),
            "failed": sum(1 for r in results if r["status"] == "failed"),
            "bad_refs": len(fetch["ref_problems"]),
            "claims_loaded": (fetch["ingest"] or {}).get("claims_loaded", 0),
            "advice": fetch["advice"],
        }
    return out
