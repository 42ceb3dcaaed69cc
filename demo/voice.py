"""The demo's voice of the client: about 300 enquiries, complaints, claims and incidents over three years
(answers get faster after the written-answer improvement, about ten months ago, most of all in "Retrasos";
complaints about not knowing one's manager fall and are answered sooner after the welcome call, about a year
ago), requirements from every source, two focus groups and the other listening activities with their costs.

The two dates are those on which ``demo.improvements`` implements those improvements (``change_day``), so the
complaints before and after each improvement tell the same story as its page.

Complaints are written in bulk (Core ``insert``), as the census demo does, so ``make run`` stays fast. The
survey waves' costs come later (``load_wave_costs``), after the survey engine's demo, whose waves they cost.
"""

import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from core.audit import acting_as
from core.extensions import db
from core.needs import NeedLevel
from demo.dates import last_complete_month, months_before
from loyalty.models import Client, Typology
from surveys.models import Audience, Survey, Wave
from voice.models import (
    ActivityKind,
    Channel,
    Complaint,
    ComplaintCategory,
    ContactKind,
    ListeningActivity,
    ListeningAssumptions,
    Requirement,
    RequirementSource,
    RequirementStatus,
    WaveCost,
)

SEED = 5150
COMPLAINTS = 300
#: The category the welcome-call improvement targets (``demo.improvements`` links its opportunity to it).
CONTACT_CATEGORY = "Falta de contacto con el gestor"
#: The requirement the opportunity "Explicar mejor la fiscalidad del rescate" comes from.
TAX_REQUIREMENT = "Saber cuánto tributará el rescate antes de pedirlo"
#: name → (weight among the records before its improvement, after it, mean response days before, after)
CATEGORIES = {
    "Retrasos en las respuestas": (30, 30, 14, 5),
    "Errores en extractos": (18, 18, 8, 7),
    "Trato del personal": (10, 10, 5, 4),
    "Condiciones del producto": (16, 16, 10, 9),
    "Trámites y papeleo": (16, 16, 9, 8),
    "Canales en línea": (10, 10, 6, 5),
    CONTACT_CATEGORY: (12, 4, 9, 3),
}
#: Months before the last complete month in which each improvement of ``demo.improvements`` was implemented:
#: the written answer (every category but the one below) and the welcome call (``CONTACT_CATEGORY``).
WRITTEN_ANSWER_MONTHS = 10
WELCOME_CALL_MONTHS = 12


def change_day(today: date, months: int) -> date:
    """The day ``demo.improvements`` implements an improvement ``months`` months before the last complete month."""
    return months_before(last_complete_month(today), months) + timedelta(days=14)
KINDS = {ContactKind.ENQUIRY: 30, ContactKind.COMPLAINT: 40, ContactKind.CLAIM: 20, ContactKind.INCIDENT: 10}
TEXTS = ("No me han contestado a la solicitud de traspaso.", "El extracto anual trae mal las aportaciones.",
         "Quiero saber cuánto tributa el rescate.", "La web no deja descargar el certificado fiscal.",
         "Nadie me avisó del cambio de gestor.", "Me pidieron tres veces el mismo documento.",
         "¿Puedo aportar más este año?", "El cargo de la aportación se duplicó.")


def load(users) -> None:
    """Add the categories, the complaints, the listening activities and the requirements they produced."""
    rng = random.Random(SEED)
    today = date.today()
    categories = {}
    for name in CATEGORIES:
        category = ComplaintCategory(name=name, active=True)
        db.session.add(category)
        categories[name] = category
    db.session.flush()
    clients = db.session.execute(select(Client.id, Client.joined_on, Client.left_on).order_by(Client.id)
                                 .limit(400)).all()
    actor = users["member@demo.test"].id
    changes = {name: change_day(today, WELCOME_CALL_MONTHS if name == CONTACT_CATEGORY else WRITTEN_ANSWER_MONTHS)
               for name in CATEGORIES}
    rows = [_complaint(number, rng, today, categories, changes, clients, actor)
            for number in range(1, COMPLAINTS + 1)]
    db.session.execute(insert(Complaint.__table__), rows)
    activities = _activities(today)
    _requirements(today, activities)
    with acting_as(users["coordinator@demo.test"]):  # only coordination may set the assumptions
        db.session.add(ListeningAssumptions(baseline_year=today.year - 3, attribution=20.0, value_years=2.0,
                                            default_hourly_rate=32.0))
        db.session.flush()


def _complaint(number, rng, today, categories, changes, clients, actor) -> dict:
    """One record: its date first, then its category (weighted as it was then) and its response time; from a
    client of that day (joined, not yet gone) when it names one."""
    received = today - timedelta(days=rng.randint(1, 3 * 365))
    client_ids = [id_ for id_, joined, left in clients if joined <= received and (left is None or left >= received)]
    weights = [after if received >= changes[name] else before for name, (before, after, _b, _a) in CATEGORIES.items()]
    name = rng.choices(list(CATEGORIES), weights=weights)[0]
    _before, _after, days_before, days_after = CATEGORIES[name]
    improved = received >= changes[name]
    days = max(0, round(rng.gauss(days_after if improved else days_before, 2)))
    responded = received + timedelta(days=days)
    answered = responded <= today and rng.random() > 0.03
    kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
    return {"reference": f"Q-{received.year}-{number:04d}", "kind": kind.value, "received_on": received,
            "channel": rng.choice(list(Channel)).value, "category_id": categories[name].id,
            "client_id": rng.choice(client_ids) if client_ids and rng.random() < 0.7 else None,
            "description": rng.choice(TEXTS), "responded_on": responded if answered else None,
            "resolution": "Respondido por escrito al socio." if answered else None,
            "satisfaction": (rng.choice((2, 3, 4, 4, 5)) if improved else rng.choice((1, 2, 3, 3, 4)))
            if answered and rng.random() < 0.6 else None,
            "created_by_id": actor, "version": 1}


def _activities(today) -> dict[str, ListeningActivity]:
    year = today.year
    found = {
        "retired": ListeningActivity(kind=ActivityKind.FOCUS_GROUP, title="Grupo focal: socios jubilados",
                                     held_on=date(year - 1, 3, 14), participants=9, typology=Typology.END_USER,
                                     findings="Quieren saber cuánto tributará el rescate antes de pedirlo; "
                                              "prefieren una llamada a una carta.",
                                     staff_hours=14, hourly_rate=32, external_cost=180),
        "companies": ListeningActivity(kind=ActivityKind.FOCUS_GROUP, title="Grupo focal: empresas promotoras",
                                       held_on=date(year - 2, 10, 6), participants=7,
                                       typology=Typology.INTERMEDIATE,
                                       findings="Piden un informe anual por empresa y un único interlocutor.",
                                       staff_hours=16, hourly_rate=32, external_cost=240),
        "trusted": ListeningActivity(kind=ActivityKind.TRUSTED_CLIENT, title="Consulta a asesorías de confianza",
                                     held_on=date(year - 1, 6, 2), participants=4, typology=Typology.PRESCRIBER,
                                     findings="Recomendarían más si tuvieran un simulador fiscal que enseñar.",
                                     staff_hours=6, hourly_rate=32, external_cost=0),
        "market": ListeningActivity(kind=ActivityKind.MARKET_STUDY, title="Estudio de mercado de previsión social",
                                    held_on=date(year - 2, 2, 20), participants=400,
                                    findings="Los ahorradores jóvenes no conocen las EPSV; valoran lo digital.",
                                    staff_hours=10, hourly_rate=32, external_cost=3500),
        "desk": ListeningActivity(kind=ActivityKind.INTERNAL_KNOWLEDGE, title="Sesión con el personal de oficina",
                                  held_on=date(year, 1, 18) if today.month > 1 else date(year - 1, 11, 18),
                                  participants=6, findings="Las dudas más repetidas son fiscales y de traspasos.",
                                  staff_hours=9, hourly_rate=32, external_cost=0),
        # D1: the people of the improvement groups heard beside the participation survey (which opens 20 days ago).
        "staff_welcome": ListeningActivity(
            kind=ActivityKind.STAFF_FOCUS_GROUP, title="Grupo focal con el grupo de la llamada de bienvenida",
            held_on=today - timedelta(days=120), participants=5,
            findings="Sienten que su propuesta se aplicó tal cual; piden tiempo reservado para las reuniones.",
            staff_hours=6, hourly_rate=32, external_cost=0),
        "staff_groups": ListeningActivity(
            kind=ActivityKind.STAFF_FOCUS_GROUP, title="Grupo focal con los participantes en los grupos de mejora",
            held_on=today - timedelta(days=35), participants=8,
            findings="Valoran que se les escuchara; echan de menos saber qué fue de las propuestas descartadas.",
            staff_hours=8, hourly_rate=32, external_cost=0),
    }
    db.session.add_all(found.values())
    db.session.flush()
    return found


def _requirements(today, activities) -> None:
    complaint_id = db.session.scalar(select(Complaint.id).join(ComplaintCategory).where(
        ComplaintCategory.name == "Retrasos en las respuestas").order_by(Complaint.received_on).limit(1))
    new, analysed, improving, addressed, rejected = (RequirementStatus.NEW, RequirementStatus.ANALYSED,
                                                     RequirementStatus.IN_IMPROVEMENT, RequirementStatus.ADDRESSED,
                                                     RequirementStatus.REJECTED)
    basic, expected, desired, unanticipated = (NeedLevel.BASIC, NeedLevel.EXPECTED, NeedLevel.DESIRED,
                                               NeedLevel.UNANTICIPATED)
    items = [
        (TAX_REQUIREMENT, True, Typology.END_USER,
         RequirementSource.FOCUS_GROUP, 3, improving, {"activity_id": activities["retired"].id}, expected),
        ("Ser llamado por teléfono antes de un cambio en el plan", True, Typology.END_USER,
         RequirementSource.FOCUS_GROUP, 2, analysed, {"activity_id": activities["retired"].id}, desired),
        ("Un informe anual del plan por empresa", True, Typology.INTERMEDIATE, RequirementSource.FOCUS_GROUP, 2,
         addressed, {"activity_id": activities["companies"].id}, expected),
        ("Un simulador fiscal que enseñar a sus clientes", True, Typology.PRESCRIBER,
         RequirementSource.TRUSTED_CLIENT, 2, new, {"activity_id": activities["trusted"].id}, unanticipated),
        ("Contratar y aportar desde el móvil", False, Typology.END_USER, RequirementSource.MARKET_STUDY, 2,
         analysed, {"activity_id": activities["market"].id}, desired),
        ("Respuestas claras sobre traspasos en la primera llamada", False, None,
         RequirementSource.INTERNAL_KNOWLEDGE, 3, improving, {"activity_id": activities["desk"].id}, expected),
        ("Respuesta escrita a toda reclamación en una semana", True, Typology.END_USER, RequirementSource.COMPLAINT,
         3, addressed, {"complaint_id": complaint_id}, basic),
        ("Sentirse atendido aunque no haya movimientos", False, Typology.END_USER, RequirementSource.SURVEY, 2,
         new, {}, basic),
        ("Rentabilidad garantizada del plan", True, Typology.END_USER, RequirementSource.SURVEY, 1, rejected, {},
         desired),
    ]
    for number, (statement, explicit, typology, source, importance, status, origin, level) in enumerate(items):
        requirement = Requirement(statement=statement, explicit=explicit, typology=typology, source=source,
                                  importance=importance, status=status, need_level=level,
                                  identified_on=today - timedelta(days=30 * (len(items) - number) + 20), **origin)
        if status == rejected:
            requirement.rejection_reason = "La normativa de las EPSV de aportación definida no lo permite."
        db.session.add(requirement)


def load_wave_costs(users) -> None:
    """Give every demo survey wave the staff time and external cost of running it."""
    waves = db.session.execute(select(Wave.id, Survey.audience).join(Survey, Survey.id == Wave.survey_id)).all()
    for wave_id, audience in waves:
        clients = audience == Audience.CLIENTS
        db.session.add(WaveCost(wave_id=wave_id, staff_hours=40.0 if clients else 8.0, hourly_rate=32.0,
                                external_cost=900.0 if clients else 0.0,
                                note="Envío postal y recordatorios" if clients else None))
    db.session.flush()
