"""Bounds on everything ytclaims reads, in one place.

Notes, caption files and command-line arguments come from anybody. Every input is
bounded *before* it is parsed or tagged, so that no single file, value or argument can
hang a run, exhaust its memory or crash it: a file or value over a bound is recorded as
one problem of its file (``ingest_errors``) and the rest of the run goes on. Each bound
is far above anything a real note or caption track needs (the figures in the comments are
from the shared corpus and YouTube's own limits), so honest input never meets one.

This module imports nothing: parsers, the worker, the warehouse and the CLI all use it.
"""

from __future__ import annotations

#: No video is longer than this. YouTube's upload limit is 12 hours; the longest videos
#: uploaded before that limit run about 600 hours. A second beyond 1,000 hours is a typo or
#: garbage, and it must never reach the warehouse: the public views hold seconds as 32-bit
#: integers (2**31 s is 68 years).
MAX_VIDEO_SECONDS = 1000 * 3600

#: Longest timestamp string (``data-t``, a label) read as a time. Real ones are at most
#: 12 characters (``00:08:13:12``); longer ones are kept as written but not parsed.
MAX_TIME_CHARS = 64

#: Longest YAML front matter parsed as YAML (real ones: under 1 kB). Longer front matter
#: is read line by line (``key: value``), which is linear whatever it holds.
MAX_FRONT_MATTER_CHARS = 64 * 1024
#: Deepest nesting of lists and mappings accepted in front matter (real ones: 2).
MAX_FRONT_MATTER_DEPTH = 16

#: Longest note title kept (YouTube titles are at most 100 characters).
MAX_TITLE_CHARS = 1000

#: Longest claim text kept. A claim is the text before an anchor; the longest in the
#: shared corpus is about 2,000 characters. A longer one is cut to its last
#: ``MAX_CLAIM_CHARS`` characters (the words right before the anchor) and the cut is
#: recorded. This also keeps every text given to spaCy far below its ``max_length``
#: (1,000,000), which it refuses with error E088.
MAX_CLAIM_CHARS = 10_000
#: Longest heading path, lead-in or other context string given to the tagger.
MAX_CONTEXT_CHARS = 2_000

#: Largest JSON integer literal read from a caption file, in digits. Python refuses to
#: convert integers over 4,300 digits (``ValueError``); anything over 18 digits is no
#: time anyway and is read as infinity (and then rejected as a time).
MAX_INT_DIGITS = 18

#: Largest sidecar ``word_timings.json`` read (the shared corpus: under 1 MB each).
MAX_SIDECAR_BYTES = 64 * 1024 * 1024
