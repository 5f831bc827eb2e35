"""The trained tagger: its data split, the gate invariant, label-id validation, the
shipped model, and explanations that name the classifier's reasons.

Expected values are computed here from the data files (labels, splits, taxonomy),
never copied from a run of the tagger.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from helpers import REPO
from typer.testing import CliRunner

from ytclaims import errors
from ytclaims.cli import app
from ytclaims.pipeline import ingest
from ytclaims.tags.classifier import (
    LABELS,
    ai_fields,
    ai_words,
    feature_words,
    load_classifier,
    note_smoothed,
)
from ytclaims.tags.fingerprint import model_path
from ytclaims.tags.tagger import _enforce_gate, get_pipeline, get_taxonomy, tag_claims
from ytclaims.tags.train.data import (
    DEFAULT_LABELS,
    DEFAULT_SPLITS,
    cv_folds,
    load_rows,
    load_splits,
)

runner = CliRunner()
TAX = Path(__file__).resolve().parent / "fixtures" / "taxonomy"


def invoke(args: list[object]):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


# --- the channel split -----------------------------------------------------------------------


def test_frozen_test_channels_are_whole_channels_never_in_training() -> None:
    raw = tomllib.loads(DEFAULT_SPLITS.read_text("utf-8"))
    test = set(raw["test"]["channels"])
    rows = [json.loads(x) for x in DEFAULT_LABELS.read_text("utf-8").splitlines() if x.strip()]
    channels = {r["channel"] for r in rows}
    assert test <= channels and len(test) == 17
    splits = load_splits()
    assert splits.test == test
    train = [r for r in load_rows() if r["channel"] not in splits.test]
    assert not {r["channel"] for r in train} & test
    assert len(train) + sum(1 for r in rows if r["channel"] in test) == len(rows)
    # The folds cover every training channel, each channel in exactly one fold, and the
    # channel that dominates the data is a fold of its own.
    folds = cv_folds(train, splits)
    assert set(folds) == {r["channel"] for r in train}
    assert len(set(folds.values())) == splits.folds
    biggest = max(set(folds), key=lambda c: sum(1 for r in train if r["channel"] == c))
    assert [c for c, k in folds.items() if k == folds[biggest]] == [biggest]


def test_training_command_reads_no_test_channel(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``python -m ytclaims.tags.train`` hands spacy train only training channels."""
    import ytclaims.tags.train.__main__ as train_main

    seen: list[list[dict]] = []

    def fake_train(rows: list[dict], workdir: Path, overrides: dict | None = None) -> Path:
        seen.append(rows)
        out = workdir / "m"
        out.mkdir()
        return out

    monkeypatch.setattr(train_main, "train_model", fake_train)
    monkeypatch.setattr("sys.argv", ["train", "--out", str(tmp_path / "model")])
    train_main.main()
    assert (tmp_path / "model").is_dir()
    assert len(seen) == 1
    test = load_splits().test
    assert seen[0] and not {r["channel"] for r in seen[0]} & test


# --- the gate ----------------------------------------------------------------------------------


def test_a_closed_gate_drops_every_gated_label_and_its_evidence() -> None:
    tax = get_taxonomy(None)
    gated = [g.id for g in tax.groups if g.requires_gate]
    assert {"layers", "trends"} <= set(gated)
    tags = {"about_ai": False, "layers": ["model"], "trends": ["distribution_moat"]}
    evidence = [
        {"group": "trends", "label": "distribution_moat"},
        {"group": "layers", "label": "model"},
    ]
    _enforce_gate(tags, evidence, tax)
    assert tags == {"about_ai": False, "layers": [], "trends": []}
    assert evidence == []
    tags = {"about_ai": True, "layers": ["model"], "trends": ["agents"]}
    _enforce_gate(tags, evidence, tax)
    assert tags["layers"] == ["model"] and tags["trends"] == ["agents"]


def test_no_claim_the_gate_calls_not_about_ai_carries_a_layer_or_trend() -> None:
    """On every labelled claim: the gate's "no" means no layer and no trend."""
    rows = load_rows()
    claims = [
        {
            "claim_id": r["claim_id"],
            "text": r["text"],
            "lead_in": r.get("lead_in"),
            "heading_path": r.get("heading_path"),
            "note_title": r.get("note_title"),
        }
        for r in rows
    ]
    evidence, _ = tag_claims(claims)
    closed = [c for c in claims if not c["about_ai"]]
    assert len(closed) > 1000  # most labelled claims are not about AI
    assert all(c["layers"] == [] and c["trends"] == [] for c in closed)
    closed_ids = {c["claim_id"] for c in closed}
    assert not [e for e in evidence if e["claim_id"] in closed_ids and e["group_id"] != "gate"]
    # Not vacuous: the taxonomy's trend phrases do occur in claims the gate closes
    # (the normal "distribution"...), and claims the gate opens do get trends.
    nlp = get_pipeline(None)
    finder = nlp.get_pipe("ytclaims_taxonomy").finder
    hits = [
        c for c in closed if any(g == "trends" for g, *_ in finder.find(nlp.make_doc(c["text"])))
    ]
    assert len(hits) >= 10
    assert sum(1 for c in claims if c["trends"]) >= 100


# --- unknown label ids ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("labels") / "w.duckdb"
    report = ingest([TAX / "ai_notes"], db, workers=1)
    assert report.n_errors == 0, report.problems
    return db


@pytest.mark.parametrize(
    ("option", "value", "group"),
    [("--layer", "infra", "layers"), ("--trend", "datacenters", "trends")],
)
def test_search_rejects_an_unknown_label_with_the_valid_ids(
    small_db: Path, option: str, value: str, group: str
) -> None:
    res = runner.invoke(app, ["search", "models", "--db", str(small_db), option, value])
    assert res.exit_code != 0
    ids = [lb.id for lb in get_taxonomy(None).group(group).labels]  # type: ignore[union-attr]
    assert value in res.stderr and all(i in res.stderr for i in ids), res.stderr
    ok = runner.invoke(app, ["search", "models", "--db", str(small_db), option, ids[0]])
    assert ok.exit_code == 0, ok.output


def test_evaluate_rejects_an_unknown_label_and_the_library_too(small_db: Path) -> None:
    res = runner.invoke(app, ["evaluate", "--dev", str(TAX / "dev_tiny.jsonl"), "--trend", "x"])
    assert res.exit_code == 1 and "cost_reduction" in res.stderr, res.stderr
    from ytclaims.research.search import search
    from ytclaims.warehouse.db import connect_read

    con = connect_read(small_db)
    try:
        with pytest.raises(errors.UnknownLabelError, match="application"):
            search(con, "models", layer="applications")
    finally:
        con.close()


def test_a_custom_taxonomy_s_labels_are_valid_filters(tmp_path: Path) -> None:
    db = tmp_path / "health.duckdb"
    report = ingest([TAX / "health_notes"], db, taxonomy=str(TAX / "health.toml"), workers=1)
    assert report.n_errors == 0
    health = tomllib.loads((TAX / "health.toml").read_text("utf-8"))
    label = next(g for g in health["groups"] if g["id"] == "layers")["labels"][0]["id"]
    res = runner.invoke(app, ["search", "sleep", "--db", str(db), "--layer", label])
    assert res.exit_code == 0, res.output


# --- the shipped model ----------------------------------------------------------------------------


def test_the_shipped_model_is_small_and_loads_offline() -> None:
    p = model_path()
    size = sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
    assert size < 8 * 1024 * 1024, size
    cfg = (p / "config.cfg").read_text("utf-8")
    assert "spacy.TextCatBOW" in cfg
    clf = load_classifier()
    assert clf is not None
    assert tuple(clf.get_pipe("textcat_multilabel").labels) == LABELS
    train_cfg = (REPO / "src" / "ytclaims" / "tags" / "train" / "config.cfg").read_text("utf-8")
    assert "spacy.TextCatBOW" in train_cfg


def test_feature_words_prefix_context_and_carry_rule_evidence() -> None:
    nlp = get_pipeline(None)
    claim = {
        "text": "Inference costs fell.",
        "lead_in": "Cost Reduction",
        "heading_path": "Trends",
        "note_title": "AI costs",
    }
    ev = [{"group": "trends", "label": "cost_reduction", "source": "lead_in", "evidence": "p"}]
    words = feature_words(nlp, claim, ev)
    assert words[:4] == ["inference", "costs", "fell", "."]
    assert "l:reduction" in words and "h:trends" in words and "t:ai" in words
    assert "r:cost_reduction:x" in words and "s:cost_reduction:lead_in" in words


def test_ai_words_flag_ai_terms_and_the_notes_density() -> None:
    note = [
        {"source_id": "n1", "text": "ChatGPT writes the drafts.", "note_title": "Writing"},
        {"source_id": "n1", "text": "Editors check them.", "note_title": "Writing"},
        {"source_id": "n2", "text": "A 5 ml dose of the model solution.", "note_title": "Dosing"},
    ]
    words = ai_words(note)
    assert "ai:text" in words[0] and "ai:claim" in words[0]
    assert "ai:none" in words[1] and "ai:noctx" in words[1]
    assert "ai:dens2" in words[0] and "ai:dens2" in words[1]  # half the note names AI
    # loose words ("ml", "model") are no AI terms
    assert "ai:none" in words[2] and "ai:dens0" in words[2]
    assert ai_fields({"heading_path": "Large language models", "text": "x"}) == {"head"}


def test_note_smoothing_moves_layers_towards_the_notes_mean() -> None:
    claims = [{"source_id": "a"}, {"source_id": "a"}, {"source_id": "b"}]
    probs = [{"model": 1.0, "agents": 1.0}, {"model": 0.0, "agents": 0.0}, {"model": 0.2}]
    out = note_smoothed(probs, claims, {"model": 0.5})
    assert out[0]["model"] == 0.75 and out[1]["model"] == 0.25 and out[2]["model"] == 0.2
    assert out[0]["agents"] == 1.0  # labels without a share keep their own probability


def test_a_closed_gate_leaves_no_gated_label_on_out_of_domain_claims() -> None:
    claims = [
        {"claim_id": "1", "source_id": "s", "text": "Simmer the model sauce for 5 ml of stock."},
        {"claim_id": "2", "source_id": "s", "text": "Agents book the venue; compute the cost."},
    ]
    tag_claims(claims)
    for c in claims:  # no AI term anywhere: the gate stays closed whatever the classifier says
        assert c["about_ai"] is False and c["layers"] == [] and c["trends"] == []


def test_explain_gives_the_classifier_probability_and_its_words(small_db: Path) -> None:
    from ytclaims.warehouse.db import connect_read

    con = connect_read(small_db)
    try:
        row = con.execute(
            "SELECT c.claim_id, e.label_score FROM claims c JOIN tag_evidence e USING (claim_id) "
            "WHERE e.context_source = 'classifier' AND e.group_id <> 'gate' LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    res = invoke(["explain", row[0], "--db", small_db])
    assert res.exit_code == 0, res.output
    assert f"classifier: probability {row[1]:.2f}" in res.output
    assert "words that raised it most (log-odds):" in res.output
