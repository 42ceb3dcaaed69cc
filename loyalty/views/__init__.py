"""Views of the client census and the voice of the client, one module per subject."""

from loyalty.views import analysis, clients, complaints, imports, listening, requirements, settings  # noqa: F401
