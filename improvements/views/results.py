"""Before/after results and client evidence (C2), and the change in the way of operating (C3)."""

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from core.access import TEAM_DATA, allow
from core.extensions import db
from core.files import Owner, download_response
from core.ids import record_id
from core.rules import rule_refusals
from improvements import bp, changes
from improvements.forms import AffectedForm, AfterForm, EvidenceForm, ProcessChangeForm, TrainingForm
from improvements.models import Improvement
from improvements.views.common import done, editable_improvement, today
from improvements.views.improvement import render_improvement


@bp.post("/<int:improvement_id>/after")
@allow(TEAM_DATA)
def record_after(improvement_id: int):
    """Enter the value measured after the change (where no linked indicator measures it)."""
    improvement = editable_improvement(improvement_id)
    form = AfterForm()
    if form.validate_on_submit():
        changes.record_after(improvement, form.after_value.data, form.after_period.data)
        return done(_("Result after the change recorded."), ".improvement_detail", "results",
                    improvement_id=improvement.id)
    return render_improvement(improvement.id, after_form=form)


@bp.post("/<int:improvement_id>/evidence")
@allow(TEAM_DATA)
def add_evidence(improvement_id: int):
    """Add client evidence: survey results, focus-group findings, complaint counts, response times, files."""
    improvement = editable_improvement(improvement_id)
    form = EvidenceForm(prefix="evidence")
    if form.validate_on_submit():
        with rule_refusals(form.title):
            changes.add_evidence(improvement, form.data, form.file.data, actor=current_user)
            return done(_("Evidence added."), ".improvement_detail", "evidence", improvement_id=improvement.id)
    return render_improvement(improvement.id, evidence_form=form)


@bp.route("/<int:improvement_id>/process-changes/new", methods=["GET", "POST"])
@allow(TEAM_DATA)
def new_process_change(improvement_id: int):
    """Record a process the improvement changed: the sheet revision it caused and the stages it touched."""
    improvement = editable_improvement(improvement_id)
    process_id = request.values.get("process_id", type=record_id)
    if process_id is None:
        concerned = improvement.group.processes
        process_id = concerned[0].id if concerned else None
    form = ProcessChangeForm(revisions=changes.revisions_of(process_id) if process_id else (),
                             stages=changes.stages_of(process_id) if process_id else ())
    if request.method == "GET" and process_id:
        form.process_id.data = process_id
    if request.method == "POST" and request.form.get("choose") is None and form.validate_on_submit():
        with rule_refusals(form.revision_id):
            changes.add_process_change(improvement, form.process_id.data, form.description.data,
                                       revision_id=form.revision_id.data, stage_ids=form.stage_ids.data,
                                       actor=current_user)
            return done(_("Change in the way of operating recorded."), ".improvement_detail", "change",
                        improvement_id=improvement.id)
    return render_template("improvements/change_form.html", form=form, improvement=improvement,
                           process_id=process_id)


@bp.post("/<int:improvement_id>/affected")
@allow(TEAM_DATA)
def add_affected(improvement_id: int):
    """Name a person whose work the improvement changes."""
    improvement = editable_improvement(improvement_id)
    form = AffectedForm(prefix="affected")
    if form.validate_on_submit():
        with rule_refusals(form.user_id):
            changes.add_affected(improvement, form.user_id.data, form.how.data)
            return done(_("Person added."), ".improvement_detail", "change", improvement_id=improvement.id)
    return render_improvement(improvement.id, affected_form=form)


@bp.post("/<int:improvement_id>/trainings")
@allow(TEAM_DATA)
def add_training(improvement_id: int):
    """Record a session where people were informed of or trained on the change."""
    improvement = editable_improvement(improvement_id)
    form = TrainingForm(prefix="training")
    if form.validate_on_submit():
        with rule_refusals(form.topic, form=form):
            changes.add_training(improvement, form.data, form.attendee_ids.data, form.file.data, actor=current_user,
                                 today=today())
            return done(_("Session recorded."), ".improvement_detail", "change", improvement_id=improvement.id)
    return render_improvement(improvement.id, training_form=form)


def _improvement_file(improvement_id: int, records: str, record_id: int, attribute: str, owner: Owner):
    """A file attached to one of the improvement's records, for everyone who reads the improvement."""
    improvement = db.get_or_404(Improvement, improvement_id)
    record = next((r for r in getattr(improvement, records) if r.id == record_id), None)
    if record is None:
        abort(404)
    return download_response(getattr(record, attribute), owner=owner)


@bp.get("/<int:improvement_id>/evidence/<int:evidence_id>/file")
@allow(TEAM_DATA)
def evidence_file(improvement_id: int, evidence_id: int):
    """The file of a piece of client evidence (C2)."""
    return _improvement_file(improvement_id, "evidence", evidence_id, "file", Owner.IMPROVEMENT_EVIDENCE)


@bp.get("/<int:improvement_id>/trainings/<int:training_id>/material")
@allow(TEAM_DATA)
def training_material(improvement_id: int, training_id: int):
    """The material handed out at an information or training session (C3)."""
    return _improvement_file(improvement_id, "trainings", training_id, "material_file", Owner.TRAINING_MATERIAL)
