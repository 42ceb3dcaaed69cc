"""The ranking kept: computed once per change of the census, in one INSERT … SELECT, and read by index.

**The version.** Every audited write adds an audit entry in its transaction, and ``core.audit_chain`` seals
the entries in commit order (``chain_seq``, given under the chain's lock just before each commit). The newest
sealed entry of the census's tables (clients, their yearly figures, the census settings, the census imports,
whose record every bulk import writes) is therefore the census's version: it moves exactly when a committed
change may move a rank, and never points at a change that is not yet visible. Its seal goes into the key too,
so a trail erased and started again (``flask demo --reset``) never meets the rankings of the old one.

**The computation** (``_compute``) runs on its own connection and commits by itself, so that the request
reading the ranking never writes: one INSERT … SELECT of the window query (``loyalty.window.ranked``) into
``kept_ranking_rows``, then the Pareto curve into ``kept_pareto_points`` from a few hundred of those rows, found
by rank. Two requests that find the same version missing do not both compute it: on PostgreSQL the computation
holds ``pg_advisory_xact_lock``, on SQLite the database's write lock (``BEGIN IMMEDIATE``); the second, once it
has the lock, finds the version computed and only reads. Two things are left out of what the request waits for:
the segment counts (per class and join date) are counted by the first reader who needs them (``counted``), and
the older versions are removed by the task queue (``remove_older_rankings``).

**When the store is not used**: inside a transaction that has written (a change being previewed in a
SAVEPOINT, an import under way — its own changes are in no version yet, and on SQLite it holds the write lock
the computation would wait for), and while the census has no sealed entry (a new installation). Then the
window query is read directly, as every page did before.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain

from sqlalchemy import Float, Integer, and_, delete, event, func, insert, literal, or_, select, text, update
from sqlalchemy.orm import Session

from core import tasks
from core.audit import AuditEntry
from core.extensions import db
from core.shared_reads import shared
from loyalty.models import (
    CensusSettings,
    Client,
    ClientYear,
    KeptParetoPoint,
    KeptRanking,
    KeptRankingRow,
    KeptSegmentCount,
)
from loyalty.window import PARETO_POINTS, contribution_column, ranked

log = logging.getLogger(__name__)

#: The tables a rank, a cumulative share or a class is computed from.
CENSUS_TABLES = ("clients", "client_years", "census_settings", "census_imports")
#: Key of the PostgreSQL advisory lock held while a ranking is computed (any fixed 64-bit number).
RANKING_LOCK = 7_044_117_029
#: How long (ms) a computation on SQLite waits for the write lock, e.g. while another computes the same version.
SQLITE_WAIT_MS = 120_000
#: ``session.info`` key: the transaction under way has written (flushed records or DML statements).
_WROTE = "kept_ranking_wrote"

_rows = KeptRankingRow.__table__
_points = KeptParetoPoint.__table__
_runs = KeptRanking.__table__
_segments = KeptSegmentCount.__table__


@dataclass(frozen=True)
class CensusVersion:
    seq: int
    seal: str


def census_version(session=None) -> CensusVersion | None:
    """The newest sealed audit entry of the census's tables, in one statement of index seeks; None while none."""
    session = session or db.session
    newest = [select(func.max(AuditEntry.chain_seq)).where(AuditEntry.entity_type == table).scalar_subquery()
              for table in CENSUS_TABLES]
    row = session.execute(select(AuditEntry.chain_seq, AuditEntry.chain_hash)
                          .where(AuditEntry.chain_seq.in_(newest))
                          .order_by(AuditEntry.chain_seq.desc()).limit(1)).first()
    return CensusVersion(row[0], row[1]) if row else None


def _rule(settings: CensusSettings) -> tuple[str, float, float]:
    """What of the settings a ranking depends on: the contribution basis and the class thresholds."""
    return str(settings.contribution_basis.value), float(settings.class_a_share), float(settings.class_b_share)


def _key(version: CensusVersion, year: int, rule: tuple[str, float, float], population: str) -> dict:
    basis, class_a_share, class_b_share = rule
    return {"census_seq": version.seq, "census_seal": version.seal, "year": year, "population": population,
            "basis": basis, "class_a_share": class_a_share, "class_b_share": class_b_share}


def _find(connection, key: dict):
    return connection.execute(select(_runs).where(*(_runs.c[name] == value for name, value in key.items()))).first()


def kept(year: int, settings: CensusSettings, population: str = "current"):
    """The kept ranking of ``population`` in ``year`` under ``settings`` for the committed census (a
    ``kept_rankings`` row), computed now if it is not kept yet; None where the window query must be read."""
    session = db.session()
    if session.info.get(_WROTE) or session.new or session.dirty or session.deleted:
        return None
    return _kept(year, _rule(settings), population)


@shared  # the checklist's B2 reads the same ranking for its Pareto curve and for its segments
def _kept(year: int, rule: tuple[str, float, float], population: str):
    session = db.session()
    version = census_version(session)
    if version is None:
        return None
    key = _key(version, year, rule, population)
    found = _find(session, key)
    if found is None:
        compute(key)
        found = _find(session, key)
    return found


def rows_of(run):
    """A kept ranking's rows as a subquery with the window query's columns (``window.ranked``)."""
    rows = _rows.c
    return (select(rows.client_id, rows.contribution, rows.potential, rows.purchases, rows.margin, rows.joined_on,
                   rows.rank, rows.cumulative, literal(run.total, Float).label("total"),
                   literal(run.clients, Integer).label("population"), rows.cumulative_share, rows.abc)
            .where(rows.ranking_id == run.id).subquery("ranked"))


def class_ranks(run) -> dict[str, tuple[int, int]]:
    """The first and last rank of each class in a kept ranking (an empty class's last is before its first): the
    classes follow one another down the ranking, since the share of the clients before a client only grows with its
    rank and the clients contributing nothing, in class C, come last. Summed from the kept curve's few rows."""
    sizes = dict(db.session.execute(select(_points.c.abc, func.sum(_points.c.clients))
                                    .where(_points.c.ranking_id == run.id).group_by(_points.c.abc)).all())
    ranks, first = {}, 1
    for abc in ("A", "B", "C"):
        ranks[abc] = (first, first + int(sizes.get(abc) or 0) - 1)
        first = ranks[abc][1] + 1
    return ranks


#: A binary search on rank for the row of a client whose contribution is known: the rows are in rank order, which
#: is (contribution descending, client id), so about log2(clients) lookups by the primary key find it.
_SEARCH = text("""
WITH RECURSIVE search(lo, hi) AS (
    SELECT CAST(1 AS INTEGER), CAST(:clients AS INTEGER)
  UNION ALL
    SELECT CASE WHEN r.contribution > :contribution OR (r.contribution = :contribution AND r.client_id < :client)
                THEN (search.lo + search.hi) / 2 + 1 ELSE search.lo END,
           CASE WHEN r.contribution > :contribution OR (r.contribution = :contribution AND r.client_id < :client)
                THEN search.hi ELSE (search.lo + search.hi) / 2 END
    FROM search JOIN kept_ranking_rows r ON r.ranking_id = :ranking AND r.rank = (search.lo + search.hi) / 2
    WHERE search.lo < search.hi
)
SELECT max(lo) FROM search""")


def client_row(run, client_id: int):
    """A client's row in a kept ranking (the window query's columns), None when it is not in its population."""
    contribution = db.session.scalar(
        select(func.coalesce(contribution_column(run.basis), 0.0)).select_from(Client)
        .outerjoin(ClientYear, and_(ClientYear.client_id == Client.id, ClientYear.year == run.year))
        .where(Client.id == client_id))
    if contribution is None or not run.clients:
        return None
    rank = db.session.scalar(_SEARCH, {"clients": run.clients, "contribution": contribution, "client": client_id,
                                       "ranking": run.id})
    table = rows_of(run)
    return db.session.execute(select(table).where(table.c.rank == rank, table.c.client_id == client_id)).one_or_none()


def compute(key: dict) -> None:
    """Compute and store the ranking ``key`` names, unless another request has just done it; then ask the task
    queue to remove the older versions (nobody waits for that)."""
    with _locked() as connection:
        if _find(connection, key) is None:
            _compute(connection, key)
    _ask_to_remove_older(key)


@contextmanager
def _locked():
    """A connection of its own, in a transaction holding the kept ranking's lock, committed at the end: on
    PostgreSQL ``pg_advisory_xact_lock``, on SQLite the database's write lock (``BEGIN IMMEDIATE``)."""
    engine = db.engine
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_WAIT_MS}")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.begin()
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RANKING_LOCK})
        yield connection
        connection.commit()


def _compute(connection, key: dict) -> int:
    """The window query into ``kept_ranking_rows`` in one statement, then its Pareto curve from a few of them."""
    settings = CensusSettings(contribution_basis=key["basis"], class_a_share=key["class_a_share"],
                              class_b_share=key["class_b_share"])
    ranking_id = connection.execute(insert(_runs).values(**key, clients=0).returning(_runs.c.id)).scalar_one()
    window = ranked(key["year"], settings, key["population"])
    columns = ("rank", "client_id", "contribution", "cumulative", "cumulative_share", "abc", "potential",
               "purchases", "margin", "joined_on")
    connection.execute(insert(_rows).from_select(
        ("ranking_id", *columns), select(literal(ranking_id), *(window.c[name] for name in columns))))
    clients = connection.scalar(select(func.coalesce(func.max(_rows.c.rank), 0))
                                .where(_rows.c.ranking_id == ranking_id))
    total = _compute_curve(connection, ranking_id, clients) if clients else None
    connection.execute(update(_runs).where(_runs.c.id == ranking_id).values(clients=clients, total=total))
    return ranking_id


#: The first rank of a kept ranking at which a condition on its row holds, by a binary search on rank (the
#: conditions below hold from some rank to the last): about log2(clients) lookups by the primary key.
_FIRST_RANK_WHERE = """
WITH RECURSIVE search(lo, hi) AS (
    SELECT CAST(1 AS INTEGER), CAST(:clients + 1 AS INTEGER)
  UNION ALL
    SELECT CASE WHEN {condition} THEN search.lo ELSE (search.lo + search.hi) / 2 + 1 END,
           CASE WHEN {condition} THEN (search.lo + search.hi) / 2 ELSE search.hi END
    FROM search JOIN kept_ranking_rows r ON r.ranking_id = :ranking AND r.rank = (search.lo + search.hi) / 2
    WHERE search.lo < search.hi
)
SELECT max(lo) FROM search"""
#: Down the ranking the classes come A, B, C, and the clients contributing nothing (or less) come last.
_FROM_CLASS_B, _FROM_CLASS_C, _FROM_NOTHING = (
    text(_FIRST_RANK_WHERE.format(condition=condition))
    for condition in ("r.abc <> 'A'", "r.abc = 'C'", "r.contribution <= 0"))


def _compute_curve(connection, ranking_id: int, clients: int) -> float:
    """Per bucket of ``PARETO_POINTS`` and class: last rank, cumulative share reached, clients, contribution; and
    the population's total. Not a pass over the rows: the rows are in rank order with their running sum, so a
    stretch of ranks within one bucket and class contributes the difference of the running sums at its ends; cut
    where the clients contributing nothing (or less) begin, the running sum only rises or only falls along it, so
    its greatest share is at one of its ends."""
    bounds = {"ranking": ranking_id, "clients": clients}
    from_b, from_c, from_nothing = (connection.scalar(search, bounds)
                                    for search in (_FROM_CLASS_B, _FROM_CLASS_C, _FROM_NOTHING))
    # Where a stretch begins: each bucket's first rank (rank * PARETO_POINTS // clients grows by one there), and
    # where a class or the clients contributing nothing begin.
    starts = {-(-bucket * clients // PARETO_POINTS) for bucket in range(PARETO_POINTS + 1)}
    starts = sorted({max(1, rank) for rank in starts | {from_b, from_c, from_nothing} if rank <= clients})
    stretches = list(zip(starts, [rank - 1 for rank in starts[1:]] + [clients], strict=True))
    wanted = {rank for first, last in stretches for rank in (first - 1, first, last)} - {0}
    found = {rank: (cumulative, share) for rank, cumulative, share in connection.execute(
        select(_rows.c.rank, _rows.c.cumulative, _rows.c.cumulative_share)
        .where(_rows.c.ranking_id == ranking_id, _rows.c.rank.in_(sorted(wanted))))}
    points: dict[tuple[int, str], dict] = {}
    for first, last in stretches:
        abc = "A" if first < from_b else "B" if first < from_c else "C"
        point = points.setdefault((first * PARETO_POINTS // clients, abc), {
            "ranking_id": ranking_id, "bucket": first * PARETO_POINTS // clients, "abc": abc, "last_rank": last,
            "cumulative_share": None, "clients": 0, "contribution": 0.0})
        before = found[first - 1][0] if first > 1 else 0.0
        point["last_rank"] = max(point["last_rank"], last)
        point["clients"] += last - first + 1
        point["contribution"] += (found[last][0] or 0.0) - (before or 0.0)
        shares = [share for share in (found[first][1], found[last][1], point["cumulative_share"]) if share is not None]
        point["cumulative_share"] = max(shares, default=None)
    connection.execute(insert(_points), list(points.values()))
    return found[clients][0]


def counted(run) -> None:
    """Make sure ``run`` (a kept ranking of current clients) has its segment counts stored: counted now, from its
    rows, by the first reader who needs them, on its own connection under the kept ranking's lock."""
    if not run.segments_counted:
        with _locked() as connection:
            if not connection.scalar(select(_runs.c.segments_counted).where(_runs.c.id == run.id)):
                _count_segments(connection, run.id)
                connection.execute(update(_runs).where(_runs.c.id == run.id).values(segments_counted=True))


def _count_segments(connection, ranking_id: int) -> None:
    """Per class and join date: the clients and their contribution (the matrix cuts tenure bands from them)."""
    mine = select(_rows).where(_rows.c.ranking_id == ranking_id).subquery()
    connection.execute(insert(_segments).from_select(
        ("ranking_id", "abc", "joined_on", "clients", "contribution"),
        select(literal(ranking_id), mine.c.abc, mine.c.joined_on, func.count(), func.sum(mine.c.contribution))
        .group_by(mine.c.abc, mine.c.joined_on)))


def _ask_to_remove_older(key: dict) -> None:
    try:
        remove_older_rankings(key["census_seq"], key["census_seal"])
    except Exception:  # a queue out of reach must not fail the page: the next computation asks again
        log.exception("The kept rankings before census version %s were not queued for removal", key["census_seq"])


@tasks.task()
def remove_older_rankings(census_seq: int, census_seal: str) -> None:
    """Once a version is complete, the rankings of the versions before the previous one (and of an erased trail)
    go. The previous version stays: a request that began reading it just before this commit still finds its
    rows; it goes with the next computation. Each call removes all that is due, so a lost message costs nothing
    that the next one does not remove."""
    previous = select(func.max(_runs.c.census_seq)).where(_runs.c.census_seq < census_seq).scalar_subquery()
    older = select(_runs.c.id).where(or_(
        _runs.c.census_seq < previous,
        and_(_runs.c.census_seq == census_seq, _runs.c.census_seal != census_seal)))
    with _locked() as connection:
        # The same statements whether or not there is anything to remove: a fixed count per removal.
        for table in (_rows, _points, _segments):
            connection.execute(delete(table).where(table.c.ranking_id.in_(older)))
        connection.execute(delete(_runs).where(_runs.c.id.in_(older)))


# --- noting that the transaction under way has written: its own changes are in no kept version -----------------

@event.listens_for(Session, "after_flush")
def _note_flush(session, flush_context):
    if any(True for _obj in chain(session.new, session.dirty, session.deleted)):
        session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state):
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session):
    session.info.pop(_WROTE, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(_WROTE, None)
