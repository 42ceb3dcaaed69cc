"""An improvement in a real browser: a group member logs an opportunity, fails then passes the SMART check,
approves it, completes its task, records the result after the change and sees the C1 counter go up."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.support import sign_in


def add_group(live_app, member_id: int) -> int:
    from core.extensions import db
    from improvements.models import Group, GroupMember

    with live_app.app_context():
        group = Group(name="Complaints group", purpose="Fewer complaints",
                      members=[GroupMember(user_id=member_id, role="Facilitator")])
        db.session.add(group)
        db.session.commit()
        group_id = group.id
        db.session.remove()
    return group_id


def submit(page, locator):
    with page.expect_navigation():
        locator.click()


def fill_plan(page, deadline: str | None):
    page.get_by_role("link", name="Edit plan").click()
    form = page.locator("main form")
    form.get_by_label("Objective").fill("Answer every complaint in writing.")
    form.get_by_label("Or a measure of its own").fill("Complaints answered in writing")
    form.get_by_label("Unit", exact=True).fill("%")
    form.get_by_label("Baseline value").fill("40")
    form.get_by_label("Target value").fill("90")
    if deadline:
        form.get_by_label("Deadline").fill(deadline)
    submit(page, form.get_by_role("button", name="Save plan"))
    expect(page.locator(".alert-success")).to_contain_text("Plan saved.")


def smart_check(page):
    page.get_by_role("link", name="SMART check", exact=True).click()
    for criterion in ("Specific", "Measurable", "Achievable", "Relevant", "Time-bound"):
        page.get_by_label(f"{criterion}: met").check()
        page.get_by_label(f"{criterion}: justification").fill(f"{criterion} holds for this proposal.")
    submit(page, page.get_by_role("button", name="Record the check"))


def test_a_member_takes_an_opportunity_to_an_improvement_that_counts_for_c1(page, live_app, make_live_user):
    member = make_live_user("member", name="Lucía Fernández")
    group_id = add_group(live_app, member.id)
    sign_in(page, member.email, member.password)

    page.goto("/improvements/")
    expect(page.get_by_test_id("c1-count")).to_have_text("0/3")

    # The member logs an opportunity from a staff idea.
    page.goto(f"/improvements/groups/{group_id}")
    page.get_by_role("link", name="Log an opportunity").click()
    form = page.locator("main form")
    form.get_by_label("Title").fill("Written answers")
    form.get_by_label("Opportunity", exact=True).fill("Members want the answer to a complaint in writing.")
    form.get_by_label("Source", exact=True).select_option(label="Staff idea")
    submit(page, form.get_by_role("button", name="Log opportunity"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Written answers")
    expect(page.get_by_test_id("improvement-status")).to_contain_text("Opportunity")
    expect(page.locator('[data-link="smart"]')).to_have_attribute("data-present", "no")

    # Planned without a deadline, the check fails and says which criterion and why; approval is not offered.
    fill_plan(page, deadline=None)
    smart_check(page)
    expect(page.locator(".alert-success")).to_contain_text("It does not meet SMART yet")
    expect(page.get_by_test_id("smart-failures")).to_contain_text("Time-bound: The plan has no deadline.")
    expect(page.get_by_test_id("move-approved")).to_have_count(0)

    # With a deadline it passes, becomes a proposal, and the member approves it.
    fill_plan(page, deadline=(date.today() + timedelta(days=60)).isoformat())
    smart_check(page)
    expect(page.locator(".alert-success")).to_contain_text("It meets SMART")
    expect(page.get_by_test_id("improvement-status")).to_contain_text("Proposed")
    # Approving happens on a day the member states (today by default), on the page that shows what it changes.
    page.get_by_test_id("move-approved").click()
    expect(page.get_by_label("Day it happened")).to_have_value(date.today().isoformat())
    submit(page, page.get_by_test_id("confirm"))
    expect(page.get_by_test_id("improvement-status")).to_contain_text("Approved")

    # A task, completed; then the improvement is implemented.
    tasks = page.locator("#tasks form").last
    tasks.get_by_label("Task", exact=True).fill("Letter template")
    tasks.get_by_label("Owner").select_option(label=member.name)
    tasks.get_by_label("Due date").fill((date.today() + timedelta(days=5)).isoformat())
    submit(page, tasks.get_by_role("button", name="Add task"))
    page.get_by_label("Status of Letter template").select_option(label="Done")
    submit(page, page.get_by_test_id("tasks").get_by_role("button", name="Change"))
    expect(page.get_by_test_id("improvement-status")).to_contain_text("In progress")
    # A day to come is refused where it was typed; today's goes through.
    page.get_by_test_id("move-implemented").click()
    page.get_by_label("Day it happened").fill((date.today() + timedelta(days=1)).isoformat())
    submit(page, page.get_by_test_id("confirm"))
    expect(page.locator("main form")).to_contain_text("is in the future: give the day it happened")
    page.get_by_label("Day it happened").fill(date.today().isoformat())
    submit(page, page.get_by_test_id("confirm"))
    expect(page.get_by_test_id("improvement-status")).to_contain_text("Implemented")

    # The result after the change, and what clients say of it.
    results = page.locator("#results form")
    results.get_by_label("Value after the change").fill("92")
    submit(page, results.get_by_role("button", name="Record result"))
    expect(page.get_by_test_id("change")).to_have_text("+130.0 %")
    expect(page.get_by_test_id("target-met")).to_contain_text("reached")
    page.locator("#evidence summary").click()
    evidence = page.locator("#evidence form")
    evidence.get_by_label("Title").fill("Satisfaction with answers, wave over wave")
    evidence.get_by_label("Before").fill("3.4")
    evidence.get_by_label("After", exact=True).fill("4.1")
    evidence.get_by_label("Clients understand and value the improvement").check()
    submit(page, evidence.get_by_role("button", name="Add evidence"))
    expect(page.get_by_test_id("c1-standing")).to_contain_text("It counts towards C1.")
    expect(page.locator('[data-link="process_change"]')).to_have_attribute("data-present", "no")

    page.goto("/improvements/")
    expect(page.get_by_test_id("c1-count")).to_have_text("1/3")
    page.get_by_role("link", name="Which qualify and why").click()
    expect(page).to_have_url(re.compile(r"/improvements/c1$"))
    expect(page.get_by_test_id("c1-qualifying")).to_contain_text("Written answers")
