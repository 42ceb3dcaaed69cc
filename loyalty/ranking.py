"""Clients ranked by contribution, with cumulative share and ABC (Pareto) class, computed in SQL.

One query shape for SQLite and PostgreSQL: window functions over the year's population, so no request
loads every client into Python. The population is the clients ranks and classes are computed among:
``current`` (the default, B2's "census of current clients") is every current client, with or without
figures that year; ``all`` adds the lost clients with figures that year. Current clients without figures
count 0 and fall in class C. Filters (status included) only narrow the rows shown, never the population.

Classes: sort by contribution, highest first; a client is class A while the contribution of the clients
*before* it is under the A threshold (80 %), so the client that reaches 80 % is still A — "the clients
making the first 80 %". Class B likewise up to the B threshold (95 %); the rest, and every client whose
contribution is zero or negative, are C.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, case, func, literal, or_, select

from core.extensions import db
from loyalty.models import CensusSettings, Client, ClientYear, ContributionBasis

CLASSES = ("A", "B", "C")
TENURE_BANDS = ("new", "established", "loyal")
#: Sort keys the ranking page offers, and the column each orders by (ties broken by rank).
SORTS = ("rank", "code", "name", "typology", "contribution", "share", "potential", "purchases", "joined_on")
#: Pareto chart resolution: one point per per cent of clients.
PARETO_POINTS = 100
#: Over whom ranks, cumulative shares and classes are computed; the first is the default.
POPULATIONS = ("current", "all")


@dataclass(frozen=True)
class RankingFilters:
    """What the ranking page narrows the list to; ranks and classes stay those of the whole population."""

    q: str | None = None
    typology: str | None = None
    segment: str | None = None
    region: str | None = None
    status: str | None = None  # "active" | "lost"
    abc: str | None = None
    tenure: str | None = None
    strategic: bool = False


def latest_year() -> int:
    """The latest year with figures (the current year when there are none)."""
    return db.session.scalar(select(func.max(ClientYear.year))) or date.today().year


def contribution_column(basis: ContributionBasis):
    return ClientYear.purchases if basis == ContributionBasis.REVENUE else ClientYear.margin


def population_condition(population: str):
    """SQL: whether a client (outer-joined to its figures of the year) belongs to ``population``."""
    if population == "all":
        return or_(ClientYear.id.is_not(None), Client.left_on.is_(None))
    return Client.left_on.is_(None)


def ranked(year: int, settings: CensusSettings, population: str = "current"):
    """A subquery: one row per client of the year's ``population`` (``POPULATIONS``) with its figures, rank,
    cumulative contribution, cumulative share (%), ABC class and the population's size and total."""
    figures = (
        select(Client.id.label("client_id"),
               func.coalesce(contribution_column(settings.contribution_basis), 0.0).label("contribution"),
               ClientYear.potential, ClientYear.purchases, ClientYear.margin)
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
    return select(windowed, (100.0 * windowed.c.cumulative / total).label("cumulative_share"),
                  abc.label("abc")).subquery("ranked")


def tenure_cutoffs(reference: date, settings: CensusSettings) -> tuple[date, date]:
    """Join dates after which a client is new, and after which it is established, at ``reference``."""
    return (_years_before(reference, settings.tenure_short_years),
            _years_before(reference, settings.tenure_long_years))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def tenure_band(joined_on, reference: date, settings: CensusSettings):
    """SQL: ``new``, ``established`` or ``loyal`` by the years a client has been with us at ``reference``."""
    new_after, established_after = tenure_cutoffs(reference, settings)
    return case((joined_on > new_after, literal("new")), (joined_on > established_after, literal("established")),
                else_=literal("loyal"))


def reference_date(year: int) -> date:
    """The day a year's tenure is measured on: its last day, or today for the current year."""
    return min(date(year, 12, 31), date.today())


def ranking_query(year: int, settings: CensusSettings, filters: RankingFilters, *, sort: str = "rank",
                  descending: bool = False, population: str = "current") -> Select:
    """The ranked clients of ``population`` matching ``filters``, sorted, each row with ``matching`` (how
    many match)."""
    table = ranked(year, settings, population)
    band = tenure_band(Client.joined_on, reference_date(year), settings).label("tenure")
    share = (100.0 * table.c.purchases / func.nullif(table.c.potential, 0)).label("share")
    conditions = _conditions(filters, table, band)
    # Unfiltered, every client of the population matches: counting them again would cost a full pass
    # and defeat SQLite's top-N sort for the LIMIT.
    matching = func.count().over() if conditions else table.c.population
    query = select(Client, table.c.rank, table.c.contribution, table.c.cumulative_share, table.c.abc,
                   table.c.potential, table.c.purchases, table.c.margin, share, band,
                   matching.label("matching")).join(table, table.c.client_id == Client.id)
    query = query.where(*conditions)
    columns = {"rank": table.c.rank, "code": Client.code, "name": Client.name, "typology": Client.typology,
               "contribution": table.c.contribution, "share": share, "potential": table.c.potential,
               "purchases": table.c.purchases, "joined_on": Client.joined_on}
    column = columns.get(sort, table.c.rank)
    return query.order_by(column.desc() if descending else column.asc(), table.c.rank)


def _conditions(filters: RankingFilters, table, band) -> list:
    conditions = []
    if filters.q:
        pattern = f"%{filters.q.strip().lower()}%"
        conditions.append(or_(func.lower(Client.code).like(pattern), func.lower(Client.name).like(pattern)))
    for attribute in ("typology", "segment", "region"):
        if getattr(filters, attribute):
            conditions.append(getattr(Client, attribute) == getattr(filters, attribute))
    if filters.status == "active":
        conditions.append(Client.left_on.is_(None))
    elif filters.status == "lost":
        conditions.append(Client.left_on.is_not(None))
    if filters.abc in CLASSES:
        conditions.append(table.c.abc == filters.abc)
    if filters.tenure in TENURE_BANDS:
        conditions.append(band == filters.tenure)
    if filters.strategic:
        conditions.append(Client.strategic.is_(True))
    return conditions


@dataclass(frozen=True)
class ClassSummary:
    abc: str
    clients: int
    contribution: float
    share: float | None


def pareto(year: int, settings: CensusSettings, population: str = "current") -> tuple[list[dict], list[ClassSummary]]:
    """The Pareto curve (share of contribution against share of clients, ≤ 101 points) and each class's
    clients and contribution, from one grouped query over the ranking of ``population``."""
    table = ranked(year, settings, population)
    bucket = (table.c.rank * PARETO_POINTS // table.c.population).label("bucket")
    rows = db.session.execute(
        select(bucket, table.c.abc, func.max(table.c.rank), func.max(table.c.population),
               func.max(table.c.cumulative_share), func.count(), func.sum(table.c.contribution))
        .group_by(bucket, table.c.abc).order_by(bucket)
    ).all()
    curve: dict[int, dict] = {}
    classes = {abc: [0, 0.0] for abc in CLASSES}
    for point, abc, last_rank, population, cumulative_share, count, contribution in rows:
        entry = curve.setdefault(point, {"clients": 0.0, "contribution": 0.0})
        entry["clients"] = max(entry["clients"], 100.0 * last_rank / population)
        entry["contribution"] = max(entry["contribution"], cumulative_share or 0.0)
        classes[abc][0] += count
        classes[abc][1] += contribution or 0.0
    total = sum(value for _count, value in classes.values())
    summary = [ClassSummary(abc, count, value, 100 * value / total if total else None)
               for abc, (count, value) in classes.items()]
    points = [{"clients": 0.0, "contribution": 0.0}, *curve.values()] if curve else []
    return points, summary


def client_rank(client_id: int, year: int, settings: CensusSettings, population: str = "current"):
    """A client's row in a year's ranking of ``population`` (rank, contribution, cumulative share, class,
    population size), None when the client is not in it."""
    table = ranked(year, settings, population)
    return db.session.execute(select(table).where(table.c.client_id == client_id)).one_or_none()
