"""Auto-caption-style files made from human captions read back as YouTube's own do.

The generator (ytclaims.sources.autocaptions) is how segmentation of unpunctuated
captions is trained and scored, so what it writes must go through the real readers
and come out as the same words at the same seconds, without case or punctuation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ytclaims.sources.autocaptions import (
    LINE_CHARS,
    AsrWord,
    asr_text,
    asr_words,
    to_json3,
    to_vtt,
)
from ytclaims.sources.captions import Word, read_caption_file

WORDS = [
    Word(1.0, 1.3, "In"),
    Word(1.3, 1.5, "1972,"),
    Word(1.5, 1.9, "Euler's"),
    Word(1.9, 2.4, "formula—"),
    Word(2.4, 2.6, "—"),
    Word(2.6, 3.1, "V−E+F=2—held."),
    Word(5.0, 5.4, "Don't"),
    Word(5.4, 5.8, "pause,"),
    Word(5.8, 6.2, "it's"),
    Word(6.2, 6.6, "3.14%"),
    Word(6.6, 7.0, "(roughly)!"),
]
SENTENCES = [["In 1972, Euler's formula—V−E+F=2—held.", 1.0, 3.1], ["Don't ...", 5.0, 7.0]]


def test_asr_text_drops_case_and_edge_punctuation_only() -> None:
    assert asr_text("Euler's,") == "euler's"
    assert asr_text("(roughly)!") == "roughly"
    assert asr_text("3.14%") == "3.14%"
    assert asr_text("$5,") == "$5"
    assert asr_text("x-axis.") == "x-axis"
    assert asr_text("—") == ""
    assert asr_text("Nvidia", lowercase=False) == "Nvidia"


def test_asr_words_keep_times_and_author_sentences() -> None:
    got = asr_words(WORDS, SENTENCES)
    assert [w.text for w in got] == [
        "in",
        "1972",
        "euler's",
        "formula",
        "v−e+f=2—held",
        "don't",
        "pause",
        "it's",
        "3.14%",
        "roughly",
    ]
    assert [w.sentence for w in got] == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    assert got[4].start == 2.6  # the dash-only word is gone, the next keeps its own time
    outside = asr_words([Word(9.0, 9.5, "later")], SENTENCES)
    assert outside == [AsrWord("later", 9.0, -1)]


def _many(n: int) -> list[AsrWord]:
    return [
        AsrWord(f"word{i % 7}", round(10 + 0.3 * i + (2.0 if i >= 17 else 0), 3), 0)
        for i in range(n)
    ]


@pytest.mark.parametrize("fmt", ["vtt", "json3"])
def test_generated_file_reads_back_as_the_same_timed_words(tmp_path: Path, fmt: str) -> None:
    words = _many(40)
    make = to_vtt if fmt == "vtt" else to_json3
    path = tmp_path / f"aB3dE_fG7hK.en.{fmt}"
    path.write_text(make(words, seed=3), "utf-8")
    track = read_caption_file(path)
    assert not track.problems
    assert track.kind == "generated"
    assert track.video_id == "aB3dE_fG7hK"
    assert [(w.text, w.start) for w in track.words] == [(w.text, w.start) for w in words]
    # Rolling windows are undone: each word once across the cues, in order.
    assert " ".join(c.text for c in track.cues if c.text).split() == [w.text for w in words]


def test_vtt_is_a_two_line_rolling_window_with_inline_times() -> None:
    text = to_vtt(_many(40), seed=1)
    assert text.startswith("WEBVTT\nKind: captions\nLanguage: en\n")
    cues = text.split("\n\n")[1:]
    timed = [c for c in cues if "<c>" in c]
    assert len(timed) >= 3
    previous = None
    for cue in timed:
        lines = cue.split("\n")
        assert "align:start position:0%" in lines[0]
        top, bottom = lines[1], lines[2]
        # The top line repeats the line shown before (blank for the first one).
        assert top == (" " if previous is None else previous)
        plain = re.sub(r"<[^>]*>", "", bottom)
        assert len(plain) <= LINE_CHARS[1]
        previous = plain
    shown = [
        re.sub(r"<[^>]*>", "", line)
        for line in text.split("\n")[3:]
        if line.strip() and "-->" not in line
    ]
    assert shown and not any(re.search(r"[A-Z.,!?]", line) for line in shown)


def test_lines_break_before_a_long_pause() -> None:
    words = _many(30)  # word 17 comes 2 s after word 16
    events = json.loads(to_json3(words))["events"]
    firsts = [e["segs"][0]["utf8"] for e in events if "segs" in e and e["segs"][0]["utf8"] != "\n"]
    starts = [e["tStartMs"] for e in events if "segs" in e and e["segs"][0]["utf8"] != "\n"]
    assert round(words[17].start * 1000) in starts
    assert len(firsts) == len(starts)


def test_json3_has_window_lines_and_append_events() -> None:
    data = json.loads(to_json3(_many(40), seed=2))
    events = data["events"]
    assert "segs" not in events[0] and events[0]["id"] == 1
    lines = [e for e in events[1:] if not e.get("aAppend")]
    appends = [e for e in events[1:] if e.get("aAppend")]
    assert len(appends) == len(lines) - 1
    for e in lines:
        assert all("acAsrConf" in s for s in e["segs"])
        assert "tOffsetMs" not in e["segs"][0]
        assert all(s["tOffsetMs"] >= 0 for s in e["segs"][1:])
