"""Passwords that are guessed first are refused: common ones, and one's own e-mail or name."""

import pytest

from accounts import services
from accounts.passwords import common_passwords, weakness
from tests.conftest import PASSWORD, sign_in

COMMON = "This password is one of the most common ones"
PERSONAL = "The password must not be your e-mail or your name."


def test_the_bundled_list_holds_ten_thousand_common_passwords():
    listed = common_passwords()
    assert len(listed) == 10_000
    assert {"password12", "1234567890", "qwertyuiop"} <= listed
    assert PASSWORD not in listed


@pytest.mark.parametrize(("password", "refused"), [
    ("password12", True), ("1234567890", True), ("PASSWORD12", True), ("qwertyuiop", True),
    ("ana.garcia@example.test", True), ("ana.garcia", True), ("Ana Garcia", True), ("anagarcia", True),
    ("correct horse battery", False), ("ana garcia runs the census", False),
])
def test_weakness(password, refused):
    assert (weakness(password, email="ana.garcia@example.test", name="Ana Garcia") is not None) is refused


@pytest.mark.parametrize(("new", "error"), [("password12", COMMON), ("1234567890", COMMON),
                                            ("ana@example.test", PERSONAL), ("Ana Ruiz Ruiz", PERSONAL)])
def test_ones_own_new_password_cannot_be_a_guessable_one(client, make_user, new, error):
    sign_in(client, make_user("member", email="ana@example.test", name="Ana Ruiz Ruiz"))
    response = client.post("/account", data={"pw-current_password": PASSWORD, "pw-new_password": new,
                                             "pw-confirm": new, "pw-submit": "1"})
    assert response.status_code == 200
    assert error in response.get_data(as_text=True)


def test_an_administrator_cannot_give_a_common_password_either(client, make_user):
    sign_in(client, make_user("admin"))
    response = client.post("/users/new", data={"name": "Bea", "email": "bea@example.test", "role": "member",
                                               "language": "", "password": "1234567890"})
    assert response.status_code == 200 and COMMON in response.get_data(as_text=True)


def test_the_service_refuses_them_too(ctx):
    with pytest.raises(services.AccountError, match="most common"):
        services.create_user(email="bea@example.test", name="Bea", role="member", password="password12")
    with pytest.raises(services.AccountError, match="e-mail or your name"):
        services.create_user(email="bea@example.test", name="Bea", role="member", password="bea@example.test")


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                                            "LOGIN_FREE_ATTEMPTS": 3}])
def test_guessing_the_current_password_on_the_account_page_is_throttled_like_signing_in(app, client, make_user):
    """An open session must not let anyone try current passwords without limit: the change form counts
    against the account's sign-in throttle, and once it waits even the right password is refused."""
    user = make_user("member", email="guess@example.test")
    sign_in(client, user)

    def change(current):
        return client.post("/account", data={"pw-current_password": current, "pw-new_password": "a long new phrase 7",
                                             "pw-confirm": "a long new phrase 7", "pw-submit": "1"})

    for attempt in range(3):
        assert "This is not your current password." in change(f"wrong-{attempt}").get_data(as_text=True)
    page = change(PASSWORD).get_data(as_text=True)
    assert "Too many failed attempts." in page and "Your password has been changed." not in page
    refused = app.test_client().post("/login", data={"email": "guess@example.test", "password": PASSWORD})
    assert refused.status_code == 429
