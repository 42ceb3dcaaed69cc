"""Surveys on the REST API: the surveys with their questions and waves, and a wave's results as aggregates only,
through the results page's own functions and rules (``surveys.results``, ``surveys.releases``, docs/anonymity.md):
an anonymous wave gives nothing but its counts below the minimum cut, its breakdowns leave out the groups under it,
its figures count only released responses and reading them releases a batch when one is due, as the page does.
No response, answer or comment text is ever given (``core.api``)."""

import hashlib

from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core import api
from core.access import TEAM_DATA, allow
from core.extensions import db
from surveys import catalogue, releases, results, totals
from surveys.api_schemas import (
    SurveyDetailSchema,
    SurveyPage,
    SurveyQuery,
    WavePage,
    WaveQuery,
    WaveResultsSchema,
    WaveSchema,
)
from surveys.models import Invitation, Survey, Wave

blp = api.Blueprint("api_surveys", __name__, url_prefix=api.PREFIX,
                    description="Surveys, waves and their results (aggregates only; B1, D1)")


def _sizes_etag(name: str, sizes: dict) -> str | None:
    """Responses are not audited, so the data version alone does not see a new one: the counts shown are part of
    the ETag (one query, read anyway)."""
    return api.list_etag(name, hashlib.sha256(repr(sorted(sizes.items())).encode()).hexdigest())


def _wave_ref(wave: Wave, sizes: dict) -> dict:
    return {"id": wave.id, "survey_id": wave.survey_id, "name": wave.name, "opens_on": wave.opens_on,
            "closes_on": wave.closes_on, "status": wave.status, "responses": sizes.get(wave.id, 0)}


def _survey(survey: Survey, waves: list[Wave], sizes: dict) -> dict:
    return {**{name: getattr(survey, name) for name in (
        "id", "title", "description", "audience", "anonymous", "language", "template", "edition", "root_id",
        "superseded", "created_at", "version")}, "waves": [_wave_ref(wave, sizes) for wave in waves]}


@blp.get("/surveys")
@allow(TEAM_DATA)
@blp.arguments(SurveyQuery, location="query", error_status_code=400)
@blp.response(200, SurveyPage)
@blp.alt_response(304, description="Not modified since the ETag given in If-None-Match")
def surveys(args):
    """The current editions of the surveys, filtered as on the surveys page, by audience and title, each with the
    waves of all its editions and the responses each shows."""
    sizes = totals.wave_sizes()
    etag = _sizes_etag("surveys", sizes)
    if (unchanged := api.not_modified(etag)) is not None:
        return unchanged
    audience = args.get("audience")
    filters = catalogue.SurveyFilters(q=(args.get("q") or "").strip() or None,
                                      audience=audience.value if audience else None, anonymity=args.get("anonymity"))
    body = api.paginate(catalogue.current_surveys_query(filters), args)
    by_root = catalogue.waves_by_root(body["items"])
    body["items"] = [_survey(survey, by_root.get(survey.root_id, []), sizes) for survey in body["items"]]
    return body, 200, api.etag_header(etag)


@blp.get("/surveys/<int:survey_id>")
@allow(TEAM_DATA)
@blp.response(200, SurveyDetailSchema)
def survey(survey_id: int):
    """One survey (any edition) with its questions and the waves of all its editions."""
    found = db.get_or_404(Survey, survey_id, options=[selectinload(Survey.items)])
    waves = results.family_waves(found)
    return {**_survey(found, waves, totals.wave_sizes([w.id for w in waves])), "items": found.items}


def _waves(waves: list[Wave], sizes: dict) -> list[dict]:
    ids = [w.id for w in waves]
    invited = dict(db.session.execute(select(Invitation.wave_id, func.count()).where(Invitation.wave_id.in_(ids))
                                      .group_by(Invitation.wave_id)).all()) if ids else {}
    return [{**_wave_ref(wave, sizes), "invited": invited.get(wave.id, 0), "public_link": bool(wave.public_token),
             "created_at": wave.created_at, "version": wave.version} for wave in waves]


@blp.get("/waves")
@allow(TEAM_DATA)
@blp.arguments(WaveQuery, location="query", error_status_code=400)
@blp.response(200, WavePage)
@blp.alt_response(304, description="Not modified since the ETag given in If-None-Match")
def waves(args):
    """The waves, oldest first: of every survey, or of one survey's editions; by status."""
    sizes = totals.wave_sizes()
    etag = _sizes_etag("waves", sizes)
    if (unchanged := api.not_modified(etag)) is not None:
        return unchanged
    query = select(Wave).order_by(Wave.opens_on, Wave.id)
    if args.get("survey"):
        chosen = db.get_or_404(Survey, args["survey"])
        query = query.join(Survey, Survey.id == Wave.survey_id).where(
            (Survey.id == chosen.root_id) | (Survey.family_id == chosen.root_id))
    if args.get("status"):
        query = query.where(Wave.status == args["status"])
    body = api.paginate(query, args)
    body["items"] = _waves(body["items"], sizes)
    return body, 200, api.etag_header(etag)


@blp.get("/waves/<int:wave_id>")
@allow(TEAM_DATA)
@blp.response(200, WaveSchema)
def wave(wave_id: int):
    """One wave: its dates, status, invitations and the responses it shows (never who answered)."""
    found = db.get_or_404(Wave, wave_id)
    return _waves([found], totals.wave_sizes([found.id]))[0]


def _item(result: results.ItemResult) -> dict:
    item = result.item
    return {"id": item.id, "key": item.key, "text": item.text, "kind": item.kind, "role": item.role, "n": result.n,
            "mean": result.mean, "favourable": result.favourable,
            "distribution": [{"label": label, "count": count, "percent": percent}
                             for label, count, percent in result.distribution]}


def _headline(measures: dict) -> dict:
    expectations = measures.get("expectations")
    return {**measures, "expectations": _item(expectations) if expectations is not None else None}


def _group(group: results.GroupResult) -> dict:
    return {"name": group.name, "responses": group.responses, "invited": group.invited,
            "response_rate": group.response_rate, "headline": _headline(group.headline),
            "favourable": {str(item_id): value for item_id, value in group.favourable.items()}}


@blp.get("/waves/<int:wave_id>/results")
@allow(TEAM_DATA)
@blp.response(200, WaveResultsSchema)
def wave_results(wave_id: int):
    """A wave's results as the results page gives them: headline measures, each item's distribution, the
    breakdowns by typology and segment (groups under the minimum cut left out) and the trend over the waves of
    the survey's editions. An anonymous wave counts its released responses only (a batch due is released now, as
    the page does) and below the minimum cut gives its counts and nothing else."""
    found = db.get_or_404(Wave, wave_id)
    release = releases.release_due(found, actor=current_user)
    if release.just_released:
        db.session.commit()
    survey = found.survey
    waves = results.family_waves(survey)
    counts = results.item_counts([w.id for w in waves])
    summary = results.wave_results(found, counts, release, with_comments=False)
    breakdowns = {}
    if not summary.hidden:
        for dimension in results.DIMENSIONS:
            shown, hidden = results.breakdown(found, dimension)
            breakdowns[dimension] = {"groups": [_group(group) for group in shown], "hidden_groups": hidden}
    comment_count = 0 if summary.hidden else results.comments(found, limit=0)[1]
    points = results.trend(survey, waves, counts)
    sizes = {point["wave"].id: point["responses"] for point in points}
    trend = [{"wave": _wave_ref(point["wave"], sizes), **{key: point[key] for key in (
        "csat", "nps", "repurchase", "participation")}} for point in points]
    return {"wave": _wave_ref(found, {found.id: summary.responses}), "anonymous": survey.anonymous,
            "min_cut": results.MIN_CUT, "hidden": summary.hidden, "responses": summary.responses,
            "by_source": summary.by_source, "invited": summary.invited, "response_rate": summary.response_rate,
            "release": {"batched": release.batched, "batch_size": release.batch_size, "waiting": summary.waiting,
                        "waiting_for": release.waiting_for},
            "headline": _headline(summary.headline), "items": [_item(result) for result in summary.items],
            "breakdowns": breakdowns, "comment_count": comment_count, "trend": trend}
