"""Ingest benchmark: the real pipeline against the naive first version, side by side.

    python benchmarks/ingest_bench.py [INPUT_DIR] [--approach both|ytclaims|naive] [--runs 1]

Why it is built this way:

* **One fresh subprocess per approach and run**, against a fresh temporary DuckDB
  file. Peak memory (``ru_maxrss``) is a high-water mark that never goes down, so it
  only means something per process; a fresh process also keeps one approach's
  imports, caches and heap from flattering or penalising the other. The child
  reports its own ``getrusage(RUSAGE_SELF).ru_maxrss`` and, because ``ingest`` may
  parse in worker processes, ``RUSAGE_CHILDREN`` (the largest reaped worker). Neither
  is what the machine must hold at once, so the parent also samples the summed RSS
  of the child's whole process tree from ``/proc`` every 0.1 s ("whole tree").
* **Wall time covers the work only** (discover/read/parse/load), not interpreter
  start-up or imports, which are reported on their own row: they are a fixed cost,
  like Prefect's start-up, which is measured elsewhere and is absent here on purpose.
* **The no-op re-run** (same inputs, same DB, nothing changed) runs in its own
  process too: it is what a scheduled flow pays every time, and its memory must not
  inherit the first run's high-water mark.
* **The naive approach** is what a first version would do: BeautifulSoup on every
  whole file, ``a`` tags with class ``yt-timestamp``, claim text = the text since the
  previous anchor via ``.previous_siblings``, rows inserted with ``executemany`` file
  by file. It yields about as many anchor rows as ytclaims (it loses anchors that
  follow a ``<script>`` in a code example, which html.parser swallows as raw text), so
  rates are comparable. Its parse and insert times are reported separately, because
  they fail for different reasons.
* Machines are 2-core and noisy: compare the ratios within one invocation, not
  absolute seconds across machines. ``--runs N`` interleaves the approaches
  (A, B, A, B, ...) so drift hits both, and reports the median time.

Every child imports ytclaims from a copy of ``src/`` taken at start (``--no-snapshot``
to use the live tree), so one invocation measures one version of the code even while
the repository is being edited. ``--timeout S`` kills a child (and its workers) that
runs longer than S seconds (the naive approach at 21k notes takes many minutes) and
reports how far it got. ``--profile FILE`` adds one extra ytclaims run under cProfile
and prints its top functions; it runs with ``workers=1`` when ``ingest`` has that
parameter, because cProfile only sees the process it runs in. ``--workers N`` and
``--no-tag`` are passed to ``ingest`` only when given (and only if it accepts them),
so the default measures the pipeline exactly as users call it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

#: Default input: the shared corpus next to the repository (repo/../shared/corpus/notes).
DEFAULT_INPUT = Path(__file__).resolve().parents[1].parent / "shared/corpus/notes"
RESULT_PREFIX = "@@RESULT "
PROGRESS_PREFIX = "@@PROGRESS "
PROGRESS_EVERY_S = 5.0
REPO_SRC = Path(__file__).resolve().parents[1] / "src"


# --------------------------------------------------------------------------- child side


def _maxrss_kb() -> int:
    """Peak RSS of this process in KiB (Linux reports KiB, macOS bytes)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss


def _children_maxrss_kb() -> int:
    """Peak RSS of the largest reaped child process (worker) in KiB; 0 if none."""
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss


def _db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, db.with_name(db.name + ".wal")) if p.exists())


def _progress_reporter(t0: float) -> Callable[[int, int, int], None]:
    """A callback printing progress lines to stderr at most every few seconds.

    If the parent kills a slow child at ``--timeout``, the last line still says how
    far it got and what memory it had reached.
    """
    last = [0.0]

    def report(done: int, total: int, rows: int) -> None:
        now = time.perf_counter()
        if now - last[0] < PROGRESS_EVERY_S and done < total:
            return
        last[0] = now
        line = {
            "done": done,
            "total": total,
            "rows": rows,
            "elapsed": now - t0,
            "maxrss_kb": _maxrss_kb(),
        }
        print(PROGRESS_PREFIX + json.dumps(line), file=sys.stderr, flush=True)

    return report


def child_ytclaims(
    input_dir: Path, db: Path, profile: Path | None, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The real pipeline (no Prefect): ``ytclaims.pipeline.ingest([input], db, **kwargs)``."""
    t_imp = time.perf_counter()
    import inspect

    import duckdb

    from ytclaims import pipeline
    from ytclaims.warehouse import load as _load  # noqa: F401 - imported lazily by ingest

    import_s = time.perf_counter() - t_imp
    accepted = inspect.signature(pipeline.ingest).parameters
    if profile is not None and "workers" in accepted:
        kwargs = kwargs | {"workers": 1}  # cProfile sees only this process
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise SystemExit(f"ytclaims.pipeline.ingest has no parameter(s) {unknown}")
    t0 = time.perf_counter()
    report_progress = _progress_reporter(t0)

    def progress(done: int, total: int) -> None:
        report_progress(done, total, 0)

    prof = None
    if profile is not None:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    rep = pipeline.ingest([input_dir], db, progress=progress, **kwargs)
    wall = time.perf_counter() - t0
    if prof is not None:
        prof.disable()
        prof.dump_stats(str(profile))
    maxrss = _maxrss_kb()  # before the counting query below adds anything
    con = duckdb.connect(str(db), read_only=True)
    try:
        # Notes (not index pages) this run loaded: a no-op re-run loads none.
        row = con.execute(
            "SELECT count(*) FROM sources WHERE source_kind = 'note' AND run_id = ?", [rep.run_id]
        ).fetchone()
    finally:
        con.close()
    loaded_notes = int(row[0]) if row else 0
    return {
        "files_seen": rep.files_seen,
        "files_unchanged": rep.sources_unchanged,
        "notes": loaded_notes,
        "claims": rep.claims_loaded,
        "anchors": rep.anchors_loaded,
        "problems": len(rep.problems),
        "wall_s": wall,
        "parse_s": rep.parse_seconds,
        "write_s": rep.load_seconds,
        "import_s": import_s,
        "maxrss_kb": maxrss,
        "children_maxrss_kb": _children_maxrss_kb(),
        "db_bytes": _db_bytes(db),
        "kwargs": kwargs,
        "module": pipeline.__file__,
    }


def child_naive(input_dir: Path, db: Path) -> dict[str, Any]:
    """The first-version approach: whole-file BeautifulSoup, row-by-row inserts."""
    import re

    t_imp = time.perf_counter()
    import duckdb
    from bs4 import BeautifulSoup, Tag

    import_s = time.perf_counter() - t_imp
    front_matter = re.compile(r"\A---\n(.*?)\n---[ \t]*\n", re.DOTALL)
    video_id_line = re.compile(r"^videoId:\s*['\"]?([A-Za-z0-9_-]{11})", re.MULTILINE)

    def is_yt(cls: str | None) -> bool:
        return cls is not None and "yt-timestamp" in cls

    def is_anchor(node: object) -> bool:
        if not isinstance(node, Tag) or node.name != "a":
            return False
        cls = node.get("class")
        return any(is_yt(c) for c in cls) if isinstance(cls, list) else is_yt(cls)

    t0 = time.perf_counter()
    progress = _progress_reporter(t0)
    parse_s = insert_s = 0.0
    files = [p for p in sorted(input_dir.rglob("*.md")) if p.stem != p.parent.name]
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE claims (source_path VARCHAR, video_id VARCHAR, channel VARCHAR, "
        "anchor_ordinal INTEGER, claim_text VARCHAR, data_t VARCHAR, label VARCHAR)"
    )
    n_rows = n_claims = n_notes = 0
    for i, path in enumerate(files, 1):
        tp = time.perf_counter()
        text = path.read_text(encoding="utf-8", errors="replace")
        fm = front_matter.match(text)
        vid = video_id_line.search(fm.group(1)) if fm else None
        body = text[fm.end() :] if fm else text
        soup = BeautifulSoup(body, "html.parser")
        rows = []
        for ordinal, a in enumerate(soup.find_all("a", class_=is_yt)):
            parts: list[str] = []
            for sib in a.previous_siblings:
                if is_anchor(sib):
                    break
                parts.append(sib.get_text() if isinstance(sib, Tag) else str(sib))
            claim = " ".join("".join(reversed(parts)).split())
            data_t = a.get("data-t")
            rows.append(
                (
                    str(path),
                    vid.group(1) if vid else None,
                    path.parent.name,
                    ordinal,
                    claim,
                    data_t if isinstance(data_t, str) else None,
                    a.get_text(),
                )
            )
            n_claims += bool(claim)
        parse_s += time.perf_counter() - tp
        n_notes += 1
        if rows:
            ti = time.perf_counter()
            con.executemany("INSERT INTO claims VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            insert_s += time.perf_counter() - ti
            n_rows += len(rows)
        progress(i, len(files), n_rows)
    con.close()
    wall = time.perf_counter() - t0
    return {
        "files_seen": len(files),
        "files_unchanged": 0,
        "notes": n_notes,
        "claims": n_claims,
        "anchors": n_rows,
        "problems": 0,
        "wall_s": wall,
        "parse_s": parse_s,
        "write_s": insert_s,
        "import_s": import_s,
        "maxrss_kb": _maxrss_kb(),
        "children_maxrss_kb": _children_maxrss_kb(),
        "db_bytes": _db_bytes(db),
    }


def child_main(mode: str, input_dir: Path, db: Path, profile: str, kwargs: dict[str, Any]) -> int:
    """Entry point inside the subprocess: run one approach, print one JSON result line."""
    if mode == "naive":
        res = child_naive(input_dir, db)
    else:
        res = child_ytclaims(input_dir, db, Path(profile) if profile else None, kwargs)
    print(RESULT_PREFIX + json.dumps(res), flush=True)
    return 0


# -------------------------------------------------------------------------- parent side


@dataclass(slots=True)
class Outcome:
    """One child run as the parent saw it: its result, or why there is none."""

    mode: str
    result: dict[str, Any] | None
    process_s: float
    error: str | None = None
    progress: dict[str, Any] | None = None  # last progress line (for timeouts)
    peak_tree_kb: int = 0  # sampled peak of the summed RSS of the child's process tree


def _last_json(text: str, prefix: str) -> dict[str, Any] | None:
    lines = [ln for ln in text.splitlines() if ln.startswith(prefix)]
    return json.loads(lines[-1][len(prefix) :]) if lines else None


def _tree_rss_kb(root: int) -> int:
    """Summed RSS (KiB) of ``root`` and all its descendants, read from ``/proc``.

    Linux only (returns 0 elsewhere); a process that exits mid-read is skipped.
    """
    parent_of: dict[int, int] = {}
    rss: dict[int, int] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/statm") as f:
                pages = int(f.read().split()[1])
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except (OSError, ValueError, IndexError):
            continue
        pid = int(name)
        parent_of[pid] = int(stat.rsplit(")", 1)[1].split()[1])
        rss[pid] = pages * (os.sysconf("SC_PAGE_SIZE") // 1024)
    tree = {root}
    changed = True
    while changed:
        changed = False
        for pid, ppid in parent_of.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return sum(rss.get(pid, 0) for pid in tree)


def run_child(
    mode: str,
    input_dir: Path,
    db: Path,
    timeout: float | None,
    kwargs: dict[str, Any],
    profile: Path | None = None,
    src: Path | None = None,
) -> Outcome:
    """Run one approach in a fresh interpreter, sampling its process tree's memory.

    The child gets its own session (process group) so a timeout can stop it and any
    worker processes it started, and nothing else. With ``src`` (a snapshot of
    ``src/``), the child and its workers import ytclaims from there: ``PYTHONPATH``
    comes before the editable install's finder.
    """
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        mode,
        str(input_dir),
        "--db",
        str(db),
        "--child-kwargs",
        json.dumps(kwargs),
    ]
    if profile is not None:
        cmd += ["--profile", str(profile)]
    with tempfile.TemporaryFile("w+") as out_f, tempfile.TemporaryFile("w+") as err_f:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=out_f, stderr=err_f, text=True, start_new_session=True, env=env
        )
        peak_tree = 0
        timed_out = False
        while proc.poll() is None:
            peak_tree = max(peak_tree, _tree_rss_kb(proc.pid))
            if timeout is not None and time.perf_counter() - t0 > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)  # the child's own group: it and its workers
                proc.wait()
                break
            time.sleep(0.1)
        elapsed = time.perf_counter() - t0
        out_f.seek(0)
        err_f.seek(0)
        stdout, stderr = out_f.read(), err_f.read()
    if timed_out:
        return Outcome(
            mode,
            None,
            elapsed,
            f"timed out after {timeout:.0f} s",
            _last_json(stderr, PROGRESS_PREFIX),
            peak_tree,
        )
    result = _last_json(stdout, RESULT_PREFIX)
    if proc.returncode != 0 or result is None:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        return Outcome(
            mode, None, elapsed, f"exit code {proc.returncode}:\n{tail}", peak_tree_kb=peak_tree
        )
    result["tree_maxrss_kb"] = peak_tree
    module = result.get("module")
    if src is not None and module and not Path(module).resolve().is_relative_to(src.resolve()):
        return Outcome(mode, None, elapsed, f"imported ytclaims from {module}, not {src}")
    return Outcome(mode, result, elapsed, peak_tree_kb=peak_tree)


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def source_digest(root: Path) -> str:
    """A short hash of the code under ``root``, so a result can be tied to what it ran.

    The tree may be uncommitted, so a commit id alone would not say what was measured.
    """
    import hashlib

    h = hashlib.blake2b(digest_size=6)
    kinds = (".py", ".sql", ".toml", ".txt")
    for f in sorted(root.rglob("*")):
        if f.is_file() and f.suffix in kinds and "egg-info" not in str(f):
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def snapshot_src(dest: Path) -> Path:
    """Copy ``src/`` to ``dest`` so every child of this invocation runs the same code.

    Why: the repository is edited while benchmarks run (a 21k-note run takes ~10
    minutes); without a snapshot, a first run and its no-op re-run could measure
    different code, or fail on a schema changed in between.
    """
    import shutil

    shutil.copytree(
        REPO_SRC, dest, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    )
    return dest


def machine_facts(input_dir: Path, src: Path) -> list[str]:
    """What the numbers depend on: cores, CPU, memory, interpreter and library versions."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024**2:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    def ver(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "not installed"

    files = [p for p in input_dir.rglob("*") if p.is_file() and p.suffix == ".md"]
    size = sum(p.stat().st_size for p in files)
    return [
        f"machine : {platform.platform()}; {os.cpu_count()} cores ({usable} usable); {cpu}; "
        f"RAM {mem}",
        f"python  : {platform.python_version()} ({sys.executable})",
        f"versions: duckdb {ver('duckdb')}, beautifulsoup4 {ver('beautifulsoup4')}, "
        f"pyarrow {ver('pyarrow')}, ytclaims {ver('ytclaims')}",
        f"load    : {_loadavg()} (1/5/15-min load average at start; >0.5 means other work"
        " competes for the 2 cores)",
        f"code    : src/ digest {source_digest(src)}"
        + (f" (snapshot taken at start: {src})" if src != REPO_SRC else " (live tree)"),
        f"input   : {input_dir} ({len(files):,} .md files, {size / 1e6:.1f} MB)",
    ]


def _median(outs: list[Outcome], key: str) -> float | None:
    vals = [o.result[key] for o in outs if o.result is not None]
    return statistics.median(vals) if vals else None


def _max(outs: list[Outcome], key: str) -> float | None:
    vals = [o.result[key] for o in outs if o.result is not None]
    return max(vals) if vals else None


def _fmt(v: float | None, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def print_table(columns: dict[str, list[Outcome]], ratio: tuple[str, str] | None) -> None:
    """Metrics as rows, approaches as columns; the ratio column follows its two operands."""
    names = list(columns)
    ratio_name = f"{ratio[0]}/{ratio[1]}" if ratio else None
    order: list[str] = list(names)
    if ratio is not None and ratio_name is not None:
        order.insert(max(names.index(ratio[0]), names.index(ratio[1])) + 1, ratio_name)
    rows: list[tuple[str, dict[str, str]]] = []

    def add(
        label: str,
        key: str | None,
        spec: str,
        *,
        agg: str = "median",
        rate_of: str | None = None,
        use_ratio: bool = False,
    ) -> None:
        cells: dict[str, str] = {}
        nums: dict[str, float | None] = {}
        for name in names:
            outs = columns[name]
            if rate_of is not None:
                n, w = _median(outs, rate_of), _median(outs, "wall_s")
                v = n / w if n and w else None  # no rate for a run that loaded nothing
            else:
                assert key is not None
                v = _max(outs, key) if agg == "max" else _median(outs, key)
            if v is not None and key is not None and key.endswith("maxrss_kb"):
                v /= 1024
            if v is not None and key == "db_bytes":
                v /= 1e6
            nums[name] = v
            cells[name] = _fmt(v, spec)
        if ratio is not None and ratio_name is not None:
            a, b = nums.get(ratio[0]), nums.get(ratio[1])
            cells[ratio_name] = f"{a / b:.3f}x" if use_ratio and a is not None and b else ""
        rows.append((label, cells))

    add("files seen", "files_seen", ",.0f")
    add("notes", "notes", ",.0f")
    add("claims", "claims", ",.0f")
    add("anchors", "anchors", ",.0f")
    add("files unchanged (skipped)", "files_unchanged", ",.0f")
    add("wall time (s)", "wall_s", ".2f", use_ratio=True)
    add("  parse (s, summed over batches)", "parse_s", ".2f", use_ratio=True)
    add("  write to DuckDB (s)", "write_s", ".2f", use_ratio=True)
    add("notes/s", None, ",.0f", rate_of="notes")
    add("claims/s", None, ",.0f", rate_of="claims")
    add("anchors/s", None, ",.0f", rate_of="anchors")
    add("peak RSS, whole tree (MB, sampled)", "tree_maxrss_kb", ",.0f", agg="max", use_ratio=True)
    add("peak RSS, main process (MB)", "maxrss_kb", ",.0f", agg="max", use_ratio=True)
    add("peak RSS, largest worker (MB)", "children_maxrss_kb", ",.0f", agg="max")
    add("imports (s, not in wall)", "import_s", ".2f")
    add("DB file (MB)", "db_bytes", ",.1f")

    w0 = max(len("metric"), *(len(label) for label, _ in rows))
    ws = {c: max(len(c), *(len(cells[c]) for _, cells in rows)) for c in order}
    print("  ".join(["metric".ljust(w0), *(c.rjust(ws[c]) for c in order)]))
    print("-" * (w0 + sum(ws.values()) + 2 * len(order)))
    for label, cells in rows:
        print("  ".join([label.ljust(w0), *(cells[c].rjust(ws[c]) for c in order)]).rstrip())


def print_profile(path: Path, top: int) -> None:
    """Top functions of the profiled run, by cumulative and by own time."""
    import io
    import pstats

    for key, title in (("cumulative", "cumulative time"), ("tottime", "own (self) time")):
        buf = io.StringIO()
        st = pstats.Stats(str(path), stream=buf)
        st.strip_dirs().sort_stats(key).print_stats(top)
        lines = buf.getvalue().splitlines()
        start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
        print(f"\nprofile: top {top} by {title} ({path})")
        print("\n".join(ln for ln in lines[start:] if ln.strip()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark ytclaims ingest against a naive version.")
    ap.add_argument(
        "input",
        nargs="?",
        type=Path,
        default=DEFAULT_INPUT,
        help="folder of notes (default: the shared corpus)",
    )
    ap.add_argument("--approach", choices=("both", "ytclaims", "naive"), default="both")
    ap.add_argument("--runs", type=int, default=1, help="repetitions per approach (median shown)")
    ap.add_argument(
        "--timeout", type=float, default=0, help="kill a child after this many seconds (0: never)"
    )
    ap.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="also run ytclaims once under cProfile, saving stats here",
    )
    ap.add_argument("--top", type=int, default=10, help="profile rows to print")
    ap.add_argument(
        "--workers",
        type=int,
        default=None,
        help="pass workers=N to ytclaims ingest (default: its own default)",
    )
    ap.add_argument("--no-tag", action="store_true", help="pass tag=False to ytclaims ingest")
    ap.add_argument(
        "--snapshot",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run every child on a copy of src/ taken at start (default), not the live tree",
    )
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--db", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--child-kwargs", default="{}", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    input_dir = args.input.resolve()
    if args.child:
        return child_main(
            args.child,
            input_dir,
            Path(args.db),
            str(args.profile) if args.profile else "",
            json.loads(args.child_kwargs),
        )
    if not input_dir.is_dir():
        ap.error(f"{input_dir} is not a folder")
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    timeout = args.timeout or None
    kwargs: dict[str, Any] = {}
    if args.workers is not None:
        kwargs["workers"] = args.workers
    if args.no_tag:
        kwargs["tag"] = False

    tmp_ctx = tempfile.TemporaryDirectory(prefix="ytc_bench_")
    tmp = tmp_ctx.name
    src = snapshot_src(Path(tmp) / "src") if args.snapshot else REPO_SRC
    print("\n".join(machine_facts(input_dir, src)))
    print(
        "note    : 2-core noisy machines; compare ratios within one run, not absolute "
        "seconds. No Prefect."
    )
    if args.approach != "naive":
        call = "".join(f", {k}={v!r}" for k, v in kwargs.items())
        print(f"ytclaims: ingest([input], db{call})")
    print()
    approaches = ["ytclaims", "naive"] if args.approach == "both" else [args.approach]
    cols: dict[str, list[Outcome]] = {a: [] for a in approaches}
    if "ytclaims" in approaches:
        cols["ytclaims no-op re-run"] = []
    failures: list[Outcome] = []
    with tmp_ctx:
        for run in range(args.runs):
            for approach in approaches:
                db = Path(tmp) / f"{approach}_{run}.duckdb"
                print(f"run {run + 1}/{args.runs}: {approach} ...", file=sys.stderr, flush=True)
                out = run_child(approach, input_dir, db, timeout, kwargs, src=src)
                (cols[approach] if out.result else failures).append(out)
                if approach == "ytclaims" and out.result:
                    print(
                        f"run {run + 1}/{args.runs}: ytclaims no-op re-run ...",
                        file=sys.stderr,
                        flush=True,
                    )
                    again = run_child("ytclaims", input_dir, db, timeout, kwargs, src=src)
                    again.mode = "ytclaims no-op re-run"
                    (cols[again.mode] if again.result else failures).append(again)
                for p in Path(tmp).glob(f"{approach}_{run}.duckdb*"):
                    p.unlink()
        if args.profile is not None:
            print("profiling: ytclaims under cProfile ...", file=sys.stderr, flush=True)
            prof_out = run_child(
                "ytclaims",
                input_dir,
                Path(tmp) / "profile.duckdb",
                timeout,
                kwargs,
                profile=args.profile.resolve(),
                src=src,
            )
            if prof_out.result is None:
                failures.append(prof_out)

    shown = {k: v for k, v in cols.items() if v}
    both = "ytclaims" in shown and "naive" in shown
    if shown:
        print_table(shown, ("ytclaims", "naive") if both else None)
    for name, outs in shown.items():
        if len(outs) > 1:
            walls = ", ".join(f"{o.result['wall_s']:.2f}" for o in outs if o.result)
            print(f"{name}: wall per run (s): {walls}")
    for f in failures:
        print(f"\n{f.mode}: FAILED ({f.error}) after {f.process_s:.0f} s")
        if f.progress:
            p = f.progress
            frac = p["done"] / p["total"] if p["total"] else 0
            est = p["elapsed"] / frac if frac else float("nan")
            print(
                f"  got to {p['done']:,}/{p['total']:,} files ({frac:.0%}), {p['rows']:,} rows, "
                f"peak RSS {p['maxrss_kb'] / 1024:,.0f} MB (whole tree "
                f"{f.peak_tree_kb / 1024:,.0f} MB) at {p['elapsed']:.0f} s; "
                f"linear estimate for all: {est:,.0f} s"
            )
    print(f"\nload average at end: {_loadavg()}")
    if args.profile is not None and args.profile.exists():
        print_profile(args.profile, args.top)
    return 1 if failures and not shown else 0


if __name__ == "__main__":
    sys.exit(main())
