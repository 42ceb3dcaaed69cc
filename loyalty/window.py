"""The ranking's window query: rank, cumulative share and ABC class of each client of a year's population.

The one definition of the ranking (see ``loyalty.ranking`` for its rules). ``loyalty.kept_ranking`` stores what it
gives once per census version; pages read the stored rows, and fall back on this query only inside a
transaction that has itself written (its own changes are not in any kept version yet).
"""

from sqlalchemy import and_, case, func, literal, or_, select

from loyalty.models import CensusSettings, Client, ClientYear, ContributionBasis

#: Pareto chart resolution: one point per per cent of clients.
PARETO_POINTS = 100


def contribution_column(basis: ContributionBasis):
    return ClientYear.purchases if basis == ContributionBasis.REVENUE else ClientYear.margin


def population_condition(population: str):
    """SQL: whether a client (outer-joined to its figures of the year) belongs to ``population``."""
    if population == "all":
        return or_(ClientYear.id.is_not(None), Client.left_on.is_(None))
    return Client.left_on.is_(None)


def ranked(year: int, settings: CensusSettings, population: str = "current", *, once: bool = False):
    """A subquery: one row per client of the year's ``population`` (``POPULATIONS``) with its figures, rank,
    cumulative contribution, cumulative share (%), ABC class and the population's size and total.

    ``once``: as a CTE that PostgreSQL materialises, for a query that joins it to other rows: left a subquery,
    the planner may put the window on the inner side of a nested loop, which reruns it for every outer row."""
    figures = (
        select(Client.id.label("client_id"),
               func.coalesce(contribution_column(settings.contribution_basis), 0.0).label("contribution"),
               ClientYear.potential, ClientYear.purchases, ClientYear.margin, Client.joined_on)
        .select_from(Client)
        .outerjoin(ClientYear, and_(ClientYear.client_id == Client.id, ClientYear.year == year))
        .where(population_condition(population))
        .subquery("figures")
    )
    order = (figures.c.contribution.desc(), figures.c.client_id)
    windowed = select(
        figures,
        func.row_number().over(order_by=order).label("rank"),
        func.sum(figures.c.contribution).over(order_by=order, rows=(None, 0)).label("cumulative"),
        func.sum(figures.c.contribution).over().label("total"),
        func.count().over().label("population"),
    ).subquery("windowed")
    total = func.nullif(windowed.c.total, 0)
    before = 100.0 * (windowed.c.cumulative - windowed.c.contribution) / total
    abc = case((windowed.c.contribution <= 0, literal("C")),
               (before < settings.class_a_share, literal("A")),
               (before < settings.class_b_share, literal("B")), else_=literal("C"))
    query = select(windowed, (100.0 * windowed.c.cumulative / total).label("cumulative_share"), abc.label("abc"))
    if once:
        return query.cte("ranked").prefix_with("MATERIALIZED", dialect="postgresql")
    return query.subquery("ranked")
