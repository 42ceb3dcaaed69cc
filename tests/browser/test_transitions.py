"""A coordinator in a real browser tries to move the demo's implemented welcome call back to "in progress": the
confirmation page warns that C1 would fall (its own evidence, met → partly, two of three), the coordinator
cancels, and C1 still counts three."""

from playwright.sync_api import expect

from tests.browser.support import sign_in

WELCOME = "Llamada de bienvenida en 48 horas"


def load_demo(live_app) -> int:
    from sqlalchemy import select

    from core.extensions import db
    from improvements.models import Improvement

    result = live_app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with live_app.app_context():
        welcome = db.session.scalar(select(Improvement.id).where(Improvement.title == WELCOME))
        db.session.remove()
    return welcome


def test_moving_an_implemented_improvement_back_warns_with_c1_and_cancelling_keeps_it(page, live_app):
    welcome = load_demo(live_app)
    sign_in(page, "coordinator@demo.test", "demo-password")
    page.goto("/improvements/")
    expect(page.get_by_test_id("c1-count")).to_have_text("3/3")

    page.goto(f"/improvements/{welcome}")
    expect(page.get_by_test_id("improvement-status")).to_contain_text("Implemented")
    with page.expect_navigation():
        page.get_by_test_id("move-in_progress").click()

    # The warning is C1's own evidence as it would read after the move.
    c1 = page.locator('[data-criterion="C1"]')
    expect(c1).to_have_attribute("data-lowered", "yes")
    expect(c1).to_contain_text("C1: Met → Partly")
    expect(c1).to_contain_text("2 improvements qualify (3 needed)")
    expect(page.get_by_label("Why? (required: it moves back and undoes evidence)")).to_be_visible()
    expect(page.locator("main")).to_contain_text("The day it was implemented (15/11/2025) is kept.")  # en-GB

    with page.expect_navigation():
        page.get_by_test_id("cancel").click()
    expect(page.get_by_test_id("improvement-status")).to_contain_text("Implemented")
    page.goto("/improvements/")
    expect(page.get_by_test_id("c1-count")).to_have_text("3/3")


def test_confirming_without_a_reason_is_refused_in_the_browser(page, live_app):
    welcome = load_demo(live_app)
    sign_in(page, "coordinator@demo.test", "demo-password")
    page.goto(f"/improvements/{welcome}/status/in_progress")
    reason = page.get_by_label("Why? (required: it moves back and undoes evidence)")
    # the browser's own check stops an empty reason; without it the server refuses it too
    page.evaluate("document.querySelector('#reason').removeAttribute('required')")
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Say why the improvement goes back")
    reason.fill("The script of the call changes.")
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("improvement-status")).to_contain_text("In progress")
    expect(page.get_by_test_id("history")).to_contain_text("The script of the call changes.")
    page.goto("/improvements/")
    expect(page.get_by_test_id("c1-count")).to_have_text("2/3")
