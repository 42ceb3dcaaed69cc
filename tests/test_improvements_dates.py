"""The days people state for an improvement's steps (issue 15, item 3): today by default, never in the future,
and in order — check after the opportunity, approval after the check, implementation after the approval,
verification after the implementation, people trained after the approval — separate from the trail's time."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.extensions import db
from core.transitions import history
from improvements import dates, smart, work
from improvements.models import HISTORY_KIND, Improvement, SmartCheck, Status
from improvements.services import ImprovementRuleError
from tests.conftest import sign_in

TODAY = date(2026, 6, 15)
SMART_OK = {key: (True, f"{key} holds") for key in smart.CRITERIA}


def story(**days):
    """An improvement's days, as ``dates`` reads them."""
    checks = [SimpleNamespace(passed=True, checked_on=days.pop("checked"))] if "checked" in days else []
    values = dict(raised_on=date(2026, 1, 10), approved_on=None, implemented_on=None, verified_on=None)
    values.update(days)
    return SimpleNamespace(checks=checks, **values)


@pytest.mark.parametrize(("step", "improvement", "day", "expected"), [
    ("checked", story(), date(2026, 1, 10), None),
    ("checked", story(), date(2026, 1, 9), "before the opportunity was raised"),
    ("checked", story(), TODAY + timedelta(days=1), "is in the future"),
    ("approved", story(checked=date(2026, 2, 1)), date(2026, 2, 1), None),
    ("approved", story(checked=date(2026, 2, 1)), date(2026, 1, 31), "before the SMART check it rests on"),
    ("implemented", story(checked=date(2026, 2, 1), approved_on=date(2026, 2, 8)), date(2026, 2, 8), None),
    ("implemented", story(approved_on=date(2026, 2, 8)), date(2026, 2, 7), "before the approval"),
    ("verified", story(implemented_on=date(2026, 4, 1)), date(2026, 4, 1), None),
    ("verified", story(implemented_on=date(2026, 4, 1)), date(2026, 3, 31), "before the implementation"),
    ("trained", story(approved_on=date(2026, 2, 8)), date(2026, 2, 9), None),
    ("trained", story(approved_on=date(2026, 2, 8)), date(2026, 2, 1), "before it was approved"),
    ("trained", story(), date(2025, 12, 1), None),  # not approved yet: nothing to follow
    ("met", None, TODAY, None),
    ("met", None, TODAY + timedelta(days=7), "is in the future"),
])
def test_a_stated_day_keeps_the_improvements_order(ctx, step, improvement, day, expected):
    found = dates.problems(step, day, today=TODAY, improvement=improvement)
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0]


def test_a_missing_day_and_a_correction_past_the_next_step_are_refused(ctx):
    assert dates.problems("met", None, today=TODAY) == ["Give the day it happened."]
    done = story(approved_on=date(2026, 2, 8), implemented_on=date(2026, 3, 1), verified_on=date(2026, 5, 1))
    assert "after the implementation" in dates.later_steps_problems("approved", date(2026, 3, 2), done)[0]
    assert "after the verification" in dates.later_steps_problems("implemented", date(2026, 5, 2), done)[0]
    assert dates.later_steps_problems("implemented", date(2026, 4, 30), done) == []


def test_the_check_and_the_approval_keep_the_days_stated_apart_from_when_they_were_recorded(
        app, make_group, make_improvement):
    with app.app_context():
        improvement = db.session.get(Improvement, make_improvement(make_group()))
        with pytest.raises(ImprovementRuleError, match="before the opportunity was raised") as refused:
            smart.record_check(improvement, SMART_OK, actor=None, on=date(2025, 1, 9))
        assert refused.value.field == "checked_on"
        smart.record_check(improvement, SMART_OK, actor=None, on=date(2025, 2, 1))
        with pytest.raises(ImprovementRuleError, match="before the SMART check it rests on"):
            smart.approve(improvement, actor=None, on=date(2025, 1, 31))
        assert improvement.status == Status.PROPOSED
        smart.approve(improvement, actor=None, on=date(2025, 2, 8))
        db.session.commit()
        check = db.session.scalar(select(SmartCheck).where(SmartCheck.improvement_id == improvement.id))
        assert check.checked_on == date(2025, 2, 1) and check.checked_at.date() == date.today()
        assert improvement.approved_on == date(2025, 2, 8) and improvement.approved_at.date() == date.today()


def test_implementing_and_verifying_on_a_stated_day_and_correcting_the_approval(app, make_group, make_improvement):
    with app.app_context():
        improvement = db.session.get(Improvement, make_improvement(make_group(), status=Status.APPROVED,
                                                                   approved_on=date(2025, 3, 1)))
        with pytest.raises(ImprovementRuleError, match="before the approval"):
            work.change_status(improvement, Status.IMPLEMENTED, actor=None, today=date.today(),
                               on=date(2025, 2, 28), confirmed=True)
        work.change_status(improvement, Status.IMPLEMENTED, actor=None, today=date.today(), on=date(2025, 4, 1),
                           confirmed=True)
        assert improvement.implemented_on == date(2025, 4, 1)
        assert not work.asks_for_day(improvement, Status.IMPLEMENTED)  # a second implementation keeps it
        with pytest.raises(ImprovementRuleError, match="after the implementation"):
            work.change_date(improvement, "approved_on", date(2025, 4, 2), actor=None, reason="Typo",
                             today=date.today())
        work.change_date(improvement, "approved_on", date(2025, 3, 3), actor=None, reason="Minutes say the 3rd",
                         today=date.today())
        db.session.commit()
        changes = [(row.field, row.from_value, row.to_value) for row in history(HISTORY_KIND, improvement.id)]
        assert ("approved_on", "2025-03-01", "2025-03-03") in changes


@pytest.fixture
def member_client(app, make_user, make_group):
    member = make_user("member")
    group = make_group(members={member.id: "Member"})
    return sign_in(app.test_client(), member), group


def test_the_smart_page_asks_the_day_and_shows_a_refused_one_on_its_field(app, member_client, make_improvement):
    client, group = member_client
    improvement_id = make_improvement(group)
    url = f"/improvements/{improvement_id}/smart"
    assert 'name="checked_on"' in client.get(url).get_data(as_text=True)
    answers = {key: "y" for key in smart.CRITERIA} | {f"{key}_why": "Because." for key in smart.CRITERIA}
    future = (date.today() + timedelta(days=2)).isoformat()
    refused = client.post(url, data={**answers, "checked_on": future})
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert 'id="checked_on"' in html and "is-invalid" in html and "is in the future" in html
    with app.app_context():
        assert db.session.scalars(select(SmartCheck)).all() == []
    assert client.post(url, data={**answers, "checked_on": "2025-02-01"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(SmartCheck.checked_on)) == date(2025, 2, 1)


def test_approval_is_stated_on_its_confirmation_page(app, member_client, make_improvement):
    client, group = member_client
    improvement_id = make_improvement(group, status=Status.PROPOSED, smart=True)
    with app.app_context():
        check_day = db.session.scalar(select(SmartCheck.checked_on))
    detail = client.get(f"/improvements/{improvement_id}").get_data(as_text=True)
    assert f'href="/improvements/{improvement_id}/status/approved"' in detail
    url = f"/improvements/{improvement_id}/status/approved"
    page = client.get(url).get_data(as_text=True)
    assert 'name="happened_on"' in page and f'value="{date.today().isoformat()}"' in page
    early = (check_day - timedelta(days=1)).isoformat()
    refused = client.post(url, data={"confirm": "yes", "happened_on": early}).get_data(as_text=True)
    assert "before the SMART check it rests on" in refused
    with app.app_context():
        assert db.session.get(Improvement, improvement_id).status == Status.PROPOSED
    assert client.post(url, data={"confirm": "yes", "happened_on": check_day.isoformat()}).status_code == 302
    with app.app_context():
        improvement = db.session.get(Improvement, improvement_id)
        assert improvement.status == Status.APPROVED and improvement.approved_on == check_day


def test_a_meeting_to_come_is_not_recorded(app, member_client):
    client, group = member_client
    with app.app_context():
        from core.models import User
        member_id = db.session.scalar(select(User.id))
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = client.post(f"/improvements/groups/{group}/meetings", data={
        "held_on": tomorrow, "attendee_ids": [member_id], "minutes": "Next steps"}, follow_redirects=True)
    assert "is in the future" in response.get_data(as_text=True)
    with app.app_context():
        from improvements.models import Meeting
        assert db.session.scalars(select(Meeting)).all() == []


def test_the_demo_tells_its_improvements_days_in_order(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        for improvement in db.session.scalars(select(Improvement)):
            days = [improvement.raised_on, *(c.checked_on for c in improvement.checks if c.passed),
                    improvement.approved_on, *(t.held_on for t in improvement.trainings),
                    improvement.implemented_on, improvement.verified_on]
            stated = [day for day in days if day is not None]
            assert stated == sorted(stated), improvement.title
            assert all(day <= date.today() for day in stated)
            assert all(c.checked_on <= datetime.now().date() for c in improvement.checks)
