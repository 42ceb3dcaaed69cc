"""An improvement's moves that wait for confirmation, and corrections of the dates its evidence depends on.

A move back (implemented → in progress), or one that would lower a criterion, is confirmed on a page that shows
what the criteria's own evidence would say after it (``core.transitions.preview``); the buttons of the
improvement page lead there. Everything is kept in the improvement's history.
"""

from flask import redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from core import transitions
from core.access import TEAM_DATA, allow
from core.rules import rule_refusals
from core.ui import flash_form_errors
from improvements import bp, work
from improvements.forms import EvidenceDateForm, StatusMoveForm
from improvements.models import BACKWARD, STATUS_LABELS, Improvement, Status
from improvements.queries import assess, measurements_for
from improvements.views.common import done, editable_improvement, today

MOVES = "any(approved, in_progress, implemented, verified, cancelled)"


def result_of(improvement: Improvement):
    """The measured result before and after, which verifying needs."""
    series = measurements_for([improvement.indicator_id]).get(improvement.indicator_id, [])
    return assess([improvement], {improvement.indicator_id: series})[improvement.id].result


def _notes(improvement: Improvement, status: Status) -> list[str]:
    if status == Status.IMPLEMENTED and improvement.implemented_on is not None:
        return [_("It keeps the day it was first implemented, %(date)s; change it on the improvement's page, "
                  "with a reason, if that day was wrong.", date=format_date(improvement.implemented_on, "medium"))]
    if (improvement.status, status) in BACKWARD:
        return [_("The day it was implemented (%(date)s) is kept.",
                  date=format_date(improvement.implemented_on, "medium"))] \
            if improvement.implemented_on else []
    return []


@bp.route(f"/<int:improvement_id>/status/<{MOVES}:status>", methods=["GET", "POST"])
@allow(TEAM_DATA)
def confirm_status(improvement_id: int, status: str):
    """What a move would change in the criteria, then confirmed (with a reason when it goes back) or cancelled."""
    improvement = editable_improvement(improvement_id)
    status, form = Status(status), StatusMoveForm(happened_on=today())
    result = result_of(improvement) if status == Status.VERIFIED else None
    asks_day = work.asks_for_day(improvement, status)

    def move(reason, confirmed=True):
        # A day refused on the last try is shown with its error; the consequences are those of today's.
        on = form.happened_on.data if asks_day and not form.happened_on.errors else None
        work.change_status(improvement, status, actor=current_user, today=today(), result=result, reason=reason,
                           confirmed=confirmed, on=on)

    if form.validate_on_submit() and form.confirmed:
        with rule_refusals(form.reason, form=form):
            move(form.reason.data)
            return done(_("Status: %(status)s.", status=STATUS_LABELS[status]), ".improvement_detail",
                        improvement_id=improvement.id)
    backward = (improvement.status, status) in BACKWARD
    notes = _notes(improvement, status)
    preview = transitions.preview(lambda: move(form.reason.data or transitions.PREVIEW_REASON))
    return render_template(
        "core/confirm_change.html", heading=_("Change the status of “%(title)s”?", title=improvement.title),
        record=improvement.title, back_url=url_for(".improvement_detail", improvement_id=improvement.id),
        before=STATUS_LABELS[improvement.status], after=STATUS_LABELS[status], preview=preview, form=form,
        needs_reason=backward, notes=notes, day_field=form.happened_on if asks_day else None,
        action=url_for(".confirm_status", improvement_id=improvement.id, status=status.value))


@bp.post("/<int:improvement_id>/dates")
@allow(TEAM_DATA)
def change_date(improvement_id: int):
    """Correct the day it was approved, implemented or verified, saying why (kept in its history)."""
    improvement = editable_improvement(improvement_id)
    form = EvidenceDateForm(prefix="date")
    if form.validate_on_submit():
        with rule_refusals():
            work.change_date(improvement, form.name.data, form.value.data, actor=current_user,
                             reason=form.reason.data, today=today())
            return done(_("Date changed."), ".improvement_detail", "history", improvement_id=improvement.id)
    else:
        flash_form_errors(form)
    return redirect(url_for(".improvement_detail", improvement_id=improvement.id, _anchor="history"))
