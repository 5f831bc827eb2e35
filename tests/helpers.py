"""Independent helpers for the ytclaims tests.

Nothing here calls ytclaims to compute an expectation: anchor counts, index-page
titles and table snapshots are read straight from the files or the DuckDB file.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
#: The shared data folder (corpus, seed note): ``$YTCLAIMS_SHARED``, else ``../shared`` beside
#: the repository. A fresh clone has neither; the tests that need it are then skipped.
SHARED_ENV = "YTCLAIMS_SHARED"
SHARED = (
    Path(os.environ[SHARED_ENV]).expanduser().resolve()
    if os.environ.get(SHARED_ENV)
    else REPO.parent / "shared"
)
EXAMPLES = REPO / "examples" / "notes"
FIXTURES = REPO / "tests" / "fixtures" / "notes"
CORPUS = SHARED / "corpus" / "notes"
CAPTIONS = SHARED / "corpus" / "captions"
SEED = SHARED / "seed" / "evolution_of_ai_models_and_infrastructure.md"
#: Whether the shared corpus is there (the notes, the captions and the seed note).
HAVE_SHARED = CORPUS.is_dir() and CAPTIONS.is_dir() and SEED.is_file()
#: The one-line reason a corpus test is skipped without it.
SHARED_SKIP_REASON = (
    f"needs the shared corpus: set {SHARED_ENV}=/path/to/shared or put it at ../shared "
    f"(not found at {SHARED})"
)


def shared_params(make: Callable[[], list[Path]]) -> list:
    """Parameters for a test parametrized over shared files, computed at collection time.

    Without the shared folder there is nothing to list: one placeholder parameter stands in,
    and the test is skipped with the reason above (mark the test ``corpus``), instead of a
    collection error or pytest's vague "empty parameter set".
    """
    if not HAVE_SHARED:
        return [pytest.param(None, id="no-shared", marks=pytest.mark.skip(SHARED_SKIP_REASON))]
    return make()


#: Independent anchor count: the start of an <a ...> tag whose class begins with "yt".
# HTML tag and attribute names are case-insensitive: <A CLASS="yt-..."> is an anchor too.
ANCHOR_RX = re.compile(r"<a\b[^>]*\bclass\s*=\s*[\"']?yt", re.IGNORECASE)
#: An index-page entry: ``### [Video title](https://www.youtube.com/watch?v=ID)``.
INDEX_ENTRY_RX = re.compile(r"^#{1,6}\s*\[(.+)\]\((\S+)\)\s*$", re.MULTILINE)

#: Tables and views whose content must not change on a no-op re-run (everything but runs).
STABLE_RELATIONS = (
    "sources",
    "claims",
    "anchors",
    "video_index",
    "ingest_errors",
    "citations",
    "videos",
    "meta",
)


def count_anchors(text: str) -> int:
    return len(ANCHOR_RX.findall(text))


def is_index_page(path: Path) -> bool:
    """``<channel>/<channel>.md`` is a channel index page, not a note."""
    return path.stem == path.parent.name


def note_files(root: Path) -> list[Path]:
    """Every .md file under root that is not a channel index page."""
    return sorted(p for p in root.rglob("*.md") if not is_index_page(p))


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def index_titles(index_page: Path) -> dict[str, str]:
    """video id -> title, read from an index page with a regex of our own."""
    out: dict[str, str] = {}
    for title, url in INDEX_ENTRY_RX.findall(read_text(index_page)):
        m = re.search(r"(?:v=|youtu\.be/)([A-Za-z0-9_-]{11})", url)
        if m:
            out.setdefault(m.group(1), title.strip())
    return out


@contextlib.contextmanager
def ro(db: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection that is always closed (DuckDB allows one writer per file,
    and an open connection in this process would block the next ingest)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        yield con
    finally:
        con.close()


def all_relations(db: Path | str) -> tuple[str, ...]:
    """Every table and view of the warehouse (schema main) except the run log."""
    with ro(db) as con:
        rows = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT internal AND schema_name = 'main' "
            "UNION SELECT view_name FROM duckdb_views() WHERE NOT internal "
            "AND schema_name = 'main'"
        ).fetchall()
    return tuple(sorted(r[0] for r in rows if r[0] != "runs"))


def fetch_sorted(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[object, ...]]:
    rows = con.execute(f"SELECT * FROM {relation}").fetchall()
    return sorted(rows, key=repr)


def snapshot(db: Path | str, relations: tuple[str, ...] = STABLE_RELATIONS) -> dict[str, list]:
    """Every row of the given tables/views, sorted, keyed by relation name."""
    with ro(db) as con:
        return {r: fetch_sorted(con, r) for r in relations}


def digest(db: Path | str, relations: tuple[str, ...] = STABLE_RELATIONS) -> dict[str, tuple]:
    """(row count, order-independent hash of every full row) per relation: a cheap
    row-for-row comparison for large warehouses."""
    with ro(db) as con:
        return {
            r: con.execute(
                "SELECT count(*), md5(string_agg(md5(CAST(x AS VARCHAR)), ',' "
                f"ORDER BY md5(CAST(x AS VARCHAR)))) FROM {r} x"
            ).fetchone()
            for r in relations
        }


def ingest_untagged(paths: list, db: Path | str, **kw: object):
    """``ytclaims.pipeline.ingest`` without the layer/trend tagging stage, where the
    installed ytclaims has one (``tag=``). For synthetic filler notes that test reading
    and loading at scale: spaCy over 50 MB of filler tests nothing and dominates run time.
    """
    from ytclaims.pipeline import ingest

    if "tag" in inspect.signature(ingest).parameters:
        kw.setdefault("tag", False)
    return ingest(paths, db, **kw)
