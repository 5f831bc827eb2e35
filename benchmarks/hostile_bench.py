"""Hostile-input benchmark: each case of issue 15, ytclaims now beside the code before it.

    python benchmarks/hostile_bench.py [--baseline-src DIR] [--timeout 120] [--only NAME ...]
        [--tag]

Each case is a folder holding one hostile file and one good note, ingested with
``ytclaims.pipeline.ingest`` (no Prefect, one worker, untagged unless the case is about
tagging) into a fresh warehouse, in a fresh process. The table shows, per case: the
outcome (``ok`` = the run finished and the good note is loaded), wall time, and the peak
RSS of the process (``ru_maxrss``; the ingest runs in that process).

``--baseline-src DIR`` runs the same cases against another source tree (``DIR/src`` on
``PYTHONPATH``), e.g. the commit before issue 15 exported with
``git archive 544c1ce | tar -x -C /tmp/base``: the straightforward code the issue
measured. A baseline run longer than ``--timeout`` seconds is stopped and reported as
such; so is one over ``--max-rss`` (its address space is limited, so a memory blow-up
fails instead of swapping the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

CANON = '<a class="yt-timestamp" data-t="{t}">[{t}]</a>'
GOOD = (
    "---\ntitle: Good\nvideoId: goodVideo01\n---\n\nFrom: [[bench]]\n\n"
    f"Inference costs fell tenfold {CANON.format(t='00:01:02')}.\n"
)


def note(vid: str, body: str, front: str = "") -> str:
    return f"---\n{front or 'title: t'}\nvideoId: {vid}\n---\n\n{body}\n"


def _bomb(levels: int) -> str:
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + f"\ntitle: [{','.join([f'*l{levels - 1}'] * 9)}]"


def make_case(name: str, folder: Path) -> bool:
    """Write case ``name`` into ``folder``; True if the run should tag."""
    (folder / "good.md").write_text(GOOD)
    w = folder.joinpath
    if name == "alias_bomb_469B":
        w("bomb.md").write_text(note("bombNote001", f"x {CANON.format(t='0:05')}", _bomb(6)))
    elif name == "alias_bomb_9_levels":
        w("bomb.md").write_text(note("bombNote001", f"x {CANON.format(t='0:05')}", _bomb(9)))
    elif name == "a_tags_x20000":
        # No '>' in the paragraph (the case): each '<a' scanned to its end.
        w("a.md").write_text(note("aTagsNote01", "<a " * 20_000 + "\n\n" + CANON.format(t="0:05")))
    elif name == "anchors_100000_one_paragraph":
        body = " ".join(f"Claim {i} {CANON.format(t=f'0:{i % 60:02d}')}." for i in range(100_000))
        w("many.md").write_text(note("manyAnchors", body))
    elif name == "srv1_text_x8000":
        w("srv1Broken1.en.srv1").write_text("<transcript>" + "<text>" * 8000)
    elif name == "srv1_140kB":
        w("srv1Broken1.en.srv1").write_text("<transcript>" + "<text>" * 23_500)
    elif name == "claim_1_25M_chars_tagged":
        w("long.md").write_text(note("longClaim01", "word " * 250_000 + CANON.format(t="0:05")))
        return True
    elif name == "data_t_3e9_and_400_digits":
        body = f"a {CANON.format(t='3000000000')}. b {CANON.format(t='9' * 400)}."
        w("big.md").write_text(note("bigDataT001", body))
    elif name == "json3_5000_digit_int":
        w("digitJson31.en.json3").write_text(
            '{"events": [{"tStartMs": ' + "9" * 5000 + ', "segs": [{"utf8": "x"}]}]}'
        )
    elif name == "fifo_named_x_md":
        os.mkfifo(folder / "x.md")
    elif name == "zero_md_to_dev_zero":
        (folder / "zero.md").symlink_to("/dev/zero")
    elif name == "socket_named_s_vtt":
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(folder / "s.vtt"))  # left bound: the file stays a socket
    elif name == "latin1_file_name":
        (folder / os.fsdecode("café.md".encode("latin-1"))).write_text(GOOD)
    elif name == "utf16_note":
        w("u16.md").write_bytes(
            note("utf16Note01", f"x {CANON.format(t='0:05')}.").encode("utf-16")
        )
    else:
        raise SystemExit(f"unknown case {name}")
    return False


CASES = [
    "alias_bomb_469B",
    "alias_bomb_9_levels",
    "a_tags_x20000",
    "anchors_100000_one_paragraph",
    "srv1_text_x8000",
    "srv1_140kB",
    "claim_1_25M_chars_tagged",
    "data_t_3e9_and_400_digits",
    "json3_5000_digit_int",
    "fifo_named_x_md",
    "zero_md_to_dev_zero",
    "socket_named_s_vtt",
    "latin1_file_name",
    "utf16_note",
]

CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    import duckdb
    from ytclaims.pipeline import ingest
    folder, db, tag = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    t = time.perf_counter()
    try:
        ingest([folder], db, tag=tag, workers=1)
        con = duckdb.connect(db, read_only=True)
        good = con.execute(
            "SELECT count(*) FROM citations WHERE video_id = 'goodVideo01'").fetchone()[0]
        outcome = "ok" if good == 1 else "good note lost"
    except BaseException as exc:
        outcome = f"failed: {type(exc).__name__}"
    print(json.dumps({"outcome": outcome, "wall": time.perf_counter() - t,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    """
)


def run_case(
    name: str, src: Path | None, timeout: float, max_rss_gb: float, tag_all: bool = False
) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / "bench"
        folder.mkdir()
        tag = make_case(name, folder) or tag_all
        env = dict(os.environ)
        if src is not None:
            env["PYTHONPATH"] = str(src / "src")
        limit = int(max_rss_gb * 2**30)

        def cap() -> None:  # a blow-up fails in the child instead of swapping the machine
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))

        t = time.perf_counter()
        try:
            proc = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    CHILD,
                    str(folder),
                    str(Path(d) / "w.duckdb"),
                    str(int(tag)),
                ],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
                preexec_fn=cap,
            )
        except subprocess.TimeoutExpired:
            return {"outcome": f"stopped after {timeout:g} s", "wall": None, "rss_mb": None}
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if not lines:
            tail = (proc.stderr.strip().splitlines() or ["?"])[-1][:60]
            return {"outcome": f"crashed: {tail}", "wall": time.perf_counter() - t, "rss_mb": None}
        return json.loads(lines[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline-src", type=Path, help="another source tree to compare with")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per baseline run")
    ap.add_argument("--max-rss", type=float, default=4.0, help="GB of heap per run")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument(
        "--tag", action="store_true", help="tag every case (default: only those about tagging)"
    )
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    header = f"{'case':32} {'ytclaims':>34}"
    if args.baseline_src:
        header += f" {'baseline (' + args.baseline_src.name + ')':>40}"
    print(header)
    for name in args.only or CASES:
        now = run_case(name, None, max(args.timeout, 600), args.max_rss, args.tag)
        row = f"{name:32} {_fmt(now):>34}"
        if args.baseline_src:
            base = run_case(name, args.baseline_src, args.timeout, args.max_rss, args.tag)
            row += f" {_fmt(base):>40}"
        print(row, flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


def _fmt(r: dict[str, object]) -> str:
    wall = f"{r['wall']:.1f} s" if r.get("wall") is not None else "-"
    rss = f"{r['rss_mb']:.0f} MB" if r.get("rss_mb") is not None else "-"
    return f"{r['outcome']}, {wall}, {rss}"


if __name__ == "__main__":
    main()
