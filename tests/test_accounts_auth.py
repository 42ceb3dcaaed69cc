"""Signing in and out, throttling, one's own password and language."""

import pytest

from core.models import User
from tests.conftest import PASSWORD, sign_in

GENERIC_ERROR = "The e-mail or the password is not right."


def login(client, email, password, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_a_user_signs_in_and_reaches_the_page_they_asked_for(app, client, make_user):
    user = make_user("member", email="ana@example.test")
    response = client.get("/processes/")
    assert response.status_code == 302 and "/login?next=%2Fprocesses%2F" in response.headers["Location"]
    response = client.post("/login?next=/processes/", data={"email": " ANA@example.test ", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/processes/"
    assert client.get("/processes/").status_code == 200
    with app.app_context():
        from core.extensions import db

        assert db.session.get(User, user.id).last_login_at is not None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_next_never_leads_off_the_site(client, make_user, target):
    make_user("member", email="ana@example.test")
    response = client.post(f"/login?next={target}", data={"email": "ana@example.test", "password": PASSWORD})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(("email", "password"), [
    ("ana@example.test", "wrong password"),
    ("nobody@example.test", PASSWORD),
])
def test_wrong_credentials_get_the_same_generic_message(client, make_user, email, password):
    make_user("member", email="ana@example.test")
    response = login(client, email, password)
    assert response.status_code == 200
    assert GENERIC_ERROR in response.get_data(as_text=True)


def test_a_deactivated_user_cannot_sign_in_and_gets_the_generic_message(client, make_user):
    make_user("member", email="gone@example.test", active=False)
    response = login(client, "gone@example.test", PASSWORD)
    assert GENERIC_ERROR in response.get_data(as_text=True)


THROTTLED = pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True, "LOGIN_FREE_ATTEMPTS": 3}])


@THROTTLED
def test_repeated_failed_logins_are_throttled_alike_for_known_and_unknown_emails(app, make_user):
    make_user("member", email="ana@example.test")
    pages = []
    for email in ("ana@example.test", "nobody@example.test"):
        client = app.test_client()
        for _attempt in range(3):
            assert login(client, email, "wrong").status_code == 200
        throttled = login(client, email, PASSWORD)  # even the right password has to wait
        assert throttled.status_code == 429
        assert throttled.headers["Retry-After"] == "60"
        pages.append(throttled.get_data(as_text=True).replace(email, "EMAIL"))
    assert "Too many failed attempts. Wait a minute before trying again." in pages[0]
    assert pages[0] == pages[1]


@THROTTLED
def test_successful_logins_do_not_count_towards_the_limit(app, make_user):
    make_user("member", email="ana@example.test")
    for _attempt in range(6):
        assert login(app.test_client(), "ana@example.test", PASSWORD).status_code == 302


def test_sign_out(client, make_user):
    sign_in(client, make_user("reviewer"))
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_changing_the_password_ends_other_sessions_but_keeps_this_one(app, make_user):
    user = make_user("member", email="ana@example.test")
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, user)
    sign_in(elsewhere, user)
    response = here.post("/account", data={"pw-current_password": PASSWORD, "pw-new_password": "a brand new secret",
                                           "pw-confirm": "a brand new secret", "pw-submit": "1"})
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert login(app.test_client(), "ana@example.test", "a brand new secret").status_code == 302


@pytest.mark.parametrize(("data", "error"), [
    ({"pw-current_password": "wrong", "pw-new_password": "long enough pw", "pw-confirm": "long enough pw"},
     "This is not your current password."),
    ({"pw-current_password": PASSWORD, "pw-new_password": "short", "pw-confirm": "short"},
     "Use at least 10 characters."),
    ({"pw-current_password": PASSWORD, "pw-new_password": "long enough pw", "pw-confirm": "other long pw"},
     "The two passwords differ."),
])
def test_password_change_errors_are_shown_by_the_field(client, make_user, data, error):
    sign_in(client, make_user("member"))
    response = client.post("/account", data={**data, "pw-submit": "1"})
    assert response.status_code == 200
    assert error in response.get_data(as_text=True)
    assert 'class="form-control is-invalid"' in response.get_data(as_text=True)


def test_a_reviewer_may_change_their_own_language(app, client, make_user):
    user = make_user("reviewer")
    sign_in(client, user)
    assert client.post("/account", data={"lang-language": "es", "lang-submit": "1"}).status_code == 302
    assert '<html lang="es">' in client.get("/").get_data(as_text=True)
    with app.app_context():
        from core.extensions import db

        assert db.session.get(User, user.id).language == "es"
