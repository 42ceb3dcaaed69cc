"""The first-run setup in a real browser: an administrator of an empty installation follows the home's pointer,
does a step on its own page and comes back, skips one and resumes it; the setup page and the home's pointer have
no serious accessibility violation and fit the window. And a sub-menu too wide for the window keeps its last
tabs in a "More" dropdown that the keyboard opens."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import axe_violations, beyond_viewport, install_axe, sign_in

WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def checked(page) -> list[str]:
    found = axe_violations(page) + beyond_viewport(page)
    page.set_viewport_size(PHONE)
    found += beyond_viewport(page)
    page.set_viewport_size(WIDE)
    return found


@pytest.mark.browser_context_args(viewport=WIDE)
def test_an_administrator_follows_the_setup_from_an_empty_home(new_context, make_live_user):
    admin = make_live_user("admin")
    context = new_context()
    install_axe(context)
    page = context.new_page()
    sign_in(page, admin.email, admin.password)
    pointer = page.get_by_test_id("setup-pointer")
    expect(pointer).to_be_visible()
    assert checked(page) == []
    with page.expect_navigation():
        pointer.get_by_role("link", name="Continue the setup").click()
    expect(page.locator('[data-step="organisation"]')).to_have_attribute("aria-current", "step")
    assert checked(page) == []

    with page.expect_navigation():
        page.get_by_test_id("setup-do-organisation").click()
    page.get_by_label("Name").fill("Fondo Mutual Aurrera")
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/setup/$"))
    expect(page.locator('[data-step="organisation"]')).to_contain_text("Done")
    expect(page.locator('[data-step="programme"]')).to_have_attribute("aria-current", "step")

    with page.expect_navigation():
        page.get_by_test_id("setup-skip-programme").click()
    expect(page.locator('[data-step="programme"]')).to_contain_text("Skipped")
    expect(page.locator('[data-step="standard"]')).to_have_attribute("aria-current", "step")
    with page.expect_navigation():
        page.locator('[data-step="programme"]').get_by_role("button", name="Resume").click()
    expect(page.locator('[data-step="programme"]')).to_have_attribute("aria-current", "step")

    # the process step, with no programme yet, offers to create it and comes back to the new process
    with page.expect_navigation():
        page.get_by_test_id("setup-do-processes").click()
    with page.expect_navigation():
        page.get_by_test_id("needs-programme").get_by_role("link", name="Create the programme").click()
    expect(page.get_by_label(re.compile("under certification"))).to_be_checked()
    page.get_by_label("Code").fill("FID")
    page.get_by_label("Name").fill("Fidelización")
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/processes/new\?next=/setup/$"))
    expect(page.locator("select[name=programme_id]")).to_have_value(re.compile(r"\d+"))


@pytest.mark.browser_context_args(viewport=WIDE, locale="es-ES")
def test_a_sub_menu_too_wide_keeps_its_last_tabs_in_more(new_context, make_live_user):
    coordinator = make_live_user("coordinator", language="es")
    page = new_context().new_page()
    sign_in(page, coordinator.email, coordinator.password)
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto("/clients/")
    nav = page.locator("[data-subnav]")
    more = nav.locator("[data-subnav-more]")
    expect(more).to_be_visible()
    last = nav.locator("[data-subnav-tab]").last
    expect(last).to_be_hidden()
    assert nav.evaluate("n => n.querySelector('ul').scrollWidth <= n.querySelector('ul').clientWidth")
    assert beyond_viewport(page) == []
    page.set_viewport_size({"width": 1200, "height": 900})  # the narrowest width whose main menu is a row
    expect(page.locator("#main-nav")).to_be_visible()
    assert beyond_viewport(page) == []
    page.set_viewport_size({"width": 1000, "height": 900})
    toggle = more.get_by_role("button")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(more.locator(".dropdown-menu")).to_be_visible()
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.closest('[data-subnav-item]') !== null")
    assert focused
    href = page.evaluate("document.activeElement.getAttribute('href')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(href)
    # a sub-menu that fits keeps every tab on the bar, with no "More"
    page.set_viewport_size(WIDE)
    page.goto("/processes/list")
    expect(page.locator("[data-subnav] [data-subnav-more]")).to_be_hidden()
    expect(page.locator("[data-subnav] [data-subnav-tab]").last).to_be_visible()
