"""A wave's invitations in a real browser: a page at a time, searched, each link copied with its button, the used
links marked (named wave); the invite forms above the list choose people with checkboxes and a filter box."""

import re
from datetime import date

from playwright.sync_api import expect

from tests.browser.support import sign_in


def prepare(live_app) -> dict:
    """A named client wave with 60 invitations (two used), and a staff wave with nobody invited yet."""
    from core.extensions import db
    from surveys import engine, invitations
    from surveys.models import Audience, Invitation

    with live_app.app_context():
        survey = engine.create_survey(title="Clients 2026", audience=Audience.CLIENTS, language="en",
                                      template="client_satisfaction", anonymous=False)
        wave = engine.create_wave(survey, name="Spring", opens_on=date(2020, 1, 1), closes_on=None, public_link=False)
        wave.open()
        invitations.invite(wave, [{"name": f"Client {n:03d}", "email": f"client{n:03d}@example.org",
                                   "segment": "Preferential"} for n in range(60)])
        db.session.flush()
        for invitation in db.session.scalars(db.select(Invitation).where(Invitation.name.in_(["Client 003",
                                                                                               "Client 007"]))):
            invitation.used = True
        staff_survey = engine.create_survey(title=None, audience=Audience.STAFF, language="en",
                                            template="staff_participation", anonymous=True)
        staff_wave = engine.create_wave(staff_survey, name="Groups", opens_on=date(2020, 1, 1), closes_on=None,
                                        public_link=False)
        db.session.commit()
        tokens = dict(db.session.execute(db.select(Invitation.name, Invitation.token)).all())
        ids = {"wave": wave.id, "staff_wave": staff_wave.id, "tokens": tokens}
        db.session.remove()
    return ids


def test_the_invitations_page_scales_and_copies_links(live_app, make_live_user, new_context):
    coordinator = make_live_user("coordinator")
    ids = prepare(live_app)
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sign_in(page, coordinator.email, coordinator.password)
    page.goto(f"/surveys/waves/{ids['wave']}")

    table = page.get_by_test_id("invitations")
    expect(table.locator("tbody tr")).to_have_count(25)
    expect(page.get_by_test_id("invitation-matches")).to_have_text("60 invitations")
    # The forms to invite come before the list (folded once people are invited), not 23 000 px below it.
    forms_box = page.get_by_test_id("invite-forms").bounding_box()
    assert forms_box["y"] < table.bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollHeight") < 5000

    page.get_by_role("link", name="3", exact=True).click()
    expect(table.locator("tbody tr")).to_have_count(10)
    expect(table).to_contain_text("Client 059")

    page.get_by_test_id("invitation-filters").get_by_label("Search").fill("client00")
    page.get_by_test_id("invitation-filters").get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("invitation-matches")).to_contain_text("10 of 60 invitations match.")
    row = table.locator("tr", has_text="Client 003")
    expect(row.get_by_test_id("link-used")).to_have_text("Used: answered")
    expect(table.locator("tr", has_text="Client 004").get_by_test_id("link-used")).to_have_text("Not used yet")

    row.get_by_role("button", name="Copy").click()
    expect(row.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()").endswith(f"/s/{ids['tokens']['Client 003']}")

    page.get_by_label("Links").select_option("unused")
    page.get_by_test_id("invitation-filters").get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("invitation-matches")).to_contain_text("8 of 60 invitations match.")
    expect(table).not_to_contain_text("Client 003")


def test_staff_are_invited_by_ticking_boxes_found_with_a_filter(live_app, make_live_user, new_context):
    coordinator = make_live_user("coordinator")
    for name in ("Ane Goñi", "Beñat Etxeberria", "Carmen Ruiz", "David Sanz", "Elena Mora", "Fermín Gil",
                 "Gorka Sáez"):
        make_live_user("member", name=name)
    ids = prepare(live_app)
    page = new_context().new_page()
    sign_in(page, coordinator.email, coordinator.password)
    page.goto(f"/surveys/waves/{ids['staff_wave']}")
    form = page.get_by_test_id("invite-staff")
    form.get_by_test_id("invite-users-filter").fill("ñ")
    choices = form.get_by_test_id("invite-users-choices")
    expect(choices.locator("[data-filter-item]:visible")).to_have_count(2)
    choices.get_by_label("Ane Goñi").check()
    choices.get_by_label("Beñat Etxeberria").check()
    expect(form.get_by_test_id("invite-users-count")).to_have_text("2 chosen")
    form.get_by_test_id("invite-users-filter").fill("zzz")
    expect(choices.get_by_text("Nothing matches the filter.")).to_be_visible()
    form.get_by_label("Their group").fill("Team A")
    with page.expect_navigation():
        form.get_by_role("button", name="Invite").click()
    expect(page.get_by_test_id("invitation-counts")).to_have_text("0 of 2 invited have answered.")
    expect(page.get_by_test_id("invitations")).to_contain_text("Ane Goñi")
    expect(page.get_by_test_id("invitations")).to_contain_text("Beñat Etxeberria")


def test_the_wave_page_follows_a_sending_without_a_reload(live_app, make_live_user, new_context):
    """The queue sends the links in the background: the page's status moves from "2 sent, 6 left" to done by
    itself (static/js/sending.js asks the server again), then offers the list as it is now."""
    from core.extensions import db
    from core.timeutil import utcnow
    from surveys.models import BatchStatus, InvitationBatch

    coordinator = make_live_user("coordinator")
    ids = prepare(live_app)
    with live_app.app_context():
        batch = InvitationBatch(wave_id=ids["wave"], base_url="http://localhost/", status=BatchStatus.SENDING,
                                total=8, sent=2)
        db.session.add(batch)
        db.session.commit()
        batch_id = batch.id
        db.session.remove()
    page = new_context().new_page()
    sign_in(page, coordinator.email, coordinator.password)
    page.goto(f"/surveys/waves/{ids['wave']}")
    status = page.get_by_test_id("sending-batch")
    expect(status).to_contain_text("2 sent, 6 left")
    with live_app.app_context():
        batch = db.session.get(InvitationBatch, batch_id)
        batch.sent, batch.status, batch.finished_at = 8, BatchStatus.DONE, utcnow()
        db.session.commit()
        db.session.remove()
    expect(status).to_contain_text("8 sent.", timeout=10_000)
    expect(page.get_by_test_id("sending-batch")).to_have_attribute("data-state", "done")
    page.get_by_test_id("sending-reload").click()
    expect(page).to_have_url(re.compile(rf"/surveys/waves/{ids['wave']}#invitations$"))
