"""The two shipped transcript models: their inputs, their decisions' plumbing, offline loading.

How good the models are is measured by benchmarks/transcript_claims_eval.py on held-out
videos; these tests check what must hold for any trained model: the input the model
reads is built the same way in training and in use, scores are probabilities, the
decision rule does what its docstring says, and the models load from the package alone.
"""

from __future__ import annotations

import json

import pytest

from ytclaims.claims import checkworthy, senter
from ytclaims.claims.fingerprint import transcript_models_fingerprint

# --- sentence boundaries -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gap", "word", "token"),
    [
        (0.2, "so", None),  # a short word said at an ordinary pace
        (0.5, "so", "<p1>"),  # 0.32 s beyond the 0.18 s a short word takes
        (0.6, "so", "<p2>"),  # 0.42 s beyond
        (0.5, "characteristic", None),  # 14 letters take 0.63 s: no pause at all
        (1.5, "characteristic", "<p3>"),  # 0.87 s beyond its 0.63 s
        (3.0, "it", "<p5>"),
    ],
)
def test_pause_tokens_measure_silence_beyond_the_word(gap, word, token) -> None:
    assert senter.pause_token(gap, word) == token


def test_model_words_insert_pauses_and_map_words_to_tokens() -> None:
    tokens, index = senter.model_words(["So", "today,", "—", "eggs"], [0.0, 0.2, 0.4, 2.0])
    assert tokens == ["so", "today", "<sym>", "<p4>", "eggs"]
    assert index == [0, 1, 2, 4]


def test_decode_thresholds_and_caps_runs() -> None:
    probs = [0.0, 0.1, 0.9, 0.2, 0.6, 0.1]
    assert senter.decode(probs, threshold=0.5) == [True, False, True, False, True, False]
    run = [0.0] + [0.01] * 30 + [0.4] + [0.01] * 30
    got = senter.decode(run, threshold=0.5, max_words=40)
    assert [i for i, s in enumerate(got) if s] == [0, 31]


def test_boundary_model_loads_offline_and_scores_every_word() -> None:
    nlp, threshold = senter.load_senter()
    assert 0.0 < threshold < 1.0
    assert nlp.pipe_names == ["senter"]
    texts = "so that is the idea now let's look at the proof".split()
    starts = [0.3 * i + (1.5 if i >= 5 else 0.0) for i in range(len(texts))]
    probs = senter.start_scores(texts, starts)
    assert len(probs) == len(texts) and all(0.0 <= p <= 1.0 for p in probs)
    flags = senter.sentence_starts(texts, starts)
    assert flags[0] is True and len(flags) == len(texts)
    assert senter.sentence_starts([], []) == []


# --- check-worthiness ---------------------------------------------------------------------


def test_restore_case_and_auto_form() -> None:
    assert checkworthy.restore_case(["so", "i", "think", "i'm", "right", "in", "iowa"]) == (
        "So I think I'm right in iowa"
    )
    assert checkworthy.auto_form("Euler's formula, V - E + F = 2, holds!") == (
        "Euler's formula v e f 2 holds"
    )


def test_marks_describe_opening_end_length_and_digits() -> None:
    assert checkworthy.marks(["Is", "it", "2", "?"]) == [
        "len=<=5",
        "end=?",
        "first=is",
        "first2=is_it",
        "has=digit",
    ]
    assert "end=none" in checkworthy.marks(["so", "we", "go"])


def test_classifier_loads_offline_with_its_settings() -> None:
    model = checkworthy.load_model()
    assert 0.0 < model.threshold < 1.0
    meta = json.loads((checkworthy.model_dir() / "meta.json").read_text("utf-8"))
    assert meta["ytclaims"]["context"] == model.context
    assert set(model.nlp.get_pipe("textcat").labels) == {checkworthy.CLAIM, checkworthy.OTHER}


def test_batched_scores_equal_one_sentence_at_a_time() -> None:
    texts = [
        "Thanks for watching, and see you next time!",
        "The Fourier transform of a Gaussian is another Gaussian.",
        "Let's say you have two circles.",
        "Light takes about 8 minutes to reach us from the Sun.",
    ]
    model = checkworthy.load_model()
    batched = checkworthy.score_sentences(texts, "fourier-transforms", model)
    single = [
        checkworthy.score_one(
            t,
            texts[i - 1] if i else None,
            texts[i + 1] if i + 1 < len(texts) else None,
            "fourier-transforms",
            model,
        )
        for i, t in enumerate(texts)
    ]
    assert batched == pytest.approx(single, abs=1e-4)
    assert all(0.0 <= s <= 1.0 for s in batched)
    assert checkworthy.score_sentences([]) == []


def test_models_are_small_and_fingerprinted() -> None:
    root = checkworthy.model_dir().parent
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert size < 15_000_000
    assert len(transcript_models_fingerprint()) == 8


def test_threshold_override_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = checkworthy.load_model().threshold
    base = transcript_models_fingerprint()
    monkeypatch.setenv(checkworthy.THRESHOLD_ENV, "0.25")
    assert checkworthy.load_model().threshold == 0.25
    assert transcript_models_fingerprint() == base + "@0.25"  # a new cut re-reads captions
    for bad in ("high", "1.5", "-0.1", "nan"):
        monkeypatch.setenv(checkworthy.THRESHOLD_ENV, bad)
        with pytest.raises(checkworthy.CheckworthyThresholdError, match="not in"):
            checkworthy.load_model()
    monkeypatch.delenv(checkworthy.THRESHOLD_ENV)
    assert checkworthy.load_model().threshold == shipped
