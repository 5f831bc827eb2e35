"""spaCy components, registered by name, that tag claims from a taxonomy file.

``ytclaims_taxonomy``: finds the taxonomy's phrases and patterns in the claim and in
its context (lead-in, heading path, note title, wiki-link targets; passed in
``doc._.ytc_context``), weighs the evidence by where it was found, and sets
``doc._.ytc_tags`` (labels per group, plus the gate) and ``doc._.ytc_evidence``
(every piece of evidence behind an assigned label).

``ytclaims_entities``: organisations from a gazetteer, money, percentages,
multipliers (``10x``) and years/dates, as ``doc.spans["ytc_entities"]``.

Speed: the pipeline is a blank English tokenizer plus these two components. Word
forms are handled when the matchers are *built*: spacy-lookups-data's English lemma
table is inverted so each phrase and each ``LEMMA`` pattern is compiled to all its
inflections (``model`` -> ``models``; ``train`` -> ``trained``) and matched on
``LOWER``. That gives lemma matching without running a lemmatizer over every token
(which would double the cost per claim). Context strings repeat across the claims of
a note, so their evidence is cached.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from importlib import resources
from typing import Any

from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import StringStore
from spacy.tokens import Doc, Span

from ytclaims.tags.taxonomy import Label, Taxonomy, load_taxonomy

for _name in ("ytc_context", "ytc_tags", "ytc_evidence", "ytc_scores"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

GATE_GROUP = "_gate"
#: One source can contribute at most this much to one label (many weak hits != proof).
MAX_PER_SOURCE = 2.0
WEAK_WEIGHT = 0.5
_CONTEXT_CACHE_SIZE = 20000


@lru_cache(maxsize=1)
def _forms_of_lemma() -> dict[str, frozenset[str]]:
    """Invert spacy-lookups-data's English lemma table: lemma -> all its word forms."""
    import spacy_lookups_data
    import srsly

    table: dict[str, str] = srsly.read_gzip_json(
        spacy_lookups_data.get_file("en_lemma_lookup.json.gz")
    )
    inv: dict[str, set[str]] = defaultdict(set)
    for form, lemma in table.items():
        inv[lemma.lower()].add(form.lower())
    return {k: frozenset(v) for k, v in inv.items()}


def inflections(word: str) -> set[str]:
    """A word and every form the lookup table lists for it (or for its lemma)."""
    w = word.lower()
    forms = _forms_of_lemma()
    out = {w} | set(forms.get(w, ()))
    return out


def _expand_pattern(pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Compile ``LEMMA`` constraints to ``LOWER IN <inflections>`` (no lemmatizer needed)."""
    out = []
    for tok in pattern:
        tok = dict(tok)
        if "LEMMA" in tok:
            spec = tok.pop("LEMMA")
            words = spec["IN"] if isinstance(spec, dict) and "IN" in spec else [spec]
            forms: set[str] = set()
            for w in words:
                forms |= inflections(str(w))
            tok["LOWER"] = {"IN": sorted(forms)}
        out.append(tok)
    return out


def _required_words(pattern: list[dict[str, Any]]) -> list[set[str]]:
    """Lower-case words of each required token with a LOWER constraint.

    A pattern can only match a doc that has a token (``LOWER``) from *every* set, so
    these sets gate the Matcher cheaply. Tokens
    without a LOWER constraint (``IS_ALPHA``, ``REGEX``) do not narrow the gate.
    """
    out: list[set[str]] = []
    for tok in pattern:
        if tok.get("OP") in ("?", "*") or str(tok.get("OP", "")).startswith("{0"):
            continue
        spec = tok.get("LOWER")
        if isinstance(spec, str):
            out.append({spec.lower()})
        elif isinstance(spec, dict) and "IN" in spec:
            out.append({str(w).lower() for w in spec["IN"]})
    return out


def _gate(word_sets: list[set[str]], strings: StringStore) -> list[frozenset[int]]:
    """Each required word set as the hashes of its words (what ``LOWER`` stores)."""
    return [frozenset(strings.add(w) for w in ws) for ws in word_sets]


class TaxonomyMatcher:
    """Evidence finder: phrase and pattern matches of every label of a taxonomy."""

    def __init__(self, nlp: Language, taxonomy: Taxonomy) -> None:
        self.nlp = nlp
        self.taxonomy = taxonomy
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        #: match key -> (group id, label id, evidence id, weight)
        self.meta: dict[int, tuple[str, str, str, float]] = {}
        # One Matcher per token pattern, each behind a gate: the claim must have a token
        # from each required token's word set (checked on the doc's LOWER hashes, one
        # numpy call per doc). Most claims mention "model", few also mention "train" or
        # "launch": measured, one shared Matcher ran on 40% of claims; the gates let a
        # few percent through, with the same matches.
        self.gated: list[tuple[list[frozenset[int]], Matcher]] = []
        labels: list[tuple[str, Label]] = []
        if taxonomy.gate is not None:
            labels.append((GATE_GROUP, taxonomy.gate))
        for g in taxonomy.groups:
            labels.extend((g.id, lb) for lb in g.labels)
        for gid, lb in labels:
            for tier, items, weight in (
                ("phrase", lb.phrases, 1.0),
                ("weak", lb.weak, WEAK_WEIGHT),
            ):
                for phrase in items:
                    key = f"{gid}|{lb.id}|{tier}:{phrase}"
                    kid = nlp.vocab.strings.add(key)
                    self.meta[kid] = (gid, lb.id, f"{tier}:{phrase}", weight)
                    self.phrases.add(key, self._variants(phrase))
            for p in lb.patterns:
                key = f"{gid}|{lb.id}|pattern:{p.id}"
                kid = nlp.vocab.strings.add(key)
                self.meta[kid] = (gid, lb.id, f"pattern:{p.id}", p.weight)
                expanded = _expand_pattern(p.pattern)
                one = Matcher(nlp.vocab)
                one.add(key, [expanded])
                self.gated.append((_gate(_required_words(expanded), nlp.vocab.strings), one))

    def _variants(self, phrase: str) -> list[Doc]:
        """The phrase with its last word in every inflected form."""
        toks = [t.text for t in self.nlp.make_doc(phrase)]
        if not toks:
            return []
        docs = []
        for last in sorted(inflections(toks[-1])):
            words = toks[:-1] + [last]
            docs.append(self.nlp.make_doc(" ".join(words)))
        return docs

    def find(self, doc: Doc) -> list[tuple[str, str, str, float, str]]:
        """(group, label, evidence id, weight, matched text) for every match in ``doc``."""
        out = []
        for kid, start, end in self.phrases(doc):
            g, lb, ev, w = self.meta[kid]
            out.append((g, lb, ev, w, doc[start:end].text))
        if self.gated:
            lower = set(doc.to_array(LOWER).tolist())
            for gates, matcher in self.gated:
                if all(not lower.isdisjoint(g) for g in gates):
                    for kid, start, end in matcher(doc):
                        g, lb, ev, w = self.meta[kid]
                        out.append((g, lb, ev, w, doc[start:end].text))
        return out


class TaxonomyTagger:
    """The ``ytclaims_taxonomy`` component."""

    def __init__(self, nlp: Language, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.finder = TaxonomyMatcher(nlp, taxonomy)
        self.nlp = nlp
        self._ctx_cache: dict[tuple[str, str], list[tuple[str, str, str, float, str]]] = {}
        # Effective weight of each context source, per (group, label).
        self.source_weights: dict[tuple[str, str], dict[str, float]] = {}
        if taxonomy.gate is not None:
            self.source_weights[(GATE_GROUP, taxonomy.gate.id)] = (
                taxonomy.weights | taxonomy.gate.weights
            )
        for g in taxonomy.groups:
            for lb in g.labels:
                self.source_weights[(g.id, lb.id)] = taxonomy.weights | g.weights | lb.weights
        self.max_weight = {
            src: max(w.get(src, 0.0) for w in self.source_weights.values())
            for src in taxonomy.weights
        }

    def _context_evidence(self, source: str, text: str) -> list[tuple[str, str, str, float, str]]:
        key = (source, text)
        hit = self._ctx_cache.get(key)
        if hit is None:
            if len(self._ctx_cache) > _CONTEXT_CACHE_SIZE:
                self._ctx_cache.clear()
            hit = self.finder.find(self.nlp.make_doc(text))
            self._ctx_cache[key] = hit
        return hit

    def __call__(self, doc: Doc) -> Doc:
        tax = self.taxonomy
        evidence: list[dict[str, Any]] = []
        ext = doc._  # each ``doc._`` access builds a new proxy object: take it once
        ctx = ext.ytc_context or {}
        for g, lb, ev, w, text in self.finder.find(doc):
            evidence.append(
                {
                    "group": g,
                    "label": lb,
                    "source": "text",
                    "evidence": ev,
                    "matched": text,
                    "weight": w,
                }
            )
        for source in ("lead_in", "heading", "note_title", "wiki"):
            value = ctx.get(source)
            if not value or self.max_weight.get(source, 0.0) <= 0:
                continue
            for g, lb, ev, w, text in self._context_evidence(source, value):
                evidence.append(
                    {
                        "group": g,
                        "label": lb,
                        "source": source,
                        "evidence": ev,
                        "matched": text,
                        "weight": w,
                    }
                )

        # Score: distinct matched texts per (label, source), weighted by source, capped.
        per: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
        for e in evidence:
            k = (e["group"], e["label"], e["source"])
            m = e["matched"].lower()
            per[k][m] = max(per[k].get(m, 0.0), e["weight"])
        score: dict[tuple[str, str], float] = defaultdict(float)
        for (g, lb, src), hits in per.items():
            w = self.source_weights.get((g, lb), tax.weights).get(src, 0.0)
            score[(g, lb)] += min(sum(hits.values()), MAX_PER_SOURCE) * w

        tags: dict[str, Any] = {}
        gate_open = True
        if tax.gate is not None:
            gate_score = score.get((GATE_GROUP, tax.gate.id), 0.0)
            gate_open = gate_score >= (tax.gate.threshold or 1.0)
            tags[tax.gate.id] = gate_open
        assigned: set[tuple[str, str]] = set()
        for grp in tax.groups:
            chosen = []
            if gate_open or not grp.requires_gate:
                for lb in grp.labels:
                    s = score.get((grp.id, lb.id), 0.0)
                    if s > 0 and gate_open and grp.gate_bonus:
                        s += grp.gate_bonus
                        score[(grp.id, lb.id)] = s
                        gate_name = tax.gate.id if tax.gate is not None else "gate"
                        evidence.append(
                            {
                                "group": grp.id,
                                "label": lb.id,
                                "source": "gate",
                                "evidence": "gate_bonus",
                                "matched": f"{gate_name} is open",
                                "weight": grp.gate_bonus,
                            }
                        )
                    if s >= (lb.threshold if lb.threshold is not None else grp.threshold):
                        chosen.append(lb.id)
                        assigned.add((grp.id, lb.id))
            tags[grp.id] = chosen
        for e in evidence:
            e["score"] = round(score[(e["group"], e["label"])], 3)
        keep = {(GATE_GROUP, tax.gate.id)} if tax.gate is not None and gate_open else set()
        ext.ytc_tags = tags
        ext.ytc_scores = dict(score)
        ext.ytc_evidence = [e for e in evidence if (e["group"], e["label"]) in assigned | keep]
        return doc


# --- entities --------------------------------------------------------------------------

_SCALE = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
}
_NUM = r"\d+(?:[.,]\d+)*"
_DIGIT_RE = re.compile(r"\d")
_MONEY_RE = re.compile(
    rf"(?:[$€£]\s?{_NUM}(?:\s?(?:k|mm|mn|m|bn|b|tn|t|thousand|million|billion|trillion)\b)?"
    rf"|\b{_NUM}\s?(?:thousand|million|billion|trillion)?\s?(?:dollars|usd|euros)\b)",
    re.IGNORECASE,
)
_PERCENT_RE = re.compile(
    rf"\b{_NUM}(?:\s?[-–]\s?{_NUM})?\s?(?:%|percent\b|per cent\b)", re.IGNORECASE
)
_MULT_RE = re.compile(
    rf"\b{_NUM}\s?x\b|\b{_NUM}-fold\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|hundred|thousand)fold\b",
    re.IGNORECASE,
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE_RE = re.compile(
    rf"\b(?:(?:{_MONTHS})\s+(?:\d{{1,2}},?\s+)?(?:19|20)\d{{2}}|q[1-4]\s?(?:19|20)\d{{2}}|(?:19|20)\d{{2}}s?)\b",
    re.IGNORECASE,
)
_WORD_MULT = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "hundred": 100,
    "thousand": 1000,
}


def _number(s: str) -> float | None:
    m = re.search(_NUM, s)
    if not m:
        return None
    try:
        return float(m.group(0).replace(",", ""))
    except ValueError:
        return None


def entity_value(label: str, text: str) -> float | None:
    """A number for the entity where one makes sense: USD amount, percent, factor, year."""
    t = text.lower()
    if label == "MONEY":
        n = _number(t)
        if n is None:
            return None
        for word, mult in sorted(_SCALE.items(), key=lambda kv: -len(kv[0])):
            if re.search(rf"\d\s?{word}\b", t):
                return n * mult
        return n
    if label in ("PERCENT", "YEAR"):
        return _number(t)
    if label == "MULTIPLIER":
        n = _number(t)
        if n is not None:
            return n
        return next((float(v) for w, v in _WORD_MULT.items() if t.startswith(w)), None)
    return None


@lru_cache(maxsize=4)
def _default_orgs() -> tuple[str, ...]:
    text = resources.files("ytclaims.tags").joinpath("organizations.txt").read_text("utf-8")
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


class EntityFinder:
    """The ``ytclaims_entities`` component."""

    def __init__(self, nlp: Language, organizations: tuple[str, ...]) -> None:
        # Case-sensitive: "Meta" the company, not "meta" tags; "Cursor", not a cursor.
        self.orgs = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.orgs.add("ORG", [nlp.make_doc(o) for o in organizations])

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        taken: set[int] = set()

        def add(span: Span | None, label: str) -> None:
            if span is None or any(i in taken for i in range(span.start, span.end)):
                return
            taken.update(range(span.start, span.end))
            spans.append(Span(doc, span.start, span.end, label=label))

        ctx = doc._.ytc_context or {}
        text = ctx.get("_text") or doc.text
        # Every pattern below needs a digit, except word multipliers ("tenfold").
        has_numbers = _DIGIT_RE.search(text) is not None or "fold" in text.lower()
        for label, rx in (
            ("MONEY", _MONEY_RE),
            ("PERCENT", _PERCENT_RE),
            ("MULTIPLIER", _MULT_RE),
            ("DATE", _DATE_RE),
        ):
            if not has_numbers:
                break
            if (
                label == "MONEY"
                and not any(c in text for c in "$€£")
                and "dollar" not in text.lower()
                and "usd" not in text.lower()
            ):
                continue
            for m in rx.finditer(text):
                lab = label
                if label == "DATE" and re.fullmatch(r"(?:19|20)\d{2}", m.group(0)):
                    lab = "YEAR"
                add(doc.char_span(m.start(), m.end(), alignment_mode="expand"), lab)
        for _, start, end in self.orgs(doc):
            add(doc[start:end], "ORG")
        doc.spans["ytc_entities"] = sorted(spans, key=lambda s: s.start)
        return doc


@Language.factory("ytclaims_taxonomy", default_config={"taxonomy_path": None})
def make_taxonomy_tagger(nlp: Language, name: str, taxonomy_path: str | None) -> TaxonomyTagger:
    return TaxonomyTagger(nlp, load_taxonomy(taxonomy_path))


@Language.factory("ytclaims_entities", default_config={"taxonomy_path": None})
def make_entity_finder(nlp: Language, name: str, taxonomy_path: str | None) -> EntityFinder:
    tax = load_taxonomy(taxonomy_path)
    return EntityFinder(nlp, tuple(dict.fromkeys(_default_orgs() + tax.organizations)))
