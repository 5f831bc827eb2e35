"""The ytclaims command line: query (read-only, csv/json), cite, and light imports."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import EXAMPLES, index_titles, ro, snapshot
from typer.testing import CliRunner

from ytclaims.cli import app


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The bundled examples ingested through the CLI itself (--no-prefect)."""
    db = tmp_path_factory.mktemp("cli") / "cli.duckdb"
    r = CliRunner().invoke(app, ["ingest", str(EXAMPLES), "--db", str(db), "--no-prefect"])
    assert r.exit_code == 0, r.output
    return db, r.output


@pytest.fixture(scope="module")
def cli_db(cli_run: tuple[Path, str]) -> Path:
    return cli_run[0]


def test_data_text_is_printed_as_written(cli_run: tuple[Path, str]) -> None:
    """Reasons say "A:B:C"; rich turned ':b:' into an emoji (A🅱C) in the summary."""
    db, out = cli_run
    assert "A:B:C" in out and "\U0001f171" not in out
    shown = run("show", "xmpl_AIstk1", "--db", str(db)).output
    assert "\U0001f171" not in shown


def run(*args: str):
    return CliRunner().invoke(app, list(args))


SQL = "SELECT claim_id, seconds, url FROM citations WHERE seconds IS NOT NULL ORDER BY claim_id"


def test_query_csv(cli_db: Path) -> None:
    with ro(cli_db) as con:
        expected = con.execute(SQL).fetchall()
    r = run("query", SQL, "--db", str(cli_db), "--format", "csv")
    assert r.exit_code == 0, r.output
    # (the command ends its output with one blank line; csv readers yield it as [])
    rows = [row for row in csv.reader(io.StringIO(r.stdout)) if row]
    assert rows[0] == ["claim_id", "seconds", "url"]
    assert len(rows) - 1 == len(expected) > 0
    assert [(a, int(b), c) for a, b, c in rows[1:]] == expected


def test_query_json(cli_db: Path) -> None:
    with ro(cli_db) as con:
        expected = con.execute(SQL).fetchall()
        (n,) = con.execute("SELECT count(*) FROM citations").fetchone()
    r = run("query", SQL, "--db", str(cli_db), "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [(d["claim_id"], d["seconds"], d["url"]) for d in data] == expected
    r = run("query", "SELECT count(*) AS n FROM citations", "--db", str(cli_db), "-f", "json")
    assert json.loads(r.stdout) == [{"n": n}]


def test_query_table_format_prints_the_values(cli_db: Path) -> None:
    with ro(cli_db) as con:
        (n,) = con.execute("SELECT count(*) FROM claims").fetchone()
    r = run("query", "SELECT count(*) AS n_claims FROM claims", "--db", str(cli_db))
    assert r.exit_code == 0, r.output
    assert "n_claims" in r.stdout and str(n) in r.stdout


def test_query_unknown_format_fails(cli_db: Path) -> None:
    r = run("query", "SELECT 1", "--db", str(cli_db), "--format", "xml")
    assert r.exit_code != 0
    assert "xml" in r.output


@pytest.mark.parametrize(
    "sql",
    [
        "delete from claims",
        "DROP TABLE anchors",
        "update claims set text = 'x'",
        "insert into meta values ('k', 'v')",
        "CREATE TABLE t AS SELECT 1",
    ],
)
def test_query_refuses_writes(cli_db: Path, sql: str) -> None:
    before = snapshot(cli_db)
    r = run("query", sql, "--db", str(cli_db))
    assert r.exit_code != 0
    assert "read-only" in r.output and "only reads the warehouse" in r.output
    assert snapshot(cli_db) == before


def test_query_does_not_write_files(cli_db: Path, tmp_path: Path) -> None:
    """'ytclaims query' is read-only: it must not write files either (COPY ... TO)."""
    target = tmp_path / "leak.csv"
    r = run("query", f"COPY claims TO '{target}'", "--db", str(cli_db))
    assert not target.exists()
    assert r.exit_code != 0


@pytest.mark.parametrize(
    ("sql", "names"),
    [
        ("SELEC 1", "SELEC"),  # syntax
        ("SELECT no_such_column FROM citations", "no_such_column"),  # binder
        ("SELECT * FROM no_such_table", "no_such_table"),  # catalog
        ("SELECT 1; SELECT 2", "one SQL statement"),
    ],
)
def test_query_errors_that_are_not_writes_do_not_blame_read_only(
    cli_db: Path, sql: str, names: str
) -> None:
    """A mistake in the SQL says check the SQL; "read-only" only when a write was refused."""
    r = run("query", sql, "--db", str(cli_db))
    assert r.exit_code == 1
    assert names in r.output
    assert "read-only" not in r.output and "only reads" not in r.output
    assert "duckdb_columns()" in r.output or "one statement" in r.output


@pytest.mark.parametrize(
    "sql", ["DELETE FROM claims", "COPY claims TO '{out}'", "SELECT * FROM read_csv('{out}')"]
)
def test_query_writes_and_file_access_say_read_only(cli_db: Path, tmp_path: Path, sql: str) -> None:
    out = tmp_path / "x.csv"
    out.write_text("a\n1\n")
    r = run("query", sql.format(out=out), "--db", str(cli_db))
    assert r.exit_code == 1
    assert "only reads the warehouse" in r.output and "ytclaims export" in r.output


def test_query_missing_db_fails_clearly(tmp_path: Path) -> None:
    r = run("query", "SELECT 1", "--db", str(tmp_path / "none.duckdb"))
    assert r.exit_code != 0
    assert "ytclaims ingest" in r.output
    assert not (tmp_path / "none.duckdb").exists()


def test_cite_prints_text_title_channel_and_url(cli_db: Path) -> None:
    titles = index_titles(EXAMPLES / "aiweekly" / "aiweekly.md")
    with ro(cli_db) as con:
        claim_id, text, vid, channel, seconds = con.execute(
            "SELECT claim_id, text, video_id, channel, seconds FROM citations "
            "WHERE seconds IS NOT NULL AND video_id IN (SELECT unnest(?)) "
            "ORDER BY claim_id LIMIT 1",
            [list(titles)],
        ).fetchone()
    r = run("cite", claim_id, "--db", str(cli_db))
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert text in out
    assert titles[vid] in out
    assert channel == "aiweekly" and channel in out
    assert f"https://www.youtube.com/watch?v={vid}&t={seconds}s" in out
    assert claim_id in out


def test_cite_unknown_claim(cli_db: Path) -> None:
    r = run("cite", "no-such-claim-0000", "--db", str(cli_db))
    assert r.exit_code != 0
    assert "no-such-claim-0000" in r.output
    assert "ytclaims query" in r.output  # tells the user how to find ids


def test_read_commands_import_neither_prefect_nor_spacy(cli_db: Path) -> None:
    code = textwrap.dedent(
        """
        import json, sys
        from typer.testing import CliRunner
        from ytclaims.cli import app
        runner = CliRunner()
        q = runner.invoke(app, ["query", "SELECT count(*) AS n FROM citations",
                                "--db", sys.argv[1], "--format", "json"])
        cid = json.loads(runner.invoke(app, ["query", "SELECT min(claim_id) AS c FROM citations",
                                             "--db", sys.argv[1], "-f", "json"]).stdout)[0]["c"]
        c = runner.invoke(app, ["cite", cid, "--db", sys.argv[1]])
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("prefect", "spacy"))
        print(json.dumps({"q": q.exit_code, "c": c.exit_code, "n": json.loads(q.stdout)[0]["n"],
                          "heavy": heavy}))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(cli_db)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["q"] == 0 and res["c"] == 0
    with ro(cli_db) as con:
        assert res["n"] == con.execute("SELECT count(*) FROM citations").fetchone()[0]
    assert res["heavy"] == []


def test_a_temporary_prefect_api_starts_only_when_none_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line starts Prefect's temporary API itself (early, so Prefect's imports
    overlap its start-up) unless PREFECT_API_URL or the active profile names a server."""
    from flows import api

    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)
    monkeypatch.setenv("PREFECT_API_URL", "http://example.invalid:4200/api")
    with api.temporary_api() as server:
        assert server is None
    monkeypatch.delenv("PREFECT_API_URL")
    (tmp_path / "profiles.toml").write_text(
        'active = "remote"\n[profiles.remote]\nPREFECT_API_URL = "http://10.0.0.1:4200/api"\n'
    )
    assert api.configured_api_url() == "http://10.0.0.1:4200/api"
    (tmp_path / "profiles.toml").write_text('active = "ephemeral"\n[profiles.ephemeral]\n')
    assert api.configured_api_url() is None
    with api.temporary_api() as server:
        assert server is not None
        assert os.environ["PREFECT_API_URL"] == server.url
        server.wait_until_ready()
        assert api._healthy(server.url)
    assert "PREFECT_API_URL" not in os.environ
    assert server.proc.poll() is not None  # stopped with the block


# --- small traps a newcomer meets ------------------------------------------------------------


def test_version_prints_the_package_version() -> None:
    from importlib.metadata import version

    import ytclaims

    r = run("--version")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"ytclaims {ytclaims.__version__} ")
    assert ytclaims.__version__ == version("ytclaims")  # pyproject and package agree
    assert "DuckDB" in r.stdout


def test_ingest_help_names_every_input_kind() -> None:
    """Notes and caption files (and anything else discovery accepts) are in --help."""
    from ytclaims.sources import discover

    r = CliRunner().invoke(app, ["ingest", "--help"], terminal_width=200)
    assert r.exit_code == 0
    text = " ".join(r.stdout.split())
    assert "notes" in text.lower() and "caption files" in text
    accepted = [
        s for name, value in vars(discover).items() if name.endswith("_SUFFIXES") for s in value
    ]
    assert ".md" in accepted and ".srt" in accepted
    for suffix in accepted:
        assert suffix in text, suffix


def test_evaluate_outside_the_repository_says_where_the_dev_set_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed from a wheel and run anywhere, there is no dev set: a clear error, not Errno 2."""
    from ytclaims.tags import evaluate

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(evaluate, "_REPO", tmp_path / "site-packages")
    r = run("evaluate")
    assert r.exit_code == 1
    assert "No dev set" in r.output and "--dev FILE" in r.output
    assert "Errno" not in r.output and "Traceback" not in r.output
    r = run("evaluate", "--dev", str(tmp_path / "missing.jsonl"))
    assert r.exit_code == 1 and "No dev set" in r.output and "Errno" not in r.output


def test_evaluate_from_another_folder_finds_the_repository_dev_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ytclaims
    from ytclaims.tags.evaluate import find_dev

    # The repository ytclaims was imported from: this checkout when its own venv runs the
    # tests, another one when a clone's tests run with that checkout's editable install.
    repo = Path(ytclaims.__file__).resolve().parents[2]
    monkeypatch.chdir(tmp_path)
    assert find_dev().resolve() == repo / "data" / "tagging" / "labels.jsonl"


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--split", "foo"], "test, train, cv, all"),
        (["--stratum", "bar"], "all, random, ai_note, ai_mention, trend, targeted"),
    ],
)
def test_evaluate_refuses_an_unknown_split_or_stratum(args: list[str], allowed: str) -> None:
    r = run("evaluate", *args)
    assert r.exit_code == 1
    assert repr(args[1]) in r.output and allowed in r.output
    assert "dev claims" not in r.output  # no table of zeros


def test_problem_paths_are_printed_whole(tmp_path: Path) -> None:
    """The end-of-run problems name each file in full, even in a narrow terminal, and a
    '[id]' in a yt-dlp file name is printed as written (not read as markup)."""
    from rich.console import Console

    from ytclaims.summary import print_summary

    path = "/very/long/folder/of/captions/Some Video Title [dQw4w9WgXcQ].en.vtt"
    problems = [
        {
            "severity": "error",
            "error_kind": "malformed_captions",
            "source_path": path,
            "message": "No cue could be read.",
        },
        {
            "severity": "error",
            "error_kind": "malformed_captions",
            "source_path": "/b.vtt",
            "message": "No cue could be read.",
        },
    ]
    report = {
        "files_seen": 2,
        "sources_loaded": 0,
        "sources_unchanged": 0,
        "claims_loaded": 0,
        "anchors_loaded": 0,
        "wall_seconds": 0.1,
        "problems": problems,
    }
    buf = io.StringIO()
    print_summary(
        report,
        tmp_path / "none.duckdb",
        show=0,
        console=Console(file=buf, width=50, force_terminal=False),
    )
    out = buf.getvalue()
    assert any(line.endswith(path) for line in out.splitlines()), out
    assert "(2 files), e.g." in out
