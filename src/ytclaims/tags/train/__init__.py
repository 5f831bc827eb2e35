"""Training data and config for the claim classifier (see ``python -m ytclaims.tags.train``)."""
