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
    """Sources loaded by this same pipeline, so unchanged files are skipped."""
    if not path.exists():
        return KnownSources()
    from ytclaims.warehouse.db import connect_read

    try:
        con = connect_read(path)
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
