"""The census over time and the segmentation matrix."""

from flask import render_template, request
from flask_babel import gettext as _

from core.access import TEAM_DATA, allow
from core.charts import chart_spec
from core.forms import read_filters
from loyalty import bp, charts, history, ranking, segments
from loyalty.forms import HistoryForm
from loyalty.reasons import exit_reasons
from loyalty.settings import current_settings


@bp.get("/history")
@allow(TEAM_DATA)
def census_history():
    """New and lost clients per month, quarter or year, with exit and retention rates and exit reasons (B2)."""
    form = read_filters(HistoryForm(request.args))
    granularity = form.granularity.data if form.granularity.data in history.GRANULARITIES else "year"
    start, end = history.span(form.start.data, form.end.data)
    settings = current_settings()
    periods = history.census_history(granularity, settings, start=start, end=end) if start <= end else []
    label = lambda figures: history.period_label(figures, granularity)  # noqa: E731
    reasons = {reason.id: reason.label for reason in exit_reasons(offered_only=False)}
    order = {p.key: i for i, p in enumerate(periods)}
    exits = [row for row in history.exit_reasons_over_time(granularity, start=start, end=end) if row[0] in order]
    by_reason = [{"period": label(periods[order[key]]), "order": order[key],
                  "reason": reasons.get(reason_id, _("Not recorded")), "clients": count}
                 for key, reason_id, count in exits]
    specs = {}
    if periods:
        specs = {"movements": chart_spec(charts.movements_chart(periods, label)),
                 "rates": chart_spec(charts.rates_chart(periods, label))}
        if by_reason:
            specs["reasons"] = chart_spec(charts.reasons_chart(by_reason))
    return render_template("loyalty/history.html", form=form, periods=periods, label=label, specs=specs,
                           reason_totals=history.exit_reason_totals(exits, reasons), settings=settings,
                           start=start, end=end)


@bp.get("/segments")
@allow(TEAM_DATA)
def segmentation():
    """Contribution class × loyalty behaviour: current clients per cell, with the treatment of each (seeds/003)."""
    settings = current_settings()
    asked = request.args.get("year", type=int)
    year = asked if asked is not None and 1900 <= asked <= 2100 else ranking.latest_year()  # else: no such date
    return render_template("loyalty/segments.html", matrix=segments.matrix(year, settings), year=year,
                           settings=settings, tenure_labels=segments.TENURE_LABELS,
                           satisfaction=segments.satisfaction())
