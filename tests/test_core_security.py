"""Security headers, CSRF and the error pages."""

import pytest

from core.access import TEAM_DATA, allow
from tests.conftest import sign_in


def test_every_page_gets_the_security_headers(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_contain_no_inline_scripts(client_as):
    for url in ("/", "/users", "/audit", "/settings/organisation", "/account"):
        page = client_as("admin").get(url).get_data(as_text=True)
        scripts = page.split("<script")[1:]
        assert scripts and all(tag.startswith(' src="/static/') for tag in scripts), url
        assert " onclick=" not in page and " onsubmit=" not in page, url


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_a_form_without_its_csrf_token_gets_a_clear_400_page(client, make_user):
    sign_in(client, make_user("coordinator"))
    response = client.post("/settings/organisation", data={"name": "Forged", "version": "1"})
    assert response.status_code == 400
    assert "The form expired or was sent from another page" in response.get_data(as_text=True)


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_sign_out_needs_the_csrf_token_too(client, make_user):
    sign_in(client, make_user("member"))
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_unknown_urls_get_the_404_page_in_the_apps_look(client_as):
    response = client_as("member").get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page and "vendor/bootstrap/bootstrap.min.css" in page


def test_forbidden_actions_get_the_403_page(client_as):
    response = client_as("member").get("/users")
    assert response.status_code == 403
    assert "Your role does not give access" in response.get_data(as_text=True)


def test_an_unexpected_error_gets_the_500_page_and_nothing_is_saved(app, client, make_user):
    from core.extensions import db
    from core.models import Organisation

    @app.get("/test-crash")
    @allow(TEAM_DATA)
    def crash():
        db.session.add(Organisation(name="Half-saved"))
        db.session.flush()
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    sign_in(client, make_user("member"))
    response = client.get("/test-crash")
    assert response.status_code == 500
    assert "Nothing was saved" in response.get_data(as_text=True)
    with app.app_context():
        assert Organisation.current() is None


def test_signed_in_pages_are_not_stored_by_browsers_or_proxies(app, client_as):
    member = client_as("member")
    for url in ("/", "/account", "/processes/"):
        assert member.get(url).headers["Cache-Control"] == "no-store", url
    with member.get("/static/img/favicon.svg") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")
    assert "Cache-Control" not in app.test_client().get("/login").headers  # nothing personal before sign-in


def test_a_view_that_sets_its_own_cache_header_keeps_it(app, client_as):
    @app.get("/test-cached")
    @allow(TEAM_DATA)
    def cached():
        return "shared", {"Cache-Control": "private, max-age=60"}

    assert client_as("member").get("/test-cached").headers["Cache-Control"] == "private, max-age=60"
