"""Certification cycles' pages: the list, a cycle's page with its packs, the form, the moves between states, the
pack generated for a cycle and the comparison of two cycles."""

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from certification import bp, comparison, cycles, listing
from certification.forms.cycles import CycleFilterForm, CycleForm
from certification.models import (
    CYCLE_STATE_LABELS,
    CYCLE_TRANSITIONS,
    FINDING_KIND_LABELS,
    FINDING_STATE_LABELS,
    Cycle,
    CycleState,
)
from core.access import COORDINATION, CYCLE_MOVES, PACKS, allow
from core.extensions import db
from core.forms import ConfirmChangeForm, EmptyForm, read_filters
from core.ids import record_id
from core.rules import rule_refusals
from core.transitions import ConfirmationNeeded, Preview
from core.ui import confirmation_posted
from core.versioning import submit_edit
from evidence import pack_jobs
from evidence.forms import PACK_LANGUAGES, PackForm

MOVES = "any(under_review, closed, preparing)"


def today() -> date:
    return date.today()


def _language() -> str:
    return str(get_locale() or "es").split("_")[0]


@bp.get("/cycles", endpoint="cycles")
@allow(COORDINATION)
def cycles_list():
    """Every certification cycle, searchable by name and scope, filtered by state, newest period first."""
    form = read_filters(CycleFilterForm(request.args))
    query = listing.cycles_query(q=form.q.data, state=form.state.data or None,
                                 sort=request.args.get("sort", "period"),
                                 descending=request.args.get("dir", "desc" if "sort" not in request.args else "")
                                 == "desc")
    page = db.paginate(query.options(joinedload(Cycle.criteria_set)), per_page=current_app.config["PER_PAGE"])
    return render_template("certification/cycles.html", form=form, page=page, state_labels=CYCLE_STATE_LABELS,
                           filtered=bool(form.q.data or form.state.data))


@bp.route("/cycles/new", methods=["GET", "POST"])
@allow(COORDINATION)
def new_cycle():
    """Prepare a new certification cycle: its set, scope, period, visit and reviewers."""
    form = CycleForm(today=today())
    if form.validate_on_submit():
        with rule_refusals(form=form, field=form.name):
            cycle = cycles.save_cycle(None, form.data_given(), actor=current_user, today=today())
            db.session.commit()
            flash(_("Cycle “%(name)s” created, in preparation.", name=cycle.name), "success")
            return redirect(url_for(".cycle", cycle_id=cycle.id))
    return render_template("certification/cycle_form.html", form=form, cycle=None, conflict=None)


@bp.route("/cycles/<int:cycle_id>/edit", methods=["GET", "POST"])
@allow(COORDINATION)
def edit_cycle(cycle_id: int):
    """Change a cycle that is not closed (a closed one is history)."""
    cycle = db.get_or_404(Cycle, cycle_id)
    if cycle.state is CycleState.CLOSED:
        flash(_("A closed cycle is history: it can no longer be edited."), "warning")
        return redirect(url_for(".cycle", cycle_id=cycle.id))
    form = CycleForm(obj=cycle if request.method == "GET" else None, today=today(), cycle=cycle)
    if request.method == "GET":
        form.criteria_set.data, form.reviewers.data = cycle.set_id, [user.id for user in cycle.reviewers]
    saved, conflict = False, None
    with rule_refusals(form=form, field=form.name):
        saved, conflict = submit_edit(form, cycle, lambda: cycles.save_cycle(
            cycle, form.data_given(), actor=current_user, today=today(), version=form.version.data))
        if saved:
            db.session.commit()
            flash(_("Cycle saved."), "success")
            return redirect(url_for(".cycle", cycle_id=cycle.id))
    return render_template("certification/cycle_form.html", form=form, cycle=cycle, conflict=conflict)


@bp.get("/cycles/<int:cycle_id>", endpoint="cycle")
@allow(COORDINATION)
def cycle_detail(cycle_id: int):
    """A cycle: scope, period, visit, reviewers, state and its history, its findings and its packs."""
    cycle = db.get_or_404(Cycle, cycle_id)
    moves = [state for state in (CycleState.UNDER_REVIEW, CycleState.CLOSED, CycleState.PREPARING)
             if state in _allowed(cycle) and cycles.may_move(current_user, cycle, state)]
    return render_template(
        "certification/cycle.html", cycle=cycle, moves=moves, history=cycles.history(cycle),
        state_labels=CYCLE_STATE_LABELS, kind_labels=FINDING_KIND_LABELS, finding_labels=FINDING_STATE_LABELS,
        packs=cycles.packs_of(cycle), pack_form=PackForm(language=_language()),
        previous=comparison.previous_cycle(cycle), deletable=not cycles.has_evidence(cycle),
        delete_form=EmptyForm())


def _allowed(cycle: Cycle) -> set:
    return CYCLE_TRANSITIONS[cycle.state]


@bp.post("/cycles/<int:cycle_id>/delete")
@allow(COORDINATION)
def delete_cycle(cycle_id: int):
    """Remove a cycle created by mistake; one with a pack or a finding is kept (and closed instead)."""
    cycle = db.get_or_404(Cycle, cycle_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with rule_refusals():
        name = cycle.name
        cycles.delete_cycle(cycle)
        db.session.commit()
        flash(_("Cycle “%(name)s” removed.", name=name), "success")
        return redirect(url_for(".cycles"))
    return redirect(url_for(".cycle", cycle_id=cycle_id))


@bp.route(f"/cycles/<int:cycle_id>/state/<{MOVES}:state>", methods=["GET", "POST"])
@allow(CYCLE_MOVES)
def move_cycle(cycle_id: int, state: str):
    """Confirm a move of the cycle (going back to preparation says why), then make it; kept in its history."""
    cycle, state = db.get_or_404(Cycle, cycle_id), CycleState(state)
    if not cycles.may_move(current_user, cycle, state):
        abort(403)  # a reviewer not assigned to the cycle, or a move that is the coordinator's
    form, page = ConfirmChangeForm(), url_for(".cycle", cycle_id=cycle.id)
    def move(reason, confirmed):
        if not confirmed:  # every move is confirmed on this page: a bare POST only leads here
            raise ConfirmationNeeded(_("Confirm the change on its page."))
        cycles.change_state(cycle, state, actor=current_user, today=today(), reason=reason, confirmed=True)

    if request.method == "POST":
        response = confirmation_posted(
            form, move,
            again_url=url_for(".move_cycle", cycle_id=cycle.id, state=state.value), done_url=page,
            cancel_url=page, message=_("Cycle: %(state)s.", state=CYCLE_STATE_LABELS[state]))
        if response is not None:
            return response
    refused = cycles.closing_problems(cycle) if state is CycleState.CLOSED else []
    if state not in _allowed(cycle):
        refused = [_("A cycle cannot go from “%(old)s” to “%(new)s”.", old=CYCLE_STATE_LABELS[cycle.state],
                     new=CYCLE_STATE_LABELS[state])]
    return render_template(
        "core/confirm_change.html", heading=_("Change the state of “%(name)s”?", name=cycle.name),
        record=cycle.name, back_url=page, before=CYCLE_STATE_LABELS[cycle.state], after=CYCLE_STATE_LABELS[state],
        preview=Preview(refused=[str(reason) for reason in refused]), form=form,
        needs_reason=cycles.is_backward(cycle, state), notes=_notes(state),
        action=url_for(".move_cycle", cycle_id=cycle.id, state=state.value))


def _notes(state: CycleState) -> list[str]:
    if state is CycleState.CLOSED:
        return [_("A closed cycle is history: it can no longer be edited or reopened.")]
    if state is CycleState.UNDER_REVIEW:
        return [_("The reviewers can now record findings in this cycle.")]
    return []


@bp.post("/cycles/<int:cycle_id>/pack")
@allow(PACKS)
def cycle_pack(cycle_id: int):
    """Generate the cycle's pack: its scope and period on the cover, the evidence judged on the period's end, its
    findings listed; served at once when it was already built from the same data."""
    cycle = db.get_or_404(Cycle, cycle_id)
    language = request.form.get("language")
    if language not in dict(PACK_LANGUAGES):
        language = _language()
    snapshot, job, started = pack_jobs.request_pack(cycle.criteria_set, "all", language, actor=current_user,
                                                    cycle_id=cycle.id)
    if snapshot is not None:
        return redirect(url_for("evidence.download_pack", snapshot_id=snapshot.id))
    if started:
        pack_jobs.start(job)
    else:
        flash(_("This pack is already being generated: you joined that job."), "info")
    return redirect(url_for("evidence.pack_job", job_id=job.id))


@bp.get("/cycles/<int:cycle_id>/compare")
@allow(PACKS)
def compare_cycles(cycle_id: int):
    """This cycle beside another (the previous one of the same set unless ``with`` names one): each criterion's
    status in their latest packs, what changed, and which of the earlier cycle's findings were closed."""
    cycle = db.get_or_404(Cycle, cycle_id)
    other_id = request.args.get("with", type=record_id)
    other = db.get_or_404(Cycle, other_id) if other_id else comparison.previous_cycle(cycle)
    others = db.session.scalars(select(Cycle).where(Cycle.id != cycle.id).order_by(Cycle.period_start.desc()))
    found = comparison.compare(cycle, other) if other is not None and other.id != cycle.id else None
    return render_template("certification/compare.html", cycle=cycle, other=other, others=list(others),
                           comparison=found, state_labels=CYCLE_STATE_LABELS, kind_labels=FINDING_KIND_LABELS,
                           finding_labels=FINDING_STATE_LABELS)
