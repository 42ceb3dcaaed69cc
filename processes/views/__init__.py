"""Views of the process map, one module per subject, and the labels its templates use."""

from processes import bp
from processes.forms import ENUM_LABELS
from processes.views import (  # noqa: F401
    cycle,
    data,
    diagrams,
    document_control,
    indicators,
    interfaces,
    maps,
    programmes,
    sheets,
)


@bp.app_template_global()
def process_label(value) -> str:
    """What people call a process type, status, frequency, direction or indicator kind."""
    return str(ENUM_LABELS.get(value, value))
