"""``search`` and ``query`` in a terminal: layouts that fit, full URLs, no control codes.

The warehouse is the search fixture (tests/fixtures/search) plus a metadata CSV giving one
video a channel name. Expected URLs, titles and texts are read with plain SQL on the
warehouse; the layout rules are checked line by line at 80 columns.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import REPO, ro
from typer.testing import CliRunner

from ytclaims.cli import app
from ytclaims.pipeline import ingest
from ytclaims.research.terminal import hit_blocks, rows_layout, safe

FIX = REPO / "tests" / "fixtures" / "search"
WIDTH = 80


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("terminal")
    meta = root / "meta"
    meta.mkdir()
    (meta / "videos.csv").write_text(
        "video_id,title,channel\nsrchAlphaC3,Agents in Practice (Full Talk),Alpha Channel Live\n",
        encoding="utf-8",
    )
    db = root / "t.duckdb"
    ingest([FIX / "notes", FIX / "captions", meta], db, taxonomy=str(FIX / "taxonomy.toml"))
    return db


def run(*args: str, columns: int = WIDTH):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})


def long_lines(text: str, width: int) -> list[str]:
    """Lines wider than ``width`` that are not a URL standing alone."""
    return [
        ln for ln in text.splitlines() if len(ln) > width and not ln.strip().startswith("https://")
    ]


def test_search_prints_one_block_per_hit_with_title_channel_time_and_full_url(db: Path) -> None:
    r = run("search", "agents", "--db", str(db), "--limit", "5")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert long_lines(out, WIDTH) == []
    assert "\u2026" not in out  # nothing cut
    with ro(db) as con:
        j = run("search", "agents", "--db", str(db), "--limit", "5", "-f", "json").stdout
        hits = json.loads(j)
        for h in hits:
            vid = con.execute("SELECT video_id FROM claims WHERE claim_id = ?", [h["claim_id"]])
            (video_id,) = vid.fetchone()
            title, name = con.execute(
                "SELECT title, channel_name FROM videos WHERE video_id = ?", [video_id]
            ).fetchone()
            block = out.split(f"{h['rank']}. ", 1)[1].split("\n\n", 1)[0]
            assert " ".join(block.split()).startswith(" ".join(h["text"].split()))
            assert any(ln.strip() == h["url"] for ln in block.splitlines())  # whole, alone
            assert (title or f"video {video_id}") in " ".join(block.split())
            assert name in block
            assert f"claim {h['claim_id']}" in block
    # the metadata CSV's channel name is shown, not the notes' folder key
    assert "Alpha Channel Live" in out


def test_machine_formats_are_unchanged(db: Path) -> None:
    r = run("search", "agents", "--db", str(db), "--limit", "2", "-f", "csv")
    header = r.stdout.splitlines()[0]
    assert header == "rank,claim_id,text,url,timestamp_status,layers,trends,score"
    r = run("search", "inference", "--db", str(db), "--sentences", "--limit", "2", "-f", "json")
    assert set(json.loads(r.stdout)[0]) == {"rank", "video_id", "seconds", "text", "url", "score"}


def test_sentence_search_blocks(db: Path) -> None:
    r = run("search", "inference", "--db", str(db), "--sentences", "--limit", "3")
    assert r.exit_code == 0, r.output
    assert long_lines(r.stdout, WIDTH) == []
    hits = json.loads(
        run(
            "search", "inference", "--db", str(db), "--sentences", "--limit", "3", "-f", "json"
        ).stdout
    )
    assert hits
    for h in hits:
        assert any(ln.strip() == h["url"] for ln in r.stdout.splitlines())


def test_query_falls_back_to_one_block_per_row_when_the_table_is_too_wide(db: Path) -> None:
    sql = "SELECT claim_id, text, url, layers FROM citations ORDER BY claim_id LIMIT 4"
    with ro(db) as con:
        rows = con.execute(sql).fetchall()
    r = run("query", sql, "--db", str(db))
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert long_lines(out, WIDTH) == [] and "-[ row 1 ]" in out
    for claim_id, text, url, layers in rows:
        assert f"claim_id | {claim_id}" in out
        assert f"url      | {url}" in out  # whole
        assert " ".join(text.split()) in " ".join(ln.split(" | ", 1)[-1] for ln in out.splitlines())
        assert f"layers   | {json.dumps(layers)}" in out
    assert out.rstrip().endswith("(4 rows)")


def test_query_keeps_a_table_when_it_fits(db: Path) -> None:
    sql = "SELECT timestamp_status, count(*) AS n FROM citations GROUP BY ALL ORDER BY 1"
    with ro(db) as con:
        rows = con.execute(sql).fetchall()
    out = run("query", sql, "--db", str(db)).stdout
    lines = out.splitlines()
    assert lines[0].split() == ["timestamp_status", "n"]
    for (status, n), line in zip(rows, lines[2:], strict=False):
        assert line.split() == [status, str(n)]
    wide = run("query", sql, "--db", str(db), columns=200).stdout
    assert wide == out  # a table that fits does not depend on the width


def test_layouts_never_pass_control_characters_to_the_terminal() -> None:
    evil = "Claim \x1b[2J\x1b]0;pwned\x07 text"
    hit = {
        "rank": 1,
        "text": evil,
        "title": "T\x1b[31m",
        "channel": "c",
        "seconds": 5,
        "url": "https://www.youtube.com/watch?v=abcdefghijk&t=5s",
    }
    out = hit_blocks([hit], WIDTH) + rows_layout(["text"], [(evil,)], WIDTH)
    assert "\x1b" not in out and "\x07" not in out
    assert safe("a\x1bb") == "a\ufffdb"


def test_narrow_terminals_still_show_whole_urls() -> None:
    url = "https://www.youtube.com/watch?v=abcdefghijk&t=12345s"
    hit = {"rank": 12, "text": "word " * 40, "title": "A title", "seconds": 12345, "url": url}
    out = hit_blocks([hit], 40)
    assert [ln.strip() for ln in out.splitlines()].count(url) == 1
    assert long_lines(out, 40) == []
