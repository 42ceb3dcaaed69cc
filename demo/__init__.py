"""The demo organisation a newcomer signs into (``flask demo``, which ``make run`` calls): its accounts, then each
capability's records, loaded by the module of this package named after it.

The demo is not a plug-in: it is one story told across the packages (the complaints fall after the
improvement that targets them, the survey waves have costs, the evidence points at the process map), so its
loaders run in the order written here, and only the demo command (and tests) import this package.
"""

from sqlalchemy import delete, text

from core.audit import acting_as
from core.audit_chain import erasing_everything
from core.extensions import db
from core.models import Organisation, Role, User
from demo import (
    certification,
    document_control,
    evidence,
    exit_interviews,
    findings,
    improvements,
    loyalty,
    processes,
    surveys,
    understanding,
    voice,
)

DEMO_PASSWORD = "demo-password"
#: The accounts the README lists. Their language follows the browser (or the login page's choice),
#: so a newcomer reads the demo in their own language.
DEMO_ACCOUNTS = {
    "admin@demo.test": ("Ana Etxeberria", Role.ADMIN),
    "coordinator@demo.test": ("Carmen Ruiz", Role.COORDINATOR),
    "member@demo.test": ("Miguel Torres", Role.MEMBER),
    "reviewer@demo.test": ("Rachel Adams", Role.REVIEWER),
}
#: The rest of the staff: improvement-group members and process participants of later capabilities.
DEMO_STAFF = {
    "jon.arregi@demo.test": ("Jon Arregi", Role.MEMBER),
    "lucia.fernandez@demo.test": ("Lucía Fernández", Role.MEMBER),
    "iker.goikoetxea@demo.test": ("Iker Goikoetxea", Role.MEMBER),
    "maria.lopez@demo.test": ("María López", Role.COORDINATOR),
    # Front-office and benefits staff who sit in the improvement groups (and answer their participation survey).
    "ainhoa.zubiri@demo.test": ("Ainhoa Zubiri", Role.MEMBER),
    "pablo.ortega@demo.test": ("Pablo Ortega", Role.MEMBER),
    "nerea.salaberria@demo.test": ("Nerea Salaberria", Role.MEMBER),
    "tomas.ibanez@demo.test": ("Tomás Ibáñez", Role.MEMBER),
    "elena.mujica@demo.test": ("Elena Mújica", Role.MEMBER),
    "koldo.urrutia@demo.test": ("Koldo Urrutia", Role.MEMBER),
}
#: Each capability's part, ``load(users)``, in the order they need each other's records: the census before the
#: complaints of its clients and the surveys sent to them; the survey waves before their costs; the indicators
#: computed from the census, the complaints and the surveys once those are loaded; the indicators, complaints,
#: requirements and survey items before the improvements that start from them; the process map before the
#: evidence that links to it. Beside each, who makes its changes in the audit trail (the loaders credit some to
#: others: measurements to their indicator's responsible, verdicts to the reviewer…; the computed measurements
#: are the system's).
LOADERS = (
    (processes.load, "coordinator@demo.test"),
    (loyalty.load, "iker.goikoetxea@demo.test"),  # keeps the census
    (voice.load, "member@demo.test"),  # records the voice of the client
    (surveys.load, "coordinator@demo.test"),
    (voice.load_wave_costs, "coordinator@demo.test"),
    (processes.load_computed, "coordinator@demo.test"),  # NPS, response time and exits, from the data above
    (exit_interviews.load, "coordinator@demo.test"),  # interviews the clients lost, reviews their reasons
    (improvements.load, "coordinator@demo.test"),
    (understanding.load, "coordinator@demo.test"),  # the client wave's "I know about the change to …" items
    (evidence.load, "coordinator@demo.test"),
    (document_control.load, "coordinator@demo.test"),  # approves the sheets written above, plans their reviews
    (certification.load, "coordinator@demo.test"),  # the first certification (closed) and the renewal in preparation
    (findings.load, "reviewer@demo.test"),  # what the reviewer found in each, answered and closed by whom it says
)


def queue_work() -> None:
    """What the demo leaves to the task queue once loaded and committed: the first certification cycle's pack
    (the demo's worker builds it when ``make run`` starts; the tests' immediate queue builds it at once)."""
    certification.queue_first_pack()


def erase_all() -> None:
    """Delete every row of every table, children first (only ``flask demo --reset`` does this).

    The audit trail goes too, the one way it can (``core.audit_chain.erasing_everything``): on PostgreSQL by one
    TRUNCATE of every table, never a DELETE of entries."""
    tables = list(reversed(db.metadata.sorted_tables))
    with erasing_everything(db.session):
        if db.session.get_bind().dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                db.session.execute(delete(table))
    db.session.flush()


def load_accounts() -> dict[str, User]:
    users = {email: User(email=email, name=name, role=role)
             for email, (name, role) in (DEMO_ACCOUNTS | DEMO_STAFF).items()}
    for user in users.values():
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
    db.session.flush()
    return users


def load() -> None:
    """Load the demo organisation: a member-owned pension fund with its quality team."""
    users = load_accounts()
    with acting_as(users["admin@demo.test"]):
        db.session.add(Organisation(
            name="Aurrera EPSV (demo)",
            description="Entidad de previsión social voluntaria de sus socios: planes de pensiones de "
                        "empleo e individuales. Programa de fidelización de clientes en certificación.",
            sector="Previsión social complementaria",
            country="España",
        ))
        db.session.flush()
    for loader, actor in LOADERS:
        with acting_as(users[actor]):
            loader(users)
