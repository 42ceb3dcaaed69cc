"""A requirement's move back a step waits for confirmation with its consequences and a reason; every move is kept
in the requirement's history."""

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
