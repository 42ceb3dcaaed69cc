"""The E1 dashboard: every indicator by kind, with traffic light, trend and latest external comparison."""

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from core.access import TEAM_DATA, allow
from core.charts import chart_spec
from core.exports import table_response
from core.extensions import db
from core.findings import stored_thresholds, threshold_values
from core.forms import options, read_filters
from evidence import bp, listing
from evidence.charts import sparkline_chart
from evidence.forms import DashboardFilterForm
from processes.dashboard import grouped, indicator_rows
from processes.evidence import E1_THRESHOLDS
from processes.models import Process, ProcessStatus, Programme

#: The query arguments of the dashboard's filters.
FILTER_ARGUMENTS = ("programme_id", "process_id", "q")


def _dashboard_rows() -> tuple[DashboardFilterForm, list]:
    """The filter form, its menus filled, and the indicator rows it chooses."""
    form = DashboardFilterForm(request.args, meta={"csrf": False})
    programmes = db.session.scalars(select(Programme).order_by(Programme.is_certified.desc(), Programme.code)).all()
    processes = db.session.scalars(select(Process).where(Process.status != ProcessStatus.RETIRED)
                                   .order_by(Process.code)).all()
    form.programme_id.choices = options([(0, _("All programmes"))] + [(p.id, str(p)) for p in programmes])
    form.process_id.choices = options([(0, _("All processes"))] + [(p.id, str(p)) for p in processes])
    read_filters(form)
    rows = indicator_rows(programme_id=form.programme_id.data or None, process_id=form.process_id.data or None)
    return form, listing.dashboard_matches(rows, form.q.data)


@bp.get("/dashboard")
@allow(TEAM_DATA)
def dashboard():
    """Managing with data (E1): perception measures and performance indicators, filtered by programme, process
    and words of the indicator's code or name."""
    form, rows = _dashboard_rows()
    sparklines = {row.indicator.id: chart_spec(sparkline_chart(row.trend, row.trend_periods))
                  for row in rows if len(row.trend) > 1}
    # The history E1 asks of every indicator, as the criteria set in use states it (the criterion page's number).
    needed = threshold_values(E1_THRESHOLDS, stored_thresholds("E1"))["history_periods"]
    return render_template("evidence/dashboard.html", form=form, groups=grouped(rows), sparklines=sparklines,
                           total=len(rows), filtered=any(request.args.get(k) for k in FILTER_ARGUMENTS),
                           history_needed=needed)


@bp.get("/dashboard/export.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export_dashboard(fmt: str):
    """The E1 dashboard as filtered: each indicator's latest value, target, status and external comparison, as
    CSV or XLSX."""
    _form, rows = _dashboard_rows()
    headers, data = listing.dashboard_table([row for _kind, group in grouped(rows) for row in group])
    return table_response(headers, data, _("indicators"), fmt)
