"""``flask reminders`` tells owners of overdue and soon-due tasks: by e-mail with SMTP, else on screen."""

from datetime import date, timedelta

from improvements.models import Status, TaskStatus


def setup_tasks(make_user, make_group, make_improvement):
    ana, ben = make_user("member", email="ana@example.test"), make_user("member", email="ben@example.test")
    group = make_group(members={ana.id: "Member", ben.id: "Member"})
    day = date.today()
    make_improvement(group, status=Status.IN_PROGRESS, title="Written answers", tasks=[
        ("Late letter", ana.id, day - timedelta(days=2), TaskStatus.TODO),
        ("Soon letter", ana.id, day + timedelta(days=5), TaskStatus.DOING),
        ("Far letter", ana.id, day + timedelta(days=40), TaskStatus.TODO),
        ("Done letter", ben.id, day - timedelta(days=1), TaskStatus.DONE),
        ("Ben's task", ben.id, day + timedelta(days=1), TaskStatus.TODO)])


def test_without_smtp_the_reminders_are_printed(runner, make_user, make_group, make_improvement):
    setup_tasks(make_user, make_group, make_improvement)
    result = runner.invoke(args=["reminders", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert "To ana@example.test (SMTP not configured, not sent)" in result.output
    assert "Late letter (Written answers): OVERDUE" in result.output and "Soon letter" in result.output
    assert "Far letter" not in result.output and "Done letter" not in result.output
    assert "/improvements/" in result.output and "ben@example.test" in result.output


def test_with_smtp_each_owner_gets_one_message(app, runner, make_user, make_group, make_improvement, monkeypatch):
    setup_tasks(make_user, make_group, make_improvement)
    sent = []
    monkeypatch.setattr("improvements.cli.mail_configured", lambda: True)
    monkeypatch.setattr("improvements.cli.send_mail", lambda to, subject, body: sent.append((to, body)) or True)
    result = runner.invoke(args=["reminders", "--days", "0"])
    assert result.exit_code == 0, result.output
    assert [to for to, _ in sent] == ["ana@example.test"]
    assert "Late letter" in sent[0][1] and "Soon letter" not in sent[0][1]


def test_nothing_due_says_so(runner):
    assert "No improvement tasks are overdue or due soon." in runner.invoke(args=["reminders"]).output
