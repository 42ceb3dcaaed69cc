"""Views of the process map, one module per subject, and the labels its templates use."""

from processes import bp
from processes.forms import ENUM_LABELS
from processes.views import cycle, data, diagrams, indicators, interfaces, maps, programmes, sheets  # noqa: F401


@bp.app_template_global()
def process_label(value) -> str:
    """What people call a process type, status, frequency, direction or indicator kind."""
    return str(ENUM_LABELS.get(value, value))
