"""The demo's exit interviews (B2): the census's clients who left in the last six months (up to three weeks ago)
were invited to a named exit interview, and about half answered, a few days to three weeks after leaving. Every
recent exit the census file listed without a reason (``demo.loyalty.UNEXPLAINED_EXITS``) was phoned and answered.

Most answers agree with the reason the census has; some name another one (usually the service or the lack of
contact the improvement groups work on). The quality coordinator then reviewed them: the answers that overwrite
nothing were recorded at once (reasons confirmed, missing reasons set), and most of those that differ were decided
one by one with a note, a few left waiting for review, so that B2's exit analysis and the review page show each
kind.
"""

import random
from datetime import date, datetime, time, timedelta

from flask_babel import force_locale
from sqlalchemy import insert, select, update

from core.extensions import db
from demo.loyalty import EXIT_WEIGHTS
from loyalty.models import TYPOLOGY_LABELS, Client, ExitReason
from surveys import engine, exits
from surveys.models import (
    Audience,
    ExitReview,
    Invitation,
    ResponseSource,
    ReviewOutcome,
    WaveStatus,
    new_token,
)

#: Who is invited: the clients who left between these many days ago.
WINDOW = (180, 21)
#: The share of the other invited clients who answer.
ANSWER_RATE = 0.45
#: How the differing answers were decided: (replaced, kept) notes; the rest stay waiting for review.
NOTES = {
    ReviewOutcome.REPLACED: ("Lo confirma también su gestor: la baja fue por la atención, no por lo que anotó "
                             "la oficina.", "En la llamada explicó el motivo real; el registrado era provisional."),
    ReviewOutcome.KEPT: ("El impago o la no renovación constan en el expediente; se mantiene el motivo del censo.",),
}
STORIES = ("Nadie me llamó cuando tuve el problema con el traspaso.", "Me ofrecieron mejores condiciones en otra "
           "entidad.", "Dejé de aportar al jubilarme y no vi sentido a seguir.", "Tardaron semanas en contestar.",
           "No sabía a quién dirigirme.")
COMMENTS = ("Una llamada a tiempo me habría hecho quedarme.", "Que el gestor conozca a sus socios.",
            "Responder antes a las reclamaciones.", "Nada, fue una decisión personal.")


def load(users) -> None:
    """Add the exit interview wave, its answers and the coordinator's reviews (after the census and the surveys)."""
    rng, today = random.Random(2025), date.today()
    coordinator = users["coordinator@demo.test"]
    survey = engine.create_survey(title=None, audience=Audience.CLIENTS, language="es", template="exit_interview",
                                  anonymous=False, actor=coordinator)
    wave = engine.create_wave(survey, name=f"Bajas del semestre {today.year}", opens_on=today - timedelta(
        days=WINDOW[0]), closes_on=None, public_link=False)
    wave.status = WaveStatus.OPEN
    items = {item.key: item for item in survey.items}
    lost = db.session.execute(select(Client.id, Client.name, Client.typology, Client.segment, Client.left_on,
                                     Client.exit_reason_id).where(
        Client.left_on.between(today - timedelta(days=WINDOW[0]), today - timedelta(days=WINDOW[1])))
        .order_by(Client.left_on, Client.id)).all()
    answered = [row for row in lost if row.exit_reason_id is None or rng.random() < ANSWER_RATE]
    tokens = _invite(wave, lost, {row.id for row in answered})
    by_id = {reason.id: reason for reason in db.session.scalars(select(ExitReason))}
    engine.insert_responses(wave, [_response(rng, items, row, by_id, tokens[row.id], today) for row in answered])
    db.session.flush()
    _review(rng, wave, coordinator)


def _invite(wave, lost, answering: set[int]) -> dict[int, int]:
    """Invitations of every lost client (used for those who answered); client id → invitation id."""
    names = {typology.value: str(label) for typology, label in TYPOLOGY_LABELS.items()}
    db.session.execute(insert(Invitation.__table__), [
        {"wave_id": wave.id, "token": new_token(), "name": row.name, "client_id": row.id, "email": None,
         "user_id": None, "typology": names.get(row.typology, row.typology)[:60], "segment": row.segment,
         "used": row.id in answering} for row in lost])
    return dict(db.session.execute(select(Invitation.client_id, Invitation.id)
                                   .where(Invitation.wave_id == wave.id)).all())


def _given(rng, row, by_id: dict) -> ExitReason:
    """The reason a client gives: the census's most of the time; otherwise the service or the lack of contact."""
    if row.exit_reason_id is not None and rng.random() < 0.7:
        return by_id[row.exit_reason_id]
    keys = (["poor_service", "lack_of_contact"] if row.exit_reason_id is not None
            else list(EXIT_WEIGHTS))
    weights = [1, 1] if row.exit_reason_id is not None else list(EXIT_WEIGHTS.values())
    key = rng.choices(keys, weights=weights)[0]
    return next(reason for reason in by_id.values() if reason.key == key)


def _response(rng, items: dict, row, by_id: dict, invitation_id: int, today: date) -> dict:
    given = _given(rng, row, by_id)
    with force_locale("es"):  # the questionnaire's language: its options are the reasons' Spanish names
        option = items["exit-reason"].choices.index(given.label)
    unhappy = given.key in ("poor_service", "lack_of_contact", "dissatisfaction")
    values = {items["exit-reason"].id: (float(option), None),
              items["overall"].id: (float(rng.choice((1, 2, 2, 3) if unhappy else (3, 3, 4, 4, 5))), None),
              items["come-back"].id: (float(rng.choice((2, 3, 3, 4) if unhappy else (1, 2, 3))), None),
              items["recommend"].id: (float(rng.choice((0, 2, 3, 5, 6) if unhappy else (5, 6, 7, 8, 9))), None)}
    if rng.random() < 0.4:
        values[items["exit-story"].id] = (None, rng.choice(STORIES))
    if rng.random() < 0.3:
        values[items["comment"].id] = (None, rng.choice(COMMENTS))
    submitted = min(today - timedelta(days=1), row.left_on + timedelta(days=rng.randint(4, 20)))
    return {"values": values, "invitation_id": invitation_id, "submitted_on": submitted,
            "source": ResponseSource.LINK, "typology": None, "segment": row.segment}


def _review(rng, wave, coordinator) -> None:
    """The coordinator's review: what overwrites nothing at once, then the differing answers one by one but the last
    two (left waiting); each review dated a few days after its answer came in."""
    exits.review_agreed(wave, actor=coordinator)
    differing = [a for a in exits.exit_answers(wave_id=wave.id) if a.state == exits.DIFFERS]
    for number, answer in enumerate(differing[:-2]):
        outcome = ReviewOutcome.KEPT if answer.census.key in ("non_payment", "no_renewal") else ReviewOutcome.REPLACED
        exits.review_answer(wave, answer.response_id, apply=outcome == ReviewOutcome.REPLACED,
                            note=NOTES[outcome][number % len(NOTES[outcome])], actor=coordinator)
    table = ExitReview.__table__
    for review_id, left_on in db.session.execute(select(ExitReview.id, Client.left_on)
                                                 .join(Client, Client.id == ExitReview.client_id)).all():
        day = min(date.today(), left_on + timedelta(days=rng.randint(25, 40)))
        db.session.execute(update(table).where(table.c.id == review_id)
                           .values(reviewed_at=datetime.combine(day, time(10, 0))))
