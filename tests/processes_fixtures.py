"""Factories for the process map's records, shared by its tests."""

import itertools

import pytest

from core.extensions import db
from processes.models import (
    Direction,
    Frequency,
    Indicator,
    IndicatorKind,
    Measurement,
    Process,
    ProcessKind,
    ProcessStatus,
    Programme,
)


@pytest.fixture
def make_programme(app):
    counter = itertools.count(1)

    def factory(code=None, name=None, certified=True) -> int:
        number = next(counter)
        with app.app_context():
            programme = Programme(code=code or f"PR{number}", name=name or f"Programme {number}",
                                  is_certified=certified)
            db.session.add(programme)
            db.session.commit()
            return programme.id

    return factory


@pytest.fixture
def make_process(app, make_programme):
    """Create a process; returns its id. ``make_process(code=..., owner_id=..., programme_id=...)``."""
    counter = itertools.count(1)

    def factory(code=None, programme_id=None, kind=ProcessKind.KEY, owner_id=None, parent_id=None, **fields) -> int:
        number = next(counter)
        programme_id = programme_id or make_programme()
        with app.app_context():
            process = Process(code=code or f"P{number:02d}", name=fields.pop("name", f"Process {number}"), kind=kind,
                              programme_id=programme_id, owner_id=owner_id, parent_id=parent_id,
                              status=fields.pop("status", ProcessStatus.IN_FORCE), **fields)
            db.session.add(process)
            db.session.commit()
            return process.id

    return factory


@pytest.fixture
def make_indicator(app):
    counter = itertools.count(1)

    def factory(process_id, code=None, frequency=Frequency.MONTHLY, direction=Direction.HIGHER,
                responsible_id=None, values=None, **fields) -> int:
        number = next(counter)
        with app.app_context():
            indicator = Indicator(process_id=process_id, code=code or f"IND{number}",
                                  name=fields.pop("name", f"Indicator {number}"), frequency=frequency,
                                  direction=direction, kind=fields.pop("kind", IndicatorKind.PERFORMANCE),
                                  responsible_id=responsible_id, **fields)
            db.session.add(indicator)
            db.session.flush()
            for period, value in (values or {}).items():
                db.session.add(Measurement(indicator_id=indicator.id, period=period, value=value))
            db.session.commit()
            return indicator.id

    return factory
