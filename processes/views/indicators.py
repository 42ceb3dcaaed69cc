"""Indicators of a process: definition, targets, measurements (one, a grid, or imported), comparisons."""

from datetime import date
from functools import partial

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from core.access import TEAM_DATA, allow
from core.cache import cached, cached_page
from core.charts import chart_spec
from core.extensions import db
from core.versioning import submit_edit
from processes import bp, computed
from processes import indicators as logic
from processes.charts import indicator_chart
from processes.forms import BenchmarkForm, IndicatorForm, MeasurementForm, TargetForm
from processes.models import Indicator
from processes.periods import PeriodError, parse_period, period_label, periods_between
from processes.services import may_edit_process, may_record_measurements, save_indicator
from processes.views.common import editable_process, measurable_indicator


@bp.route("/<int:process_id>/indicators/new", methods=["GET", "POST"])
@allow(TEAM_DATA)
def new_indicator(process_id: int):
    """Define a new indicator of a process."""
    process = editable_process(process_id)
    form = IndicatorForm()
    if form.validate_on_submit():
        indicator = save_indicator(None, form.data, process=process)
        db.session.commit()
        flash(_("Indicator %(code)s created. Set its target and record its measurements.", code=indicator.code),
              "success")
        return redirect(url_for(".indicator_detail", indicator_id=indicator.id))
    return render_template("processes/indicator_form.html", form=form, process=process, indicator=None)


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@allow(TEAM_DATA)
def edit_indicator(indicator_id: int):
    """Change an indicator's definition."""
    indicator = db.get_or_404(Indicator, indicator_id)
    editable_process(indicator.process_id)
    form = IndicatorForm(obj=indicator, editing=indicator)
    if request.method == "GET":
        form.frequency.data, form.direction.data = indicator.frequency.value, indicator.direction.value
        form.kind.data = indicator.kind.value
        form.computed_source.data = indicator.computed_source or ""
    saved, conflict = submit_edit(form, indicator, lambda: save_indicator(
        indicator, form.data, version=form.version.data))
    if saved:
        db.session.commit()
        flash(_("Indicator %(code)s saved.", code=indicator.code), "success")
        return redirect(url_for(".indicator_detail", indicator_id=indicator.id))
    return render_template("processes/indicator_form.html", form=form, process=indicator.process,
                           indicator=indicator, conflict=conflict)


def _history_parts(indicator: Indicator) -> dict:
    """What the page draws from the indicator's data, as HTML: the chart, the data table, the targets and
    the external comparisons, with the latest result and its status. Kept by ``core.cache`` until the
    data changes, because building them (Altair, one formatted number per cell) costs most of the page."""
    history, comparisons = logic.series(indicator), logic.benchmarks(indicator)
    latest = history[-1] if history else None
    macros = current_app.jinja_env.get_template("processes/_indicator_history.html").module
    label = partial(period_label, frequency=indicator.frequency)
    spec = chart_spec(indicator_chart(indicator, history, comparisons)) if history else None
    return {
        "latest": {key: latest[key] for key in ("label", "value", "target")} if latest else None,
        "status": latest["status"] if latest else logic.Status.NO_DATA,
        "chart": macros.chart(spec, indicator.name) if spec else None,
        "table": macros.table(history) if history else None,
        "targets": macros.targets(indicator.targets, label) if indicator.targets else None,
        "comparisons": macros.comparisons(comparisons, label) if comparisons else None,
    }


def _detail(indicator: Indicator, **forms):
    history = cached("indicator-history", indicator.id, compute=lambda: _history_parts(indicator))
    frequency = indicator.frequency
    forms.setdefault("measurement_form", MeasurementForm(frequency=frequency))
    forms.setdefault("target_form", TargetForm(prefix="target", frequency=frequency))
    forms.setdefault("benchmark_form", BenchmarkForm(prefix="benchmark", frequency=frequency))
    source = computed.source_of(indicator)
    return render_template(
        "processes/indicator.html", indicator=indicator, history=history, latest=history["latest"],
        status=history["status"], may_edit=may_edit_process(current_user, indicator.process),
        may_record=not indicator.computed_source and may_record_measurements(current_user, indicator),
        source=source, source_url=computed.source_url(indicator, source) if source else None,
        source_record=_source_record(indicator, source),
        period_label=lambda d: period_label(d, frequency), **forms)


def _source_record(indicator: Indicator, source) -> str | None:
    """The record a computed indicator's figure is computed for (its survey), by name."""
    if source is None or source.parameters is None:
        return None
    return dict(source.parameters()).get(indicator.source_parameter)


def _typed_only(indicator: Indicator):
    """A redirect to the indicator's page, saying why, when the app computes its measurements; else None."""
    if not indicator.computed_source:
        return None
    flash(computed.refusal(indicator), "warning")
    return redirect(url_for(".indicator_detail", indicator_id=indicator.id))


@bp.get("/indicators/<int:indicator_id>")
@allow(TEAM_DATA)
@cached_page
def indicator_detail(indicator_id: int):
    """An indicator over time: chart with target and comparisons, latest status, the data table."""
    # Its process (breadcrumb, who may edit) and who is responsible, in the same query.
    return _detail(db.get_or_404(Indicator, indicator_id,
                                 options=[joinedload(Indicator.process), joinedload(Indicator.responsible)]))


def _done(indicator: Indicator, message: str, anchor: str | None = None):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".indicator_detail", indicator_id=indicator.id, _anchor=anchor))


@bp.post("/indicators/<int:indicator_id>/measurements")
@allow(TEAM_DATA)
def add_measurement(indicator_id: int):
    """Record one period's value; if the period has one, ask whether to replace or keep it."""
    indicator = measurable_indicator(indicator_id)
    if refused := _typed_only(indicator):
        return refused
    form = MeasurementForm(frequency=indicator.frequency)
    if form.validate_on_submit():
        period = form.period.period
        try:
            logic.record_measurements(indicator, {period: (form.value.data, form.comment.data or None)},
                                      actor=current_user, replace=form.replace.data)
        except logic.MeasurementExists as exists:
            db.session.rollback()
            return _detail(indicator, measurement_form=form, existing=exists.measurement)
        return _done(indicator, _("Value for %(period)s recorded.", period=period_label(period, indicator.frequency)))
    return _detail(indicator, measurement_form=form)


@bp.post("/indicators/<int:indicator_id>/targets")
@allow(TEAM_DATA)
def set_target(indicator_id: int):
    """Set the indicator's target from a period on (earlier periods keep their own target)."""
    indicator = db.get_or_404(Indicator, indicator_id)
    editable_process(indicator.process_id)
    form = TargetForm(prefix="target", frequency=indicator.frequency)
    if form.validate_on_submit():
        start = form.valid_from.period
        logic.set_target(indicator, start, form.value.data)
        return _done(indicator, _("Target set from %(period)s.", period=period_label(start, indicator.frequency)),
                     "targets")
    return _detail(indicator, target_form=form)


@bp.post("/indicators/<int:indicator_id>/benchmarks")
@allow(TEAM_DATA)
def add_benchmark(indicator_id: int):
    """Add an external comparison (E1)."""
    indicator = db.get_or_404(Indicator, indicator_id)
    editable_process(indicator.process_id)
    form = BenchmarkForm(prefix="benchmark", frequency=indicator.frequency)
    if form.validate_on_submit():
        logic.add_benchmark(indicator, form.source.data, form.period.period, form.value.data)
        return _done(indicator, _("External comparison added."), "comparisons")
    return _detail(indicator, benchmark_form=form)


def _grid_periods(indicator: Indicator) -> list[date]:
    today = date.today()
    default_from = date(today.year - 1, 1, 1)
    try:
        first = parse_period(request.values.get("from") or default_from, indicator.frequency)
        last = parse_period(request.values.get("to") or today, indicator.frequency)
    except PeriodError as error:
        flash(str(error), "danger")
        first, last = default_from, today
    if last < first:
        first, last = last, first
    return periods_between(first, last, indicator.frequency)[-240:]


@bp.route("/indicators/<int:indicator_id>/grid", methods=["GET", "POST"])
@allow(TEAM_DATA)
def measurement_grid(indicator_id: int):
    """Enter or correct many periods at once; the values already recorded are shown and can be changed."""
    indicator = measurable_indicator(indicator_id)
    if refused := _typed_only(indicator):
        return refused
    periods = _grid_periods(indicator)
    existing = logic.measurements_by_period(indicator)
    errors = {}
    if request.method == "POST":  # CSRFProtect has checked the token of this hand-built form
        values, errors = logic.values_from_grid(request.form, periods)
        if not errors:
            added, replaced = logic.record_measurements(indicator, values, actor=current_user, replace=True)
            db.session.commit()
            flash(_("%(added)d values added and %(replaced)d changed.", added=added, replaced=replaced), "success")
            return redirect(url_for(".indicator_detail", indicator_id=indicator.id))
    return render_template("processes/grid.html", indicator=indicator, periods=periods, existing=existing,
                           errors=errors, submitted=request.form,
                           period_label=lambda d: period_label(d, indicator.frequency))
