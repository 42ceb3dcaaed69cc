"""Document control of process sheets: the published version, submitting and approving drafts, periodic reviews."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core import reviews
from core.access import TEAM_DATA, allow
from core.audit import field_label
from core.extensions import db
from core.forms import EmptyForm, ReviewForm
from core.models import User
from core.rules import rule_refusals
from core.ui import flash_form_errors
from processes import bp, document_control
from processes.agreements import record_review
from processes.diagrams import stage_text
from processes.forms import ApprovalForm, SendBackForm
from processes.models import Interface, Process
from processes.revisions import REVISED_FIELDS
from processes.services import may_edit_interface
from processes.views.common import editable_process


def _to_sheet(process: Process, anchor: str = "document-control"):
    return redirect(url_for(".process_detail", process_id=process.id, _anchor=anchor))


@bp.get("/<int:process_id>/published")
@allow(TEAM_DATA)
def published_sheet(process_id: int):
    """The sheet and diagram as published (approved and in effect), apart from any draft being edited."""
    process = db.get_or_404(Process, process_id)
    control = document_control.control(process, reviews.today())
    people = {u.id: u.name for u in db.session.scalars(select(User))}
    processes = dict(db.session.execute(select(Process.id, Process.code)).all())
    return render_template("processes/published.html", process=process, control=control, fields=REVISED_FIELDS,
                           labels={name: field_label("processes", name) for name in REVISED_FIELDS},
                           people=people, processes=processes, stage_text=stage_text)


@bp.post("/<int:process_id>/sheet/submit")
@allow(TEAM_DATA)
def submit_sheet(process_id: int):
    """Submit the sheet's draft for approval by the process owner or a coordinator."""
    process = editable_process(process_id)
    if EmptyForm().validate_on_submit():
        with rule_refusals():
            revision = document_control.submit(process, actor=current_user)
            db.session.commit()
            flash(_("Revision %(number)d of %(code)s submitted for approval.", number=revision.number,
                    code=process.code), "success")
    return _to_sheet(process)


@bp.post("/<int:process_id>/sheet/approve")
@allow(TEAM_DATA)
def approve_sheet(process_id: int):
    """Approve the submitted draft: it is published from its effective date."""
    process = editable_process(process_id)
    form = ApprovalForm()
    if form.validate_on_submit():
        with rule_refusals():
            revision = document_control.approve(process, actor=current_user, effective_on=form.effective_on.data,
                                                number=form.number.data)
            db.session.commit()
            flash(_("Revision %(number)d of %(code)s approved, in effect from %(date)s.", number=revision.number,
                    code=process.code, date=format_date(revision.effective_on, "short")), "success")
    else:
        flash_form_errors(form)
    return _to_sheet(process)


@bp.post("/<int:process_id>/sheet/send-back")
@allow(TEAM_DATA)
def send_back_sheet(process_id: int):
    """Return the submitted draft to draft without approving it, saying what it needs."""
    process = editable_process(process_id)
    form = SendBackForm()
    if form.validate_on_submit():
        with rule_refusals():
            document_control.send_back(process, actor=current_user, reason=form.reason.data)
            db.session.commit()
            flash(_("The draft of %(code)s went back to draft.", code=process.code), "success")
    else:
        flash_form_errors(form)
    return _to_sheet(process)


@bp.post("/<int:process_id>/sheet/review")
@allow(TEAM_DATA)
def review_sheet(process_id: int):
    """Set how often the sheet is reviewed and, ticked, record that it was reviewed today and is still right."""
    process = editable_process(process_id)
    form = ReviewForm()
    if form.validate_on_submit():
        with rule_refusals():
            document_control.record_review(process, interval_months=form.review_interval_months.data,
                                           reviewed_on=reviews.today() if form.reviewed.data else None,
                                           actor=current_user)
            db.session.commit()
            flash(_("Review of %(code)s saved.", code=process.code), "success")
    else:
        flash_form_errors(form)
    return _to_sheet(process, "review")


@bp.post("/interfaces/<int:interface_id>/review")
@allow(TEAM_DATA)
def review_interface(interface_id: int):
    """Set how often an agreement is reviewed and, ticked, record today's review (its next date moves on)."""
    interface = db.get_or_404(Interface, interface_id)
    if not may_edit_interface(current_user, interface.from_process_id, interface.to_process_id):
        abort(403)
    form = ReviewForm()
    if form.validate_on_submit():
        with rule_refusals():
            record_review(interface, interval_months=form.review_interval_months.data,
                          reviewed_on=reviews.today() if form.reviewed.data else None, actor=current_user)
            db.session.commit()
            flash(_("Review of the agreement saved."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for(".edit_interface", interface_id=interface.id, _anchor="review"))
