"""The analysis views (src/ytclaims/warehouse/views.sql) on the search fixture warehouse.

Every expectation is computed independently: from plain SQL on the base tables (claims,
anchors, anchor_resolution, sources, video_index, entities), from Python over their rows,
or from the fixture files (index pages read with the test helpers' own regex).
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from helpers import INDEX_ENTRY_RX, REPO, index_titles, loose_checkworthy, ro

from ytclaims.pipeline import ingest
from ytclaims.warehouse.db import apply_views, connect_write, views_sql

FIX = REPO / "tests" / "fixtures" / "search"
NOTES = FIX / "notes"
CAPTIONS = FIX / "captions"
TAXONOMY = FIX / "taxonomy.toml"
VIEWS_FILE = REPO / "src" / "ytclaims" / "warehouse" / "views.sql"
VIEW_NAMES = re.findall(r"CREATE OR REPLACE VIEW (\w+)", VIEWS_FILE.read_text("utf-8"))


def build(db: Path, notes: Path = NOTES) -> Path:
    with loose_checkworthy():
        ingest([notes, CAPTIONS], db, taxonomy=str(TAXONOMY), workers=1)
    con = connect_write(db)
    try:
        apply_views(con)
    finally:
        con.close()
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("views") / "views.duckdb")


def rows(db: Path, sql: str, params: list | None = None) -> list[dict]:
    with ro(db) as con:
        rel = con.execute(sql, params or [])
        cols = [d[0] for d in rel.description]
        return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


def index_order(page: Path) -> list[str]:
    """Video ids in the order the index page lists them, by the helpers' regex."""
    out = []
    for _, url in INDEX_ENTRY_RX.findall(page.read_text("utf-8")):
        out.append(re.search(r"v=([A-Za-z0-9_-]{11})", url).group(1))  # type: ignore[union-attr]
    return out


def base_claims(db: Path) -> list[dict]:
    """Claims with their channel (the note's, else the index page's) and source kind."""
    return rows(
        db,
        "SELECT c.claim_id, c.video_id, c.text, c.layers, c.trends, c.about_ai, c.n_anchors, "
        "s.source_kind, coalesce(c.channel, (SELECT min(i.channel) FROM video_index i "
        "WHERE i.video_id = c.video_id)) AS channel "
        "FROM claims c JOIN sources s ON s.source_id = c.source_id",
    )


def first_links(db: Path) -> dict[str, tuple]:
    """claim_id -> (url, seconds, status) of its first anchor with a known second (else
    (None, None, first anchor's status)), computed in Python over the anchors."""
    anchors = rows(
        db,
        "SELECT a.claim_id, a.anchor_ordinal, c.video_id, "
        "CASE WHEN r.source_id IS NULL THEN a.anchor_seconds ELSE r.seconds END AS sec, "
        "coalesce(r.timestamp_status, a.timestamp_status) AS status "
        "FROM anchors a JOIN claims c USING (claim_id) "
        "LEFT JOIN anchor_resolution r "
        "ON r.source_id = a.source_id AND r.anchor_ordinal = a.anchor_ordinal",
    )
    by: dict[str, list[dict]] = {}
    for a in sorted(anchors, key=lambda a: a["anchor_ordinal"]):
        by.setdefault(a["claim_id"], []).append(a)
    out = {}
    for cid, lst in by.items():
        ok = [a for a in lst if a["sec"] is not None]
        if ok:
            s = int(ok[0]["sec"] // 1)
            out[cid] = (
                f"https://www.youtube.com/watch?v={ok[0]['video_id']}&t={s}s",
                s,
                ok[0]["status"],
            )
        else:
            out[cid] = (None, None, lst[0]["status"])
    return out


# --- comments and idempotency -------------------------------------------------------------


def test_views_file_defines_the_promised_views() -> None:
    assert set(VIEW_NAMES) >= {
        "claims_by_layer",
        "claims_by_trend",
        "claims_by_channel",
        "claims_by_video",
        "video_timeline",
        "trend_counts_over_time",
        "entity_claims",
    }


def test_every_view_and_column_has_a_comment(db: Path) -> None:
    with ro(db) as con:
        views = dict(con.execute("SELECT view_name, comment FROM duckdb_views()").fetchall())
        cols = con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() "
            "WHERE table_name IN (SELECT unnest(?))",
            [VIEW_NAMES],
        ).fetchall()
    for v in VIEW_NAMES:
        assert views.get(v) and views[v].strip(), f"view {v} has no comment"
    assert {c[0] for c in cols} == set(VIEW_NAMES)
    assert [(t, c) for t, c, comment in cols if not (comment and comment.strip())] == []


def test_applying_views_again_changes_nothing(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "again.duckdb"
    shutil.copy(db, copy)
    q = (
        "SELECT view_name, sql, comment FROM duckdb_views() WHERE NOT internal ORDER BY 1",
        "SELECT table_name, column_name, comment FROM duckdb_columns() ORDER BY 1, 2",
    )
    with ro(copy) as con:
        before = [con.execute(s).fetchall() for s in q]
    con = connect_write(copy)  # re-applies schema.sql, which replaces citations and videos
    try:
        apply_views(con)
        con.execute(views_sql())
    finally:
        con.close()
    with ro(copy) as con:
        after = [con.execute(s).fetchall() for s in q]
        for v in VIEW_NAMES:
            con.execute(f"SELECT * FROM {v}").fetchall()
    assert after == before


# --- one row per claim per label ----------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "col", "group"),
    [
        ("claims_by_layer", "layer", "layers"),
        ("claims_by_trend", "trend", "trends"),
    ],
)
def test_label_views_unnest_each_claim(db: Path, view: str, col: str, group: str) -> None:
    claims = base_claims(db)
    links = first_links(db)
    want = sorted(
        (lb, c["claim_id"], c["channel"], c["source_kind"], c["text"]) + links[c["claim_id"]]
        for c in claims
        for lb in c[group]
    )
    got = sorted(
        (
            r[col],
            r["claim_id"],
            r["channel"],
            r["source_kind"],
            r["text"],
            r["url"],
            r["seconds"],
            r["timestamp_status"],
        )
        for r in rows(db, f"SELECT * FROM {view}")
    )
    assert len(want) > len({w[1] for w in want}), "some claim must carry two labels"
    assert got == want


def test_claim_links_is_the_first_citable_anchor(db: Path) -> None:
    links = first_links(db)
    got = {
        r["claim_id"]: (r["url"], r["seconds"], r["timestamp_status"])
        for r in rows(db, "SELECT * FROM claim_links")
    }
    assert got == links
    assert len(got) == len(base_claims(db))


# --- counts -------------------------------------------------------------------------------


def test_claims_by_channel_counts(db: Path) -> None:
    claims = base_claims(db)
    want: dict[object, dict[str, int]] = {}
    for c in claims:
        w = want.setdefault(c["channel"], Counter())
        w["n_claims"] += 1
        w["n_note_claims"] += c["source_kind"] == "note"
        w["n_transcript_claims"] += c["source_kind"] == "transcript"
        w["n_anchors"] += c["n_anchors"]
        w["n_about_ai"] += bool(c["about_ai"])
        w["n_with_layer"] += bool(c["layers"])
        w["n_with_trend"] += bool(c["trends"])
    for ch, w in want.items():
        w["n_videos"] = len({c["video_id"] for c in claims if c["channel"] == ch})
    got = {r.pop("channel"): r for r in rows(db, "SELECT * FROM claims_by_channel")}
    assert set(got) == set(want)
    assert None in got  # the transcript of a video no note or index page mentions
    for ch, w in want.items():
        assert {k: got[ch][k] for k in w} == dict(w), ch


def test_claims_by_video_counts_by_status(db: Path) -> None:
    status = rows(
        db,
        "SELECT c.video_id, coalesce(r.timestamp_status, a.timestamp_status) AS st, "
        "CASE WHEN r.source_id IS NULL THEN a.anchor_seconds ELSE r.seconds END AS sec "
        "FROM anchors a JOIN claims c USING (claim_id) LEFT JOIN anchor_resolution r "
        "ON r.source_id = a.source_id AND r.anchor_ordinal = a.anchor_ordinal",
    )
    claims = base_claims(db)
    titles = index_titles(NOTES / "alphachan" / "alphachan.md") | index_titles(
        NOTES / "betachan" / "betachan.md"
    )
    got = {r["video_id"]: r for r in rows(db, "SELECT * FROM claims_by_video")}
    assert set(got) >= set(titles) | {c["video_id"] for c in claims}
    statuses = (
        "verified",
        "corrected",
        "reinterpreted",
        "unverified",
        "ambiguous",
        "invalid",
        "transcript",
    )
    for vid, r in got.items():
        mine = [s for s in status if s["video_id"] == vid]
        assert r["title"] == titles.get(vid)
        assert r["n_claims"] == sum(c["video_id"] == vid for c in claims)
        assert r["n_transcript_claims"] == sum(
            c["video_id"] == vid and c["source_kind"] == "transcript" for c in claims
        )
        assert r["n_citations"] == len(mine)
        assert r["n_citable"] == sum(s["sec"] is not None for s in mine)
        for st in statuses:
            assert r[f"n_{st}"] == sum(s["st"] == st for s in mine), (vid, st)
        assert sum(r[f"n_{st}"] for st in statuses) == r["n_citations"]
    assert got["srchBetaNo1"]["n_claims"] == 0  # listed on an index page, no notes
    assert sum(r["n_verified"] for r in got.values()) > 0  # the transcript checked something


# --- timeline -----------------------------------------------------------------------------


def _mmss(s: int | None) -> str | None:
    if s is None:
        return None
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60:02d}:{rest % 60:02d}"


def test_video_timeline_is_in_time_order(db: Path) -> None:
    cites = rows(db, "SELECT video_id, claim_id, anchor_ordinal, seconds FROM citations")
    got = rows(db, "SELECT * FROM video_timeline ORDER BY video_id, position")
    assert sorted((r["video_id"], r["claim_id"], r["anchor_ordinal"]) for r in got) == sorted(
        (c["video_id"], c["claim_id"], c["anchor_ordinal"]) for c in cites
    )
    for vid in {r["video_id"] for r in got}:
        mine = [r for r in got if r["video_id"] == vid]
        assert [r["position"] for r in mine] == list(range(1, len(mine) + 1))
        secs = [r["seconds"] for r in mine]
        known = [s for s in secs if s is not None]
        assert known == sorted(known)
        assert secs == known + [None] * (len(secs) - len(known))  # unknown seconds last
    for r in got:
        assert r["mmss"] == _mmss(r["seconds"])
    # agents_talk.md writes its anchors out of order, one of them past the hour.
    c3 = [r["seconds"] for r in got if r["video_id"] == "srchAlphaC3"]
    doc_order = [
        s["seconds"]
        for s in sorted(
            (c for c in cites if c["video_id"] == "srchAlphaC3"), key=lambda c: c["anchor_ordinal"]
        )
    ]
    assert c3 != doc_order
    assert any(r["mmss"] and r["mmss"].count(":") == 2 for r in got)


# --- trends over time ---------------------------------------------------------------------


def check_trend_grid(db: Path, notes: Path) -> list[dict]:
    claims = base_claims(db)
    got = rows(db, "SELECT * FROM trend_counts_over_time")
    trends = sorted({t for c in claims for t in c["trends"]})
    assert trends and sorted({r["trend"] for r in got}) == trends
    for ch in ("alphachan", "betachan"):
        listed = index_order(notes / ch / f"{ch}.md")
        for t in trends:
            seq = sorted(
                (r for r in got if r["channel"] == ch and r["trend"] == t),
                key=lambda r: r["video_order"],
            )
            assert [r["video_id"] for r in seq] == listed
            assert [r["video_order"] for r in seq] == list(range(1, len(listed) + 1))
            assert {r["order_basis"] for r in seq} == {"index_page"}
            running = 0
            for r in seq:
                mine = [c for c in claims if c["video_id"] == r["video_id"]]
                n = sum(t in c["trends"] for c in mine)
                running += n
                assert (r["n_claims"], r["n_claims_total"], r["cumulative_claims"]) == (
                    n,
                    len(mine),
                    running,
                )
                assert r["share"] == (n / len(mine) if mine else None)
    orphan = [r for r in got if r["video_id"] == "srchOrphan1"]
    assert orphan and {r["order_basis"] for r in orphan} == {"first_loaded"}
    return got


def test_trend_counts_follow_the_index_page_order(db: Path) -> None:
    check_trend_grid(db, NOTES)
    # The fixture lists alphachan's videos in neither id nor file order.
    listed = index_order(NOTES / "alphachan" / "alphachan.md")
    assert listed != sorted(listed)


def test_reordered_index_page_reorders_the_videos(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(NOTES, notes)
    db = build(tmp_path / "reorder.duckdb", notes)
    check_trend_grid(db, notes)
    page = notes / "alphachan" / "alphachan.md"
    head, _, body = page.read_text("utf-8").partition("---\n###")
    entries = ("###" + body).split("\n\n")
    page.write_text(head + "---\n" + "\n\n".join(reversed([e.strip() for e in entries])) + "\n")
    assert index_order(page) == list(reversed(index_order(NOTES / "alphachan" / "alphachan.md")))
    build(db, notes)  # re-ingest: the changed page replaces its rows
    check_trend_grid(db, notes)


# --- entities -----------------------------------------------------------------------------


def test_entity_claims_join_each_entity_to_its_claim_and_link(db: Path) -> None:
    ents = rows(
        db,
        "SELECT e.claim_id, e.label, e.text, e.value, e.start_char, c.text AS claim_text "
        "FROM entities e JOIN claims c USING (claim_id)",
    )
    links = first_links(db)
    got = rows(db, "SELECT * FROM entity_claims")
    assert {e["label"] for e in ents} >= {"ORG", "MONEY", "YEAR", "PERCENT"}
    assert sorted(
        (
            r["claim_id"],
            r["entity_label"],
            r["entity_text"],
            r["entity_value"],
            r["claim_text"],
            r["url"],
            r["seconds"],
        )
        for r in got
    ) == sorted(
        (e["claim_id"], e["label"], e["text"], e["value"], e["claim_text"])
        + links[e["claim_id"]][:2]
        for e in ents
    )
    for r in got:
        assert r["claim_text"][r["start_char"] : r["end_char"]] == r["entity_text"]


def test_citations_carry_each_claims_channel(db: Path) -> None:
    """citations.channel is the claim's channel as the label views give it: the note's,
    else (transcript claims) the video's; it was NULL for every transcript claim."""
    want = {c["claim_id"]: c["channel"] for c in base_claims(db)}
    got = rows(db, "SELECT DISTINCT claim_id, channel, source_kind FROM citations")
    assert {r["claim_id"]: r["channel"] for r in got} == {
        r["claim_id"]: want[r["claim_id"]] for r in got
    }
    assert any(r["source_kind"] == "transcript" and r["channel"] for r in got)
