"""Health checks and the guard against a database behind its migrations."""

import shutil
import time

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from core import access, tasks
from core.extensions import db
from core.schema import UPGRADE_COMMAND
from tests import database
from tests.conftest import sign_in, user_factory


@tasks.task()
def waiting_task(number: int) -> int:
    """Never run here: it waits on the queue for /healthz to count."""
    return number


def test_healthz_reports_a_reachable_current_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": True, "migrations_current": True,
                             "queue": {"reachable": True, "kind": "immediate", "pending": 0,
                                       "oldest_pending_seconds": None}}


def test_healthz_reports_the_tasks_waiting_on_the_queue_and_the_oldest_ones_age(database_url, tmp_path, app_factory,
                                                                               monkeypatch):
    app = app_factory(database_url, TASK_QUEUE_IMMEDIATE=False, TASK_QUEUE_URL=f"sqlite:///{tmp_path}/tasks.sqlite3")
    with app.app_context():
        monkeypatch.setattr(time, "time", lambda: 1_000_000.0)
        waiting_task(1)
        monkeypatch.setattr(time, "time", lambda: 1_000_030.0)
        waiting_task(2)
    health = app.test_client().get("/healthz")
    assert health.status_code == 200
    assert health.json["queue"] == {"reachable": True, "kind": "sqlite", "pending": 2, "oldest_pending_seconds": 30.0}


def test_a_queue_that_cannot_be_reached_in_production_answers_503(database_url, app_factory):
    app = app_factory(database_url, TASK_QUEUE_IMMEDIATE=False, TASK_QUEUE_URL="redis://127.0.0.1:1/0")
    health = app.test_client().get("/healthz")
    assert health.status_code == 503
    assert health.json["status"] == "unavailable" and health.json["database"] is True
    assert health.json["queue"]["reachable"] is False and health.json["queue"]["kind"] == "redis"


def test_an_unreachable_database_is_reported_as_unavailable(tmp_path, app_factory):
    app = app_factory("sqlite:///" + str(tmp_path / "missing-dir" / "db.sqlite3"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] is False


def test_a_database_behind_its_migrations_is_detected_with_the_fix(tmp_path, app_factory):
    app = app_factory("sqlite:///" + str(tmp_path / "old.sqlite3"))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["migrations_current"] is False
    page = client.get("/login")
    assert page.status_code == 503
    assert UPGRADE_COMMAND in page.get_data(as_text=True)
    with app.app_context():
        upgrade()
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").json["migrations_current"] is True


def test_an_unreachable_postgresql_at_start_is_named_and_not_sent_to_upgrade(app_factory):
    app = app_factory("postgresql+psycopg://postgres@127.0.0.1:1/fideliza")
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["database"] is False
    page = client.get("/login")
    assert page.status_code == 503
    text = page.get_data(as_text=True)
    assert "The database cannot be reached" in text and "DATABASE_URL" in text
    assert UPGRADE_COMMAND not in text
    signed_in = client.application.test_client()
    with signed_in.session_transaction() as session:
        session["_user_id"] = "1:token"
    assert signed_in.get("/healthz").status_code == 503
    assert signed_in.get("/healthz").is_json
    assert "The database cannot be reached" in signed_in.get("/").get_data(as_text=True)


def test_an_unreachable_sqlite_file_at_start_is_named_too(tmp_path, app_factory):
    app = app_factory("sqlite:///" + str(tmp_path / "missing-dir" / "db.sqlite3"))
    page = app.test_client().get("/login")
    assert page.status_code == 503 and UPGRADE_COMMAND not in page.get_data(as_text=True)


@pytest.fixture
def own_database(tmp_path):
    """A migrated database of the test's own, and a function that makes it disappear as a crash would."""
    if database.backend() == "postgresql":
        url = database.create_postgres_database()
        lose = lambda: database.drop_postgres_database(url)  # noqa: E731 - kills its connections (FORCE)
    else:
        folder = tmp_path / "lost"
        folder.mkdir()
        url = "sqlite:///" + str(folder / "db.sqlite3")
        lose = lambda: shutil.rmtree(folder)  # noqa: E731
    yield url, lose
    if database.backend() == "postgresql":
        database.drop_postgres_database(url)


def test_a_database_lost_while_running_answers_503_pages_and_json_to_signed_in_users(own_database, app_factory):
    url, lose = own_database
    app = app_factory(url)
    with app.app_context():
        upgrade()
    user = user_factory(app)("coordinator", language="en")
    client = sign_in(app.test_client(), user)
    assert client.get("/").status_code == 200
    lose()
    with app.app_context():
        db.engine.dispose()  # SQLite keeps an open file alive; a new connection finds it gone
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["status"] == "unavailable"
    assert health.json["database"] is False and health.json["migrations_current"] is False
    for response in (client.get("/"), client.get("/processes/list"), client.post("/processes/new", data={})):
        assert response.status_code == 503
        assert "The database cannot be reached. Nothing was saved." in response.get_data(as_text=True)


def test_the_500_page_renders_after_a_statement_failed_in_the_transaction(app, make_user):
    """On PostgreSQL the failed statement aborts the transaction; the error page used to query inside it
    (the user, the organisation) and answer a bare "Internal Server Error"."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    user = make_user("member", name="Ada Member", email="ada@example.test", language="en")

    def duplicate():
        db.session.execute(text("INSERT INTO users (email, name, role, active, password_hash, login_token, version)"
                                " SELECT email, name, role, active, password_hash, login_token, version FROM users"))
        return "unreachable"

    app.add_url_rule("/duplicate", "duplicate", duplicate)
    access.declare("duplicate", access.TEAM_DATA)
    response = sign_in(app.test_client(), user).get("/duplicate")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page and "Ada Member" in page  # the signed-in page, rendered in full
