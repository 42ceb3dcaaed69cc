"""Periodic reviews of self-assessments and evidence items, and manual evidence that expires: flagged on the
criterion page, the checklist and the home page; expired evidence no longer counts for its criterion."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from core import reviews as core_reviews
from core.extensions import db
from core.findings import Finding, Status
from evidence import automatic, reviews, services
from evidence.models import Assessment, EvidenceItem, SelfAssessment
from tests.evidence_fixtures import checklist_ids, criterion


@pytest.fixture
def ids(app):
    return checklist_ids(app)


def _item(app, ids, **fields) -> int:
    with app.app_context():
        item = services.add_evidence("Certificate", criteria=[criterion("A1")], actor=None)
        for name, value in fields.items():
            setattr(item, name, value)
        db.session.commit()
        return item.id


def test_expired_evidence_turns_a_met_criterion_partly_met_and_says_why(app):
    item = EvidenceItem(title="ISO certificate", valid_until=date(2026, 11, 30))
    with app.test_request_context():
        finding = reviews.apply_expiry(Finding(Status.MET, gaps=[]), [item], "/c")
        assert finding.status == Status.PARTLY
        assert finding.gaps[0].text.startswith("Evidence “ISO certificate” was valid until 11/30/2026: it no longer "
                                               "counts")
        missing = reviews.apply_expiry(Finding(Status.MISSING), [item])
        assert missing.status == Status.MISSING and len(missing.gaps) == 1
        unchanged = Finding(Status.MET)
        assert reviews.apply_expiry(unchanged, []) is unchanged


def test_the_review_date_of_an_item_runs_from_its_last_review_else_from_when_it_was_added():
    item = EvidenceItem(title="Minutes", created_at=datetime(2026, 1, 10, 9), review_interval_months=6)
    assert reviews.item_review_due(item) == date(2026, 7, 10)
    item.reviewed_on = date(2026, 6, 1)
    assert reviews.item_review_due(item) == date(2026, 12, 1)
    assert reviews.item_flags(item, date(2026, 12, 3)) == {"expired": False, "overdue": True,
                                                           "due": date(2026, 12, 1)}


def test_the_checklist_reflects_expired_evidence_in_the_automatic_status(app, ids, monkeypatch):
    monkeypatch.setattr(automatic, "sources", lambda: {"A1": lambda **kw: Finding(Status.MET)})
    _item(app, ids, valid_until=core_reviews.today() - timedelta(days=1))
    with app.test_request_context():
        found = automatic.findings_for([criterion("A1")])[ids["A1"]]
        assert found.status == Status.PARTLY and "no longer counts" in found.gaps[-1].text
    # Valid until today: it still counts.
    with app.app_context():
        db.session.scalar(select(EvidenceItem)).valid_until = core_reviews.today()
        db.session.commit()
    with app.test_request_context():
        assert automatic.findings_for([criterion("A1")])[ids["A1"]].status == Status.MET


def test_a_coordinator_sets_validity_and_review_and_the_pages_flag_them(app, ids, client_as):
    item_id = _item(app, ids, created_at=datetime(2025, 1, 1, 12))
    coordinator = client_as("coordinator")
    bad = coordinator.post(f"/evidence/evidence/{item_id}/review", data={f"item{item_id}-valid_until": "31/31/2026",
                                                                        "criterion": ids["A1"]},
                           follow_redirects=True).get_data(as_text=True)
    assert "Valid until: Not a valid date value." in bad
    coordinator.post(f"/evidence/evidence/{item_id}/review", data={
        f"item{item_id}-valid_until": "2026-01-31", f"item{item_id}-review_interval_months": "6",
        "criterion": ids["A1"]})
    with app.app_context():
        item = db.session.get(EvidenceItem, item_id)
        assert (item.valid_until, item.review_interval_months) == (date(2026, 1, 31), 6)
    page = coordinator.get(f"/evidence/criteria/{ids['A1']}").get_data(as_text=True)
    assert 'data-testid="evidence-expired"' in page and 'data-testid="evidence-review-overdue"' in page
    checklist = coordinator.get("/evidence/").get_data(as_text=True)
    assert "1 evidence item past its review date" in checklist
    home = coordinator.get("/").get_data(as_text=True)
    assert 'data-testid="reviews-overdue-summary"' in home and "1 evidence item past its review date" in home
    # Reviewed today: no longer overdue.
    coordinator.post(f"/evidence/evidence/{item_id}/review", data={
        f"item{item_id}-valid_until": "2026-01-31", f"item{item_id}-review_interval_months": "6",
        f"item{item_id}-reviewed": "y", "criterion": ids["A1"]})
    assert 'data-testid="reviews-overdue"' not in coordinator.get("/evidence/").get_data(as_text=True)
    assert client_as("member").post(f"/evidence/evidence/{item_id}/review", data={}).status_code == 403


def test_a_self_assessment_with_an_interval_is_flagged_once_past_it(app, ids, client_as):
    coordinator = client_as("coordinator")
    coordinator.post(f"/evidence/criteria/{ids['A2']}/self-assessment", data={"status": "met",
                                                                              "review_interval_months": "3"})
    with app.app_context():
        assessment = services.latest_by_criterion(SelfAssessment,
                                                  [ids["A2"]])[ids["A2"]]
        assert assessment.review_interval_months == 3 and assessment.status == Assessment.MET
        assessment.created_at = datetime(2026, 1, 1, 10)
        db.session.commit()
    page = coordinator.get(f"/evidence/criteria/{ids['A2']}").get_data(as_text=True)
    assert 'data-testid="assessment-review-overdue"' in page
    assert "1 self-assessment past its review date" in coordinator.get("/evidence/").get_data(as_text=True)
    bad = coordinator.post(f"/evidence/criteria/{ids['A2']}/self-assessment",
                           data={"status": "met", "review_interval_months": "500"},
                           follow_redirects=True).get_data(as_text=True)
    assert "Review every (months)" in bad
