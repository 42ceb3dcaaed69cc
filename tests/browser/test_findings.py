"""A finding in a real browser: a reviewer records a minor nonconformity in a cycle, a coordinator answers it with
a corrective action and a task for a member, the member completes the task and marks the action implemented on
the improvement pages, and the reviewer closes the finding; the cycle's pack then lists it closed. The new pages
have no critical or serious axe-core violation."""

from datetime import date, timedelta
from io import BytesIO

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.support import axe_violations, install_axe, sign_in


def add_cycle(live_app, member_id: int, reviewer_id: int) -> tuple[int, int]:
    from certification.models import Cycle
    from core.extensions import db
    from core.models import User
    from evidence.criteria_sets import current_set, ensure_builtin_sets
    from improvements.models import Group, GroupMember

    with live_app.app_context():
        ensure_builtin_sets()
        group = Group(name="Complaints group", purpose="Fewer complaints",
                      members=[GroupMember(user_id=member_id, role="Member")])
        cycle = Cycle(name="Certification 2026", set_id=current_set().id, period_start=date(2025, 1, 1),
                      period_end=date(2025, 12, 31), reviewers=[db.session.get(User, reviewer_id)])
        db.session.add_all([group, cycle])
        db.session.commit()
        ids = cycle.id, group.id
        db.session.remove()
    return ids


def submit(page, locator):
    with page.expect_navigation():
        locator.click()


def person(new_context, user):
    context = new_context()
    install_axe(context)
    page = context.new_page()
    sign_in(page, user.email, user.password)
    return page


def accessible(page):
    assert axe_violations(page) == [], page.url


def test_a_nonconformity_goes_from_the_reviewer_to_a_corrective_action_and_back_closed(live_app, make_live_user,
                                                                                       new_context):
    reviewer = make_live_user("reviewer", name="Rachel Adams")
    coordinator = make_live_user("coordinator", name="Carmen Ruiz")
    member = make_live_user("member", name="Miguel Torres")
    cycle_id, _group_id = add_cycle(live_app, member.id, reviewer.id)
    today = date.today()

    # The reviewer records a minor nonconformity on a criterion of the cycle.
    review = person(new_context, reviewer)
    review.goto(f"/certification/cycles/{cycle_id}/findings")
    accessible(review)
    review.get_by_test_id("record-finding").click()
    form = review.locator("main form")
    form.get_by_label("Kind").select_option(label="Minor nonconformity")
    form.get_by_label("Criterion").select_option(index=1)
    form.get_by_label("Finding", exact=True).fill("Six complaints of the sample were answered after 7 days.")
    form.get_by_label("Evidence seen").fill("Complaints register, second half of the year.")
    accessible(review)
    submit(review, form.get_by_role("button", name="Record finding"))
    expect(review.get_by_role("heading", level=1)).to_have_text("Finding NC-1")
    expect(review.get_by_test_id("finding-state")).to_contain_text("Open")
    expect(review.get_by_test_id("answer-finding")).to_have_count(0)
    finding_url = review.url
    accessible(review)

    # The coordinator answers it: the root cause, the corrective action, its owner, deadline and a first task.
    coordinate = person(new_context, coordinator)
    coordinate.goto(finding_url)
    coordinate.get_by_test_id("answer-finding").click()
    form = coordinate.get_by_test_id("answer-form")
    form.get_by_label("Root cause").fill("The procedure set no deadline for answers by telephone.")
    form.get_by_label("Corrective action").fill("Set a 7-day deadline for every answer, always in writing.")
    form.get_by_label("Improvement group that works it").select_option(label="Complaints group")
    form.get_by_label("Owner of the action").select_option(label=member.name)
    form.get_by_label("Deadline").fill((today + timedelta(days=30)).isoformat())
    form.get_by_label("First task").fill("Rewrite the complaints procedure")
    form.get_by_label("Task owner").select_option(label=member.name)
    form.get_by_label("Task due date").fill((today + timedelta(days=10)).isoformat())
    accessible(coordinate)
    submit(coordinate, form.get_by_role("button", name="Answer"))
    expect(coordinate.get_by_test_id("finding-state")).to_contain_text("Answered")
    expect(coordinate.get_by_test_id("finding-action")).to_contain_text("Rewrite the complaints procedure")
    expect(coordinate.get_by_test_id("finding-verify")).to_have_count(0)  # coordinators never close
    accessible(coordinate)

    # The member works the task on the improvement pages and marks the action implemented.
    work = person(new_context, member)
    work.goto(finding_url)
    work.get_by_test_id("action-link").click()
    expect(work.get_by_test_id("corrective-badge")).to_have_text("Corrective action")
    expect(work.get_by_test_id("corrective-finding")).to_contain_text("NC-1")
    accessible(work)
    work.get_by_label("Status of Rewrite the complaints procedure").select_option(label="Done")
    submit(work, work.get_by_test_id("tasks").get_by_role("button", name="Change"))
    expect(work.get_by_test_id("improvement-status")).to_contain_text("In progress")
    work.get_by_test_id("move-implemented").click()
    submit(work, work.get_by_test_id("confirm"))
    expect(work.get_by_test_id("improvement-status")).to_contain_text("Implemented")
    expect(work.get_by_test_id("move-verified")).to_have_count(0)  # the reviewer verifies, by closing
    work.goto("/improvements/board?kind=corrective")
    expect(work.get_by_test_id("board-card")).to_have_count(1)
    expect(work.get_by_test_id("board-card")).to_contain_text("Corrective action")
    accessible(work)

    # The reviewer verifies and closes the finding: the action is verified with it.
    review.goto(finding_url)
    verify = review.get_by_test_id("finding-verify")
    verify.get_by_label("What you verified").fill("A sample of 20 later complaints: all answered in writing in time.")
    submit(review, verify.get_by_role("button", name="Close finding"))
    expect(review.get_by_test_id("finding-state")).to_contain_text("Closed")
    expect(review.get_by_test_id("finding-verification")).to_contain_text("A sample of 20 later complaints")
    expect(review.get_by_test_id("finding-action")).to_contain_text("Verified")
    expect(review.get_by_test_id("history")).to_contain_text("Closed")
    accessible(review)
    review.goto("/certification/findings?state=closed")
    expect(review.get_by_test_id("finding-row")).to_have_count(1)
    accessible(review)

    # The cycle's pack, generated by the reviewer on the cycle's page and built by the queue's worker, lists the
    # finding closed, with what was verified.
    review.goto(f"/certification/cycles/{cycle_id}")
    pack_form = review.get_by_test_id("cycle-pack-form")
    pack_form.get_by_label("Language of the pack").select_option("en")
    submit(review, pack_form.get_by_role("button", name="Generate the cycle’s pack (PDF)"))
    download = review.locator("[data-job-download]")
    expect(download).to_be_visible(timeout=180_000)
    pdf = review.request.get(download.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.body())).pages).split())
    assert "Certification 2026" in text and "Findings of the certification cycle" in text
    assert "NC-1" in text and "Minor nonconformity" in text and "Closed" in text
    assert "A sample of 20 later complaints" in text
