"""Draw the claims to label for the tagger (how `data/tagging/sample.jsonl` was made).

Input: a warehouse built from the shared notes and the unpacked training notes *without
tagging*, so no tagger output exists anywhere near the sample:

    tar xJf ../shared/corpus/training_notes.tar.xz -C /tmp/training_notes
    ytclaims ingest ../shared/corpus/notes /tmp/training_notes --db /tmp/corpus.duckdb \
        --no-prefect --no-tag
    python data/tagging/draw_sample.py /tmp/corpus.duckdb --round 1

Strata (every claim at least 25 characters, each text once, none already in the old
training or dev files):

* ``random``: up to 30 claims per channel folder, in ``hash(claim_id || 'tag2')`` order —
  the unbiased part, mostly not about AI;
* ``ai_note``: claims of notes whose title names AI (the regex below), up to 40 per channel
  (redpointai 300, fireship 120, jimruttshow8596 150) — where layers and trends live;
* ``ai_mention``: claims whose own text names AI in notes whose title does not, up to 12
  per channel — the hard cases for the about-AI gate;
* ``trend:<id>`` (round 2 and later): broad keyword searches per trend, run after the
  earlier rounds were labelled and counted, to reach 40 positives per trend. Every
  candidate is labelled, positive or not.

The channel is the notes' folder name (the ``From:`` line spells some channels two ways).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb

HERE = Path(__file__).parent
AI_TITLE = (
    r"(?i)\b(AI|A\.I\.|artificial intelligence|GPT\S*|LLMs?|ChatGPT|OpenAI|Claude|Gemini|"
    r"Copilot|machine learning|deep learning|neural|agents?|agentic|Llama|DeepSeek|Nvidia|"
    r"GPUs?|Anthropic|Mistral|transformers?|diffusion|AGI|chatbots?|LangChain|RAG|"
    r"embeddings?|inference|data ?cent(er|re)s?|robotics|self-driving|Cursor|Devin)\b"
)
AI_TEXT = (
    r"\b(AI|A\.I\.|artificial intelligence|GPT\S*|LLMs?|ChatGPT|OpenAI|Claude|Gemini|Copilot|"
    r"machine learning|deep learning|neural net\w*|agentic|Llama|DeepSeek|Nvidia|Anthropic|"
    r"chatbots?|AGI|language models?)\b"
)
CAPS = {"redpointai": 300, "fireship": 120, "jimruttshow8596": 150}
TAKEN_FILES = [
    HERE.parent.parent / "benchmarks/data/tagging_dev.jsonl",
    HERE.parent.parent / "src/ytclaims/tags/train/train.jsonl",
    HERE.parent.parent / "src/ytclaims/tags/train/train_more.jsonl",
]

#: Keyword searches, one per trend (ctx = heading, lead-in and text). Round 2 used these;
#: round 3 used ``switching_costs_3`` after round 2 left that trend at 22 positives, and
#: round 4 ``switching_costs_4`` after round 3 left it at 37.
TREND_QUERIES = {
    "switching_costs_4": "text ILIKE '%different models%' OR text ILIKE '%multiple models%' OR "
    "text ILIKE '%various models%' OR text ILIKE '%model choice%' OR text ILIKE '%choose%model%' "
    "OR text ILIKE '%which model%' OR text ILIKE '%best model%' OR ctx ILIKE '%provider%' OR "
    "ctx ILIKE '%portab%' OR ctx ILIKE '%sovereign%' OR ctx ILIKE '%interoperab%' OR ctx ILIKE "
    "'%compatib%' OR ctx ILIKE '%openrouter%' OR ctx ILIKE '%abstraction%' OR ctx ILIKE "
    "'%proprietary%' OR ctx ILIKE '%open-source model%' OR ctx ILIKE '%open source model%'",
    "switching_costs_3": "ctx ILIKE '%switch%' OR ctx ILIKE '%lock%' OR ctx ILIKE '%vendor%' "
    "OR ctx ILIKE '%agnostic%' OR ctx ILIKE '%portab%' OR ctx ILIKE '%migrat%' OR ctx ILIKE "
    "'%multi-model%' OR ctx ILIKE '%multiple providers%' OR ctx ILIKE '%one provider%' OR ctx "
    "ILIKE '%single provider%' OR ctx ILIKE '%dependen%' OR ctx ILIKE '%swap%' OR ctx ILIKE "
    "'%replace the model%' OR ctx ILIKE '%any model%' OR ctx ILIKE '%any llm%' OR ctx ILIKE "
    "'%router%' OR ctx ILIKE '%routing%' OR ctx ILIKE '%open standard%'",
    "switching_costs": "ctx ILIKE '%switching cost%' OR ctx ILIKE '%lock-in%' OR ctx ILIKE "
    "'%locked in%' OR ctx ILIKE '%vendor lock%' OR text ILIKE '%model-agnostic%' OR text ILIKE "
    "'%model agnostic%' OR text ILIKE '%swap%model%' OR text ILIKE '%switch% model%' OR text "
    "ILIKE '%switch%provider%' OR text ILIKE '%multiple model%' OR text ILIKE '%bring your own "
    "model%' OR text ILIKE '%interchangeab%' OR text ILIKE '%depend% on openai%'",
    "rapid_evolution": "(text ILIKE '%pace of%' OR text ILIKE '%rapid progress%' OR text ILIKE "
    "'%rapidly evolv%' OR text ILIKE '%rapidly chang%' OR text ILIKE '%moving so fast%' OR text "
    "ILIKE '%every few months%' OR text ILIKE '%every week%' OR text ILIKE '%fast-moving%' OR "
    "text ILIKE '%accelerat%' OR text ILIKE '%exponential%' OR text ILIKE '%so quickly%' OR text "
    "ILIKE '%a year ago%')",
    "inference_market": "text ILIKE '%inference%' OR text ILIKE '%on-device%' OR text ILIKE "
    "'%token price%' OR text ILIKE '%per token%' OR text ILIKE '%serving models%' OR text ILIKE "
    "'%run locally%' OR text ILIKE '%test-time compute%'",
    "distribution_moat": "ctx ILIKE '%moat%' OR ctx ILIKE '%defensib%' OR text ILIKE "
    "'%distribution%' OR text ILIKE '%network effect%' OR text ILIKE '%competitive advantage%' "
    "OR text ILIKE '%incumbent%' OR text ILIKE '%up the stack%' OR text ILIKE '%proprietary "
    "data%'",
    "market_growth": "(text LIKE '%$%' AND (text ILIKE '%billion%' OR text ILIKE '%million%' OR "
    "text ILIKE '%trillion%')) OR text ILIKE '%million users%' OR text ILIKE '%valuation%' OR "
    "text ILIKE '%revenue%' OR text LIKE '%ARR%' OR text ILIKE '%adoption%' OR text ILIKE "
    "'%market size%' OR text ILIKE '%funding%'",
    "data_centers": "ctx ILIKE '%data center%' OR ctx ILIKE '%datacenter%' OR ctx ILIKE "
    "'%data centre%' OR text ILIKE '%gigawatt%' OR text ILIKE '%megawatt%' OR text ILIKE "
    "'%GPU cluster%' OR text ILIKE '%compute capacity%' OR text ILIKE '%power plant%' OR text "
    "ILIKE '%H100%' OR text ILIKE '%build-out%' OR text ILIKE '%capex%' OR text ILIKE "
    "'%electricity%' OR text ILIKE '%supercomputer%'",
    "cost_reduction": "text ILIKE '%cheaper%' OR text ILIKE '%cost%' OR text ILIKE "
    "'%price%' OR text ILIKE '%expensive%' OR text ILIKE '%efficien%'",
    "commoditization": "text ILIKE '%commodit%' OR text ILIKE '%open source%' OR text ILIKE "
    "'%open-source%' OR text ILIKE '%catching up%' OR text ILIKE '%caught up%' OR text ILIKE "
    "'%open weight%' OR text ILIKE '%open model%' OR text ILIKE '%race to the bottom%'",
    "specialization": "text ILIKE '%robot%' OR text ILIKE '%self-driving%' OR text ILIKE "
    "'%medic%' OR text ILIKE '%drug%' OR text ILIKE '%protein%' OR text ILIKE '%legal%' OR text "
    "ILIKE '%vertical%' OR text ILIKE '%fine-tun%' OR text ILIKE '%domain-specific%' OR text "
    "ILIKE '%healthcare%' OR text ILIKE '%biology%'",
    "use_case_discovery": "text ILIKE '%experiment%' OR text ILIKE '%pilot%' OR text ILIKE "
    "'%proof of concept%' OR text ILIKE '%use case%' OR text ILIKE '%killer app%' OR text ILIKE "
    "'%figuring out%' OR text ILIKE '%early days%' OR text ILIKE '%start small%'",
    "agents": "text ILIKE '%agent%' OR text ILIKE '%tool use%' OR text ILIKE '%function call%' "
    "OR text ILIKE '%computer use%' OR text ILIKE '%autonomous%' OR text ILIKE '%takes action%' "
    "OR text ILIKE '%mcp%'",
}

BASE = """
WITH c AS (
  SELECT c.claim_id, c.text, c.note_title, c.heading_path, c.lead_in, c.claim_ordinal,
         c.source_id, s.source_path,
         regexp_extract(s.source_path, '([^/]+)/[^/]+$', 1) AS channel_dir,
         lag(c.text) OVER (PARTITION BY c.source_id ORDER BY c.claim_ordinal) AS prev,
         coalesce(c.heading_path,'') || ' ' || coalesce(c.lead_in,'') || ' ' || c.text AS ctx
  FROM claims c JOIN sources s USING (source_id)
  WHERE s.source_kind = 'note'
)
SELECT * FROM c WHERE length(text) >= 25
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db", help="warehouse built with --no-tag (see the module docstring)")
    ap.add_argument("--round", type=int, default=1)
    ap.add_argument("--per-trend", type=int, default=0, help="round 2+: candidates per trend")
    ap.add_argument("--trends", default="", help="round 2+: comma-separated trend ids")
    ap.add_argument("--out", default=str(HERE / "sample.jsonl"))
    args = ap.parse_args()

    con = duckdb.connect(args.db, read_only=True)
    con.execute(f"CREATE TEMP TABLE pool AS {BASE}")
    taken_texts: set[str] = set()
    for f in TAKEN_FILES:
        if f.exists():
            taken_texts |= {json.loads(line)["text"] for line in f.open()}
    out = Path(args.out)
    if out.exists():
        for line in out.open():
            taken_texts.add(json.loads(line)["text"])
    con.execute("CREATE TEMP TABLE taken(text VARCHAR)")
    con.executemany("INSERT INTO taken VALUES (?)", [[t] for t in taken_texts])
    con.execute(
        "CREATE TEMP TABLE avail AS SELECT * FROM pool WHERE text NOT IN (SELECT text FROM taken)"
        " QUALIFY row_number() OVER (PARTITION BY text ORDER BY claim_id) = 1"
    )
    picked: list[tuple[str, str]] = []  # (claim_id, stratum)

    def take(sql: str, stratum: str, params: list[object] | None = None) -> None:
        seen = {cid for cid, _ in picked}
        for (cid,) in con.execute(sql, params or []).fetchall():
            if cid not in seen:
                picked.append((cid, stratum))
                seen.add(cid)

    if args.round == 1:
        take(
            "SELECT claim_id FROM avail QUALIFY row_number() OVER (PARTITION BY channel_dir "
            "ORDER BY hash(claim_id || 'tag2')) <= 30",
            "random",
        )
        cap_sql = " ".join(f"WHEN '{k}' THEN {v}" for k, v in CAPS.items())
        take(
            "SELECT claim_id FROM avail WHERE regexp_matches(note_title, ?) QUALIFY "
            "row_number() OVER (PARTITION BY channel_dir ORDER BY hash(claim_id || 'ai2')) <= "
            f"CASE channel_dir {cap_sql} ELSE 40 END",
            "ai_note",
            [AI_TITLE],
        )
        take(
            "SELECT claim_id FROM avail WHERE NOT regexp_matches(coalesce(note_title, ''), ?) "
            "AND regexp_matches(text, ?) QUALIFY row_number() OVER (PARTITION BY channel_dir "
            "ORDER BY hash(claim_id || 'mention2')) <= 12",
            "ai_mention",
            [AI_TITLE, AI_TEXT],
        )
    else:
        for trend in [t for t in args.trends.split(",") if t]:
            already = {cid for cid, _ in picked}
            rows = con.execute(
                f"SELECT claim_id FROM avail WHERE ({TREND_QUERIES[trend]}) AND "
                "(regexp_matches(ctx || ' ' || coalesce(note_title,''), ?)) "
                f"ORDER BY hash(claim_id || 'r{args.round}')",
                [AI_TEXT.replace(r"\b(", r"(?i)\b(")],
            ).fetchall()
            n = 0
            for (cid,) in rows:
                if cid in already:
                    continue
                picked.append((cid, f"trend:{trend.rstrip('_34')}:r{args.round}"))
                n += 1
                if n >= args.per_trend:
                    break
    rows = {
        r[0]: r
        for r in con.execute(
            "SELECT claim_id, channel_dir, source_path, note_title, heading_path, lead_in, prev, "
            "text FROM avail WHERE claim_id IN (SELECT unnest(?))",
            [[cid for cid, _ in picked]],
        ).fetchall()
    }
    with out.open("a") as fh:
        for cid, stratum in sorted(picked, key=lambda p: hash_key(p[0], args.round)):
            r = rows[cid]
            rec = {
                "claim_id": cid,
                "channel": r[1],
                "note": "/".join(r[2].split("/")[-2:]),
                "note_title": r[3],
                "heading_path": r[4],
                "lead_in": r[5],
                "prev": r[6],
                "text": r[7],
                "stratum": stratum,
                "round": args.round,
            }
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"appended {len(picked)} claims to {out}")


def hash_key(claim_id: str, rnd: int) -> str:
    """Batch order: a fixed shuffle, so each batch mixes strata and channels."""
    import hashlib

    return hashlib.sha1(f"{rnd}:{claim_id}".encode()).hexdigest()


if __name__ == "__main__":
    main()
