"""The demo organisation a newcomer signs into; every registered package adds its records to it, through the
loaders its hooks give (``core.signals.demo_loaders``)."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete

from core import signals
from core.audit import acting_as
from core.extensions import db
from core.models import Organisation, Role, User

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
}


@dataclass(frozen=True)
class DemoLoader:
    """One package's part of the demo: ``load(users)``, run after the loaders named in ``after``."""

    load: Callable
    after: tuple[str, ...] = ()


def in_order(loaders: dict[str, DemoLoader]) -> list[DemoLoader]:
    """The loaders, each after those it names that are registered, otherwise in the order they were given."""
    pending, done, ordered = dict(loaders), set(), []
    while pending:
        ready = next((name for name, loader in pending.items()
                      if all(n in done or n not in loaders for n in loader.after)), None)
        if ready is None:
            raise RuntimeError(f"The demo loaders {', '.join(pending)} wait for each other.")
        ordered.append(pending.pop(ready))
        done.add(ready)
    return ordered


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
        for loader in in_order(signals.merged(signals.demo_loaders)):
            loader.load(users)
