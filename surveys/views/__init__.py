"""Views of the survey engine, one module per subject, and the labels its templates use."""

from surveys import bp
from surveys.labels import ENUM_LABELS
from surveys.views import answer, data, exits, logo, manage, networks, results, understanding, waves  # noqa: F401


@bp.app_template_global()
def survey_label(value) -> str:
    """What people call an audience, item kind, wave status, response source or item role."""
    return str(ENUM_LABELS.get(value, value))
