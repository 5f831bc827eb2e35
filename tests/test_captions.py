"""Caption files -> cues: every supported format, malformed files, video ids, shared corpus.

Expected values are written by hand from the fixture files (tests/fixtures/captions) or
read from the shared SRT files with a parser written here, independent of ytclaims.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import CAPTIONS, shared_params

from ytclaims import errors
from ytclaims.sources.captions import (
    CaptionTrack,
    read_caption_file,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "captions"


def kinds(track: CaptionTrack) -> list[str]:
    return [p.kind for p in track.problems]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- each format ---------------------------------------------------------------------


def test_srt_fixture() -> None:
    track = read_caption_file(FIXTURES / "SrtFixture1.en.srt")
    assert track.problems == []
    assert (track.format, track.video_id, track.language, track.kind) == (
        "srt",
        "SrtFixture1",
        "en",
        "unknown",
    )
    assert [(c.start, c.duration) for c in track.cues] == [
        (1.0, 2.5),
        (3.5, 2.5),
        (6.0, 1.0),
        (8.0, 2.25),
    ]
    assert [c.text for c in track.cues] == [
        "Welcome back. Today we look at",  # <i> tags removed
        "how Dr. Smith measured a speed of 3.5 metres per second.",  # two lines joined
        "",  # a numbered block without text is kept, empty
        "Is that fast? It is faster than most people walk, e.g. on a hike.",
    ]
    assert track.words is None
    assert len(track.content_hash) == 32


def test_srt_crlf_bom_and_utf16(tmp_path: Path) -> None:
    text = (
        "1\r\n00:00:01,000 --> 00:00:02,000\r\nÉcole\r\n\r\n"
        "2\r\n00:00:02,500 --> 00:00:03,000\r\nfin\r\n"
    )
    for name, data in (
        ("AAAAAAAAAA1.fr.srt", b"\xef\xbb\xbf" + text.encode("utf-8")),
        ("AAAAAAAAAA2.fr.srt", text.encode("utf-16")),  # BOM + NUL bytes: still text
    ):
        track = read_caption_file(write(tmp_path, name, data))
        assert track.problems == [], name
        assert [(c.start, c.text) for c in track.cues] == [(1.0, "École"), (2.5, "fin")], name


def test_srt_without_numbers_or_blank_line_before_first(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "BBBBBBBBBBB.srt",
        "\n\n00:00:01,000 --> 00:00:02,000\nfirst\n\n00:00:03,000 --> 00:00:04,000\nsecond\n",
    )
    track = read_caption_file(path)
    assert track.problems == []
    assert [(c.start, c.text) for c in track.cues] == [(1.0, "first"), (3.0, "second")]


def test_youtube_rolling_vtt_is_deduplicated_and_word_timed() -> None:
    path = FIXTURES / "VttAutoCap1.en.vtt"
    track = read_caption_file(path)
    assert track.problems == []
    assert (track.format, track.kind, track.video_id, track.language) == (
        "vtt",
        "generated",
        "VttAutoCap1",
        "en",
    )
    timing_lines = sum("-->" in line for line in path.read_text().splitlines())
    assert len(track.cues) == timing_lines == 6
    spoken = "so today the price of eggs rose by 40 percent since 2020 and experts expect more"
    # Every word once: the repeated previous line of each rolling cue is gone.
    assert " ".join(c.text for c in track.cues if c.text) == spoken
    assert [c.text for c in track.cues[1::2]] == ["", "", ""]  # 10 ms repeat-only cues
    assert "<" not in "".join(c.text for c in track.cues)
    assert track.words is not None
    assert [w.text for w in track.words] == spoken.split()
    assert [w.start for w in track.words] == [
        0.0,
        0.48,
        0.96,
        1.28,
        1.76,
        2.0,  # fmt: skip
        3.0,
        3.4,
        3.6,
        4.0,
        4.4,
        4.8,  # fmt: skip
        7.6,
        8.0,
        8.4,
        8.8,  # fmt: skip
    ]
    # A word lasts until the next starts, at most one second: the pause stays visible.
    by_text = {w.text: w for w in track.words}
    assert by_text["2020"].end == pytest.approx(5.8)
    assert by_text["eggs"].end == pytest.approx(2.99)


def test_manual_vtt_keeps_repeats_tags_and_empty_cue() -> None:
    track = read_caption_file(FIXTURES / "VttManual01.vtt")
    assert track.problems == []
    assert (track.video_id, track.language, track.kind, track.words) == (
        "VttManual01",
        "fr",  # from the Language: header
        "unknown",
        None,
    )
    assert [c.text for c in track.cues] == [
        "Bonjour à tous.",
        "No.",
        "No.",  # not a rolling window: a repeated line is a repeated line
        "Paris has 2 million people in the city proper.",
        "",
    ]
    assert [c.start for c in track.cues] == [1.0, 2.0, 3.0, 4.5, 6.0]


def test_vtt_character_references_are_decoded(tmp_path: Path) -> None:
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<i>Tom &amp; Jerry</i> &lt;3 &gt; 2\n"
    track = read_caption_file(write(tmp_path, "TTTTTTTTTTT.en.vtt", text))
    assert [c.text for c in track.cues] == ["Tom & Jerry <3 > 2"]


def test_json3_skips_append_events_and_times_words() -> None:
    track = read_caption_file(FIXTURES / "Json3Track1.en.json3")
    assert track.problems == []
    assert (track.format, track.kind, track.video_id, track.language) == (
        "json3",
        "generated",
        "Json3Track1",
        "en",
    )
    data = json.loads((FIXTURES / "Json3Track1.en.json3").read_text())
    cue_events = [e for e in data["events"] if "segs" in e and not e.get("aAppend")]
    assert len(track.cues) == len(cue_events) == 4
    assert [c.text for c in track.cues] == [
        "the new chip is ten times faster",
        "than the old one",
        "",  # a newline-only event
        "according to Nvidia",
    ]
    assert [(c.start, c.duration) for c in track.cues] == [
        (0.4, 5.6),
        (3.0, 6.0),
        (6.0, 3.0),
        (6.5, 2.5),
    ]
    assert track.words is not None
    assert [(w.text, w.start) for w in track.words] == [
        ("the", 0.4),
        ("new", 0.72),
        ("chip", 1.04),
        ("is", 1.52),
        ("ten", 1.76),
        ("times", 2.0),
        ("faster", 2.32),
        ("than", 3.0),
        ("the", 3.24),
        ("old", 3.48),
        ("one", 3.8),
        ("according", 6.5),
        ("to", 6.9),
        ("Nvidia", 7.06),
    ]


def test_srv1_decodes_entities_twice_and_drops_tags() -> None:
    track = read_caption_file(FIXTURES / "Srv1Track01.en.srv1")
    assert track.problems == []
    assert (track.format, track.video_id) == ("srv1", "Srv1Track01")
    assert [c.text for c in track.cues] == [
        "Tom & Jerry's show",
        'costs <5 dollars "today"',
        "",
        "it's grey text",
    ]
    assert [(c.start, c.duration) for c in track.cues] == [
        (0.5, 2.1),
        (2.6, 3.4),
        (6.0, 1.5),
        (7.5, 2.0),
    ]


def test_srv1_as_xml_extension(tmp_path: Path) -> None:
    data = (FIXTURES / "Srv1Track01.en.srv1").read_bytes()
    track = read_caption_file(write(tmp_path, "Srv1Track01.en.xml", data))
    assert track.problems == []
    assert track.format == "srv1"
    assert len(track.cues) == 4


def test_yta_snippet_list() -> None:
    track = read_caption_file(FIXTURES / "YtaList0001.en.json")
    assert track.problems == []
    assert (track.format, track.kind, track.video_id, track.language) == (
        "yta_json",
        "unknown",
        "YtaList0001",
        "en",
    )
    assert [(c.start, c.duration, c.text) for c in track.cues] == [
        (0.0, 1.54, "Hello and welcome"),
        (1.54, 3.2, "the Moon is 384,400 kilometres away"),
        (5.0, 2.0, "[Music]"),
    ]


def test_yta_cache_wrapper_supplies_id_language_kind(tmp_path: Path) -> None:
    track = read_caption_file(FIXTURES / "YtaCache001.json")
    assert track.problems == []
    assert (track.format, track.kind, track.video_id, track.language) == (
        "yta_cache",
        "generated",
        "YtaCache001",
        "de",
    )
    assert [(c.start, c.text) for c in track.cues] == [(0.5, "Guten Tag"), (1.5, "zusammen")]

    manual = {
        "video_id": "dQw4w9WgXcQ",
        "language_code": "en",
        "is_generated": False,
        "snippets": [{"text": "Never gonna give you up", "start": 18.8, "duration": 2.4}],
    }
    track = read_caption_file(write(tmp_path, "cache/fetched.json", json.dumps(manual)))
    assert (track.video_id, track.kind, track.language) == ("dQw4w9WgXcQ", "manual", "en")
    assert track.problems == []


def test_word_timings_sidecar_nested_and_glued() -> None:
    track = read_caption_file(FIXTURES / "W0rdT1m1ngs" / "captions.srt")
    assert track.problems == []
    assert track.video_id == "W0rdT1m1ngs"  # from the folder
    assert track.words is not None
    # "pseudo" + "-hexagonal" (no leading space) are one word, as in the caption text.
    assert [w.text for w in track.words][:3] == ["The", "pseudo-hexagonal", "tiling"]
    glued = track.words[1]
    assert (glued.start, glued.end) == (0.7, 1.4)
    assert len(track.words) == 15


def test_sidecar_only_for_captions_named_file(tmp_path: Path) -> None:
    srt = (FIXTURES / "W0rdT1m1ngs" / "captions.srt").read_text()
    words = (FIXTURES / "W0rdT1m1ngs" / "word_timings.json").read_text()
    write(tmp_path, "CCCCCCCCCCC/word_timings.json", words)
    track = read_caption_file(write(tmp_path, "CCCCCCCCCCC/CCCCCCCCCCC.en.srt", srt))
    assert track.words is None


# --- format detection --------------------------------------------------------------------


def test_content_wins_over_extension(tmp_path: Path) -> None:
    srt = (FIXTURES / "SrtFixture1.en.srt").read_text()
    track = read_caption_file(write(tmp_path, "DDDDDDDDDDD.en.vtt", srt))
    assert track.format == "srt"
    assert len(track.cues) == 4
    assert kinds(track) == ["caption_format_mismatch"]
    assert track.problems[0].severity == "warning"
    assert track.fatal is None


def test_unknown_format(tmp_path: Path) -> None:
    track = read_caption_file(write(tmp_path, "EEEEEEEEEEE.txt", "Just some prose.\nNo cues.\n"))
    assert track.cues == []
    assert kinds(track) == ["caption_format"]
    assert track.fatal is not None and track.fatal.kind == "caption_format"


def test_word_timing_file_is_not_a_track(tmp_path: Path) -> None:
    path = write(tmp_path, "FFFFFFFFFFF/word_timings.json", '[[" hi", 0.0, 0.5]]')
    track = read_caption_file(path)
    assert track.cues == []
    assert "caption_format" in kinds(track)


# --- malformed files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("GGGGGGGGGGG.srt", b"", "empty_file"),
        ("GGGGGGGGGGG.vtt", b"  \n\n\t \r\n", "empty_file"),
        ("GGGGGGGGGGG.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary_file"),
        ("GGGGGGGGGGG.srt", b"Hello, this is not a caption file.\n", "malformed_captions"),
        ("GGGGGGGGGGG.vtt", b"WEBVTT\n\njust text, no cue\n", "malformed_captions"),
        ("GGGGGGGGGGG.vtt", b"garbage without any timing\n", "malformed_captions"),
        ("GGGGGGGGGGG.json", b'[{"text": "cut off", "start": 0.0, "dur', "malformed_captions"),
        ("GGGGGGGGGGG.json3", b'{"events": 5}', "malformed_captions"),
        ("GGGGGGGGGGG.json", b"[]", "malformed_captions"),
        ("GGGGGGGGGGG.json", b'{"title": "x"}', "caption_format"),
        ("GGGGGGGGGGG.srv1", b"<transcript><text start=", "malformed_captions"),
        (
            "GGGGGGGGGGG.xml",
            b"<timedtext><body><p t='0'>x</p></body></timedtext>",
            "caption_format",
        ),
    ],
)
def test_bad_file_is_an_error_not_an_exception(
    tmp_path: Path, name: str, content: bytes, kind: str
) -> None:
    track = read_caption_file(write(tmp_path, name, content))
    assert track.cues == []
    assert track.fatal is not None
    assert track.fatal.kind == kind
    assert track.fatal.severity == "error"
    assert isinstance(track.fatal, errors.SourceError)
    assert track.fatal.hint, "every problem says what to do"
    assert track.video_id == "GGGGGGGGGGG"  # still known, so the problem can be attributed


def test_vtt_without_header_is_read_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "GGGGGGGGGGG.vtt", "00:00:01.000 --> 00:00:02.000\nno header\n")
    track = read_caption_file(path)
    assert (track.format, [c.text for c in track.cues]) == ("vtt", ["no header"])
    assert kinds(track) == ["vtt_header"]
    assert track.fatal is None


def test_truncated_srt_keeps_good_cues(tmp_path: Path) -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nhello\n\n"
        "2\n00:00:02,500 --> 00:00:03,000\nthere\n\n"
        "3\n00:00:03,5"
    )
    track = read_caption_file(write(tmp_path, "HHHHHHHHHHH.srt", text))
    assert [c.text for c in track.cues] == ["hello", "there"]
    # "3\n00:00:03,5" has no '-->': a numbered block without timings, not text of cue 2.
    assert kinds(track) == ["malformed_cue"]
    assert "cue 3" in track.problems[0].message

    text += "00 --> 00:0"
    track = read_caption_file(write(tmp_path, "HHHHHHHHHHH.srt", text))
    assert [c.text for c in track.cues] == ["hello", "there"]
    assert kinds(track) == ["malformed_cue"]
    assert "cue 3" in track.problems[0].message
    assert track.fatal is None


def test_srt_bad_timestamp_block_is_skipped_and_named(tmp_path: Path) -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nfirst\n\n"
        "2\n00:00:02,000 --> 00:00:61,000\nbad seconds\n\n"
        "3\n00:00:0x,000 --> 00:00:04,000\nbad digits\n\n"
        "4\n00:00:05,000 --> 00:00:06,000\nlast\n"
    )
    track = read_caption_file(write(tmp_path, "IIIIIIIIIII.srt", text))
    assert [c.text for c in track.cues] == ["first", "last"]
    assert kinds(track) == ["malformed_cue"]
    message = track.problems[0].message
    assert "2 SRT block(s)" in message and "cue 2" in message and "cue 3" in message


def test_srt_block_missing_its_timing_line(tmp_path: Path) -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nfirst\n\n"
        "2\nlost timing\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\nthird\n\nsecond paragraph of third\n"
    )
    track = read_caption_file(write(tmp_path, "JJJJJJJJJJJ.srt", text))
    assert [c.text for c in track.cues] == ["first", "third second paragraph of third"]
    assert kinds(track) == ["malformed_cue"]
    assert "cue 2" in track.problems[0].message


def test_srt_cue_ending_before_start(tmp_path: Path) -> None:
    text = "1\n00:00:05,000 --> 00:00:04,000\nbackwards\n"
    track = read_caption_file(write(tmp_path, "KKKKKKKKKKK.srt", text))
    assert [(c.start, c.duration, c.text) for c in track.cues] == [(5.0, 0.0, "backwards")]
    assert kinds(track) == ["malformed_cue"]


def test_vtt_bad_timestamp_cue(tmp_path: Path) -> None:
    text = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nfine\n\n"
        "00:00:02.000 --> 00:00:0x.000\nbroken\n\n00:00:03.000 --> 00:00:04.000\nalso fine\n"
    )
    track = read_caption_file(write(tmp_path, "LLLLLLLLLLL.vtt", text))
    assert [c.text for c in track.cues] == ["fine", "also fine"]
    assert kinds(track) == ["malformed_cue"]
    assert "0x" in track.problems[0].message


def test_invalid_utf8_is_a_warning(tmp_path: Path) -> None:
    data = b"1\n00:00:01,000 --> 00:00:02,000\ncaf\xe9\n"
    track = read_caption_file(write(tmp_path, "MMMMMMMMMMM.srt", data))
    assert [c.text for c in track.cues] == ["caf\ufffd"]
    assert kinds(track) == ["encoding"]
    assert track.fatal is None


def test_yta_bad_snippets_skipped(tmp_path: Path) -> None:
    data = [
        {"text": "ok", "start": 1.0, "duration": 1.0},
        {"text": "no start"},
        {"text": "bad start", "start": "soon", "duration": 1.0},
        {"start": 3.0, "duration": 1.0},
        {"text": "negative", "start": -4.0},
        "not even a dict",
        {"text": "also ok", "start": 5.0},
    ]
    track = read_caption_file(write(tmp_path, "NNNNNNNNNNN.json", json.dumps(data)))
    assert [(c.start, c.duration, c.text) for c in track.cues] == [
        (1.0, 1.0, "ok"),
        (5.0, 0.0, "also ok"),
    ]
    assert kinds(track) == ["malformed_cue"]
    assert "5 snippet(s)" in track.problems[0].message


def test_truncated_srv1_recovers_complete_cues(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0" encoding="utf-8" ?><transcript>'
        '<text start="1" dur="2">one &amp;amp; two</text><text start="3" dur="1">three</text>'
        '<text start="4" d'
    )
    track = read_caption_file(write(tmp_path, "OOOOOOOOOOO.srv1", text))
    assert [(c.start, c.text) for c in track.cues] == [(1.0, "one & two"), (3.0, "three")]
    assert kinds(track) == ["malformed_cue"]


def test_srv1_with_entity_declarations_is_refused(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<transcript><text start="0" dur="1">&b;</text></transcript>'
    )
    track = read_caption_file(write(tmp_path, "PPPPPPPPPPP.srv1", bomb))
    assert track.cues == []
    assert track.fatal is not None and track.fatal.kind == "malformed_captions"


def test_json3_bad_event_skipped(tmp_path: Path) -> None:
    data = {
        "events": [
            {"tStartMs": 0, "dDurationMs": 1000, "segs": [{"utf8": "good"}]},
            {"tStartMs": "later", "segs": [{"utf8": "bad"}]},
            7,
            {"tStartMs": 2000, "dDurationMs": 500, "segs": [{"utf8": "also good"}]},
        ]
    }
    track = read_caption_file(write(tmp_path, "QQQQQQQQQQQ.json3", json.dumps(data)))
    assert [(c.start, c.text) for c in track.cues] == [(0.0, "good"), (2.0, "also good")]
    assert track.kind == "unknown"  # no word offsets: not evidently speech recognition
    assert track.words is None
    assert kinds(track) == ["malformed_cue"]


def test_missing_file_and_size_limit(tmp_path: Path) -> None:
    track = read_caption_file(tmp_path / "RRRRRRRRRRR.srt")
    assert kinds(track) == ["unreadable"]
    srt = (FIXTURES / "SrtFixture1.en.srt").read_bytes()
    track = read_caption_file(write(tmp_path, "RRRRRRRRRRR.srt", srt), max_bytes=10)
    assert kinds(track) == ["too_large"]
    assert track.cues == []


def test_broken_word_timings_fall_back(tmp_path: Path) -> None:
    srt = (FIXTURES / "W0rdT1m1ngs" / "captions.srt").read_text()
    write(tmp_path, "SSSSSSSSSSS/word_timings.json", '[[" The", 0.5, 0.7], [" pseudo"')
    track = read_caption_file(write(tmp_path, "SSSSSSSSSSS/captions.srt", srt))
    assert len(track.cues) == 2
    assert track.words is None
    assert kinds(track) == ["word_timings"]
    assert track.fatal is None

    items = '[[" a", 0.0, 0.2], [" b", "x", 1.0], [" c", 2.0, 1.0], {"word": " d", "start": 3}]'
    write(tmp_path, "SSSSSSSSSSS/word_timings.json", items)
    track = read_caption_file(tmp_path / "SSSSSSSSSSS" / "captions.srt")
    assert track.words is not None and [w.text for w in track.words] == ["a"]
    assert kinds(track) == ["word_timings"]
    assert "3 item(s)" in track.problems[0].message


# --- video id and language from names ---------------------------------------------------------

SRT_TEXT = "1\n00:00:01,000 --> 00:00:02,000\nhello\n"


@pytest.mark.parametrize(
    ("relpath", "video_id", "language"),
    [
        ("dQw4w9WgXcQ.en.vtt", "dQw4w9WgXcQ", "en"),
        ("dQw4w9WgXcQ.vtt", "dQw4w9WgXcQ", None),
        ("dQw4w9WgXcQ.pt-BR.srt", "dQw4w9WgXcQ", "pt-BR"),
        ("Never Gonna Give You Up [dQw4w9WgXcQ].en.vtt", "dQw4w9WgXcQ", "en"),
        ("dQw4w9WgXcQ/captions.srt", "dQw4w9WgXcQ", None),
        ("a-_B0c1D2e3/captions.en.srt", "a-_B0c1D2e3", None),
        ("notes/transcripts.srt", None, None),  # an 11-letter word is not an id
        ("dQw4w9WgXc/captions.srt", None, None),  # 10 characters
        ("dQw4w9WgXcQ1.en.srt", None, None),  # 12 characters
    ],
)
def test_video_id_from_name(
    tmp_path: Path, relpath: str, video_id: str | None, language: str | None
) -> None:
    content = (
        SRT_TEXT if not relpath.endswith(".vtt") else "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n"
    )
    track = read_caption_file(write(tmp_path, relpath, content))
    assert track.video_id == video_id
    assert track.language == language
    assert len(track.cues) == 1
    if video_id is None:
        assert track.fatal is not None
        assert (track.fatal.kind, track.fatal.severity) == ("missing_video_id", "error")
    else:
        assert track.problems == []


def test_explicit_id_and_language_win(tmp_path: Path) -> None:
    path = write(tmp_path, "dQw4w9WgXcQ.en.srt", SRT_TEXT)
    track = read_caption_file(path, video_id="9bZkp7q19f0", language="ko")
    assert (track.video_id, track.language, track.problems) == ("9bZkp7q19f0", "ko", [])
    track = read_caption_file(path, video_id="not-an-id")
    assert track.video_id is None
    assert kinds(track) == ["missing_video_id"]


def test_cache_id_disagreeing_with_name_warns(tmp_path: Path) -> None:
    data = {"video_id": "9bZkp7q19f0", "snippets": [{"text": "x", "start": 0, "duration": 1}]}
    track = read_caption_file(write(tmp_path, "dQw4w9WgXcQ.json", json.dumps(data)))
    assert track.video_id == "9bZkp7q19f0"
    assert kinds(track) == ["video_id_mismatch"]


# --- shared corpus: counts and times against an independent reading ---------------------------

_TIME = re.compile(r"(\d+):(\d+):(\d+),(\d+)\s*-->")


def independent_blocks(path: Path) -> list[str]:
    """Blank-line separated blocks that have a '-->' line: the SRT's cues."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    return [b for b in re.split(r"\n[ \t]*\n", text) if any("-->" in ln for ln in b.split("\n"))]


def independent_start(block: str) -> float:
    line = next(ln for ln in block.split("\n") if "-->" in ln)
    m = _TIME.search(line)
    assert m, line
    h, mi, s, ms = (int(g) for g in m.groups())
    return h * 3600 + mi * 60 + s + ms / 1000


def _shared_caption_files() -> list[Path]:
    files = sorted(CAPTIONS.glob("*/captions.srt"))
    assert len(files) == 10
    return files


def shared_caption_files() -> list:
    return shared_params(_shared_caption_files)


@pytest.mark.corpus
@pytest.mark.parametrize("path", shared_caption_files(), ids=lambda p: p.parent.name if p else None)
def test_shared_srt_counts_and_times(path: Path) -> None:
    track = read_caption_file(path)
    assert track.problems == []
    assert track.video_id == path.parent.name
    blocks = independent_blocks(path)
    assert len(track.cues) == len(blocks)
    for i in (0, len(blocks) // 2, len(blocks) - 1):
        assert track.cues[i].start == pytest.approx(independent_start(blocks[i]), abs=1e-9)
    last_text = " ".join(blocks[-1].split("\n")[2:]).strip()
    assert track.cues[-1].text == " ".join(last_text.split())


@pytest.mark.corpus
@pytest.mark.parametrize("path", shared_caption_files(), ids=lambda p: p.parent.name if p else None)
def test_shared_word_timings(path: Path) -> None:
    track = read_caption_file(path)
    items = json.loads((path.parent / "word_timings.json").read_text())
    flat = list(items)
    while flat and isinstance(flat[0][0], list):  # nested per segment
        flat = [w for seg in flat for w in seg]
    starting = [it for it in flat if it[0][:1].isspace()]  # pieces without a space are glued on
    assert track.words is not None
    assert len(track.words) == len(starting)
    assert (track.words[0].text, track.words[0].start) == (starting[0][0].strip(), starting[0][1])
    assert track.words[-1].start == starting[-1][1]
