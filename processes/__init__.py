"""The process map: programmes, process sheets, indicators, interfaces and SLAs (A1, A2, C3, E1)."""

from flask import Blueprint

bp = Blueprint("processes", __name__)


@bp.app_template_global()
def process_label(value) -> str:
    """What people call a process type, status, frequency, direction or indicator kind."""
    from processes.forms import ENUM_LABELS

    return str(ENUM_LABELS.get(value, value))


from processes import views  # noqa: E402,F401  (registers the routes on bp)
