"""Hostile and broken input (issue 15): no crash, no hang, nothing good lost, and the
warehouse never overwritten.

Each case of the issue has a test here. Tests of scans that used to be quadratic use
inputs large enough that quadratic behaviour would run for hours, under a generous
pytest-timeout: they never assert a wall-clock time, they only fail (instead of hanging)
if a scan turns super-linear again. Every expectation is written by hand from the input.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from helpers import ro
from typer.testing import CliRunner

from ytclaims.cli import app
from ytclaims.pipeline import ingest
from ytclaims.worker import parse_batch

CANON = '<a class="yt-timestamp" data-t="{t}">[{t}]</a>'
#: Seconds: far above what linear code needs on a loaded 2-core machine, far below what
#: the quadratic code took at these sizes (hours).
TIMEOUT = int(os.environ.get("YTCLAIMS_HOSTILE_TIMEOUT", "300"))


def note(video_id: str, body: str, title: str = "A note", channel: str = "hostile") -> str:
    return f"---\ntitle: {title}\nvideoId: {video_id}\n---\n\nFrom: [[{channel}]]\n\n{body}\n"


def good_note(video_id: str) -> str:
    return note(
        video_id,
        f"Inference costs fell tenfold {CANON.format(t='00:01:02')}.\n\n"
        f"Open models caught up {CANON.format(t='00:02:03')}.",
    )


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env)


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with ro(db) as con:
        return con.execute(sql, params or []).fetchall()


def problems(db: Path) -> dict[str, set[str]]:
    """source path -> error kinds recorded for it."""
    out: dict[str, set[str]] = {}
    for path, kind in rows(db, "SELECT source_path, error_kind FROM ingest_errors"):
        out.setdefault(path, set()).add(kind)
    return out


def loaded(db: Path) -> dict[str, int]:
    """source path -> citations loaded from it."""
    return dict(rows(db, "SELECT source_path, count(*) FROM citations GROUP BY 1"))


def no_unexpected(db: Path) -> None:
    msgs = [m for (m,) in rows(db, "SELECT message FROM ingest_errors")]
    assert not [m for m in msgs if m.startswith("Unexpected")], msgs


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- one bad file or value never stops everything ------------------------------------------


def test_texts_over_a_million_characters_are_cut_not_fatal(tmp_path: Path) -> None:
    """A claim, a title and a heading over spaCy's max_length (1,000,000) used to raise
    E088 outside the per-file boundary: the whole ingest failed, on every re-run."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    huge = "word " * 250_000  # 1,250,000 characters
    (folder / "long_claim.md").write_text(
        note("longClaim01", huge + "and the cost fell " + CANON.format(t="00:00:07") + ".")
    )
    (folder / "long_title.md").write_text(
        note("longTitle01", f"A claim {CANON.format(t='00:00:08')}.", title="T" * 1_200_000)
    )
    (folder / "long_heading.md").write_text(
        note("longHead001", "# " + "H" * 1_200_000 + f"\n\nA claim {CANON.format(t='00:00:09')}.")
    )
    (folder / "good.md").write_text(good_note("goodNote001"))
    db = tmp_path / "w.duckdb"
    report = ingest([folder], db, workers=1)  # tagged: spaCy sees every text
    assert report.sources_loaded == 4
    got = loaded(db)
    for name in ("long_claim.md", "long_title.md", "long_heading.md"):
        assert got[str(folder / name)] == 1
    assert got[str(folder / "good.md")] == 2
    (text,) = rows(db, "SELECT text FROM claims WHERE video_id = 'longClaim01'")[0]
    assert len(text) <= 10_001 and text.endswith("and the cost fell.")
    (title,) = rows(db, "SELECT note_title FROM sources WHERE video_id = 'longTitle01'")[0]
    assert title == "T" * 1000
    (head,) = rows(db, "SELECT heading_path FROM claims WHERE video_id = 'longHead001'")[0]
    assert head == "H" * 2000
    kinds = problems(db)
    assert "long_text" in kinds[str(folder / "long_claim.md")]
    assert "long_text" in kinds[str(folder / "long_title.md")]
    no_unexpected(db)


BOMB_469 = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "title: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
)


def bomb(levels: int) -> str:
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]")
    lines.append(f"title: [{','.join([f'*l{levels - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.timeout(TIMEOUT)
@pytest.mark.parametrize("front", [BOMB_469, bomb(9)], ids=["469-byte", "9-level"])
def test_yaml_alias_bombs_are_not_expanded(tmp_path: Path, front: str) -> None:
    """A 469-byte alias bomb in title rendered as 34.7 M characters; a 9-level one ran
    over 60 s at 1.3 GB. Aliases are refused before anything is built."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    text = "---\n" + front + "videoId: bombNote001\n---\n\nA claim " + CANON.format(t="0:05")
    (folder / "bomb.md").write_text(text + ".\n")
    out = parse_batch([folder / "bomb.md"], tag=True)
    (src,) = out.tables["sources"].to_pylist()
    assert src["video_id"] == "bombNote001"
    assert len(src["note_title"]) < 200  # the title line as written, not its expansion
    assert [p["error_kind"] for p in out.problems] == ["front_matter"]
    assert "aliases" in out.problems[0]["message"]


@pytest.mark.parametrize("depth", [100, 5000])
def test_deeply_nested_front_matter_is_read_line_by_line(tmp_path: Path, depth: int) -> None:
    """Over 16 levels ytclaims refuses it (with a warning); over libyaml's own limit
    (1,000) it is invalid YAML, read line by line like any other."""
    path = tmp_path / "c" / "deep.md"
    path.parent.mkdir()
    nested = "[" * depth + "]" * depth
    path.write_text(
        f"---\nvideoId: deepNote001\nx: {nested}\n---\n\nA claim {CANON.format(t='0:05')}.\n"
    )
    out = parse_batch([path], tag=False)
    assert out.tables["sources"].column("video_id").to_pylist() == ["deepNote001"]
    want = ["front_matter"] if depth < 1000 else []
    assert [p["error_kind"] for p in out.problems] == want


def test_front_matter_values_are_text_not_yaml_numbers(tmp_path: Path) -> None:
    """``videoId: 0x1234567ab`` was reported as '4886718379' (YAML read a hex integer)."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "hex.md").write_text(note("0x1234567ab", f"A claim {CANON.format(t='0:05')}."))
    (folder / "time_title.md").write_text(
        note("timeTitle01", f"A claim {CANON.format(t='0:06')}.", title="12:30")
    )
    out = parse_batch(sorted(folder.iterdir()), tag=False)
    got = {r["source_path"]: r for r in out.tables["sources"].to_pylist()}
    assert got[str(folder / "hex.md")]["video_id"] == "0x1234567ab"
    assert got[str(folder / "time_title.md")]["note_title"] == "12:30"  # not 750
    assert out.problems == []


def latin1(name: str) -> str:
    """A file name as the bytes of its Latin-1 spelling (not valid UTF-8)."""
    return os.fsdecode(name.encode("latin-1"))


def test_names_that_are_not_utf8_are_recorded_and_the_rest_loads(tmp_path: Path) -> None:
    """A Latin-1 ``café.pdf`` anywhere under an input aborted the ingest
    (UnicodeEncodeError in load.py's _error_id)."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / latin1("café.pdf")).write_bytes(b"%PDF-1.4")
    (folder / latin1("café.md")).write_text(good_note("cafeNote001"))
    sub = folder / latin1("dossier_é")
    sub.mkdir()
    (sub / "inside.md").write_text(good_note("insideNote1"))
    (folder / "good.md").write_text(good_note("goodNote001"))
    db = tmp_path / "w.duckdb"
    report = ingest([folder], db, tag=False, workers=1)
    assert report.sources_loaded == 1
    assert loaded(db) == {str(folder / "good.md"): 2}
    kinds = problems(db)
    assert kinds[str(folder) + "/caf\\xe9.pdf"] == {"unsupported_file"}
    assert kinds[str(folder) + "/caf\\xe9.md"] == {"file_name"}
    assert kinds[str(folder) + "/dossier_\\xe9"] == {"file_name"}  # once, not per file
    no_unexpected(db)
    again = ingest([folder], db, tag=False, workers=1)  # a re-run changes nothing
    assert (again.sources_loaded, again.sources_unchanged) == (0, 1)


def test_parse_batch_refuses_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "c" / latin1("é.md")
    path.parent.mkdir()
    path.write_text(good_note("latinName01"))
    out = parse_batch([path], tag=False)
    assert out.tables["sources"].num_rows == 0
    assert [(p["error_kind"], p["source_path"]) for p in out.problems] == [
        ("file_name", str(path.parent) + "/\\xe9.md")
    ]


# --- numbers ------------------------------------------------------------------------------


def test_a_400_digit_data_t_does_not_drop_its_note(tmp_path: Path) -> None:
    path = tmp_path / "hostile" / "digits.md"
    path.parent.mkdir()
    path.write_text(
        note(
            "digitsNote1",
            f"Huge {CANON.format(t='9' * 400)}. Fine claim {CANON.format(t='00:00:05')}.",
        )
    )
    out = parse_batch([path], tag=False)
    assert [p["error_kind"] for p in out.problems] == []
    anchors = out.tables["anchors"].to_pylist()
    assert [(a["anchor_seconds"], a["timestamp_status"]) for a in anchors] == [
        (None, "invalid"),
        (5.0, "unverified"),
    ]
    assert "not a timestamp" in anchors[0]["parse_reason"]


def test_a_400_digit_data_t_loads_and_resolves(tmp_path: Path) -> None:
    """The resolver read data-t again without the parser's bounds: a 400-digit one became
    infinity, and formatting it failed the whole load (after the merge of issue 12)."""
    path = tmp_path / "hostile" / "digits.md"
    path.parent.mkdir()
    path.write_text(
        note(
            "digitsNote2",
            f"a {CANON.format(t='3000000000')}. b {CANON.format(t='9' * 400)}. "
            f"Fine claim {CANON.format(t='00:00:05')}.",
        )
    )
    db = tmp_path / "w.duckdb"
    report = ingest([path.parent], db, workers=1, tag=False)
    assert report.sources_loaded == 1
    got = rows(db, "SELECT seconds, timestamp_status FROM citations ORDER BY anchor_ordinal")
    assert got == [(None, "invalid"), (None, "invalid"), (5, "unverified")]


#: Caption files whose one bad cue starts at 3,000,000,000 s (past 2**31), beside a good one.
BIG = 3_000_000_000
HUGE_CAPTIONS = {
    "hugeVtt0001.en.vtt": "WEBVTT\n\n833333:20:00.000 --> 833333:20:01.000\nhuge\n\n"
    "00:00:01.000 --> 00:00:02.000\nThe market grew 40 percent in 2024 alone.\n",
    "hugeJson031.en.json3": json.dumps(
        {
            "events": [
                {"tStartMs": BIG * 1000, "dDurationMs": 1000, "segs": [{"utf8": "huge"}]},
                {"tStartMs": 1000, "dDurationMs": 1000, "segs": [{"utf8": "The market grew."}]},
            ]
        }
    ),
    "hugeSrv1001.en.srv1": f'<transcript><text start="{BIG}" dur="1">huge</text>'
    '<text start="1" dur="1">The market grew.</text></transcript>',
    "hugeYta0001.en.json": json.dumps(
        [{"text": "huge", "start": BIG, "duration": 1}, {"text": "grew", "start": 1, "duration": 1}]
    ),
    # 5,000 digits: json.loads raised ValueError (over Python's 4,300-digit limit)
    "digitJson31.en.json3": '{"events": [{"tStartMs": ' + "9" * 5000 + ', "segs": [{"utf8": "x"}]},'
    ' {"tStartMs": 1000, "dDurationMs": 1000, "segs": [{"utf8": "The market grew."}]}]}',
}


@pytest.fixture(scope="module")
def huge_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("huge")
    notes = root / "hostile"
    notes.mkdir()
    (notes / "big_t.md").write_text(
        note("hugeNote001", f"Huge {CANON.format(t=str(BIG))}. Fine {CANON.format(t='0:05')}.")
    )
    (notes / "good.md").write_text(good_note("goodNote001"))
    caps = root / "captions"
    caps.mkdir()
    for name, text in HUGE_CAPTIONS.items():
        (caps / name).write_text(text)
    db = root / "w.duckdb"
    ingest([notes, caps], db, tag=False, workers=1)
    return db, root


def test_timestamps_past_2_31_seconds_are_rejected_with_a_reason(huge_db) -> None:
    db, root = huge_db
    no_unexpected(db)
    kinds = problems(db)
    for name in HUGE_CAPTIONS:
        assert kinds.get(str(root / "captions" / name)) == {"malformed_cue"}, name
    assert rows(db, "SELECT max(start) FROM segments")[0][0] < 3600
    (reason,) = rows(db, "SELECT parse_reason FROM anchors WHERE data_t_raw = ?", [str(BIG)])[0]
    assert "longer than any video" in reason
    assert rows(db, "SELECT count(*) FROM citations WHERE seconds > 3600")[0][0] == 0
    assert loaded(db)[str(root / "hostile" / "good.md")] == 2


def test_read_commands_work_on_a_warehouse_with_huge_seconds(huge_db, tmp_path: Path) -> None:
    """export and report failed warehouse-wide; show, cite and search wherever the claim
    appeared. Here every command runs against rows past 2**31 s, including one written
    straight into the tables (a warehouse loaded before ytclaims bounded seconds)."""
    src, _ = huge_db
    db = tmp_path / "old.duckdb"
    db.write_bytes(src.read_bytes())
    con = duckdb.connect(str(db))
    con.execute(
        "UPDATE anchors SET anchor_seconds = 3e9 WHERE claim_id IN "
        "(SELECT claim_id FROM claims WHERE video_id = 'goodNote001')"
    )
    con.execute("UPDATE anchor_resolution SET seconds = 1e300")
    con.close()
    (cid,) = rows(db, "SELECT claim_id FROM claims WHERE video_id = 'goodNote001' LIMIT 1")[0]
    for args in (
        ["export", str(tmp_path / "out.csv")],
        ["export", str(tmp_path / "out.parquet")],
        ["report", str(tmp_path / "r.html")],
        ["show", "goodNote001"],
        ["cite", cid, "--style", "apa"],
        ["search", "inference"],
        ["query", "SELECT count(*) FROM citations"],
    ):
        r = run(*args, "--db", str(db))
        assert r.exit_code == 0, (args, r.output)
    assert (tmp_path / "out.csv").stat().st_size > 0


# --- special files ---------------------------------------------------------------------------


@pytest.mark.timeout(TIMEOUT)
def test_fifos_devices_and_sockets_are_skipped_not_read(tmp_path: Path) -> None:
    """A FIFO named x.md blocked the ingest forever; zero.md -> /dev/zero was read without
    limit (the size check trusted st_size, which is 0)."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    os.mkfifo(folder / "x.md")
    (folder / "zero.md").symlink_to("/dev/zero")
    (folder / "null.srt").symlink_to("/dev/null")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "s.vtt"))
    (folder / "good.md").write_text(good_note("goodNote001"))
    db = tmp_path / "w.duckdb"
    try:
        ingest([folder, folder / "x.md"], db, tag=False, workers=1)
    finally:
        sock.close()
    kinds = problems(db)
    for name in ("x.md", "zero.md", "null.srt", "s.vtt"):
        assert kinds[str(folder / name)] == {"special_file"}, name
    assert loaded(db) == {str(folder / "good.md"): 2}


@pytest.mark.timeout(TIMEOUT)
def test_a_loaded_note_replaced_by_a_fifo_is_not_read(tmp_path: Path) -> None:
    """The unchanged-file check reads every known path before parsing: it must not open
    a FIFO (or read a device) either."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    path = folder / "n.md"
    path.write_text(good_note("fifoNote001"))
    (folder / "good.md").write_text(good_note("goodNote001"))
    db = tmp_path / "w.duckdb"
    ingest([folder], db, tag=False, workers=1)
    path.unlink()
    os.mkfifo(path)
    report = ingest([path, folder / "good.md"], db, tag=False, workers=1)
    assert report.sources_unchanged == 1
    assert problems(db)[str(path)] == {"special_file"}


def test_a_read_never_goes_past_max_bytes(tmp_path: Path) -> None:
    from ytclaims import errors
    from ytclaims.sources.reading import read_bounded

    big = tmp_path / "big.md"
    big.write_bytes(b"x" * 1000)
    assert read_bounded(big, 1000) == b"x" * 1000
    with pytest.raises(errors.SourceTooLargeError):
        read_bounded(big, 999)
    with pytest.raises(errors.SpecialFileError):
        read_bounded(Path("/dev/zero"), 10)


# --- linear scans ------------------------------------------------------------------------------
# Sizes: each input below took the old code tens of seconds at the size the issue names;
# here it is 10-20 times larger, so quadratic code would need hours and hit the timeout.


@pytest.mark.timeout(TIMEOUT)
def test_unclosed_a_tags_are_scanned_once(tmp_path: Path) -> None:
    """A 60 kB note of ``<a `` x 20,000 took 98 s; here 400,000 of them (1.2 MB)."""
    path = tmp_path / "hostile" / "a_tags.md"
    path.parent.mkdir()
    # No '>' in the paragraph: the old pattern rescanned it to its end from every '<a'.
    path.write_text(note("aTagsNote01", "<a " * 400_000 + f"\n\nthen {CANON.format(t='0:05')}."))
    out = parse_batch([path], tag=False)
    assert [a["data_t_raw"] for a in out.tables["anchors"].to_pylist()] == ["0:05"]


@pytest.mark.timeout(TIMEOUT)
def test_many_anchors_in_one_paragraph(tmp_path: Path) -> None:
    """100,000 anchors in one paragraph took 693 s and 1.56 GB."""
    n = 100_000
    body = " ".join(
        f"Claim {i} {CANON.format(t=f'{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}')}."
        for i in range(n)
    )
    path = tmp_path / "hostile" / "anchors.md"
    path.parent.mkdir()
    path.write_text(note("manyAnchors", body))
    out = parse_batch([path], tag=False)
    assert out.count("anchors") == n
    assert out.count("claims") == n


@pytest.mark.timeout(TIMEOUT)
def test_unclosed_anchors_find_their_labels_once(tmp_path: Path) -> None:
    """Each unclosed anchor searched the rest of the paragraph for ``</a>``."""
    n = 50_000
    body = " ".join(
        f'claim {i} <a class="yt-timestamp" data-t="0:{i % 60:02d}">[x]' for i in range(n)
    )
    path = tmp_path / "hostile" / "unclosed.md"
    path.parent.mkdir()
    path.write_text(note("unclosedA01", body))
    out = parse_batch([path], tag=False)
    assert out.count("anchors") == n
    (problem,) = out.problems
    assert problem["error_kind"] == "malformed_anchor"
    assert problem["message"].startswith(f"{n} anchor(s) malformed")


#: About 2 MB each: an opener without a closer that rescans the rest costs ~10**12 steps.
MARKUP_SIZE = 2_000_000
HOSTILE_MARKUP = {
    "bold": "**a ",
    "italic": "*a ",
    "underscore": "_a ",
    "code": "`a ",
    "strike": "~~a ",
    "comment": "<!-- ",
    "image": "![a](",
    "link": "[a](b ",
    "link_parens": "[a](((",
    "wiki": "[[a| ",
    "cdata": "<![CDATA[>",
    "tag_attr": "<b title='",
}


@pytest.mark.timeout(TIMEOUT)
@pytest.mark.parametrize("name", [*sorted(HOSTILE_MARKUP), "wiki_blanks"])
def test_markup_without_closers_is_linear(name: str) -> None:
    """Each opener without a closer used to rescan the rest of the claim (or, for a wiki
    link followed by blanks, the rest of the blanks at every step)."""
    from ytclaims.claims.text import to_plain, wiki_targets

    if name == "wiki_blanks":
        text = "x [[" + " " * MARKUP_SIZE + "a"
    else:
        unit = HOSTILE_MARKUP[name]
        text = "x " + unit * (MARKUP_SIZE // len(unit))
    plain = to_plain(text)
    wiki_targets(text)
    assert plain.startswith("x")


@pytest.mark.timeout(TIMEOUT)
@pytest.mark.parametrize(
    "line",
    ["# a" + " " * 200_000 + "b", "| " + "[[a " * 100_000 + "|", "|" + " " * 200_000 + "x"],
    ids=["heading_blanks", "table_wiki", "table_separator"],
)
def test_heading_and_table_lines_are_linear(line: str) -> None:
    """A heading with 3,000 blanks took 65 s (a cubic regex)."""
    from ytclaims.claims.extract import iter_blocks

    assert iter_blocks(line + "\n\ntext")


@pytest.mark.timeout(TIMEOUT)
def test_broken_srv1_is_recovered_linearly(tmp_path: Path) -> None:
    """``<text>`` x 8,000 took 6 s and a 140 kB file 60 s; here 160,000 (2.6 MB)."""
    from ytclaims.sources.captions import read_caption_file

    path = tmp_path / "srv1Broken1.en.srv1"
    path.write_text('<transcript><text start="1" dur="1">one</text>' + "<text>" * 160_000)
    track = read_caption_file(path)
    assert [c.text for c in track.cues] == ["one"]
    assert [p.kind for p in track.problems] == ["malformed_cue"]


@pytest.mark.timeout(TIMEOUT)
def test_repeated_words_with_word_times_do_not_align_quadratically(tmp_path: Path) -> None:
    from ytclaims.claims.transcript import transcript_rows
    from ytclaims.sources.captions import read_caption_file

    words = "".join(f"<00:00:{i % 60:02d}.{i % 1000:03d}><c> w</c>" for i in range(20_000))
    path = tmp_path / "vttInline01.en.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:09:00.000\nstart" + words + "\n")
    track = read_caption_file(path)
    assert len(track.words) == 20_001
    assert transcript_rows(track, str(path), "vttInline01/x", "sid").sentences


# --- outputs never replace the warehouse ----------------------------------------------------


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("out")
    folder = root / "hostile"
    folder.mkdir()
    (folder / "good.md").write_text(good_note("goodNote001"))
    db = root / "wh" / "ytclaims.duckdb"
    ingest([folder], db, tag=False, workers=1)
    return db


def protected_targets(db: Path) -> dict[str, Path]:
    return {
        "warehouse": db,
        "working file": db.with_name(f".{db.name}.writer"),
        "relative spelling": Path(os.path.relpath(db)),
        "folder": db.parent,
        "staging": db.parent / ".staging" / "x.csv",
    }


@pytest.mark.parametrize("command", ["export", "report"])
@pytest.mark.parametrize("what", list(protected_targets(Path("w/x.duckdb"))))
def test_outputs_onto_the_warehouse_are_refused(warehouse: Path, command: str, what: str) -> None:
    target = protected_targets(warehouse)[what]
    files = [warehouse, warehouse.with_name(f".{warehouse.name}.writer")]
    before = [sha(f) for f in files]
    args = [command, str(target), "--db", str(warehouse)]
    if command == "export":
        args += ["-f", "csv"]
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert r.output.startswith("error: ") and r.output.count("\n") == 1, r.output
    assert [sha(f) for f in files] == before
    assert not (warehouse.parent / ".staging" / "x.csv").exists()


def test_links_to_the_warehouse_are_refused(warehouse: Path, tmp_path: Path) -> None:
    soft = tmp_path / "soft.csv"
    soft.symlink_to(warehouse)
    hard = tmp_path / "hard.csv"
    os.link(warehouse, hard)
    other = tmp_path / "other.duckdb"  # any DuckDB database: an export would destroy it
    other.write_bytes(warehouse.read_bytes())
    before = sha(warehouse)
    for target in (soft, hard, other):
        r = run("export", str(target), "-f", "csv", "--db", str(warehouse))
        assert r.exit_code == 2, r.output
    assert sha(warehouse) == before == sha(other)


def test_a_failed_export_leaves_no_file_and_keeps_the_old_one(
    warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    r = run("export", str(out), "--query", "SELECT nope", "--db", str(warehouse))
    assert r.exit_code == 1
    assert not out.exists()  # not a 0-byte file
    assert list(tmp_path.iterdir()) == []  # no temporary file left either
    out.write_text("old\n")
    r = run("export", str(out), "--query", "SELECT nope", "--db", str(warehouse))
    assert out.read_text() == "old\n"
    r = run("export", str(out), "--db", str(warehouse))
    assert r.exit_code == 0 and out.read_text().startswith("claim_id,")


@pytest.mark.parametrize(
    "args",
    [
        ["report", "{folder}"],
        ["report", "/proc/nope/r.html"],
        ["report", "r.html", "--max-rows=-1"],
    ],
    ids=["folder", "unwritable", "negative_max_rows"],
)
def test_report_argument_errors_are_one_line(warehouse: Path, tmp_path: Path, args) -> None:
    args = [a.format(folder=tmp_path) for a in args]
    r = run(*args, "--db", str(warehouse))
    assert r.exit_code == 2, r.output
    assert r.output.startswith("error: ") and r.output.count("\n") == 1, r.output
    assert "Traceback" not in r.output


# --- arguments of any encoding -------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["query", "SELECT 'caf\udce9'"],
        ["search", "caf\udce9"],
        ["cite", "caf\udce9"],
        ["explain", "caf\udce9"],
        ["show", "caf\udce9"],
        ["export", "caf\udce9.csv"],
        ["report", "caf\udce9.html"],
        ["ingest", "caf\udce9", "--no-prefect"],
        ["fetch", "caf\udce9", "--no-prefect"],
        ["evaluate", "--dev", "caf\udce9"],
        ["serve", "--config", "caf\udce9", "--run-once"],
    ],
    ids=lambda a: a[0],
)
def test_arguments_that_are_not_utf8_give_one_line(warehouse: Path, args: list[str]) -> None:
    r = run(*args, "--db", str(warehouse)) if args[0] not in ("evaluate", "serve") else run(*args)
    assert r.exit_code == 2, r.output
    assert r.output.startswith("error: ") and "caf\\\\xe9" in r.output, r.output
    assert r.output.count("\n") == 1, r.output


def test_a_db_path_from_the_environment_that_is_not_utf8(warehouse: Path) -> None:
    r = run("query", "SELECT 1", env={"YTCLAIMS_DB": "caf\udce9.duckdb"})
    assert r.exit_code == 2 and r.output.count("\n") == 1, r.output


def test_real_undecodable_argv_bytes(warehouse: Path) -> None:
    """The same through a real process: bytes in argv, decoded by Python itself."""
    code = "from ytclaims.cli import main; main()"
    for cmd in ("query", "search", "cite"):
        proc = subprocess.run(
            [sys.executable, "-c", code, cmd, b"caf\xe9", "--db", str(warehouse)],
            capture_output=True,
            timeout=120,
        )
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count(b"\n") == 1 and b"Traceback" not in proc.stderr


def test_unexpected_errors_are_one_line_too(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ytclaims.research.query as query

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(query, "run_query", boom)
    r = run("query", "SELECT 1", "--db", str(warehouse))
    assert r.exit_code == 2 and r.output.count("\n") == 1, r.output
    assert "RuntimeError: boom second line" in r.output and "unexpected" in r.output


def test_a_nul_byte_in_a_path_is_a_usage_error(warehouse: Path) -> None:
    r = run("query", "SELECT 1", "--db", "bad\x00name.duckdb")  # a NUL byte: ValueError
    assert r.exit_code == 2 and "null byte" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize(
    ("args", "says"),
    [(["cite"], "Missing argument"), (["nosuch"], "No such command"), (["search"], "Missing")],
)
def test_usage_errors_stay_typers_own_messages(args: list[str], says: str) -> None:
    """Typer bundles its own click: its usage errors are not "unexpected" errors."""
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert says in r.output and "unexpected" not in r.output, r.output


# --- encodings and formats -----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_utf16_and_utf32_notes_load(tmp_path: Path, encoding: str) -> None:
    """UTF-16 notes were rejected as binary (caption files with a BOM were accepted);
    utf-16-le/-be have no BOM at all."""
    path = tmp_path / "hostile" / "u.md"
    path.parent.mkdir()
    path.write_bytes(good_note("utf16Note01").replace("fell", "fell — ünïcode").encode(encoding))
    out = parse_batch([path], tag=False)
    assert out.problems == []
    texts = out.tables["claims"].column("text").to_pylist()
    assert texts == ["Inference costs fell — ünïcode tenfold.", "Open models caught up."]


def test_srt_cue_text_with_an_arrow_keeps_its_text(tmp_path: Path) -> None:
    from ytclaims.sources.captions import read_caption_file

    path = tmp_path / "arrowSrt001.en.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\ninput --> output\nthen more\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nsecond\n"
    )
    track = read_caption_file(path)
    assert [(c.start, c.text) for c in track.cues] == [
        (1.0, "input --> output then more"),
        (3.0, "second"),
    ]
    assert track.problems == []


def test_json_escapes_of_lone_surrogates_are_stored(tmp_path: Path) -> None:
    path = tmp_path / "surrogate01.en.json"
    path.write_text('[{"text": "bad \\ud800 text", "start": 1, "duration": 1}]')
    out = parse_batch([path], tag=False)
    assert out.problems == []
    assert out.count("segments") == 1


# --- a moved and fixed note ------------------------------------------------------------------


def test_a_moved_and_fixed_note_forgets_its_old_problems(tmp_path: Path) -> None:
    old = tmp_path / "a" / "hostile" / "n.md"
    old.parent.mkdir(parents=True)
    old.write_text(note("movedNote01", "No anchors yet."))
    db = tmp_path / "w.duckdb"
    ingest([tmp_path / "a"], db, tag=False, workers=1)
    assert problems(db) == {str(old): {"no_anchors"}}
    new = tmp_path / "a" / "moved" / "hostile" / "n.md"
    new.parent.mkdir(parents=True)
    old.rename(new)
    new.write_text(note("movedNote01", f"Now anchored {CANON.format(t='0:05')}."))
    old.parent.rmdir()
    ingest([tmp_path / "a"], db, tag=False, workers=1)
    assert problems(db) == {}
    assert loaded(db) == {str(new): 1}


def test_a_moved_unchanged_note_takes_its_warnings_along(tmp_path: Path) -> None:
    old = tmp_path / "a" / "hostile" / "n.md"
    old.parent.mkdir(parents=True)
    old.write_text(note("movedNote02", "No anchors."))
    db = tmp_path / "w.duckdb"
    ingest([tmp_path / "a"], db, tag=False, workers=1)
    new = tmp_path / "a" / "moved" / "hostile" / "n.md"
    new.parent.mkdir(parents=True)
    old.rename(new)
    report = ingest([tmp_path / "a"], db, tag=False, workers=1)
    assert report.sources_unchanged == 1
    assert problems(db) == {str(new): {"no_anchors"}}


@pytest.mark.timeout(TIMEOUT)
def test_a_video_list_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "ids.txt"
    os.mkfifo(fifo)
    r = run("fetch", "--from-file", str(fifo), "--no-prefect", "--db", str(tmp_path / "w.duckdb"))
    assert r.exit_code == 2, r.output
    assert "FIFO" in r.output and r.output.count("\n") == 1, r.output


@pytest.mark.parametrize(
    "body",
    [CANON.format(t="0:05"), CANON.format(t="0:05") + "**" + CANON.format(t="0:06")],
    ids=["only_empty_claims", "empty_beside_a_token"],
)
def test_empty_claims_are_tagged(tmp_path: Path, body: str) -> None:
    """Found by the fuzz suite: a batch of only empty claims, or an empty claim beside
    others, crashed the classifier (spaCy's n-gram layer on an empty doc)."""
    path = tmp_path / "c" / "n.md"
    path.parent.mkdir()
    path.write_text(f"---\ntitle:\nvideoId: emptyClaim1\n---\n{body}")
    out = parse_batch([path], tag=True)
    assert out.problems == []
    assert out.count("claims") == body.count("<a ")


@pytest.mark.parametrize("option", [["--batch-size", "0"], ["--max-bytes", "-5"]])
def test_ingest_numbers_out_of_range_are_one_line(tmp_path: Path, option: list[str]) -> None:
    r = run("ingest", str(tmp_path), "--no-prefect", "--db", str(tmp_path / "w.duckdb"), *option)
    assert r.exit_code == 2 and r.output.count("\n") == 1, r.output


def test_tagging_in_chunks_changes_no_tag(tmp_path: Path, monkeypatch) -> None:
    """The worker hands the tagger at most TAG_CHUNK claims at a time (memory), in whole
    notes (the tagger reads a note's claims together); every claim is tagged as if the
    batch had been tagged whole."""
    import ytclaims.worker as worker

    texts = [
        "Inference costs for GPT-4 class models fell 10x per year",
        "OpenAI and Anthropic compete on agents",
        "Nvidia data centers need $1.2 trillion of power",
        "The weather was nice",
        "Open-source models commoditize the model layer",
    ]
    paths = []
    for n, title in enumerate(["AI infrastructure costs", "Cooking at home"]):
        path = tmp_path / "c" / f"n{n}.md"
        path.parent.mkdir(exist_ok=True)
        body = "\n\n".join(
            f"{text} {CANON.format(t=f'0:{i:02d}')}." for i, text in enumerate(texts)
        )
        path.write_text(note(f"chunkNote0{n}", body, title=title))
        paths.append(path)

    def tags(out) -> tuple:
        return tuple(
            sorted(map(repr, out.tables[name].to_pylist()))
            for name in ("claims", "claim_tags", "tag_evidence", "entities")
        )

    whole = tags(parse_batch(paths, tag=True))
    for size in (5, 7):
        monkeypatch.setattr(worker, "TAG_CHUNK", size)
        assert tags(parse_batch(paths, tag=True)) == whole, size
    assert whole[1]  # some tags, or the comparison proves nothing


def test_tag_chunks_hold_whole_notes_and_cut_only_a_note_too_large() -> None:
    from ytclaims.worker import note_chunks

    claims = [{"source_id": s} for s in "aaabbc"] + [{"source_id": "d"}] * 7
    sizes = [[c["source_id"] for c in ch] for ch in note_chunks(claims, 5)]
    assert sizes == [list("aaabb"), ["c"], list("ddddd"), list("dd")]
    assert note_chunks([], 5) == []
