"""Health checks and the guard against a database behind its migrations."""

import shutil

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from core import access
from core.extensions import db
from core.schema import UPGRADE_COMMAND
from tests import database
from tests.conftest import sign_in, user_factory


def test_healthz_reports_a_reachable_current_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": True, "migrations_current": True}


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
    assert health.status_code == 503 and health.json == {"status": "unavailable", "database": False,
                                                        "migrations_current": False}
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
