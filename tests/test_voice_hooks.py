"""The voice of the client plugged into improvements: requirements and complaint categories as sources,
and complaint counts and response times before and after an implemented improvement (C2)."""

from datetime import date, timedelta

from core.extensions import db
from improvements.models import Improvement, Status
from improvements.results import computed_for
from improvements.sources import source_kinds, source_label
from voice.models import Channel, Complaint, ComplaintCategory, ContactKind, Requirement, RequirementSource


def _month_start(months_ago: int) -> date:
    today = date.today().replace(day=1)
    index = today.year * 12 + today.month - 1 - months_ago
    return date(index // 12, index % 12 + 1, 1)


def _setup(app, make_group, make_improvement, *, via_requirement=False):
    with app.app_context():
        delays = ComplaintCategory(name="Delays", active=True)
        db.session.add(delays)
        db.session.flush()
        # Six complaints in the year before the change (10 days to answer), one after it (2 days).
        for months_ago in (12, 11, 10, 9, 8, 7):
            day = _month_start(months_ago)
            db.session.add(Complaint(kind=ContactKind.COMPLAINT, channel=Channel.PHONE, category_id=delays.id,
                                     received_on=day, responded_on=day + timedelta(days=10), description="Late"))
        after = _month_start(2)
        heard = Complaint(kind=ContactKind.CLAIM, channel=Channel.EMAIL, category_id=delays.id, received_on=after,
                          responded_on=after + timedelta(days=2), description="Still late")
        db.session.add(heard)
        db.session.flush()
        requirement = Requirement(statement="Answers within a week", source=RequirementSource.COMPLAINT,
                                  identified_on=after, complaint_id=heard.id, importance=3)
        db.session.add(requirement)
        db.session.commit()
        source = ("client_requirement", requirement.id) if via_requirement else ("complaint_category", delays.id)
    return make_improvement(make_group(), status=Status.IMPLEMENTED, smart=True, source_kind=source[0],
                            source_id=source[1], implemented_on=_month_start(5))


def test_complaint_categories_and_requirements_are_linkable_sources(app, make_group, make_improvement):
    improvement_id = _setup(app, make_group, make_improvement)
    with app.test_request_context():
        assert source_kinds()["complaint_category"].linkable and source_kinds()["client_requirement"].linkable
        improvement = db.session.get(Improvement, improvement_id)
        assert source_label(improvement) == "Complaint category: Delays"
        assert [label for _id, label in source_kinds()["client_requirement"].choices()] == ["Answers within a week"]


def test_before_and_after_counts_and_response_times_for_the_targeted_category(app, make_group, make_improvement):
    improvement_id = _setup(app, make_group, make_improvement)
    with app.test_request_context():
        improvement = db.session.get(Improvement, improvement_id)
        complaints, response = computed_for([improvement])[improvement_id]
    assert (complaints.kind, complaints.before_value, complaints.favourable) == ("complaints", 0.5, True)
    assert complaints.after_value == 1 / 6  # one complaint in the six months since (this month included)
    assert (response.before_value, response.after_value, response.favourable) == (10.0, 2.0, True)


def test_a_requirement_heard_in_a_complaint_targets_its_category(app, make_group, make_improvement, client_as):
    improvement_id = _setup(app, make_group, make_improvement, via_requirement=True)
    with app.test_request_context():
        improvement = db.session.get(Improvement, improvement_id)
        assert [e.kind for e in computed_for([improvement])[improvement_id]] == ["complaints", "response_time"]
    html = client_as("reviewer").get(f"/improvements/{improvement_id}").get_data(as_text=True)
    assert "mean response time (days)" in html


def test_improvements_without_a_complaint_category_cost_no_query(app, make_group, make_improvement):
    improvement_id = make_improvement(make_group(), status=Status.IMPLEMENTED, implemented_on=date(2025, 1, 1))
    with app.test_request_context():
        assert computed_for([db.session.get(Improvement, improvement_id)]) == {}
