"""``flask reminders`` tells owners of overdue and soon-due tasks: by e-mail with SMTP, else on screen."""

from datetime import date, timedelta

from improvements.models import Status, TaskStatus


def setup_tasks(app, make_user, make_group, make_improvement):
    ana, ben = make_user("member", email="ana@example.test"), make_user("member", email="ben@example.test")
    from core.extensions import db
    from core.models import User

    with app.app_context():
        db.session.get(User, ana.id).language, db.session.get(User, ben.id).language = "en", "es"
        db.session.commit()
    group = make_group(members={ana.id: "Member", ben.id: "Member"})
    day = date.today()
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
    late, soon, tomorrow = (date.today() + timedelta(days=n) for n in (-2, 5, 1))
    # each owner reads theirs in their own language, with the day in that language's house format
    assert f"Late letter (Written answers): OVERDUE since {late.month}/{late.day}/{late.year}" in result.output
    assert f"Soon letter (Written answers): due on {soon.month}/{soon.day}/{soon.year}" in result.output
    assert "Tareas de mejora vencidas o que vencen pronto:" in result.output
    assert f"Ben's task (Written answers): vence el {tomorrow.day}/{tomorrow.month}/{tomorrow.year}" in result.output
    assert "Far letter" not in result.output and "Done letter" not in result.output
    assert "/improvements/" in result.output and "ben@example.test" in result.output


def test_with_smtp_each_owner_gets_one_message(app, runner, make_user, make_group, make_improvement, monkeypatch):
    setup_tasks(app, make_user, make_group, make_improvement)
    sent = []
    monkeypatch.setattr("improvements.cli.mail_configured", lambda: True)
    monkeypatch.setattr("improvements.cli.send_mail",
                        lambda to, subject, body: sent.append((to, subject, body)) or True)
    result = runner.invoke(args=["reminders", "--days", "0"])
    assert result.exit_code == 0, result.output
    assert [to for to, _subject, _body in sent] == ["ana@example.test"]
    assert sent[0][1] == "Fideliza: 1 improvement task needs you"
    assert "Late letter" in sent[0][2] and "Soon letter" not in sent[0][2]


def test_nothing_due_says_so(runner):
    assert "No improvement tasks are overdue or due soon." in runner.invoke(args=["reminders"]).output
