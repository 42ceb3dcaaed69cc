"""The E1 trends as small multiples: a panel per indicator — its code and unit, its recent values as one line on
its own scale, the first and last period under the line and the lowest and highest value (``core.findings
.Multiples``), for the criterion page and the pack."""

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from core.findings import Multiples, Panel, Sparkline


def _label(row) -> str:
    unit = row.indicator.unit
    return f"{row.indicator.code} ({unit})" if unit else row.indicator.code


def _panel(row) -> Panel:
    values = tuple(float(v) for v in row.trend)
    return Panel(_label(row), Sparkline(values), format_date(row.trend_periods[0], "MMM yy"),
                 format_date(row.trend_periods[-1], "MMM yy"), format_decimal(min(values), "#,##0.##"),
                 format_decimal(max(values), "#,##0.##"))


def trend_multiples(rows, periods: int) -> Multiples | None:
    """The recent trend of each indicator with at least two values; None when none has."""
    panels = [_panel(row) for row in rows if len(row.trend) > 1]
    if not panels:
        return None
    return Multiples(_("Recent trend of each indicator (last %(n)d periods)", n=periods),
                     _("One panel per indicator, each on its own scale: the first and last period under the line, "
                       "then the lowest and highest value, in the indicator's unit"), panels)
