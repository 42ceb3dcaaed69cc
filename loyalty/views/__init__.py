"""Views of the client census, one module per subject."""

from loyalty.views import clients  # noqa: F401
