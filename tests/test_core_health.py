"""Health checks and the guard against a database behind its migrations."""

from flask_migrate import downgrade, upgrade

from core.schema import UPGRADE_COMMAND


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
