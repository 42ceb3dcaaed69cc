"""The cycles' and findings' forms (one module each)."""
