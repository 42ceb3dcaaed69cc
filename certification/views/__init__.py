"""The cycles' and findings' pages (``/certification/...``)."""

from certification.views import cycles, findings  # noqa: F401  (register their routes on the blueprint)
