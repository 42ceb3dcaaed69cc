"""The small things people notice (issue 16, item 11): a verdict form that starts on no verdict, Retire and
Delete explained, the organisation on the answering pages, 1–5 anchors in the words of the question, missing
answers named by number, and sub-menus drawn one way (with their "More" dropdown)."""

import io

from sqlalchemy import func, select

from core.extensions import db
from core.models import Organisation
from evidence.models import Verdict
from surveys.models import Invitation, SurveyItem
from tests.evidence_fixtures import checklist_ids
from tests.test_onboarding_setup import PNG


def selected_verdict(page: str) -> str:
    select_html = page[page.index('name="status"', page.index("verdict")):]
    select_html = select_html[:select_html.index("</select>")]
    chosen = [part for part in select_html.split("<option")[1:] if "selected" in part.split(">")[0]]
    return chosen[0].split('value="')[1].split('"')[0] if chosen else ""


def test_the_verdict_form_starts_and_stays_on_no_verdict(app, client_as):
    ids = checklist_ids(app)
    reviewer = client_as("reviewer")
    url = f"/evidence/criteria/{ids['A1']}"
    page = reviewer.get(url).get_data(as_text=True)
    assert "— choose the verdict —" in page and selected_verdict(page) == ""
    refused = reviewer.post(url + "/verdict", data={"status": "", "comment": "forgot"}, follow_redirects=True)
    assert "Choose the verdict." in refused.get_data(as_text=True)
    reviewer.post(url + "/verdict", data={"status": "met"})
    assert selected_verdict(reviewer.get(url).get_data(as_text=True)) == ""  # not reset to the last one saved
    with app.app_context():
        assert [v.status.value for v in db.session.scalars(select(Verdict))] == ["met"]


def test_retire_and_delete_say_how_they_differ(client_as, make_process):
    draft = make_process(status="draft")
    page = client_as("coordinator").get(f"/processes/{draft}").get_data(as_text=True)
    assert 'data-testid="retire-delete-help"' in page and 'aria-describedby="retire-delete-help"' in page
    assert "Retire takes the process off the map" in page and "Delete erases a draft" in page
    in_force = client_as("coordinator").get(f"/processes/{make_process()}").get_data(as_text=True)
    assert "Retire takes the process off the map" in in_force and "Delete erases a draft" not in in_force


def test_the_answering_pages_show_the_organisation(app, client, client_as, make_survey, make_wave):
    coordinator = client_as("coordinator")
    coordinator.post("/settings/organisation", data={"name": "Fondo Aurrera", "version": ""})
    coordinator.post("/settings/organisation/logo", content_type="multipart/form-data",
                     data={"logo": (io.BytesIO(PNG), "logo.png")})
    wave = make_wave(make_survey(), invitees=[{"name": "Ane", "email": "ane@example.org"}], public_link=True)
    with app.app_context():
        token = db.session.scalar(select(Invitation.token))
        assert Organisation.current().logo is not None
    for url in (f"/s/{token}", "/s/not-a-token"):
        page = client.get(url).get_data(as_text=True)
        assert 'data-testid="survey-organisation"' in page and "Fondo Aurrera" in page, url
    assert 'alt="Logo of Fondo Aurrera"' in client.get(f"/s/{token}").get_data(as_text=True)
    assert wave


def test_each_1_to_5_item_has_the_anchors_of_its_question(app, client, make_survey, make_wave):
    clients = make_wave(make_survey(), invitees=[{"name": "Ane", "email": "ane@example.org"}])
    staff = make_wave(make_survey("staff_participation"), invitees=[{"name": "Jon", "email": "jon@example.org"}])
    with app.app_context():
        tokens = {wave: db.session.scalar(select(Invitation.token).where(Invitation.wave_id == wave))
                  for wave in (clients, staff)}
    client_page = client.get(f"/s/{tokens[clients]}").get_data(as_text=True)
    assert "5 = very satisfied" in client_page  # attributes and overall satisfaction
    assert "5 = strongly agree" in client_page  # "I intend to remain a client…" is a statement
    staff_page = client.get(f"/s/{tokens[staff]}").get_data(as_text=True)
    assert "5 = strongly agree" in staff_page and "very satisfied" not in staff_page
    assert "/ strongly" not in client_page


def test_an_empty_submit_names_the_missing_questions_by_number(app, client, make_survey, make_wave):
    make_wave(make_survey(), invitees=[{"name": "Ane", "email": "ane@example.org"}])
    with app.app_context():
        token = db.session.scalar(select(Invitation.token))
        required = db.session.scalar(select(func.count()).select_from(SurveyItem).where(SurveyItem.required))
    page = client.post(f"/s/{token}", data={}).get_data(as_text=True)
    assert "Question 1, “Personal attention”: an answer is needed." in page
    assert page.count(": an answer is needed.") == required


def test_every_module_draws_its_sub_menu_the_same_way(client_as):
    coordinator = client_as("coordinator")
    for url in ("/processes/", "/clients/", "/improvements/", "/evidence/"):
        page = coordinator.get(url).get_data(as_text=True)
        assert page.count("data-subnav>") == 1 and "data-subnav-more" in page, url
    improvements = coordinator.get("/improvements/").get_data(as_text=True)
    assert 'aria-label="Improvement sections"' in improvements and 'class="nav nav-tabs' not in improvements
    assert "/static/js/subnav.js" in improvements
