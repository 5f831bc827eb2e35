"""Fuzz: generated and mutated notes and caption files, in every format, never break a run.

Hypothesis builds notes (front matter from plain to hostile: YAML numbers, aliases, deep
nesting, unclosed; bodies from Markdown, HTML and anchor fragments, canonical and
damaged, with hostile times) and caption files (SRT, WebVTT, json3, srv1,
youtube-transcript-api lists and cache files, from cues with hostile times and text),
encodes them (UTF-8, with BOM, UTF-16/32, Latin-1), then mutates their bytes (flips,
insertions, deletions, truncation, repeats). Each batch goes through
``worker.parse_batch`` (tagged) beside good sibling files, and a few folders through a
small ``ytclaims ingest``. Every run must: raise nothing, record no "Unexpected ..."
(a bug) or ``tagging`` row, and load the good siblings completely; an ingest must exit 0,
and a re-run must change nothing.

CI runs a fixed seed (``derandomize``) in about a minute. A longer, random run, for use
before a release or after touching a parser::

    YTCLAIMS_FUZZ=long .venv/bin/python -m pytest tests/test_fuzz.py -p no:cacheprovider

(``YTCLAIMS_FUZZ_EXAMPLES=N`` sets the number of batches, and a thirtieth as many ingests;
CI runs 400 and 13, the long run 20,000 and 666: about 20 minutes on two cores). A
failure prints the smallest input Hypothesis found, ready to paste into a test.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from helpers import ro
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ytclaims.cli import app
from ytclaims.worker import parse_batch

pytestmark = pytest.mark.fuzz

LONG = os.environ.get("YTCLAIMS_FUZZ") == "long"
BATCHES = int(os.environ.get("YTCLAIMS_FUZZ_EXAMPLES", 20_000 if LONG else 400))
INGESTS = max(3, BATCHES // 30)


def fuzz_settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        derandomize=not LONG,  # CI: the same examples on every run
        deadline=None,  # timing varies with the machine's load; hangs are caught below
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )


CANON = '<a class="yt-timestamp" data-t="{t}">[{t}]</a>'

# --- notes --------------------------------------------------------------------------------

TIMES = st.one_of(
    st.sampled_from(
        [
            "00:08:13",
            "08:13",
            "493",
            "00:08:13:12",
            "03:14:622",
            "01:47:73",
            "08:13:00",
            "N/A",
            "",
            " ",
            "3000000000",
            "9" * 400,
            "1e9",
            "-5",
            "00:61:00",
            "99:99:99",
            "1:2:3:4:5",
            "0x10",
            "٣:٠٥",
            "00:00:01]",
            "[00:01]",
            "nan",
            "inf",
        ]
    ),
    st.text(max_size=12),
)


@st.composite
def anchors(draw: st.DrawFn) -> str:
    t = draw(TIMES).replace('"', "")
    forms = [
        CANON.format(t=t),
        f'<a class="yt-timestamp" data-t="{t}">[{t}]',  # unclosed
        f'<a class="yt="yt-timestamp" data-t="{t}">[{t}]</a>',
        f'<a class="yt-timestamp" data="{t}">[{t}]</a>',
        f'<a class="yt-timestamp" data-timestamp="{t}">{t}</a>',
        f'<A CLASS="yt-timestamp" DATA-T="{t}">[{t}]</A>',
        f"<a class=yt-timestamp data-t={t}>[{t}]</a>",
        f'<a class="yt-timestamp" data-t="{t}]-[{t}]</a>',  # '<' inside the tag
        f'<a class class="yt-timestamp" data-t="{t}">',
        f'<a href="x" class="yt" data-t="{t}">{t}',
    ]
    return draw(st.sampled_from(forms))


MARKUP = st.sampled_from(
    [
        "**",
        "*",
        "_",
        "__",
        "`",
        "```",
        "```\n",
        "~~",
        "~~~",
        "[[",
        "]]",
        "[[a|b]]",
        "|",
        "| a | b |\n",
        "|---|---|\n",
        "[",
        "]",
        "](",
        "(",
        ")",
        "![",
        "![a](b)",
        '[a](b "t")',
        "<!--",
        "-->",
        "<",
        ">",
        "&",
        "&amp;",
        "&#x",
        "&#0;",
        "# ",
        "\n# ",
        "\n###### h ##\n",
        "- ",
        "\n- ",
        "\n  * ",
        "\n1. ",
        "> ",
        "\n\n",
        "\n",
        "---",
        "\nFrom: [[chan]]\n",
        "<b>",
        "</b>",
        "<br>",
        "<br/>",
        "<script>",
        "</script>",
        "<style>",
        "<![CDATA[",
        "<?x?>",
        "<a ",
        "<a>",
        "</a>",
        "<a href='x'>",
        "\t",
        "\r",
        "\r\n",
        "\x00",
        "\ufeff",
        "\u2028",
        "**Lead**: ",
        "__Lead__:",
        " [00:19:00](",
        ".",
        "!",
        "?",
        "x" * 300,
        " " * 200,
    ]
)
WORDS = st.sampled_from(
    ["Inference", "costs", "fell", "10x", "$1.2 trillion", "OpenAI", "GPU", "models", "agents"]
)
BODY = st.lists(
    st.one_of(MARKUP, anchors(), WORDS.map(lambda w: w + " "), st.text(max_size=20)),
    max_size=60,
).map("".join)

VIDEO_IDS = st.one_of(
    st.sampled_from(["fuzzVideo01", "0x1234567ab", "12345678901", "dQw4w9WgXcQ"]),
    st.sampled_from(["", "~", "null", "yes", "1e10", "'quoted'", '"q"', "[a, b]", "{a: b}"]),
    st.text(max_size=14),
)
TITLES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["12:30", "yes", "2024-13-45", "[*a]", "&a x", "!!python/object:os.system"]),
)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["plain", "none", "unclosed", "alias", "deep", "junk", "dup"]))
    title, vid = draw(TITLES), draw(VIDEO_IDS)
    plain = f"---\ntitle: {title}\nvideoId: {vid}\n---\n"
    if kind == "plain":
        return plain
    if kind == "none":
        return ""
    if kind == "unclosed":
        return f"---\ntitle: {title}\nvideoId: {vid}\n"
    if kind == "alias":
        n = draw(st.integers(1, 9))
        lines = ['l0: &l0 ["lol","lol","lol"]'] + [
            f"l{i}: &l{i} [*l{i - 1},*l{i - 1},*l{i - 1}]" for i in range(1, n)
        ]
        return "---\n" + "\n".join(lines) + f"\ntitle: *l{n - 1}\nvideoId: {vid}\n---\n"
    if kind == "deep":
        d = draw(st.integers(1, 1500))
        return f"---\nvideoId: {vid}\nx: {'[' * d}{']' * d}\n---\n"
    if kind == "dup":
        return f"---\nvideoId: {vid}\nvideoId: fuzzVideo02\ntitle: {title}\n---\n"
    return "---\n" + draw(st.text(max_size=80)) + "\n---\n"


ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1"])


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few byte-level edits: what a disk, a download or an editor does."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "repeat"]))
        i = draw(st.integers(0, len(buf))) if buf else 0
        if op == "flip" and i < len(buf):
            buf[i] = draw(st.integers(0, 255))
        elif op == "insert":
            buf[i:i] = draw(st.binary(max_size=8))
        elif op == "delete":
            del buf[i : i + draw(st.integers(1, 16))]
        elif op == "truncate":
            del buf[i:]
        elif op == "repeat":
            buf[i:i] = bytes(buf[i : i + draw(st.integers(1, 64))]) * draw(st.integers(1, 50))
    return bytes(buf)


@st.composite
def note_files(draw: st.DrawFn) -> tuple[str, bytes]:
    text = draw(front_matter()) + draw(BODY)
    data = text.encode(draw(ENCODINGS), errors="replace")
    if draw(st.booleans()):
        data = draw(mutated(data))
    name = draw(st.sampled_from(["n.md", "fuzz.md", "fuzz.markdown", "chan.md"]))
    return name, data


# --- caption files ----------------------------------------------------------------------------

STARTS = st.one_of(
    st.floats(0, 10_000, allow_nan=False),
    st.sampled_from([0.0, 3e9, 1e300, -1.0, 2**31, 3_600_000.0, 3_600_001.0]),
)
CUE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "The market grew 40 percent in 2024.",
            "a --> b",
            "<i>x</i>",
            "{\\an8}y",
            "<<<<",
            "<00:00:01.500><c> w</c>",
            "&amp; &lt;",
            "",
            "\n",
            "-->",
            "1",
            "WEBVTT",
        ]
    ),
)
CUES = st.lists(st.tuples(STARTS, st.floats(0, 100, allow_nan=False), CUE_TEXT), max_size=12)


def _ts(seconds: float, sep: str) -> str:
    s = max(0.0, min(seconds, 1e7))
    h, rem = divmod(int(s), 3600)
    m, sec = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{sec:02d}{sep}{int((s % 1) * 1000):03d}"


def render(fmt: str, cues: list[tuple[float, float, str]]) -> str:
    if fmt == "srt":
        return "".join(
            f"{i}\n{_ts(a, ',')} --> {_ts(a + d, ',')}\n{t}\n\n"
            for i, (a, d, t) in enumerate(cues, 1)
        )
    if fmt == "vtt":
        return "WEBVTT\n\n" + "".join(
            f"{_ts(a, '.')} --> {_ts(a + d, '.')}\n{t}\n\n" for a, d, t in cues
        )
    if fmt == "json3":
        events = [
            {"tStartMs": a * 1000, "dDurationMs": d * 1000, "segs": [{"utf8": t}]}
            for a, d, t in cues
        ]
        return json.dumps({"events": events})
    if fmt == "srv1":
        body = "".join(
            f'<text start="{a}" dur="{d}">{t.replace("&", "&amp;").replace("<", "&lt;")}</text>'
            for a, d, t in cues
        )
        return f"<transcript>{body}</transcript>"
    snippets = [{"text": t, "start": a, "duration": d} for a, d, t in cues]
    if fmt == "yta_cache":
        return json.dumps({"video_id": "fuzzVideo01", "language_code": "en", "snippets": snippets})
    return json.dumps(snippets)


EXT = {"srt": "srt", "vtt": "vtt", "json3": "json3", "srv1": "srv1", "yta": "json"}


@st.composite
def caption_files(draw: st.DrawFn) -> tuple[str, bytes]:
    fmt = draw(st.sampled_from(["srt", "vtt", "json3", "srv1", "yta", "yta_cache"]))
    text = render(fmt, draw(CUES))
    if draw(st.booleans()):  # hostile JSON numbers and raw garbage
        text = text.replace("1000", draw(st.sampled_from(["9" * 5000, "1e999", "NaN", "-0"])), 1)
    data = text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])), errors="replace")
    if draw(st.booleans()):
        data = draw(mutated(data))
    vid = draw(st.sampled_from(["fuzzVideo01", "fuzzVideo02", "transcripts", "x"]))
    ext = EXT.get(fmt, "json")
    name = draw(st.sampled_from([f"{vid}.en.{ext}", f"Title [{vid}].{ext}", f"{vid}.{ext}"]))
    return name, data


# --- the good siblings -----------------------------------------------------------------------

GOOD_NOTE = (
    "---\ntitle: Good\nvideoId: goodVideo01\n---\n\nFrom: [[goodchan]]\n\n"
    f"Inference costs fell tenfold {CANON.format(t='00:01:02')}.\n\n"
    f"Open models caught up {CANON.format(t='00:02:03')}.\n"
)
GOOD_SRT = "1\n00:00:01,000 --> 00:00:04,000\nThe market for GPUs grew 40 percent in 2024.\n"


def write_batch(root: Path, files: list[tuple[str, bytes]]) -> tuple[list[Path], Path, Path]:
    paths = []
    for i, (name, data) in enumerate(files):
        folder = root / f"f{i}"
        folder.mkdir()
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    good = root / "goodchan" / "good.md"
    good.parent.mkdir()
    good.write_text(GOOD_NOTE, encoding="utf-8")
    good_caps = root / "goodCaps001" / "captions.srt"
    good_caps.parent.mkdir()
    good_caps.write_text(GOOD_SRT, encoding="utf-8")
    return paths, good, good_caps


def assert_clean(problems: list[dict[str, object]]) -> None:
    bad = [
        p
        for p in problems
        if str(p["message"]).startswith("Unexpected") or p["error_kind"] == "tagging"
    ]
    assert not bad, bad


FILES = st.lists(st.one_of(note_files(), caption_files()), min_size=1, max_size=6)


@pytest.mark.timeout(900)
@fuzz_settings(BATCHES)
@given(files=FILES)
def test_parse_batch_never_fails_and_keeps_good_siblings(files: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as d:
        paths, good, good_caps = write_batch(Path(d), files)
        out = parse_batch([*paths, good, good_caps], tag=True)
        assert_clean(out.problems)
        sources = {r["source_path"]: r for r in out.tables["sources"].to_pylist()}
        assert sources[str(good)]["n_anchors"] == 2
        assert sources[str(good_caps)]["video_id"] == "goodCaps001"
        assert not [p for p in out.problems if p["source_path"] in (str(good), str(good_caps))]


@pytest.mark.timeout(900)
@fuzz_settings(INGESTS)
@given(files=FILES)
def test_small_cli_ingest_loads_good_files_and_reruns_change_nothing(
    files: list[tuple[str, bytes]],
) -> None:
    with tempfile.TemporaryDirectory() as d:
        root = Path(d) / "in"
        root.mkdir()
        _, good, good_caps = write_batch(root, files)
        db = Path(d) / "w.duckdb"
        args = ["ingest", str(root), "--db", str(db), "--no-prefect", "--no-tag", "--show", "0"]
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 0, r.output
        with ro(db) as con:
            msgs = con.execute("SELECT error_kind, message FROM ingest_errors").fetchall()
            loaded = dict(con.execute("SELECT source_path, n_anchors FROM sources").fetchall())
            before = (
                con.execute("SELECT source_id, content_hash FROM sources ORDER BY 1").fetchall(),
                con.execute("SELECT error_id FROM ingest_errors ORDER BY 1").fetchall(),
            )
        assert_clean([{"error_kind": k, "message": m} for k, m in msgs])
        assert loaded[str(good)] == 2 and str(good_caps) in loaded
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 0, r.output
        with ro(db) as con:
            after = (
                con.execute("SELECT source_id, content_hash FROM sources ORDER BY 1").fetchall(),
                con.execute("SELECT error_id FROM ingest_errors ORDER BY 1").fetchall(),
            )
        assert after == before


# --- the linear scanners find what the old regexes found -----------------------------------

OLD_ANCHOR_START_RE = r"<a\b[^>]*?\bclass\s*=\s*[\"']?yt[^>]*>"
OLD_ANCHOR_ELEMENT_RE = r"<a\b[^>]*>.*?</a>"
OLD_HEADING_RE = r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$"
TAGGY = st.text(alphabet="<a>/ Aclas=yt\"'x\n", max_size=80)


@fuzz_settings(500)
@given(text=TAGGY)
def test_anchor_tags_match_the_regex_they_replace(text: str) -> None:
    import re

    from ytclaims.claims.anchors import anchor_tags, strip_anchor_elements

    want = [(m.start(), m.end()) for m in re.finditer(OLD_ANCHOR_START_RE, text, re.IGNORECASE)]
    assert list(anchor_tags(text)) == want
    old = re.sub(OLD_ANCHOR_ELEMENT_RE, "", text, flags=re.DOTALL | re.IGNORECASE)
    assert strip_anchor_elements(text) == old


@fuzz_settings(500)
@given(line=st.text(alphabet="# \tab", max_size=30))
def test_heading_text_matches_the_regex_it_replaces(line: str) -> None:
    import re

    from ytclaims.claims.extract import _HEADING_RE, _heading_body

    old = re.match(OLD_HEADING_RE, line)
    new = _HEADING_RE.match(line)
    assert (old is None) == (new is None)
    if old and new:
        assert _heading_body(new.group(2)) == old.group(2)
