"""The database the suite runs on: a throw-away SQLite file, or a throw-away PostgreSQL database.

``FIDELIZA_TEST_DB=postgresql`` selects PostgreSQL at ``TEST_POSTGRES_URL`` (default: the local
server, ``postgresql://postgres@127.0.0.1:5432/``). A fresh database is created for the run and
dropped after it. When the server cannot be reached the whole run is skipped with the reason,
unless ``REQUIRE_POSTGRES=1`` (CI), where that is an error.
"""

import os
import uuid

import sqlalchemy as sa

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/"


def backend() -> str:
    return os.environ.get("FIDELIZA_TEST_DB", "sqlite").lower()


def _server_url() -> sa.engine.URL:
    raw = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    url = sa.make_url(raw.replace("postgresql://", "postgresql+psycopg://", 1))
    return url.set(database=url.database or "postgres")


class PostgresUnavailable(RuntimeError):
    pass


def create_postgres_database() -> str:
    """Create an empty database on the server; its SQLAlchemy URL."""
    server = _server_url()
    name = f"fideliza_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        raise PostgresUnavailable(
            f"PostgreSQL is not reachable at {server.render_as_string(hide_password=True)} "
            f"({str(error.orig).strip().splitlines()[0]}); set TEST_POSTGRES_URL to run these tests on PostgreSQL"
        ) from error
    finally:
        engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = sa.make_url(url).database
    engine = sa.create_engine(_server_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def empty_all_tables(db) -> None:
    """Remove every row the test wrote, keeping the schema (and Alembic's version table); the audit trail
    only lets itself be erased this way (``core.audit_chain.erasing_everything``), as ``flask demo --reset``."""
    from core.audit_chain import erasing_everything

    tables = list(reversed(db.metadata.sorted_tables))
    db.session.rollback()  # whatever the test left pending is not sealed, it is erased
    with erasing_everything(db.session):
        if db.engine.dialect.name == "postgresql":
            _truncate_what_was_used(db.session, tables)
        else:
            for table in tables:
                db.session.execute(table.delete())
    db.session.commit()


def _truncate_what_was_used(session, tables) -> None:
    """PostgreSQL: empty only the tables holding rows, with DELETE (children first), and restart only the
    sequences that handed out a number: the same state as ``TRUNCATE`` of every table ``RESTART IDENTITY``
    (empty, ids from 1 again). TRUNCATE gives each table, and each it cascades to, new files: all of them cost
    about 0.5 s after every test, a few rows' DELETE a few milliseconds. The audit trail refuses DELETE and is
    truncated; should a DELETE be refused (a constraint), the tables are truncated as before."""
    probes = " UNION ALL ".join(
        f"SELECT {index} WHERE EXISTS (SELECT 1 FROM \"{table.name}\")" for index, table in enumerate(tables))
    holding = [tables[index] for index in session.execute(sa.text(probes)).scalars()]  # children first
    truncated = [table for table in holding if table.name == "audit_entries"]
    if truncated:
        session.execute(sa.text('TRUNCATE "audit_entries"'))
    try:
        with session.begin_nested():
            for table in holding:
                if table not in truncated:
                    session.execute(table.delete())
    except sa.exc.DBAPIError:
        names = ", ".join(f'"{table.name}"' for table in holding if table not in truncated)
        session.execute(sa.text(f"TRUNCATE {names} CASCADE"))
    # A sequence never read since its last restart has no last_value; setval(..., false) makes the next
    # nextval() return the start value, as RESTART does.
    session.execute(sa.text(
        "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false) "
        "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"))
