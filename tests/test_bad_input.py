"""Bad input never stops a run: every problem is recorded, good files still load."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import count_anchors, ingest_untagged, ro
from typer.testing import CliRunner

from ytclaims.cli import app
from ytclaims.pipeline import ingest

CANON = '<a class="yt-timestamp" data-t="{t}">[{t}]</a>'


def note(video_id: str, body: str, title: str = "A note", channel: str = "badchan") -> str:
    return f"---\ntitle: {title}\nvideoId: {video_id}\n---\n\nFrom: [[{channel}]] <br/>\n\n{body}\n"


def good_note(video_id: str, n: int = 2) -> str:
    stamps = [f"00:{i // 60:02d}:{i % 60:02d}" for i in range(1, n + 1)]
    body = "\n\n".join(
        f"Claim number {i} about {video_id} holds {CANON.format(t=t)}."
        for i, t in enumerate(stamps, start=1)
    )
    return note(video_id, body)


#: name -> (file bytes, expected error_kind, expected severity)
BAD_FILES: dict[str, tuple[bytes, str, str]] = {
    "empty.md": (b"", "empty_file", "error"),
    "whitespace.md": (b"  \n\n\t  \r\n   \n", "empty_file", "error"),
    "no_front_matter.md": (
        f"Only a body, no front matter {CANON.format(t='00:01:02')}.\n".encode(),
        "missing_video_id",
        "error",
    ),
    "no_video_id.md": (
        b"---\ntitle: Lacks an id\n---\n\nText " + CANON.format(t="00:01:02").encode() + b".\n",
        "missing_video_id",
        "error",
    ),
    "invalid_video_id.md": (
        note("not a video id!", f"Text {CANON.format(t='00:01:02')}.").encode(),
        "missing_video_id",
        "error",
    ),
    "binary.md": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        "binary_file",
        "error",
    ),
    "no_anchors.md": (
        note("noAnchors01", "Nothing here is anchored.").encode(),
        "no_anchors",
        "warning",
    ),
}

#: Files that load with a warning: name -> (bytes, kind, number of anchors written)
BROKEN_HTML = (
    '<div class="x"><b>Unclosed bold and div '
    + CANON.format(t="00:01:02")
    + ".\n\n<span>Dangling span then an unclosed anchor "
    + '<a class="yt-timestamp" data-t="00:02:03">[00:02:03]'
    + " and more.\n\nThird </i></p> claim "
    + '<a class="yt=" data-t="00:03:04">[00:03:04]</a>.\n'
)
LATIN1_BODY = "The café serves crème brûlée every morning " + CANON.format(t="00:01:02") + "."
WARN_FILES: dict[str, tuple[bytes, str, int]] = {
    "broken_html.md": (note("brokenHTML1", BROKEN_HTML).encode(), "malformed_anchor", 3),
    "latin1.md": (note("latin1Note1", LATIN1_BODY, title="Café").encode("latin-1"), "encoding", 1),
}

GOOD_FILES = {
    "good_one.md": good_note("goodNote001", 2),
    "good_two.md": good_note("goodNote002", 3),
}


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("bad")
    folder = root / "badchan"
    folder.mkdir()
    for name, (data, _, _) in BAD_FILES.items():
        (folder / name).write_bytes(data)
    for name, (data, _, _) in WARN_FILES.items():
        (folder / name).write_bytes(data)
    for name, text in GOOD_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "readme.txt").write_text("not a note\n")
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    missing = root / "does_not_exist"
    db = root / "bad.duckdb"
    report = ingest([folder, missing], db)  # must not raise
    return folder, missing, db, report


def error_rows(db: Path) -> list[tuple[str, str, str, str]]:
    with ro(db) as con:
        return con.execute(
            "SELECT source_path, error_kind, severity, message FROM ingest_errors"
        ).fetchall()


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_recorded(bad_run, name: str) -> None:
    folder, _, db, report = bad_run
    _, kind, severity = BAD_FILES[name]
    path = str(folder / name)
    rows = [r for r in error_rows(db) if r[0] == path]
    assert any(r[1] == kind and r[2] == severity for r in rows), rows
    for r in rows:
        assert r[3].strip()  # a message a human can act on
    assert any(p["source_path"] == path and p["error_kind"] == kind for p in report.problems)
    with ro(db) as con:
        loaded = con.execute("SELECT count(*) FROM sources WHERE source_path = ?", [path])
        n = loaded.fetchone()[0]
    assert n == (1 if severity == "warning" else 0)


def test_no_front_matter_is_also_a_front_matter_warning(bad_run) -> None:
    folder, _, db, _ = bad_run
    kinds = {r[1] for r in error_rows(db) if r[0] == str(folder / "no_front_matter.md")}
    assert "front_matter" in kinds


@pytest.mark.parametrize("name", sorted(WARN_FILES))
def test_damaged_but_readable_file_loads_with_warning(bad_run, name: str) -> None:
    folder, _, db, _ = bad_run
    data, kind, n_anchors = WARN_FILES[name]
    path = str(folder / name)
    assert count_anchors(data.decode("latin-1")) == n_anchors
    assert any(r[0] == path and r[1] == kind and r[2] == "warning" for r in error_rows(db))
    with ro(db) as con:
        n = con.execute("SELECT count(*) FROM citations WHERE source_path = ?", [path]).fetchone()
    assert n[0] == n_anchors


def test_latin1_text_keeps_its_ascii_words(bad_run) -> None:
    folder, _, db, _ = bad_run
    with ro(db) as con:
        (text,) = con.execute(
            "SELECT text FROM citations WHERE source_path = ?", [str(folder / "latin1.md")]
        ).fetchone()
    assert text.startswith("The caf")
    assert "serves cr" in text and "every morning." in text


def test_non_note_files_are_skipped_and_recorded(bad_run) -> None:
    folder, _, db, _ = bad_run
    rows = error_rows(db)
    for name in ("readme.txt", "picture.png"):
        hits = [r for r in rows if r[0] == str(folder / name)]
        assert [(r[1], r[2]) for r in hits] == [("unsupported_file", "skipped")]


def test_missing_path_is_recorded(bad_run) -> None:
    _, missing, db, _ = bad_run
    hits = [r for r in error_rows(db) if r[0] == str(missing)]
    assert [(r[1], r[2]) for r in hits] == [("unreadable", "error")]
    assert hits[0][3].strip()


def test_good_files_in_the_same_run_are_loaded(bad_run) -> None:
    folder, _, db, report = bad_run
    with ro(db) as con:
        for name, text in GOOD_FILES.items():
            n = con.execute(
                "SELECT count(*) FROM citations WHERE source_path = ?", [str(folder / name)]
            ).fetchone()[0]
            assert n == count_anchors(text)
        loaded = con.execute("SELECT count(*) FROM sources").fetchone()[0]
    expected_loaded = len(GOOD_FILES) + len(WARN_FILES) + 1  # + no_anchors.md
    assert loaded == expected_loaded == report.sources_loaded


def test_too_large_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "chan"
    folder.mkdir()
    (folder / "big.md").write_text(good_note("bigNote0001", 40))
    (folder / "small.md").write_text(good_note("smallNote01", 1))
    limit = (folder / "small.md").stat().st_size + 10
    assert (folder / "big.md").stat().st_size > limit
    report = ingest([folder], tmp_path / "w.duckdb", max_bytes=limit)
    kinds = {(p["source_path"], p["error_kind"]) for p in report.problems}
    assert (str(folder / "big.md"), "too_large") in kinds
    assert report.sources_loaded == 1


def test_fifty_megabyte_note(tmp_path: Path) -> None:
    folder = tmp_path / "huge"
    folder.mkdir()
    path = folder / "huge_note.md"
    head = note("hugeNote001", "").rstrip("\n") + "\n"
    filler = "Large notes keep every claim they make about throughput and latency. " * 16
    target = 50 * 1024 * 1024
    written = 0
    n_anchors = 0
    with path.open("w", encoding="utf-8") as f:
        f.write(head)
        written += len(head)
        i = 0
        while written < target:
            s = 1 + i % 10799
            t = f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
            if i % 5 == 0:  # every fifth paragraph ends in a group of two anchors
                para = f"{filler}Claim {i} {CANON.format(t=t)}, {CANON.format(t=t)}.\n\n"
                n_anchors += 2
            else:
                para = f"{filler}Claim {i} {CANON.format(t=t)}.\n\n"
                n_anchors += 1
            f.write(para)
            written += len(para)
            i += 1
    assert path.stat().st_size >= target
    assert count_anchors(path.read_text(encoding="utf-8")) == n_anchors
    report = ingest_untagged([folder], tmp_path / "huge.duckdb")
    assert report.sources_loaded == 1
    assert report.n_errors == 0
    assert report.anchors_loaded == n_anchors
    with ro(tmp_path / "huge.duckdb") as con:
        got = con.execute("SELECT count(*), count(DISTINCT claim_id) FROM citations").fetchone()
        n_anchor_col = con.execute("SELECT n_anchors FROM sources").fetchone()[0]
    assert got == (n_anchors, i)
    assert n_anchor_col == n_anchors


def test_three_thousand_files(tmp_path: Path) -> None:
    root = tmp_path / "many"
    expect_loaded: dict[str, int] = {}
    expect_problem: dict[str, str] = {}
    for i in range(3000):
        folder = root / f"part{i // 500}"
        folder.mkdir(parents=True, exist_ok=True)
        kind = i % 6
        if kind in (0, 1, 2):
            p = folder / f"note_{i:04d}.md"
            text = good_note(f"v{i:010d}", 1 + i % 3)
            p.write_text(text)
            expect_loaded[str(p)] = count_anchors(text)
        elif kind == 3:
            p = folder / f"empty_{i:04d}.md"
            p.write_bytes(b"")
            expect_problem[str(p)] = "empty_file"
        elif kind == 4:
            p = folder / f"binary_{i:04d}.md"
            p.write_bytes(b"\x00\x01junk" * 8)
            expect_problem[str(p)] = "binary_file"
        else:
            p = folder / f"junk_{i:04d}.txt"
            p.write_text("shopping list: eggs, milk\n")
            expect_problem[str(p)] = "unsupported_file"
    db = tmp_path / "many.duckdb"
    report = ingest_untagged([root], db)
    assert report.files_seen == 3000 - sum(
        1 for k in expect_problem.values() if k == "unsupported_file"
    )
    with ro(db) as con:
        loaded = dict(
            con.execute(
                "SELECT source_path, count(*) FROM citations GROUP BY source_path"
            ).fetchall()
        )
        problems = dict(con.execute("SELECT source_path, error_kind FROM ingest_errors").fetchall())
        n_sources = con.execute("SELECT count(*) FROM sources").fetchone()[0]
    assert loaded == expect_loaded
    assert n_sources == len(expect_loaded)
    assert problems == expect_problem


# --- CLI exit codes ----------------------------------------------------------------------


def invoke(args: list[str]):
    return CliRunner().invoke(app, args)


def test_cli_exit_0_when_something_loaded(tmp_path: Path) -> None:
    good = tmp_path / "chan" / "good.md"
    good.parent.mkdir()
    good.write_text(good_note("cliGoodNote", 1))
    bad = tmp_path / "chan" / "empty.md"
    bad.write_bytes(b"")
    db = tmp_path / "w.duckdb"
    r = invoke(["ingest", str(good), str(bad), "--db", str(db), "--no-prefect", "--show", "0"])
    assert r.exit_code == 0, r.output
    # a re-run that loads nothing new but finds everything already loaded is still a success
    r2 = invoke(["ingest", str(good), "--db", str(db), "--no-prefect", "--show", "0"])
    assert r2.exit_code == 0, r2.output


def test_cli_nonzero_when_nothing_could_be_ingested(tmp_path: Path) -> None:
    folder = tmp_path / "chan"
    folder.mkdir()
    (folder / "empty.md").write_bytes(b"")
    (folder / "binary.md").write_bytes(b"\x00\x00\x00")
    (folder / "no_id.md").write_text("---\ntitle: x\n---\n\nText.\n")
    db = tmp_path / "w.duckdb"
    r = invoke(["ingest", str(folder), "--db", str(db), "--no-prefect", "--show", "0"])
    assert r.exit_code != 0
    assert "nothing could be ingested" in r.output
    r = invoke(["ingest", str(tmp_path / "nope"), "--db", str(db), "--no-prefect", "--show", "0"])
    assert r.exit_code != 0


def test_cli_exit_2_when_warehouse_cannot_be_written(tmp_path: Path) -> None:
    good = tmp_path / "chan" / "good.md"
    good.parent.mkdir()
    good.write_text(good_note("cliGoodNote", 1))
    not_a_db = tmp_path / "a_directory"
    not_a_db.mkdir()
    r = invoke(["ingest", str(good), "--db", str(not_a_db), "--no-prefect", "--show", "0"])
    assert r.exit_code == 2, r.output
    assert "error:" in r.output
