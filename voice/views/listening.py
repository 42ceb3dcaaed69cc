"""Listening activities (focus groups, trusted-client consultations, market studies, internal knowledge) and
"is listening worth it?": the yearly cost of listening against the benefit of the clients kept (seeds/000)."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core.access import COORDINATION, TEAM_DATA, allow
from core.charts import chart_spec
from core.exports import table_response
from core.extensions import db
from core.forms import read_filters
from core.versioning import EditConflict, ensure_current, submit_edit
from loyalty.models import TYPOLOGY_LABELS
from surveys.models import Survey, Wave
from voice import bp, charts, costs
from voice.forms import ActivityFilterForm, ActivityForm, AssumptionsForm, WaveCostForm
from voice.labels import ACTIVITY_KIND_LABELS, ACTIVITY_SOURCE, REQUIREMENT_STATUS_LABELS
from voice.listening import ActivityFilters, activities_query, save_activity
from voice.models import ListeningActivity, WaveCost
from voice.views.complaints import RowsPage


def _activity_filters() -> tuple[ActivityFilterForm, ActivityFilters]:
    form = read_filters(ActivityFilterForm(request.args))
    return form, ActivityFilters(q=(form.q.data or "").strip() or None, kind=form.kind.data or None,
                                 typology=form.typology.data or None, start=form.start.data, end=form.end.data)


@bp.get("/listening")
@allow(TEAM_DATA)
def activities():
    """Every listening activity matching the filters, latest first, with its cost and how many requirements it
    produced, a page at a time."""
    form, filters = _activity_filters()
    page = RowsPage(query=activities_query(filters), per_page=current_app.config["PER_PAGE"])
    return render_template("voice/activities.html", page=page, form=form, filtered=filters != ActivityFilters(),
                           kinds=ACTIVITY_KIND_LABELS, typologies=TYPOLOGY_LABELS)


@bp.get("/listening/export.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export_activities(fmt: str):
    """The listening activities matching the filters, with their costs, as CSV or XLSX."""
    _form, filters = _activity_filters()
    headers = [_("Held on"), _("Activity"), _("Kind"), _("Participants"), _("Typology"), _("Findings"),
               _("Requirements"), _("Staff hours"), _("Hourly rate"), _("External cost"), _("Cost")]
    rows = [(a.held_on, a.title, str(ACTIVITY_KIND_LABELS[a.kind]), a.participants,
             str(TYPOLOGY_LABELS[a.typology]) if a.typology else None, a.findings, produced, a.staff_hours,
             a.hourly_rate, a.external_cost, a.cost) for a, produced in db.session.execute(activities_query(filters))]
    return table_response(headers, rows, _("listening-activities"), fmt)


def _activity_form(activity: ListeningActivity | None) -> ActivityForm:
    form = ActivityForm(obj=activity)
    if request.method == "GET":
        if activity is None:
            form.hourly_rate.data = costs.current_assumptions().default_hourly_rate
            form.kind.data = request.args.get("kind", "focus_group")
        else:
            form.kind.data = activity.kind.value
            form.typology.data = activity.typology.value if activity.typology else ""
    return form


@bp.route("/listening/new", methods=["GET", "POST"])
@allow(TEAM_DATA)
def new_activity():
    """Record a listening activity: when, who took part, what was found, and what it cost."""
    form = _activity_form(None)
    if form.validate_on_submit():
        activity = save_activity(None, form.data)
        db.session.commit()
        flash(_("Listening activity recorded."), "success")
        return redirect(url_for(".activity_detail", activity_id=activity.id))
    return render_template("voice/activity_form.html", form=form, activity=None)


@bp.get("/listening/<int:activity_id>")
@allow(TEAM_DATA)
def activity_detail(activity_id: int):
    """One activity: its findings, its cost, and the requirements it produced."""
    activity = db.get_or_404(ListeningActivity, activity_id)
    return render_template("voice/activity.html", activity=activity, kinds=ACTIVITY_KIND_LABELS,
                           typologies=TYPOLOGY_LABELS, statuses=REQUIREMENT_STATUS_LABELS,
                           source=ACTIVITY_SOURCE.get(activity.kind))


@bp.route("/listening/<int:activity_id>/edit", methods=["GET", "POST"])
@allow(TEAM_DATA)
def edit_activity(activity_id: int):
    activity = db.get_or_404(ListeningActivity, activity_id)
    form = _activity_form(activity)
    saved, conflict = submit_edit(form, activity, lambda: save_activity(activity, form.data,
                                                                                version=form.version.data))
    if saved:
        db.session.commit()
        flash(_("Listening activity saved."), "success")
        return redirect(url_for(".activity_detail", activity_id=activity.id))
    return render_template("voice/activity_form.html", form=form, activity=activity, conflict=conflict)


def _wave_choices() -> list[tuple[int, str]]:
    query = select(Wave.id, Wave.name, Survey.title).join(Survey, Survey.id == Wave.survey_id) \
        .order_by(Wave.opens_on.desc())
    return [(wave_id, f"{title} · {name}") for wave_id, name, title in db.session.execute(query)]


def _costs_page(wave_form=None, assumptions_form=None, status=200):
    assumptions = costs.current_assumptions()
    years, baseline = costs.is_it_worth_it(assumptions)
    wave_costs = db.session.execute(select(WaveCost, Wave.name, Survey.title).join(Wave, Wave.id == WaveCost.wave_id)
                                    .join(Survey, Survey.id == Wave.survey_id).order_by(Wave.opens_on.desc())).all()
    if wave_form is None:
        wave_form = WaveCostForm(waves=_wave_choices(), hourly_rate=assumptions.default_hourly_rate)
    if assumptions_form is None:
        assumptions_form = AssumptionsForm(obj=assumptions)
        assumptions_form.version.data = assumptions.version if assumptions.id else ""
    spec = chart_spec(charts.cost_benefit_chart(years)) if years else None
    return render_template("voice/costs.html", years=years, baseline=baseline, assumptions=assumptions,
                           wave_costs=wave_costs, wave_form=wave_form, assumptions_form=assumptions_form,
                           spec=spec, meaning=costs.interpretation(years, baseline)), status


@bp.get("/listening/worth-it")
@allow(TEAM_DATA)
def listening_costs():
    """Is listening worth it? The cost of listening per year against the benefit estimated for it."""
    return _costs_page()


@bp.post("/listening/worth-it/waves")
@allow(TEAM_DATA)
def record_wave_cost():
    """Record what a survey wave cost (staff hours × rate + external cost)."""
    form = WaveCostForm(waves=_wave_choices())
    if not form.validate_on_submit():
        return _costs_page(wave_form=form, status=422)
    costs.save_wave_cost(form.wave_id.data, form.data)
    db.session.commit()
    flash(_("Survey wave cost recorded."), "success")
    return redirect(url_for(".listening_costs"))


@bp.post("/listening/worth-it/assumptions")
@allow(COORDINATION)
def save_assumptions():
    """Change the assumptions of the benefit estimate (the page shows them next to the result)."""
    assumptions = costs.current_assumptions()
    form = AssumptionsForm()
    if not form.validate_on_submit():
        return _costs_page(assumptions_form=form, status=422)
    if assumptions.id is None:
        db.session.add(assumptions)
    else:
        try:
            ensure_current(assumptions, form.version.data)
        except EditConflict:
            flash(_("Someone else changed the assumptions meanwhile; here they are as saved now."), "warning")
            return redirect(url_for(".listening_costs"))
    for name in ("baseline_year", "attribution", "value_years", "average_contribution", "default_hourly_rate"):
        setattr(assumptions, name, form[name].data)
    db.session.commit()
    flash(_("Assumptions saved."), "success")
    return redirect(url_for(".listening_costs"))
