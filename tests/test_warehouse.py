"""The DuckDB warehouse: idempotent re-runs, replacement of changed notes, deterministic
ids, documented schema, and the public citations view."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EXAMPLES, FIXTURES, count_anchors, note_files, read_text, ro, snapshot

from ytclaims.pipeline import ingest

PUBLIC_TABLES = ("meta", "runs", "sources", "video_index", "claims", "anchors", "ingest_errors")
PUBLIC_VIEWS = ("videos", "citations")
CITATION_COLUMNS = [
    "claim_id",
    "video_id",
    "source_path",
    "source_kind",
    "anchor_ordinal",
    "anchor_raw",
    "text",
    "seconds",
    "timestamp_status",
    "url",
    "layers",
    "trends",
]


@pytest.fixture
def notes_tree(tmp_path: Path) -> Path:
    """A private copy of the bundled examples plus the test fixture notes."""
    root = tmp_path / "notes"
    shutil.copytree(EXAMPLES, root)
    shutil.copytree(FIXTURES, root, dirs_exist_ok=True)
    return root


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory):
    """The fixture tree ingested twice into one DB: (db, first report, second report,
    snapshot after the first run, snapshot after the second run)."""
    base = tmp_path_factory.mktemp("twice")
    root = base / "notes"
    shutil.copytree(EXAMPLES, root)
    shutil.copytree(FIXTURES, root, dirs_exist_ok=True)
    db = base / "w.duckdb"
    r1 = ingest([root], db)
    s1 = snapshot(db)
    r2 = ingest([root], db)
    s2 = snapshot(db)
    return root, db, r1, r2, s1, s2


def test_first_run_loads_every_readable_file(twice) -> None:
    root, db, r1, _, s1, _ = twice
    files = sorted(root.rglob("*.md"))
    assert r1.files_seen == len(files)
    bad = {str(root / "codecasts" / "bad_note_without_video_id.md")}
    loaded = {row[0] for row in _col(db, "SELECT source_path FROM sources")}
    assert loaded == {str(f) for f in files} - bad
    assert {row[0] for row in _col(db, "SELECT source_path FROM ingest_errors")} >= bad
    expected_anchors = sum(
        count_anchors(read_text(f)) for f in note_files(root) if str(f) not in bad
    )
    assert len(s1["anchors"]) == len(s1["citations"]) == expected_anchors


def test_rerun_changes_no_table_but_runs(twice) -> None:
    _, db, r1, r2, s1, s2 = twice
    assert r1.sources_loaded > 0
    assert r2.sources_loaded == 0
    assert r2.claims_loaded == 0 and r2.anchors_loaded == 0
    assert r2.sources_unchanged == r1.sources_loaded
    for name in s1:
        assert s2[name] == s1[name], f"{name} changed on a no-op re-run"
    with ro(db) as con:
        runs = con.execute(
            "SELECT run_id, n_sources_loaded FROM runs ORDER BY started_at"
        ).fetchall()
    assert [r[0] for r in runs] == [r1.run_id, r2.run_id]
    assert [r[1] for r in runs] == [r1.sources_loaded, 0]


def _col(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with ro(db) as con:
        return con.execute(sql, params or []).fetchall()


def test_changed_note_replaces_exactly_its_own_claims(notes_tree: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ingest([notes_tree], db)
    before = snapshot(db, ("claims", "anchors", "sources"))
    note = notes_tree / "aiweekly" / "falling_inference_costs.md"
    src = note.read_text(encoding="utf-8")
    # Remove one whole sentence together with its anchor.
    sentence = re.search(r" Cheaper inference[^<]*<a [^>]*>[^<]*</a>\.", src)
    assert sentence, "example note changed"
    note.write_text(src.replace(sentence.group(0), ""), encoding="utf-8")
    removed_text = re.sub(r"\s*<a .*", "", sentence.group(0)).strip() + "."

    report = ingest([notes_tree], db)
    assert report.sources_loaded == 1
    after = snapshot(db, ("claims", "anchors", "sources"))

    with ro(db) as con:
        sid = con.execute(
            "SELECT source_id FROM sources WHERE source_path = ?", [str(note)]
        ).fetchone()[0]
        claim_cols = [d[0] for d in con.execute("SELECT * FROM claims LIMIT 0").description]
    i_sid, i_id, i_text = (claim_cols.index(c) for c in ("source_id", "claim_id", "text"))

    def of(rows, mine: bool):
        return [r for r in rows if (r[i_sid] == sid) == mine]

    # other notes: untouched, row for row
    assert of(after["claims"], False) == of(before["claims"], False)
    # this note: the removed sentence's claim is gone, the others keep their ids and text
    old = {r[i_id]: r[i_text] for r in of(before["claims"], True)}
    new = {r[i_id]: r[i_text] for r in of(after["claims"], True)}
    gone = set(old) - set(new)
    assert [old[g] for g in gone] == [removed_text]
    assert set(new) == set(old) - gone
    assert all(new[k] == old[k] for k in new)
    with ro(db) as con:
        n_anchor_rows = con.execute(
            "SELECT count(*) FROM anchors WHERE source_id = ?", [sid]
        ).fetchone()[0]
        ordinals = con.execute(
            "SELECT list(anchor_ordinal ORDER BY anchor_ordinal) FROM anchors WHERE source_id = ?",
            [sid],
        ).fetchone()[0]
    assert n_anchor_rows == count_anchors(note.read_text(encoding="utf-8"))
    assert ordinals == list(range(n_anchor_rows))


def test_ids_are_deterministic_across_databases_and_locations(
    notes_tree: Path, tmp_path: Path
) -> None:
    other = tmp_path / "elsewhere" / "copy"
    shutil.copytree(notes_tree, other)
    db1, db2 = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    ingest([notes_tree], db1)
    ingest([other], db2)
    q = {
        "sources": "SELECT source_id, source_key, content_hash FROM sources",
        "claims": "SELECT claim_id, source_id, claim_ordinal, text FROM claims",
        "anchors": "SELECT claim_id, source_id, anchor_ordinal, anchor_seconds FROM anchors",
        "video_index": "SELECT video_id, source_id, title FROM video_index",
    }
    for name, sql in q.items():
        a, b = sorted(_col(db1, sql), key=repr), sorted(_col(db2, sql), key=repr)
        assert a and a == b, name


def test_every_public_object_and_column_has_a_comment(twice) -> None:
    _, db, *_ = twice
    with ro(db) as con:
        tables = dict(
            con.execute(
                "SELECT table_name, comment FROM duckdb_tables() WHERE NOT internal"
            ).fetchall()
        )
        views = dict(
            con.execute(
                "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        )
        cols = con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() "
            "WHERE table_name IN (SELECT unnest(?))",
            [list(PUBLIC_TABLES + PUBLIC_VIEWS)],
        ).fetchall()
    for t in PUBLIC_TABLES:
        assert t in tables, t
        assert tables[t] and tables[t].strip(), f"table {t} has no comment"
    for v in PUBLIC_VIEWS:
        assert v in views, v
        assert views[v] and views[v].strip(), f"view {v} has no comment"
    assert {c[0] for c in cols} == set(PUBLIC_TABLES + PUBLIC_VIEWS)
    missing = [(t, c) for t, c, comment in cols if not (comment and comment.strip())]
    assert missing == []


def test_citations_columns_and_urls(twice) -> None:
    _, db, *_ = twice
    with ro(db) as con:
        rel = con.execute("SELECT * FROM citations")
        names = [d[0] for d in rel.description]
        rows = rel.fetchall()
    assert names[: len(CITATION_COLUMNS)] == CITATION_COLUMNS
    assert rows
    ix = {n: names.index(n) for n in CITATION_COLUMNS}
    for r in rows:
        vid, secs, url = r[ix["video_id"]], r[ix["seconds"]], r[ix["url"]]
        assert r[ix["source_kind"]] == "note"
        if secs is None:
            assert url is None
            assert r[ix["timestamp_status"]] in ("ambiguous", "invalid")
        else:
            assert url == f"https://www.youtube.com/watch?v={vid}&t={secs}s"
            assert r[ix["timestamp_status"]] in ("unverified", "reinterpreted", "verified")
        assert isinstance(r[ix["layers"]], list) and isinstance(r[ix["trends"]], list)


def test_citation_seconds_match_the_written_anchor(twice) -> None:
    """Independent check on the bundled examples: a literal HH:MM:SS anchor in a note
    without ':00' anchors is cited at exactly that second."""
    root, db, *_ = twice
    note = root / "aiweekly" / "falling_inference_costs.md"
    written = re.findall(r'data-t="(\d\d):(\d\d):(\d\d)"', read_text(note))
    assert written and all(s != "00" for _, _, s in written)
    expected = [int(h) * 3600 + int(m) * 60 + int(s) for h, m, s in written]
    got = _col(
        db,
        "SELECT seconds FROM citations WHERE source_path = ? ORDER BY anchor_ordinal",
        [str(note)],
    )
    assert [g[0] for g in got] == expected


def test_index_page_titles_reach_videos(twice) -> None:
    root, db, *_ = twice
    from helpers import index_titles

    titles = index_titles(root / "aiweekly" / "aiweekly.md")
    titles |= index_titles(root / "fixturechan" / "fixturechan.md")
    assert len(titles) == 4
    got = dict(_col(db, "SELECT video_id, title FROM videos WHERE title IS NOT NULL"))
    assert got == titles


def test_db_opens_read_only_in_another_process_after_the_run(twice) -> None:
    _, db, *_ = twice
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.execute('select count(*) from citations').fetchone()[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == len(_col(db, "SELECT 1 FROM citations"))


def test_fixing_a_note_clears_its_old_problem(notes_tree: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    bad = notes_tree / "codecasts" / "bad_note_without_video_id.md"
    ingest([notes_tree], db)
    assert _col(db, "SELECT error_kind FROM ingest_errors WHERE source_path = ?", [str(bad)]) == [
        ("missing_video_id",)
    ]
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("title:", "videoId: fixedNote01\ntitle:", 1),
        encoding="utf-8",
    )
    report = ingest([notes_tree], db)
    assert report.sources_loaded == 1
    assert _col(db, "SELECT error_kind FROM ingest_errors WHERE source_path = ?", [str(bad)]) == []
    n = _col(db, "SELECT count(*) FROM citations WHERE source_path = ?", [str(bad)])[0][0]
    assert n == count_anchors(bad.read_text(encoding="utf-8"))


def _key_note(tmp: Path, folder: str, sentence: str) -> Path:
    p = tmp / folder / "same_name.md"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(
        "---\ntitle: Same name\nvideoId: sameName001\n---\n\nFrom: [[keychan]] <br/>\n\n"
        f'{sentence} <a class="yt-timestamp" data-t="00:01:02">[00:01:02]</a>.\n',
        encoding="utf-8",
    )
    return p


def test_rerun_with_two_files_sharing_a_source_key_changes_nothing(tmp_path: Path) -> None:
    """Two different files with one source key (same channel, same file name): the first
    is kept and the second reported as duplicate_source. Re-running on the same
    unchanged inputs must not swap them."""
    root = tmp_path / "notes"
    first = _key_note(root, "a", "The first copy says one thing")
    second = _key_note(root, "b", "The second copy says another")
    db = tmp_path / "w.duckdb"
    ingest([root], db)
    s1 = snapshot(db)
    assert [r[0] for r in _col(db, "SELECT source_path FROM sources")] == [str(first)]
    assert ("duplicate_source",) in _col(
        db, "SELECT error_kind FROM ingest_errors WHERE source_path = ?", [str(second)]
    )
    ingest([root], db)
    s2 = snapshot(db)
    for name in s1:
        assert s2[name] == s1[name], f"{name} changed on a re-run of unchanged files"


def test_new_file_with_same_bytes_as_a_loaded_note_is_loaded(tmp_path: Path) -> None:
    """Incremental ingest must end where a fresh ingest of the same files ends. A new
    note whose bytes equal an already-loaded note's (a copy under another name, i.e.
    another source key) is a new source, not an 'unchanged' one."""
    root = tmp_path / "notes"
    one = _key_note(root, "keychan", "A claim that is stated in two notes")
    db = tmp_path / "inc.duckdb"
    ingest([root], db)
    shutil.copy(one, one.with_name("copy_of_same_name.md"))
    ingest([root], db)
    fresh = tmp_path / "fresh.duckdb"
    ingest([root], fresh)
    q = "SELECT source_key FROM sources ORDER BY 1"
    assert len(_col(fresh, q)) == 2
    assert _col(db, q) == _col(fresh, q)


def test_a_warehouse_of_schema_version_1_is_migrated_and_loads(tmp_path: Path) -> None:
    """Files written by the first released schema (kept as a fixture) open, migrate to
    the newest version, and take a normal ingest; every view answers."""
    import duckdb

    from ytclaims.warehouse import migrations

    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute((FIXTURES.parent / "warehouse" / "schema_v1.sql").read_text("utf-8"))
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.close()
    report = ingest([EXAMPLES], db, workers=1, tag=False)
    assert report.sources_loaded > 0
    with ro(db) as con:
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert version == (str(migrations.LATEST),)
        sql = "SELECT view_name FROM duckdb_views() WHERE NOT internal"
        views = [r[0] for r in con.execute(sql).fetchall()]
        for v in views:
            con.execute(f"SELECT * FROM {v} LIMIT 1").fetchall()
        assert con.execute("SELECT count(*) FROM citations").fetchone()[0] > 0


def test_a_file_recording_a_later_version_without_an_earlier_step_is_healed(
    tmp_path: Path,
) -> None:
    """Branches once numbered their steps differently: a file said version 3 but lacked the
    column step 2 adds, and every ingest into it failed. Every (idempotent) step runs when
    the digest differs, whatever version the file records."""
    import duckdb

    from ytclaims.warehouse import migrations

    db = tmp_path / "misnumbered.duckdb"
    con = duckdb.connect(str(db))
    con.execute((FIXTURES.parent / "warehouse" / "schema_v1.sql").read_text("utf-8"))
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(migrations.LATEST)])
    con.close()
    report = ingest([EXAMPLES], db, workers=1, tag=False)
    assert report.sources_loaded > 0
    with ro(db) as con:
        cols = {r[0] for r in con.execute("DESCRIBE anchor_resolution").fetchall()}
        assert "quote" in cols
        assert con.execute("SELECT count(*) FROM citations").fetchone()[0] > 0


def test_opening_a_current_warehouse_skips_the_schema_but_a_changed_one_reapplies_it(
    tmp_path: Path,
) -> None:
    """The schema digest in ``meta`` lets a run skip ~300 statements; a file whose digest
    differs (an older ytclaims wrote it) gets tables, views and comments applied again."""
    from ytclaims.warehouse.db import connect_write, schema_digest

    db = tmp_path / "w.duckdb"
    con = connect_write(db)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_digest'").fetchone() == (
        schema_digest(),
    )
    con.execute("DROP VIEW claims_by_layer")
    con.close()
    con = connect_write(db)  # same digest: left alone, the dropped view stays dropped
    assert not con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name = 'claims_by_layer'"
    ).fetchone()[0]
    con.execute("UPDATE meta SET value = 'older' WHERE key = 'schema_digest'")
    con.close()
    con = connect_write(db)
    assert con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name = 'claims_by_layer'"
    ).fetchone()[0]
    con.close()
