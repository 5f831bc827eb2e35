"""What identifies the transcript models, computed without importing spaCy.

A retrained sentence-boundary or check-worthiness model changes which sentences a
caption file yields and which become claims, so unchanged caption files must be read
again: the pipeline fingerprint includes this digest of both models' weights and
settings (``meta.json``), and the run's threshold override
(``YTCLAIMS_CHECKWORTHY_THRESHOLD``), which is checked here, before any file is read.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path


def transcript_models_fingerprint() -> str:
    """Short digest of the shipped transcript models ("none" parts when missing) and of
    the run's check-worthiness threshold override, if any (CheckworthyThresholdError
    when it is unusable)."""
    from ytclaims.claims.checkworthy import threshold_override

    override = threshold_override()
    return _models_digest() + ("" if override is None else f"@{override:g}")


@lru_cache(maxsize=1)
def _models_digest() -> str:
    root = Path(str(resources.files("ytclaims.claims").joinpath("model")))
    h = hashlib.blake2b(digest_size=4)
    for name in (
        "senter/senter/model",
        "senter/meta.json",
        "checkworthy/textcat/model",
        "checkworthy/meta.json",
    ):
        p = root / name
        h.update(name.encode())
        h.update(p.read_bytes() if p.is_file() else b"none")
    return h.hexdigest()
