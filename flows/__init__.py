"""Prefect flows for ytclaims. They orchestrate; the work is in the ``ytclaims`` library."""
