"""Reading each anchor the way its note, its neighbours and its video say it is meant
(``ytclaims.timestamps.sequence``), and the transcript checks on top (``video``).

Every fixture is a small note written here, one per form and per kind of evidence; the
expected second is computed in the test from the written fields, not by ytclaims.
"""

from __future__ import annotations

import pytest

from ytclaims.timestamps import parse as tp
from ytclaims.timestamps.align import Sentence, TranscriptIndex
from ytclaims.timestamps.sequence import (
    LengthPrior,
    SeqAnchor,
    VideoNotes,
    fit_third_field,
    options_for,
    resolve_sequence,
    resolve_videos,
)
from ytclaims.timestamps.video import AnchorInput, quote_at, resolve_video


def mmss(t: str) -> int:
    """A:B:C read as minutes:seconds (third field dropped)."""
    a, b, _ = t.split(":")
    return int(a) * 60 + int(b)


def hms(t: str) -> int:
    parts = [int(p) for p in t.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    h, m, s = parts[:3]
    return h * 3600 + m * 60 + s


def note(*times: str) -> list[SeqAnchor]:
    out = []
    for t in times:
        opts, fields = options_for(tp.parse_time(t))
        out.append(SeqAnchor(opts, fields))
    return out


def seconds(choices) -> list[int | None]:
    return [None if c.option is None else int(c.option.seconds) for c in choices]


# --- the readings of each form ------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "names"),
    [
        ("01:31:31", ["hh:mm:ss", "mm:ss:ss"]),
        ("03:30:00", ["hh:mm:ss", "mm:ss:00"]),
        ("01:52:04", ["hh:mm:ss", "mm:ss:ff"]),
        ("23:8:14", ["hh:mm:ss", "mm:ss:ff"]),
        ("00:08:13", ["hh:mm:ss", "mm:ss:ff"]),
        ("08:13", ["mm:ss"]),
        ("493", ["seconds"]),
        ("00:08:13:12", ["hh:mm:ss:ff"]),
        ("01:47:73", ["mm:ss:cc"]),
        ("03:14:622", ["mm:ss:mmm"]),
        ("75:30:00", ["mm:ss:00"]),
        ("00:00:00", ["hh:mm:ss"]),
    ],
)
def test_every_form_has_its_readings(written: str, names: list[str]) -> None:
    opts, fields = options_for(tp.parse_time(written))
    assert [o.name for o in opts] == names
    assert opts[0].literal == (names[0] in ("hh:mm:ss", "mm:ss", "seconds", "hh:mm:ss:ff"))
    if len(opts) == 2:
        assert opts[0].seconds == hms(written)
        assert opts[1].seconds == mmss(written)
        assert fields is not None
    else:
        assert fields is None


def test_unusable_times_have_no_reading() -> None:
    for raw in ("N/A", "", "abc", "1:2:3:4:5"):
        assert options_for(tp.parse_time(raw)) == ((), None)


# --- third fields ------------------------------------------------------------------------


def test_third_field_habits_are_fitted_not_listed() -> None:
    zeros = fit_third_field([(a, 7 * a % 60, 0) for a in range(1, 11)])
    assert zeros.weights["zero"] > 0.5
    repeats = fit_third_field([(a, 7 * a % 60 + 1, 7 * a % 60 + 1) for a in range(1, 11)])
    assert repeats.weights["repeat"] > 0.5
    const = fit_third_field([(a, 7 * a % 60, 7) for a in range(1, 11)])
    assert const.const_value == 7 and const.weights["const"] > 0.5
    honest = fit_third_field([(0, m, (m * 37) % 60) for m in range(1, 40)])
    assert honest.weights["uniform"] > 0.6
    # An honest seconds field says nothing either way; a ':00' in a ':00' note says a lot.
    assert abs(honest.llr(10, 23)) < 0.7
    assert zeros.llr(10, 0) > 2.5


def test_one_anchor_is_no_evidence_for_itself() -> None:
    """Leave-one-out: a lone ':00' does not teach its note the ':00' habit."""
    lone = fit_third_field([(2, 30, 0)])
    many = fit_third_field([(2, 30, 0), (3, 10, 0), (4, 5, 0), (5, 50, 0)])
    assert lone.logp(30, 0) < many.logp(30, 0) - 1.0


@pytest.mark.parametrize(
    ("times", "name"),
    [
        # MM:SS:00 (the seed's form)
        (("01:10:00", "02:30:00", "03:05:00", "04:45:00", "06:20:00", "07:55:00"), "mm:ss:00"),
        # seconds written twice
        (("01:31:31", "02:05:05", "02:48:48", "03:51:51", "04:04:04", "05:30:30"), "mm:ss:ss"),
        # one constant suffix
        (("01:25:07", "01:33:07", "02:16:07", "04:14:07", "04:31:07", "06:04:07"), "mm:ss:ff"),
        # frames: every third field under 30, spread over hours if read literally
        (("01:00:12", "02:37:24", "02:48:07", "03:06:05", "04:13:18", "05:07:05"), "mm:ss:ff"),
    ],
)
def test_a_notes_third_field_habit_reads_it_as_minutes_seconds(times, name) -> None:
    ch = resolve_sequence(note(*times), LengthPrior())
    assert seconds(ch) == [mmss(t) for t in times]
    assert {c.option.name for c in ch} == {name}  # type: ignore[union-attr]
    assert all(c.margin >= 2.5 for c in ch)


def test_hundredths_in_some_anchors_mean_hundredths_in_all() -> None:
    times = ("02:05:64", "02:09:47", "01:42:78", "02:45:72", "02:51:30", "03:01:15")
    ch = resolve_sequence(note(*times), LengthPrior())
    assert seconds(ch) == [mmss(t) for t in times]


def test_an_honest_hh_mm_ss_note_stays_literal() -> None:
    """A 2-hour podcast written properly: uniform seconds, hour-scale readings."""
    times = ("00:59:57", "01:11:46", "01:17:40", "01:28:13", "01:34:51", "01:42:19", "01:55:02")
    ch = resolve_sequence(note(*times), LengthPrior())
    assert seconds(ch) == [hms(t) for t in times]
    assert all(c.option.literal for c in ch)  # type: ignore[union-attr]


def test_a_short_honest_note_stays_literal() -> None:
    times = ("00:00:06", "00:00:10", "00:00:16", "00:01:04", "00:01:10", "00:02:33", "00:08:19")
    ch = resolve_sequence(note(*times), LengthPrior())
    assert seconds(ch) == [hms(t) for t in times]


def test_a_few_minutes_apart_note_is_not_squeezed_into_its_first_minute() -> None:
    """Six 00:MM:SS anchors over 38 minutes read as 0:02-0:40 would be just as much in
    step with each other; the note's span decides: notes cover minutes, not seconds."""
    times = ("00:02:10", "00:05:40", "00:08:05", "00:11:30", "00:25:00", "00:40:10")
    ch = resolve_sequence(note(*times), LengthPrior())
    assert seconds(ch) == [hms(t) for t in times]
    assert all(c.option.literal for c in ch)  # type: ignore[union-attr]
    assert any("cover 38:00 of the video" in e for e in ch[0].evidence)


# --- neighbours --------------------------------------------------------------------------


def test_one_anchor_hours_away_from_its_neighbours_is_minutes() -> None:
    """The issue's fireship case: 06:48:42 among anchors under 10 minutes is 6:48."""
    times = ("00:05:10", "00:05:52", "00:06:30", "06:48:42", "00:07:10", "00:07:55", "00:09:20")
    ch = resolve_sequence(note(*times), LengthPrior())
    assert seconds(ch) == [hms(t) for t in times[:3]] + [6 * 60 + 48] + [hms(t) for t in times[4:]]
    odd = ch[3]
    assert odd.option.name == "mm:ss:ff"  # type: ignore[union-attr]
    assert any("neighbours" in e for e in odd.evidence), odd.evidence


def test_a_note_that_switches_format_is_read_in_two_parts() -> None:
    """Like the captioned note of v8VSDg_WQlA: HH:MM:SS first, then MM:SS:00."""
    lit = ("00:00:15", "00:00:18", "00:00:44", "00:00:48", "00:00:51", "00:00:55")
    ms = ("01:05:00", "01:22:00", "01:47:00", "02:21:00", "02:55:00", "03:30:00")
    ch = resolve_sequence(note(*lit, *ms), LengthPrior())
    assert seconds(ch) == [hms(t) for t in lit] + [mmss(t) for t in ms]


def test_a_single_field_typo_with_a_two_digit_hour() -> None:
    """23:8:14 is not 23 hours into a talk whose other anchors are minutes."""
    times = ("21:40:02", "22:05:11", "23:8:14", "23:30:40", "24:02:03")
    ch = resolve_sequence(note(*times), LengthPrior())
    assert seconds(ch)[2] == 23 * 60 + 8
    assert all(s is not None and s < 3600 for s in seconds(ch))


# --- how long the video can be -------------------------------------------------------------


def test_a_whole_note_hours_into_a_video_is_read_as_minutes() -> None:
    """Every reading 5-15 h literally, honest-looking seconds: the length says minutes."""
    times = ("04:51:00", "04:54:19", "05:08:15", "07:16:47", "09:28:57", "14:10:48", "15:27:03")
    ch = resolve_sequence(note(*times), LengthPrior())
    assert seconds(ch) == [mmss(t) for t in times]
    assert all(not c.suspect for c in ch)


def test_a_reading_past_the_known_end_is_impossible() -> None:
    times = ("00:01:10", "00:02:05", "00:03:30")
    ch = resolve_sequence(note(*times), LengthPrior(duration=60.0))
    # 1:10, 2:05, 3:30 are past a one-minute video; 0:01, 0:02, 0:03 are not.
    assert seconds(ch) == [1, 2, 3]
    assert all(c.option.name == "mm:ss:ff" for c in ch)  # type: ignore[union-attr]


def test_every_reading_past_the_end_leaves_no_second() -> None:
    ch = resolve_sequence(note("01:30:00"), LengthPrior(duration=60.0))
    assert ch[0].option is None
    assert "past the end" in ch[0].evidence[0]


def test_an_implausible_reading_with_no_alternative_is_suspect() -> None:
    """Frames form (one reading) 7 h into a video nobody else places past 10 minutes."""
    times = ("00:05:10", "00:06:02", "07:12:33:10", "00:07:40")
    ch = resolve_sequence(note(*times), LengthPrior())
    assert ch[2].option is not None and ch[2].option.seconds > 7 * 3600
    assert ch[2].suspect
    assert not any(c.suspect for i, c in enumerate(ch) if i != 2)


def test_a_lone_colon_00_anchor_stays_undecided_without_other_evidence() -> None:
    ch = resolve_sequence(note("02:30:00"), LengthPrior())
    assert ch[0].margin < 2.5


def test_the_other_notes_of_the_video_bound_it() -> None:
    """A lone 02:30:00 is 2:30 when the video's other notes end before 9 minutes."""
    other = note("00:01:12", "00:03:40", "00:05:03", "00:08:31", "00:08:50")
    res = resolve_videos([VideoNotes({"a": other, "b": note("02:30:00")})])[0]
    lone = res["b"][0]
    assert lone.option.seconds == 150  # type: ignore[union-attr]
    assert lone.margin >= 2.5
    assert any("other notes reach" in e for e in lone.evidence), lone.evidence
    # ...and a note that reaches 2 h makes 2:30:00 literal plausible again.
    long = note("01:10:12", "01:31:40", "01:45:03", "01:58:31", "02:40:50")
    res = resolve_videos([VideoNotes({"a": long, "b": note("02:30:00")})])[0]
    assert res["b"][0].margin < 2.5 or res["b"][0].option.literal  # type: ignore[union-attr]


# --- the whole video, with and without a transcript ---------------------------------------


def anchor(i: int, text: str, written: str, source: str = "n1") -> AnchorInput:
    return AnchorInput(
        source_id=source,
        anchor_ordinal=i,
        claim_id=f"c{i}",
        text=text,
        parse_status="ok",
        form="hh:mm:ss",
        candidates=[],
        note_seconds=None,
        note_reading=None,
        note_status="unverified",
        note_reason=None,
        data_t_raw=written,
        label_raw=f"[{written}]",
    )


#: A 20-minute talk: one sentence every 20 s, each about its own topic.
TOPICS = [
    "welcome everyone to this talk about bread",
    "sourdough starter needs flour and water daily",
    "autolyse rests dough before salt goes in",
    "gluten develops through folding over hours",
    "shaping creates tension on the loaf surface",
    "cold retarding in the fridge deepens flavour",
    "a dutch oven traps steam for oven spring",
    "scoring lets the crust open where you choose",
    "bakers percentages make recipes scale easily",
    "hydration above eighty percent gives open crumb",
    "rye flour ferments faster than wheat flour",
    "bulk fermentation ends when dough has doubled",
    "a banneton holds the shape during proofing",
    "steam in the first twenty minutes matters most",
    "internal temperature should reach ninety six degrees",
    "cooling for an hour keeps the crumb from gumming",
    "stale bread makes excellent croutons and pudding",
    "freezing sliced loaves preserves them for weeks",
    "whole wheat absorbs more water than white flour",
    "salt tightens gluten and slows fermentation",
    "thank you for watching and happy baking",
]


def bread_index() -> TranscriptIndex:
    sents = [
        Sentence(float(60 * i), float(60 * i + 15), t.capitalize() + ".")
        for i, t in enumerate(TOPICS)
    ]
    return TranscriptIndex(sents)


def test_a_clean_typo_is_corrected_by_a_much_stronger_match_not_verified_by_a_weak_one() -> None:
    """'05:25' for a sentence quoted at 15:00: the words near 5:25 share one term."""
    idx = bread_index()
    claim = "Whole wheat absorbs more water than white flour, so add more water"
    typo = anchor(0, claim, "00:05:25")
    res = resolve_video([typo], duration=1275.0, index=idx)[0]
    assert res.status == "corrected"
    assert res.seconds == 18 * 60
    assert res.anchor_seconds == 5 * 60 + 25
    assert "at the anchor" in res.reason and "next best" in res.reason, res.reason


def test_support_at_the_anchor_verifies_it_and_keeps_its_second() -> None:
    idx = bread_index()
    res = resolve_video(
        [anchor(0, "Cold retarding in the fridge deepens the flavour", "00:05:04")],
        duration=1275.0,
        index=idx,
    )[0]
    assert res.status == "verified"
    assert res.seconds == 5 * 60 + 4


def test_a_weak_match_near_the_anchor_is_not_verified() -> None:
    idx = bread_index()
    res = resolve_video(
        [anchor(0, "Flour quality and mill choice change everything", "00:01:05")],
        duration=1275.0,
        index=idx,
    )[0]
    assert res.status in ("unverified", "reinterpreted")
    assert res.seconds == 65


def test_the_transcript_decides_between_two_readings() -> None:
    """00:10:00 in an otherwise honest note: 10 min, or 10 s written MM:SS:00?"""
    idx = bread_index()
    anchors = [
        anchor(0, "Welcome to this talk about bread", "00:00:05"),
        anchor(1, "Hydration above eighty percent gives an open crumb", "00:09:00"),
        anchor(2, "Rye flour ferments faster than wheat", "00:10:00"),
    ]
    res = resolve_video(anchors, duration=1275.0, index=idx)
    assert [r.seconds for r in res] == [5, 540, 600]


def test_an_anchor_without_a_time_is_placed_where_the_transcript_says_it() -> None:
    idx = bread_index()
    res = resolve_video(
        [anchor(0, "A banneton holds the shape of the loaf during proofing", "N/A")],
        duration=1275.0,
        index=idx,
    )[0]
    assert res.status == "corrected"
    assert res.seconds == 12 * 60
    assert res.quote is not None and "banneton" in res.quote[2].lower()


def test_the_quote_is_what_is_said_at_the_cited_second() -> None:
    idx = bread_index()
    start, end, text = quote_at(idx, 305.0)  # type: ignore[misc]
    assert start == 300.0
    assert "Cold retarding" in text
    # In a pause the quote is what follows; it never runs past three sentences.
    start, _, text = quote_at(idx, 330.0)  # type: ignore[misc]
    assert start == 360.0 and text.startswith("A dutch oven")
    res = resolve_video(
        [anchor(0, "Scoring lets the crust open", "00:07:02")], duration=1275.0, index=idx
    )[0]
    assert res.quote is not None and res.quote[0] <= res.seconds <= res.quote[1]  # type: ignore[operator]


def test_without_a_transcript_the_status_says_how_the_reading_was_chosen() -> None:
    anchors = [
        anchor(i, f"claim {i}", t)
        for i, t in enumerate(
            ("00:05:10", "00:05:52", "00:06:30", "06:48:42", "00:07:10", "00:07:55")
        )
    ]
    res = resolve_video(anchors)
    assert [r.status for r in res] == ["unverified"] * 3 + ["reinterpreted"] + ["unverified"] * 2
    assert res[3].seconds == 6 * 60 + 48
    assert "neighbours" in res[3].reason
    assert any(r.startswith("hh:mm:ss 6:48:42") for r in res[3].rejected), res[3].rejected
    assert all(r.quote is None for r in res)


def test_suspect_and_ambiguous_statuses() -> None:
    sus = resolve_video(
        [anchor(i, f"c{i}", t) for i, t in enumerate(("00:05:10", "07:12:33:10", "00:06:02"))]
    )
    assert sus[1].status == "suspect" and sus[1].seconds is not None
    assert "suspect" in sus[1].reason
    amb = resolve_video([anchor(0, "lone", "02:30:00")])[0]
    assert amb.status == "ambiguous" and amb.seconds is None
