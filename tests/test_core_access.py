"""The access policy: every endpoint has a rule, and every role gets exactly what its rule says."""

import pytest
from flask import Flask
from werkzeug.routing import AnyConverter
from werkzeug.routing.converters import NumberConverter

from core import access, api
from core.models import Role
from tests.conftest import sign_in

#: What anonymous visitors may reach: signing in (with its second step), health, static files, and answering a
#: survey by its link (with the organisation's logo shown there).
ANONYMOUS_ENDPOINTS = {"static", "accounts.login", "accounts.second_step", "core.healthz", "answer.invitation",
                       "answer.public", "answer.thanks", "answer.invitation_logo", "answer.public_logo",
                       # The REST API's document and its reference page: they describe the software, not the data.
                       "api-docs.openapi_json", "core.api_docs"}
#: Rules under which a reviewer may change something: their own account, signing in, their verdicts, and
#: generating an evidence pack (which records a snapshot of what was handed over, not organisation data).
#: And moving a certification cycle (an assigned reviewer closes it once the report is final; the view refuses them
#: every other move, and every cycle they are not assigned to), and recording findings.
REVIEWER_WRITABLE_RULES = {access.PUBLIC, access.OWN_ACCOUNT, access.REVIEW, access.FINDINGS, access.PACKS,
                           access.CYCLE_MOVES}
PRINCIPALS = [*Role, access.ANONYMOUS]
ABSENT_ID = 987654


def endpoints_without_rule(app: Flask) -> list[str]:
    return sorted(rule.endpoint for rule in app.url_map.iter_rules() if access.rule_for(rule.endpoint, app) is None)


def example_url(app: Flask, url_rule) -> str:
    """A URL for the rule, with ids that match no record (so no request changes anything)."""
    values = {}
    for name in url_rule.arguments:
        converter = url_rule._converters[name]
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, NumberConverter):
            values[name] = ABSENT_ID
        else:
            values[name] = "x.txt"
    with app.test_request_context():
        from flask import url_for

        return url_for(url_rule.endpoint, **values)


def test_every_endpoint_declares_a_rule(app):
    assert endpoints_without_rule(app) == []


def test_an_endpoint_without_a_rule_is_found_and_denied(app, client_as):
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    assert endpoints_without_rule(app) == ["undeclared"]
    assert client_as("admin").get("/undeclared").status_code == 403


def cases(app):
    for url_rule in app.url_map.iter_rules():
        for method in sorted(url_rule.methods - {"OPTIONS", "HEAD"}):
            yield url_rule, method


def reloaded(app, user):
    """``user`` as the database has it now, detached."""
    from core.extensions import db
    from core.models import User

    with app.app_context():
        fresh = db.session.get(User, user.id)
        db.session.expunge(fresh)
    return fresh


def is_api(url_rule) -> bool:
    return url_rule.rule.startswith(api.PREFIX + "/")


def api_secrets(app, users) -> dict:
    """A read and a write token for each role's user: ``{(role, scope): secret}``."""
    from accounts import tokens
    from core.extensions import db
    from core.models import User

    found = {}
    with app.app_context():
        for role, user in users.items():
            for scope in ("read", "write"):
                _token, found[(role, scope)] = tokens.create_token(db.session.get(User, user.id), name=scope,
                                                                   scope=scope, days=30)
        db.session.commit()
    return found


def api_answers_as_its_rule_says(app, url_rule, method, url, secrets) -> int:
    """Every role with a read and a write token, and nobody (no token, or a session cookie only): refused (401 or
    403) exactly when the rule or the token's scope refuses."""
    rule, checked = access.rule_for(url_rule.endpoint, app), 0
    for (role, scope), secret in secrets.items():
        response = app.test_client().open(url, method=method, headers={"Authorization": f"Bearer {secret}"})
        expected = rule.allows(role, method) and (scope == "write" or method in access.READ_METHODS)
        assert (response.status_code in (401, 403)) != expected, \
            f"{method} {url} as {role} with a {scope} token: {response.status_code}, rule {rule.name}"
        checked += 1
    response = app.test_client().open(url, method=method)
    if rule.allows(access.ANONYMOUS, method):
        assert response.status_code not in (401, 403), f"{method} {url} anonymous: {response.status_code}"
    else:
        want = 401 if any(rule.allows(r, method) for r in Role) else 403
        assert response.status_code == want, f"{method} {url} anonymous: {response.status_code}"
        assert response.mimetype == api.PROBLEM
    return checked + 1


def test_every_endpoint_answers_each_role_as_its_rule_says(app, make_user):
    users = {role: make_user(role) for role in Role}
    secrets = api_secrets(app, users)
    checked = 0
    for url_rule, method in cases(app):
        rule = access.rule_for(url_rule.endpoint, app)
        url = example_url(app, url_rule)
        if is_api(url_rule) and url_rule.endpoint != "core.api_docs":
            checked += api_answers_as_its_rule_says(app, url_rule, method, url, secrets)
            continue
        for principal in PRINCIPALS:
            client = app.test_client()
            if principal != access.ANONYMOUS:
                sign_in(client, users[principal])
            response = client.open(url, method=method)
            if url_rule.endpoint == "accounts.logout" and principal != access.ANONYMOUS:
                users[principal] = reloaded(app, users[principal])  # signing out replaced their login token
            denied_to_login = response.status_code == 302 and "/login?next=" in response.headers.get("Location", "")
            refused = response.status_code == 403 or denied_to_login
            expected = rule.allows(principal, method)
            assert refused != expected, f"{method} {url} as {principal}: {response.status_code}, rule {rule.name}"
            if principal == access.ANONYMOUS and not expected and any(rule.allows(r, method) for r in Role):
                assert denied_to_login, f"{method} {url}: anonymous should be sent to the login page"
            checked += 1
    assert checked >= 5 * 15


def test_reviewers_change_nothing_but_their_own_account_and_verdicts(app):
    for url_rule, method in cases(app):
        rule = access.rule_for(url_rule.endpoint, app)
        if rule.allows(Role.REVIEWER, method) and method not in access.READ_METHODS:
            assert rule in REVIEWER_WRITABLE_RULES, f"reviewers may {method} {url_rule.endpoint}"


def test_anonymous_visitors_reach_only_login_static_health_and_survey_links(app):
    reachable = {
        url_rule.endpoint for url_rule, method in cases(app)
        if access.rule_for(url_rule.endpoint, app).allows(access.ANONYMOUS, method)
    }
    assert reachable <= ANONYMOUS_ENDPOINTS


@pytest.mark.parametrize(("role", "visible"), [
    ("admin", {"Users", "Audit trail", "Organisation"}),
    ("coordinator", {"Audit trail", "Organisation"}),
    ("reviewer", {"Audit trail"}),
    ("member", set()),
])
def test_the_menu_shows_only_what_the_role_may_open(client_as, role, visible):
    page = client_as(role, language="en").get("/").get_data(as_text=True)
    for label in {"Users", "Audit trail", "Organisation"}:
        assert (f">{label}</a>" in page) == (label in visible), label


def test_a_signed_in_session_does_not_open_the_api(app, make_user):
    """The API reads no cookie: a browser signed in is nobody there (so no CSRF token is needed or checked)."""
    client = sign_in(app.test_client(), make_user("admin"))
    response = client.get(api.PREFIX + "/processes")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    assert "Set-Cookie" not in response.headers
