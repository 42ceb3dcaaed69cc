"""Switching the criteria set in use is shown first, criterion by criterion (what leaves the checklist, what
joins it, what the reviewer judged), always waits for confirmation with a reason, and is kept in the sets'
history on the sets page."""

from sqlalchemy import select

from core.extensions import db
from core.rules import TransitionRefused
from core.transitions import ConfirmationNeeded
from evidence import switching
from evidence.criteria_sets import current_set, install_set, parse_criteria_file
from evidence.models import CriteriaSet
from tests.evidence_fixtures import checklist_ids

ALTERNATIVE = """\
code: ALT-1
name:
  en: Another standard
criteria:
  - code: A1
    text: The process map is drawn.
  - code: Z9
    text: Something new.
"""


def _in_use(app) -> str:
    with app.app_context():
        return current_set().code


def test_switching_the_set_names_each_criterion_it_changes_and_needs_a_reason(app, client_as):
    ids = checklist_ids(app)
    with app.app_context():
        alternative = install_set(parse_criteria_file(ALTERNATIVE), source="alt.yaml")
        db.session.commit()
        alternative_id = alternative.id
    reviewer, coordinator = client_as("reviewer"), client_as("coordinator")
    reviewer.post(f"/evidence/criteria/{ids['A1']}/verdict", data={"status": "met", "comment": "Map seen"})
    url = f"/evidence/sets/{alternative_id}/use"
    assert coordinator.post(url, data={}).headers["Location"].endswith(url)  # unconfirmed: the page that asks
    assert _in_use(app) == "FID-A1E1"
    page = coordinator.get(url).get_data(as_text=True)
    assert 'data-criterion="A1" data-lowered="no"' in page
    assert "Its self-assessment and verdict stay with the old set." in page
    assert 'data-criterion="B1" data-lowered="yes"' in page and "B1 (Missing) leaves the checklist." in page
    assert "Z9 joins the checklist: Missing, with no self-assessment or verdict yet." in page
    refused = coordinator.post(url, data={"confirm": "yes", "reason": ""}).get_data(as_text=True)
    assert "Say why the checklist changes to another criteria set." in refused and _in_use(app) == "FID-A1E1"
    coordinator.post(url, data={"confirm": "yes", "reason": "The certifier asked for ALT-1"})
    assert _in_use(app) == "ALT-1"
    with app.app_context():
        assert [(r.from_value, r.to_value, r.reason) for r in switching.switch_history()] == [
            ("FID-A1E1", "ALT-1", "The certifier asked for ALT-1")]
    sets_page = coordinator.get("/evidence/sets").get_data(as_text=True)
    assert 'data-testid="history"' in sets_page and "The certifier asked for ALT-1" in sets_page


def test_the_service_refuses_an_unconfirmed_switch_and_the_set_in_use(app):
    checklist_ids(app)
    with app.test_request_context():
        builtin = db.session.scalar(select(CriteriaSet).where(CriteriaSet.code == "FID-A1E1"))
        alternative = install_set(parse_criteria_file(ALTERNATIVE), source="alt.yaml")
        try:
            switching.use_set(alternative, actor=None, reason="Why not")
        except ConfirmationNeeded:
            pass
        else:
            raise AssertionError("switched unconfirmed")
        assert current_set().code == "FID-A1E1"
        switching.use_set(alternative, actor=None, reason="Asked", confirmed=True)
        try:
            switching.use_set(alternative, actor=None, reason="Again", confirmed=True)
        except TransitionRefused as refusal:
            assert "is the set in use already" in str(refusal.reasons[0])
        else:
            raise AssertionError("switched to the set in use")
        back = {c.code: (c.before, c.after) for c in switching.switch_consequences(builtin)}
        assert back["Z9"][1] is None and back["A2"][0] is None and "A1" not in back  # A1 unchanged, unjudged
