"""Caption track -> sentences -> claims.

Expected sentences and times are worked out by hand from the fixture files and the
rules in ytclaims.claims.transcript's docstrings, not copied from a run. Where a trained
model decides (boundaries of unpunctuated text, check-worthiness), the tests check what
must hold whatever it decides: every word kept once, in order, at its own time; the
selection rule applied to the scores it gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import CAPTIONS, shared_params

from ytclaims.claims.transcript import (
    MAX_WORDS,
    Sentence,
    is_complete,
    score_sentences,
    segment_sentences,
    select_claims,
    transcript_rows,
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


def sentence(text: str, score: float = 0.9, *, punctuated: bool = True) -> Sentence:
    return Sentence(0.0, 1.0, text, 0, 0, punctuated=punctuated, checkworthy=score)


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


def test_abbreviations_that_are_words_too() -> None:
    text = (
        "See Fig. 3 and No. 5 on p. 12 of Roe v. Wade. Call that point P. It moves. "
        "No. That is not it. Put it in. Then a rod 5 in. long stays. It is 1 No."
    )
    got = segment_sentences(track_of([(0.0, 30.0, text)]))
    assert [s.text for s in got] == [
        "See Fig. 3 and No. 5 on p. 12 of Roe v. Wade.",
        "Call that point P.",
        "It moves.",
        "No.",
        "That is not it.",
        "Put it in.",
        "Then a rod 5 in. long stays.",
        "It is 1 No.",
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
    (8.0, 2.0, "and i think investors now expect"),  # 4 s after the previous cue ends
    (10.0, 2.0, "[Music] further gains next year"),
]


def test_unpunctuated_text_splits_at_long_silences_and_sound_labels() -> None:
    got = segment_sentences(track_of(AUTO))
    words = [w for _, _, t in AUTO for w in t.split() if w != "[Music]"]
    assert " ".join(s.text for s in got).lower().split() == [w.lower() for w in words]
    assert all(not s.punctuated for s in got)
    # A 4 s silence (>= PAUSE_SECONDS) and the sound label always end a sentence.
    starts = [s.start for s in got]
    assert 8.0 in starts
    assert any(s.text.startswith("Further") for s in got)
    assert all(s.first_cue <= s.last_cue for s in got)
    # Case restored: a capital to start each sentence, "I" as a word.
    assert all(s.text[0].isupper() for s in got)
    assert "and I think" in " ".join(s.text for s in got).replace("And I", "and I")
    # Without the silence rule, the model alone decides (it may still split there).
    assert segment_sentences(track_of(AUTO), pause_seconds=60.0)


def test_length_cap_splits_long_runs() -> None:
    words = [f"w{i}" for i in range(100)]
    track = track_of([(0.0, 50.0, " ".join(words))])
    got = segment_sentences(track, max_words=40)
    assert len(got) >= 3
    assert all(len(s.text.split()) <= 40 for s in got)
    assert " ".join(s.text for s in got).lower() == " ".join(words)  # capitals restored
    assert all(a.end <= b.start + 1e-9 for a, b in zip(got, got[1:], strict=False))


def test_length_cap_prefers_clause_punctuation() -> None:
    words = [f"w{i}" for i in range(60)]
    words[19] += ","  # a comma after the 20th word: inside the allowed middle half
    words[-1] += "."
    text = "Intro. " + " ".join(words)
    got = segment_sentences(track_of([(0.0, 30.0, text)]), max_words=40)
    assert [len(s.text.split()) for s in got] == [1, 20, 40]
    assert got[1].text.endswith("w19,")


def test_length_cap_applies_to_punctuated_sentences_too() -> None:
    # Punctuated (at least one sentence end per 60 words), with one runaway sentence.
    long = "One here. Two here. Word " + " ".join(["word"] * 169) + "."
    got = segment_sentences(track_of([(0.0, 25.0, long), (25.0, 2.0, "Short one here.")]))
    assert all(len(s.text.split()) <= MAX_WORDS for s in got)
    assert [len(s.text.split()) for s in got][:2] == [2, 2] and len(got) == 5
    assert got[-1].text == "Short one here."
    # Caption authors' long sentences (livestreams reach 130 words) stay whole.
    whole = "One here. Two here. Word " + " ".join(["word"] * 129) + "."
    assert len(segment_sentences(track_of([(0.0, 25.0, whole)]))) == 3


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
    words = "so today the price of eggs rose by 40 percent since 2020 and experts expect more"
    assert " ".join(s.text for s in got).lower() == words
    # Each sentence starts at its first word's inline time (0.0, or a later word's).
    inline = {w.start for w in track.words}
    assert got[0].start == 0.0 and got[0].text.startswith("So today")
    assert all(s.start in inline for s in got)
    assert got[-1].end == 9.8
    # "and" at 7.6 s follows 1.8 s of silence after "2020" (which lasts at most 1 s):
    # a silence rule of 1.5 s must split there, whatever the model says.
    split = segment_sentences(track, pause_seconds=1.5)
    assert any(s.start == 7.6 and s.text.startswith("And experts") for s in split)


def test_json3_sentences_keep_their_words_and_times() -> None:
    track = read_caption_file(FIXTURES / "Json3Track1.en.json3")
    got = segment_sentences(track)
    text = "the new chip is ten times faster than the old one according to Nvidia"
    assert " ".join(s.text for s in got).lower() == text.lower()
    assert got[0].start == 0.4 and got[0].text.startswith("The new chip")
    assert "Nvidia" in got[-1].text  # a capital the recogniser wrote is kept


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


def test_selection_rule_threshold_words_question_and_whole_sentences() -> None:
    keep = sentence("Every connected planar graph has V minus E plus F equal to 2.", 0.9)
    low = sentence("Every connected planar graph has V minus E plus F equal to 2.", 0.2)
    short = sentence("It is always two.", 0.95)
    question = sentence("Is every connected planar graph's characteristic two?", 0.95)
    cut = sentence("and every connected planar graph has characteristic two", 0.95)
    unscored = Sentence(0.0, 1.0, "Every connected planar graph has characteristic two.", 0, 0)
    auto = sentence("Every connected planar graph has characteristic two", 0.95, punctuated=False)
    got = select_claims([keep, low, short, question, cut, unscored, auto], threshold=0.5)
    assert got == [keep, auto]
    assert select_claims([keep], threshold=0.95) == []


def test_complete_sentence_check() -> None:
    assert is_complete("The sum converges to pi squared over 6.")
    assert is_complete('"Quoted," she said, "it works!"')
    assert is_complete("1729 is the taxicab number.")
    assert not is_complete("and then the sum converges.")
    assert not is_complete("The sum converges to")


def test_sentences_are_scored_and_claims_carry_score_and_span() -> None:
    track = read_caption_file(FIXTURES / "W0rdT1m1ngs" / "captions.srt")
    scored = score_sentences(segment_sentences(track))
    assert all(0.0 <= s.checkworthy <= 1.0 for s in scored)
    rows = transcript_rows(track, "p", "W0rdT1m1ngs/captions.srt", "sid")
    assert [r["checkworthy"] for r in rows.sentences] == [s.checkworthy for s in scored]
    by_claim = {r["claim_id"]: r for r in rows.sentences if r["claim_id"]}
    assert len(by_claim) == len(rows.claims) == len(rows.anchors)
    for claim, anchor in zip(rows.claims, rows.anchors, strict=True):
        sent = by_claim[claim["claim_id"]]
        assert claim["text"] == sent["text"]
        assert (claim["span_start"], claim["span_end"]) == (sent["start"], sent["end"])
        assert claim["checkworthy"] == sent["checkworthy"]
        assert anchor["anchor_seconds"] == sent["start"]
        assert "check-worthiness" in anchor["resolution_reason"]


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
    assert all(len(s.text.split()) <= MAX_WORDS for s in got)
    assert all(s.first_cue <= s.last_cue for s in got)
    assert all(a.last_cue <= b.first_cue for a, b in zip(got, got[1:], strict=False))
    # Human captions are punctuated: most sentences end in sentence punctuation.
    ended = sum(s.text.rstrip("\"')").endswith((".", "?", "!")) for s in got)
    assert ended >= 0.7 * len(got)
    # Each sentence starts near its first cue (word times may lead cue times a little).
    for s in got:
        cue = track.cues[s.first_cue]
        assert cue.start - 3.0 <= s.start <= cue.start + cue.duration + 3.0
