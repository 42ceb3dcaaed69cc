"""``flask reminders`` tells owners of overdue and soon-due tasks: by e-mail with SMTP, else on screen."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from core import schedule, tasks
from core.extensions import db
from core.models import User
from improvements.models import Status, TaskStatus
from improvements.tasks import send_task_reminders
from tests.mail_backends import FlakyEmailBackend


def setup_tasks(app, make_user, make_group, make_improvement):
    ana, ben = make_user("member", email="ana@example.test"), make_user("member", email="ben@example.test")
    with app.app_context():
        db.session.get(User, ana.id).language, db.session.get(User, ben.id).language = "en", "es"
        db.session.commit()
    group = make_group(members={ana.id: "Member", ben.id: "Member"})
    with app.app_context():
        day = schedule.today()  # the organisation's day, which the reminders judge by (not the machine's)
    make_improvement(group, status=Status.IN_PROGRESS, title="Written answers", tasks=[
        ("Late letter", ana.id, day - timedelta(days=2), TaskStatus.TODO),
        ("Soon letter", ana.id, day + timedelta(days=5), TaskStatus.DOING),
        ("Far letter", ana.id, day + timedelta(days=40), TaskStatus.TODO),
        ("Done letter", ben.id, day - timedelta(days=1), TaskStatus.DONE),
        ("Ben's task", ben.id, day + timedelta(days=1), TaskStatus.TODO)])


def test_without_smtp_the_reminders_are_printed(app, runner, make_user, make_group, make_improvement):
    setup_tasks(app, make_user, make_group, make_improvement)
    result = runner.invoke(args=["reminders", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert "To ana@example.test (SMTP not configured, not sent)" in result.output
    with app.app_context():
        late, soon, tomorrow = (schedule.today() + timedelta(days=n) for n in (-2, 5, 1))
    # each owner reads theirs in their own language, with the day in that language's house format
    assert f"Late letter (Written answers): OVERDUE since {late.month}/{late.day}/{late.year}" in result.output
    assert f"Soon letter (Written answers): due on {soon.month}/{soon.day}/{soon.year}" in result.output
    assert "Tareas de mejora vencidas o que vencen pronto:" in result.output
    assert f"Ben's task (Written answers): vence el {tomorrow.day}/{tomorrow.month}/{tomorrow.year}" in result.output
    assert "Far letter" not in result.output and "Done letter" not in result.output
    assert "/improvements/" in result.output and "ben@example.test" in result.output


@pytest.mark.parametrize("app_overrides", [{"MAIL_SERVER": "smtp.example.test"}])
def test_with_smtp_each_owner_gets_one_message(app, runner, make_user, make_group, make_improvement):
    setup_tasks(app, make_user, make_group, make_improvement)
    result = runner.invoke(args=["reminders", "--days", "0"])
    assert result.exit_code == 0, result.output
    (message,) = app.extensions["mailman"].outbox  # Mailman's in-memory outbox
    assert message.to == ["ana@example.test"] and message.subject == "Fideliza: 1 improvement task needs you"
    assert "Late letter" in message.body and "Soon letter" not in message.body
    assert "Sent to ana@example.test: 1 tasks." in result.output


@pytest.mark.parametrize("app_overrides", [{"MAIL_SERVER": "smtp.example.test",
                                            "MAIL_BACKEND": "tests.mail_backends.FlakyEmailBackend"}])
def test_the_scheduled_job_tries_again_only_those_not_reached(app, make_user, make_group, make_improvement):
    """The server drops the connection at the second owner's message: the first keeps theirs, and the try
    queued for later sends only the second's."""
    setup_tasks(app, make_user, make_group, make_improvement)
    FlakyEmailBackend.reset(fail_at=2)
    with app.app_context():
        send_task_reminders(7)
        outbox = app.extensions["mailman"].outbox
        assert [m.to for m in outbox] == [["ana@example.test"]]
        (retry,) = tasks.queue().scheduled()
        assert retry.kwargs["owner_ids"] == [db.session.scalar(select(User.id).where(User.email == "ben@example.test"))]
        send_task_reminders.call_local(7, owner_ids=retry.kwargs["owner_ids"])
        assert [m.to for m in outbox] == [["ana@example.test"], ["ben@example.test"]]


def test_the_scheduled_job_runs_at_its_hour_of_the_organisation_day(app, make_user, make_group, make_improvement):
    setup_tasks(app, make_user, make_group, make_improvement)
    app.config["MAIL_SERVER"] = "smtp.example.test"
    with app.app_context():
        madrid_eight = datetime(2026, 12, 3, 7, 0)  # 08:00 in Madrid (the default zone) is 07:00 UTC in winter
        assert schedule.due("SCHEDULE_REMINDERS_HOUR", now=madrid_eight)
        assert not schedule.due("SCHEDULE_REMINDERS_HOUR", now=madrid_eight.replace(hour=8))
        app.config["SCHEDULE_REMINDERS_HOUR"] = None
        assert not schedule.due("SCHEDULE_REMINDERS_HOUR", now=madrid_eight)


def test_nothing_due_says_so(runner):
    assert "No improvement tasks are overdue or due soon." in runner.invoke(args=["reminders"]).output
