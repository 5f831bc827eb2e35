"""Keyword search (BM25 through DuckDB's fts extension) over claims and transcript sentences.

The warehouse is built from notes and captions written for these tests
(tests/fixtures/search, see its README). Expectations come from the fixture files and
from plain SQL on the base tables, never from ytclaims.search itself: which claims
contain a query word, which labels a claim's words imply under the fixture taxonomy, the
cue times written in the SRT files, and the extension's own ``match_bm25`` macro for
scores.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from helpers import REPO, index_titles, ro

from ytclaims import errors
from ytclaims.pipeline import ingest
from ytclaims.research.search import search, search_sentences
from ytclaims.warehouse.db import apply_views, connect_write
from ytclaims.warehouse.search_index import build_search_index, load_fts

FIX = REPO / "tests" / "fixtures" / "search"
NOTES = FIX / "notes"
CAPTIONS = FIX / "captions"
TAXONOMY = FIX / "taxonomy.toml"

#: What the fixture taxonomy (rules only, claim text only) implies, as word regexes.
LABEL_WORDS = {
    "layers": {
        "infrastructure": r"\b(gpu|datacenter)\b",
        "application": r"\bchatbot\b",
    },
    "trends": {
        "cost_reduction": r"\bcheaper\b",
        "agents": r"\bagents?\b",
    },
}


def build(db: Path) -> Path:
    """Ingest the fixture (tagged with the fixture taxonomy), apply the views and build the
    index the way the loader does: inside one explicit transaction."""
    ingest([NOTES, CAPTIONS], db, taxonomy=str(TAXONOMY), workers=1)
    con = connect_write(db)
    try:
        apply_views(con)
        con.execute("BEGIN TRANSACTION")
        build_search_index(con)
        con.execute("COMMIT")
    finally:
        con.close()
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("search") / "search.duckdb")


def claim_facts(db: Path) -> dict[str, dict[str, object]]:
    """claim_id -> text, labels, video, source kind and channel, by plain SQL on base tables
    (a transcript claim's channel is the channel of the index page listing its video)."""
    with ro(db) as con:
        rows = con.execute(
            "SELECT c.claim_id, c.text, c.layers, c.trends, c.video_id, s.source_kind, "
            "coalesce(c.channel, (SELECT min(i.channel) FROM video_index i "
            "WHERE i.video_id = c.video_id)) "
            "FROM claims c JOIN sources s ON s.source_id = c.source_id"
        ).fetchall()
    keys = ("text", "layers", "trends", "video_id", "source_kind", "channel")
    return {r[0]: dict(zip(keys, r[1:], strict=True)) for r in rows}


def has_word(text: str, *words: str) -> bool:
    return any(re.search(rf"\b{w}\b", text, re.IGNORECASE) for w in words)


def srt_cues(path: Path) -> list[tuple[float, str]]:
    """(start seconds, text) of each cue, read with a regex of our own."""
    out = []
    for block in path.read_text("utf-8").strip().split("\n\n"):
        lines = block.splitlines()
        h, m, s, ms = map(int, re.match(r"(\d+):(\d+):(\d+),(\d+)", lines[1]).groups())  # type: ignore[union-attr]
        out.append((h * 3600 + m * 60 + s + ms / 1000, " ".join(lines[2:])))
    return out


def all_hits(con: duckdb.DuckDBPyConnection, query: str, **kw: object) -> list[dict]:
    return search(con, query, limit=10_000, **kw)  # type: ignore[arg-type]


# --- the extension ------------------------------------------------------------------------


def test_fts_loads_offline_from_the_wheel() -> None:
    import duckdb_extension_fts

    path = (
        Path(duckdb_extension_fts.__path__[0])
        / "extensions"
        / f"v{duckdb.__version__}"
        / "fts.duckdb_extension"
    )
    assert path.is_file()
    con = duckdb.connect()
    try:
        load_fts(con)
        assert con.execute("SELECT stem('running', 'english')").fetchone() == ("run",)
    finally:
        con.close()


# --- the fixture is what it claims to be --------------------------------------------------


def test_fixture_tags_follow_the_words(db: Path) -> None:
    facts = claim_facts(db)
    assert len(facts) >= 15
    for cid, f in facts.items():
        for group, labels in LABEL_WORDS.items():
            want = {lb for lb, rx in labels.items() if re.search(rx, str(f["text"]), re.I)}
            assert set(f[group]) == want, (cid, f["text"], group)  # type: ignore[call-overload]


# --- ranking ------------------------------------------------------------------------------


def test_hits_are_exactly_the_claims_with_a_query_word(db: Path) -> None:
    facts = claim_facts(db)
    want = {cid for cid, f in facts.items() if has_word(str(f["text"]), "inference", "cost")}
    with ro(db) as con:
        got = all_hits(con, "inference cost")
    assert {r["claim_id"] for r in got} == want
    assert len(got) == len(want)  # each claim once
    assert [r["rank"] for r in got] == list(range(1, len(got) + 1))
    scores = [r["score"] for r in got]
    assert scores == sorted(scores, reverse=True)


def test_short_repeated_mention_ranks_first(db: Path) -> None:
    # cost_talk.md: a 7-word claim saying "inference cost" twice, and a long claim saying
    # it once; every other hit says each word at most once.
    with ro(db) as con:
        got = all_hits(con, "inference cost")
    texts = [r["text"] for r in got]
    twice = next(i for i, t in enumerate(texts) if t.lower().count("inference cost") == 2)
    long_once = next(i for i, t in enumerate(texts) if t.startswith("Analysts said"))
    assert twice == 0
    assert twice < long_once


def test_scores_are_the_extensions_match_bm25(db: Path, tmp_path: Path) -> None:
    """ytclaims builds the index itself (incrementally); on a copy, the fts extension
    builds it its own way, and its match_bm25 macro gives the very same scores."""
    with ro(db) as con:
        got = {r["claim_id"]: r["score"] for r in all_hits(con, "inference cost chatbot")}
    copy = tmp_path / "extension.duckdb"
    shutil.copy(db, copy)
    con = connect_write(copy)
    try:
        load_fts(con)
        con.execute(
            "PRAGMA create_fts_index('claims', 'claim_id', 'text', stemmer='english', "
            "stopwords='english', ignore='(\\.|[^a-z0-9])+', strip_accents=1, lower=1, "
            "overwrite=1)"
        )
        macro = dict(
            con.execute(
                "SELECT claim_id, s FROM (SELECT claim_id, "
                "fts_main_claims.match_bm25(claim_id, 'inference cost chatbot') AS s "
                "FROM claims) WHERE s IS NOT NULL"
            ).fetchall()
        )
    finally:
        con.close()
    assert macro and set(got) == set(macro)
    for cid, s in macro.items():
        assert got[cid] == pytest.approx(s, rel=1e-9)


def test_stemming_matches_inflections(db: Path) -> None:
    # "agents" and "agent" share a stem; the index stores stems.
    facts = claim_facts(db)
    want = {cid for cid, f in facts.items() if has_word(str(f["text"]), "agent", "agents")}
    with ro(db) as con:
        assert {r["claim_id"] for r in all_hits(con, "agent")} == want
        assert {r["claim_id"] for r in all_hits(con, "AGENTS")} == want


def test_all_terms_keeps_claims_with_every_word(db: Path) -> None:
    facts = claim_facts(db)
    want = {
        cid
        for cid, f in facts.items()
        if has_word(str(f["text"]), "inference") and has_word(str(f["text"]), "chatbot")
    }
    assert want
    with ro(db) as con:
        got = all_hits(con, "inference chatbot", all_terms=True)
        # Two inflections of one word are one term: "agents agent" needs only "agent".
        agents = all_hits(con, "agents agent", all_terms=True)
    assert {r["claim_id"] for r in got} == want
    assert {r["claim_id"] for r in agents} == {
        cid for cid, f in facts.items() if has_word(str(f["text"]), "agent", "agents")
    }


def test_numbers_are_searchable(db: Path) -> None:
    facts = claim_facts(db)
    want = {cid for cid, f in facts.items() if "2024" in str(f["text"])}
    assert want
    with ro(db) as con:
        assert {r["claim_id"] for r in all_hits(con, "2024")} == want


# --- filters ------------------------------------------------------------------------------

FILTERS = [
    {"layer": "infrastructure"},
    {"layer": "application"},
    {"trend": "agents"},
    {"trend": "cost_reduction"},
    {"channel": "betachan"},
    {"channel": "ALPHACHAN"},
    {"video": "srchAlphaB2"},
    {"source_kind": "transcript"},
    {"source_kind": "note"},
    {"layer": "application", "channel": "alphachan"},
]


def _keeps(f: dict[str, object], flt: dict[str, str]) -> bool:
    ok = True
    if "layer" in flt:
        ok &= flt["layer"] in f["layers"]  # type: ignore[operator]
    if "trend" in flt:
        ok &= flt["trend"] in f["trends"]  # type: ignore[operator]
    if "channel" in flt:
        ok &= str(f["channel"]).lower() == flt["channel"].lower()
    if "video" in flt:
        ok &= f["video_id"] == flt["video"]
    if "source_kind" in flt:
        ok &= f["source_kind"] == flt["source_kind"]
    return ok


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()))
def test_filter_equals_filtering_the_full_ranking(db: Path, flt: dict[str, str]) -> None:
    facts = claim_facts(db)
    query = "inference cost chatbot agent gpu cheaper tokenizer"
    with ro(db) as con:
        full = all_hits(con, query)
        got = all_hits(con, query, **flt)
    want = [r["claim_id"] for r in full if _keeps(facts[r["claim_id"]], flt)]
    assert want, "the fixture must give every filter something to keep"
    assert len(want) < len(full), "and something to drop"
    assert [r["claim_id"] for r in got] == want
    assert [r["rank"] for r in got] == list(range(1, len(got) + 1))
    for r in got:
        assert r["score"] == pytest.approx(
            next(x["score"] for x in full if x["claim_id"] == r["claim_id"])
        )


def test_limit_cuts_the_ranking(db: Path) -> None:
    with ro(db) as con:
        full = all_hits(con, "inference cost")
        top3 = search(con, "inference cost", limit=3)
    assert len(full) > 3
    assert [r["claim_id"] for r in top3] == [r["claim_id"] for r in full[:3]]


# --- result fields ------------------------------------------------------------------------


def test_results_carry_the_first_citable_anchor_and_the_video_title(db: Path) -> None:
    titles = index_titles(NOTES / "alphachan" / "alphachan.md") | index_titles(
        NOTES / "betachan" / "betachan.md"
    )
    with ro(db) as con:
        got = all_hits(con, "inference cost chatbot agent gpu cheaper tokenizer weather")
        cites = con.execute(
            "SELECT claim_id, anchor_ordinal, seconds, url, timestamp_status, channel "
            "FROM citations ORDER BY claim_id, anchor_ordinal"
        ).fetchall()
    by_claim: dict[str, list[tuple]] = {}
    for c in cites:
        by_claim.setdefault(c[0], []).append(c)
    assert len(got) >= 15
    # The fixture has a claim whose first anchor is unusable and one with two usable ones.
    assert any(len(v) > 1 and v[0][2] is None for v in by_claim.values())
    assert any(len(v) > 1 and None not in (v[0][2], v[1][2]) for v in by_claim.values())
    for r in got:
        anchors = by_claim[r["claim_id"]]
        citable = [a for a in anchors if a[2] is not None]
        first = citable[0] if citable else anchors[0]
        assert (r["seconds"], r["url"], r["timestamp_status"]) == (
            first[2] if citable else None,
            first[3] if citable else None,
            first[4],
        )
        assert r["title"] == titles.get(r["video_id"])
        if r["url"] is not None:
            assert r["url"] == f"https://www.youtube.com/watch?v={r['video_id']}&t={r['seconds']}s"


def test_first_anchor_unusable_link_comes_from_the_second(db: Path) -> None:
    # gpu_talk.md: "... cost less than last spring [N/A] [00:03:20]."
    with ro(db) as con:
        (hit,) = [r for r in all_hits(con, "leases") if "leases" in r["text"]]
        first = con.execute(
            "SELECT seconds FROM citations WHERE claim_id = ? ORDER BY anchor_ordinal LIMIT 1",
            [hit["claim_id"]],
        ).fetchone()
    assert first == (None,)
    assert hit["seconds"] == 3 * 60 + 20
    assert hit["url"].endswith("v=srchAlphaB2&t=200s")


def test_transcript_claims_are_searched_with_their_cue_time(db: Path) -> None:
    cues = srt_cues(CAPTIONS / "srchAlphaA1.en.srt")
    start = next(s for s, t in cues if "90 percent" in t)
    with ro(db) as con:
        got = all_hits(con, "inference cost", source_kind="transcript")
    assert [r["text"] for r in got] == [t for s, t in cues if "90 percent" in t]
    (r,) = got
    assert r["timestamp_status"] == "transcript"
    assert r["url"] == f"https://www.youtube.com/watch?v=srchAlphaA1&t={int(start)}s"
    assert r["channel"] == "alphachan"  # from the index page: transcripts name no channel


# --- sentences ----------------------------------------------------------------------------


def test_search_sentences_finds_every_spoken_mention(db: Path) -> None:
    want = {
        (vid, int(s), t)
        for vid in ("srchAlphaA1", "srchOrphan1")
        for s, t in srt_cues(CAPTIONS / f"{vid}.en.srt")
        if has_word(t, "tokenizer")
    }
    assert len(want) == 2
    with ro(db) as con:
        got = search_sentences(con, "tokenizer")
        claim_texts = {t for (t,) in con.execute("SELECT text FROM claims").fetchall()}
    assert {(r["video_id"], r["seconds"], r["text"]) for r in got} == want
    for r in got:
        assert r["url"] == f"https://www.youtube.com/watch?v={r['video_id']}&t={r['seconds']}s"
    # Sentences that are not claims are found too.
    assert any(r["text"] not in claim_texts for r in got)


def test_search_sentences_filters(db: Path) -> None:
    with ro(db) as con:
        by_video = search_sentences(con, "tokenizer", video="srchOrphan1")
        by_channel = search_sentences(con, "tokenizer", channel="alphachan")
    assert [r["video_id"] for r in by_video] == ["srchOrphan1"]
    assert [r["video_id"] for r in by_channel] == ["srchAlphaA1"]
    assert (
        by_channel[0]["title"] == index_titles(NOTES / "alphachan" / "alphachan.md")["srchAlphaA1"]
    )


# --- bad queries and bad states -----------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "!!! ???", "the of and", "—"])
def test_queries_with_nothing_to_search_for_raise(db: Path, query: str) -> None:
    with ro(db) as con, pytest.raises(errors.QueryError) as exc:
        search(con, query)
    assert "e.g." in str(exc.value)  # the hint says what to type instead
    with ro(db) as con, pytest.raises(errors.QueryError):
        search_sentences(con, query)


def test_unknown_words_give_no_results_not_an_error(db: Path) -> None:
    with ro(db) as con:
        assert search(con, "xylophonequasar") == []


@pytest.mark.parametrize("kw", [{"limit": 0}, {"limit": -1}, {"source_kind": "video"}])
def test_bad_arguments_raise(db: Path, kw: dict[str, object]) -> None:
    with ro(db) as con, pytest.raises(errors.QueryError):
        search(con, "inference", **kw)  # type: ignore[arg-type]


def test_missing_index_is_explained(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "noindex.duckdb"
    shutil.copy(db, copy)
    con = connect_write(copy)
    try:  # a warehouse from before search existed: no index, no fingerprint
        load_fts(con)
        con.execute("PRAGMA drop_fts_index('claims')")
        con.execute("DELETE FROM meta WHERE key LIKE 'search_index%'")
    finally:
        con.close()
    db = copy
    with ro(db) as con, pytest.raises(errors.QueryError, match="no search index"):
        search(con, "inference")
    with ro(db) as con, pytest.raises(errors.QueryError, match="Empty"):
        search(con, "  ")  # the query is checked first: that error is the useful one


def _claim_with(con: duckdb.DuckDBPyConnection, word: str) -> str:
    return con.execute(
        "SELECT min(claim_id) FROM claims WHERE text ILIKE ?", [f"%{word}%"]
    ).fetchone()[0]  # type: ignore[index]


def _delete_claim(con: duckdb.DuckDBPyConnection, cid: str) -> None:
    con.execute("DELETE FROM anchors WHERE claim_id = ?", [cid])
    con.execute("DELETE FROM claims WHERE claim_id = ?", [cid])


def test_stale_index_is_refused_until_rebuilt(db: Path, tmp_path: Path) -> None:
    with ro(db) as con:
        cid = _claim_with(con, "weather")
        assert [r["claim_id"] for r in search(con, "weather")] == [cid]
    copy = tmp_path / "stale.duckdb"
    shutil.copy(db, copy)
    con = connect_write(copy)
    try:
        _delete_claim(con, cid)  # autocommit, no rebuild
    finally:
        con.close()
    with ro(copy) as con, pytest.raises(errors.QueryError, match="out of date"):
        search(con, "weather")
    con = connect_write(copy)
    try:
        build_search_index(con)
    finally:
        con.close()
    with ro(copy) as con:
        assert search(con, "weather") == []


def test_index_built_in_a_transaction_commits_and_rolls_back_with_the_claims(
    db: Path, tmp_path: Path
) -> None:
    with ro(db) as con:
        gone, kept = _claim_with(con, "weather"), _claim_with(con, "boilerplate")
        assert [r["claim_id"] for r in search(con, "weather")] == [gone]
        assert [r["claim_id"] for r in search(con, "boilerplate")] == [kept]
    copy = tmp_path / "txn.duckdb"
    shutil.copy(db, copy)
    con = connect_write(copy)
    try:
        con.execute("BEGIN TRANSACTION")
        _delete_claim(con, gone)
        assert build_search_index(con)["claims_rebuilt"]
        con.execute("COMMIT")

        con.execute("BEGIN TRANSACTION")
        _delete_claim(con, kept)
        assert build_search_index(con)["claims_rebuilt"]
        con.execute("ROLLBACK")
    finally:
        con.close()
    with ro(copy) as con:
        # Fresh after both: the committed index matches the committed claims.
        assert search(con, "weather") == []
        assert [r["claim_id"] for r in search(con, "boilerplate")] == [kept]


def test_unchanged_index_is_not_rebuilt(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "again.duckdb"
    shutil.copy(db, copy)
    con = connect_write(copy)
    try:
        again = build_search_index(con)
        forced = build_search_index(con, force=True)
        n = con.execute("SELECT count(*) FROM claims").fetchone()[0]  # type: ignore[index]
    finally:
        con.close()
    assert not again["claims_rebuilt"] and not again["sentences_rebuilt"]
    assert forced["claims_rebuilt"] and forced["sentences_rebuilt"]
    assert again["claims"] == n


def _postings(con: duckdb.DuckDBPyConnection, fts: str) -> tuple[object, ...]:
    """The index as names and terms (internal numbers differ between builds)."""
    return (
        sorted(con.execute(f"SELECT name, len FROM {fts}.docs").fetchall()),
        sorted(con.execute(f"SELECT term, df FROM {fts}.dict").fetchall()),
        sorted(
            con.execute(
                f"SELECT d.name, w.term, t.doclen FROM {fts}.terms t JOIN {fts}.docs d "
                f"USING (docid) JOIN {fts}.dict w USING (termid)"
            ).fetchall()
        ),
        con.execute(f"SELECT num_docs, round(avgdl, 9) FROM {fts}.stats").fetchall(),
    )


@pytest.mark.parametrize("resort_share", [0.0, 1.0], ids=["re-sorted", "appended"])
def test_incremental_index_equals_a_full_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resort_share: float
) -> None:
    """Adding, changing and removing sources updates only their documents, and the
    result is the index a full rebuild makes (same postings, frequencies, lengths),
    whether the appended postings were re-sorted into place or not."""
    from ytclaims.warehouse import search_index

    monkeypatch.setattr(search_index, "RESORT_SHARE", resort_share)
    tree = tmp_path / "in"
    shutil.copytree(FIX, tree)
    db = tmp_path / "w.duckdb"
    ingest([tree / "notes", tree / "captions"], db, workers=1, tag=False)
    notes = [n for n in sorted((tree / "notes").rglob("*.md")) if "videoId:" in n.read_text()]
    notes[0].unlink()  # removed
    anchor = '<a class="yt-timestamp" data-t="00:01:00">[00:01:00]</a>'
    with notes[1].open("a", encoding="utf-8") as fh:  # a new claim, old and new words
        fh.write(f"\nServing zebra costs fell for the agents {anchor}.\n")
    srt = sorted((tree / "captions").rglob("*.srt"))[0]  # same ids, other text
    srt.write_text(srt.read_text(encoding="utf-8").replace("the", "a"), encoding="utf-8")
    ingest([tree / "notes", tree / "captions"], db, workers=1, tag=False, prune=True)
    incremental = tmp_path / "incremental.duckdb"
    shutil.copy(db, incremental)
    con = connect_write(incremental)
    try:
        kept = _postings(con, "fts_main_claims"), _postings(con, "fts_main_sentence_docs")
        termids = [r[0] for r in con.execute("SELECT termid FROM fts_main_claims.terms").fetchall()]
        assert (termids == sorted(termids)) == (resort_share == 0.0)
        build_search_index(con, force=True)
        full = _postings(con, "fts_main_claims"), _postings(con, "fts_main_sentence_docs")
    finally:
        con.close()
    assert kept[0][0] and kept == full


def test_index_tables_carry_comments(db: Path) -> None:
    where = (
        "WHERE schema_name IN ('fts_main_claims', 'fts_main_sentence_docs') "
        "OR (schema_name = 'main' AND table_name = 'sentence_docs')"
    )
    with ro(db) as con:
        tables = con.execute(
            f"SELECT schema_name, table_name, comment FROM duckdb_tables() {where}"
        ).fetchall()
        cols = con.execute(
            f"SELECT schema_name, table_name, column_name, comment FROM duckdb_columns() {where}"
        ).fetchall()
    assert {t[0] for t in tables} == {"main", "fts_main_claims", "fts_main_sentence_docs"}
    assert [t for t in tables if not (t[2] and t[2].strip())] == []
    assert [c for c in cols if not (c[3] and c[3].strip())] == []
