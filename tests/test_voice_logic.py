"""The voice of the client's rules and figures, against hand-computed cases: response time, monthly counts,
the requirements workflow, the cost of listening and its benefit."""

from datetime import date

import pytest

from core.extensions import db
from core.rules import TransitionRefused
from voice import complaints, costs, requirements
from voice.complaints import ComplaintFilters
from voice.models import (
    ActivityKind,
    Channel,
    Complaint,
    ComplaintCategory,
    ContactKind,
    ListeningActivity,
    ListeningAssumptions,
    Requirement,
    RequirementSource,
    RequirementStatus,
    VoiceRuleError,
    listening_cost,
)


def _complaint(category, received, responded=None, **fields):
    complaint = Complaint(kind=fields.pop("kind", ContactKind.COMPLAINT), channel=Channel.PHONE, category=category,
                          received_on=received, responded_on=responded, description=fields.pop("text", "x"), **fields)
    db.session.add(complaint)
    return complaint


@pytest.fixture
def categories(ctx):
    delays, errors = ComplaintCategory(name="Delays"), ComplaintCategory(name="Errors")
    db.session.add_all([delays, errors])
    db.session.flush()
    return delays, errors


def test_response_time_is_counted_in_days_by_sql_across_months_and_leap_years(categories):
    delays, _errors = categories
    _complaint(delays, date(2024, 2, 27), date(2024, 3, 2), reference="A")  # 2024 is a leap year: 4 days
    _complaint(delays, date(2023, 12, 30), date(2024, 1, 2), reference="B")  # 3 days
    _complaint(delays, date(2024, 5, 1), reference="C")  # unanswered
    db.session.flush()
    rows = {row.Complaint.reference: row.response_days
            for row in db.session.execute(complaints.complaints_query(ComplaintFilters()))}
    assert rows == {"A": 4, "B": 3, "C": None}
    figures = complaints.summary(ComplaintFilters())
    assert figures["total"] == 3 and figures["open"] == 1
    assert figures["mean_days"] == pytest.approx(3.5) and figures["max_days"] == 4


def test_monthly_counts_and_mean_response_time_by_category(categories):
    delays, errors = categories
    _complaint(delays, date(2024, 1, 3), date(2024, 1, 5))  # 2 days
    _complaint(delays, date(2024, 1, 20), date(2024, 1, 30))  # 10 days
    _complaint(delays, date(2024, 1, 31))  # open: counted, no response time
    _complaint(errors, date(2024, 1, 15), date(2024, 1, 16))  # 1 day
    _complaint(delays, date(2024, 3, 1), date(2024, 3, 1))  # same day: 0 days
    db.session.flush()
    rows = complaints.monthly_figures(ComplaintFilters())
    assert rows == [
        {"month": 202401, "category": "Delays", "received": 3, "answered": 2, "response_days": 6.0},
        {"month": 202401, "category": "Errors", "received": 1, "answered": 1, "response_days": 1.0},
        {"month": 202403, "category": "Delays", "received": 1, "answered": 1, "response_days": 0.0},
    ]
    only_errors = complaints.monthly_figures(ComplaintFilters(category_id=errors.id))
    assert [row["category"] for row in only_errors] == ["Errors"]


def test_before_and_after_an_improvement_per_month(categories):
    delays, errors = categories
    for day in (date(2023, 7, 1), date(2023, 9, 1), date(2023, 12, 1)):  # 3 in the 6 months before
        _complaint(delays, day, date(day.year, day.month, 9))  # 8 days each
    _complaint(delays, date(2024, 2, 1), date(2024, 2, 3))  # after: 1 complaint, 2 days
    _complaint(delays, date(2022, 1, 1), date(2022, 3, 1))  # too early for the window
    _complaint(errors, date(2024, 2, 1))  # another category
    db.session.flush()
    found = complaints.before_after({delays.id}, {7: (delays.id, date(2024, 1, 15))}, months=6)[7]
    assert found["before"] == {"per_month": 0.5, "response_days": 8.0, "months": 6}
    assert found["after"]["per_month"] == pytest.approx(1 / 6) and found["after"]["response_days"] == 2.0


def test_a_response_before_receipt_or_a_repeated_reference_is_refused(categories):
    delays, _errors = categories
    data = {"kind": ContactKind.CLAIM, "received_on": date(2024, 5, 10), "responded_on": date(2024, 5, 9),
            "channel": Channel.EMAIL, "category_id": delays.id, "description": "Late", "reference": "R-1"}
    with pytest.raises(VoiceRuleError, match="before the date it was received"):
        complaints.save_complaint(None, data)
    saved = complaints.save_complaint(None, data | {"responded_on": date(2024, 5, 12)})
    assert saved.response_days == 2
    with pytest.raises(VoiceRuleError, match="R-1 is already recorded"):
        complaints.save_complaint(None, data | {"responded_on": None})
    with pytest.raises(VoiceRuleError, match="needs a response date"):
        complaints.save_complaint(None, data | {"reference": "R-2", "responded_on": None, "satisfaction": 4})


def test_requirements_workflow_refuses_skips_and_rejections_without_reason(ctx):
    requirement = Requirement(statement="Statements in Basque", source=RequirementSource.SURVEY,
                              identified_on=date(2024, 1, 1), status=RequirementStatus.NEW)
    with pytest.raises(TransitionRefused, match="cannot go from"):
        requirement.move_to(RequirementStatus.ADDRESSED)
    requirement.move_to(RequirementStatus.ANALYSED)
    requirement.move_to(RequirementStatus.IN_IMPROVEMENT)
    with pytest.raises(TransitionRefused, match="Say why"):
        requirement.move_to(RequirementStatus.REJECTED, reason="  ")
    requirement.move_to(RequirementStatus.REJECTED, reason="Not legal")
    assert requirement.rejection_reason == "Not legal"
    with pytest.raises(TransitionRefused, match="Say why the requirement goes back"):  # a move back says why
        requirement.move_to(RequirementStatus.NEW)
    requirement.move_to(RequirementStatus.NEW, reason="The law changed")
    assert requirement.rejection_reason is None


def test_a_requirement_from_a_focus_group_must_say_focus_group(ctx):
    activity = ListeningActivity(kind=ActivityKind.FOCUS_GROUP, title="FG", held_on=date(2024, 1, 1))
    db.session.add(activity)
    db.session.flush()
    data = {"statement": "Faster answers", "explicit": True, "source": "survey", "identified_on": date(2024, 1, 2),
            "importance": 3}
    with pytest.raises(VoiceRuleError, match="has the source “Focus group”"):
        requirements.save_requirement(None, data, ("activity", activity.id))
    saved = requirements.save_requirement(None, data | {"source": "focus_group"}, ("activity", activity.id))
    assert saved.origin is activity and saved.complaint_id is None


def test_cost_of_listening_and_benefit_by_hand():
    assert listening_cost(12, 30, 250) == 610
    assert listening_cost(None, 30, None) == 0
    # Retention rose from 88 % to 90 % over 1 000 clients: 20 kept.
    assert costs.clients_kept(90.0, 88.0, 1000) == pytest.approx(20)
    # 20 kept × 500 € × 2 years × half credited to listening = 10 000 €.
    assert costs.retention_benefit(20, 500, attribution=50, value_years=2) == pytest.approx(10_000)


def test_is_it_worth_it_sets_yearly_costs_against_the_census(ctx, make_client):
    # 10 clients from 2020; in 2022 two leave (retention 80 %), in 2023 one leaves (retention 87.5 %).
    for number in range(10):
        left = date(2022, 6, 1) if number < 2 else date(2023, 6, 1) if number == 2 else None
        make_client(f"K{number}", joined=date(2020, 1, 1), left=left, figures={2023: (None, 1000, 400)})
    db.session.add(ListeningActivity(kind=ActivityKind.FOCUS_GROUP, title="FG", held_on=date(2023, 3, 1),
                                     staff_hours=10, hourly_rate=30, external_cost=200))
    db.session.flush()
    assumptions = ListeningAssumptions(baseline_year=2022, attribution=50, value_years=1, default_hourly_rate=30)
    rows, baseline = costs.is_it_worth_it(assumptions, today=date(2024, 12, 31))
    assert baseline == 2022
    [year] = rows
    assert (year.year, year.cost, year.clients_at_start) == (2023, 500, 8)
    assert year.retention == pytest.approx(87.5)
    assert year.kept == pytest.approx(0.6)  # (87.5 − 80) % of 8 clients
    assert year.average_contribution == pytest.approx(400)  # margin, the census's default basis
    assert year.benefit == pytest.approx(0.6 * 400 * 0.5)
    assert year.net == pytest.approx(120 - 500)


def _listening_year(year, cost, kept, benefit):
    return costs.YearOfListening(year, cost, 0.0, 90.0, 100, 500.0, kept, benefit)


@pytest.mark.parametrize(("benefit", "kept", "expected"), [
    (3000.0, 2.0, "From 2024 to 2025 listening cost €2,000 and the clients it helped keep (about 4) are worth "
                  "€6,000: each euro spent returned €3."),
    (500.0, 1.0, "From 2024 to 2025 listening cost €2,000 and the clients it helped keep (about 2) are worth "
                 "€1,000: it does not pay for itself yet."),
    (0.0, 0.0, "From 2024 to 2025 retention did not change from 2023, so no benefit is credited to listening, "
               "which cost €2,000."),
    (-3000.0, -6.0, "From 2024 to 2025 retention was lower than in 2023: about 12 fewer clients stayed, worth "
                    "€6,000, so these figures credit listening (€2,000) with no benefit — it has not paid for "
                    "itself yet; find out why clients leave before judging it."),
])
def test_the_worth_it_page_says_what_its_figures_mean(ctx, benefit, kept, expected):
    years = [_listening_year(2024, 1000.0, kept, benefit), _listening_year(2025, 1000.0, kept, benefit)]
    assert costs.interpretation(years, 2023) == expected


def test_without_an_estimated_benefit_there_is_no_sentence(ctx):
    assert costs.interpretation([_listening_year(2024, 1000.0, None, None)], None) is None
    assert costs.interpretation([], None) is None
