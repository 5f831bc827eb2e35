"""The trained claim classifier: a small bag-of-words textcat shipped in the package.

Rules find explicit evidence; many claims are tagged by a human from what they are
about rather than from a keyword ("Works on the user interface and integration into
Notion" is an application claim). A bag-of-words ``textcat_multilabel`` trained on
2,001 hand-labelled claims (``tags/train/*.jsonl``; the dev set is never used)
captures that. Its input is the claim plus its context, the same way the labeller
read it. It is loaded once per process; when the model folder is missing (a custom
build), tagging falls back to rules alone.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import spacy
from spacy.language import Language

LABELS = (
    "model",
    "infrastructure",
    "application",
    "cost_reduction",
    "commoditization",
    "distribution_moat",
    "specialization",
    "switching_costs",
    "rapid_evolution",
    "use_case_discovery",
    "data_centers",
    "inference_market",
    "agents",
    "market_growth",
    "about_ai",
)


def classifier_text(c: dict[str, object]) -> str:
    """Claim text followed by its context, as the classifier is trained on it."""
    parts = [str(c.get("text") or "")]
    for key in ("lead_in", "heading_path", "note_title"):
        v = c.get(key)
        if v:
            parts.append(str(v))
    return " || ".join(parts)


def model_path() -> Path:
    return Path(str(resources.files("ytclaims.tags").joinpath("model")))


@lru_cache(maxsize=1)
def load_classifier() -> Language | None:
    """The shipped model, or None when it is not installed."""
    p = model_path()
    if not (p / "config.cfg").exists():
        return None
    return spacy.load(p)
