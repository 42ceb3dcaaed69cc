"""The requirements register (B1): what clients need or expect, where it was heard, and what became of it."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from core import transitions
from core.access import TEAM_DATA, allow
from core.exports import table_response
from core.extensions import db
from core.forms import options, read_filters
from core.needs import NEED_LEVEL_LABELS
from core.rules import rule_refusals
from core.transitions import ConfirmationNeeded
from core.versioning import submit_edit
from loyalty.models import TYPOLOGY_LABELS
from surveys.models import Wave
from voice import bp
from voice import requirements as requirement_moves
from voice.forms import RequirementFilterForm, RequirementForm, RequirementStatusForm
from voice.labels import IMPORTANCE_LABELS, REQUIREMENT_STATUS_LABELS, SOURCE_LABELS
from voice.models import (
    CLIENT_ACTIVITY_KINDS,
    REQUIREMENT_BACKWARD,
    REQUIREMENT_HISTORY_KIND,
    REQUIREMENT_MOVES,
    Complaint,
    ListeningActivity,
    Requirement,
    RequirementStatus,
)
from voice.requirements import save_requirement
from voice.views.complaints import RowsPage

#: How many recent complaints the "came from" list offers (older ones are linked from the complaint's page).
RECENT_COMPLAINTS = 200


def _filtered():
    form = read_filters(RequirementFilterForm(request.args))
    filters = requirement_moves.RequirementFilters(**{name: form[name].data or None for name in (
        "q", "source", "status", "typology", "need_level")})
    return form, requirement_moves.requirements_query(filters, sort=request.args.get("sort", "identified"),
                                                      descending=request.args.get("dir") != "asc")


@bp.get("/requirements")
@allow(TEAM_DATA)
def requirements():
    """The register, with counts per source and per status."""
    form, query = _filtered()
    page = RowsPage(query=query, per_page=current_app.config["PER_PAGE"])
    by_source = dict(db.session.execute(select(Requirement.source, func.count()).group_by(Requirement.source)).all())
    by_status = dict(db.session.execute(select(Requirement.status, func.count()).group_by(Requirement.status)).all())
    return render_template("voice/requirements.html", form=form, page=page, by_source=by_source,
                           by_status=by_status, sources=SOURCE_LABELS, statuses=REQUIREMENT_STATUS_LABELS,
                           importance=IMPORTANCE_LABELS, typologies=TYPOLOGY_LABELS, levels=NEED_LEVEL_LABELS,
                           filtered=any(request.args.get(k) for k in ("q", "source", "status", "typology",
                                                                        "need_level")))


@bp.get("/requirements/export.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export_requirements(fmt: str):
    """The register as filtered, as CSV or XLSX."""
    _form, query = _filtered()
    headers = [_("Requirement"), _("Explicit"), _("Typology"), _("Source"), _("Identified on"), _("Importance"),
               _("Level of need"), _("Status"), _("Why rejected"), _("Came from")]
    data = [(r.statement, _("yes") if r.explicit else _("no"), str(TYPOLOGY_LABELS[r.typology]) if r.typology else "",
             str(SOURCE_LABELS[r.source]), r.identified_on, str(IMPORTANCE_LABELS[r.importance]),
             str(NEED_LEVEL_LABELS[r.need_level]) if r.need_level else "",
             str(REQUIREMENT_STATUS_LABELS[r.status]), r.rejection_reason, str(r.origin) if r.origin else "")
            for r in db.session.scalars(query)]
    return table_response(headers, data, _("requirements"), fmt)


def origin_choices(selected: str | None = None) -> list[tuple[str, str]]:
    """("kind:id", label) for the listening activities, survey waves and recent complaints (three queries)."""
    client_activities = (select(ListeningActivity).where(ListeningActivity.kind.in_(CLIENT_ACTIVITY_KINDS))
                         .order_by(ListeningActivity.held_on.desc()))
    found = [(f"activity:{a.id}", _("Listening: %(what)s", what=str(a)))
             for a in db.session.scalars(client_activities)]
    found += [(f"wave:{w.id}", _("Survey wave: %(what)s", what=w.name))
              for w in db.session.scalars(select(Wave).order_by(Wave.opens_on.desc()))]
    recent = select(Complaint).order_by(Complaint.received_on.desc()).limit(RECENT_COMPLAINTS)
    if selected and selected.startswith("complaint:") and selected[10:].isdigit():
        recent = select(Complaint).where(or_(Complaint.id.in_(select(recent.subquery().c.id)),
                                             Complaint.id == int(selected[10:]))).order_by(Complaint.received_on.desc())
    found += [(f"complaint:{c.id}", _("Complaint: %(what)s", what=f"{c} — {c.description[:60]}"))
              for c in db.session.scalars(recent)]
    return found


def _origin_of(requirement: Requirement | None) -> str:
    if requirement is None:
        return request.args.get("origin", "")
    for kind, record_id in (("activity", requirement.activity_id), ("complaint", requirement.complaint_id),
                            ("wave", requirement.wave_id)):
        if record_id:
            return f"{kind}:{record_id}"
    return ""


def _requirement_form(requirement: Requirement | None) -> RequirementForm:
    origin = request.form.get("origin") or _origin_of(requirement)
    form = RequirementForm(obj=requirement, origins=origin_choices(origin))
    if request.method == "GET":
        form.origin.data = origin
        if requirement is not None:
            form.source.data = requirement.source.value
            form.typology.data = requirement.typology.value if requirement.typology else ""
            form.need_level.data = requirement.need_level.value if requirement.need_level else ""
            form.explicit.data = requirement.explicit
        elif origin.startswith("complaint:"):
            form.source.data = "complaint"
        elif origin.startswith("wave:"):
            form.source.data = "survey"
    return form


@bp.route("/requirements/new", methods=["GET", "POST"])
@allow(TEAM_DATA)
def new_requirement():
    """Record a requirement, freely or from the listening activity, complaint or survey wave it came from."""
    form = _requirement_form(None)
    if form.validate_on_submit():
        with rule_refusals(form.source):
            requirement = save_requirement(None, form.data, form.origin_pair())
            db.session.commit()
            flash(_("Requirement recorded."), "success")
            return redirect(url_for(".requirement_detail", requirement_id=requirement.id))
    return render_template("voice/requirement_form.html", form=form, requirement=None)


@bp.get("/requirements/<int:requirement_id>")
@allow(TEAM_DATA)
def requirement_detail(requirement_id: int):
    """One requirement: where it came from, its status, and the moves it can make."""
    requirement = db.get_or_404(Requirement, requirement_id)
    return render_template("voice/requirement.html", requirement=requirement, status_form=_status_form(
        requirement), sources=SOURCE_LABELS, statuses=REQUIREMENT_STATUS_LABELS, importance=IMPORTANCE_LABELS,
        typologies=TYPOLOGY_LABELS, levels=NEED_LEVEL_LABELS,
        history=transitions.history(REQUIREMENT_HISTORY_KIND, requirement.id),
        status_labels={k.value: v for k, v in REQUIREMENT_STATUS_LABELS.items()})


def _status_form(requirement: Requirement) -> RequirementStatusForm:
    form = RequirementStatusForm()
    moves = [s for s in RequirementStatus if s in REQUIREMENT_MOVES[requirement.status]]
    form.status.choices = options((s.value, REQUIREMENT_STATUS_LABELS[s]) for s in moves)
    return form


@bp.route("/requirements/<int:requirement_id>/edit", methods=["GET", "POST"])
@allow(TEAM_DATA)
def edit_requirement(requirement_id: int):
    """Change what a requirement says, where it came from, or how important it is."""
    requirement = db.get_or_404(Requirement, requirement_id)
    form = _requirement_form(requirement)
    conflict = None
    with rule_refusals(form.source):
        saved, conflict = submit_edit(form, requirement, lambda: save_requirement(
            requirement, form.data, form.origin_pair(), version=form.version.data))
        if saved:
            db.session.commit()
            flash(_("Requirement saved."), "success")
            return redirect(url_for(".requirement_detail", requirement_id=requirement.id))
    return render_template("voice/requirement_form.html", form=form, requirement=requirement,
                           conflict=conflict)


def _chosen_status(form: RequirementStatusForm) -> RequirementStatus | None:
    """The status the form asks for, or None for a value that is none (a forged or outdated form)."""
    try:
        return RequirementStatus(form.status.data)
    except ValueError:
        return None


@bp.post("/requirements/<int:requirement_id>/status")
@allow(TEAM_DATA)
def move_requirement(requirement_id: int):
    """Move a requirement along new → analysed → in improvement → addressed, or reject it with a reason. A move
    back a step, or one that would lower a criterion, answers with the confirmation page (what it changes in the
    evidence, and why) whose button posts here again, confirmed."""
    requirement = db.get_or_404(Requirement, requirement_id)
    form = RequirementStatusForm()
    status = _chosen_status(form) if form.validate_on_submit() else None
    if status is None:
        flash(_("Choose a status from the list."), "danger")
        return redirect(url_for(".requirement_detail", requirement_id=requirement.id))
    confirmed = form.confirm.data == "yes"
    with rule_refusals(form.reason if confirmed else None):
        try:
            requirement_moves.move_requirement(requirement, status, actor=current_user, reason=form.reason.data,
                                          confirmed=confirmed)
        except ConfirmationNeeded:
            return _confirm_page(requirement, status, form)
        db.session.commit()
        flash(_("Status: %(status)s.", status=REQUIREMENT_STATUS_LABELS[requirement.status]), "success")
        return redirect(url_for(".requirement_detail", requirement_id=requirement.id))
    if confirmed:
        return _confirm_page(requirement, status, form)
    return redirect(url_for(".requirement_detail", requirement_id=requirement.id))


def _confirm_page(requirement: Requirement, status: RequirementStatus, form: RequirementStatusForm):
    """What the move would change in the criteria, to confirm (with the reason) or cancel."""
    preview = transitions.preview(lambda: requirement_moves.move_requirement(
        requirement, status, actor=current_user, reason=form.reason.data or transitions.PREVIEW_REASON,
        confirmed=True))
    return render_template(
        "core/confirm_change.html", heading=_("Change the status of this requirement?"), record=str(requirement),
        back_url=url_for(".requirement_detail", requirement_id=requirement.id),
        before=REQUIREMENT_STATUS_LABELS[requirement.status], after=REQUIREMENT_STATUS_LABELS[status],
        preview=preview, form=form, hidden={"status": status.value},
        needs_reason=(requirement.status, status) in REQUIREMENT_BACKWARD or status == RequirementStatus.REJECTED,
        action=url_for(".move_requirement", requirement_id=requirement.id))
