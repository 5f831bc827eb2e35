"""Anchor tags, inline Markdown -> text, and note -> claims/anchors extraction."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import count_anchors, note_files, read_text

from ytclaims.claims.anchors import find_anchors
from ytclaims.claims.extract import extract_claims
from ytclaims.claims.text import to_plain
from ytclaims.sources.notes import read_note

CANON = '<a class="yt-timestamp" data-t="{t}">[{t}]</a>'
FOLD = re.compile(r"\s+")


def fold(s: str) -> str:
    return FOLD.sub(" ", s).strip()


def claims_of(path: Path):
    return extract_claims(read_note(path))


# --- find_anchors ----------------------------------------------------------------------


def test_canonical_anchor() -> None:
    tag = CANON.format(t="00:01:02")
    text = f"Before {tag}. After"
    (a,) = find_anchors(text)
    assert a.data_t == "00:01:02"
    assert a.label == "[00:01:02]"
    assert a.markup_issue is None
    assert text[a.start : a.end] == tag


@pytest.mark.parametrize(
    ("tag", "data_t", "label"),
    [
        ('<a class="yt="yt-timestamp" data-t="00:29:47">[00:29:47]</a>', "00:29:47", "[00:29:47]"),
        ('<a class="yt=" data-t="00:04:31">[00:04:31]</a>', "00:04:31", "[00:04:31]"),
        (
            '<a class class="yt-timestamp" data-t="00:11:13">[00:11:13]</a>',
            "00:11:13",
            "[00:11:13]",
        ),
        ('<a class="yt-timestamp" data="00:05:34">[00:05:34]</a>', "00:05:34", "[00:05:34]"),
        (
            '<a class="yt-timestamp" data-timestamp="00:16:48">[00:16:48]</a>',
            "00:16:48",
            "[00:16:48]",
        ),
        ('<a class="yt-58:01">[58:01]</a>', None, "[58:01]"),
        ("<a class='yt-timestamp' data-t='00:07:05'>[00:07:05]</a>", "00:07:05", "[00:07:05]"),
    ],
)
def test_malformed_tags_are_kept_and_read(tag: str, data_t: str | None, label: str) -> None:
    text = f"A claim about something {tag}. The next sentence."
    found = find_anchors(text)
    assert len(found) == 1
    (a,) = found
    assert a.data_t == data_t
    assert a.label == label
    assert a.markup_issue  # says what is wrong with the tag
    assert text[a.start : a.end] == tag


def test_stray_bracket_in_data_t_is_kept_verbatim_and_flagged() -> None:
    (a,) = find_anchors('x <a class="yt-timestamp" data-t="00:18:58]">[00:18:58]</a>')
    assert a.data_t == "00:18:58]"
    assert a.markup_issue


def test_unclosed_anchor_before_another_anchor() -> None:
    first = '<a class="yt-timestamp" data-t="00:01:02">[00:01:02]'
    second = CANON.format(t="00:02:03")
    text = f"One claim {first} and another claim {second}."
    a, b = find_anchors(text)
    assert (a.data_t, a.label) == ("00:01:02", "[00:01:02]")
    assert "closed" in (a.markup_issue or "")
    assert text[a.start : a.end] == first  # the unclosed tag does not swallow the next one
    assert (b.data_t, b.markup_issue) == ("00:02:03", None)


def test_unclosed_anchor_at_end_of_text() -> None:
    (a,) = find_anchors('Last claim <a class="yt-timestamp" data-t="00:09:09">[00:09:09] and then')
    assert a.data_t == "00:09:09"
    assert a.label == "[00:09:09]"
    assert a.markup_issue


def test_non_yt_links_are_not_anchors() -> None:
    text = '<a href="https://example.com">site</a> <a class="external">x</a> [[wiki | link]]'
    assert find_anchors(text) == []


def test_find_anchors_agrees_with_independent_count_on_corpus_like_text() -> None:
    tags = [
        CANON.format(t="00:00:01"),
        '<a class="yt="yt-timestamp" data-t="00:00:02">[00:00:02]</a>',
        '<a class="yt-timestamp" data="00:00:03">[00:00:03]</a>',
        '<a class="yt-timestamp" data-t="00:00:04">[00:00:04]',
        '<a class="yt-0timestamp" data-t="00:00:05">[00:00:05]</a>',
    ]
    text = " words ".join(tags)
    assert len(find_anchors(text)) == count_anchors(text) == len(tags)


# --- to_plain --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("md", "plain"),
    [
        ("Models like [[large_language_models | LLMs]] improve", "Models like LLMs improve"),
        ("See [[vector_databases]] for more", "See vector_databases for more"),
        ("Read [the docs](https://example.com/a_(b)) first", "Read the docs first"),
        ('Read [the docs](https://example.com "Title") first', "Read the docs first"),
        (
            "**Bold** and *italic* and __strong__ and _em_ text",
            "Bold and italic and strong and em text",
        ),
        ("Use `<div>` to wrap it", "Use <div> to wrap it"),
        ("Call `f(**kwargs)` with `_private_` names", "Call f(**kwargs) with _private_ names"),
        ("Profit &amp; loss &lt;3 &quot;quoted&quot;", 'Profit & loss <3 "quoted"'),
        ("line one<br/>line two", "line one line two"),
        ("From: [[aiweekly]] <br/>", "From: aiweekly"),
        ("spread\n  over\tlines", "spread over lines"),
        ("snake_case_name stays", "snake_case_name stays"),
        ("2 * 3 * 4 is 24", "2 * 3 * 4 is 24"),
        ("", ""),
    ],
)
def test_to_plain(md: str, plain: str) -> None:
    assert to_plain(md) == plain


# --- extract_claims on the seed note ---------------------------------------------------


@pytest.fixture(scope="module")
def seed_claims(seed_path: Path):
    return claims_of(seed_path)


def test_seed_anchor_count_matches_independent_count(seed_path: Path, seed_claims) -> None:
    expected = count_anchors(read_text(seed_path))
    assert expected > 0
    assert len(seed_claims.anchors) == expected
    assert [a["anchor_ordinal"] for a in seed_claims.anchors] == list(range(expected))
    assert sum(c["n_anchors"] for c in seed_claims.claims) == expected


def test_seed_cost_reduction_claim(seed_path: Path, seed_claims) -> None:
    src = read_text(seed_path)
    # The source has a list item '**Cost Reduction**: <sentence> <anchor>' under a heading
    # whose wiki-link label is 'Trends in Model Development'.
    m = re.search(r"\*\*Cost Reduction\*\*:\s*(.*?)\s*<a\b", src)
    assert m, "seed note changed: no Cost Reduction lead-in"
    first_sentence = fold(m.group(1))
    matching = [c for c in seed_claims.claims if c["text"].startswith(first_sentence)]
    assert len(matching) == 1
    claim = matching[0]
    assert claim["lead_in"] == "Cost Reduction"
    assert claim["heading_path"].endswith("Trends in Model Development")
    assert "**" not in claim["text"] and "Cost Reduction" not in claim["text"]
    assert claim["block_kind"] == "list_item"


def test_seed_period_after_anchor_moves_onto_claim(seed_path: Path, seed_claims) -> None:
    src = read_text(seed_path)
    # Sentences written '<words> <a ...>[...]</a>.' in the seed.
    ends = re.findall(r"([A-Za-z0-9%)]+)\s*<a\b[^>]*>[^<]*</a>\.", src)
    assert ends
    texts = [c["text"] for c in seed_claims.claims]
    for word in ends:
        assert any(t.endswith(word + ".") for t in texts), word
    for t in texts:
        assert not t.startswith((".", ",", ";")), t
        assert "<a" not in t and "yt-timestamp" not in t and "</a>" not in t


def test_seed_wiki_targets_collected(seed_path: Path, seed_claims) -> None:
    src = read_text(seed_path)
    expected: set[str] = set()
    for line in src.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for m in re.finditer(r"\[\[([^\]|]+?)\s*\|", line):
            if count_anchors(line[m.end() :]):  # an anchor follows the link on its line
                expected.add(m.group(1).strip())
    assert expected
    got = {t for c in seed_claims.claims for t in c["wiki_targets"]}
    assert got == expected
    infra = next(c for c in seed_claims.claims if "developers_approach" in str(c["wiki_targets"]))
    assert "used by developers to build" in infra["text"]


def test_seed_label_mismatch_is_flagged(seed_path: Path, seed_claims) -> None:
    src = read_text(seed_path)
    pairs = re.findall(r'data-t="([^"]*)">\[([^\]]*)\]</a>', src)
    differing = {dt for dt, lb in pairs if dt != lb}
    assert differing
    for a in seed_claims.anchors:
        if a["data_t_raw"] in differing:
            assert a["label_mismatch"] is True


def test_seed_anchors_resolve_as_minutes_seconds(seed_path: Path, seed_claims) -> None:
    """shared/README: the seed's '02:30:00' means 2 min 30 s."""
    for a in seed_claims.anchors:
        m, s, z = a["data_t_raw"].split(":")
        assert z == "00"
        assert a["anchor_seconds"] == int(m) * 60 + int(s)
        assert a["timestamp_status"] == "reinterpreted"


def test_claim_ids_unique_and_stable(seed_path: Path) -> None:
    one = claims_of(seed_path)
    two = claims_of(seed_path)
    ids = [c["claim_id"] for c in one.claims]
    assert len(ids) == len(set(ids))
    assert ids == [c["claim_id"] for c in two.claims]
    assert [a["claim_id"] for a in one.anchors] == [a["claim_id"] for a in two.anchors]
    assert set(a["claim_id"] for a in one.anchors) == set(ids)


def test_claim_lines_point_at_their_anchor(seed_path: Path, seed_claims) -> None:
    lines = read_text(seed_path).splitlines()
    for c in seed_claims.claims:
        assert count_anchors(lines[c["line"] - 1]) > 0, c


# --- extract_claims on fixture notes ---------------------------------------------------


def test_fixture_anchor_counts(fixtures_dir: Path) -> None:
    files = note_files(fixtures_dir)
    assert len(files) >= 4
    for f in files:
        nc = claims_of(f)
        assert len(nc.anchors) == count_anchors(read_text(f)), f.name


def test_multiple_anchors_after_one_sentence_form_one_claim(fixtures_dir: Path) -> None:
    nc = claims_of(fixtures_dir / "fixturechan" / "tables_and_lists.md")
    both = [c for c in nc.claims if c["text"].startswith("Both benchmarks improved")]
    assert len(both) == 1
    claim = both[0]
    assert claim["n_anchors"] == 2
    assert claim["text"] == "Both benchmarks improved after the cache was added."
    rows = [a for a in nc.anchors if a["claim_id"] == claim["claim_id"]]
    assert [a["group_position"] for a in rows] == [0, 1]
    assert [a["data_t_raw"] for a in rows] == ["00:01:07", "00:01:13"]
    # anchors separated by ', ' also form one group
    evict = next(c for c in nc.claims if c["lead_in"] == "Eviction")
    assert evict["n_anchors"] == 2


def test_table_cells(fixtures_dir: Path) -> None:
    nc = claims_of(fixtures_dir / "fixturechan" / "tables_and_lists.md")
    cells = [c for c in nc.claims if c["block_kind"] == "table_cell"]
    assert [c["text"] for c in cells] == [
        "Pebble answers in under a second on a laptop",
        "Boulder needs a GPU to be usable",
    ]
    for c in cells:
        assert c["heading_path"].endswith("Results Table")


def test_nested_lists_keep_lead_ins(fixtures_dir: Path) -> None:
    nc = claims_of(fixtures_dir / "fixturechan" / "tables_and_lists.md")
    by_text = {c["text"]: c for c in nc.claims}
    assert by_text["Warm caches halved the median latency."]["lead_in"] == "Caching Matters"
    # a child item without its own lead-in inherits its parent's
    assert by_text["A cold start still takes several seconds."]["lead_in"] == "Caching Matters"
    # a child item with its own lead-in keeps it
    assert by_text["Least-recently-used eviction worked best."]["lead_in"] == "Eviction"
    # a sibling of the parent does not inherit it
    assert by_text["Batching requests raised throughput by a third."]["lead_in"] is None
    for c in by_text.values():
        assert "**" not in c["text"]


def test_headings_with_wiki_links(fixtures_dir: Path) -> None:
    nc = claims_of(fixtures_dir / "fixturechan" / "tables_and_lists.md")
    first = nc.claims[0]
    assert first["heading_path"] == "Benchmarks of Toy Models"
    last = next(c for c in nc.claims if c["text"].startswith("Latency budgets should"))
    assert last["heading_path"].endswith("Heading that cites latency budgets")
    assert "[[" not in last["heading_path"] and "<a" not in last["heading_path"]
    heading_claims = [c for c in nc.claims if c["block_kind"] == "heading"]
    assert len(heading_claims) == 1
    assert heading_claims[0]["wiki_targets"] == ["latency_budgets"]


def test_anchor_alone_after_code_block_gets_the_code(fixtures_dir: Path) -> None:
    path = fixtures_dir / "fixturechan" / "code_fences.md"
    src = read_text(path)
    m = re.search(r"```shell\n(.*?)\n```\n<a\b", src, re.DOTALL)
    assert m
    code = fold(m.group(1))
    nc = claims_of(path)
    assert any(c["text"] == code for c in nc.claims), [c["text"] for c in nc.claims]


def test_anchors_inside_code_fences_are_kept_with_code_text(fixtures_dir: Path) -> None:
    path = fixtures_dir / "fixturechan" / "code_fences.md"
    src = read_text(path)
    m = re.search(r"```python\n(.*?)\n```", src, re.DOTALL)
    assert m
    code_lines = m.group(1).splitlines()
    expected = [fold(re.sub(r"<a\b.*?</a>", "", line)) for line in code_lines]
    nc = claims_of(path)
    assert len(nc.anchors) == count_anchors(src)
    code_claims = [c["text"] for c in nc.claims if c["block_kind"] == "code"]
    assert code_claims == expected


def test_wiki_link_inside_table_cell(fixtures_dir: Path) -> None:
    """A '|' inside [[target | label]] or inline code is not a table column separator."""
    nc = claims_of(fixtures_dir / "fixturechan" / "wiki_links_in_tables.md")
    texts = [c["text"] for c in nc.claims]
    assert texts == [
        "The message queue absorbs bursts of traffic",
        "Piping with grep | sort finds duplicates quickly",
    ]
    assert nc.claims[0]["wiki_targets"] == ["message_queues"]


def test_upper_case_anchor_tags_are_kept(fixtures_dir: Path) -> None:
    """README: 'any <a> whose class begins with yt ... is one row in anchors'. HTML tag
    names are case-insensitive and find_anchors itself matches <A ...>."""
    nf = read_note(fixtures_dir / "fixturechan" / "uppercase_anchors.md")
    expected = len(find_anchors(nf.body))
    assert expected == len(re.findall(r"<a\b[^>]*\bclass\s*=\s*[\"']?yt", nf.body, re.I)) == 2
    nc = extract_claims(nf)
    assert len(nc.anchors) == expected
    assert nc.claims[0]["text"].startswith("HTML tag names are case-insensitive")


def test_note_without_video_id_yields_nothing(examples_dir: Path) -> None:
    nc = claims_of(examples_dir / "codecasts" / "bad_note_without_video_id.md")
    assert nc.claims == [] and nc.anchors == []


# --- Obsidian callouts -----------------------------------------------------------------------

CALLOUT_NOTE = """---
title: Callouts
videoId: dQw4w9WgXcQ
---
From: [[calloutchan]]

## Costs

> [!NOTE] Model Pricing
> Prices fell tenfold in a year {a1}.

> [!TIP] The "PM Title" Advantage: the title opens doors {a2}.

> [!info]- Folded Outline:
> - The first item has no lead-in of its own {a3}.
> - **Own**: the second item has one {a4}.

> [!WARNING|Hot Take] Fine-tuning may not beat the next model {a5}.

[!IMPORTANT]
Customer data is not used for training {a6}.

> [!PRO TIP]
> Make many small commits {a7}.

A plain paragraph after the callouts keeps no callout title {a8}.

- Nor does a list after them {a9}.
"""


def test_callout_markers_are_markup_and_titles_are_lead_ins(tmp_path: Path) -> None:
    """``[!NOTE]`` and its kin never reach claim text; a callout's title (without anchors)
    leads the callout's claims as a bold lead-in would, and only inside the callout."""
    stamps = {f"a{i}": CANON.format(t=f"00:0{i}:00") for i in range(1, 10)}
    path = tmp_path / "calloutchan" / "callouts.md"
    path.parent.mkdir()
    path.write_text(CALLOUT_NOTE.format(**stamps), encoding="utf-8")
    nc = claims_of(path)
    got = [(c["text"], c["lead_in"]) for c in nc.claims]
    assert got == [
        ("Prices fell tenfold in a year.", "Model Pricing"),
        ('The "PM Title" Advantage: the title opens doors.', None),
        ("The first item has no lead-in of its own.", "Folded Outline"),
        ("the second item has one.", "Own"),
        ("Fine-tuning may not beat the next model.", "Hot Take"),
        ("Customer data is not used for training.", None),
        ("Make many small commits.", None),
        ("A plain paragraph after the callouts keeps no callout title.", None),
        ("Nor does a list after them.", None),
    ]
    lines = path.read_text(encoding="utf-8").splitlines()
    for c in nc.claims:  # each claim still points at the line of its anchor
        assert "<a " in lines[c["line"] - 1], c
    assert len(nc.anchors) == 9


@pytest.mark.parametrize(
    ("md", "plain"),
    [
        ("[!NOTE] Adoption rates rose", "Adoption rates rose"),
        ("> [!example]+ Case", "> Case"),
        ("Text then [!QUOTE|Source] quoted", "Text then quoted"),
        ("`[!NOTE]` in code stays", "[!NOTE] in code stays"),
        ("a[!NOTE] glued stays", "a[!NOTE] glued stays"),
    ],
)
def test_to_plain_drops_callout_markers(md: str, plain: str) -> None:
    assert to_plain(md) == plain
