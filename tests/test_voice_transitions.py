"""A requirement's move back a step waits for confirmation with its consequences and a reason; every move is kept
in the requirement's history. A complaint's response date is never silently overwritten: reopening or changing it is
confirmed with a reason, and answering it again keeps the first date."""

import re

from sqlalchemy import select

from core.extensions import db
from core.transitions import history
from voice.models import REQUIREMENT_HISTORY_KIND, Requirement, RequirementStatus


def test_a_requirement_goes_back_only_confirmed_and_with_a_reason(app, client_as):
    member = client_as("member")
    data = {"statement": "Statements in Basque", "explicit": "1", "typology": "end_user", "source": "survey",
            "identified_on": "2025-01-05", "importance": "3", "origin": ""}
    member.post("/clients/requirements/new", data=data)
    with app.app_context():
        requirement_id = db.session.scalar(select(Requirement.id))
    url = f"/clients/requirements/{requirement_id}/status"
    assert member.post(url, data={"status": "analysed"}).status_code == 302  # forward, lowers nothing: done

    def status():
        with app.app_context():
            return db.session.get(Requirement, requirement_id).status

    assert status() == RequirementStatus.ANALYSED
    page = member.post(url, data={"status": "new", "reason": "Analysed by mistake"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "What it changes in the evidence" in text
    assert 'name="status" value="new"' in text and "Analysed by mistake" in text
    assert status() == RequirementStatus.ANALYSED
    refused = member.post(url, data={"status": "new", "reason": " ", "confirm": "yes"}).get_data(as_text=True)
    assert "Say why the requirement goes back from “Analysed” to “New”." in refused
    assert status() == RequirementStatus.ANALYSED
    member.post(url, data={"status": "new", "reason": "Analysed by mistake", "confirm": "yes"})
    assert status() == RequirementStatus.NEW
    with app.app_context():
        assert [(r.from_value, r.to_value, r.reason) for r in history(REQUIREMENT_HISTORY_KIND, requirement_id)] == [
            ("new", "analysed", None), ("analysed", "new", "Analysed by mistake")]
    assert "Analysed by mistake" in member.get(f"/clients/requirements/{requirement_id}").get_data(as_text=True)


def test_reopening_and_answering_a_complaint_again_keeps_its_first_response_date(app, client_as):
    from datetime import date

    from voice.complaints import COMPLAINT_HISTORY_KIND, RESPONSE_DATE
    from voice.models import Complaint, ComplaintCategory

    with app.app_context():
        category = ComplaintCategory(name="Delays", active=True)
        db.session.add(category)
        db.session.commit()
        category_id = category.id
    form = {"kind": "complaint", "received_on": "2025-03-03", "channel": "phone", "category_id": str(category_id),
            "description": "Nobody called back", "reference": "", "client_code": "", "responded_on": "2025-03-10",
            "resolution": "Called", "satisfaction": "0"}
    member = client_as("member")
    member.post("/clients/complaints/new", data=form)

    def complaint():
        with app.app_context():
            found = db.session.scalar(select(Complaint))
            db.session.expunge(found)
            return found

    url = f"/clients/complaints/{complaint().id}/edit"
    assert "Why does the response date change?" in member.get(url).get_data(as_text=True)
    reopen = form | {"responded_on": "", "version": str(complaint().version)}
    page = member.post(url, data=reopen).get_data(as_text=True)  # unconfirmed: the form shows the consequences
    assert 'data-testid="confirm-change"' in page and "What it changes in the evidence" in page
    assert re.search(r'name="confirm" type="hidden" value="yes"|value="yes"[^>]*name="confirm"', page)
    assert complaint().responded_on == date(2025, 3, 10)  # not until confirmed
    page = member.post(url, data=reopen | {"confirm": "yes"}).get_data(as_text=True)  # confirmed, no reason
    assert "Say why the response date changes" in page and complaint().responded_on == date(2025, 3, 10)
    member.post(url, data=reopen | {"date_reason": "The client wrote again", "confirm": "yes"})
    assert complaint().responded_on is None

    again = form | {"responded_on": "2025-04-02", "version": str(complaint().version)}
    member.post(url, data=again)
    assert complaint().responded_on == date(2025, 3, 10)  # answered again: the first date stays
    with app.app_context():
        rows = [(r.field, r.from_value, r.to_value, r.reason) for r in history(COMPLAINT_HISTORY_KIND,
                                                                                complaint().id)]
    assert rows == [(RESPONSE_DATE, None, "2025-03-10", None),
                    (RESPONSE_DATE, "2025-03-10", None, "The client wrote again"),
                    (RESPONSE_DATE, None, "2025-03-10", None)]
    changed = form | {"responded_on": "2025-04-02", "version": str(complaint().version),
                      "date_reason": "The second answer is the one that solved it", "confirm": "yes"}
    member.post(url, data=changed)
    assert complaint().responded_on == date(2025, 4, 2)
    detail = member.get(f"/clients/complaints/{complaint().id}").get_data(as_text=True)
    assert 'data-testid="history"' in detail and "The second answer is the one that solved it" in detail
