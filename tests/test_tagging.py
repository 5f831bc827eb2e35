"""Layer/trend tagging: a taxonomy from a file, evidence, explain, entities, the evaluate
command and broken taxonomy files.

Fixtures (tests/fixtures/taxonomy) were written for these tests: ``health.toml`` (a
health-podcast taxonomy, rules only), notes for it, a CSS note, an AI-market note,
``dev_tiny.jsonl`` (hand-labelled claims) and two broken taxonomy files. Expected
labels are computed here from those files (phrase matching of our own), never copied
from a run of the tagger.
"""

from __future__ import annotations

import json
import re
import tomllib
from contextlib import nullcontext
from pathlib import Path

import pytest
from helpers import REPO, SEED, count_anchors, read_text, ro
from typer.testing import CliRunner

from ytclaims.cli import app
from ytclaims.pipeline import ingest

TAX = Path(__file__).resolve().parent / "fixtures" / "taxonomy"
HEALTH_TOML = TAX / "health.toml"
HEALTH_NOTES = TAX / "health_notes"
CSS_NOTES = TAX / "css_notes"
AI_NOTES = TAX / "ai_notes"
DEV = TAX / "dev_tiny.jsonl"
DEFAULT_TOML = REPO / "src" / "ytclaims" / "tags" / "taxonomy.toml"
ORGS = REPO / "src" / "ytclaims" / "tags" / "organizations.txt"

runner = CliRunner()


def invoke(args: list[str]):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def phrase_hits(phrases: list[str], text: str) -> list[str]:
    """Phrases found in text as whole words (case-insensitive; a final 's' allowed)."""
    low = text.lower()
    return [
        p
        for p in phrases
        if re.search(rf"(?<![\w-]){re.escape(p.lower())}s?(?![\w-])", low) is not None
    ]


def expected_health_tags(text: str) -> dict[str, object]:
    """What the health taxonomy says about a claim's text, computed from the TOML."""
    tax = tomllib.loads(HEALTH_TOML.read_text(encoding="utf-8"))
    gate = bool(phrase_hits(tax["gate"]["phrases"], text))
    out: dict[str, object] = {"gate": gate}
    for g in tax["groups"]:
        labels: dict[str, list[str]] = {}
        if gate or not g.get("requires_gate", False):
            for lb in g["labels"]:
                hits = phrase_hits(lb["phrases"], text)
                if hits:
                    labels[lb["id"]] = hits
        out[g["id"]] = labels
    return out


def claims_of(db: Path, where: str = "TRUE", params: list | None = None) -> list[dict]:
    with ro(db) as con:
        cur = con.execute(
            f"SELECT * FROM claims WHERE {where} ORDER BY claim_ordinal", params or []
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


# --- (a) a second taxonomy, from a file -------------------------------------------------------


@pytest.fixture(scope="module")
def health_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("health") / "health.duckdb"
    report = ingest([HEALTH_NOTES], db, taxonomy=str(HEALTH_TOML), workers=1)
    assert report.n_errors == 0, report.problems
    return db


def test_health_fixture_covers_every_label() -> None:
    tax = tomllib.loads(HEALTH_TOML.read_text(encoding="utf-8"))
    assert "classifier" not in tax
    note = read_text(next(HEALTH_NOTES.rglob("*.md")))
    wanted = {lb["id"] for g in tax["groups"] for lb in g["labels"]}
    found = set()
    for g in tax["groups"]:
        for lb in g["labels"]:
            if phrase_hits(lb["phrases"], note):
                found.add(lb["id"])
    assert found == wanted == {"nutrition", "sleep", "exercise", "fasting"}


def test_taxonomy_file_sets_layers_and_trends(health_db: Path) -> None:
    claims = claims_of(health_db)
    assert len(claims) == count_anchors(read_text(next(HEALTH_NOTES.rglob("*.md"))))
    seen: set[str] = set()
    for c in claims:
        want = expected_health_tags(c["text"])
        assert sorted(c["layers"]) == sorted(want["layers"]), (c["text"], c["layers"])
        assert sorted(c["trends"]) == sorted(want["trends"]), (c["text"], c["trends"])
        # The gate column holds this taxonomy's gate (about_health), not "about AI".
        assert c["about_ai"] is want["gate"], (c["text"], c["about_ai"])
        seen |= set(c["layers"]) | set(c["trends"])
    assert seen == {"nutrition", "sleep", "exercise", "fasting"}
    default_ids = {
        lb["id"]
        for g in tomllib.loads(DEFAULT_TOML.read_text(encoding="utf-8"))["groups"]
        for lb in g["labels"]
    }
    assert not seen & default_ids


def test_claim_tags_hold_every_group_label(health_db: Path) -> None:
    with ro(health_db) as con:
        tags = con.execute("SELECT claim_id, group_id, label_id FROM claim_tags").fetchall()
    claims = {c["claim_id"]: c for c in claims_of(health_db)}
    want = sorted(
        [(cid, "layers", lb) for cid, c in claims.items() for lb in c["layers"]]
        + [(cid, "trends", lb) for cid, c in claims.items() for lb in c["trends"]]
    )
    assert sorted(tags) == want


def test_tag_evidence_names_the_matched_phrases(health_db: Path) -> None:
    with ro(health_db) as con:
        ev = con.execute(
            "SELECT claim_id, group_id, label_id, context_source, evidence_id, matched_text "
            "FROM tag_evidence"
        ).fetchall()
    assert ev
    for c in claims_of(health_db):
        want = expected_health_tags(c["text"])
        mine = [e for e in ev if e[0] == c["claim_id"]]
        for group in ("layers", "trends"):
            for label, phrases in want[group].items():  # type: ignore[union-attr]
                rows = [e for e in mine if e[1] == group and e[2] == label]
                for p in phrases:
                    assert any(
                        e[3] == "text" and e[4] == f"phrase:{p}" and e[5].lower() == p for e in rows
                    ), (c["text"], label, p, rows)
                    assert p.lower() in c["text"].lower()
        # Nothing is evidence for a label the claim did not get.
        assigned = {("layers", x) for x in c["layers"]} | {("trends", x) for x in c["trends"]}
        assert {(e[1], e[2]) for e in mine if e[1] != "gate"} <= assigned
        gate_rows = [e for e in mine if e[1] == "gate"]
        assert bool(gate_rows) is want["gate"]
        assert all(e[2] == "about_health" for e in gate_rows)


def test_cli_no_prefect_ingest_uses_the_taxonomy_file(health_db: Path, tmp_path: Path) -> None:
    """``ytclaims ingest --no-prefect --taxonomy FILE`` must tag like ingest(taxonomy=FILE)."""
    db = tmp_path / "cli.duckdb"
    res = invoke(["ingest", HEALTH_NOTES, "--db", db, "--no-prefect", "--taxonomy", HEALTH_TOML])
    assert res.exit_code == 0, res.output
    got = {c["text"]: (c["layers"], c["trends"], c["about_ai"]) for c in claims_of(db)}
    for c in claims_of(health_db):
        want = expected_health_tags(c["text"])
        assert sorted(got[c["text"]][0]) == sorted(want["layers"]), c["text"]
        assert sorted(got[c["text"]][1]) == sorted(want["trends"]), c["text"]


def test_cli_no_prefect_ingest_honours_no_tag(tmp_path: Path) -> None:
    db = tmp_path / "notag.duckdb"
    res = invoke(["ingest", HEALTH_NOTES, "--db", db, "--no-prefect", "--no-tag"])
    assert res.exit_code == 0, res.output
    with ro(db) as con:
        n_ev = con.execute("SELECT count(*) FROM tag_evidence").fetchone()[0]
        n_tags = con.execute("SELECT count(*) FROM claim_tags").fetchone()[0]
    assert (n_ev, n_tags) == (0, 0)
    for c in claims_of(db):
        assert c["layers"] == [] and c["trends"] == [], c["text"]


# --- (b), (c) the default taxonomy: seed note, a CSS note, entities ---------------------------


@pytest.fixture(scope="module")
def default_db(seed_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("default") / "default.duckdb"
    report = ingest([seed_path, CSS_NOTES, AI_NOTES], db, workers=1)
    assert report.n_errors == 0, report.problems
    return db


def _seed_cost_reduction_text() -> str:
    """The first claim after the seed's ``**Cost Reduction**:`` lead-in, from the file."""
    line = next(x for x in read_text(SEED).splitlines() if "**Cost Reduction**:" in x)
    after = line.split("**Cost Reduction**:", 1)[1]
    return " ".join(after.split("<a ", 1)[0].split())


def test_seed_cost_reduction_claim_has_the_trend(default_db: Path) -> None:
    head = _seed_cost_reduction_text()
    claims = claims_of(default_db, "lead_in = 'Cost Reduction'")
    assert claims, "no claim with the Cost Reduction lead-in"
    first = [c for c in claims if c["text"].startswith(head)]
    assert len(first) == 1, [c["text"] for c in claims]
    for c in claims:
        assert "cost_reduction" in c["trends"], (c["text"], c["trends"])


def test_explain_lists_the_lead_in_evidence(default_db: Path) -> None:
    head = _seed_cost_reduction_text()
    c = next(
        c for c in claims_of(default_db, "lead_in = 'Cost Reduction'") if c["text"].startswith(head)
    )
    res = invoke(["explain", c["claim_id"], "--db", default_db])
    assert res.exit_code == 0, res.output
    out = res.output
    assert c["claim_id"] in out and head in out
    assert "lead-in 'Cost Reduction'" in out
    lines = out.splitlines()
    heads = [i for i, ln in enumerate(lines) if ln.startswith("trends/cost_reduction")]
    assert len(heads) == 1, out
    section = []
    for ln in lines[heads[0] + 1 :]:
        if not ln.startswith("  "):  # evidence lines, and the classifier's words below its line
            break
        section.append(ln)
    assert any(
        ln.startswith("  - lead_in: 'Cost Reduction' matched phrase:cost reduction")
        for ln in section
    ), section
    with ro(default_db) as con:
        ev = con.execute(
            "SELECT context_source, matched_text FROM tag_evidence "
            "WHERE claim_id = ? AND label_id = 'cost_reduction'",
            [c["claim_id"]],
        ).fetchall()
    assert ("lead_in", "Cost Reduction") in ev


def test_non_ai_note_has_no_layers(default_db: Path) -> None:
    note = next(CSS_NOTES.rglob("*.md"))
    claims = claims_of(default_db, "note_title = 'CSS flexbox in 100 seconds'")
    assert len(claims) == count_anchors(read_text(note))
    for c in claims:
        assert c["layers"] == [], (c["text"], c["layers"])


def _entities(db: Path, claim_id: str) -> list[tuple]:
    with ro(db) as con:
        return con.execute(
            "SELECT label, text, start_char, end_char, value FROM entities WHERE claim_id = ? "
            "ORDER BY start_char",
            [claim_id],
        ).fetchall()


def test_entities_money_percent_multiplier_year_org(default_db: Path) -> None:
    claims = claims_of(default_db, "video_id = 'AiM4rket001'")
    assert len(claims) == 2
    money_claim = next(c for c in claims if "$1.2 trillion" in c["text"])
    other = next(c for c in claims if "80-90%" in c["text"])
    ents = _entities(default_db, money_claim["claim_id"]) + _entities(default_db, other["claim_id"])
    for c in claims:
        for label, text, start, end, _ in _entities(default_db, c["claim_id"]):
            assert c["text"][start:end] == text, (label, text)
    by_label: dict[str, list[tuple]] = {}
    for e in ents:
        by_label.setdefault(e[0], []).append(e)
    money = [e for e in by_label.get("MONEY", []) if "1.2" in e[1]]
    assert money and money[0][4] == pytest.approx(1.2 * 10**12), by_label.get("MONEY")
    years = [e for e in by_label.get("YEAR", []) if e[1] == "2030"]
    assert years and years[0][4] == 2030
    pct = [e for e in by_label.get("PERCENT", []) if e[1].startswith("80")]
    assert pct and pct[0][1].rstrip() == "80-90%", by_label.get("PERCENT")
    assert pct[0][4] is not None and 80 <= pct[0][4] <= 90
    mult = [e for e in by_label.get("MULTIPLIER", []) if e[1] == "10x"]
    assert mult and mult[0][4] == 10
    gazetteer = {x.strip() for x in ORGS.read_text(encoding="utf-8").splitlines()}
    assert "Nvidia" in gazetteer
    assert any(e[1] == "Nvidia" for e in by_label.get("ORG", [])), by_label.get("ORG")


# --- (d) ytclaims evaluate ---------------------------------------------------------------------

ROW_RX = re.compile(r"^(\S+)\s+(\d+\.\d\d)\s+(\d+\.\d\d)\s+(\d+\.\d\d)\s+(\d+)\s+(\d+)\s+(\d+)$")


def test_evaluate_prints_per_label_scores_we_can_recompute() -> None:
    from ytclaims.tags.evaluate import dev_claims
    from ytclaims.tags.tagger import tag_claims

    rows = [json.loads(x) for x in DEV.read_text(encoding="utf-8").splitlines() if x.strip()]
    res = invoke(["evaluate", "--dev", DEV])
    assert res.exit_code == 0, res.output
    printed = {}
    for line in res.output.splitlines():
        m = ROW_RX.match(line.strip())
        if m:
            printed[m.group(1)] = m.groups()[1:]
    assert f"dev claims: {len(rows)}" in res.output

    # The tagger's own predictions for the same claims...
    claims = dev_claims(rows)
    tag_claims(claims)
    # ...scored here against the gold labels, per label of the default taxonomy.
    tax = tomllib.loads(DEFAULT_TOML.read_text(encoding="utf-8"))
    groups = {g["id"]: [lb["id"] for lb in g["labels"]] for g in tax["groups"]}
    pairs = list(zip(rows, claims, strict=True))
    n_checked = 0
    f1s: dict[str, list[float]] = {"layers": [], "trends": []}
    micro = [0, 0, 0]
    for group in ("layers", "trends"):
        for label in groups[group]:
            tp = sum(1 for r, c in pairs if label in r[group] and label in c[group])
            fp = sum(1 for r, c in pairs if label not in r[group] and label in c[group])
            fn = sum(1 for r, c in pairs if label in r[group] and label not in c[group])
            p = tp / (tp + fp) if tp + fp else 0.0
            rc = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
            assert label in printed, (label, res.output)
            want = (f"{p:.2f}", f"{rc:.2f}", f"{f1:.2f}", str(tp), str(fp), str(fn))
            assert printed[label] == want, (label, printed[label], want)
            n_checked += 1
            f1s[group].append(f1)
            if group == "trends":
                micro = [micro[0] + tp, micro[1] + fp, micro[2] + fn]
    assert n_checked == len(groups["layers"]) + len(groups["trends"])
    gold_positive = {lb for r in rows for lb in r["layers"] + r["trends"]}
    assert len(gold_positive) >= 6
    macro = sum(f1s["layers"]) / len(f1s["layers"])
    assert f"layer macro-F1      {macro:.3f}" in res.output
    tp, fp, fn = micro
    mp = tp / (tp + fp) if tp + fp else 0.0
    mr = tp / (tp + fn) if tp + fn else 0.0
    mf = 2 * mp * mr / (mp + mr) if mp + mr else 0.0
    assert f"trend micro-F1      {mf:.3f}  (P {mp:.2f}, R {mr:.2f})" in res.output
    acc = sum(1 for r, c in pairs if bool(r["about_ai"]) == bool(c["about_ai"]))
    assert f"about-AI accuracy   {acc / len(rows):.3f}" in res.output


# --- (e) broken taxonomy files -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "says"),
    [("invalid.toml", "not valid TOML"), ("label_without_id.toml", "no 'id'")],
)
def test_broken_taxonomy_fails_clearly_and_writes_nothing(
    tmp_path: Path, name: str, says: str
) -> None:
    db = tmp_path / "wh" / "broken.duckdb"
    bad = TAX / "broken" / name
    with pytest.raises(tomllib.TOMLDecodeError) if name == "invalid.toml" else nullcontext():
        data = tomllib.loads(bad.read_text(encoding="utf-8"))
        assert any("id" not in lb for g in data["groups"] for lb in g["labels"])
    res = invoke(["ingest", HEALTH_NOTES, "--db", db, "--no-prefect", "--taxonomy", bad])
    assert res.exit_code != 0, res.output
    err = res.stderr
    assert err.startswith("error:"), err
    assert says in err, err
    assert "Traceback" not in res.output
    assert not db.exists()
    assert not list(tmp_path.rglob("*.duckdb*"))
