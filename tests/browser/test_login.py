"""Signing in and out, languages, the confirmation dialog, the CSP and the phone layout, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import sign_in

SPANISH = pytest.mark.browser_context_args(locale="es-ES")
PHONE = pytest.mark.browser_context_args(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)

#: What the login page, the menu and the home page say in each language.
TEXTS = {
    "en": {"sign_in": "Sign in", "menu": ["Processes", "Clients", "Surveys", "Improvements", "Evidence"],
           "sign_out": "Sign out"},
    "es": {"sign_in": "Iniciar sesión", "menu": ["Procesos", "Clientes", "Encuestas", "Mejoras", "Evidencias"],
           "sign_out": "Cerrar sesión"},
}


def submit_button(page):
    return page.locator("main form [type=submit]")


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.mark.parametrize("language", [pytest.param("es", marks=SPANISH, id="es-ES"), pytest.param("en", id="en-GB")])
def test_signing_in_shows_the_home_page_in_the_browsers_language(page, live_url, make_live_user, language):
    texts = TEXTS[language]
    user = make_live_user("coordinator", name="Carmen Ruiz")

    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(submit_button(page)).to_have_value(texts["sign_in"])

    sign_in(page, user.email, user.password)

    assert path_of(page.url) == "/"
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_test_id("home-title")).to_contain_text("Carmen Ruiz")
    menu = page.locator("#main-nav .navbar-nav.me-auto .nav-link")
    expect(menu).to_have_text(texts["menu"])
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_role("button", name=texts["sign_out"])).to_be_visible()


def test_a_wrong_password_shows_the_generic_error_and_stays_on_the_login_page(page, make_live_user):
    user = make_live_user("member")

    for email, password in ((user.email, "not the password"), ("nobody@example.test", user.password)):
        sign_in(page, email, password)

        assert path_of(page.url) == "/login"
        expect(page.locator(".alert-danger")).to_have_text("The e-mail or the password is not right.")
        expect(page.get_by_test_id("home-title")).to_have_count(0)
        expect(page.get_by_test_id("user-menu")).to_have_count(0)
        expect(page.locator("input[name=password]")).to_have_value("")


def test_the_language_links_switch_the_login_page_and_the_choice_survives_signing_in(page, make_live_user):
    user = make_live_user("member")  # no language of their own: the page follows the visitor's choice
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    languages = page.get_by_role("navigation", name="Language")
    expect(languages.locator("strong")).to_have_text("English")

    languages.get_by_role("link", name="Español").click()

    assert path_of(page.url) == "/login?lang=es"
    expect(page.locator("html")).to_have_attribute("lang", "es")
    languages = page.locator("main nav")
    expect(languages.locator("strong")).to_have_text("Español")
    expect(submit_button(page)).to_have_value(TEXTS["es"]["sign_in"])

    languages.get_by_role("link", name="English").click()

    assert path_of(page.url) == "/login?lang=en"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(submit_button(page)).to_have_value(TEXTS["en"]["sign_in"])

    page.locator("main nav").get_by_role("link", name="Español").click()
    sign_in(page, user.email, user.password, path="/login?lang=es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("#main-nav .navbar-nav.me-auto .nav-link")).to_have_text(TEXTS["es"]["menu"])


def test_an_admin_deactivates_a_user_only_after_confirming(page, make_live_user, user_is_active):
    admin = make_live_user("admin")
    member = make_live_user("member", name="Miguel Torres")
    sign_in(page, admin.email, admin.password)
    page.goto("/users")
    row = page.get_by_role("row").filter(has_text=member.email)
    badge = row.locator(".badge")
    expect(badge).to_have_text("Active")
    dialog = page.locator("#confirm-modal")
    expect(dialog).to_be_hidden()

    row.get_by_role("button", name="Deactivate").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-confirm-text]")).to_have_text(
        "Miguel Torres will no longer be able to sign in. Their records and history are kept. Deactivate?")
    dialog.get_by_role("button", name="Cancel").click()

    expect(dialog).to_be_hidden()
    expect(badge).to_have_text("Active")
    assert user_is_active(member.id)

    row.get_by_role("button", name="Deactivate").click()
    expect(dialog).to_be_visible()
    with page.expect_navigation():
        dialog.get_by_role("button", name="Confirm").click()

    assert path_of(page.url) == "/users"
    expect(page.locator(".alert-success")).to_contain_text(
        "Miguel Torres has been deactivated and can no longer sign in.")
    expect(page.get_by_role("row").filter(has_text=member.email).locator(".badge")).to_have_text("Deactivated")
    assert not user_is_active(member.id)


def test_pages_load_without_console_errors_and_the_csp_is_enforced(page, make_live_user, console_errors):
    admin = make_live_user("admin")
    response = page.goto("/login")
    assert response.ok
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    sign_in(page, admin.email, admin.password)

    for path in ("/", "/users", "/users/new", "/account", "/settings/organisation", "/audit",
                 "/processes/", "/clients/", "/improvements/"):
        response = page.goto(path)
        assert response.ok, f"{path} answered {response.status}"
        page.wait_for_load_state("load")
        # The scripts were allowed: Bootstrap and app.js came from 'self'.
        assert page.evaluate("typeof window.bootstrap") == "object", path
    assert console_errors == []

    # The watcher does see a violation: an inline script is refused and reported on the console.
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.appendChild(script);
    }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected") is None
    assert any("Content Security Policy" in error for error in console_errors), console_errors
    console_errors.clear()


def test_signing_out_returns_to_the_login_page(page, make_live_user):
    user = make_live_user("member")
    sign_in(page, user.email, user.password)
    expect(page.get_by_test_id("home-title")).to_be_visible()

    page.get_by_test_id("user-menu").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()

    assert path_of(page.url) == "/login"
    expect(page.locator(".alert-info")).to_have_text("You have signed out.")
    expect(submit_button(page)).to_have_value("Sign in")
    page.goto("/")
    assert path_of(page.url).startswith("/login")


@PHONE
def test_on_a_phone_the_menu_collapses_behind_the_toggler(page, make_live_user):
    user = make_live_user("member")
    page.goto("/login")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    sign_in(page, user.email, user.password)
    expect(page.get_by_test_id("home-title")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    menu = page.get_by_role("navigation", name="Main menu")
    toggler = menu.get_by_role("button", name="Show the menu")
    processes = menu.get_by_role("link", name="Processes", exact=True)
    expect(toggler).to_be_visible()
    expect(processes).to_be_hidden()
    expect(page.get_by_test_id("user-menu")).to_be_hidden()

    toggler.click()

    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(processes).to_be_visible()
    expect(menu.get_by_role("link", name="Clients", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Improvements", exact=True)).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    processes.click()
    expect(page).to_have_url(re.compile(r"/processes/$"))
