"""The app's own figures an indicator may be computed from (``core.signals.indicator_sources``).

The process map (``processes.computed``) asks for them; the package that owns each figure answers with an
``IndicatorSource`` in its ``hooks.py``: the survey engine its NPS, CSAT and intention to keep buying per wave,
the census its exit and retention rates, the register of complaints its counts and response times. The type
lives in ``core`` because the census, on the same layer as the process map, may not import it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

#: The frequencies an indicator is measured in (``processes.models.Frequency``'s values), and the census
#: history's name for each (``loyalty.history.GRANULARITIES``).
GRANULARITY = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}


def no_arguments(parameter: int | None) -> dict:
    """The URL arguments of a source page that takes none."""
    return {}


@dataclass(frozen=True)
class IndicatorSource:
    """One figure the app computes, offered as the data source of an indicator."""

    #: What the figure is, for people ("NPS of a client survey").
    label: str
    unit: str | None
    #: ``"higher"`` or ``"lower"``: which way is better (the indicator form proposes it).
    direction: str
    #: ``values(frequency, parameter, since, until)``: ``{first day of a period: value}`` for every period with
    #: data from the one containing ``since`` to the one containing ``until``, in a fixed number of queries
    #: whatever the data; ``frequency`` is ``"monthly"``, ``"quarterly"`` or ``"yearly"``.
    values: Callable[[str, int | None, date, date], dict[date, float]]
    #: The tables whose writes change the figure: a commit that wrote one refreshes the indicators computed from it.
    tables: tuple[str, ...]
    #: The page the figure is read on, and its URL arguments for a parameter (module-level functions).
    endpoint: str
    url_args: Callable[[int | None], dict] = no_arguments
    #: The records the figure is computed for (a survey), as ``[(id, label)]``; None when it takes no parameter.
    parameters: Callable[[], list[tuple[int, str]]] | None = None
    #: What the parameter is, for the form ("Survey").
    parameter_label: str | None = None
    #: A rate needs its whole period: while the period runs it has no value. A figure per wave (a survey's NPS)
    #: is its wave's, whichever period the wave falls in.
    whole_periods: bool = True
