"""core.transitions: a preview computes the criteria's evidence as if the change were made and keeps nothing;
history rows are kept in order; a change that lowers a criterion waits for confirmation."""

from datetime import date

import pytest
from sqlalchemy import func, select

from core import transitions
from core.audit import AuditEntry
from core.cache import cached
from core.extensions import cache, db
from core.findings import Finding, Line, Status
from core.rules import RuleError, TransitionRefused
from core.transitions import ConfirmationNeeded, Consequence, StateChange
from improvements.models import Improvement
from improvements.models import Status as ImprovementStatus


def _finding(status, *texts):
    return Finding(status, [Line(text) for text in texts])


def test_a_consequence_says_whether_it_lowers_and_what_the_evidence_would_say_instead():
    lowered = Consequence("C1", _finding(Status.MET, "3 qualify", "A counts"), _finding(Status.PARTLY, "2 qualify",
                                                                                        "A counts"))
    assert lowered.lowered and lowered.news == ["2 qualify"] and lowered.losses == ["3 qualify"]
    raised = Consequence("C1", _finding(Status.MISSING), _finding(Status.PARTLY, "1 qualifies"))
    assert not raised.lowered and raised.news == ["1 qualifies"]


def test_a_preview_asks_the_criteria_and_keeps_nothing_of_the_change(app, make_group, make_improvement):
    improvement_id = make_improvement(make_group(), status=ImprovementStatus.IMPLEMENTED, smart=True,
                                      implemented_on=date(2025, 3, 1))
    with app.test_request_context():
        improvement = db.session.get(Improvement, improvement_id)
        counted = lambda: (db.session.scalar(select(func.count(AuditEntry.id))),  # noqa: E731
                           db.session.scalar(select(func.count(StateChange.id))))
        before = counted()

        def change():
            improvement.status = ImprovementStatus.IN_PROGRESS
            transitions.record_transition("improvement", improvement.id, from_value="implemented",
                                          to_value="in_progress", actor=None, reason="Try")

        seen = transitions.preview(change, keys=["C1"])
        [c1] = seen.consequences
        assert c1.key == "C1" and not c1.lowered  # it did not qualify anyway (no result measured)
        assert any("It has not been implemented yet." in text for text in c1.news), c1.news
        assert not any("It has not been implemented yet." in text for text in c1.losses)
        assert counted() == before
        assert improvement.status == ImprovementStatus.IMPLEMENTED
        db.session.commit()
    with app.app_context():
        assert db.session.get(Improvement, improvement_id).status == ImprovementStatus.IMPLEMENTED
        assert db.session.scalar(select(func.count(StateChange.id))) == 0


def test_a_refused_change_previews_as_its_reasons_and_an_unconfirmed_one_is_refused_with_them(app):
    def refused():
        raise RuleError("Not like this.")

    with app.test_request_context():
        assert transitions.preview(refused).refused == ["Not like this."]
        with pytest.raises(TransitionRefused) as refusal:
            transitions.confirm_or_refuse(refused, confirmed=False)
        assert refusal.value.reasons == ["Not like this."] and not isinstance(refusal.value, ConfirmationNeeded)
        with pytest.raises(ConfirmationNeeded):
            transitions.confirm_or_refuse(lambda: None, confirmed=False, always=True)
        transitions.confirm_or_refuse(lambda: None, confirmed=False)  # lowers nothing: through
        transitions.confirm_or_refuse(refused, confirmed=True)  # confirmed: the change itself will decide


def test_history_is_in_order_with_dates_kept_in_iso_form(app, make_user):
    actor = make_user("coordinator")
    with app.app_context():
        transitions.record_transition("thing", 7, from_value=None, to_value="open", actor=actor)
        transitions.record_transition("thing", 7, field="closed_on", from_value=date(2025, 1, 2),
                                      to_value=date(2025, 1, 3), actor=None, reason="  Typo  ")
        transitions.record_transition("thing", 8, from_value="open", to_value="closed", actor=None)
        db.session.commit()
        rows = transitions.history("thing", 7)
        assert [(r.field, r.from_value, r.to_value, r.reason, r.actor_id) for r in rows] == [
            ("status", None, "open", None, actor.id), ("closed_on", "2025-01-02", "2025-01-03", "Typo", None)]
        assert transitions.stored_date(rows[1].to_value) == date(2025, 1, 3) and rows[1].is_date


def test_nothing_computed_inside_a_savepoint_is_cached(app, make_user):
    make_user("coordinator")  # an audit entry: the data has a version
    with app.test_request_context():
        calls = []
        with db.session.begin_nested() as savepoint:
            cached("test-savepoint", compute=lambda: calls.append(1) or "inside")
            savepoint.rollback()
        assert cached("test-savepoint", compute=lambda: calls.append(2) or "outside") == "outside"
        assert calls == [1, 2]
        assert cached("test-savepoint", compute=lambda: calls.append(3) or "again") == "outside"
    cache.clear()
