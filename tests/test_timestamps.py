"""parse_time (one string -> readings) and resolve_note (a note's anchors -> seconds)."""

from __future__ import annotations

import itertools

import pytest

from ytclaims.timestamps.parse import parse_time
from ytclaims.timestamps.resolve import resolve_note


def hms(h: int, m: int, s: int) -> int:
    return h * 3600 + m * 60 + s


def pair(data_t: str | None, label: str | None = None):
    """(data-t, label) as parsed; the label defaults to the usual bracketed copy."""
    if label is None and data_t is not None:
        label = f"[{data_t}]"
    return parse_time(data_t), parse_time(label)


def mm_ss_00(s: str) -> int:
    """What an 'MM:SS:00' string means: minutes and seconds in the first two fields."""
    m, sec, zero = s.split(":")
    assert zero == "00"
    return int(m) * 60 + int(sec)


# --- parse_time ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("00:00:41", hms(0, 0, 41)),
        ("01:02:03", hms(1, 2, 3)),
        ("00:59:59", hms(0, 59, 59)),
        ("1:7:19", hms(1, 7, 19)),
    ],
)
def test_hh_mm_ss_is_read_literally(raw: str, expected: int) -> None:
    p = parse_time(raw)
    assert p.status == "ok"
    assert p.form == "hh:mm:ss"
    assert [r.seconds for r in p.readings] == [expected]
    assert p.seconds == expected


@pytest.mark.parametrize(("raw", "expected"), [("03:15", 195), ("0:07", 7), ("75:30", 4530)])
def test_mm_ss(raw: str, expected: int) -> None:
    p = parse_time(raw)
    assert p.status == "ok"
    assert p.form == "mm:ss"
    assert p.seconds == expected


@pytest.mark.parametrize(("raw", "expected"), [("2241", 2241), ("62", 62), ("0", 0)])
def test_plain_seconds(raw: str, expected: int) -> None:
    p = parse_time(raw)
    assert p.status == "ok"
    assert p.form == "seconds"
    assert p.seconds == expected


def test_hh_mm_ss_ff_frames_stay_inside_the_second() -> None:
    p = parse_time("00:04:20:12")
    assert p.form == "hh:mm:ss:ff"
    assert p.status == "ok"
    assert p.seconds is not None
    # 12 frames is less than one second at any real frame rate.
    assert hms(0, 4, 20) <= p.seconds < hms(0, 4, 21)


def test_mm_ss_mmm_reads_milliseconds() -> None:
    p = parse_time("03:14:622")
    assert p.form == "mm:ss:mmm"
    assert p.status == "nonstandard"
    assert p.seconds == pytest.approx(3 * 60 + 14 + 0.622)
    assert p.reason  # says why it is not the literal form


def test_mm_ss_cc_reads_hundredths_when_literal_is_impossible() -> None:
    p = parse_time("01:47:73")  # 73 cannot be a seconds field
    assert p.form == "mm:ss:cc"
    assert p.status == "nonstandard"
    assert p.seconds == pytest.approx(1 * 60 + 47 + 0.73)
    assert p.reason


@pytest.mark.parametrize("raw", ["N/A", "n/a", "[N/A]"])
def test_placeholder_is_invalid_with_reason(raw: str) -> None:
    p = parse_time(raw)
    assert p.status == "invalid"
    assert p.readings == ()
    assert p.seconds is None
    assert p.reason


@pytest.mark.parametrize("raw", ["", "   ", "[]", None])
def test_empty_is_empty(raw: str | None) -> None:
    p = parse_time(raw)
    assert p.status == "empty"
    assert p.seconds is None
    assert p.readings == ()


@pytest.mark.parametrize(
    "raw", ["soon", "12:ab:03", "1:2:3:4:5", "00:61:10", "10:75", "minute 4", "::", "00:05:07:99:1"]
)
def test_garbage_is_invalid_never_raises(raw: str) -> None:
    p = parse_time(raw)
    assert p.status == "invalid"
    assert p.seconds is None
    assert p.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("[00:18:58]", hms(0, 18, 58)),
        ("00:18:58]", hms(0, 18, 58)),
        ("[00:18:58", hms(0, 18, 58)),
        ("/2:40", 2 * 60 + 40),
        (" (00:07:05) ", hms(0, 7, 5)),
    ],
)
def test_brackets_and_slashes_are_stripped(raw: str, expected: int) -> None:
    p = parse_time(raw)
    assert p.status == "ok"
    assert p.seconds == expected


def test_ambiguous_colon_00_keeps_both_readings_literal_first() -> None:
    p = parse_time("02:30:00")
    assert p.status == "ambiguous"
    names = [r.name for r in p.readings]
    secs = [r.seconds for r in p.readings]
    assert names == ["hh:mm:ss", "mm:ss:00"]
    assert secs == [hms(2, 30, 0), 2 * 60 + 30]
    assert p.seconds == hms(2, 30, 0)  # the default is the literal reading
    assert p.reason


def test_non_zero_seconds_field_is_not_ambiguous() -> None:
    p = parse_time("02:30:01")
    assert p.status == "ok"
    assert len(p.readings) == 1


# --- resolve_note ---------------------------------------------------------------------


def test_note_whose_anchors_all_end_in_00_is_read_as_minutes_seconds() -> None:
    stamps = ["02:30:00", "04:00:00", "06:06:00", "06:10:00", "07:29:00", "11:37:00"]
    res = resolve_note([pair(s) for s in stamps])
    assert len(res) == len(stamps)
    for s, r in zip(stamps, res, strict=True):
        assert r.status == "reinterpreted", s
        assert r.seconds == mm_ss_00(s), s
        assert r.reading == "mm:ss:00"
        assert r.source == "data-t"
        assert r.reason  # the evidence is named


def test_occasional_00_in_a_literal_note_is_read_literally() -> None:
    stamps = ["00:01:13", "00:02:27", "00:03:41", "00:04:00", "00:05:52", "00:06:19"]
    res = resolve_note([pair(s) for s in stamps])
    by = dict(zip(stamps, res, strict=True))
    assert by["00:04:00"].status == "unverified"
    assert by["00:04:00"].seconds == hms(0, 4, 0)
    assert by["00:04:00"].reading == "hh:mm:ss"
    for s in stamps:
        h, m, sec = (int(x) for x in s.split(":"))
        assert by[s].seconds == hms(h, m, sec)
        assert by[s].status == "unverified"


def test_lone_undecidable_00_anchor_stays_ambiguous_without_seconds() -> None:
    # One anchor, two readings 1 h 05 min vs 1 min 05 s, nothing else to go on.
    (r,) = resolve_note([pair("01:05:00")])
    assert r.status == "ambiguous"
    assert r.seconds is None


def test_literal_of_four_hours_or_more_is_read_as_mm_ss_00() -> None:
    (r,) = resolve_note([pair("43:04:00")])
    assert r.status == "reinterpreted"
    assert r.seconds == 43 * 60 + 4


def test_minutes_field_of_60_or_more_in_mm_ss_00_note_is_not_read_as_days() -> None:
    """README: 'a literal reading >= 4 h is read as MM:SS:00'. A long video written
    MM:SS:00 has anchors like 75:30:00 (75 min 30 s); read literally that is 75 hours."""
    stamps = ["05:10:00", "12:30:00", "48:05:00", "75:30:00", "88:12:00"]
    res = resolve_note([pair(s) for s in stamps])
    for s, r in zip(stamps, res, strict=True):
        assert r.seconds == mm_ss_00(s), f"{s} resolved to {r.seconds} ({r.status})"
        assert r.status == "reinterpreted", s


def test_all_zero_timestamp_has_one_reading_and_keeps_its_second() -> None:
    """00:00:00 is 0 s under both readings; nothing is ambiguous about the second."""
    res = resolve_note([pair("00:00:00"), pair("00:02:17"), pair("00:03:44")])
    assert res[0].seconds == 0
    assert res[0].status != "ambiguous"


def test_invalid_data_t_with_valid_label_uses_the_label() -> None:
    (r,) = resolve_note([pair("N/A", "[01:23]")])
    assert r.seconds == 83
    assert r.source == "label"
    assert r.status == "unverified"
    assert "label" in r.reason


def test_missing_data_t_with_valid_label_uses_the_label() -> None:
    (r,) = resolve_note([pair(None, "[58:01]")])
    assert r.seconds == 58 * 60 + 1
    assert r.source == "label"


def test_label_and_data_t_that_disagree_are_flagged_and_data_t_wins() -> None:
    res = resolve_note([pair("00:05:02", "[00:05:07]"), pair("62", "[1:02]")])
    assert res[0].label_mismatch is True
    assert res[0].seconds == hms(0, 5, 2)
    assert "disagree" in res[0].reason
    assert res[1].label_mismatch is False  # same second, different notation
    assert res[1].seconds == 62


def test_nothing_usable_is_invalid() -> None:
    (r,) = resolve_note([pair("N/A", "[N/A]")])
    assert r.status == "invalid"
    assert r.seconds is None
    assert r.reason


_SAMPLES = [
    "00:01:13",
    "02:30:00",
    "75:30:00",
    "03:15",
    "62",
    "00:04:20:12",
    "03:14:622",
    "01:47:73",
    "N/A",
    "",
    "soon",
    None,
    "[00:18:58]",
    "00:00:00",
]


@pytest.mark.parametrize(("dt", "lb"), list(itertools.product(_SAMPLES, repeat=2)))
def test_invalid_or_ambiguous_never_carry_seconds(dt: str | None, lb: str | None) -> None:
    lone = resolve_note([(parse_time(dt), parse_time(lb))])
    crowd = resolve_note(
        [(parse_time(dt), parse_time(lb))] + [pair(s) for s in ("01:10:00", "01:42:00")]
    )
    for r in (lone[0], crowd[0]):
        assert r.status in {"unverified", "reinterpreted", "ambiguous", "invalid"}
        if r.status in ("invalid", "ambiguous"):
            assert r.seconds is None
        else:
            assert r.seconds is not None and r.seconds >= 0
