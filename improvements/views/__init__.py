"""Views of the improvements blueprint, one module per subject."""

from improvements.views import groups, improvement, overview, results  # noqa: F401
