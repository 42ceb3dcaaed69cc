"""In a real browser, on the demo: retiring a process and replacing the signed minutes of the process map each
open a page that says what they change first; cancelling changes nothing."""

from playwright.sync_api import expect

from tests.browser.support import sign_in
from tests.browser.test_transitions import load_demo


def _ids(live_app) -> tuple[int, int]:
    from sqlalchemy import select

    from core.extensions import db
    from evidence.models import CriteriaSet, Criterion
    from processes.models import Process

    with live_app.app_context():
        process = db.session.scalar(select(Process.id).where(Process.code == "FID-C03"))
        a1 = db.session.scalar(select(Criterion.id).join(CriteriaSet).where(CriteriaSet.code == "FID-A1E1",
                                                                             Criterion.code == "A1"))
        db.session.remove()
    return process, a1


def test_retiring_a_process_and_replacing_a_file_are_shown_first_and_cancelling_keeps_them(page, live_app):
    load_demo(live_app)
    process, a1 = _ids(live_app)
    sign_in(page, "coordinator@demo.test", "demo-password")

    page.goto(f"/processes/{process}")
    with page.expect_navigation():
        page.get_by_test_id("retire").click()
    expect(page.get_by_test_id("consequences")).to_be_visible()
    expect(page.get_by_label("Why? (required: it moves back and undoes evidence)")).to_be_visible()
    with page.expect_navigation():
        page.get_by_test_id("cancel").click()
    expect(page.get_by_test_id("retire")).to_be_visible()  # still on the map

    page.goto(f"/evidence/criteria/{a1}")
    with page.expect_navigation():
        page.get_by_test_id("replace-file").first.click()
    reliance = page.get_by_test_id("file-consequences")
    expect(reliance).to_contain_text("A1: the reviewer's verdict “Met”")
    expect(reliance).to_contain_text("was recorded on version 2 of this file")
    with page.expect_navigation():
        page.get_by_test_id("cancel").click()
    expect(page.get_by_test_id("superseded").first).to_be_visible()  # version 1, replaced by the signed one
    expect(page.get_by_test_id("file-history").first).to_contain_text("Versión firmada")
