"""The census's figures as the sources of computed indicators (``core.signals.indicator_sources``): the exit
(churn) rate, the retention rate and the new clients of each period, exactly as the census history shows them
(``loyalty.history``: its definitions hold here too)."""

from datetime import date

from flask_babel import lazy_gettext as _l

from core.indicator_sources import GRANULARITY, IndicatorSource
from loyalty.history import census_history
from loyalty.settings import current_settings

#: The census's clients, and its imports (which write the clients in bulk, outside the session's flush).
TABLES = ("clients", "census_imports")


def _per_period(figure: str, frequency: str, since: date, until: date) -> dict[date, float]:
    """``{period: figure}`` of the census history from ``since`` to ``until`` (two queries); a rate without
    clients at the start of its period has no value."""
    found = {}
    for period in census_history(GRANULARITY[frequency], current_settings(), start=since, end=until):
        value = getattr(period, figure)
        if value is not None:
            found[period.start] = value
    return found


def churn(frequency: str, parameter: int | None, since: date, until: date) -> dict[date, float]:
    return _per_period("churn", frequency, since, until)


def retention(frequency: str, parameter: int | None, since: date, until: date) -> dict[date, float]:
    return _per_period("retention", frequency, since, until)


def new_clients(frequency: str, parameter: int | None, since: date, until: date) -> dict[date, float]:
    return _per_period("new", frequency, since, until)


def sources() -> dict[str, IndicatorSource]:
    """The figures the census offers, by key."""
    return {
        "census.churn": IndicatorSource(label=_l("Exit (churn) rate of the census"), unit="%", direction="lower",
                                        values=churn, tables=TABLES, endpoint="loyalty.census_history"),
        "census.retention": IndicatorSource(label=_l("Retention rate of the census"), unit="%", direction="higher",
                                            values=retention, tables=TABLES, endpoint="loyalty.census_history"),
        "census.new": IndicatorSource(label=_l("New clients in the census"), unit=_l("clients"),
                                      direction="higher", values=new_clients, tables=TABLES,
                                      endpoint="loyalty.census_history"),
    }
