"""Survey results before and after each improvement (C2 client evidence), and survey items as the source of
an opportunity.

**How an improvement names what it targeted.** Explicitly, never by matching words: an opportunity whose
source is a *survey result* points at one numeric item of a client survey (``source_kind = "survey_result"``,
``source_id`` = the item's id), chosen from a list in the opportunity form, e.g. "Personal attention".
Items are compared across the editions of a survey by their stable ``key``, so a new edition keeps measuring
the same attribute.

**What is compared.** For each implemented (or verified) improvement with such a source: the item's mean
answer in the latest wave that opened before the day it was implemented, and in the latest wave that opened
on or after it. Higher is better (1–5 or 0–10), so it is favourable when the mean rose. Nothing is shown
without a wave on both sides; a wave whose item has fewer than ``results.MIN_CUT`` answers does not count, as
everywhere in the results of anonymous surveys, and an anonymous wave counts only its released responses
(``surveys.releases``). Only aggregates are read (AVG and COUNT per wave), so anonymous surveys work the same.

Both are registered with ``improvements`` when the surveys blueprint is registered on the app, so the import
order of the packages does not matter. Two queries whatever the number of improvements (none when none has
such a source).
"""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from core.extensions import db
from improvements.client_evidence import ComputedEvidence
from improvements.sources import SURVEY_RESULT
from surveys.models import BOUNDS, Answer, Audience, ItemRole, Survey, SurveyItem, Wave, WaveStatus
from surveys.releases import shown_answers
from surveys.results import MIN_CUT

NUMERIC = tuple(BOUNDS)


def _family():
    return func.coalesce(Survey.family_id, Survey.id)


def _items(ids) -> dict[int, SurveyItem]:
    """The numeric items of client surveys among ``ids``: one query."""
    query = (select(SurveyItem).join(Survey, Survey.id == SurveyItem.survey_id)
             .where(SurveyItem.id.in_(list(ids)), Survey.audience == Audience.CLIENTS, SurveyItem.kind.in_(NUMERIC)))
    return {item.id: item for item in db.session.scalars(query)}


def _item_choices() -> list[tuple[int, str]]:
    """The numeric items of the current editions of client surveys, attributes first."""
    query = (select(SurveyItem, Survey).join(Survey, Survey.id == SurveyItem.survey_id)
             .where(Survey.audience == Audience.CLIENTS, Survey.superseded.is_(False),
                    SurveyItem.kind.in_(NUMERIC))
             .order_by(Survey.title, Survey.id, SurveyItem.role != ItemRole.ATTRIBUTE, SurveyItem.position))
    return [(item.id, f"{survey}: {item.short}") for item, survey in db.session.execute(query)]


def _item_url(item: SurveyItem) -> str:
    return url_for("surveys.survey", survey_id=item.survey_id)


def survey_evidence(improvements) -> dict[int, list[ComputedEvidence]]:
    """The provider for ``improvements.client_evidence``: the targeted item's mean in the last wave before and
    the latest wave after each implemented improvement (two queries, none without a survey-result source)."""
    pivots = {i.id: (i.source_id, i.implemented_on) for i in improvements
              if i.implemented_on and i.source_kind == SURVEY_RESULT and i.source_id}
    if not pivots:
        return {}
    family = _family()
    targets = {item_id: (root, key, kind, tag, text) for item_id, root, key, kind, tag, text in db.session.execute(
        select(SurveyItem.id, family, SurveyItem.key, SurveyItem.kind, SurveyItem.tag, SurveyItem.text)
        .join(Survey, Survey.id == SurveyItem.survey_id)
        .where(SurveyItem.id.in_({item_id for item_id, _day in pivots.values()}),
               Survey.audience == Audience.CLIENTS, SurveyItem.kind.in_(NUMERIC)))}
    if not targets:
        return {}
    wanted = {(root, key) for root, key, *_rest in targets.values()}
    rows = db.session.execute(
        select(family, SurveyItem.key, Wave.id, Wave.name, Wave.opens_on, func.avg(Answer.number),
               func.count(Answer.number))
        .select_from(Answer).join(SurveyItem, SurveyItem.id == Answer.item_id)
        .join(Survey, Survey.id == SurveyItem.survey_id).join(Wave, Wave.id == Answer.wave_id)
        .where(family.in_({root for root, _key in wanted}), SurveyItem.key.in_({key for _root, key in wanted}),
               Wave.status != WaveStatus.DRAFT, Answer.number.is_not(None), shown_answers())
        .group_by(family, SurveyItem.key, Wave.id, Wave.name, Wave.opens_on))
    waves: dict[tuple, list] = {}
    for root, key, wave_id, name, opens_on, average, count in rows:
        if (root, key) in wanted and count >= MIN_CUT:
            waves.setdefault((root, key), []).append((opens_on, wave_id, name, float(average)))
    found = {}
    for improvement_id, (item_id, implemented_on) in pivots.items():
        if item_id not in targets:
            continue
        root, key, kind, tag, text = targets[item_id]
        series = sorted(waves.get((root, key), []))
        before = [w for w in series if w[0] < implemented_on]
        after = [w for w in series if w[0] >= implemented_on]
        if before and after:
            found[improvement_id] = [_evidence(tag or text, BOUNDS[kind], before[-1], after[-1])]
    return found


def _evidence(attribute: str, bounds, before, after) -> ComputedEvidence:
    low, high = bounds
    before_mean, after_mean = round(before[3], 1), round(after[3], 1)
    title = _("Satisfaction with “%(attribute)s” (mean answer, %(low)d–%(high)d): %(before)s → %(after)s",
              attribute=attribute, low=low, high=high, before=before[2], after=after[2])
    return ComputedEvidence("survey", title, before_mean, after_mean, True, after_mean > before_mean)


def register() -> None:
    from improvements import client_evidence, sources

    sources.register_source(SURVEY_RESULT, resolve=_items, choices=_item_choices, url=_item_url)
    client_evidence.register_provider(survey_evidence)
