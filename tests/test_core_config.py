"""Configuration: database choice, the secret key, cookies and settings from the environment."""

import pytest

from app import create_app
from core.config import database_uri, parse_environment


def test_sqlite_under_instance_is_the_default(tmp_path):
    assert database_uri(None, str(tmp_path)) == f"sqlite:///{tmp_path}/fideliza.sqlite3"


@pytest.mark.parametrize("given", ["postgres://u:p@db:5432/fid", "postgresql://u:p@db:5432/fid"])
def test_database_url_switches_to_postgresql_with_psycopg_3(tmp_path, given):
    assert database_uri(given, str(tmp_path)) == "postgresql+psycopg://u:p@db:5432/fid"


def test_settings_are_read_from_the_environment_with_their_types():
    found = parse_environment({"MAIL_PORT": "2525", "MAIL_USE_TLS": "no", "SESSION_COOKIE_SECURE": "1",
                               "SECRET_KEY": "abc", "UNRELATED": "x"})
    assert found == {"MAIL_PORT": 2525, "MAIL_USE_TLS": False, "SESSION_COOKIE_SECURE": True, "SECRET_KEY": "abc"}


def build(tmp_path, monkeypatch, **overrides):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    return create_app(overrides)


def test_a_secret_key_is_generated_once_into_instance_and_reused(tmp_path, monkeypatch):
    first = build(tmp_path, monkeypatch)
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert len(first.config["SECRET_KEY"]) == 64
    assert build(tmp_path, monkeypatch).config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert first.config["SQLALCHEMY_DATABASE_URI"].endswith("/instance/fideliza.sqlite3")


def test_the_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    app = build(tmp_path, monkeypatch)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert create_app().config["SECRET_KEY"] == "from-the-environment" != app.config["SECRET_KEY"]


def test_instance_config_py_is_read(tmp_path, monkeypatch):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text("PER_PAGE = 7\nSECRET_KEY = 'instance-key'\n")
    app = build(tmp_path, monkeypatch)
    assert (app.config["PER_PAGE"], app.config["SECRET_KEY"]) == (7, "instance-key")


def test_cookies_are_secure_outside_debug_and_always_http_only_and_lax(tmp_path, monkeypatch):
    app = build(tmp_path, monkeypatch)
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True
    for name in ("SESSION", "REMEMBER"):
        assert app.config[f"{name}_COOKIE_HTTPONLY"] is True
        assert app.config[f"{name}_COOKIE_SAMESITE"] == "Lax"
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert create_app().config["SESSION_COOKIE_SECURE"] is False


def test_the_remember_me_cookie_is_sent_with_the_secure_flags(app, client, make_user):
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    make_user("member", email="ana@example.test")
    from tests.conftest import PASSWORD

    response = client.post("/login", data={"email": "ana@example.test", "password": PASSWORD, "remember": "y"},
                           base_url="https://localhost")
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        assert "Secure" in cookies[name] and "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name]
