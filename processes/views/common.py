"""What the process views share: loading records and refusing changes the person may not make."""

from flask import abort
from flask_login import current_user

from core.extensions import db
from processes.models import Indicator, Process
from processes.services import may_edit_process, may_record_measurements


def editable_process(process_id: int) -> Process:
    """The process, if the current user may change it (else 403)."""
    process = db.get_or_404(Process, process_id)
    if not may_edit_process(current_user, process):
        abort(403)
    return process


def measurable_indicator(indicator_id: int) -> Indicator:
    """The indicator, if the current user may record its measurements (else 403)."""
    indicator = db.get_or_404(Indicator, indicator_id)
    if not may_record_measurements(current_user, indicator):
        abort(403)
    return indicator
