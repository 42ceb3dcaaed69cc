"""The census on the REST API: the clients ranked by contribution (rank, cumulative share and ABC class read from
the kept ranking, ``loyalty.kept_ranking``, through the ranking page's own query), one client with its figures and
place, and the census over time (``core.api``)."""

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from core import api
from core.access import TEAM_DATA, allow
from core.extensions import db
from loyalty import history, ranking
from loyalty.api_schemas import ClientDetailSchema, ClientPage, ClientQuery, HistoryQuery, HistorySchema
from loyalty.models import Client
from loyalty.reasons import exit_reasons
from loyalty.settings import current_settings

blp = api.Blueprint("api_loyalty", __name__, url_prefix=api.PREFIX, description="The client census (B2)")


def _filters(args: dict) -> ranking.RankingFilters:
    typology = args.get("typology")
    return ranking.RankingFilters(q=(args.get("q") or "").strip() or None,
                                  typology=typology.value if typology else None,
                                  segment=args.get("segment") or None, region=args.get("region") or None,
                                  status=args.get("status"), abc=args.get("abc"), tenure=args.get("tenure"),
                                  strategic=bool(args.get("strategic")))


def _ranked(row) -> dict:
    client = row.Client
    return {**{name: getattr(client, name) for name in (
        "id", "code", "name", "typology", "segment", "region", "sector", "joined_on", "left_on", "active",
        "strategic", "strategic_reason", "version")},
        "rank": row.rank, "contribution": row.contribution, "cumulative_share": row.cumulative_share,
        "abc": row.abc, "potential": row.potential, "purchases": row.purchases, "margin": row.margin,
        "share": row.share, "tenure": row.tenure}


@blp.get("/clients")
@allow(TEAM_DATA)
@blp.arguments(ClientQuery, location="query", error_status_code=400)
@blp.response(200, ClientPage)
@blp.alt_response(304, description="Not modified since the ETag given in If-None-Match")
def clients(args):
    """The clients of a year's ranking (the latest year with figures by default), filtered and sorted as on the
    census page; ranks and classes stay those of the whole population, whatever the filters."""
    etag = api.list_etag("clients")
    if (unchanged := api.not_modified(etag)) is not None:
        return unchanged
    year = args.get("year") or ranking.latest_year()
    query = ranking.ranking_query(year, current_settings(), _filters(args), sort=args["sort"],
                                  descending=args["descending"], population=args["population"])
    body = api.paginate_rows(query, args, shape=_ranked)
    return {**body, "year": year, "population": args["population"]}, 200, api.etag_header(etag)


@blp.get("/clients/<int:client_id>")
@allow(TEAM_DATA)
@blp.response(200, ClientDetailSchema)
def client(client_id: int):
    """One client: who it is, how it left if it did, its yearly figures and its place in the latest year's ranking
    (among the current clients, or among all clients of the year for a lost one, as on its page)."""
    found = db.get_or_404(Client, client_id, options=[joinedload(Client.exit_reason), selectinload(Client.years)])
    year = ranking.latest_year()
    population = "current" if found.left_on is None else "all"
    row = ranking.client_rank(found.id, year, current_settings(), population)
    position = None if row is None else {
        "year": year, "population": population, "rank": row.rank, "of": row.population,
        "contribution": row.contribution, "cumulative_share": row.cumulative_share, "abc": row.abc}
    reason = found.exit_reason
    return {**{name: getattr(found, name) for name in (
        "id", "code", "name", "typology", "segment", "region", "sector", "joined_on", "left_on", "active",
        "strategic", "strategic_reason", "version", "exit_note")},
        "exit_reason": None if reason is None else {"id": reason.id, "key": reason.key, "label": reason.label},
        "figures": found.years, "position": position}


@blp.get("/census/history")
@allow(TEAM_DATA)
@blp.arguments(HistoryQuery, location="query", error_status_code=400)
@blp.response(200, HistorySchema)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(304, description="Not modified since the ETag given in If-None-Match")
def census_history(args):
    """New and lost clients per month, quarter or year with exit and retention rates, contribution lost and the
    exit reasons of each period, as on the census history page."""
    start, end = history.span(args.get("start"), args.get("end"))
    if start > end:
        api.refuse(422, _("The first year comes after the last."))
    etag = api.list_etag("census-history")
    if (unchanged := api.not_modified(etag)) is not None:
        return unchanged
    granularity = args["granularity"]
    periods = history.census_history(granularity, current_settings(), start=start, end=end)
    order = {p.key: p for p in periods}
    names = {reason.id: reason.label for reason in exit_reasons(offered_only=False)}
    by_reason = [{"period": history.period_label(order[key], granularity), "reason_id": reason_id,
                  "reason": names.get(reason_id) if reason_id is not None else None, "clients": count}
                 for key, reason_id, count in history.exit_reasons_over_time(granularity, start=start, end=end)
                 if key in order]
    rows = [{"key": p.key, "label": history.period_label(p, granularity), "start": p.start,
             "at_start": p.at_start, "new": p.new, "lost": p.lost, "at_end": p.at_end, "churn": p.churn,
             "retention": p.retention, "net_growth": p.net_growth, "growth_rate": p.growth_rate,
             "contribution_lost": p.contribution_lost} for p in periods]
    return ({"granularity": granularity, "start": start, "end": end, "periods": rows, "exit_reasons": by_reason},
            200, api.etag_header(etag))
