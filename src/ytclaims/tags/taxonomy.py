"""The taxonomy as data: labels, their descriptions, and the evidence that supports them.

A taxonomy file (TOML) holds a ``gate`` (is the claim in the domain at all?), groups of
labels (``layers``, ``trends``; any names work), per-label phrases and spaCy Matcher
patterns, and how much evidence from each place (claim text, lead-in, heading...)
counts. Nothing about AI is hard-coded in the tagger: a health-podcast taxonomy is a
different file.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ytclaims import errors

CONTEXT_SOURCES = ("text", "lead_in", "heading", "note_title", "wiki")


class TaxonomyError(errors.YtclaimsError):
    """The taxonomy file is missing or malformed."""

    kind = "taxonomy"
    hint = "Compare it with the default: src/ytclaims/tags/taxonomy.toml."


@dataclass(frozen=True, slots=True)
class Pattern:
    id: str
    pattern: list[dict[str, object]]
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Label:
    id: str
    description: str
    phrases: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()  # each counts half: needs company to make a label
    patterns: tuple[Pattern, ...] = ()
    threshold: float | None = None
    weights: dict[str, float] = field(default_factory=dict)  # overrides [weights] per source


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    labels: tuple[Label, ...]
    requires_gate: bool = False
    threshold: float = 1.0
    weights: dict[str, float] = field(default_factory=dict)  # overrides [weights] per source
    #: Added to a label's score when the gate is open and the label has any evidence:
    #: inside the domain, weak evidence (one "users", one "product") is enough.
    gate_bonus: float = 0.0


@dataclass(frozen=True, slots=True)
class Taxonomy:
    name: str
    version: str
    weights: dict[str, float]
    gate: Label | None
    groups: tuple[Group, ...]
    organizations: tuple[str, ...] = ()
    #: {"model": "default", "thresholds": {group or "gate": probability}}; empty = rules only
    classifier: dict[str, object] = field(default_factory=dict)
    source: str = ""
    digest: str = ""
    label_groups: dict[str, str] = field(default_factory=dict)

    def group(self, gid: str) -> Group | None:
        return next((g for g in self.groups if g.id == gid), None)


def default_path() -> Path:
    return Path(str(resources.files("ytclaims.tags").joinpath("taxonomy.toml")))


def _label(raw: dict[str, object], where: str) -> Label:
    if "id" not in raw:
        raise TaxonomyError(f"A label in {where} has no 'id'.")
    pats = []
    for i, p in enumerate(raw.get("patterns", []) or []):  # type: ignore[union-attr]
        if not isinstance(p, dict) or "pattern" not in p:
            raise TaxonomyError(f"Pattern {i} of label '{raw['id']}' needs a 'pattern' list.")
        pats.append(
            Pattern(
                str(p.get("id", f"{raw['id']}-{i}")),
                list(p["pattern"]),
                float(p.get("weight", 1.0)),
            )
        )
    return Label(
        id=str(raw["id"]),
        description=str(raw.get("description", "")),
        phrases=tuple(str(x) for x in raw.get("phrases", []) or []),  # type: ignore[union-attr]
        weak=tuple(str(x) for x in raw.get("weak", []) or []),  # type: ignore[union-attr]
        patterns=tuple(pats),
        threshold=float(raw["threshold"]) if "threshold" in raw else None,  # type: ignore[arg-type]
        weights={str(k): float(v) for k, v in (raw.get("weights") or {}).items()},  # type: ignore[union-attr]
    )


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and validate a taxonomy file (the packaged default when ``path`` is None)."""
    p = Path(path) if path else default_path()
    try:
        data_bytes = p.read_bytes()
        data = tomllib.loads(data_bytes.decode("utf-8"))
    except FileNotFoundError as exc:
        raise TaxonomyError(f"No taxonomy file at {p}.") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{p} is not valid TOML: {exc}.") from exc
    weights = {k: 0.0 for k in CONTEXT_SOURCES} | {"text": 1.0}
    weights.update({str(k): float(v) for k, v in (data.get("weights") or {}).items()})
    gate = _label(data["gate"], "[gate]") if "gate" in data else None
    groups = []
    label_groups: dict[str, str] = {}
    for g in data.get("groups", []):
        if "id" not in g:
            raise TaxonomyError("A [[groups]] entry has no 'id'.")
        labels = tuple(_label(lb, f"group '{g['id']}'") for lb in g.get("labels", []))
        for lb in labels:
            if lb.id in label_groups:
                raise TaxonomyError(f"Label id '{lb.id}' is used twice.")
            label_groups[lb.id] = str(g["id"])
        groups.append(
            Group(
                str(g["id"]),
                labels,
                bool(g.get("requires_gate", False)),
                float(g.get("threshold", 1.0)),
                {str(k): float(v) for k, v in (g.get("weights") or {}).items()},
                float(g.get("gate_bonus", 0.0)),
            )
        )
    if not groups:
        raise TaxonomyError(f"{p} defines no [[groups]] of labels.")
    orgs = tuple(str(x) for x in (data.get("entities") or {}).get("organizations", []))
    return Taxonomy(
        name=str(data.get("name", p.stem)),
        version=str(data.get("version", "")),
        weights=weights,
        gate=gate,
        groups=tuple(groups),
        organizations=orgs,
        classifier=dict(data.get("classifier") or {}),
        source=str(p),
        digest=hashlib.blake2b(data_bytes, digest_size=8).hexdigest(),
        label_groups=label_groups,
    )
