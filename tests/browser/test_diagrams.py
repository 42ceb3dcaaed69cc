"""A process diagram in a real browser: the owner draws two stages in two lanes, reorders them, and finds each
change in the sheet's revisions."""

import re

from playwright.sync_api import expect

from tests.browser.support import sign_in
from tests.browser.test_processes import add_process, add_programme, submit


def add_stage(page, name: str, role: str, responsible: str, holders: list[str]):
    form = page.locator("main form")
    form.get_by_label("Stage", exact=True).fill(name)
    form.get_by_label("Responsible role").fill(role)
    form.get_by_label("Responsible person").select_option(label=responsible)
    for holder in holders:
        form.get_by_label(holder, exact=True).check()
    submit(page, form.get_by_role("button", name="Save stage"))


def test_the_owner_draws_the_diagram_and_each_change_is_a_revision(page, live_app, make_live_user, tmp_path):
    owner = make_live_user("member", name="Olga Navarro")
    make_live_user("member", name="Jon Arregi")
    process_id = add_process(live_app, add_programme(live_app), "PC-03", "Handling complaints", owner_id=owner.id)

    sign_in(page, owner.email, owner.password)
    page.goto(f"/processes/{process_id}")
    page.get_by_role("link", name="Diagram", exact=True).click()
    expect(page.get_by_role("heading", name="No diagram yet")).to_be_visible()
    page.get_by_role("link", name="Add the first stage").click()

    add_stage(page, "Analyse the cause", "Complaints officer", "Jon Arregi", ["Jon Arregi"])
    expect(page.locator(".alert-success")).to_contain_text("Stage “Analyse the cause” added to the diagram.")
    page.get_by_role("link", name="Add stage").click()
    add_stage(page, "Register the complaint", "Front desk", "Olga Navarro", ["Olga Navarro", "Jon Arregi"])

    diagram = page.get_by_test_id("process-diagram").locator("svg")
    expect(diagram).to_be_visible()
    expect(diagram.locator("a.diagram-box")).to_have_count(2)
    expect(diagram).to_contain_text("Complaints officer")
    expect(diagram).to_contain_text("Front desk")
    lanes = diagram.locator(".diagram-lane text")
    expect(lanes).to_have_text(["Complaints officer", "Front desk"])

    rows = page.get_by_test_id("stages").locator("tbody tr")
    submit(page, rows.nth(1).get_by_role("button", name="Move earlier"))
    expect(rows.nth(0)).to_contain_text("Register the complaint")
    expect(rows.nth(0)).to_contain_text("Jon Arregi, Olga Navarro")
    expect(rows.nth(1)).to_contain_text("Analyse the cause")
    # The lanes follow the first use of each role, so the front desk now comes first.
    expect(lanes).to_have_text(["Front desk", "Complaints officer"])
    first_box = diagram.locator("a.diagram-box").first
    expect(first_box).to_contain_text("Register the complaint")
    first_box.click()
    expect(page).to_have_url(re.compile(r"#stage-\d+$"))
    page.screenshot(path=str(tmp_path / "diagram.png"), full_page=True)

    page.get_by_role("link", name="Revisions", exact=True).click()
    revisions = page.get_by_test_id("revisions")
    expect(revisions.locator("li")).to_have_count(3)
    expect(revisions.locator("li").first).to_contain_text("Diagram: stage “Register the complaint” moved earlier")
    expect(revisions.locator("li").nth(1)).to_contain_text("Diagram stage 2")
    expect(revisions.locator("li").nth(1)).to_contain_text("Register the complaint — Front desk (Olga Navarro)")
