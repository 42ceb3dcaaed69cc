"""E1: an information system for managing with data over time — indicators with history, targets and
external comparisons, perception measures and performance indicators both present."""

from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _

from core.charts import chart_svg
from core.findings import Figure, Finding, Line, Sparkline, Status, Table, share
from evidence.charts import trends_chart
from evidence.dashboard import HISTORY_NEEDED, SPARKLINE_PERIODS, IndicatorRow, grouped, indicator_rows
from processes.models import IndicatorKind


def _url(row: IndicatorRow) -> str:
    return url_for("processes.indicator_detail", indicator_id=row.indicator.id)


def _kind_name(kind: IndicatorKind) -> str:
    return _("perception measures") if kind == IndicatorKind.PERCEPTION else _("performance indicators")


def _gaps(rows: list[IndicatorRow]) -> list[Line]:
    gaps = []
    for kind, members in grouped(rows):
        if not members:
            gaps.append(Line(_("There are no %(kind)s yet", kind=_kind_name(kind)), url_for("processes.process_list")))
        elif not any(r.benchmark for r in members):
            gaps.append(Line(_("None of the %(kind)s has an external comparison", kind=_kind_name(kind)),
                             _url(members[0])))
    for row in rows:
        lacks = []
        if row.periods < HISTORY_NEEDED:
            lacks.append(_("%(have)d of %(need)d periods of history", have=row.periods, need=HISTORY_NEEDED))
        if not row.has_target:
            lacks.append(_("no target"))
        if lacks:
            gaps.append(Line(f"{row.indicator.code}: {', '.join(lacks)}", _url(row)))
    return gaps


def data_management_evidence(detail: bool = False) -> Finding:
    """E1: met when both kinds of indicator exist, every indicator has 12 periods of history and a target, and
    each kind has an external comparison; partly with any indicator; missing with none."""
    rows = indicator_rows()
    if not rows:
        return Finding(Status.MISSING, [Line(_("No indicator has been defined yet."))],
                       [Line(_("Define the indicators of each process"), url_for("processes.process_list"))])
    kinds = dict(grouped(rows))
    dashboard = url_for("evidence.dashboard")
    reasons = [
        Line(_("%(n)d indicators: %(perception)d perception measures and %(performance)d performance indicators",
               n=len(rows), perception=len(kinds[IndicatorKind.PERCEPTION]),
               performance=len(kinds[IndicatorKind.PERFORMANCE])), dashboard),
        Line(_("%(share)s indicators have at least %(need)d periods of history",
               share=share(sum(r.periods >= HISTORY_NEEDED for r in rows), len(rows)), need=HISTORY_NEEDED), dashboard),
        Line(_("%(share)s indicators have a target", share=share(sum(r.has_target for r in rows), len(rows))),
             dashboard),
        Line(_("%(share)s indicators have an external comparison",
               share=share(sum(r.benchmark is not None for r in rows), len(rows))), dashboard),
    ]
    gaps = _gaps(rows)
    finding = Finding(Status.MET if not gaps else Status.PARTLY, reasons, gaps)
    if detail:
        finding.blocks = [_table(kind, members) for kind, members in kinds.items() if members]
        trends = [r for r in rows if len(r.trend) > 1]
        if trends:
            finding.blocks.append(Figure(_("Recent trend of each indicator (last %(n)d periods)", n=SPARKLINE_PERIODS),
                                         chart_svg(trends_chart(trends))))
    return finding


def _number(value) -> str:
    return "—" if value is None else format_decimal(value, "#,##0.##")


def _table(kind: IndicatorKind, rows: list[IndicatorRow]) -> Table:
    title = _("Perception measures") if kind == IndicatorKind.PERCEPTION else _("Performance indicators")
    body = [[Line(r.indicator.code, _url(r)), r.indicator.name, str(r.periods),
             _number(r.latest.value) if r.latest else "—", r.status.label,
             f"{r.benchmark.source}: {_number(r.benchmark.value)}" if r.benchmark else "—",
             Sparkline(tuple(r.trend))] for r in rows]
    return Table(title, [_("Code"), _("Indicator"), _("Periods"), _("Latest"), _("Status"),
                         _("External comparison"), _("Trend")], body)
