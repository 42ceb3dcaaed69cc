"""What the survey engine gives the other packages through ``core.signals``: D1's automatic evidence, survey
items as the source of an opportunity, the targeted item wave over wave as an improvement's client evidence
(C2), what clients answered to "I know about the change to …" (C2), the exit interviews of the clients who left in
a period (B2), each improvement group's participation survey (D1), what goes with census clients removed, and the
scales a response import matches worded answers to; the home page's open waves, surveys to the global search,
the segmentation page's satisfaction, and its headline measures per wave as the sources of computed indicators."""

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core import signals
from core.access import may
from core.extensions import db
from core.home import Panel
from core.search import DETAIL, Provider, record_url
from improvements.sources import SURVEY_RESULT, SourceRecords
from surveys import (
    answer_wordings,
    evidence,
    exits,
    home,
    indicator_sources,
    invitations,
    participation,
    results,
    understanding,
)
from surveys.models import Audience, ItemRole, Survey, SurveyItem


def _items(ids) -> dict[int, SurveyItem]:
    """The numeric items of client surveys among ``ids``: one query."""
    query = (select(SurveyItem).join(Survey, Survey.id == SurveyItem.survey_id)
             .where(SurveyItem.id.in_(list(ids)), Survey.audience == Audience.CLIENTS,
                    SurveyItem.kind.in_(evidence.NUMERIC)))
    return {item.id: item for item in db.session.scalars(query)}


def _item_choices() -> list[tuple[int, str]]:
    """The numeric items of the current editions of client surveys, attributes first."""
    query = (select(SurveyItem, Survey).join(Survey, Survey.id == SurveyItem.survey_id)
             .where(Survey.audience == Audience.CLIENTS, Survey.superseded.is_(False),
                    SurveyItem.kind.in_(evidence.NUMERIC))
             .order_by(Survey.title, Survey.id, SurveyItem.role != ItemRole.ATTRIBUTE, SurveyItem.position))
    return [(item.id, f"{survey}: {item.short}") for item, survey in db.session.execute(query)]


def _item_url(item: SurveyItem) -> str:
    return url_for("surveys.survey", survey_id=item.survey_id)


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"D1": evidence.participation_evidence}


@signals.evidence_thresholds.connect
def _evidence_thresholds(sender, **kwargs):
    return {"D1": evidence.D1_THRESHOLDS}


@signals.opportunity_records.connect
def _opportunity_records(sender, **kwargs):
    # An opportunity whose source is a *survey result* points at one numeric item of a client survey.
    return {SURVEY_RESULT: SourceRecords(_items, _item_choices, _item_url)}


@signals.client_evidence.connect
def _client_evidence(sender, *, improvements, **kwargs):
    return evidence.survey_evidence(improvements)


@signals.client_understanding.connect
def _client_understanding(sender, *, improvements, **kwargs):
    return understanding.understanding_for(improvements)


@signals.exit_interviews.connect
def _exit_interviews(sender, *, since, until, **kwargs):
    return exits.interviews_summary(since, until)


@signals.group_participation.connect
def _group_participation(sender, **kwargs):
    return participation.group_participation(sender)


@signals.client_dependants.connect
def _client_dependants(sender, *, clients, **kwargs):
    return invitations.client_dependants(clients)


@signals.import_vocabularies.connect
def _import_vocabularies(sender, **kwargs):
    return answer_wordings.vocabularies()


@signals.home_panels.connect
def _home_panels(sender, user=None, **kwargs):
    """The waves open and their response rate: counts only, never an answer or a link."""
    if not may("surveys.wave"):
        return []
    waves, total = home.open_waves()
    return [Panel("waves", 50, "surveys/_home_waves.html", {"waves": waves, "total": total}, empty=not total)]


@signals.search_providers.connect
def _search_providers(sender, **kwargs):
    """Surveys by title and introduction; their links and answers are never searched."""
    return [Provider("survey", _l("Surveys"), "surveys.survey", Survey, (Survey.title, Survey.description),
                     Survey.title, record_url("surveys.survey", "survey_id"),
                     detail=func.substr(Survey.description, 1, DETAIL), order=70)]


@signals.client_satisfaction.connect
def _client_satisfaction(sender, **kwargs):
    return results.client_satisfaction()


@signals.indicator_sources.connect
def _indicator_sources(sender, **kwargs):
    return indicator_sources.sources()
