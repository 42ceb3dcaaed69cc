"""An improvement's status cannot silently undo evidence: a move back is confirmed with its consequence for the
criteria and a reason, the dates evidence depends on are kept, and every move is in the improvement's history."""

from datetime import date

import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.extensions import db
from core.models import User
from core.rules import TransitionRefused
from core.transitions import ConfirmationNeeded, StateChange, history
from improvements import work
from improvements.models import HISTORY_KIND, Improvement, Status
from improvements.queries import c1_overview
from improvements.services import ImprovementRuleError
from tests.conftest import sign_in

#: The demo's welcome call: implemented on 2025-11-15, one of the three improvements C1 counts.
WELCOME = 2
IMPLEMENTED_ON = date(2025, 11, 15)


@pytest.fixture
def demo(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demo.test"))
        db.session.expunge(coordinator)
    return sign_in(app.test_client(), coordinator)


def _state(app):
    with app.app_context():
        improvement = db.session.get(Improvement, WELCOME)
        c1, _assessments = c1_overview()
        return improvement.status, improvement.implemented_on, c1.count


def test_start_on_an_implemented_improvement_waits_for_confirmation_showing_what_c1_loses(app, demo):
    page = demo.get(f"/improvements/{WELCOME}").get_data(as_text=True)
    # "Start" is a link to the confirmation page, not a button that moves it at once
    assert f'href="/improvements/{WELCOME}/status/in_progress"' in page
    # a plain POST (the old button) does not move it either: it is sent to the confirmation page
    posted = demo.post(f"/improvements/{WELCOME}/status", data={"status": "in_progress"})
    assert posted.status_code == 302 and posted.headers["Location"].endswith(f"/{WELCOME}/status/in_progress")
    assert _state(app) == (Status.IMPLEMENTED, IMPLEMENTED_ON, 3)
    confirm = demo.get(f"/improvements/{WELCOME}/status/in_progress").get_data(as_text=True)
    # the consequence comes from C1's own evidence: met → partly, two qualify now
    assert "C1: Met → Partly" in confirm
    assert "2 improvements qualify (3 needed)" in confirm
    assert "1 more qualifying improvement is needed" in confirm
    assert 'data-criterion="C1" data-lowered="yes"' in confirm
    # the page computed it and wrote nothing: no audit row, no history, the improvement as it was
    counts = lambda: (db.session.scalar(select(func.count(AuditEntry.id))),  # noqa: E731
                      db.session.scalar(select(func.count(StateChange.id))))
    with app.app_context():
        before = counts()
    demo.get(f"/improvements/{WELCOME}/status/in_progress")
    with app.app_context():
        assert counts() == before
    assert _state(app) == (Status.IMPLEMENTED, IMPLEMENTED_ON, 3)


def test_a_move_back_needs_a_reason_and_the_round_trip_keeps_the_date_and_c1(app, demo):
    url = f"/improvements/{WELCOME}/status/in_progress"
    refused = demo.post(url, data={"confirm": "yes", "reason": "  "})
    assert "Say why the improvement goes back from “Implemented” to “In progress”." in refused.get_data(as_text=True)
    assert _state(app) == (Status.IMPLEMENTED, IMPLEMENTED_ON, 3)
    moved = demo.post(url, data={"confirm": "yes", "reason": "The call script must change for new members."})
    assert moved.status_code == 302
    assert _state(app) == (Status.IN_PROGRESS, IMPLEMENTED_ON, 2)
    # implementing again lowers nothing: it goes through at once, and keeps the first day
    again = demo.post(f"/improvements/{WELCOME}/status", data={"status": "implemented"})
    assert again.headers["Location"].endswith(f"/improvements/{WELCOME}")
    assert _state(app) == (Status.IMPLEMENTED, IMPLEMENTED_ON, 3)
    with app.app_context():
        rows = history(HISTORY_KIND, WELCOME)
        coordinator = db.session.scalar(select(User.id).where(User.email == "coordinator@demo.test"))
        assert [(r.from_value, r.to_value, r.reason, r.actor_id) for r in rows[-2:]] == [
            ("implemented", "in_progress", "The call script must change for new members.", coordinator),
            ("in_progress", "implemented", None, coordinator)]
    page = demo.get(f"/improvements/{WELCOME}").get_data(as_text=True)
    assert "The call script must change for new members." in page
    assert 'data-testid="implemented-on">11/15/2025<' in page


def test_the_service_refuses_an_unconfirmed_move_back_and_one_without_a_reason(app, make_group, make_improvement):
    group = make_group()
    improvement_id = make_improvement(group, status=Status.IMPLEMENTED, smart=True, implemented_on=date(2025, 3, 1))
    with app.test_request_context():
        improvement = db.session.get(Improvement, improvement_id)
        with pytest.raises(ConfirmationNeeded):
            work.change_status(improvement, Status.IN_PROGRESS, actor=None, today=date(2026, 1, 1), reason="Why")
        with pytest.raises(TransitionRefused, match="Say why"):
            work.change_status(improvement, Status.IN_PROGRESS, actor=None, today=date(2026, 1, 1), confirmed=True)
        db.session.rollback()
        assert improvement.status == Status.IMPLEMENTED and history(HISTORY_KIND, improvement_id) == []
        work.change_status(improvement, Status.IN_PROGRESS, actor=None, today=date(2026, 1, 1), reason="Redo",
                           confirmed=True)
        work.change_status(improvement, Status.IMPLEMENTED, actor=None, today=date(2026, 2, 1), confirmed=True)
        assert improvement.implemented_on == date(2025, 3, 1)
        assert [(r.from_value, r.to_value) for r in history(HISTORY_KIND, improvement_id)] == [
            ("implemented", "in_progress"), ("in_progress", "implemented")]


def test_a_first_implementation_sets_the_day_and_verification_keeps_its_first_day(app, make_group,
                                                                                    make_improvement):
    improvement_id = make_improvement(make_group(), status=Status.IN_PROGRESS, smart=True)
    with app.test_request_context():
        improvement = db.session.get(Improvement, improvement_id)
        work.change_status(improvement, Status.IMPLEMENTED, actor=None, today=date(2026, 1, 5), confirmed=True)
        assert improvement.implemented_on == date(2026, 1, 5)
        improvement.verified_on = date(2026, 3, 1)  # as after a verification later undone by a correction
        improvement.mark_verified(date(2026, 6, 1))
        assert improvement.verified_on == date(2026, 3, 1)


def test_an_evidence_date_changes_only_explicitly_with_a_reason_and_is_kept_in_the_history(
        app, client_as, make_user, make_group, make_improvement):
    member = make_user("member")
    group = make_group(members={member.id: "Member"})
    improvement_id = make_improvement(group, status=Status.IMPLEMENTED, smart=True, implemented_on=date(2025, 3, 1))
    client = sign_in(app.test_client(), member)
    url = f"/improvements/{improvement_id}/dates"
    client.post(url, data={"date-name": "implemented_on", "date-value": "2025-02-20", "date-reason": ""})
    with app.test_request_context():
        assert db.session.get(Improvement, improvement_id).implemented_on == date(2025, 3, 1)
        with pytest.raises(ImprovementRuleError, match="in the future"):
            work.change_date(db.session.get(Improvement, improvement_id), "implemented_on", date(2030, 1, 1),
                             actor=None, reason="Typo", today=date(2026, 1, 1))
        with pytest.raises(ImprovementRuleError, match="no date to correct"):
            work.change_date(db.session.get(Improvement, improvement_id), "verified_on", date(2025, 4, 1),
                             actor=None, reason="Typo", today=date(2026, 1, 1))
    client.post(url, data={"date-name": "implemented_on", "date-value": "2025-02-20",
                           "date-reason": "The calls started a week earlier."})
    with app.test_request_context():
        assert db.session.get(Improvement, improvement_id).implemented_on == date(2025, 2, 20)
        [row] = history(HISTORY_KIND, improvement_id)
        assert (row.field, row.from_value, row.to_value, row.reason, row.actor_id) == (
            "implemented_on", "2025-03-01", "2025-02-20", "The calls started a week earlier.", member.id)
    assert "The calls started a week earlier." in client.get(f"/improvements/{improvement_id}").get_data(as_text=True)


def test_the_smart_check_moves_are_in_the_history(app, client_as, make_user, make_group, make_improvement):
    from improvements import smart

    improvement_id = make_improvement(make_group())
    with app.test_request_context():
        improvement = db.session.get(Improvement, improvement_id)
        smart.record_check(improvement, {k: (True, "Because it is.") for k in smart.CRITERIA}, actor=None)
        assert [(r.from_value, r.to_value) for r in history(HISTORY_KIND, improvement_id)] == [
            ("opportunity", "proposed")]


def test_the_first_task_started_puts_it_in_progress_and_the_history_says_who(app, make_user, make_group,
                                                                                make_improvement):
    from improvements.models import Task, TaskStatus

    member = make_user("member")
    improvement_id = make_improvement(make_group(members={member.id: "Member"}), status=Status.APPROVED, smart=True,
                                      tasks=[("Template", member.id, date(2030, 1, 1), TaskStatus.TODO)])
    with app.test_request_context():
        task = db.session.scalar(select(Task).where(Task.improvement_id == improvement_id))
        work.set_task_status(task, TaskStatus.DOING, today=date(2026, 1, 1), actor=db.session.get(User, member.id))
        [row] = history(HISTORY_KIND, improvement_id)
        assert (row.from_value, row.to_value, row.actor_id) == ("approved", "in_progress", member.id)
