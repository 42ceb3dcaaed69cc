"""The rules of improvements without HTTP: SMART, prioritisation scoring, before/after and C1 qualification."""

from datetime import date
from types import SimpleNamespace

import pytest

from core.rules import TransitionRefused
from improvements import smart
from improvements.models import Evidence, Improvement, Status
from improvements.results import C1_REQUIRED, Result, c1_reasons, c1_status, client_valued, measured_result
from improvements.scoring import rank, weighted_score
from processes.models import Direction, Frequency, Indicator, IndicatorKind

ALL_MET = {key: (True, f"{key} holds because…") for key in smart.CRITERIA}


def plan(**fields) -> Improvement:
    values = dict(title="Written answers", statement="Members complain they never get an answer in writing.",
                  source_kind="staff_idea", raised_on=date(2025, 1, 10), status=Status.OPPORTUNITY,
                  measure_name="Complaints answered in writing", measure_unit="%", higher_is_better=True,
                  baseline_value=40.0, target_value=90.0, deadline=date(2025, 6, 30))
    values.update(fields)
    return Improvement(**values)


# SMART -----------------------------------------------------------------------------------------------

def test_a_complete_plan_with_every_criterion_met_and_justified_passes(ctx):
    results = smart.evaluate(plan(), ALL_MET)
    assert [r.key for r in results] == list(smart.CRITERIA)
    assert all(r.met for r in results)


def test_measurable_needs_an_indicator_a_baseline_and_a_target(ctx):
    results = {r.key: r for r in smart.evaluate(plan(measure_name=None, baseline_value=None, target_value=None),
                                                ALL_MET)}
    measurable = results["measurable"]
    assert not measurable.met
    assert any("indicator" in reason for reason in measurable.reasons)
    assert any("baseline" in reason for reason in measurable.reasons)
    assert any("target" in reason for reason in measurable.reasons)
    assert results["specific"].met


def test_a_linked_indicator_makes_it_measurable_without_a_named_measure(ctx):
    results = {r.key: r for r in smart.evaluate(plan(measure_name=None, indicator_id=7), ALL_MET)}
    assert results["measurable"].met


def test_time_bound_needs_a_deadline(ctx):
    results = {r.key: r for r in smart.evaluate(plan(deadline=None), ALL_MET)}
    assert not results["time_bound"].met
    assert results["time_bound"].reasons == ["The plan has no deadline."]


def test_a_criterion_marked_not_met_or_without_justification_fails_with_its_reason(ctx):
    answers = {**ALL_MET, "achievable": (False, "No budget this year"), "relevant": (True, "  ")}
    results = {r.key: r for r in smart.evaluate(plan(), answers)}
    assert not results["achievable"].met
    assert results["achievable"].reasons == ["The group marked it not met: No budget this year"]
    assert not results["relevant"].met
    assert results["relevant"].reasons == ["It has no written justification."]


def test_passing_the_check_makes_a_proposal_and_failing_takes_it_back(ctx):
    improvement = plan()
    check = smart.record_check(improvement, {**ALL_MET, "specific": (False, "Too vague")}, actor=None)
    assert not check.passed and improvement.status == Status.OPPORTUNITY
    smart.record_check(improvement, ALL_MET, actor=None)
    assert improvement.status == Status.PROPOSED and smart.passes(improvement)
    smart.record_check(improvement, {**ALL_MET, "relevant": (False, "Not for clients")}, actor=None)
    assert improvement.status == Status.OPPORTUNITY and len(improvement.checks) == 3


def test_approval_is_refused_with_the_failing_criteria_and_why(ctx):
    improvement = plan(deadline=None)
    smart.record_check(improvement, ALL_MET, actor=None)
    with pytest.raises(TransitionRefused) as refused:
        smart.approve(improvement, actor=None)
    assert refused.value.reasons[0] == "It does not meet SMART, so it cannot be approved."
    assert "Time-bound: The plan has no deadline." in refused.value.reasons
    assert improvement.status == Status.OPPORTUNITY


def test_a_plan_changed_after_the_check_can_no_longer_be_approved(ctx):
    improvement = plan()
    smart.record_check(improvement, ALL_MET, actor=None)
    improvement.target_value = None
    with pytest.raises(TransitionRefused) as refused:
        smart.approve(improvement, actor=None)
    assert "Measurable: The plan has no target value." in refused.value.reasons


def test_an_unchecked_opportunity_cannot_be_approved(ctx):
    with pytest.raises(TransitionRefused) as refused:
        smart.approve(plan(), actor=None)
    assert "It has not been through the SMART check." in refused.value.reasons


def test_a_passing_proposal_is_approved(ctx):
    improvement = plan()
    smart.record_check(improvement, ALL_MET, actor=None)
    smart.approve(improvement, actor=None)
    assert improvement.status == Status.APPROVED and improvement.approved_at is not None


# Prioritisation ------------------------------------------------------------------------------------

IMPACT = SimpleNamespace(id=1, name="Impact on loyalty", weight=3, higher_is_better=True, axis="impact")
EFFORT = SimpleNamespace(id=2, name="Effort / cost", weight=1, higher_is_better=False, axis="effort")
URGENCY = SimpleNamespace(id=3, name="Urgency", weight=0, higher_is_better=True, axis=None)


def test_the_weighted_score_reverses_effort_and_ignores_weightless_criteria():
    # impact 5 → 1.0 × 3; effort 1 → reversed 1.0 × 1: the best possible proposal.
    assert weighted_score({1: 5, 2: 1}, [IMPACT, EFFORT, URGENCY]) == 100.0
    assert weighted_score({1: 1, 2: 5}, [IMPACT, EFFORT]) == 0.0
    # impact 4 → 0.75 × 3 = 2.25; effort 3 → 0.5 × 1 = 0.5; (2.25 + 0.5) / 4 = 0.6875
    assert weighted_score({1: 4, 2: 3}, [IMPACT, EFFORT]) == 68.8


def test_a_proposal_missing_a_weighted_score_has_none_and_ranks_last():
    a, b, c = (SimpleNamespace(title=t) for t in "abc")
    scores = {id(a): {1: 3, 2: 3}, id(b): {1: 5, 2: 2}, id(c): {1: 5}}
    rows = rank([a, b, c], [IMPACT, EFFORT], lambda imp: scores[id(imp)])
    assert [row.improvement for row in rows] == [b, a, c]
    assert [row.rank for row in rows] == [1, 2, None]
    assert rows[2].missing == ["Effort / cost"]
    assert (rows[0].impact, rows[0].effort) == (5, 2)


# Before / after ------------------------------------------------------------------------------------

def test_change_percentage_and_target_when_higher_is_better():
    result = Result(before=40, after=92, target=90, higher_is_better=True)
    assert result.change == 52 and result.change_pct == 130.0
    assert result.improved and result.target_met


def test_lower_is_better_and_a_missed_target():
    result = Result(before=14, after=9, target=7, higher_is_better=False)
    assert result.change_pct == -35.7
    assert result.improved and result.target_met is False


def test_without_an_after_value_nothing_is_concluded():
    result = Result(before=14, after=None, target=7)
    assert result.change_pct is None and not result.improved and result.target_met is None


def test_a_zero_baseline_has_no_percentage_but_still_a_change():
    result = Result(before=0, after=3, target=2)
    assert result.change == 3 and result.change_pct is None and result.improved


def indicator(direction=Direction.LOWER, kind=IndicatorKind.PERFORMANCE):
    return Indicator(code="IND", name="Days to answer", frequency=Frequency.MONTHLY, direction=direction, kind=kind)


MEASURED = [(date(2025, 1, 1), 14.0), (date(2025, 2, 1), 13.0), (date(2025, 3, 1), 11.0),
            (date(2025, 4, 1), 8.0), (date(2025, 5, 1), 6.5)]


def test_before_after_come_from_the_linked_indicator(ctx):
    improvement = plan(measure_name=None, indicator=indicator(), baseline_value=None,
                       baseline_period=date(2025, 1, 1), target_value=7, implemented_on=date(2025, 4, 12))
    result = measured_result(improvement, MEASURED)
    assert (result.before, result.after, result.after_period) == (14.0, 6.5, date(2025, 5, 1))
    assert result.source == "indicator" and result.improved and result.target_met
    assert result.change_pct == -53.6


def test_before_implementation_the_latest_value_after_the_baseline_counts(ctx):
    improvement = plan(measure_name=None, indicator=indicator(), baseline_value=14.0,
                       baseline_period=date(2025, 1, 1), target_value=7)
    assert measured_result(improvement, MEASURED[:3]).after == 11.0


def test_without_measurements_after_the_change_the_entered_value_is_used(ctx):
    improvement = plan(baseline_value=40, after_value=92, after_period=date(2025, 7, 1))
    result = measured_result(improvement, [])
    assert result.source == "entered" and result.after == 92 and result.target_met


# C1 ------------------------------------------------------------------------------------------------

def test_an_implemented_smart_improvement_that_reached_its_target_and_clients_value_qualifies(ctx):
    improvement = plan(status=Status.IMPLEMENTED)
    result = Result(before=40, after=92, target=90)
    assert c1_reasons(improvement, smart_passed=True, result=result, valued=True) == []


def test_the_reasons_an_improvement_does_not_qualify(ctx):
    improvement = plan(status=Status.IN_PROGRESS)
    reasons = c1_reasons(improvement, smart_passed=False, result=Result(before=40, after=50, target=90),
                         valued=False)
    assert reasons == [
        "It has not been implemented yet.",
        "It does not meet SMART.",
        "The result did not reach the target.",
        "Nothing shows that client loyalty or satisfaction rose: record favourable client evidence or link a "
        "perception indicator.",
    ]
    worse = c1_reasons(plan(status=Status.VERIFIED), smart_passed=True, result=Result(40, 30, 90), valued=True)
    assert worse == ["The result did not improve on the baseline."]
    unmeasured = c1_reasons(plan(status=Status.VERIFIED), smart_passed=True, result=Result(40, None, 90),
                            valued=True)
    assert unmeasured == ["There is no result measured after the change."]


def test_clients_value_it_through_favourable_evidence_or_an_improved_perception_indicator(ctx):
    improved, flat = Result(3.6, 4.1, 4.0), Result(3.6, 3.5, 4.0)
    assert not client_valued(plan(), improved)
    assert client_valued(plan(evidence=[Evidence(kind="survey", title="Wave", favourable=True)]), flat)
    perception = indicator(direction=Direction.HIGHER, kind=IndicatorKind.PERCEPTION)
    assert client_valued(plan(indicator=perception), improved)
    assert not client_valued(plan(indicator=perception), flat)


def test_c1_holds_from_three_qualifying_improvements(ctx):
    rows = [(plan(title=f"I{n}"), []) for n in range(C1_REQUIRED - 1)] + [(plan(title="X"), ["No result."])]
    status = c1_status(rows)
    assert status.count == 2 and not status.holds and status.others[0][1] == ["No result."]
    assert c1_status(rows + [(plan(title="I3"), [])]).holds
