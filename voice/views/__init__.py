"""Views of the voice of the client, one module per subject."""

from voice.views import complaints, listening, requirements  # noqa: F401
