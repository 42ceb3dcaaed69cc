"""Surveys in a real browser: a client answers the satisfaction survey through their link, a staff member
answers the anonymous participation survey through theirs, and the coordinator sees both in the results."""

from datetime import date

from playwright.sync_api import expect

from tests.browser.support import sign_in


def prepare(live_app, staff_user_id: int) -> dict:
    """A named client survey with one invitation, and an anonymous staff survey with four earlier responses
    (so that the fifth, given in the browser, completes the first batch of results released)."""
    from core.extensions import db
    from surveys import engine, invitations
    from surveys.models import Audience, Invitation, ItemKind

    with live_app.app_context():
        client_survey = engine.create_survey(title=None, audience=Audience.CLIENTS, language="en",
                                             template="client_satisfaction", anonymous=False)
        client_wave = engine.create_wave(client_survey, name="Spring", opens_on=date(2020, 1, 1), closes_on=None,
                                         public_link=False)
        client_wave.open()
        invitations.invite(client_wave, [{"name": "Ane Goñi", "email": "ane@example.org", "typology": "End user"}])
        staff_survey = engine.create_survey(title=None, audience=Audience.STAFF, language="en",
                                            template="staff_participation", anonymous=True)
        staff_wave = engine.create_wave(staff_survey, name="Groups 2025", opens_on=date(2020, 1, 1), closes_on=None,
                                        public_link=False)
        staff_wave.open()
        invitations.invite(staff_wave, [{"name": "Staff", "user_id": staff_user_id, "segment": "Group A"}])
        earlier = {i.id: (2.0, None) for i in staff_survey.items if i.kind == ItemKind.LIKERT}
        engine.insert_responses(staff_wave, [{"values": earlier, "segment": "Group A"}] * 4)
        db.session.commit()
        def token(wave):
            return db.session.scalar(db.select(Invitation.token).where(Invitation.wave_id == wave.id))

        ids = {"client_wave": client_wave.id, "staff_wave": staff_wave.id,
               "client_token": token(client_wave), "staff_token": token(staff_wave),
               "client_items": [(i.id, str(i.kind)) for i in client_survey.items],
               "staff_items": [(i.id, str(i.kind)) for i in staff_survey.items]}
        db.session.remove()
    return ids


def answer(page, items, *, likert: int, scale: int, comment: str):
    """Fill the questionnaire as a person does: click the answer buttons, pick an option, type a comment."""
    for item_id, kind in items:
        if kind == "likert":
            page.locator(f"label[for='item-{item_id}-{likert}']").click()
        elif kind == "scale":
            page.locator(f"label[for='item-{item_id}-{scale}']").click()
        elif kind == "choice":
            page.locator(f"label[for='item-{item_id}-2']").click()
        else:
            page.locator(f"#item-{item_id}").fill(comment)
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_test_id("thanks")).to_be_visible()


def test_a_client_and_a_staff_member_answer_and_the_results_show_them(live_app, make_live_user, new_context):
    coordinator = make_live_user("coordinator")
    staff = make_live_user("member")
    ids = prepare(live_app, staff.id)

    client_page = new_context().new_page()  # a client: no account, just the link
    client_page.goto(f"/s/{ids['client_token']}")
    expect(client_page.get_by_role("heading", name="Client satisfaction survey")).to_be_visible()
    with client_page.expect_navigation():  # a required answer missing: refused, naming the question
        client_page.get_by_role("button", name="Send my answers").click()
    expect(client_page.get_by_test_id("answer-errors")).to_contain_text(
        "Question 1, “Personal attention”: an answer is needed.")
    answer(client_page, ids["client_items"], likert=5, scale=9, comment="Lovely people at the office")
    client_page.goto(f"/s/{ids['client_token']}")
    expect(client_page.get_by_test_id("already-answered")).to_be_visible()

    staff_page = new_context().new_page()
    sign_in(staff_page, staff.email, staff.password)
    staff_page.goto(f"/s/{ids['staff_token']}")
    expect(staff_page.get_by_text("Your answers are kept without your name")).to_be_visible()
    answer(staff_page, ids["staff_items"], likert=5, scale=0, comment="Worth my time")

    page = new_context().new_page()
    sign_in(page, coordinator.email, coordinator.password)
    page.goto(f"/surveys/waves/{ids['client_wave']}/results")
    expect(page.get_by_test_id("response-count")).to_have_text("1")
    expect(page.get_by_test_id("nps")).to_have_text("+100")
    expect(page.get_by_test_id("csat")).to_have_text("100 %")
    expect(page.get_by_test_id("comments")).to_contain_text("Lovely people at the office")
    expect(page.get_by_test_id("item-results")).to_contain_text("Personal attention")

    page.goto(f"/surveys/waves/{ids['staff_wave']}/results")
    expect(page.get_by_test_id("response-count")).to_have_text("5")
    expect(page.get_by_test_id("participation")).to_have_text("20 %")  # one of five answered favourably
    expect(page.get_by_test_id("comments")).to_contain_text("Worth my time")
    page.goto(f"/surveys/waves/{ids['staff_wave']}")
    expect(page.get_by_test_id("invitation-counts")).to_have_text("1 of 1 invited have answered.")
    expect(page.get_by_test_id("invitations")).not_to_contain_text("yes")
