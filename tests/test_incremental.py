"""Incremental runs: pruning deleted sources, and the Parquet staging hand-off."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import EXAMPLES, all_relations, count_anchors, read_text, ro, snapshot

from ytclaims import pipeline
from ytclaims.sources.discover import discover
from ytclaims.warehouse import load as wl
from ytclaims.warehouse.known import KnownSources
from ytclaims.worker import parse_batch

NOTE = "falling_inference_costs.md"


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    shutil.copytree(EXAMPLES, root)
    return root


def _counts(db: Path, path: Path) -> tuple[int, int, int]:
    """(sources, claims, citations) of one file, by its path."""
    with ro(db) as con:
        return con.execute(
            "SELECT (SELECT count(*) FROM sources WHERE source_path = $p), "
            "(SELECT count(*) FROM claims JOIN sources USING (source_id) WHERE source_path = $p), "
            "(SELECT count(*) FROM citations WHERE source_path = $p)",
            {"p": str(path)},
        ).fetchone()


def test_deleted_note_is_kept_without_prune_and_removed_with_it(tree: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    gone = tree / "aiweekly" / NOTE
    n_anchors = count_anchors(read_text(gone))
    pipeline.ingest([tree], db, workers=1, tag=True)
    sources, claims, citations = _counts(db, gone)
    assert sources == 1 and claims > 0 and citations == n_anchors
    with ro(db) as con:
        total_before = con.execute("SELECT count(*) FROM citations").fetchone()[0]

    gone.unlink()
    kept = pipeline.ingest([tree], db, workers=1)
    assert kept.totals["stale_sources"] == 1 and kept.totals["sources_pruned"] == 0
    assert _counts(db, gone) == (sources, claims, citations)

    pruned = pipeline.ingest([tree], db, workers=1, prune=True)
    assert pruned.totals["sources_pruned"] == 1
    assert _counts(db, gone) == (0, 0, 0)
    with ro(db) as con:
        assert con.execute("SELECT count(*) FROM citations").fetchone()[0] == (
            total_before - n_anchors
        )
        # nothing derived from the pruned source survives in any table keyed by source
        for table in wl.CHILD_TABLES:
            left = con.execute(
                f"SELECT count(*) FROM {table} WHERE source_id NOT IN "
                "(SELECT source_id FROM sources)"
            ).fetchone()[0]
            assert left == 0, table
    # a further run is a no-op
    again = pipeline.ingest([tree], db, workers=1, prune=True)
    assert again.sources_loaded == 0 and again.totals["stale_sources"] == 0


def test_prune_removes_problems_of_deleted_files(tree: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    bad = tree / "codecasts" / "bad_note_without_video_id.md"
    pipeline.ingest([tree], db, workers=1, tag=False)
    with ro(db) as con:
        assert con.execute(
            "SELECT count(*) FROM ingest_errors WHERE source_path = ?", [str(bad)]
        ).fetchone()[0]
    bad.unlink()
    pipeline.ingest([tree], db, workers=1, tag=False, prune=True)
    with ro(db) as con:
        assert (
            con.execute(
                "SELECT count(*) FROM ingest_errors WHERE source_path = ?", [str(bad)]
            ).fetchone()[0]
            == 0
        )


def test_prune_only_touches_the_run_inputs(tree: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    a, b = tree / "aiweekly", tree / "codecasts"
    pipeline.ingest([a, b], db, workers=1, tag=False)
    before = snapshot(db)
    gone = b / "vector_databases_in_practice.md"
    gone.unlink()
    report = pipeline.ingest([a], db, workers=1, tag=False, prune=True)
    assert report.totals["stale_sources"] == 0
    assert snapshot(db) == before
    assert _counts(db, gone)[0] == 1


def test_staged_and_in_memory_batches_load_the_same_rows(tree: Path, tmp_path: Path) -> None:
    files = discover([tree])
    paths = [str(p) for p in files.files]
    staged_dir = tmp_path / "stage"
    staged_dir.mkdir()
    mem = parse_batch(paths, KnownSources())
    staged = parse_batch(paths, KnownSources(), stage_dir=str(staged_dir))
    assert staged.staged and not mem.staged
    assert set(staged.tables) == {"sources"}
    for name in ("claims", "anchors", "claim_tags", "entities"):
        assert staged.count(name) == mem.count(name) > 0
        assert Path(staged.staged[name]).is_file()
    db_mem, db_staged = tmp_path / "mem.duckdb", tmp_path / "staged.duckdb"
    for db, result in ((db_mem, mem), (db_staged, staged)):
        wl.load(db, [result], files, [str(tree)], fingerprint="f")
    assert all_relations(db_mem) == all_relations(db_staged)
    # every table keyed by source (sources itself and views carry run ids and load times)
    rels = tuple(wl.CHILD_TABLES)
    a, b = snapshot(db_mem, rels), snapshot(db_staged, rels)
    assert a["claims"] and a["anchor_resolution"]
    for rel in rels:
        assert a[rel] == b[rel], rel


def test_ingest_removes_its_staging_folder(tree: Path, tmp_path: Path) -> None:
    db = tmp_path / "w" / "w.duckdb"
    stage_root = tmp_path / "stage"
    report = pipeline.ingest([tree], db, workers=1, tag=False, stage_root=stage_root)
    assert report.totals["published"] == 1
    assert stage_root.is_dir() and list(stage_root.iterdir()) == []
    with ro(db) as con:
        assert con.execute("SELECT count(*) FROM claims").fetchone()[0] > 0


def _n_sources(db: Path) -> int:
    with ro(db) as con:
        return con.execute("SELECT count(*) FROM sources").fetchone()[0]


def test_prune_keeps_a_moved_note_and_records_its_new_path(tree: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    pipeline.ingest([tree], db, workers=1, tag=False)
    before = _n_sources(db)
    old = tree / "aiweekly" / NOTE
    new = tree / "aiweekly" / "archive" / NOTE
    claims = _counts(db, old)[1]
    new.parent.mkdir()
    old.rename(new)
    report = pipeline.ingest([tree], db, workers=1, tag=False, prune=True)
    assert report.totals["sources_pruned"] == 0 and report.totals["stale_sources"] == 0
    assert _n_sources(db) == before
    assert _counts(db, new)[:2] == (1, claims) and _counts(db, old)[0] == 0
    again = pipeline.ingest([tree], db, workers=1, tag=False, prune=True)
    assert again.sources_loaded == 0 and _n_sources(db) == before


def test_prune_after_the_same_notes_were_loaded_by_another_path_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "root"
    vault = root / "vault"
    shutil.copytree(EXAMPLES, vault)
    db = tmp_path / "w.duckdb"
    monkeypatch.chdir(vault)
    pipeline.ingest(["."], db, workers=1, tag=False)  # stores e.g. "aiweekly/x.md"
    before = snapshot(db, ("claims",))
    n = _n_sources(db)
    # From the parent folder, "aiweekly/x.md" would name a file under the new input
    # that does not exist: the notes are still there, seen unchanged, and kept.
    monkeypatch.chdir(root)
    report = pipeline.ingest([str(root)], db, workers=1, tag=False, prune=True)
    assert report.totals["sources_pruned"] == 0 and report.sources_loaded == 0
    assert _n_sources(db) == n
    assert snapshot(db, ("claims",)) == before
    with ro(db) as con:  # the stored paths now say where the files are
        paths = [r[0] for r in con.execute("SELECT source_path FROM sources").fetchall()]
    assert paths and all(Path(p).is_file() for p in paths)


def test_prune_never_empties_an_input_where_no_file_was_found(tree: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    pipeline.ingest([tree], db, workers=1, tag=False)
    n = _n_sources(db)
    for f in sorted(tree.rglob("*"), reverse=True):  # an unmounted disk: an empty folder
        f.unlink() if f.is_file() else f.rmdir()
    report = pipeline.ingest([tree], db, workers=1, tag=False, prune=True)
    assert report.totals["sources_pruned"] == 0
    assert _n_sources(db) == n


def test_a_note_whose_key_changes_replaces_its_old_source(tree: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    note = tree / "aiweekly" / NOTE
    pipeline.ingest([tree], db, workers=1, tag=False)
    n, (_, claims, citations) = _n_sources(db), _counts(db, note)
    text = read_text(note)
    assert "[[aiweekly]]" in text
    note.write_text(text.replace("[[aiweekly]]", "[[AI Weekly]]"), encoding="utf-8")
    pipeline.ingest([tree], db, workers=1, tag=False)
    assert _n_sources(db) == n
    assert _counts(db, note) == (1, claims, citations)
    with ro(db) as con:
        keys = con.execute(
            "SELECT source_key FROM sources WHERE source_path = ?", [str(note)]
        ).fetchall()
    assert keys == [(f"AI Weekly/{NOTE}",)]


def test_discovery_keeps_hard_links_and_drops_repeats_of_the_same_path(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    shutil.copytree(EXAMPLES, root)
    original = root / "aiweekly" / NOTE
    (root / "mirror").mkdir()
    hard = root / "mirror" / "copy_by_hard_link.md"
    os.link(original, hard)
    (root / "mirror" / "by_symlink.md").symlink_to(original)
    found = discover([root, root / "aiweekly", original])  # overlapping inputs
    names = [str(p) for p in found.files]
    assert len(names) == len(set(names))
    assert str(hard) in names  # another name: another note
    assert names.count(str(original)) == 1
    # the symlink and the overlapping inputs name the same real file: listed once
    assert sum(os.path.realpath(p) == os.path.realpath(original) for p in names) == 1


def test_an_unusable_staging_folder_is_a_clear_error(tree: Path, tmp_path: Path) -> None:
    from ytclaims.errors import WarehouseError

    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    with pytest.raises(WarehouseError) as exc:
        pipeline.ingest([tree], tmp_path / "w.duckdb", workers=1, stage_root=not_a_folder)
    assert "staging folder" in exc.value.message and "--stage-root" in str(exc.value.hint)
    assert not (tmp_path / "w.duckdb").exists()  # nothing half-done


def test_a_run_that_could_not_publish_says_so(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    from ytclaims.summary import print_summary

    db = tmp_path / "w.duckdb"
    monkeypatch.setattr(wl, "publish", lambda path, **kw: False)  # another run holds it
    report = pipeline.ingest([tree], db, workers=1, tag=False)
    assert report.totals["published"] == 0 and not db.exists()
    console = Console(record=True, width=200)
    print_summary(report.as_dict(), db, show=0, console=console)
    assert "not yet published" in console.export_text()
