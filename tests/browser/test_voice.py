"""The complaints register in a real browser: an analyst records a complaint for a census client, answers it
a week later, and sees the response time on its page, in the register and in the monthly charts."""

from datetime import date

from playwright.sync_api import expect

from tests.browser.support import sign_in


def seed(live_app):
    from core.extensions import db
    from loyalty.models import Client, Typology
    from voice.models import ComplaintCategory

    with live_app.app_context():
        db.session.add(ComplaintCategory(name="Response delays", active=True))
        db.session.add(Client(code="S-0042", name="Ane Urrutia", typology=Typology.END_USER,
                              joined_on=date(2020, 1, 1)))
        db.session.commit()
        client_id = db.session.query(Client.id).scalar()
        db.session.remove()
    return client_id


def test_an_analyst_records_and_answers_a_complaint_and_reads_the_response_time(
        page, live_app, make_live_user, console_errors):
    client_id = seed(live_app)
    analyst = make_live_user("member", name="Lucía Fernández")
    sign_in(page, analyst.email, analyst.password)

    page.goto("/clients/complaints")
    expect(page.locator(".empty-state")).to_contain_text("Nothing recorded yet")
    page.get_by_role("link", name="Record the first one").click()
    form = page.locator("main form")
    form.get_by_label("Kind").select_option(label="Claim")
    form.get_by_label("Received on").fill("2025-03-03")
    form.get_by_label("Channel").select_option(label="Phone")
    form.get_by_label("Category").select_option(label="Response delays")
    form.get_by_label("Client code (optional)").fill("S-0042")
    form.get_by_label("What the client said").fill("Nobody called me back about my transfer.")
    # A response before it was received is refused, with the dates named (en-GB: day/month/year).
    form.get_by_label("Responded on").fill("2025-03-01")
    with page.expect_navigation():
        form.get_by_role("button", name="Save").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("is before the date it was received (03/03/2025)")

    page.locator("main form").get_by_label("Responded on").fill("")
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("Recorded")
    expect(page.get_by_test_id("response-days")).to_have_text("—")

    page.get_by_role("link", name="Edit or answer").click()
    form = page.locator("main form")
    form.get_by_label("Responded on").fill("2025-03-10")
    form.get_by_label("Resolution", exact=True).fill("Called and sent the transfer form in writing.")
    form.get_by_label("Client's satisfaction with the resolution").select_option(label="Satisfied")
    with page.expect_navigation():
        form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("response-days")).to_have_text("7 days")

    page.get_by_role("link", name="Complaints").first.click()
    expect(page.get_by_test_id("complaints").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("complaints")).to_contain_text("S-0042")
    expect(page.get_by_test_id("mean-response")).to_have_text("7.0 days")
    expect(page.locator("#complaints-monthly svg, #complaints-monthly canvas").first).to_be_visible()
    expect(page.locator("#complaints-response-trend svg, #complaints-response-trend canvas").first).to_be_visible()

    page.goto(f"/clients/{client_id}")
    expect(page.get_by_test_id("client-complaints")).to_contain_text("answered in 7 days")
