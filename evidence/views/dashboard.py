"""The E1 dashboard: every indicator by kind, with traffic light, trend and latest external comparison."""

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from core.access import TEAM_DATA, allow
from core.charts import chart_spec
from core.extensions import db
from core.forms import options, read_filters
from evidence import bp
from evidence.charts import sparkline_chart
from evidence.forms import DashboardFilterForm
from processes.dashboard import grouped, indicator_rows
from processes.models import Process, ProcessStatus, Programme


@bp.get("/dashboard")
@allow(TEAM_DATA)
def dashboard():
    """Managing with data (E1): perception measures and performance indicators, filtered by programme/process."""
    form = DashboardFilterForm(request.args, meta={"csrf": False})
    programmes = db.session.scalars(select(Programme).order_by(Programme.is_certified.desc(), Programme.code)).all()
    processes = db.session.scalars(select(Process).where(Process.status != ProcessStatus.RETIRED)
                                   .order_by(Process.code)).all()
    form.programme_id.choices = options([(0, _("All programmes"))] + [(p.id, str(p)) for p in programmes])
    form.process_id.choices = options([(0, _("All processes"))] + [(p.id, str(p)) for p in processes])
    read_filters(form)
    rows = indicator_rows(programme_id=form.programme_id.data or None, process_id=form.process_id.data or None)
    sparklines = {row.indicator.id: chart_spec(sparkline_chart(row.trend, row.trend_periods))
                  for row in rows if len(row.trend) > 1}
    return render_template("evidence/dashboard.html", form=form, groups=grouped(rows), sparklines=sparklines,
                           total=len(rows))
