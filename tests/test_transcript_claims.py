"""Caption track -> sentences -> claims.

Expected sentences, times and reasons are worked out by hand from the fixture files and
the rules in ytclaims.claims.transcript's docstrings, not copied from a run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import CAPTIONS, shared_params

from ytclaims.claims.transcript import (
    REASONS,
    Sentence,
    claim_reasons,
    segment_sentences,
    select_claims,
)
from ytclaims.sources.captions import CaptionTrack, Cue, Word, read_caption_file

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "captions"


def track_of(cues: list[tuple[float, float, str]], words: list[Word] | None = None) -> CaptionTrack:
    return CaptionTrack(
        video_id="dQw4w9WgXcQ",
        language="en",
        kind="unknown",
        format="srt",
        cues=[Cue(s, d, t) for s, d, t in cues],
        words=words,
        path="<memory>",
        problems=[],
    )


def sentence(text: str) -> Sentence:
    return Sentence(0.0, 1.0, text, 0, 0)


# --- punctuated text ----------------------------------------------------------------------


def test_punctuated_srt_sentences_and_interpolated_times() -> None:
    track = read_caption_file(FIXTURES / "SrtFixture1.en.srt")
    got = segment_sentences(track)
    assert [s.text for s in got] == [
        "Welcome back.",
        "Today we look at how Dr. Smith measured a speed of 3.5 metres per second.",
        "Is that fast?",
        "It is faster than most people walk, e.g. on a hike.",
    ]
    assert [(s.first_cue, s.last_cue) for s in got] == [(0, 0), (0, 1), (3, 3), (3, 3)]
    # No word timings: times are interpolated by character offset within the cue.
    c0 = "Welcome back. Today we look at"  # cue 0: 1.0 s + 2.5 s
    c3 = "Is that fast? It is faster than most people walk, e.g. on a hike."  # 8.0 s + 2.25 s
    assert got[0].start == pytest.approx(1.0)
    assert got[0].end == pytest.approx(1.0 + 2.5 * len("Welcome back.") / len(c0), abs=1e-3)
    assert got[1].start == pytest.approx(1.0 + 2.5 * c0.index("Today") / len(c0), abs=1e-3)
    assert got[1].end == pytest.approx(6.0)  # end of cue 1
    assert got[2].start == pytest.approx(8.0)
    assert got[3].start == pytest.approx(8.0 + 2.25 * c3.index("It is") / len(c3), abs=1e-3)
    assert got[3].end == pytest.approx(10.25)


def test_decimals_abbreviations_acronyms_initials() -> None:
    text = (
        "Prices rose 3.5 percent in 2023. Dr. Jones, of the U.S. Treasury, disagreed. "
        "Really? Yes! Wait... what happened next was J. R. R. Tolkien's fault."
    )
    got = segment_sentences(track_of([(0.0, 20.0, text)]))
    assert [s.text for s in got] == [
        "Prices rose 3.5 percent in 2023.",
        "Dr. Jones, of the U.S. Treasury, disagreed.",
        "Really?",
        "Yes!",
        "Wait... what happened next was J. R. R. Tolkien's fault.",
    ]


def test_punctuated_text_is_not_split_at_pauses() -> None:
    track = track_of([(0.0, 2.0, "The market grew quickly"), (5.0, 2.0, "over the last decade.")])
    got = segment_sentences(track)
    assert [s.text for s in got] == ["The market grew quickly over the last decade."]
    assert (got[0].start, got[0].end) == (0.0, 7.0)


# --- unpunctuated text -----------------------------------------------------------------------

AUTO = [
    (0.0, 2.0, "the market grew quickly"),
    (2.0, 2.0, "over the last decade"),
    (5.5, 2.0, "and investors now expect"),  # 1.5 s after the previous cue ends
    (7.5, 2.0, "further gains next year"),
]


def test_unpunctuated_cues_split_at_pauses() -> None:
    got = segment_sentences(track_of(AUTO))
    assert [(s.text, s.start, s.end, s.first_cue, s.last_cue) for s in got] == [
        ("the market grew quickly over the last decade", 0.0, 4.0, 0, 1),
        ("and investors now expect further gains next year", 5.5, 9.5, 2, 3),
    ]
    longer_pause = segment_sentences(track_of(AUTO), pause_seconds=2.0)
    assert len(longer_pause) == 1
    assert longer_pause[0].text == " ".join(t for _, _, t in AUTO)


def test_length_cap_splits_long_runs() -> None:
    words = [f"w{i}" for i in range(100)]
    track = track_of([(0.0, 50.0, " ".join(words))])
    got = segment_sentences(track, max_words=40)
    assert len(got) >= 3
    assert all(len(s.text.split()) <= 40 for s in got)
    assert " ".join(s.text for s in got) == " ".join(words)
    assert all(a.end <= b.start + 1e-9 for a, b in zip(got, got[1:], strict=False))


def test_length_cap_prefers_clause_punctuation() -> None:
    words = [f"w{i}" for i in range(60)]
    words[19] += ","  # a comma after the 20th word: inside the allowed middle half
    got = segment_sentences(track_of([(0.0, 30.0, " ".join(words))]), max_words=40)
    assert [len(s.text.split()) for s in got] == [20, 40]
    assert got[0].text.endswith("w19,")


def test_length_cap_applies_to_punctuated_sentences_too() -> None:
    long = " ".join(["word"] * 50) + "."
    got = segment_sentences(track_of([(0.0, 25.0, long), (25.0, 2.0, "Short one here.")]))
    assert all(len(s.text.split()) <= 40 for s in got)
    assert got[-1].text == "Short one here."


def test_bad_arguments_and_empty_track() -> None:
    with pytest.raises(ValueError):
        segment_sentences(track_of(AUTO), max_words=0)
    assert segment_sentences(track_of([(0.0, 1.0, ""), (1.0, 1.0, "")])) == []


# --- word timings ---------------------------------------------------------------------------


def test_sentence_starts_at_its_first_word_sidecar() -> None:
    track = read_caption_file(FIXTURES / "W0rdT1m1ngs" / "captions.srt")
    got = segment_sentences(track)
    assert [s.text for s in got] == [
        "The pseudo-hexagonal tiling has 12 sides.",
        "It was found in 1972 by a student.",
    ]
    # From word_timings.json: "The" 0.5-0.7, "sides." ends 2.9, "It" 3.6, "student." ends 6.6.
    # The extra "um" in the timings is skipped by the in-order alignment.
    assert [(s.start, s.end) for s in got] == [(0.5, 2.9), (3.6, 6.6)]
    assert [(s.first_cue, s.last_cue) for s in got] == [(0, 0), (0, 1)]


def test_rolling_vtt_sentences_use_inline_word_times() -> None:
    track = read_caption_file(FIXTURES / "VttAutoCap1.en.vtt")
    got = segment_sentences(track)
    # Unpunctuated: split where "2020" (4.8 s, lasting at most 1 s) is followed by "and" at 7.6 s.
    assert [(s.text, s.start, s.end) for s in got] == [
        ("so today the price of eggs rose by 40 percent since 2020", 0.0, 5.8),
        ("and experts expect more", 7.6, 9.8),
    ]
    assert [(s.first_cue, s.last_cue) for s in got] == [(0, 2), (4, 4)]
    assert len(segment_sentences(track, pause_seconds=2.0)) == 1


def test_json3_sentences_and_claims() -> None:
    track = read_caption_file(FIXTURES / "Json3Track1.en.json3")
    got = segment_sentences(track)
    assert [(s.text, s.start) for s in got] == [
        ("the new chip is ten times faster than the old one", 0.4),
        ("according to Nvidia", 6.5),
    ]
    claims = select_claims(got)
    assert [(s.text, r) for s, r in claims] == [
        ("the new chip is ten times faster than the old one", ["multiplier", "comparison"])
    ]


def test_word_times_that_drift_from_their_cue_are_ignored() -> None:
    cues = [(10.0, 2.0, "Alpha beta gamma."), (12.0, 2.0, "Delta epsilon zeta.")]
    words = [
        Word(10.2, 10.5, "Alpha"),
        Word(10.5, 10.9, "beta"),
        Word(11.0, 11.5, "gamma."),
        Word(40.0, 40.3, "Delta"),  # 26 s after its cue ends: an alignment slip
        Word(12.6, 13.0, "epsilon"),
        Word(13.0, 13.8, "zeta."),
    ]
    got = segment_sentences(track_of(cues, words))
    assert [(s.start, s.end) for s in got] == [(10.2, 11.5), (12.0, 13.8)]


# --- claim selection -------------------------------------------------------------------------

POSITIVE = [
    ("The company's revenue grew to $4.2 billion last year.", ["number", "money"]),
    ("About 40% of adults in the survey said they sleep badly.", ["percent"]),
    ("The new model is ten times faster than the previous one.", ["multiplier", "comparison"]),
    (
        "GPT-3 was released by OpenAI in 2020 with 175 billion parameters.",
        ["number", "date", "organization"],
    ),
    (
        "Solar panels will be cheaper than coal by 2030 in most countries.",
        ["date", "comparison", "prediction"],
    ),
    ("The Putnam is a six-hour long test with twelve questions.", ["number"]),
    ("Fewer people attended the festival compared with last summer.", ["comparison"]),
    ("It's the largest prime number anyone has found so far.", ["comparison"]),
    ("NASA landed the first humans on the Moon in July 1969.", ["date", "organization"]),
    ("The chip draws 3 watts while it decodes video streams.", ["number"]),
]

NEGATIVE = [
    "How many people live in Tokyo, 14 million?",  # a question
    "It grew 40% fast.",  # under six words
    "We're going to see how this works in a moment.",  # narration, not a prediction
    "Let me show you a nicer way to think about it.",
    "So 2 plus 3 equals 5, and that settles it.",  # spoken arithmetic
    "The expected value of a single die roll is interesting.",  # a statistics term
    "This will give us the area of the circle here.",  # subject is on screen
    "I would rather think about it in a different way.",  # "rather than" is no comparison
    "Between 0 and 3, nothing much happens to the curve.",  # single digits alone
]


@pytest.mark.parametrize(("text", "reasons"), POSITIVE)
def test_select_claims_positive(text: str, reasons: list[str]) -> None:
    assert claim_reasons(text) == reasons
    selected = select_claims([sentence(text)])
    assert [(s.text, r) for s, r in selected] == [(text, reasons)]


@pytest.mark.parametrize("text", NEGATIVE)
def test_select_claims_negative(text: str) -> None:
    assert select_claims([sentence(text)]) == []


def test_reasons_are_listed_in_canonical_order() -> None:
    for _, reasons in POSITIVE:
        assert reasons == [r for r in REASONS if r in reasons]


def test_question_with_claim_words_is_not_a_claim() -> None:
    text = "Did the company really grow 40% faster than Google in 2021?"
    assert claim_reasons(text)  # the words would qualify...
    assert select_claims([sentence(text)]) == []  # ...but it asks


# --- shared corpus ---------------------------------------------------------------------------


def shared_tracks() -> list:
    return shared_params(lambda: sorted(CAPTIONS.glob("*/captions.srt")))


@pytest.mark.corpus
@pytest.mark.parametrize("path", shared_tracks(), ids=lambda p: p.parent.name if p else None)
def test_shared_segmentation_keeps_all_text(path: Path) -> None:
    track = read_caption_file(path)
    got = segment_sentences(track)
    assert got
    # Nothing lost or doubled: sentences re-join to the cue text.
    assert " ".join(s.text for s in got) == " ".join(c.text for c in track.cues if c.text)
    assert all(len(s.text.split()) <= 40 for s in got)
    assert all(s.first_cue <= s.last_cue for s in got)
    assert all(a.last_cue <= b.first_cue for a, b in zip(got, got[1:], strict=False))
    # Human captions are punctuated: most sentences end in sentence punctuation.
    ended = sum(s.text.rstrip("\"')").endswith((".", "?", "!")) for s in got)
    assert ended >= 0.7 * len(got)
    # Each sentence starts near its first cue (word times may lead cue times a little).
    for s in got:
        cue = track.cues[s.first_cue]
        assert cue.start - 3.0 <= s.start <= cue.start + cue.duration + 3.0
