"""What the survey engine gives the other packages through ``core.signals``: D1's automatic evidence, survey
items as the source of an opportunity, the targeted item wave over wave as an improvement's client evidence
(C2), each improvement group's participation survey (D1), what goes with census clients removed, and the
scales a response import matches worded answers to."""

from flask import url_for
from sqlalchemy import select

from core import signals
from core.extensions import db
from improvements.sources import SURVEY_RESULT, SourceRecords
from surveys import answer_wordings, evidence, invitations, participation
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


@signals.group_participation.connect
def _group_participation(sender, **kwargs):
    return participation.group_participation(sender)


@signals.client_dependants.connect
def _client_dependants(sender, *, clients, **kwargs):
    return invitations.client_dependants(clients)


@signals.import_vocabularies.connect
def _import_vocabularies(sender, **kwargs):
    return answer_wordings.vocabularies()
