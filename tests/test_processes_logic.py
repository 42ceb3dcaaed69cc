"""The process map's domain rules, called directly: periods, targets, status, completeness, compliance."""

from datetime import date
from types import SimpleNamespace

import pytest

from processes.agreements import Compliance, agreement_state
from processes.indicators import Status, status_of, target_for
from processes.models import Direction, Frequency, ProcessStandard
from processes.periods import PeriodError, parse_period, period_label, periods_between
from processes.standard import SheetFacts, completeness

M, Q, Y = Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.YEARLY


@pytest.mark.parametrize(("text", "frequency", "expected"), [
    ("2024-03", M, date(2024, 3, 1)),
    ("03/2024", M, date(2024, 3, 1)),
    ("3/2024", M, date(2024, 3, 1)),
    ("mar 2024", M, date(2024, 3, 1)),
    ("Marzo 2024", M, date(2024, 3, 1)),
    ("31/12/2024", M, date(2024, 12, 1)),
    ("2024-12-31", Q, date(2024, 10, 1)),
    ("2024-Q2", Q, date(2024, 4, 1)),
    ("T3 2024", Q, date(2024, 7, 1)),
    ("2024T4", Q, date(2024, 10, 1)),
    ("2024-05", Q, date(2024, 4, 1)),
    ("2024", Y, date(2024, 1, 1)),
    ("2024-07", Y, date(2024, 1, 1)),
    (date(2024, 8, 17), Q, date(2024, 7, 1)),
])
def test_periods_are_read_as_people_write_them(app, text, frequency, expected):
    with app.app_context():
        assert parse_period(text, frequency) == expected


@pytest.mark.parametrize(("text", "frequency", "message"), [
    ("2024", M, "is a year"),
    ("2024-Q1", M, "is a quarter"),
    ("2024-13", M, "has no month 13"),
    ("31/02/2024", M, "is not a valid date"),
    ("next year", Y, "is not a period"),
    ("", M, "is empty"),
])
def test_bad_periods_say_what_is_wrong(app, text, frequency, message):
    with app.app_context(), pytest.raises(PeriodError, match=message):
        parse_period(text, frequency)


def test_period_labels_and_ranges(app):
    with app.app_context():
        assert period_label(date(2024, 7, 1), Q) == "2024 Q3"
        assert period_label(date(2024, 7, 1), M) == "2024-07"
        assert periods_between(date(2024, 11, 15), date(2025, 2, 2), M) == [
            date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)]
        assert periods_between(date(2024, 2, 1), date(2024, 12, 1), Q)[-1] == date(2024, 10, 1)


def test_the_target_in_force_is_the_latest_that_started_before_the_period():
    targets = [SimpleNamespace(valid_from=date(2023, 1, 1), value=10.0),
               SimpleNamespace(valid_from=date(2025, 1, 1), value=7.0)]
    assert target_for(targets, date(2022, 12, 1)) is None
    assert target_for(targets, date(2023, 1, 1)) == 10.0
    assert target_for(targets, date(2024, 12, 1)) == 10.0
    assert target_for(targets, date(2025, 6, 1)) == 7.0


@pytest.mark.parametrize(("value", "target", "alert", "direction", "expected"), [
    (4.2, 4.0, 3.7, Direction.HIGHER, Status.ON_TARGET),
    (4.0, 4.0, 3.7, Direction.HIGHER, Status.ON_TARGET),
    (3.8, 4.0, 3.7, Direction.HIGHER, Status.ALERT),
    (3.5, 4.0, 3.7, Direction.HIGHER, Status.OFF_TARGET),
    (3.9, 4.0, None, Direction.HIGHER, Status.OFF_TARGET),
    (6.0, 7.0, 9.0, Direction.LOWER, Status.ON_TARGET),
    (8.0, 7.0, 9.0, Direction.LOWER, Status.ALERT),
    (9.5, 7.0, 9.0, Direction.LOWER, Status.OFF_TARGET),
    (5.0, None, None, Direction.LOWER, Status.NO_TARGET),
    (None, 7.0, None, Direction.LOWER, Status.NO_DATA),
])
def test_the_status_of_a_result(value, target, alert, direction, expected):
    assert status_of(value, target, alert, direction) == expected


def standard(**kwargs):
    values = {"required_fields": ["purpose", "owner", "scope"], "min_participants": 2, "min_indicators": 1,
              "targets_required": True}
    return ProcessStandard(**{**values, **kwargs})


def test_a_complete_sheet_scores_100(app):
    facts = SheetFacts(frozenset({"purpose", "owner", "scope"}), participants=2, indicators=1,
                       indicators_without_target=0)
    with app.app_context():
        assert completeness(facts, standard()).score == 100
        assert completeness(facts, standard()).complete


def test_the_score_says_exactly_what_is_missing(app):
    facts = SheetFacts(frozenset({"purpose"}), participants=1, indicators=2, indicators_without_target=1)
    with app.app_context():
        result = completeness(facts, standard())
    # 6 checks: purpose ✓, owner ✗, scope ✗, participants ✗, indicators ✓, targets ✗
    assert result.score == 33
    assert result.missing == ["Owner is empty", "Scope (where it starts and ends) is empty",
                              "1 of 2 participants", "1 indicators without a target"]


def test_targets_are_not_checked_when_the_standard_does_not_ask(app):
    facts = SheetFacts(frozenset({"purpose", "owner", "scope"}), 2, 1, 1)
    with app.app_context():
        assert completeness(facts, standard(targets_required=False)).complete


def interface(**kwargs):
    values = {"problem": "late", "agreement": "5 days", "indicator_id": 1, "agreed_level": 5.0,
              "indicator": SimpleNamespace(direction=Direction.LOWER)}
    return SimpleNamespace(**{**values, **kwargs})


@pytest.mark.parametrize(("kwargs", "values", "status", "met"), [
    ({}, [4.5, 6.0, 5.0], Compliance.BREACHED, 2),  # 2 of 3 periods (67 %) is short of 80 %
    ({}, [4.5, 4.0, 5.0, 6.0, 4.0], Compliance.COMPLIANT, 4),  # 4 of 5: 80 %
    ({}, [6.0, 4.0, 4.0, 4.0, 4.0], Compliance.COMPLIANT, 4),  # the latest missed, the window met
    ({}, [4.0] * 5 + [6.0] * 7, Compliance.BREACHED, 5),  # met the latest 5 of 12 (42 %): not complied with
    ({}, [5.5, 4.0], Compliance.BREACHED, 1),
    ({}, [], Compliance.NO_DATA, 0),
    ({"agreement": None}, [4.0], Compliance.NO_AGREEMENT, 0),
    ({"agreement": None, "problem": None}, [], None, 0),
    ({"agreed_level": None}, [4.0], Compliance.NOT_MEASURABLE, 0),
    ({"indicator": SimpleNamespace(direction=Direction.HIGHER), "agreed_level": 96.0}, [97.0, 95.0],
     Compliance.BREACHED, 1),
    ({"indicator": SimpleNamespace(direction=Direction.HIGHER), "agreed_level": 96.0}, [97.0, 96.0],
     Compliance.COMPLIANT, 2),
])
def test_sla_compliance_from_the_linked_indicator(kwargs, values, status, met):
    state = agreement_state(interface(**kwargs), values)
    assert state.status == status
    assert state.periods_met == met


@pytest.mark.parametrize(("values", "share_needed", "status", "trend"), [
    ([4.0] * 5 + [6.0] * 7, 40, Compliance.COMPLIANT, 1),  # a laxer set: 42 % is enough; improving
    ([6.0] * 6 + [4.0] * 6, 80, Compliance.BREACHED, -1),  # worsening
    ([4.0, 6.0] * 6, 50, Compliance.COMPLIANT, 0),  # steady
    ([4.0, 4.0, 4.0], 80, Compliance.COMPLIANT, None),  # too few periods for a trend
])
def test_sla_compliance_is_the_share_of_the_window_with_its_trend(values, share_needed, status, trend):
    state = agreement_state(interface(), values, share_needed)
    assert (state.status, state.trend) == (status, trend)
