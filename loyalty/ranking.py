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

from sqlalchemy import Select, and_, case, false, func, literal, or_, select

from core.extensions import db
from loyalty import kept_ranking
from loyalty.models import CensusSettings, Client, ClientYear, KeptParetoPoint, KeptSegmentCount
from loyalty.window import PARETO_POINTS as PARETO_POINTS
from loyalty.window import contribution_column as contribution_column
from loyalty.window import population_condition as population_condition
from loyalty.window import ranked

CLASSES = ("A", "B", "C")
TENURE_BANDS = ("new", "established", "loyal")
#: Sort keys the ranking page offers, and the column each orders by (ties broken by rank).
SORTS = ("rank", "code", "name", "typology", "contribution", "share", "potential", "purchases", "joined_on")
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


def ranking_table(year: int, settings: CensusSettings, population: str = "current"):
    """The year's ranking of ``population`` as a subquery with the window query's columns (``window.ranked``):
    the kept rows (``loyalty.kept_ranking``), or the window itself where nothing may be kept."""
    run = kept_ranking.kept(year, settings, population)
    return ranked(year, settings, population, once=True) if run is None else kept_ranking.rows_of(run)


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
    table = ranking_table(year, settings, population)
    # The ranking's own join date: filters on class and tenure then narrow its rows before any client is read.
    band = tenure_band(table.c.joined_on, reference_date(year), settings).label("tenure")
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
    return _client_conditions(filters) + _kept_conditions(filters, table, band)


def _client_conditions(filters: RankingFilters, population: str | None = None) -> list:
    """The filters on the client's own record. Among the current clients (``population``) every one is active:
    the status filter then needs no client read."""
    conditions = []
    if filters.q:
        pattern = f"%{filters.q.strip().lower()}%"
        conditions.append(or_(func.lower(Client.code).like(pattern), func.lower(Client.name).like(pattern)))
    for attribute in ("typology", "segment", "region"):
        if getattr(filters, attribute):
            conditions.append(getattr(Client, attribute) == getattr(filters, attribute))
    if population == "current" and filters.status in ("active", "lost"):
        if filters.status == "lost":
            conditions.append(false())
    elif filters.status == "active":
        conditions.append(Client.left_on.is_(None))
    elif filters.status == "lost":
        conditions.append(Client.left_on.is_not(None))
    if filters.strategic:
        conditions.append(Client.strategic.is_(True))
    return conditions


def _kept_conditions(filters: RankingFilters, table, band) -> list:
    conditions = []
    if filters.abc in CLASSES:
        conditions.append(table.c.abc == filters.abc)
    if filters.tenure in TENURE_BANDS:
        conditions.append(band == filters.tenure)
    return conditions


def _tenure_range(column, tenure: str, reference: date, settings: CensusSettings) -> list:
    """``tenure_band(column) == tenure`` as a range of join dates, which an ordered scan can stop at."""
    new_after, established_after = tenure_cutoffs(reference, settings)
    if tenure == "new":
        return [column > new_after]
    if tenure == "established":
        return [column > established_after, column <= new_after]
    return [column <= established_after]


#: Sort keys read from the kept rows themselves (the others are the client's own columns).
_KEPT_SORTS = {"rank", "contribution", "share", "potential", "purchases", "joined_on"}


def ranking_page(year: int, settings: CensusSettings, filters: RankingFilters, *, sort: str = "rank",
                 descending: bool = False, population: str = "current", offset: int = 0,
                 limit: int = 25) -> tuple[list, int]:
    """One page of ``ranking_query`` (its rows, in its order) and how many clients match, without reading every
    matching client where the ranking is kept (``loyalty.kept_ranking``):

    - the class filter is a range of ranks (the classes follow one another down the ranking, A then B then C), the
      tenure filter a range of join dates, both on the kept rows, whose primary key is in rank order;
    - the page is chosen by its ranks alone, in a narrow query that reads a client only for a filter or a sort on
      the client's own columns; the page's 25 clients are then read by primary key;
    - the count comes from the kept counts per class and join date where only class, tenure and status filter
      the current clients, from the population's size when nothing filters, else from one count.
    """
    run = kept_ranking.kept(year, settings, population)
    if run is None:
        query = ranking_query(year, settings, filters, sort=sort, descending=descending, population=population)
        rows = db.session.execute(query.limit(limit).offset(offset)).all()
        if rows:
            return rows, rows[0].matching
        first = db.session.execute(query.limit(1)).first() if offset else None
        return rows, first.matching if first else 0
    table = kept_ranking.rows_of(run)
    reference = reference_date(year)
    band = tenure_band(table.c.joined_on, reference, settings).label("tenure")
    share = (100.0 * table.c.purchases / func.nullif(table.c.potential, 0)).label("share")
    kept_conditions = []
    if filters.abc in CLASSES:
        first_rank, last_rank = kept_ranking.class_ranks(run)[filters.abc]
        kept_conditions.append(table.c.rank.between(first_rank, last_rank))
    if filters.tenure in TENURE_BANDS:
        kept_conditions.extend(_tenure_range(table.c.joined_on, filters.tenure, reference, settings))
    client_conditions = _client_conditions(filters, population)
    columns = {"rank": table.c.rank, "code": Client.code, "name": Client.name, "typology": Client.typology,
               "contribution": table.c.contribution, "share": share, "potential": table.c.potential,
               "purchases": table.c.purchases, "joined_on": table.c.joined_on}
    sort = sort if sort in columns else "rank"
    column = columns[sort]
    order = (column.desc() if descending else column.asc(), table.c.rank)

    def narrow(*selected):
        query = select(*selected).select_from(table)
        if client_conditions or sort not in _KEPT_SORTS:
            query = query.join(Client, Client.id == table.c.client_id)
        return query.where(*kept_conditions, *client_conditions)

    ranks = narrow(table.c.rank).order_by(*order).limit(limit).offset(offset).scalar_subquery()
    rows = db.session.execute(
        select(Client, table.c.rank, table.c.contribution, table.c.cumulative_share, table.c.abc, table.c.potential,
               table.c.purchases, table.c.margin, share, band)
        .join(table, table.c.client_id == Client.id).where(table.c.rank.in_(ranks)).order_by(*order)).all()
    if not (rows or offset):
        return rows, 0
    return rows, _kept_matching(run, table, kept_conditions, client_conditions, filters, reference, settings,
                                narrow)


def _kept_matching(run, table, kept_conditions, client_conditions, filters, reference, settings, narrow) -> int:
    if not kept_conditions and not client_conditions:
        return run.clients
    if not client_conditions and run.population == "current":  # the kept counts place the current clients only
        kept_ranking.counted(run)
        counts = KeptSegmentCount
        conditions = [counts.ranking_id == run.id]
        if filters.abc in CLASSES:
            conditions.append(counts.abc == filters.abc)
        if filters.tenure in TENURE_BANDS:
            conditions.extend(_tenure_range(counts.joined_on, filters.tenure, reference, settings))
        return db.session.scalar(select(func.coalesce(func.sum(counts.clients), 0)).where(and_(*conditions)))
    return db.session.scalar(narrow(func.count()))


@dataclass(frozen=True)
class ClassSummary:
    abc: str
    clients: int
    contribution: float
    share: float | None


def pareto(year: int, settings: CensusSettings, population: str = "current") -> tuple[list[dict], list[ClassSummary]]:
    """The Pareto curve (share of contribution against share of clients, ≤ 101 points) and each class's
    clients and contribution, from the kept curve (``loyalty.kept_ranking``) or one grouped query over the
    window of ``population``."""
    run = kept_ranking.kept(year, settings, population)
    rows = _curve(year, settings, population) if run is None else db.session.execute(
        select(KeptParetoPoint.bucket, KeptParetoPoint.abc, KeptParetoPoint.last_rank, literal(run.clients),
               KeptParetoPoint.cumulative_share, KeptParetoPoint.clients, KeptParetoPoint.contribution)
        .where(KeptParetoPoint.ranking_id == run.id).order_by(KeptParetoPoint.bucket)).all()
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


def _curve(year: int, settings: CensusSettings, population: str) -> list:
    """The Pareto curve's rows straight from the window query (what ``kept_ranking`` keeps)."""
    table = ranked(year, settings, population)
    bucket = (table.c.rank * PARETO_POINTS // table.c.population).label("bucket")
    return db.session.execute(
        select(bucket, table.c.abc, func.max(table.c.rank), func.max(table.c.population),
               func.max(table.c.cumulative_share), func.count(), func.sum(table.c.contribution))
        .group_by(bucket, table.c.abc).order_by(bucket)
    ).all()


def client_rank(client_id: int, year: int, settings: CensusSettings, population: str = "current"):
    """A client's row in a year's ranking of ``population`` (rank, contribution, cumulative share, class,
    population size), None when the client is not in it."""
    run = kept_ranking.kept(year, settings, population)
    if run is not None:
        return kept_ranking.client_row(run, client_id)
    table = ranked(year, settings, population, once=True)
    return db.session.execute(select(table).where(table.c.client_id == client_id)).one_or_none()
