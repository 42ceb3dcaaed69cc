"""Factories for the census's records, shared by its tests."""

import itertools
from datetime import date

import pytest

from core.extensions import db
from loyalty.models import Client, ClientYear, ExitReason, Typology
from loyalty.reasons import ensure_default_reasons


@pytest.fixture
def exit_reasons(app):
    """The seeded exit reasons (tests empty every table, the migration's seed included): key → id."""
    with app.app_context():
        ensure_default_reasons()
        db.session.commit()
        return {reason.key: reason.id for reason in db.session.query(ExitReason) if reason.key}


@pytest.fixture
def make_client(app):
    """Create a client with yearly figures; returns its id.

    ``make_client("C1", joined=date(2020, 1, 1), left=None, reason_id=None, figures={2024: (potential,
    purchases, margin)}, typology="end_user", **fields)``."""
    counter = itertools.count(1)

    def factory(code=None, *, joined=date(2020, 1, 1), left=None, reason_id=None, figures=None,
                typology=Typology.END_USER, **fields) -> int:
        number = next(counter)
        with app.app_context():
            client = Client(code=code or f"C{number:03d}", name=fields.pop("name", f"Client {number}"),
                            typology=Typology(typology), joined_on=joined, left_on=left, exit_reason_id=reason_id,
                            **fields)
            db.session.add(client)
            db.session.flush()
            for year, (potential, purchases, margin) in (figures or {}).items():
                db.session.add(ClientYear(client_id=client.id, year=year, potential=potential,
                                          purchases=purchases, margin=margin))
            db.session.commit()
            return client.id

    return factory
