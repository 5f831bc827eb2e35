"""What the warehouse already holds: the basis of incremental, idempotent runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ytclaims import errors


@dataclass(frozen=True, slots=True)
class KnownSources:
    """What the warehouse already holds, produced by the current pipeline fingerprint.

    A file is unchanged when its (source key, content hash) pair is loaded: a copy of a
    loaded note under a new name is a new source and is loaded. ``by_path`` lets the
    caller recognise unchanged files from their bytes alone, before any parsing (and
    before starting worker processes) on a no-op re-run.
    """

    pairs: frozenset[tuple[str, str]] = frozenset()
    by_path: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (hash, key)

    def has(self, source_key: str, content_hash: str) -> bool:
        return (source_key, content_hash) in self.pairs


def known_sources(path: Path, fingerprint: str) -> KnownSources:
    """Sources loaded by this same pipeline, so unchanged files are skipped.

    Read from the writer's working file when there is one: it is what the run will
    write into, and it may hold commits not yet published to ``path``. If another run
    holds the working file, nothing is known (every file is parsed again): the published
    snapshot may be older than the working file, and a file skipped against an old
    snapshot could leave a newer version in the working file.
    """
    from ytclaims.warehouse.db import connect_read, working_path

    working = working_path(path)
    source = working if working.exists() else path
    if not source.exists():
        return KnownSources()
    try:
        con = connect_read(source)
    except errors.WarehouseError:
        return KnownSources()
    try:
        rows = con.execute(
            "SELECT source_key, content_hash, source_path FROM sources "
            "WHERE pipeline_fingerprint = ?",
            [fingerprint],
        ).fetchall()
    except duckdb.CatalogException:
        rows = []
    finally:
        con.close()
    return KnownSources(frozenset((k, h) for k, h, _ in rows), {p: (h, k) for k, h, p in rows})
