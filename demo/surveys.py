"""The demo's surveys: two client satisfaction waves a year apart (a few hundred responses each, NPS up
after the speed of response and the personal attention improved) and one anonymous staff participation wave
(D1) sent to the members of the demo's two improvement groups.

Responses are generated from a simple model so that the driver analysis finds something real: each
client has an underlying satisfaction; personal attention and speed of response weigh most on the
intention to keep buying and on recommending. Rows go in with bulk inserts (a few statements), and each
wave's responses are then released as a batch, as opening its results would (``surveys.releases``).
"""

import random
from datetime import timedelta

from sqlalchemy import insert, update

from core.extensions import db
from core.needs import NeedLevel
from core.timeutil import utcnow
from demo.improvements import GROUPS
from surveys import engine, releases
from surveys.invitations import group_segment
from surveys.models import Audience, Invitation, ItemKind, ResponseSource, WaveStatus, new_token

TYPOLOGIES = (("Usuario final", 0.7), ("Cliente intermedio", 0.2), ("Prescriptor", 0.1))
SEGMENTS = (("Preferente", 0.25), ("A cuidar", 0.35), ("Poco relevante", 0.3), ("Desordenado", 0.1))
#: How much each attribute follows the client's underlying satisfaction (the rest is noise).
WEIGHTS = {"attr-attention": 0.9, "attr-information": 0.6, "attr-speed": 0.85, "attr-products": 0.5,
           "attr-procedures": 0.55, "attr-value": 0.3}
COMMENTS = ("Me atendieron muy bien en la oficina.", "Tardan mucho en contestar los correos.",
            "La información del extracto anual no se entiende.", "Todo correcto, gracias.",
            "Deberían poder hacerse más trámites en línea.", "Las comisiones me parecen altas.",
            "Muy amables por teléfono.", "Me gustaría tener un gestor de referencia.")
STAFF_COMMENTS = ("Nos faltó tiempo para las reuniones.", "Por fin se ha escuchado a atención al cliente.",
                  "Me gustaría saber qué pasó con la propuesta de los recordatorios.", "Buena experiencia.")


def _pick(rng, weighted):
    return rng.choices([name for name, _w in weighted], weights=[w for _n, w in weighted])[0]


def _clip(value, low, high):
    return max(low, min(high, round(value)))


def _client_answers(rng, items, *, speed_bonus: float, attention_bonus: float = 0.0) -> dict:
    """One client's answers: attributes around an underlying satisfaction; outcomes driven by attention and speed."""
    latent = rng.gauss(3.6, 0.8)
    values, by_key = {}, {}
    bonuses = {"attr-speed": speed_bonus, "attr-attention": attention_bonus}
    for key, weight in WEIGHTS.items():
        bonus = bonuses.get(key, 0.0)
        by_key[key] = _clip(weight * latent + (1 - weight) * 3.6 + bonus + rng.gauss(0, 0.6), 1, 5)
    drive = 0.45 * by_key["attr-attention"] + 0.4 * by_key["attr-speed"] + 0.15 * by_key["attr-value"]
    by_key["overall"] = _clip(0.5 * drive + 0.5 * latent + rng.gauss(0, 0.4), 1, 5)
    by_key["repurchase"] = _clip(drive + rng.gauss(0.2, 0.6), 1, 5)
    by_key["recommend"] = _clip((drive - 0.6) * 2.6 + rng.gauss(0, 1.2), 0, 10)
    by_key["expectations"] = 0 if by_key["overall"] <= 2 else (2 if by_key["overall"] == 5 and rng.random() < .6
                                                                else 1)
    for key, number in by_key.items():
        values[items[key].id] = (float(number), None)
    if rng.random() < 0.2:
        values[items["comment"].id] = (None, rng.choice(COMMENTS))
    return values


def _invite_and_answer(rng, wave, people: list[dict], answered: int, make_values) -> None:
    """Bulk-insert invitations; ``answered`` of them are used, each with a response (no link kept: anonymous)."""
    blank = dict.fromkeys(("email", "user_id", "typology", "segment"))
    rows = [{"wave_id": wave.id, "token": new_token(), "used": False, **blank, **person} for person in people]
    db.session.execute(insert(Invitation.__table__), rows)
    used = rng.sample([row["token"] for row in rows], answered)
    db.session.execute(update(Invitation.__table__).where(Invitation.__table__.c.token.in_(used)).values(used=True))
    by_token = {row["token"]: row for row in rows}
    engine.insert_responses(wave, [{"values": make_values(), "typology": by_token[t].get("typology"),
                                    "segment": by_token[t].get("segment"), "source": ResponseSource.LINK}
                                   for t in used])


#: The level of need each attribute of the client survey is about (B1 reads satisfaction by level).
NEED_LEVELS = {"attr-speed": NeedLevel.BASIC, "attr-procedures": NeedLevel.BASIC,
               "attr-information": NeedLevel.EXPECTED, "attr-products": NeedLevel.EXPECTED,
               "attr-value": NeedLevel.EXPECTED, "attr-attention": NeedLevel.DESIRED}


def _client_waves(rng, users) -> None:
    survey = engine.create_survey(title=None, audience=Audience.CLIENTS, language="es",
                                  template="client_satisfaction", anonymous=True, actor=users["coordinator@demo.test"])
    items = {i.key: i for i in survey.items}
    for key, level in NEED_LEVELS.items():  # seed 003: which level of the socios' needs each attribute is about
        items[key].need_level = level
    today = utcnow().date()
    # Personal attention rises too: the demo's "contact" improvement (implemented between the waves) targets it.
    for name, opens_on, invited, answered, public, speed_bonus, attention_bonus, status in (
            (f"Oleada {today.year - 1}", today - timedelta(days=400), 520, 290, 40, -0.6, -0.3, WaveStatus.CLOSED),
            (f"Oleada {today.year}", today - timedelta(days=35), 560, 330, 45, 0.5, 0.4, WaveStatus.OPEN)):
        wave = engine.create_wave(survey, name=name, opens_on=opens_on, closes_on=None if status == WaveStatus.OPEN
                                  else opens_on + timedelta(days=30), public_link=True)
        wave.status = status
        people = [{"name": f"Socio {n:04d}", "email": f"socio{n:04d}@example.org",
                   "typology": _pick(rng, TYPOLOGIES), "segment": _pick(rng, SEGMENTS)} for n in range(invited)]
        bonuses = {"speed_bonus": speed_bonus, "attention_bonus": attention_bonus}
        _invite_and_answer(rng, wave, people, answered, lambda bonuses=bonuses: _client_answers(rng, items, **bonuses))
        engine.insert_responses(wave, [{"values": _client_answers(rng, items, **bonuses),
                                        "source": ResponseSource.PUBLIC} for _ in range(public)])
        releases.release_due(wave)


def _staff_wave(rng, users) -> None:
    survey = engine.create_survey(title=None, audience=Audience.STAFF, language="es",
                                  template="staff_participation", anonymous=True, actor=users["coordinator@demo.test"])
    items = [i for i in survey.items if i.kind != ItemKind.TEXT]
    comment = next(i for i in survey.items if i.kind == ItemKind.TEXT)
    today = utcnow().date()
    wave = engine.create_wave(survey, name=f"Grupos de mejora {today.year}", opens_on=today - timedelta(days=20),
                              closes_on=None, public_link=False)
    wave.status = WaveStatus.OPEN
    # The members of the demo's improvement groups (created after this), invited as "invite the groups' members"
    # does (``invitations.group_invitees``): groups by name, members by name, a member of two answering for the first.
    people, seen = [], set()
    for name, *_rest, members in sorted(GROUPS, key=lambda group: group[0]):
        for email in sorted((email for email, _role in members), key=lambda email: users[email].name):
            if email not in seen:
                seen.add(email)
                people.append({"name": users[email].name, "email": email, "user_id": users[email].id,
                               "segment": group_segment(name)})

    def values():
        tone = rng.gauss(3.9, 0.7)
        found = {i.id: (float(_clip(tone + rng.gauss(0, 0.7) - (0.8 if i.key == "means" else 0), 1, 5)), None)
                 for i in items}
        if rng.random() < 0.4:
            found[comment.id] = (None, rng.choice(STAFF_COMMENTS))
        return found

    _invite_and_answer(rng, wave, people, len(people) - 3, values)
    releases.release_due(wave)


def load(users) -> None:
    """Add the demo surveys (called by ``demo.load`` inside the admin's audit context)."""
    rng = random.Random(2024)
    _client_waves(rng, users)
    _staff_wave(rng, users)
    db.session.flush()
