"""User administration: create, change role, deactivate and reactivate — never delete."""

import pytest

from core.extensions import db
from core.models import Role, User
from tests.conftest import PASSWORD, sign_in


@pytest.fixture
def admin_client(client, make_user):
    sign_in(client, make_user("admin", email="root@example.test", language="en"))
    return client


def get_user(app, email):
    with app.app_context():
        user = User.by_email(email)
        if user is not None:
            db.session.expunge(user)
        return user


def test_an_admin_creates_a_user_who_can_then_sign_in(app, admin_client):
    response = admin_client.post("/users/new", data={
        "name": "Nerea New", "email": "Nerea@Example.test", "role": "coordinator", "language": "es",
        "password": "a long enough one"})
    assert response.status_code == 302
    user = get_user(app, "nerea@example.test")
    assert (user.name, user.role, user.language, user.active) == ("Nerea New", Role.COORDINATOR, "es", True)
    assert app.test_client().post("/login", data={"email": "nerea@example.test",
                                                  "password": "a long enough one"}).status_code == 302


@pytest.mark.parametrize(("data", "error"), [
    ({"name": "", "email": "x@example.test", "password": "long enough pw"}, "This field is required."),
    ({"name": "X", "email": "not-an-email", "password": "long enough pw"}, "Invalid email address."),
    ({"name": "X", "email": "root@example.test", "password": "long enough pw"}, "Another account already uses"),
    ({"name": "X", "email": "x@example.test", "password": "short"}, "Use at least 10 characters."),
    ({"name": "X", "email": "x@example.test", "password": ""}, "This field is required."),
])
def test_invalid_user_forms_come_back_with_the_field_errors_and_save_nothing(app, admin_client, data, error):
    response = admin_client.post("/users/new", data={"role": "member", "language": "", **data})
    assert response.status_code == 200
    assert error in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(User).count() == 1


def test_an_admin_changes_a_role_and_a_blank_password_keeps_the_old_one(app, admin_client, make_user):
    member = make_user("member", email="m@example.test")
    response = admin_client.post(f"/users/{member.id}", data={
        "name": member.name, "email": member.email, "role": "reviewer", "language": "", "password": "",
        "version": str(member.version)})
    assert response.status_code == 302
    assert get_user(app, "m@example.test").role == Role.REVIEWER
    assert app.test_client().post("/login", data={"email": "m@example.test", "password": PASSWORD}).status_code == 302


def test_deactivation_keeps_the_account_and_ends_its_sessions(app, admin_client, make_user):
    member = make_user("member", email="m@example.test")
    session_elsewhere = sign_in(app.test_client(), member)
    assert session_elsewhere.get("/").status_code == 200
    assert admin_client.post(f"/users/{member.id}/active", data={"active": "0"}).status_code == 302
    assert get_user(app, "m@example.test").active is False
    assert session_elsewhere.get("/").status_code == 302
    listing = admin_client.get("/users?status=inactive").get_data(as_text=True)
    assert "m@example.test" in listing and "Deactivated" in listing
    assert admin_client.post(f"/users/{member.id}/active", data={"active": "1"}).status_code == 302
    assert get_user(app, "m@example.test").active is True


def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(app, admin_client):
    root = get_user(app, "root@example.test")
    response = admin_client.post(f"/users/{root.id}/active", data={"active": "0"}, follow_redirects=True)
    assert "The last active administrator cannot be deactivated." in response.get_data(as_text=True)
    response = admin_client.post(f"/users/{root.id}", data={
        "name": root.name, "email": root.email, "role": "member", "language": "", "version": str(root.version)})
    assert "The last active administrator must stay an administrator." in response.get_data(as_text=True)
    assert get_user(app, "root@example.test").role == Role.ADMIN


def test_users_can_be_searched_filtered_sorted_and_paged(app, admin_client, make_user):
    app.config["PER_PAGE"] = 2
    make_user("member", name="Zuriñe Zubia", email="zubia@example.test")
    make_user("reviewer", name="Asier Alday", email="alday@example.test")
    make_user("member", name="Mikel Mendia", email="mendia@example.test", active=False)

    def names(url):
        rows = admin_client.get(url).get_data(as_text=True).partition("<tbody>")[2]
        return [n for n in ("Zuriñe", "Asier", "Mikel", "Admin") if f">{n}" in rows]

    assert names("/users?q=ZUBIA") == ["Zuriñe"]
    assert names("/users?role=reviewer") == ["Asier"]
    assert names("/users?status=inactive") == ["Mikel"]
    page_one = admin_client.get("/users?sort=name&dir=desc").get_data(as_text=True)
    assert page_one.index("Zuriñe") < page_one.index("Mikel")
    assert "1–2 of 4" in page_one and "page=2" in page_one
    assert "3–4 of 4" in admin_client.get("/users?sort=name&dir=desc&page=2").get_data(as_text=True)
    assert "No users match" in admin_client.get("/users?q=nobody-at-all").get_data(as_text=True)


def test_deactivate_buttons_ask_for_confirmation(admin_client, make_user):
    make_user("member", name="Confirm Me")
    page = admin_client.get("/users").get_data(as_text=True)
    assert 'data-confirm="Confirm Me will no longer be able to sign in.' in page
