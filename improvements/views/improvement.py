"""One improvement: its page (with the feedback-loop trace), plan, SMART check, status and tasks."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import transitions
from core.access import TEAM_DATA, allow
from core.charts import chart_spec
from core.rules import rule_refusals
from core.transitions import ConfirmationNeeded
from core.versioning import submit_edit
from improvements import bp, smart, work
from improvements.changes import knowledge_holders
from improvements.charts import before_after_chart
from improvements.forms import (
    AffectedForm,
    AfterForm,
    EvidenceDateForm,
    EvidenceForm,
    PlanForm,
    SmartForm,
    StatusForm,
    TaskForm,
    TaskStatusForm,
    TrainingForm,
    answers,
)
from improvements.models import (
    BACKWARD,
    EVIDENCE_LABELS,
    HISTORY_KIND,
    STATUS_LABELS,
    TASK_STATUS_LABELS,
    TRANSITIONS,
    Status,
    TaskStatus,
)
from improvements.queries import assess, improvement_page, measurements_for
from improvements.results import computed_for
from improvements.services import may_edit_group
from improvements.sources import is_client_voice, resolve_records, source_label, source_url
from improvements.trace import trace
from improvements.views.common import done, editable_improvement, editable_task, today
from improvements.views.transitions import result_of


def render_improvement(improvement_id: int, **forms):
    """The improvement page: source, plan, SMART, tasks, before/after, C3 change, trace and C1 standing."""
    improvement = improvement_page(improvement_id)
    if improvement is None:
        abort(404)
    series = measurements_for([improvement.indicator_id]).get(improvement.indicator_id, [])
    assessment = assess([improvement], {improvement.indicator_id: series})[improvement.id]
    record = resolve_records([improvement]).get((improvement.source_kind, improvement.source_id))
    voice = is_client_voice(improvement, record)
    source = source_label(improvement, record)
    unit = improvement.indicator.unit if improvement.indicator else improvement.measure_unit
    shown = [(p, v) for p, v in series if improvement.baseline_period is None or p >= improvement.baseline_period]
    chart = before_after_chart(shown, assessment.result, unit) if assessment.result.before is not None else None
    forms.setdefault("after_form", AfterForm())
    forms.setdefault("date_form", EvidenceDateForm(prefix="date",
                                                   value=improvement.implemented_on or improvement.approved_on))
    forms.setdefault("evidence_form", EvidenceForm(prefix="evidence"))
    forms.setdefault("task_form", TaskForm(prefix="task"))
    forms.setdefault("affected_form", AffectedForm(prefix="affected"))
    forms.setdefault("training_form", TrainingForm(prefix="training", held_on=today()))
    return render_template(
        "improvements/improvement.html", improvement=improvement, assessment=assessment,
        results=smart.current_results(improvement), smart_failures=smart.failures(improvement),
        trace=trace(improvement, smart_passed=assessment.smart_passed, result=assessment.result,
                    valued=assessment.valued, client_voice=voice, source=source),
        source=source, source_link=source_url(improvement, record),
        chart=chart_spec(chart) if chart is not None else None, unit=unit,
        holders=knowledge_holders(improvement), may_edit=may_edit_group(current_user, improvement.group),
        moves=sorted(TRANSITIONS[improvement.status], key=list(Status).index), status_labels=STATUS_LABELS,
        task_labels=TASK_STATUS_LABELS, evidence_labels=EVIDENCE_LABELS, task_status_form=TaskStatusForm(),
        status_form=StatusForm(), today=today(), computed=computed_for([improvement]).get(improvement.id, []),
        backward={to for (frm, to) in BACKWARD if frm == improvement.status},
        dated={status for status in work.DATED_MOVES if work.asks_for_day(improvement, status)},
        history=transitions.history(HISTORY_KIND, improvement.id),
        status_labels_by_value={k.value: v for k, v in STATUS_LABELS.items()}, **forms)


@bp.get("/<int:improvement_id>")
@allow(TEAM_DATA)
def improvement_detail(improvement_id: int):
    """An improvement from the client voice it came from to the result clients value."""
    return render_improvement(improvement_id)


@bp.route("/<int:improvement_id>/plan", methods=["GET", "POST"])
@allow(TEAM_DATA)
def edit_plan(improvement_id: int):
    """The plan: objective, indicator, baseline value and period, target value and deadline, owner."""
    improvement = editable_improvement(improvement_id)
    form = PlanForm(obj=improvement)
    conflict = None
    with rule_refusals(form.deadline):
        saved, conflict = submit_edit(form, improvement, lambda: work.save_plan(
            improvement, form.data, version=form.version.data, today=today()))
        if saved:
            return done(_("Plan saved."), ".improvement_detail", "plan", improvement_id=improvement.id)
    return render_template("improvements/plan_form.html", form=form, improvement=improvement, conflict=conflict)


@bp.route("/<int:improvement_id>/smart", methods=["GET", "POST"])
@allow(TEAM_DATA)
def smart_check(improvement_id: int):
    """The SMART check: each criterion met or not, with why; passing makes the opportunity a proposal."""
    improvement = editable_improvement(improvement_id)
    form = SmartForm(checked_on=today())
    if request.method == "GET" and improvement.latest_check is not None:
        form = SmartForm(data={"checked_on": today(),
                               **{k: getattr(improvement.latest_check, k) for k in smart.CRITERIA},
                               **{f"{k}_why": getattr(improvement.latest_check, f"{k}_why") for k in smart.CRITERIA}})
    if form.validate_on_submit():
        with rule_refusals(form=form):
            check = smart.record_check(improvement, answers(form), actor=current_user, on=form.checked_on.data,
                                       today=today())
            message = _("It meets SMART: it is now a proposal the group can approve.") if check.passed else \
                _("It does not meet SMART yet: see which criteria fail and why.")
            return done(message, ".improvement_detail", "smart", improvement_id=improvement.id)
        if not form.checked_on.errors:
            return redirect(url_for(".improvement_detail", improvement_id=improvement.id))
    return render_template("improvements/smart_form.html", form=form, improvement=improvement,
                           plan_problems=smart.plan_problems(improvement), labels=smart.CRITERION_LABELS,
                           criteria=smart.CRITERIA)


@bp.post("/<int:improvement_id>/status")
@allow(TEAM_DATA)
def change_status(improvement_id: int):
    """Approve, start, implement, verify or cancel; refused with the reasons when the rules do not hold, and
    sent to the confirmation page when the move goes back or would lower a criterion."""
    improvement = editable_improvement(improvement_id)
    form = StatusForm()
    try:
        status = Status(form.status.data)
    except ValueError:
        abort(400)
    if not form.validate_on_submit():
        abort(400)
    result = result_of(improvement) if status == Status.VERIFIED else None
    with rule_refusals():
        try:
            work.change_status(improvement, status, actor=current_user, today=today(), result=result)
        except ConfirmationNeeded:
            # It moves back or would lower a criterion: show what it changes and let the person confirm.
            return redirect(url_for(".confirm_status", improvement_id=improvement.id, status=status.value))
        return done(_("Status: %(status)s.", status=STATUS_LABELS[status]), ".improvement_detail",
                    improvement_id=improvement.id)
    return redirect(url_for(".improvement_detail", improvement_id=improvement.id))


@bp.post("/<int:improvement_id>/tasks")
@allow(TEAM_DATA)
def add_task(improvement_id: int):
    """Add a task with its owner and due date to the action plan."""
    improvement = editable_improvement(improvement_id)
    form = TaskForm(prefix="task")
    if form.validate_on_submit():
        with rule_refusals(form.due_on):
            work.add_task(improvement, form.title.data, form.owner_id.data, form.due_on.data, today=today())
            return done(_("Task added."), ".improvement_detail", "tasks", improvement_id=improvement.id)
    return render_improvement(improvement.id, task_form=form)


@bp.post("/tasks/<int:task_id>/status")
@allow(TEAM_DATA)
def task_status(task_id: int):
    """Move a task to do / doing / done / cancelled."""
    task = editable_task(task_id)
    form = TaskStatusForm()
    if form.validate_on_submit():
        with rule_refusals():
            work.set_task_status(task, TaskStatus(form.status.data), today=today(), actor=current_user)
            return done(_("Task “%(task)s”: %(status)s.", task=task.title,
                          status=TASK_STATUS_LABELS[TaskStatus(form.status.data)]),
                        ".improvement_detail", "tasks", improvement_id=task.improvement_id)
        return redirect(url_for(".improvement_detail", improvement_id=task.improvement_id))
    abort(400)
