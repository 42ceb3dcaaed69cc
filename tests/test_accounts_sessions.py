"""How long a sign-in lasts: signing out, idle and absolute limits, remember-me, the CSRF secret."""

import re

import pytest

from accounts import sessions
from tests.conftest import PASSWORD, hand_clock

HOUR = 3600
DAY = 24 * HOUR


@pytest.fixture
def clock(monkeypatch):
    """The sessions clock, moved by hand: ``clock.advance(seconds)``."""
    return hand_clock(monkeypatch, sessions)


def sign_in_through_the_form(client, email, remember=False):
    data = {"email": email, "password": PASSWORD, **({"remember": "y"} if remember else {})}
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def captured_cookies(client) -> dict:
    return {name: client.get_cookie(name).value for name in ("session", "remember_token") if client.get_cookie(name)}


def replayed(app, cookies: dict):
    """A fresh browser carrying cookies copied from another."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def opens_account(client) -> bool:
    response = client.get("/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_cookies_captured_before_sign_out_open_nothing_after_it(app, make_user):
    make_user("member", email="ana@example.test")
    browser = sign_in_through_the_form(app.test_client(), "ana@example.test", remember=True)
    cookies = captured_cookies(browser)
    assert set(cookies) == {"session", "remember_token"}
    assert opens_account(replayed(app, cookies))  # the copy works while the sign-in lasts
    assert browser.post("/logout").status_code == 302
    assert not opens_account(browser)
    assert not opens_account(replayed(app, cookies))
    assert not opens_account(replayed(app, {"remember_token": cookies["remember_token"]}))
    assert not opens_account(replayed(app, {"session": cookies["session"]}))


def test_signing_out_ends_the_persons_other_sessions_too(app, make_user):
    make_user("member", email="ana@example.test")
    laptop = sign_in_through_the_form(app.test_client(), "ana@example.test")
    phone = sign_in_through_the_form(app.test_client(), "ana@example.test", remember=True)
    laptop.post("/logout")
    assert not opens_account(phone)
    assert opens_account(sign_in_through_the_form(phone, "ana@example.test"))  # signing in again works


def test_signing_out_clears_the_session_but_keeps_the_language(app, make_user):
    make_user("member", email="ana@example.test")
    browser = app.test_client()
    browser.get("/login?lang=es")
    sign_in_through_the_form(browser, "ana@example.test")
    browser.get("/account")
    browser.post("/logout")
    with browser.session_transaction() as session:
        assert set(session) <= {"language", "_flashes"}
        assert session["language"] == "es"
    assert browser.get_cookie("remember_token") is None


def test_signing_out_changes_neither_the_version_nor_the_audit_trail(app, db, make_user):
    from core.audit import AuditEntry
    from core.models import User

    user = make_user("member", email="ana@example.test")
    browser = sign_in_through_the_form(app.test_client(), "ana@example.test")
    with app.app_context():
        entries = db.session.query(AuditEntry).count()
    browser.post("/logout")
    with app.app_context():
        after = db.session.get(User, user.id)
        assert after.login_token != user.login_token
        assert after.version == user.version
        assert db.session.query(AuditEntry).count() == entries


def test_an_idle_session_ends(app, make_user, clock):
    make_user("member", email="ana@example.test")
    busy = sign_in_through_the_form(app.test_client(), "ana@example.test")
    idle = sign_in_through_the_form(app.test_client(), "ana@example.test")
    clock.advance(5 * HOUR)
    assert opens_account(busy)
    clock.advance(3 * HOUR + 1)
    assert opens_account(busy)  # used 3 hours ago
    assert not opens_account(idle)  # not used for 8 hours


def test_a_session_in_use_still_ends_at_its_maximum_age(app, make_user, clock):
    make_user("member", email="ana@example.test")
    browser = sign_in_through_the_form(app.test_client(), "ana@example.test")
    cookies_at_start = captured_cookies(browser)
    for _hour in range(11):
        clock.advance(HOUR)
        assert opens_account(browser)
    clock.advance(HOUR + 1)
    assert not opens_account(browser)
    assert not opens_account(replayed(app, cookies_at_start))


@pytest.mark.parametrize("app_overrides", [{"SESSION_IDLE_TIMEOUT": 600, "SESSION_MAX_AGE": 1800}])
def test_the_limits_are_settings(app, make_user, clock):
    make_user("member", email="ana@example.test")
    browser = sign_in_through_the_form(app.test_client(), "ana@example.test")
    clock.advance(601)
    assert not opens_account(browser)


def test_remember_me_opens_a_new_session_but_not_past_its_own_bound(app, make_user, clock):
    make_user("member", email="ana@example.test")
    browser = sign_in_through_the_form(app.test_client(), "ana@example.test", remember=True)
    remember_cookie = {"remember_token": browser.get_cookie("remember_token").value}
    clock.advance(9 * HOUR)  # the session idled out; the cookie asked for on this device opens another
    assert opens_account(browser)
    clock.advance(13 * DAY)
    assert opens_account(replayed(app, remember_cookie))
    clock.advance(DAY + 1)  # 14 days after the password was typed, even a copied cookie is worthless
    assert not opens_account(replayed(app, remember_cookie))
    assert not opens_account(browser)


def test_a_session_from_before_these_limits_is_not_trusted(app, make_user):
    user = make_user("member")
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = user.get_id()  # the old form: no moment of sign-in, no clocks
        session["_fresh"] = True
    assert not opens_account(browser)


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_signing_in_replaces_the_csrf_secret(app, make_user):
    make_user("member", email="ana@example.test")
    browser = app.test_client()
    before = csrf_token(browser.get("/login").get_data(as_text=True))
    response = browser.post("/login", data={"email": "ana@example.test", "password": PASSWORD, "csrf_token": before})
    assert response.status_code == 302
    assert browser.post("/logout", data={"csrf_token": before}).status_code == 400  # planted before: refused
    after = csrf_token(browser.get("/account").get_data(as_text=True))
    assert after != before
    assert browser.post("/logout", data={"csrf_token": after}).status_code == 302
