"""Pooled connections are pinged only once they sat idle, and one the server closed meanwhile is replaced before
the statement that needed it (``core.connections``)."""

from sqlalchemy import text

from core import connections
from core.extensions import db


def _pings(monkeypatch, engine, *, alive=True) -> list:
    pings = []

    def do_ping(dbapi_connection):
        pings.append(dbapi_connection)
        if not alive:
            raise engine.dialect.loaded_dbapi.OperationalError("server closed the connection unexpectedly")
        return True

    monkeypatch.setattr(engine.dialect, "do_ping", do_ping)
    return pings


def _later(monkeypatch, seconds: float) -> None:
    now = connections._now()
    monkeypatch.setattr(connections, "_now", lambda: now + seconds)


def _one(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT 1")).scalar()


def test_a_connection_in_use_a_moment_ago_is_not_pinged_and_an_idle_one_is(app, monkeypatch):
    with app.app_context():
        engine = db.engine
        _one(engine)  # a connection in the pool, just given back
        pings = _pings(monkeypatch, engine)
        assert _one(engine) == 1 and pings == []
        _later(monkeypatch, app.config["DATABASE_PING_AFTER_IDLE"] + 1)
        assert _one(engine) == 1 and len(pings) == 1


def test_an_idle_connection_the_server_closed_is_replaced_before_the_statement(app, monkeypatch):
    with app.app_context():
        engine = db.engine
        _one(engine)
        with engine.connect() as connection:
            first = connection.connection.dbapi_connection
        pings = _pings(monkeypatch, engine, alive=False)
        _later(monkeypatch, 3600)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
            assert connection.connection.dbapi_connection is not first
        assert len(pings) == 1


def test_no_ping_when_the_setting_is_none(app, monkeypatch):
    app.config["DATABASE_PING_AFTER_IDLE"] = None
    with app.app_context():
        engine = db.engine
        _one(engine)
        pings = _pings(monkeypatch, engine)
        _later(monkeypatch, 3600)
        assert _one(engine) == 1 and pings == []
