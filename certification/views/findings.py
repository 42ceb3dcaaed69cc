"""The findings' pages: a reviewer records one in a cycle, a coordinator answers it (with its corrective action),
the reviewer closes it or sends the answer back; the lists per cycle and across cycles, searched and exported."""

from datetime import date

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from certification import bp
from certification.findings import (
    FindingFilters,
    answer_finding,
    close_finding,
    criteria_of,
    findings_query,
    may_review,
    record_finding,
    send_back,
)
from certification.forms.findings import AnswerForm, CloseForm, FindingFilterForm, FindingForm, SendBackForm
from certification.models import (
    CYCLE_STATE_LABELS,
    FINDING_HISTORY_KIND,
    FINDING_KIND_LABELS,
    FINDING_STATE_LABELS,
    Cycle,
    CycleState,
    Finding,
    FindingState,
)
from core import transitions
from core.access import COORDINATORS_ONLY, FINDINGS, REVIEW, TEAM_DATA, allow
from core.exports import table_response
from core.extensions import db
from core.forms import read_filters
from core.rules import rule_refusals
from evidence.records import record_link
from improvements.models import STATUS_LABELS, TASK_STATUS_LABELS, Improvement, Task
from improvements.services import may_edit_group


def today() -> date:
    return date.today()


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "en"


def _filters(cycle_id: int | None = None) -> tuple[FindingFilterForm, FindingFilters]:
    form = read_filters(FindingFilterForm(request.args))
    return form, FindingFilters(cycle_id=cycle_id or form.cycle.data or None, state=form.state.data or None,
                                kind=form.kind.data or None, q=(form.q.data or "").strip() or None)


def _list(cycle: Cycle | None):
    form, filters = _filters(cycle.id if cycle else None)
    page = db.paginate(findings_query(filters), per_page=current_app.config["PER_PAGE"])
    return render_template("certification/findings.html", form=form, page=page, cycle=cycle,
                           filtered=any(request.args.get(k) for k in ("q", "state", "kind", "cycle")),
                           kinds=FINDING_KIND_LABELS, states=FINDING_STATE_LABELS, status_labels=STATUS_LABELS,
                           may_record=cycle is not None and cycle.state != CycleState.CLOSED
                           and may_review(current_user, cycle), today=today())


def _export(cycle: Cycle | None, fmt: str):
    _form, filters = _filters(cycle.id if cycle else None)
    headers = [_("Cycle"), _("Reference"), _("Kind"), _("Criterion"), _("State"), _("Finding"), _("Evidence seen"),
               _("Recorded on"), _("Root cause"), _("Response"), _("Answered on"), _("Action"), _("Action status"),
               _("Deadline"), _("Closed on"), _("Verification")]
    rows = []
    for f in db.session.scalars(findings_query(filters)).unique():
        action = f.improvement
        rows.append((f.cycle.name, f.reference, str(FINDING_KIND_LABELS[f.kind]), f.criterion.code,
                     str(FINDING_STATE_LABELS[f.state]), f.text, f.evidence, f.raised_on, f.root_cause, f.response,
                     f.answered_on, action.title if action else None,
                     str(STATUS_LABELS[action.status]) if action else None, action.deadline if action else None,
                     f.closed_on, f.closing_comment))
    return table_response(headers, rows, _("findings"), fmt)


@bp.get("/findings")
@allow(TEAM_DATA)
def findings():
    """Every cycle's findings, filtered by state, kind and words, a page at a time."""
    return _list(None)


@bp.get("/findings/export.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export_findings(fmt: str):
    """The findings matching the filters, with their answer, action and verification, as CSV or XLSX."""
    return _export(None, fmt)


@bp.get("/cycles/<int:cycle_id>/findings")
@allow(TEAM_DATA)
def cycle_findings(cycle_id: int):
    """One cycle's findings."""
    return _list(db.get_or_404(Cycle, cycle_id))


@bp.get("/cycles/<int:cycle_id>/findings/export.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export_cycle_findings(cycle_id: int, fmt: str):
    """One cycle's findings as filtered, as CSV or XLSX."""
    return _export(db.get_or_404(Cycle, cycle_id), fmt)


@bp.route("/cycles/<int:cycle_id>/findings/new", methods=["GET", "POST"])
@allow(FINDINGS)
def new_finding(cycle_id: int):
    """A reviewer records a finding on a criterion of the cycle (and optionally on a record)."""
    cycle = db.get_or_404(Cycle, cycle_id)
    if not may_review(current_user, cycle):
        abort(403)
    form = FindingForm(criteria_of(cycle), _language())
    if cycle.state == CycleState.CLOSED:
        form.text.errors = [_("The cycle “%(cycle)s” is closed: it takes no new findings.", cycle=cycle.name)]
    elif form.validate_on_submit():
        with rule_refusals(form=form):
            finding = record_finding(cycle, form.data, actor=current_user, today=today())
            db.session.commit()
            return redirect(url_for(".finding", finding_id=finding.id))
    return render_template("certification/finding_form.html", form=form, cycle=cycle,
                           cycle_states=CYCLE_STATE_LABELS)


def _finding(finding_id: int) -> Finding:
    return db.get_or_404(Finding, finding_id)


def _action(finding: Finding) -> Improvement | None:
    if finding.improvement_id is None:
        return None
    return db.session.scalar(
        select(Improvement).where(Improvement.id == finding.improvement_id)
        .options(selectinload(Improvement.tasks).joinedload(Task.owner)))


def render_finding(finding: Finding, **forms):
    forms.setdefault("close_form", CloseForm(prefix="close"))
    forms.setdefault("send_back_form", SendBackForm(prefix="back"))
    action = _action(finding)
    return render_template(
        "certification/finding.html", finding=finding, action=action, kinds=FINDING_KIND_LABELS,
        states=FINDING_STATE_LABELS, status_labels=STATUS_LABELS, task_labels=TASK_STATUS_LABELS,
        record=record_link(finding.record_type, finding.record_id), today=today(),
        criterion_text=finding.criterion.text_in(_language()),
        reviewer=may_review(current_user, finding.cycle),
        works_action=action is not None and may_edit_group(current_user, action.group),
        history=transitions.history(FINDING_HISTORY_KIND, finding.id),
        state_labels_by_value={k.value: v for k, v in FINDING_STATE_LABELS.items()}, **forms)


@bp.get("/findings/<int:finding_id>")
@allow(TEAM_DATA)
def finding(finding_id: int):
    """A finding: what was found and on what, the answer, the corrective action with its tasks, the history."""
    return render_finding(_finding(finding_id))


@bp.route("/findings/<int:finding_id>/answer", methods=["GET", "POST"])
@allow(COORDINATORS_ONLY)
def answer(finding_id: int):
    """A coordinator answers an open finding: the root cause, the response and, for a nonconformity, the
    corrective action (group, owner, deadline, a first task)."""
    finding = _finding(finding_id)
    action = finding.improvement
    form = AnswerForm(data={"root_cause": finding.root_cause, "response": finding.response,
                            "action": action.objective if action else None,
                            "group_id": action.group_id if action else None,
                            "owner_id": action.owner_id if action else None,
                            "deadline": action.deadline if action else None} if request.method == "GET" else None)
    if finding.state != FindingState.OPEN:
        return redirect(url_for(".finding", finding_id=finding.id))
    if form.validate_on_submit():
        with rule_refusals(form=form):
            answer_finding(finding, form.data, actor=current_user, today=today())
            db.session.commit()
            return redirect(url_for(".finding", finding_id=finding.id))
    return render_template("certification/finding_answer.html", form=form, finding=finding, action=action,
                           kinds=FINDING_KIND_LABELS, criterion_text=finding.criterion.text_in(_language()))


@bp.post("/findings/<int:finding_id>/close")
@allow(REVIEW)
def close(finding_id: int):
    """The reviewer verifies the answer (and a nonconformity's implemented action) and closes the finding."""
    finding = _finding(finding_id)
    if not may_review(current_user, finding.cycle):
        abort(403)
    form = CloseForm(prefix="close")
    if form.validate_on_submit():
        with rule_refusals(form.comment):
            close_finding(finding, form.comment.data, actor=current_user, today=today())
            db.session.commit()
            return redirect(url_for(".finding", finding_id=finding.id))
        db.session.refresh(finding)
    return render_finding(finding, close_form=form), 400


@bp.post("/findings/<int:finding_id>/send-back")
@allow(REVIEW)
def send_back_answer(finding_id: int):
    """The reviewer does not accept the answer: the finding is open again, with why."""
    finding = _finding(finding_id)
    if not may_review(current_user, finding.cycle):
        abort(403)
    form = SendBackForm(prefix="back")
    if form.validate_on_submit():
        with rule_refusals(form.reason):
            send_back(finding, form.reason.data, actor=current_user)
            db.session.commit()
            return redirect(url_for(".finding", finding_id=finding.id))
        db.session.refresh(finding)
    return render_finding(finding, send_back_form=form), 400
