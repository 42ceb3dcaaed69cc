"""Whether clients understand an improvement (C2): the standard item "I know about the change to …", one per
improvement, added to a client survey, and what its waves' answers say, for C2 through
``core.signals.client_understanding``.

The item names its improvement by its key (``understand-<id>``, kept across editions), never by matching words.
Only aggregates are read (counts per wave of the answers shown), so anonymous surveys work the same, and a wave
with fewer than ``results.MIN_CUT`` answers to the item says nothing.
"""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from core.extensions import db
from improvements.models import DONE, Improvement, ImprovementKind
from improvements.results import Understanding
from surveys import engine, results
from surveys.models import WHOLE_WAVE, AnswerTotal, Audience, Survey, SurveyItem, Wave, WaveStatus
from surveys.standard import understanding_item, understanding_key

#: An answer from this point of the 1–5 scale up agrees that the client knows about the change.
AGREES_FROM = 4


def offered_improvements(survey: Survey) -> list[Improvement]:
    """The implemented (or verified) improvements the survey does not ask about yet, newest first."""
    asked = {item.key for item in survey.items}
    # A corrective action is no change clients are asked to know about (C2 does not read it).
    query = (select(Improvement).where(Improvement.status.in_(DONE), Improvement.kind == ImprovementKind.IMPROVEMENT)
             .order_by(Improvement.implemented_on.desc(), Improvement.id.desc()))
    return [i for i in db.session.scalars(query) if understanding_key(i.id) not in asked]


def add_understanding_item(survey: Survey, improvement: Improvement, *, actor=None) -> tuple[Survey, SurveyItem]:
    """Add "I know about the change to …" for ``improvement`` to a client survey (in a new edition when it has
    answers); refused for staff surveys, improvements not implemented yet and an improvement already asked about."""
    if survey.audience != Audience.CLIENTS:
        raise engine.SurveyRuleError(_("Only client surveys ask whether clients know about an improvement."))
    if improvement.status not in DONE:
        raise engine.SurveyRuleError(_("“%(title)s” has not been implemented yet: clients cannot know about it.",
                                       title=improvement.title))
    if any(item.key == understanding_key(improvement.id) for item in survey.items):
        raise engine.SurveyRuleError(_("The survey already asks whether clients know about “%(title)s”.",
                                       title=improvement.title))
    target = engine.editable(survey, actor=actor)
    item = SurveyItem(position=len(target.items) + 1,
                      **understanding_item(improvement.id, improvement.title, target.language))
    target.items.append(item)
    db.session.flush()
    return target, item


def understanding_for(improvements) -> dict[int, list[Understanding]]:
    """improvement id → the understanding item's answers wave by wave (client surveys, waves not drafts, at least
    ``results.MIN_CUT`` answers shown), in one query whatever the number of improvements."""
    keys = {understanding_key(i.id): i.id for i in improvements}
    if not keys:
        return {}
    # From the running totals (``surveys.totals``): as many rows as values, not as answers.
    answers, t = func.sum(AnswerTotal.count), AnswerTotal
    agreeing = func.sum(case((t.number >= AGREES_FROM, t.count), else_=0))
    rows = db.session.execute(
        select(SurveyItem.key, Wave.id, Wave.name, Wave.opens_on, answers, agreeing,
               func.sum(t.number * t.count) / answers)
        .select_from(t).join(SurveyItem, SurveyItem.id == t.item_id)
        .join(Survey, Survey.id == SurveyItem.survey_id).join(Wave, Wave.id == t.wave_id)
        .where(SurveyItem.key.in_(list(keys)), Survey.audience == Audience.CLIENTS, Wave.status != WaveStatus.DRAFT,
               t.dimension == WHOLE_WAVE)
        .group_by(SurveyItem.key, Wave.id, Wave.name, Wave.opens_on))
    found: dict[int, list[Understanding]] = {}
    for key, wave_id, name, opens_on, answers, agree, mean in rows:
        if answers >= results.MIN_CUT:
            found.setdefault(keys[key], []).append(Understanding(
                name, opens_on, int(answers), int(agree or 0), round(float(mean), 1),
                url_for("surveys.wave_results", wave_id=wave_id)))
    return found
