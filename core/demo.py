"""The demo organisation a newcomer signs into; every capability adds its records in ``load``."""

import importlib

from sqlalchemy import delete

from core.audit import acting_as
from core.extensions import db
from core.models import Organisation, Role, User

DEMO_PASSWORD = "demo-password"
#: Each capability's demo module, loaded in this order; each has ``load(users)``.
CAPABILITY_DEMOS = (
    "processes.demo", "loyalty.demo", "loyalty.voice.demo", "surveys.demo", "loyalty.voice.demo_waves",
    "improvements.demo", "evidence.demo",
)
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
}


def erase_all() -> None:
    """Delete every row of every table, children first (only ``flask demo --reset`` does this)."""
    for table in reversed(db.metadata.sorted_tables):
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
        for module in CAPABILITY_DEMOS:
            importlib.import_module(module).load(users)
