"""Process diagrams (C3): the stages of a process drawn as swimlanes; each change is a numbered revision."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from core.access import TEAM_DATA, allow
from core.extensions import db
from core.forms import EmptyForm
from core.rules import rule_refusals
from core.versioning import submit_edit
from processes import bp, diagrams, services
from processes.forms import StageForm
from processes.models import KnowledgeHolder, Process, ProcessStage
from processes.views.common import editable_process


def _diagram(process_id: int) -> tuple[Process, list[ProcessStage]]:
    process = db.get_or_404(Process, process_id, options=[
        selectinload(Process.stages).selectinload(ProcessStage.responsible),
        selectinload(Process.stages).selectinload(ProcessStage.knowledge_holders)
        .selectinload(KnowledgeHolder.user)])
    return process, diagrams.ordered_stages(process)


def _stage_of(process: Process, stage_id: int) -> ProcessStage:
    stage = db.session.get(ProcessStage, stage_id)
    if stage is None or stage.process_id != process.id:
        abort(404)
    return stage


@bp.get("/<int:process_id>/diagram")
@allow(TEAM_DATA)
def diagram(process_id: int):
    """The process diagram: its stages as swimlanes by responsible role, with who holds the knowledge."""
    process, stages = _diagram(process_id)
    return render_template("processes/diagram.html", process=process, stages=stages,
                           layout=diagrams.swimlanes(stages), action_form=EmptyForm(),
                           may_edit=services.may_edit_process(current_user, process))


@bp.get("/<int:process_id>/diagram.svg")
@allow(TEAM_DATA)
def diagram_svg(process_id: int):
    """The diagram as a standalone SVG file (for documents and the evidence pack)."""
    process, _stages = _diagram(process_id)
    response = Response(diagrams.diagram_svg(process), mimetype="image/svg+xml")
    response.headers.set("Content-Disposition", "attachment", filename=f"diagram-{process.code}.svg")
    return response


@bp.route("/<int:process_id>/diagram/stages/new", methods=["GET", "POST"])
@allow(TEAM_DATA)
def new_stage(process_id: int):
    """Add a stage at the end of the diagram (it can be moved afterwards)."""
    process = editable_process(process_id)
    form = StageForm()
    if form.validate_on_submit():
        with rule_refusals(form.knowledge_holder_ids):
            stage = services.add_stage(process, form.data, reason=form.reason.data, actor=current_user)
            db.session.commit()
            flash(_("Stage “%(name)s” added to the diagram.", name=stage.name), "success")
            return redirect(url_for(".diagram", process_id=process.id))
    return render_template("processes/stage_form.html", form=form, process=process, stage=None)


@bp.route("/<int:process_id>/diagram/stages/<int:stage_id>/edit", methods=["GET", "POST"])
@allow(TEAM_DATA)
def edit_stage(process_id: int, stage_id: int):
    """Change a stage: its name, what is done, who answers for it and who holds the knowledge."""
    process = editable_process(process_id)
    stage = _stage_of(process, stage_id)
    form = StageForm(obj=stage)
    if request.method == "GET":
        form.knowledge_holder_ids.data = [holder.user_id for holder in stage.knowledge_holders]
        form.responsible_id.data = stage.responsible_id or 0
    conflict, revisions = None, []  # the one the change made, or None when it changed nothing
    with rule_refusals(form.knowledge_holder_ids):
        saved, conflict = submit_edit(form, stage, lambda: revisions.append(services.change_stage(
            process, stage, form.data, version=form.version.data, reason=form.reason.data, actor=current_user)))
        if saved:
            db.session.commit()
            flash(_("Stage “%(name)s” saved.", name=stage.name) if revisions[0] else _("Nothing changed."), "success")
            return redirect(url_for(".diagram", process_id=process.id))
    return render_template("processes/stage_form.html", form=form, process=process, stage=stage, conflict=conflict)


@bp.post("/<int:process_id>/diagram/stages/<int:stage_id>/move")
@allow(TEAM_DATA)
def move_stage(process_id: int, stage_id: int):
    """Move a stage one place earlier or later in the flow."""
    process = editable_process(process_id)
    stage = _stage_of(process, stage_id)
    later = request.form.get("direction") == "later"
    if EmptyForm().validate_on_submit() and services.move_stage(process, stage, 1 if later else -1,
                                                                actor=current_user):
        db.session.commit()
    return redirect(url_for(".diagram", process_id=process.id, _anchor=f"stage-{stage.id}"))


@bp.post("/<int:process_id>/diagram/stages/<int:stage_id>/remove")
@allow(TEAM_DATA)
def remove_stage(process_id: int, stage_id: int):
    """Take a stage out of the diagram; the sheet's revisions keep the diagram as it was."""
    process = editable_process(process_id)
    stage = _stage_of(process, stage_id)
    if EmptyForm().validate_on_submit():
        name = stage.name
        services.remove_stage(process, stage, actor=current_user)
        db.session.commit()
        flash(_("Stage “%(name)s” removed. The revision history keeps the diagram as it was.", name=name),
              "success")
    return redirect(url_for(".diagram", process_id=process.id))
