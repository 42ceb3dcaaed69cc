"""An answered exit interview, built in the current app context: a named exit-interview survey and wave, lost
census clients invited to it, and their answers (the reasons given by key). Shared by the exit interviews' tests
and the object-access crawl."""

from datetime import date, timedelta

from sqlalchemy import select

from core.extensions import db
from loyalty.models import Client, ExitReason, Typology
from loyalty.reasons import ensure_default_reasons
from surveys import engine, invitations
from surveys.models import Audience, Invitation, ItemRole


def reason(key: str | None) -> ExitReason | None:
    return db.session.scalar(select(ExitReason).where(ExitReason.key == key)) if key else None


def exit_interview(clients: list[tuple[str, str | None, str | None]], *, left_on: date | None = None,
                   language: str = "en") -> dict:
    """``clients``: (code, census reason key, reason key answered, None for no answer). Returns the wave, the
    survey and, by client code, the client id and the response key."""
    ensure_default_reasons()
    left_on = left_on or date.today() - timedelta(days=30)
    survey = engine.create_survey(title="Exit interview", audience=Audience.CLIENTS, language=language,
                                  template="exit_interview", anonymous=False)
    wave = engine.create_wave(survey, name="Exits", opens_on=left_on, closes_on=None, public_link=False)
    wave.open()
    item = next(i for i in survey.items if i.role == ItemRole.EXIT_REASON)
    found = {"wave_id": wave.id, "survey_id": survey.id, "item_id": item.id, "clients": {}, "responses": {}}
    for code, census_key, answered_key in clients:
        client = Client(code=code, name=f"Client {code}", typology=Typology.END_USER, joined_on=date(2019, 1, 1),
                        left_on=left_on, exit_reason=reason(census_key))
        db.session.add(client)
        db.session.flush()
        invitations.invite(wave, [{"name": client.name, "client_id": client.id}])
        found["clients"][code] = client.id
        if answered_key is not None:
            invitation = db.session.scalar(select(Invitation).where(Invitation.client_id == client.id,
                                                                   Invitation.wave_id == wave.id))
            index = item.choices.index(reason(answered_key).label)
            found["responses"][code] = engine.submit_response(wave, {item.id: (float(index), None)},
                                                              invitation=invitation)
    db.session.flush()
    return found
