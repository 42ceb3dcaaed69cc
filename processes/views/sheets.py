"""Process sheets: the list, one sheet, creating, editing, retiring, participants and documents."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core import reviews, transitions
from core.access import COORDINATION, TEAM_DATA, allow
from core.extensions import db
from core.files import Owner, download_response
from core.forms import ConfirmChangeForm, EmptyForm, ReviewForm, read_filters
from core.ids import record_id
from core.models import User
from core.rules import rule_refusals
from core.ui import confirmation_posted, flash_form_errors, next_or
from core.versioning import submit_edit
from processes import bp, cycle, document_control, lifecycle, services
from processes.agreements import interfaces_with_state
from processes.forms import (
    STATUS_LABELS,
    ApprovalForm,
    DocumentForm,
    ParticipantForm,
    ProcessFilterForm,
    ProcessForm,
    SendBackForm,
    StandardForm,
)
from processes.indicators import latest_results, latest_status
from processes.models import Interface, Process, ProcessStatus
from processes.revisions import history
from processes.standard import SHEET_FIELDS, completeness_by_process, current_standard, save_standard
from processes.views.common import editable_process


@bp.get("/list")
@allow(TEAM_DATA)
def process_list():
    """All processes, searchable and filtered, each with its completeness against the standard."""
    form = read_filters(ProcessFilterForm(request.args))
    query = services.process_query(q=form.q.data, programme_id=form.programme.data, kind=form.kind.data or None,
                                   status=form.status.data or None, sort=request.args.get("sort", "code"),
                                   descending=request.args.get("dir") == "desc")
    query = query.options(joinedload(Process.owner), joinedload(Process.programme))
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"])
    scores = completeness_by_process([p.id for p in page.items])
    return render_template("processes/list.html", form=form, page=page, scores=scores, today=reviews.today(),
                           controls=document_control.controls(page.items, reviews.today()))


@bp.route("/new", methods=["GET", "POST"])
@allow(COORDINATION)
def new_process():
    """Open a new process sheet."""
    form = ProcessForm()
    if request.method == "GET":
        programme = services.certified_programme()
        form.programme_id.data = programme.id if programme else None
        form.parent_id.data = request.args.get("parent", type=record_id)
    if form.validate_on_submit():
        process = services.save_process(None, form.data, actor=current_user)
        db.session.commit()
        flash(_("Process %(code)s created.", code=process.code), "success")
        return redirect(next_or(url_for(".process_detail", process_id=process.id)))
    return render_template("processes/process_form.html", form=form, process=None,
                           programmes_exist=bool(form.programme_id.choices))


@bp.get("/<int:process_id>")
@allow(TEAM_DATA)
def process_detail(process_id: int):
    """One process sheet: its fields, people, indicators, documents, interfaces and completeness."""
    process = db.get_or_404(Process, process_id)
    indicators = [i for i in process.indicators if i.active]
    latest = latest_results(i.id for i in indicators)
    statuses = {i.id: latest_status(i, latest.get(i.id)) for i in indicators}
    touching = select(Interface).where((Interface.from_process_id == process.id) |
                                       (Interface.to_process_id == process.id))
    return render_template(
        "processes/detail.html", process=process, indicators=indicators, latest=latest, statuses=statuses,
        completeness=completeness_by_process([process.id]).get(process.id), interfaces=interfaces_with_state(touching),
        may_edit=services.may_edit_process(current_user, process), participant_form=ParticipantForm(),
        document_form=DocumentForm(), action_form=EmptyForm(), sheet_fields=SHEET_FIELDS,
        history=transitions.history(lifecycle.PROCESS_HISTORY_KIND, process.id),
        moments=cycle.moments_serving(process.id),
        status_labels={k.value: v for k, v in STATUS_LABELS.items()},
        control=document_control.control(process, reviews.today()), today=reviews.today(),
        approval_form=ApprovalForm(effective_on=reviews.today()), send_back_form=SendBackForm(),
        review_form=ReviewForm(review_interval_months=process.review_interval_months),
    )


@bp.route("/<int:process_id>/edit", methods=["GET", "POST"])
@allow(TEAM_DATA)
def edit_process(process_id: int):
    """Change a process sheet (its owner or a coordinator)."""
    process = editable_process(process_id)
    form = ProcessForm(obj=process, editing=process)
    if request.method == "GET":
        form.kind.data, form.status.data, form.reason.data = process.kind.value, process.status.value, ""
    conflict = None
    with rule_refusals(form.parent_id):
        saved, conflict = submit_edit(form, process, lambda: services.save_process(
            process, form.data, version=form.version.data, reason=form.reason.data, actor=current_user))
        if saved:
            db.session.commit()
            flash(_("Process %(code)s saved.", code=process.code), "success")
            return redirect(url_for(".process_detail", process_id=process.id))
    return render_template("processes/process_form.html", form=form, process=process, conflict=conflict)


@bp.route("/<int:process_id>/<any(retire, restore):action>", methods=["GET", "POST"])
@allow(COORDINATION)
def change_process_status(process_id: int, action: str):
    """Retire a process (it leaves the map, its history is kept as evidence) or bring a retired one back. Retiring
    is confirmed on this page, with a reason, after seeing what it would change in the criteria's evidence;
    bringing a process back goes through unless it would lower a criterion."""
    process = db.get_or_404(Process, process_id)
    status = ProcessStatus.RETIRED if action == "retire" else lifecycle.restored_status(process)
    if (process.status == ProcessStatus.RETIRED) == (action == "retire"):
        return redirect(url_for(".process_detail", process_id=process.id))  # already so: nothing to confirm
    form = ConfirmChangeForm()
    if request.method == "POST":
        detail = url_for(".process_detail", process_id=process.id)
        response = confirmation_posted(
            form, lambda reason, confirmed: lifecycle.change_status(process, status, actor=current_user,
                                                                     reason=reason, confirmed=confirmed),
            again_url=url_for(".change_process_status", process_id=process.id, action=action), done_url=detail,
            cancel_url=detail, message=_("Process %(code)s retired. Its history is kept.", code=process.code)
            if action == "retire" else _("Process %(code)s is back on the map.", code=process.code))
        if response is not None:
            return response
    preview = transitions.preview(lambda: lifecycle.preview_change(process, status, actor=current_user,
                                                                   reason=form.reason.data))
    notes = [_("%(code)s will leave the map and its indicators the dashboard. Its indicators, measurements and "
               "history are kept as evidence.", code=process.code)] if action == "retire" else []
    return render_template(
        "core/confirm_change.html", heading=_("Change the status of %(code)s?", code=process.code),
        record=str(process), back_url=url_for(".process_detail", process_id=process.id),
        before=STATUS_LABELS[process.status], after=STATUS_LABELS[status], preview=preview, form=form,
        needs_reason=lifecycle.is_backward(process, status), notes=notes,
        action=url_for(".change_process_status", process_id=process.id, action=action))


@bp.post("/<int:process_id>/delete")
@allow(COORDINATION)
def delete_process(process_id: int):
    """Delete a sheet created by mistake; refused when it has history (retire it instead)."""
    process = db.get_or_404(Process, process_id)
    if EmptyForm().validate_on_submit():
        with rule_refusals():
            services.delete_process(process)
            db.session.commit()
            flash(_("Process deleted."), "success")
            return redirect(url_for(".process_list"))
        return redirect(url_for(".process_detail", process_id=process.id))
    return redirect(url_for(".process_list"))


@bp.post("/<int:process_id>/participants")
@allow(TEAM_DATA)
def add_participant(process_id: int):
    """Add a person who takes part in the process."""
    process = editable_process(process_id)
    form = ParticipantForm()
    if form.validate_on_submit():
        with rule_refusals():
            services.add_participant(process, form.user_id.data, form.role.data)
            db.session.commit()
            flash(_("Participant added."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for(".process_detail", process_id=process.id, _anchor="people"))


@bp.post("/<int:process_id>/participants/<int:participant_id>/remove")
@allow(TEAM_DATA)
def remove_participant(process_id: int, participant_id: int):
    """Remove a participant (the audit trail keeps who took part and when)."""
    process = editable_process(process_id)
    if EmptyForm().validate_on_submit():
        with rule_refusals():
            services.remove_participant(process, participant_id)
            db.session.commit()
            flash(_("Participant removed."), "success")
    return redirect(url_for(".process_detail", process_id=process.id, _anchor="people"))


@bp.post("/<int:process_id>/documents")
@allow(TEAM_DATA)
def add_document(process_id: int):
    """Attach a related document (procedure, form, instruction) to the process."""
    process = editable_process(process_id)
    form = DocumentForm()
    if form.validate_on_submit():
        services.add_document(process, form.file.data, form.title.data or "", actor=current_user)
        db.session.commit()
        flash(_("Document uploaded."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for(".process_detail", process_id=process.id, _anchor="documents"))


@bp.get("/<int:process_id>/documents/<int:document_id>")
@allow(TEAM_DATA)
def process_document(process_id: int, document_id: int):
    """A document of the process, for everyone who reads its sheet."""
    process = db.get_or_404(Process, process_id)
    document = next((d for d in process.documents if d.id == document_id), None)
    if document is None:
        abort(404)
    return download_response(document.file, owner=Owner.PROCESS_DOCUMENT)


@bp.route("/standard", methods=["GET", "POST"])
@allow(COORDINATION)
def standard():
    """The process-management standard: what every sheet must have (A1)."""
    current = current_standard()
    form = StandardForm(obj=current)
    saved, conflict = submit_edit(form, current, lambda: save_standard(current, form.data, version=form.version.data))
    if saved:
        db.session.commit()
        flash(_("Process-management standard saved."), "success")
        return redirect(next_or(url_for(".standard")))
    return render_template("processes/standard.html", form=form, conflict=conflict)


@bp.get("/<int:process_id>/revisions")
@allow(TEAM_DATA)
def revisions(process_id: int):
    """The numbered revisions of a sheet: when, who, why, and what changed in each (C3)."""
    process = db.get_or_404(Process, process_id)
    people = {u.id: u.name for u in db.session.scalars(select(User))}
    processes = dict(db.session.execute(select(Process.id, Process.code)).all())
    found = history(process)
    return render_template("processes/revisions.html", process=process, history=found, people=people,
                           processes=processes, moves_of=document_control.revision_histories(r for r, _c in found),
                           state_labels={k.value: v for k, v in document_control.STATE_LABELS.items()})
