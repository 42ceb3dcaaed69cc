"""A wave's exports: each item's results, and one row per response with the anonymity cut.

An anonymous survey's rows say nothing of who answered (no name, date, typology or group: groups could
single people out) and hold its released responses only (``surveys.releases``); the view releases a due
batch before asking for them, so an export and the results page always agree."""

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from surveys import releases, results
from surveys.models import Answer, Invitation, ItemKind, Response, SurveyItem, Wave


def item_rows(wave: Wave) -> list[dict]:
    """Each question's n, mean, favourable % and distribution, counted as the results page counts them."""
    counts = results.item_counts([wave.id]).get(wave.id, {})
    rows = []
    for result in (results.ItemResult(i, counts.get(i.id, {})) for i in wave.survey.items if i.kind != ItemKind.TEXT):
        row = {_("Question"): result.item.text, _("Attribute or improvement"): result.item.tag or "",
               "n": result.n, _("Mean"): result.mean, _("Favourable %"): result.favourable}
        row.update({label: count for label, count, _pct in result.distribution})
        rows.append(row)
    return rows


def response_rows(wave: Wave) -> list[dict]:
    """One row per shown response, one column per question, in the (random) order of the responses' ids;
    who answered and when only in a named survey."""
    survey = wave.survey
    items = list(survey.items)
    shown = releases.shown_responses([wave.id])
    answers = _answers_by_response(wave, shown)
    query = select(Response, Invitation.name).outerjoin(Invitation, Invitation.id == Response.invitation_id) \
        .where(Response.wave_id == wave.id, shown).order_by(Response.id)
    rows = []
    for response, name in db.session.execute(query):
        row = {} if survey.anonymous else {_("Name"): name or "", _("Answered on"): response.submitted_on,
                                           _("Typology"): response.typology, _("Segment or group"): response.segment}
        row.update({item.short: _cell(item, *answers[response.id].get(item.id, (None, None))) for item in items})
        rows.append(row)
    return rows


def _answers_by_response(wave: Wave, shown) -> dict[int, dict[int, tuple]]:
    """``{response id: {item id: (number, text)}}`` of the shown responses, in one statement."""
    answers = defaultdict(dict)
    for response_id, item_id, number, text in db.session.execute(
            select(Answer.response_id, Answer.item_id, Answer.number, Answer.text)
            .join(Response, Response.id == Answer.response_id).where(Answer.wave_id == wave.id, shown)):
        answers[response_id][item_id] = (number, text)
    return answers


def _cell(item: SurveyItem, number, text):
    """An answer as the export shows it: a choice's option, a comment's text, else the number."""
    if item.kind == ItemKind.CHOICE and number is not None:
        return (item.choices or [])[int(number)] if int(number) < len(item.choices or []) else None
    return text if item.kind == ItemKind.TEXT else number
