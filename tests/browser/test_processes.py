"""The process map in a real browser: a coordinator builds a process sheet with an owner, a participant and an
indicator, records its measurements one by one and in the grid, sees the trend chart and the box on the map;
only the owner (among members) may edit a sheet; on a phone the map scrolls inside its frame.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import sign_in

PHONE = pytest.mark.browser_context_args(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)

CODE = "PC-07"
NAME = "Welcoming new members"
INDICATOR = "PC-07-I1"


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def add_programme(live_app) -> int:
    """The programme under certification, straight into the live app's database; returns its id."""
    from core.extensions import db
    from processes.models import Programme

    with live_app.app_context():
        programme = Programme(code="FID", name="Loyalty", is_certified=True)
        db.session.add(programme)
        db.session.commit()
        programme_id = programme.id
        db.session.remove()
    return programme_id


def add_process(live_app, programme_id: int, code: str, name: str, *, owner_id=None, kind="key",
                purpose=None) -> int:
    """A process sheet in the live app's database; returns its id."""
    from core.extensions import db
    from processes.models import Process, ProcessKind

    with live_app.app_context():
        process = Process(code=code, name=name, kind=ProcessKind(kind), programme_id=programme_id,
                          owner_id=owner_id, purpose=purpose)
        db.session.add(process)
        db.session.commit()
        process_id = process.id
        db.session.remove()
    return process_id


def submit(page, locator):
    """Click a submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        locator.click()


def record_value(page, period: str, value: str):
    """Fill and send the "Record a value" form of the indicator page."""
    record = page.get_by_role("button", name="Record", exact=True)
    form = page.locator("#record form").filter(has=record)
    # By name, scoped to the form: the page's three forms share the ids "period" and "value" (see the report).
    form.locator("input[name=period]").fill(period)
    form.locator("input[name=value]").fill(value)
    submit(page, record)


def data_rows(page):
    return page.get_by_test_id("indicator-data").locator("tbody tr")


def value_of(page, period: str):
    """The Value cell of a period's row in the data table."""
    return data_rows(page).filter(has=page.get_by_role("cell", name=period, exact=True)).locator("td").nth(1)


def test_a_coordinator_builds_a_process_records_its_indicator_and_sees_the_chart_and_the_map(
        page, live_app, make_live_user, console_errors):
    add_programme(live_app)
    coordinator = make_live_user("coordinator", name="Carmen Ruiz")
    owner = make_live_user("member", name="Olga Navarro")
    participant = make_live_user("member", name="Pablo Serrano")
    sign_in(page, coordinator.email, coordinator.password)

    # The map of the certified programme is empty and offers the first process.
    page.goto("/processes/")
    empty = page.locator(".empty-state")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text("This programme has no processes yet")
    expect(page.get_by_test_id("process-map")).to_have_count(0)
    empty.get_by_role("link", name="New process").click()
    expect(page).to_have_url(re.compile(r"/processes/new$"))

    # The sheet: the certified programme comes chosen.
    form = page.locator("main form")
    expect(form.get_by_label("Programme").locator("option:checked")).to_have_text("FID · Loyalty")
    form.get_by_label("Code", exact=True).fill(CODE)
    form.get_by_label("Name", exact=True).fill(NAME)
    form.get_by_label("Type", exact=True).select_option(label="Key")
    form.get_by_label("Owner", exact=True).select_option(label=owner.name)
    form.get_by_label("Status", exact=True).select_option(label="In force")
    form.get_by_label("Purpose", exact=True).fill("Turn every new member into an active one in their first month.")
    form.get_by_label("Starts with", exact=True).fill("A person signs up.")
    form.get_by_label("Ends with", exact=True).fill("The member has used the card twice.")
    form.get_by_label("Inputs", exact=True).fill("Sign-up forms")
    form.get_by_label("Outputs", exact=True).fill("Active members")
    form.get_by_label("Clients of the process", exact=True).fill("Members; the marketing team")
    submit(page, form.get_by_role("button", name="Save"))

    match = re.fullmatch(r"/processes/(\d+)", path_of(page.url))
    assert match, page.url
    process_path = match.group(0)
    expect(page.locator(".alert-success")).to_contain_text(f"Process {CODE} created.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{CODE} · {NAME}")
    expect(page.get_by_text(f"Owner: {owner.name}")).to_be_visible()
    page.get_by_role("link", name="Revisions of the sheet").click()
    expect(page.get_by_test_id("revisions")).to_contain_text("Sheet created")
    page.go_back()
    expect(page.locator(".sheet dd").first).to_have_text(
        "Turn every new member into an active one in their first month.")

    # A participant.
    people = page.locator("#people")
    expect(people).to_contain_text("Nobody yet.")
    people.get_by_label("Person").select_option(label=participant.name)
    people.get_by_label("Role in the process").fill("Front-desk agent")
    submit(page, people.get_by_role("button", name="Add participant"))

    assert path_of(page.url) == process_path + "#people"
    expect(page.locator(".alert-success")).to_contain_text("Participant added.")
    expect(people.locator("li")).to_have_count(1)
    expect(people.locator("li")).to_contain_text(f"{participant.name} · Front-desk agent")

    # An indicator.
    page.locator("#indicators").get_by_role("link", name="New indicator").click()
    expect(page).to_have_url(re.compile(rf"{process_path}/indicators/new$"))
    form = page.locator("main form")
    form.get_by_label("Code", exact=True).fill(INDICATOR)
    form.get_by_label("Name", exact=True).fill("New members active after 30 days")
    form.get_by_label("Definition / formula").fill("Members with two purchases in their first 30 days / sign-ups")
    form.get_by_label("Unit", exact=True).fill("%")
    form.get_by_label("Frequency").select_option(label="Monthly")
    form.get_by_label("Better when").select_option(label="Higher is better")
    form.get_by_label("Kind", exact=True).select_option(label="Performance indicator")
    form.get_by_label("Alert threshold").fill("80")
    form.get_by_label("Responsible").select_option(label=owner.name)
    submit(page, form.get_by_role("button", name="Save"))

    assert re.fullmatch(r"/processes/indicators/\d+", path_of(page.url)), page.url
    indicator_path = path_of(page.url)
    expect(page.locator(".alert-success")).to_contain_text(f"Indicator {INDICATOR} created.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{INDICATOR} · New members active after 30 days")
    trend = page.locator("section[aria-labelledby=trend-title]")
    expect(trend).to_contain_text("No measurements yet: the chart appears with the first value.")
    expect(page.get_by_test_id("indicator-data")).to_have_count(0)

    # Its target from January 2025.
    targets = page.locator("#targets")
    expect(targets).to_contain_text("No target yet")
    targets.get_by_label("From period").fill("2025-01")
    targets.locator("input[name=target-value]").fill("85")
    submit(page, targets.get_by_role("button", name="Set target"))

    assert path_of(page.url) == indicator_path + "#targets"
    expect(page.locator(".alert-success")).to_contain_text("Target set from 2025-01.")
    expect(targets.locator("li")).to_have_text("From 2025-01: 85")

    # Three months, one by one.
    for period, value in (("2025-01", "82"), ("2025-02", "86"), ("2025-03", "88")):
        record_value(page, period, value)
        assert path_of(page.url) == indicator_path
        expect(page.locator(".alert-success")).to_contain_text(f"Value for {period} recorded.")
    expect(data_rows(page)).to_have_count(3)
    expect(value_of(page, "2025-02")).to_have_text("86")

    # February again, with another value: the page asks before replacing it.
    record_value(page, "2025-02", "87.5")
    assert console_errors == []
    question = page.get_by_test_id("replace-or-keep")
    expect(question).to_be_visible()
    expect(question).to_contain_text(
        "2025-02 already has the value 86 (entered by Carmen Ruiz). Replace it with 87.5, or keep it?")
    expect(value_of(page, "2025-02")).to_have_text("86")  # nothing changed yet
    submit(page, question.get_by_role("button", name="Replace"))

    assert path_of(page.url) == indicator_path
    expect(page.locator(".alert-success")).to_contain_text("Value for 2025-02 recorded.")
    expect(question).to_have_count(0)
    expect(data_rows(page)).to_have_count(3)
    expect(value_of(page, "2025-02")).to_have_text("87.5")
    expect(page.get_by_test_id("latest-status")).to_contain_text("Latest (2025-03): 88 / target 85")
    expect(page.get_by_test_id("latest-status").locator("[data-status]")).to_have_attribute("data-status",
                                                                                          "on_target")

    # The trend chart: results and target as lines, one point per month.
    figure = trend.locator("figure")
    expect(figure).to_have_attribute("data-chart-state", "drawn")
    expect(trend.locator("figure svg")).to_be_visible()
    expect(figure.locator("svg .mark-line.role-mark path")).to_have_count(2)
    expect(figure.locator("svg .mark-symbol.role-mark path")).to_have_count(3)
    expect(figure.locator("figcaption")).to_have_text(
        "Trend of New members active after 30 days with its target and external comparisons")
    assert console_errors == []

    # Two more months in the grid.
    page.get_by_role("link", name="Enter many periods").click()
    expect(page).to_have_url(re.compile(rf"{indicator_path}/grid$"))
    page.get_by_label("From period").fill("2025-01")
    page.get_by_label("To period").fill("2025-06")
    submit(page, page.get_by_role("button", name="Show periods"))
    grid = page.locator("main form[method=post]")
    expect(grid.locator("tbody tr")).to_have_count(6)
    expect(grid.locator("input[name='value-2025-02-01']")).to_have_value("87.5")  # recorded values are shown
    expect(grid.locator("input[name='value-2025-04-01']")).to_have_value("")
    grid.locator("input[name='value-2025-04-01']").fill("84")
    grid.locator("input[name='value-2025-05-01']").fill("90")
    submit(page, grid.get_by_role("button", name="Save all"))

    assert path_of(page.url) == indicator_path
    expect(page.locator(".alert-success")).to_contain_text("2 values added and 0 changed.")
    expect(data_rows(page)).to_have_count(5)
    expect(data_rows(page).locator("td:first-child")).to_have_text(
        ["2025-05", "2025-04", "2025-03", "2025-02", "2025-01"])
    expect(value_of(page, "2025-04")).to_have_text("84")
    expect(value_of(page, "2025-05")).to_have_text("90")
    expect(figure.locator("svg .mark-symbol.role-mark path")).to_have_count(5)

    # The map: the new process's box, with its owner, opens its sheet.
    page.goto("/processes/")
    process_map = page.get_by_test_id("process-map")
    expect(process_map).to_be_visible()
    box = process_map.locator(f"a.map-box[data-process-code='{CODE}']")
    expect(box).to_have_count(1)
    expect(box).to_contain_text(owner.name)
    expect(box).to_contain_text(NAME)
    box.click()
    expect(page).to_have_url(re.compile(rf"{process_path}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{CODE} · {NAME}")
    indicator_row = page.locator("#indicators tbody tr")
    expect(indicator_row).to_have_count(1)
    expect(indicator_row).to_contain_text(INDICATOR)
    expect(indicator_row).to_contain_text("90 %")
    assert console_errors == []


def test_among_members_only_the_owner_may_edit_the_sheet(page, live_app, make_live_user):
    programme_id = add_programme(live_app)
    owner = make_live_user("member", name="Olga Navarro")
    other = make_live_user("member", name="Miguel Torres")
    process_id = add_process(live_app, programme_id, "PC-01", "Handling complaints", owner_id=owner.id,
                             purpose="Answer every complaint within a week.")
    sheet = f"/processes/{process_id}"

    sign_in(page, other.email, other.password)
    page.goto(sheet)
    expect(page.get_by_role("heading", level=1)).to_have_text("PC-01 · Handling complaints")
    expect(page.get_by_text(f"Owner: {owner.name}")).to_be_visible()
    expect(page.get_by_role("link", name="Edit sheet")).to_have_count(0)
    expect(page.get_by_role("link", name="New indicator")).to_have_count(0)
    expect(page.get_by_role("button", name="Add participant")).to_have_count(0)

    page.context.clear_cookies()
    sign_in(page, owner.email, owner.password)
    page.goto(sheet)
    edit = page.get_by_role("link", name="Edit sheet")
    expect(edit).to_be_visible()
    edit.click()
    expect(page).to_have_url(re.compile(rf"{sheet}/edit$"))
    purpose = page.locator("main form").get_by_label("Purpose", exact=True)
    expect(purpose).to_have_value("Answer every complaint within a week.")
    purpose.fill("Answer every complaint within three working days.")
    page.locator("main form").get_by_label("Reason for the change").fill("Agreed by the improvement group")
    submit(page, page.locator("main form").get_by_role("button", name="Save"))

    assert path_of(page.url) == sheet
    expect(page.locator(".alert-success")).to_contain_text("Process PC-01 saved.")
    expect(page.locator(".sheet dd").first).to_have_text("Answer every complaint within three working days.")
    expect(page.get_by_text(f"Owner: {owner.name}")).to_be_visible()
    page.get_by_role("link", name="Revisions of the sheet").click()
    expect(page.get_by_test_id("revisions")).to_contain_text("Agreed by the improvement group")


@PHONE
def test_on_a_phone_the_map_scrolls_inside_its_frame_not_the_page(page, live_app, make_live_user):
    programme_id = add_programme(live_app)
    member = make_live_user("member", name="Olga Navarro")
    for number, kind in enumerate(("strategic", "key", "key", "key", "support"), start=1):
        add_process(live_app, programme_id, f"PC-0{number}", f"Process {number}", owner_id=member.id, kind=kind)
    sign_in(page, member.email, member.password)

    page.goto("/processes/")
    process_map = page.get_by_test_id("process-map")
    expect(process_map).to_be_visible()
    expect(process_map.locator("a.map-box")).to_have_count(5)

    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    frame = process_map.evaluate("frame => ({client: frame.clientWidth, scroll: frame.scrollWidth})")
    assert frame["scroll"] > frame["client"], frame  # the map is wider than the phone: the frame scrolls

    scrolled = process_map.evaluate("frame => { frame.scrollLeft = frame.scrollWidth; return frame.scrollLeft; }")
    assert scrolled > 0
    assert page.evaluate("window.scrollX") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    last_box = process_map.locator("a.map-box[data-process-code='PC-04']")
    last_box.scroll_into_view_if_needed()
    expect(last_box).to_be_in_viewport()
