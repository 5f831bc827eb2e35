"""YouTube: video references (``refs``, no network), and transcript fetching (``fetch``).

Importing this package imports nothing else: parsing a video reference
(:mod:`ytclaims.sources.youtube.refs`) never loads the network code of
:mod:`ytclaims.sources.youtube.fetch`.
"""
