"""The list of certification cycles: its search, filters and orders, as one SELECT to paginate."""

from sqlalchemy import select

from certification.models import Cycle, CycleState
from core.listing import text_matches

#: The columns the list may be sorted by.
SORTABLE = {"name": Cycle.name, "period": Cycle.period_start, "visit": Cycle.visit_planned_on, "state": Cycle.state}


def cycles_query(*, q: str | None = None, state: str | None = None, sort: str = "period", descending: bool = True):
    """The cycles whose name or scope contains ``q``, in ``state`` if given, in the requested order."""
    query = select(Cycle)
    matches = text_matches(q, Cycle.name, Cycle.scope_programmes, Cycle.scope_sites)
    if matches is not None:
        query = query.where(matches)
    if state:
        query = query.where(Cycle.state == CycleState(state))
    column = SORTABLE.get(sort, Cycle.period_start)
    return query.order_by(column.desc() if descending else column.asc(), Cycle.id.desc())
