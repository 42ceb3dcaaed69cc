"""Two-factor sign-in: setting it up, the second step, codes used once, throttling, roles that require it, resets."""

import json
import re

import pyotp
import pytest
from sqlalchemy import select

from accounts import sessions, two_factor
from accounts.models import RecoveryCode, TwoFactorCredential
from core.audit import SECRET, AuditEntry
from core.models import User
from core.security import CONTENT_SECURITY_POLICY
from core.timeutil import utcnow
from tests.conftest import PASSWORD, hand_clock, sign_in

STEP = two_factor.INTERVAL
WRONG_CODE = "This code is not right, or it has been used already."


@pytest.fixture
def clock(monkeypatch):
    """The two-factor clock, moved by hand: ``clock.advance(seconds)``; codes are computed for ``clock.now``."""
    return hand_clock(monkeypatch, two_factor)


def code(secret: str, now: float) -> str:
    return pyotp.TOTP(secret).at(now)


def enrol(app, user) -> tuple[str, list[str]]:
    """Turn two-factor on for ``user`` as the set-up page would: their secret and recovery codes."""
    from core.extensions import db

    with app.app_context():
        stored = db.session.get(User, user.id)
        credential = two_factor.start_enrolment(stored)
        credential.confirmed_at = utcnow()
        codes = two_factor.issue_recovery_codes(stored)
        secret = credential.secret
        db.session.commit()
    return secret, codes


def password_step(client, email, next_url=None, **extra):
    target = f"/login?next={next_url}" if next_url else "/login"
    return client.post(target, data={"email": email, "password": PASSWORD, **extra})


def second_step(client, value, *, recovery=False):
    prefix = "recovery" if recovery else "code"
    return client.post("/login/code", data={f"{prefix}-code": value, f"{prefix}-submit": "y"})


def signed_in(client) -> bool:
    response = client.get("/account")
    return response.status_code == 200


def enabled(app, user) -> bool:
    from core.extensions import db

    with app.app_context():
        return two_factor.is_enabled(db.session.get(User, user.id))


# Setting it up


def start_setup(client) -> str:
    assert client.post("/account/two-factor/start").status_code == 302
    page = client.get("/account/two-factor").get_data(as_text=True)
    return re.search(r'data-testid="two-factor-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


def test_the_set_up_page_shows_the_qr_code_as_inline_svg_and_the_key_in_groups(app, client_as):
    client = client_as("member")
    assert client.post("/account/two-factor/start").status_code == 302
    response = client.get("/account/two-factor")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    figure = re.search(r'<figure class="qr-figure">(.*?)</figure>', page, re.S).group(1)
    assert figure.startswith("<svg") and "<title>QR code to scan with your authenticator app</title>" in figure
    assert "<path" in figure and "style=" not in figure and "data:" not in figure and "<script" not in figure
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY  # no exception for the QR code
    secret = re.search(r'data-testid="two-factor-secret">([A-Z2-7 ]+)<', page).group(1)
    assert all(len(group) == 4 for group in secret.split()) and len(secret.replace(" ", "")) == 32
    field = re.search(r'<input[^>]*name="code"[^>]*>', page).group(0)
    assert 'autocomplete="one-time-code"' in field and 'inputmode="numeric"' in field
    assert re.search(r'<label[^>]*for="code"', page)


def test_the_qr_code_carries_the_key_of_the_person(app, make_user, ctx):
    from core.extensions import db

    user = db.session.get(User, make_user("member", email="ana@example.test").id)
    credential = two_factor.start_enrolment(user)
    uri = two_factor.provisioning_uri(credential, user)
    assert uri.startswith("otpauth://totp/Fideliza:ana%40example.test?")
    assert f"secret={credential.secret}" in uri and "issuer=Fideliza" in uri


def test_turning_it_on_needs_a_right_code_and_the_password(app, client_as, clock):
    client = client_as("member")
    secret = start_setup(client)
    right = code(secret, clock.now)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for data in ({"code": wrong, "password": PASSWORD}, {"code": right, "password": "not my password"}):
        response = client.post("/account/two-factor", data=data)
        assert response.status_code == 200
        assert "The password or the code is not right." in response.get_data(as_text=True)
    response = client.post("/account/two-factor", data={"code": "12", "password": PASSWORD})
    assert "Type the 6 digits your app shows." in response.get_data(as_text=True)
    assert "two-factor sign-in is on" not in client.get("/account").get_data(as_text=True).lower()

    response = client.post("/account/two-factor", data={"code": right, "password": PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Two-factor sign-in is on." in page
    assert response.headers["Cache-Control"] == "no-store"
    shown = re.findall(r'<li class="col">([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</li>', page)
    assert len(shown) == 10 and len(set(shown)) == 10
    assert signed_in(client)  # this session goes on
    with app.app_context():
        from core.extensions import db

        hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert len(hashes) == 10
        assert not any(shown_code.replace("-", "") in stored for shown_code in shown for stored in hashes)
        assert db.session.scalar(select(TwoFactorCredential.confirmed_at)) is not None


def test_turning_it_on_ends_the_other_sessions(app, make_user, clock):
    make_user("member", email="ana@example.test")
    laptop, phone = app.test_client(), app.test_client()
    for browser in (laptop, phone):
        assert password_step(browser, "ana@example.test").status_code == 302
    secret = start_setup(laptop)
    laptop.post("/account/two-factor", data={"code": code(secret, clock.now), "password": PASSWORD})
    assert signed_in(laptop)
    assert not signed_in(phone)


def test_the_account_page_tells_whether_it_is_on(app, make_user):
    user = make_user("member")
    client = sign_in(app.test_client(), user)
    assert "Set up two-factor sign-in" in client.get("/account").get_data(as_text=True)
    enrol(app, user)
    page = client.get("/account").get_data(as_text=True)
    assert "10 recovery codes left." in page and "Turn off" in page
    assert client.get("/account/two-factor").headers["Location"] == "/account"  # already on: nothing to set up
    assert client.post("/account/two-factor/start", follow_redirects=True).status_code == 200
    assert enabled(app, user)  # starting again does not replace an app in use


# The second step of signing in


def test_signing_in_asks_for_a_code_and_signs_in_only_after_it(app, make_user, clock):
    user = make_user("coordinator", email="ana@example.test")
    secret, _codes = enrol(app, user)
    browser = app.test_client()
    response = password_step(browser, "ana@example.test", next_url="/processes/")
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    with browser.session_transaction() as session:
        assert "_user_id" not in session and session[sessions.PENDING]["user"] == user.id
    # Between the steps nobody is signed in: the account page sends to the login page.
    response = browser.get("/account")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    page = browser.get("/login/code").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    response = second_step(browser, code(secret, clock.now))
    assert response.status_code == 302 and response.headers["Location"] == "/processes/"
    assert signed_in(browser)
    with browser.session_transaction() as session:
        assert sessions.PENDING not in session
    with app.app_context():
        from core.extensions import db

        assert db.session.get(User, user.id).last_login_at is not None


def test_the_second_step_speaks_the_language_chosen_on_the_login_page(app, make_user):
    enrol(app, make_user("member", email="ana@example.test"))
    browser = app.test_client()
    browser.get("/login?lang=es")
    password_step(browser, "ana@example.test")
    page = browser.get("/login/code").get_data(as_text=True)
    assert "Acceso en dos pasos" in page and "Código de su aplicación" in page


def test_a_user_without_two_factor_signs_in_with_the_password_alone(app, make_user):
    make_user("admin", email="ana@example.test")
    browser = app.test_client()
    response = password_step(browser, "ana@example.test")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in(browser)


def test_a_wrong_code_is_refused_and_the_person_stays_signed_out(app, make_user, clock):
    secret, _codes = enrol(app, make_user("member", email="ana@example.test"))
    browser = app.test_client()
    password_step(browser, "ana@example.test")
    right = code(secret, clock.now)
    response = second_step(browser, f"{(int(right) + 1) % 1_000_000:06d}")
    assert response.status_code == 200 and WRONG_CODE in response.get_data(as_text=True)
    assert not signed_in(browser)


def test_a_code_is_accepted_once(app, make_user, clock):
    user = make_user("member", email="ana@example.test")
    secret, _codes = enrol(app, user)
    first = app.test_client()
    password_step(first, "ana@example.test")
    used = code(secret, clock.now)
    assert second_step(first, used).status_code == 302
    # Someone who saw the code over the shoulder, within the same 30 seconds:
    other = app.test_client()
    password_step(other, "ana@example.test")
    response = second_step(other, used)
    assert response.status_code == 200 and WRONG_CODE in response.get_data(as_text=True)
    # Nor does the code of the step before pass any more, though a clock a step behind would have offered it.
    assert second_step(other, code(secret, clock.now - STEP)).status_code == 200
    clock.advance(STEP)
    assert second_step(other, code(secret, clock.now)).status_code == 302


def test_codes_of_the_neighbouring_time_steps_pass_for_a_phone_slightly_off():
    secret, now = pyotp.random_base32(), 1_900_000_000
    current = now // STEP
    for offset in (-1, 0, 1):
        assert two_factor.matching_step(secret, code(secret, now + offset * STEP), now) == current + offset
    assert two_factor.matching_step(secret, code(secret, now + 2 * STEP), now) is None
    assert two_factor.matching_step(secret, "12345", now) is None
    spaced = code(secret, now)
    assert two_factor.matching_step(secret, f"{spaced[:3]} {spaced[3:]}", now) == current


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True, "LOGIN_FREE_ATTEMPTS": 3}])
def test_wrong_codes_are_throttled_per_person_and_then_even_the_right_one_waits(app, make_user, clock):
    secret, _codes = enrol(app, make_user("member", email="ana@example.test"))
    make_user("member", email="bea@example.test")
    bea_secret, _ = enrol(app, make_user("member", email="carla@example.test"))
    browser = app.test_client()
    password_step(browser, "ana@example.test")
    wrong = f"{(int(code(secret, clock.now)) + 1) % 1_000_000:06d}"
    answers = [second_step(browser, wrong).status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    response = second_step(browser, code(secret, clock.now))
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Too many failed attempts" in response.get_data(as_text=True)
    assert not signed_in(browser)
    # Another person's codes are not held back by Ana's failures.
    other = app.test_client()
    password_step(other, "carla@example.test")
    assert second_step(other, code(bea_secret, clock.now)).status_code == 302


def test_the_second_step_expires(app, make_user, clock, monkeypatch):
    secret, _codes = enrol(app, make_user("member", email="ana@example.test"))
    session_clock = hand_clock(monkeypatch, sessions)
    browser = app.test_client()
    password_step(browser, "ana@example.test")
    session_clock.advance(app.config["TWO_FACTOR_PENDING_SECONDS"] + 1)
    response = second_step(browser, code(secret, clock.now))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "the code was not given in time" in browser.get("/login").get_data(as_text=True)
    assert not signed_in(browser)


def test_the_second_step_ends_when_the_person_signs_out_elsewhere(app, make_user, clock):
    user = make_user("member", email="ana@example.test")
    secret, _codes = enrol(app, user)
    browser = app.test_client()
    password_step(browser, "ana@example.test")
    with app.app_context():
        from accounts import services
        from core.extensions import db

        services.end_sessions(db.session.get(User, user.id))
        db.session.commit()
    response = second_step(browser, code(secret, clock.now))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not signed_in(browser)


def test_the_second_step_without_a_password_step_goes_to_the_login_page(client):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_remember_me_asked_at_the_password_step_is_granted_after_the_code(app, make_user, clock):
    secret, _codes = enrol(app, make_user("member", email="ana@example.test"))
    browser = app.test_client()
    password_step(browser, "ana@example.test", remember="y")
    assert browser.get_cookie("remember_token") is None  # not before the second step
    second_step(browser, code(secret, clock.now))
    assert browser.get_cookie("remember_token") is not None


# Recovery codes


def test_a_recovery_code_signs_in_once(app, make_user):
    secret, codes = enrol(app, make_user("member", email="ana@example.test"))
    browser = app.test_client()
    password_step(browser, "ana@example.test")
    response = second_step(browser, codes[0].upper().replace("-", " "), recovery=True)
    assert response.status_code == 302
    assert "9 codes are left" in browser.get("/").get_data(as_text=True)
    browser.post("/logout")
    password_step(browser, "ana@example.test")
    response = second_step(browser, codes[0], recovery=True)
    assert response.status_code == 200 and WRONG_CODE in response.get_data(as_text=True)
    assert second_step(browser, codes[1], recovery=True).status_code == 302


def test_recovery_codes_are_random_and_forgive_how_they_are_typed():
    from accounts import recovery_codes

    codes = {recovery_codes.new_code() for _ in range(50)}
    assert len(codes) == 50 and all(re.fullmatch(r"[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){2}", c) for c in codes)
    assert recovery_codes.normal(" 1O0L-ab cd-EFGH ") == "1001abcdefgh"
    assert recovery_codes.normal("iI1l") == "1111"


def test_new_recovery_codes_replace_the_old_ones(app, make_user, clock):
    user = make_user("member", email="ana@example.test")
    secret, old = enrol(app, user)
    client = sign_in(app.test_client(), user)
    response = client.post("/account/two-factor/recovery-codes", data={"code": "000000"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and WRONG_CODE in page and 'data-testid="recovery-codes"' not in page
    response = client.post("/account/two-factor/recovery-codes", data={"code": code(secret, clock.now)})
    new = re.findall(r'<li class="col">([0-9a-z-]{14})</li>', response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    with app.app_context():
        from core.extensions import db

        stored = db.session.get(User, user.id)
        assert not two_factor.use_recovery_code(stored, old[0])
        assert two_factor.use_recovery_code(stored, new[0])


# Turning it off


def test_turning_it_off_needs_the_password_and_a_code(app, make_user, clock):
    user = make_user("member", email="ana@example.test")
    secret, codes = enrol(app, user)
    client = sign_in(app.test_client(), user)
    response = client.post("/account/two-factor/off", data={"password": "wrong", "code": code(secret, clock.now)})
    assert "The password or the code is not right." in response.get_data(as_text=True)
    assert enabled(app, user)
    response = client.post("/account/two-factor/off", data={"password": PASSWORD, "code": codes[0]})
    assert response.status_code == 302 and not enabled(app, user)
    with app.app_context():
        from core.extensions import db

        assert db.session.scalars(select(RecoveryCode)).all() == []
    browser = app.test_client()
    assert password_step(browser, "ana@example.test").headers["Location"] == "/"


# Roles that require it


REQUIRED = pytest.mark.parametrize("app_overrides", [{"TWO_FACTOR_REQUIRED_ROLES": "admin, coordinator"}])


@REQUIRED
def test_a_required_role_can_use_nothing_but_the_set_up_until_it_is_on(app, make_user, clock):
    make_user("coordinator", email="coord@example.test")
    make_user("member", email="ana@example.test")
    browser = app.test_client()
    assert password_step(browser, "coord@example.test").status_code == 302
    for path in ("/", "/account", "/processes/", "/clients/"):
        response = browser.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor", path
    assert browser.post("/account", data={"lang-language": "en", "lang-submit": "y"}).headers["Location"] == \
        "/account/two-factor"
    page = browser.get("/account/two-factor").get_data(as_text=True)
    assert "Your role requires two-factor sign-in." in page
    secret = start_setup(browser)
    browser.post("/account/two-factor", data={"code": code(secret, clock.now), "password": PASSWORD})
    assert browser.get("/").status_code == 200
    member = app.test_client()
    password_step(member, "ana@example.test")
    assert member.get("/").status_code == 200  # a role that does not require it is not sent anywhere


@REQUIRED
def test_a_required_role_cannot_turn_it_off_but_can_move_it_to_a_new_phone(app, make_user, clock):
    user = make_user("admin", email="boss@example.test")
    secret, _codes = enrol(app, user)
    client = sign_in(app.test_client(), user)
    page = client.get("/account/two-factor/off").get_data(as_text=True)
    assert "cannot be turned off" in page
    response = client.post("/account/two-factor/off", data={"password": PASSWORD, "code": code(secret, clock.now)})
    assert response.headers["Location"] == "/account/two-factor"
    assert not enabled(app, user)
    assert client.get("/").headers["Location"] == "/account/two-factor"  # until the new phone is confirmed
    with app.app_context():
        from core.extensions import db

        with pytest.raises(two_factor.TwoFactorError):
            two_factor.turn_off(db.session.get(User, user.id))


def test_the_required_roles_setting_is_read_and_checked():
    assert two_factor.required_roles({}) == frozenset()
    assert two_factor.required_roles({"TWO_FACTOR_REQUIRED_ROLES": " Admin,coordinator ,"}) == {"admin", "coordinator"}
    assert two_factor.required_roles({"TWO_FACTOR_REQUIRED_ROLES": ("reviewer",)}) == {"reviewer"}
    with pytest.raises(ValueError, match="'boss' is not a role"):
        two_factor.required_roles({"TWO_FACTOR_REQUIRED_ROLES": "admin,boss"})


def test_a_wrong_role_name_stops_the_app_at_start(database_url, tmp_path):
    from tests.conftest import make_app

    with pytest.raises(ValueError, match="TWO_FACTOR_REQUIRED_ROLES"):
        make_app(database_url, tmp_path, TWO_FACTOR_REQUIRED_ROLES="admins")


# An administrator's reset


def audit_text(app) -> str:
    from core.extensions import db

    with app.app_context():
        return json.dumps([[e.entity_type, e.action, e.changes] for e in db.session.scalars(select(AuditEntry))])


def test_an_administrator_resets_a_lost_phone_audited_without_the_secret(app, make_user, client_as, clock):
    user = make_user("coordinator", email="coord@example.test")
    secret, codes = enrol(app, user)
    victim = sign_in(app.test_client(), user)
    admin = client_as("admin")
    page = admin.get(f"/users/{user.id}").get_data(as_text=True)
    assert "Reset two-factor sign-in" in page and "data-confirm=" in page
    response = admin.post(f"/users/{user.id}/two-factor/reset")
    assert response.status_code == 302 and response.headers["Location"] == f"/users/{user.id}"
    assert not enabled(app, user)
    assert not signed_in(victim)  # whoever holds a session of theirs must sign in again
    browser = app.test_client()
    assert password_step(browser, "coord@example.test").headers["Location"] == "/"
    with app.app_context():
        from core.extensions import db

        assert db.session.scalars(select(RecoveryCode)).all() == []
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "two_factor_credentials")
                                     .order_by(AuditEntry.id)).all()
        assert entries[0].action == "insert" and entries[-1].action == "delete"
        deleted = entries[-1]
        assert deleted.entity_label == user.name
        assert deleted.actor is not None and deleted.actor.role.value == "admin"
        assert deleted.changes["secret"] == [SECRET, None]
        assert entries[0].changes["secret"] == [None, SECRET]
    trail = audit_text(app)
    assert secret not in trail and not any(c in trail or c.replace("-", "") in trail for c in codes)
    assert "$" not in trail  # nor the salted hashes of the recovery codes


def test_resetting_someone_without_two_factor_changes_nothing(app, make_user, client_as):
    user = make_user("member")
    admin = client_as("admin")
    before = audit_text(app)
    response = admin.post(f"/users/{user.id}/two-factor/reset", follow_redirects=True)
    assert "has no two-factor sign-in to reset" in response.get_data(as_text=True)
    assert audit_text(app) == before


def test_the_command_line_resets_two_factor_for_a_locked_out_administrator(app, make_user, runner):
    user = make_user("admin", email="boss@example.test")
    enrol(app, user)
    result = runner.invoke(args=["users", "reset-two-factor", "--email", "boss@example.test"])
    assert result.exit_code == 0, result.output
    assert "reset" in result.output and not enabled(app, user)
    result = runner.invoke(args=["users", "reset-two-factor", "--email", "nobody@example.test"])
    assert result.exit_code != 0 and "No account" in result.output


def test_the_user_list_shows_who_signs_in_with_two_factor(app, make_user, client_as):
    with_app = make_user("member", name="Alba Two-Factor", email="alba@example.test")
    make_user("member", name="Beñat Password-Only", email="benat@example.test")
    enrol(app, with_app)
    page = client_as("admin").get("/users?sort=email").get_data(as_text=True)
    rows = {name: page.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Alba Two-Factor", "Beñat Password-Only")}
    assert ">On<" in rows["Alba Two-Factor"] and ">Off<" not in rows["Alba Two-Factor"]
    assert ">Off<" in rows["Beñat Password-Only"] and ">On<" not in rows["Beñat Password-Only"]
