"""Pages that apply a criterion's rule outside the checklist read the thresholds the criteria set in use states:
the interfaces page and the maps (A2's window), the transition preview (every source), and B1's trend wording."""

from datetime import date

import pytest
from sqlalchemy import select

from core import transitions
from core.extensions import db
from core.findings import stored_thresholds
from evidence.criteria_sets import current_set, ensure_builtin_sets
from processes.agreements import a2_limits
from voice import evidence as voice_evidence
from voice.models import Requirement, RequirementSource


def _state(app, **by_code):
    """Store thresholds on the shipped set's criteria: ``_state(app, A2={...})``."""
    with app.app_context():
        ensure_builtin_sets()
        chosen = current_set()
        for criterion in chosen.criteria:
            if criterion.code in by_code:
                criterion.thresholds = by_code[criterion.code]
        db.session.commit()


def test_the_stored_thresholds_are_answered_by_key(app):
    _state(app, A2={"review_periods": 3, "share_met": 100}, B1={"window_months": 6})
    with app.app_context():
        assert stored_thresholds("A2") == {"review_periods": 3, "share_met": 100}
        assert a2_limits() == {"review_periods": 3, "share_met": 100}
        assert a2_limits({}) == {"review_periods": 12, "share_met": 80}, "given ones win, defaults for the rest"
        assert stored_thresholds("B2") == {}


def test_the_interfaces_page_uses_the_sets_window(app, client_as, make_programme, make_process, make_indicator):
    _state(app, A2={"review_periods": 3, "share_met": 100})
    loyalty, sales = make_programme(code="FID"), make_programme(code="COM", certified=False)
    onboarding, selling = make_process(programme_id=loyalty), make_process(programme_id=sales)
    days = make_indicator(onboarding, code="DAYS", values={date(2025, m, 1): v for m, v in
                                                            ((1, 9.0), (2, 9.0), (3, 4.0), (4, 4.0), (5, 4.0))})
    from processes.models import Direction, Indicator, Interface

    with app.app_context():
        db.session.get(Indicator, days).direction = Direction.LOWER
        db.session.add(Interface(from_process_id=selling, to_process_id=onboarding, flow="Members",
                                 problem="Late", agreement="Within 5 days", indicator_id=days, agreed_level=5))
        db.session.commit()
    page = client_as("coordinator").get("/processes/interfaces").get_data(as_text=True)
    # the last 3 periods all met the level (the default window of 12 would count 3 of 5, 60 %: breached)
    assert "at least 100 % of the last 3 periods" in page
    assert 'data-compliance="compliant"' in page and "3 of the last 3 periods" in page


def test_the_transition_preview_reads_each_source_with_the_sets_thresholds(app):
    _state(app, B1={"window_months": 6})
    with app.test_request_context("/"):
        seen = transitions.preview(lambda: db.session.add(Requirement(
            statement="Answer in writing", source=RequirementSource.COMPLAINT, identified_on=date.today())),
            keys=["B1"])
        (consequence,) = seen.consequences
        assert consequence.after.reasons[0].text.startswith("B1 is met when the requirements identified in the "
                                                            "last 6 months")
        assert db.session.scalar(select(db.func.count(Requirement.id))) == 0


@pytest.mark.parametrize(("before", "now", "months", "words"), [
    (10.0, 3.0, 6, "down from 10.0 days in the 6 months before"),
    (3.0, 10.0, 12, "up from 3.0 days in the 12 months before"),
    (4.0, 4.0, 24, "as in the 24 months before"),
])
def test_b1s_trend_compares_with_a_window_as_long_as_its_own(app, before, now, months, words):
    with app.test_request_context("/"):
        assert voice_evidence._trend(before, now, months) == words
