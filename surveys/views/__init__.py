"""Views of the survey engine, one module per subject."""

from surveys.views import answer, data, logo, manage, networks, results, waves  # noqa: F401
