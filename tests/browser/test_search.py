"""The global search from the navbar in a real browser: a member types part of a client's name without its
accents in the box, lands on the results grouped by kind, narrows them to one kind and opens the client; the
page has no serious accessibility problem and the box fits on a phone, behind the menu button."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.support import axe_violations, beyond_viewport, install_axe, sign_in


def seed(live_app):
    from core.extensions import db
    from loyalty.models import Client, Typology
    from processes.models import Process, ProcessKind, ProcessStatus, Programme

    with live_app.app_context():
        programme = Programme(code="FID", name="Fidelización", is_certified=True)
        db.session.add_all([
            Client(code="S-0042", name="Ferretería Núñez", typology=Typology.END_USER, joined_on=date(2020, 1, 1)),
            Process(code="FID-C03", name="Atención a Ferretería Núñez y similares", kind=ProcessKind.KEY,
                    programme=programme, status=ProcessStatus.IN_FORCE)])
        db.session.commit()
        client_id = db.session.query(Client.id).scalar()
        db.session.remove()
    return client_id


@pytest.mark.browser_context_args(viewport={"width": 1366, "height": 900})
def test_a_member_finds_a_client_from_the_navbar(new_context, live_app, make_live_user, console_errors):
    client_id = seed(live_app)
    member = make_live_user("member", name="Lucía Fernández")
    context = new_context()
    install_axe(context)
    page = context.new_page()
    sign_in(page, member.email, member.password)

    box = page.get_by_test_id("navbar-search").get_by_role("searchbox", name="Search for")
    box.fill("ferreteria nunez")
    with page.expect_navigation():
        box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Global search")
    expect(page.get_by_test_id("hits-client")).to_contain_text("S-0042 · Ferretería Núñez")
    expect(page.get_by_test_id("hits-process")).to_contain_text("FID-C03")
    assert axe_violations(page) == []
    assert beyond_viewport(page) == []

    with page.expect_navigation():
        page.get_by_test_id("search-kinds").get_by_role("link", name="Clients").click()
    expect(page.get_by_test_id("hits-process")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_role("link", name="S-0042 · Ferretería Núñez").click()
    assert page.url.endswith(f"/clients/{client_id}")

    # On a phone the box is behind the menu button, and nothing spills past the edge.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/search?q=nunez")
    expect(page.get_by_test_id("navbar-search")).to_be_hidden()
    page.get_by_role("button", name="Show the menu").click()
    expect(page.get_by_test_id("navbar-search")).to_be_visible()
    assert beyond_viewport(page) == []
    context.close()
