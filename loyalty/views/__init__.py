"""Views of the client census, one module per subject."""

from loyalty.views import analysis, clients, demo_census, imports, settings  # noqa: F401
