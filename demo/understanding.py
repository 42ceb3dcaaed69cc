"""Whether the demo's clients know about the improvements (C2): this year's client wave asked "Conozco el cambio
en …" for each improvement implemented before it opened. The item is in the wave's questionnaire, so it is added
to the survey's edition that wave answers (the demo writes the questionnaire as it was, after the improvements are
loaded), and about four in five respondents answered it: most know about the written answer and the welcome
call; fewer about the quarterly contact, which only reaches members without activity.
"""

import random

from sqlalchemy import insert, select

from core.extensions import db
from improvements.models import DONE, Improvement
from surveys import releases, totals
from surveys.models import Answer, Audience, Response, Survey, SurveyItem, Wave
from surveys.standard import understanding_item

#: improvement title (in the demo) → the chance a respondent agrees (4 or 5) that they know about the change.
AGREEMENT = {"Respuesta siempre por escrito": 0.74, "Llamada de bienvenida en 48 horas": 0.81,
             "Contacto trimestral con socios sin actividad": 0.55}
#: The share of respondents who answered the (optional) item.
ANSWERED = 0.8


def load(users) -> None:
    """Add the understanding items to the client survey and their answers in its latest wave."""
    rng = random.Random(48)
    survey = db.session.scalar(select(Survey).where(Survey.audience == Audience.CLIENTS,
                                                    Survey.template == "client_satisfaction"))
    wave = db.session.scalar(select(Wave).where(Wave.survey_id == survey.id).order_by(Wave.opens_on.desc()))
    improvements = db.session.scalars(select(Improvement).where(Improvement.status.in_(DONE),
                                                                Improvement.implemented_on < wave.opens_on)
                                      .order_by(Improvement.implemented_on)).all()
    responses = db.session.execute(select(Response.id, Response.typology, Response.segment)
                                   .where(Response.wave_id == wave.id).order_by(Response.id)).all()
    rows = []
    for improvement in improvements:
        item = SurveyItem(survey_id=survey.id, position=len(survey.items) + 1,
                          **understanding_item(improvement.id, improvement.title, survey.language))
        survey.items.append(item)
        db.session.flush()
        agreeing = AGREEMENT.get(improvement.title, 0.6)
        rows += [{"response_id": key, "item_id": item.id, "wave_id": wave.id, "typology": typology,
                  "segment": segment, "text": None, "number": float(_answer(rng, agreeing))}
                 for key, typology, segment in responses if rng.random() < ANSWERED]
    if rows:
        db.session.execute(insert(Answer.__table__), rows)
        # Answers added to stored responses: their wave's running totals are counted again from the answers.
        totals.rebuild(releases.shown_responses([wave.id]), [wave.id])
    db.session.flush()


def _answer(rng, agreeing: float) -> int:
    return rng.choice((4, 5, 5)) if rng.random() < agreeing else rng.choice((1, 2, 3, 3))
