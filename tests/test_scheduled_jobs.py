"""The scheduled jobs: at their hour of the organisation's day (or never), and each by hand from the CLI —
closing the waves past their end date, and the weekly digest to coordinators."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from core import schedule
from core.config import parse_environment
from core.digest import scheduled_digest
from core.extensions import db
from core.models import DigestRun, Organisation, User
from core.transitions import history
from improvements.models import Status, TaskStatus
from processes.models import Target
from surveys.models import WAVE_HISTORY_KIND, Audience, Wave, WaveStatus
from surveys.tasks import close_past_waves
from tests.evidence_fixtures import checklist_ids

SMTP = {"MAIL_SERVER": "smtp.example.test"}


def test_a_job_is_due_at_its_hour_in_the_organisation_time_zone(app):
    with app.app_context():
        db.session.add(Organisation(name="Org", time_zone="America/Mexico_City"))
        db.session.commit()
        app.config.update(SCHEDULE_DIGEST_HOUR=8, SCHEDULE_DIGEST_WEEKDAY=3)
        thursday_eight = datetime(2026, 12, 3, 14, 0)  # 08:00 in Mexico City (UTC-6)
        assert schedule.due("SCHEDULE_DIGEST_HOUR", weekday_setting="SCHEDULE_DIGEST_WEEKDAY", now=thursday_eight)
        assert not schedule.due("SCHEDULE_DIGEST_HOUR", weekday_setting="SCHEDULE_DIGEST_WEEKDAY",
                                now=thursday_eight + timedelta(days=1))
        assert schedule.today(datetime(2026, 12, 4, 3, 0)) == date(2026, 12, 3)  # still the 3rd over there
        app.config["SCHEDULE_ENABLED"] = False
        assert not schedule.due("SCHEDULE_DIGEST_HOUR", weekday_setting="SCHEDULE_DIGEST_WEEKDAY", now=thursday_eight)


def test_the_hours_may_be_switched_off_from_the_environment():
    found = parse_environment({"SCHEDULE_DIGEST_HOUR": "off", "SCHEDULE_REMINDERS_HOUR": "6"})
    assert found == {"SCHEDULE_DIGEST_HOUR": None, "SCHEDULE_REMINDERS_HOUR": 6}


@pytest.fixture
def waves(make_survey, make_wave):
    survey = make_survey("staff_participation", audience=Audience.STAFF, anonymous=False)
    ids = [make_wave(survey, name=name) for name in ("Past", "Today", "Open-ended")]
    return ids


def _set_end(app, ids, *ends):
    with app.app_context():
        for wave_id, end in zip(ids, ends, strict=True):
            db.session.get(Wave, wave_id).closes_on = end
        db.session.commit()


def test_waves_past_their_end_date_close_by_hand_and_by_the_job(app, runner, waves):
    today = date.today()
    _set_end(app, waves, today - timedelta(days=2), today + timedelta(days=1), None)
    result = runner.invoke(args=["surveys", "close-waves"])
    assert result.exit_code == 0 and "Closed: " in result.output and "· Past (ended" in result.output
    with app.app_context():
        statuses = [db.session.get(Wave, wave_id).status for wave_id in waves]
        assert statuses == [WaveStatus.CLOSED, WaveStatus.OPEN, WaveStatus.OPEN]
        (change,) = history(WAVE_HISTORY_KIND, waves[0])
        assert change.actor_id is None and "end date has passed" in change.reason
    assert "No open wave is past its end date." in runner.invoke(args=["surveys", "close-waves"]).output
    _set_end(app, waves[1:2], today - timedelta(days=1))
    app.config["SCHEDULE_CLOSE_WAVES_HOUR"] = None  # switched off: the hourly job does nothing
    with app.app_context():
        close_past_waves.call_local()
        assert db.session.get(Wave, waves[1]).status == WaveStatus.OPEN
        app.config["SCHEDULE_CLOSE_WAVES_HOUR"] = schedule.local_now().hour
        close_past_waves.call_local()
        assert db.session.get(Wave, waves[1]).status == WaveStatus.CLOSED


@pytest.fixture
def programme_state(app, make_user, make_group, make_improvement, make_process, make_indicator):
    """Two coordinators (English and Spanish), an overdue task, and an indicator off target."""
    checklist_ids(app)
    ana = make_user("coordinator", email="ana@example.test", name="Ana")
    make_user("coordinator", email="bea@example.test", name="Bea")
    make_user("member", email="carl@example.test")
    with app.app_context():
        db.session.get(User, ana.id).language = "en"
        db.session.scalar(select(User).where(User.email == "bea@example.test")).language = "es"
        db.session.commit()
    group = make_group(members={ana.id: "Member"})
    make_improvement(group, status=Status.IN_PROGRESS, title="Written answers",
                     tasks=[("Late letter", ana.id, date.today() - timedelta(days=3), TaskStatus.TODO)])
    indicator = make_indicator(make_process(), code="SAT", name="Satisfaction", values={date(2026, 1, 1): 70})
    with app.app_context():
        db.session.add(Target(indicator_id=indicator, valid_from=date(2000, 1, 1), value=90))
        db.session.commit()


@pytest.mark.parametrize("app_overrides", [SMTP])
def test_the_weekly_digest_goes_to_each_coordinator_in_their_language(app, runner, programme_state):
    result = runner.invoke(args=["digest"])
    assert result.exit_code == 0, result.output
    assert "Digest sent to 2 coordinators." in result.output
    english, spanish = sorted(app.extensions["mailman"].outbox, key=lambda m: m.to)
    assert english.to == ["ana@example.test"] and english.subject == "Fideliza: the week's digest"
    body = english.body
    assert "Certification readiness" in body and "Met: " in body
    assert "- Late letter (Written answers): Ana, overdue since" in body
    assert "- SAT · Satisfaction: 70 (" in body
    assert spanish.to == ["bea@example.test"] and "Indicadores fuera de objetivo" in spanish.body
    with app.app_context():
        (run,) = db.session.scalars(select(DigestRun))
        assert run.state["off_target"] == ["SAT"] and run.state["readiness"]
        # next week: a criterion that changed is named, the indicator is no longer new
        now = run.state["readiness"]
        run.state = {**run.state, "readiness": {code: "met" for code in now}}
        db.session.commit()
        changed = [code for code, status in now.items() if status != "met"]
    assert changed
    runner.invoke(args=["digest"])
    body = sorted(app.extensions["mailman"].outbox[2:], key=lambda m: m.to)[0].body
    assert "new: SAT" not in body and "- SAT · Satisfaction" in body
    assert all(f"- {code}: Met → " in body for code in changed)


def test_without_smtp_the_digest_is_printed_and_the_job_sends_nothing(app, runner, programme_state):
    result = runner.invoke(args=["digest"])
    assert "Improvement tasks overdue" in result.output and "Late letter" in result.output
    with app.app_context():
        app.config["SCHEDULE_DIGEST_HOUR"] = schedule.local_now().hour
        app.config["SCHEDULE_DIGEST_WEEKDAY"] = schedule.local_now().weekday()
        scheduled_digest.call_local()
        assert db.session.scalar(select(db.func.count()).select_from(DigestRun)) == 0
    assert not getattr(app.extensions["mailman"], "outbox", [])


@pytest.mark.parametrize("app_overrides", [SMTP])
def test_the_digest_job_runs_on_its_day_and_hour(app, programme_state):
    with app.app_context():
        now = schedule.local_now()
        app.config.update(SCHEDULE_DIGEST_HOUR=now.hour, SCHEDULE_DIGEST_WEEKDAY=(now.weekday() + 1) % 7)
        scheduled_digest.call_local()
        assert not getattr(app.extensions["mailman"], "outbox", [])
        app.config["SCHEDULE_DIGEST_WEEKDAY"] = now.weekday()
        scheduled_digest.call_local()  # queues the digest: immediate mode sends it at once
    assert len(app.extensions["mailman"].outbox) == 2
