"""Views of the survey engine, one module per subject, and the labels its templates use."""

from surveys import bp
from surveys.labels import ENUM_LABELS, likert_anchors
from surveys.views import answer, data, exits, logo, manage, networks, results, understanding, waves  # noqa: F401


@bp.app_template_global()
def survey_label(value) -> str:
    """What people call an audience, item kind, wave status, response source or item role."""
    return str(ENUM_LABELS.get(value, value))


@bp.app_template_global()
def scale_anchors(item) -> tuple:
    """The words at the ends of a 1–5 item on the answering page: satisfaction or agreement, as its question asks."""
    return likert_anchors(item.role)
