"""How far can ``citations.seconds`` be trusted? Measured against a hand-checked reference.

The reference (``benchmarks/data/spoken_reference.jsonl``) records, for a sample of
note claims, where the claim is actually spoken, found by a person reading the
captions (not by the aligner). For each reference claim, the citation's second (its
first anchor with a usable second) is compared with that spoken start.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb

from ytclaims.timestamps.align import content_terms

DEFAULT_REFERENCE = Path("benchmarks") / "data" / "spoken_reference.jsonl"


def load_reference(path: str | Path = DEFAULT_REFERENCE) -> list[dict]:
    return [json.loads(x) for x in Path(path).read_text("utf-8").splitlines() if x.strip()]


def evaluate_timestamps(
    con: duckdb.DuckDBPyConnection, reference: list[dict], *, tolerances: tuple[int, ...] = (15, 30)
) -> dict[str, object]:
    """Compare the warehouse's citations with the reference; also count past-end citations."""
    ref = [r for r in reference if r.get("spoken_start") is not None]
    videos = sorted({r["video_id"] for r in ref})
    rows = con.execute(
        """
        SELECT claim_id, seconds, timestamp_status, original_seconds, quote, quote_start, quote_end
        FROM citations
        WHERE video_id IN (SELECT unnest(?::VARCHAR[])) AND source_kind = 'note'
        ORDER BY claim_id, seconds IS NULL, anchor_ordinal
        """,
        [videos],
    ).fetchall()
    first: dict[str, tuple] = {}
    for cid, *rest in rows:
        first.setdefault(cid, tuple(rest))
    hits = Counter()
    hits_orig = Counter()
    missing = 0
    statuses: Counter[str] = Counter()
    errors_s: list[float] = []
    worst: list[tuple[float, str, object, float]] = []
    quoted = quote_time = quote_words = 0
    for r in ref:
        got = first.get(r["claim_id"])
        if got is None:
            missing += 1
            continue
        sec, status, orig, quote, q_start, q_end = got
        statuses[status] += 1
        if sec is None:
            continue
        # A claim restated in several places is spoken at each of them (reference field
        # also_spoken, filled for every 'approx' row by reading the captions).
        places = [r["spoken_start"]] + [p["start"] for p in r.get("also_spoken") or []]
        if quote:
            quoted += 1
            t, w = quote_supports(r, quote, q_start, q_end)
            quote_time += t
            quote_words += w
        err = min(abs(sec - p) for p in places)
        errors_s.append(err)
        worst.append((err, r["claim_id"], sec, r["spoken_start"]))
        for t in tolerances:
            if err <= t:
                hits[t] += 1
            if orig is not None and min(abs(orig - p) for p in places) <= t:
                hits_orig[t] += 1
    n = len(ref) - missing
    past_end = con.execute(
        """
        SELECT count(*) FROM citations c JOIN videos v USING (video_id)
        WHERE v.duration_seconds IS NOT NULL AND c.seconds > v.duration_seconds
        """
    ).fetchone()[0]  # type: ignore[index]
    video_status = dict(
        con.execute(
            "SELECT timestamp_status, count(*) FROM citations "
            "WHERE video_id IN (SELECT unnest(?::VARCHAR[])) AND source_kind = 'note' "
            "GROUP BY 1 ORDER BY 2 DESC",
            [videos],
        ).fetchall()
    )
    all_status = dict(
        con.execute(
            "SELECT timestamp_status, count(*) FROM citations GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
    )
    return {
        "reference_claims": len(ref),
        "matched_in_warehouse": n,
        "missing_in_warehouse": missing,
        "within": {t: hits[t] / n if n else 0.0 for t in tolerances},
        "within_counts": {t: hits[t] for t in tolerances},
        "within_stated_anchor": {t: hits_orig[t] / n if n else 0.0 for t in tolerances},
        "reference_statuses": dict(statuses),
        "videos": videos,
        "video_status_counts": video_status,
        "past_end_citations": past_end,
        "warehouse_status_counts": all_status,
        "worst": sorted(worst, reverse=True)[:10],
        "quoted": quoted,
        "quote_covers_spoken": quote_time / quoted if quoted else 0.0,
        "quote_has_evidence": quote_words / quoted if quoted else 0.0,
    }


#: The quote holds the reference's evidence when it has this share of its content words.
EVIDENCE_SHARE = 0.5


def quote_supports(ref: dict, quote: str, start: float, end: float) -> tuple[bool, bool]:
    """Does the stored quote support the claim, by the hand-made reference?

    Two checks: *time* (where a person found the claim spoken lies inside the quoted
    span, 2 s of slack for cue boundaries) and *words* (the quote contains at least half
    of the content words of the person's evidence quote, for the main place or any
    restatement).
    """
    spots = [(ref["spoken_start"], ref.get("evidence") or "")] + [
        (p["start"], p.get("evidence") or "") for p in ref.get("also_spoken") or []
    ]
    in_time = any(start - 2 <= t <= end + 2 for t, _ in spots)
    have = set(content_terms(quote))
    in_words = False
    for _, ev in spots:
        want = set(content_terms(ev.replace("...", " ")))
        if want and len(want & have) / len(want) >= EVIDENCE_SHARE:
            in_words = True
    return in_time, in_words


def format_timestamp_report(res: dict[str, object]) -> str:
    within = res["within"]
    lines = [
        f"reference claims: {res['reference_claims']} "
        f"(in warehouse: {res['matched_in_warehouse']}, missing: {res['missing_in_warehouse']}) "
        f"over {len(res['videos'])} videos",  # type: ignore[arg-type]
    ]
    for t, share in within.items():  # type: ignore[union-attr]
        orig = res["within_stated_anchor"][t]  # type: ignore[index]
        cnt = res["within_counts"][t]  # type: ignore[index]
        lines.append(
            f"citations.seconds within {t:>2} s of where spoken: {share:6.1%} ({cnt})   "
            f"stated anchor (resolved reading) alone: {orig:6.1%}"
        )
    lines.append(
        f"citations past the end of a video of known duration: {res['past_end_citations']}"
    )
    if res.get("quoted"):
        lines.append(
            f"quotes (spoken words at the cited second) for {res['quoted']} reference claims: "
            f"{res['quote_covers_spoken']:.1%} cover where the claim is spoken, "
            f"{res['quote_has_evidence']:.1%} contain the reference's evidence words"
        )
    lines.append(f"statuses of the reference claims: {res['reference_statuses']}")
    lines.append(f"statuses, all note anchors of these videos: {res['video_status_counts']}")
    lines.append(f"statuses, whole warehouse: {res['warehouse_status_counts']}")
    worst = res["worst"]
    if worst:
        lines.append("largest errors (error s, claim, cited, spoken):")
        for err, cid, sec, spoken in worst[:5]:  # type: ignore[union-attr]
            lines.append(f"  {err:8.1f}  {cid}  {sec}  {spoken}")
    return "\n".join(lines)
