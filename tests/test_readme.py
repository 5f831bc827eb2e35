"""Every example in README.md runs, against the warehouse the README's own first command
builds, so the README cannot drift from the code.

What runs: every fenced block whose language is ``sql`` or ``bash`` (also ``sh``,
``shell``), in a sandbox folder holding a copy of ``examples/`` and ``.venv`` (a link to the
running environment), where the first command has built ``warehouse/ytclaims.duckdb``:

* ``sql``: each statement, through what ``ytclaims query`` runs (read-only); each must
  succeed and return at least one row;
* ``bash``: the whole block with ``bash -eu -o pipefail``, ``ytclaims`` on the PATH; it
  must exit 0.

A block that cannot run like that carries a marker, an HTML comment on the line right
above its fence (indented like the fence)::

    <!-- readme-test: skip REASON -->        not run; the reason is required
    <!-- readme-test: allow-empty REASON --> sql whose statements may return no rows
    <!-- readme-test: warehouse -->          the first command: its last ``&&`` part is
                                             run (with --no-prefect) to build the warehouse
    <!-- readme-test: synopsis -->           the command overview: every ``ytclaims CMD``
                                             and ``--option`` in it must exist, and every
                                             command must be in it

Adding an example needs nothing here: a new block runs as soon as it is in the README.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import REPO

README = REPO / "README.md"
RUN_LANGS = frozenset({"sql", "bash", "sh", "shell", "python"})
KINDS = frozenset({"skip", "allow-empty", "warehouse", "synopsis"})
NEEDS_REASON = frozenset({"skip", "allow-empty"})
FENCE_RX = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[ \t]*$")
CLOSE_RX = re.compile(r"^[ \t]*```[ \t]*$")
MARKER_RX = re.compile(
    r"^[ \t]*<!--[ \t]*readme-test:[ \t]*(?P<kind>\S+)[ \t]*(?P<reason>.*?)[ \t]*-->[ \t]*$"
)
FAIL_SAFE_S = 600  # a hung command fails the test; not an assertion about speed


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    kind: str | None = None  # the marker above it, if any
    reason: str = ""

    @property
    def label(self) -> str:
        return f"README.md:{self.line}"


def read_blocks(path: Path = README) -> tuple[list[Block], list[str]]:
    """Fenced blocks with their markers, and problems with the markers themselves."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    problems: list[str] = []
    used: set[int] = set()
    i = 0
    while i < len(lines):
        m = FENCE_RX.match(lines[i])
        if not m:
            i += 1
            continue
        start, indent = i, len(m.group("indent"))
        body: list[str] = []
        i += 1
        while i < len(lines) and not CLOSE_RX.match(lines[i]):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        i += 1  # the closing fence
        kind = reason = None
        if start > 0 and (mk := MARKER_RX.match(lines[start - 1])):
            kind, reason = mk.group("kind"), mk.group("reason")
            used.add(start - 1)
        blocks.append(
            Block(start + 1, m.group("lang").lower(), "\n".join(body), kind, reason or "")
        )
    for n, text in enumerate(lines):
        mk = MARKER_RX.match(text)
        if mk and n not in used:
            problems.append(f"README.md:{n + 1}: marker not right above a fenced block")
        if re.match(r"^[ \t]*<!--[ \t]*readme-test", text) and not mk:
            problems.append(f"README.md:{n + 1}: unreadable marker {text.strip()!r}")
    return blocks, problems


BLOCKS, MARKER_PROBLEMS = read_blocks()


def sql_statements() -> list:
    """(block, statement) for every statement of every runnable sql block."""
    import duckdb

    con = duckdb.connect()
    try:
        out = []
        for b in BLOCKS:
            if b.lang == "sql" and b.kind != "skip":
                for n, st in enumerate(con.extract_statements(b.text), 1):
                    out.append(pytest.param(b, st.query.strip(), id=f"{b.label}#{n}"))
        return out
    finally:
        con.close()


def shell_blocks() -> list:
    """Shell and Python blocks, in README order (a Python block reads what the shell block
    above it wrote; pytest runs the parameters in this order)."""
    return [
        pytest.param(b, id=b.label)
        for b in BLOCKS
        if b.lang in RUN_LANGS - {"sql"} and b.kind in (None, "allow-empty")
    ]


def localised(text: str, root: Path) -> str:
    """The README writes scratch files under /tmp; each test run gets its own, so a file a
    previous run (or an older ytclaims) left there cannot change the outcome."""
    return text.replace("/tmp/", f"{root / 'tmp'}/")


# --- the markers themselves -----------------------------------------------------------------


def test_markers_are_known_and_skips_say_why() -> None:
    assert not MARKER_PROBLEMS, MARKER_PROBLEMS
    for b in BLOCKS:
        if b.kind is None:
            continue
        assert b.kind in KINDS, f"{b.label}: unknown marker {b.kind!r} (known: {sorted(KINDS)})"
        if b.kind in NEEDS_REASON:
            assert len(b.reason.split()) >= 2, f"{b.label}: say why the block is {b.kind}"
    assert [b.kind for b in BLOCKS].count("warehouse") == 1
    assert [b.kind for b in BLOCKS].count("synopsis") == 1
    runnable = [b for b in BLOCKS if b.lang in RUN_LANGS and b.kind != "skip"]
    assert len(runnable) >= 3, "the README lost its examples, or this test its parser"


# --- the sandbox: the README's first command, run for real --------------------------------


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A folder laid out like a fresh clone after the first command: examples/, .venv/,
    and warehouse/ytclaims.duckdb built by that command's ``ytclaims ingest``."""
    root = tmp_path_factory.mktemp("readme")
    (root / "tmp").mkdir()
    shutil.copytree(REPO / "examples", root / "examples")
    (root / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if k not in ("YTCLAIMS_DB", "PREFECT_API_URL")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    (first,) = [b for b in BLOCKS if b.kind == "warehouse"]
    command = first.text.strip().split("&&")[-1].strip()
    args = shlex.split(command)
    assert args[:2] == [".venv/bin/ytclaims", "ingest"], f"{first.label}: {command!r}"
    # --no-prefect: the same steps as the flow (tests/test_flow.py checks they agree),
    # without a temporary Prefect API to start.
    r = subprocess.run(
        [*args, "--no-prefect"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=FAIL_SAFE_S,
    )
    assert r.returncode == 0, f"{command}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    db = root / "warehouse" / "ytclaims.duckdb"
    assert db.is_file(), f"{command} did not build {db}"
    return {"root": root, "env": env, "db": db, "stdout": r.stdout}


def test_the_first_command_prints_claim_ids_the_examples_use(sandbox) -> None:
    """The README cites claims by id; the ids must be ones the first command prints."""
    quoted = set(re.findall(r"claim_id = '([0-9a-f]{16})'", README.read_text("utf-8")))
    cited = set(
        re.findall(r"\b(?:ytclaims (?:cite|explain)) ([0-9a-f]{16})\b", README.read_text("utf-8"))
    )
    printed = set(re.findall(r"Claim ([0-9a-f]{16})\.", str(sandbox["stdout"])))
    assert quoted, "no example looks a claim up by id"
    assert (quoted | cited) <= printed, sorted((quoted | cited) - printed)


@pytest.mark.parametrize(("block", "sql"), sql_statements())
def test_readme_sql_runs_and_returns_rows(sandbox, block: Block, sql: str) -> None:
    from ytclaims.research.query import run_query

    cols, rows = run_query(Path(sandbox["db"]), sql)  # what `ytclaims query` runs
    assert cols
    if block.kind != "allow-empty":
        assert rows, f"{block.label}: no rows on the example warehouse:\n{sql}"


@pytest.mark.parametrize("block", shell_blocks())
def test_readme_shell_block_runs(sandbox, block: Block) -> None:
    text = localised(block.text, Path(sandbox["root"]))
    if block.lang == "python":
        argv = [sys.executable, "-c", text]
    else:
        argv = ["bash", "-eu", "-o", "pipefail", "-c", text]
    r = subprocess.run(
        argv,
        cwd=sandbox["root"],
        env=sandbox["env"],
        capture_output=True,
        text=True,
        timeout=FAIL_SAFE_S,
    )
    assert r.returncode == 0, (
        f"{block.label}:\n{block.text}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    )


# --- the command overview -----------------------------------------------------------------


def test_synopsis_names_real_commands_and_options() -> None:
    import typer

    from ytclaims.cli import app

    group = typer.main.get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    top_options = {o for p in group.params for o in getattr(p, "opts", ())}
    (block,) = [b for b in BLOCKS if b.kind == "synopsis"]
    entries: list[tuple[str, str]] = []  # (command, the text that documents it)
    for line in block.text.splitlines():
        code = line.split("#", 1)[0]
        if line.startswith("ytclaims "):
            entries.append((line.split()[1], code))
        elif entries and code.strip().startswith("["):  # a continuation line
            entries[-1] = (entries[-1][0], entries[-1][1] + " " + code)
    seen = set()
    for name, text in entries:
        if name.startswith("-"):  # 'ytclaims --version'
            assert name in top_options, f"synopsis: ytclaims has no option {name}"
            continue
        assert name in commands, f"synopsis: no command {name!r}"
        seen.add(name)
        opts = {o for p in commands[name].params for o in getattr(p, "opts", ())}
        for opt in re.findall(r"(?<![\w-])(--?[a-z][a-z0-9-]*)", text):
            assert opt in opts, f"synopsis: 'ytclaims {name}' has no option {opt}"
    missing = sorted(set(commands) - seen)
    assert not missing, f"commands missing from the README synopsis: {missing}"
