"""Views of the survey engine, one module per subject."""

from surveys.views import answer, data, manage, results, waves  # noqa: F401
