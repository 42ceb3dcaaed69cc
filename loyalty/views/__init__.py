"""Views of the client census, one module per subject."""

from loyalty.views import analysis, clients, imports, settings  # noqa: F401
