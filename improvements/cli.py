"""``flask reminders``: for cron, tell task owners what is overdue or due soon."""

from datetime import date
from itertools import groupby

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from core.mail import mail_configured, send_mail
from improvements.queries import tasks_due_for_everyone


def reminder_text(tasks, today: date) -> str:
    """The body of one person's reminder: each task, its improvement, due date and a link."""
    lines = ["Improvement tasks overdue or due soon:", ""]
    for task in tasks:
        state = "OVERDUE" if task.due_on < today else "due"
        link = _link(task.improvement_id)
        lines.append(f"- {task.title} ({task.improvement.title}): {state} {task.due_on.isoformat()} {link}")
    return "\n".join(lines)


def _link(improvement_id: int) -> str:
    """A full link when ``SERVER_NAME`` is configured, else the page's path."""
    try:
        return url_for("improvements.improvement_detail", improvement_id=improvement_id, _external=True)
    except RuntimeError:
        return current_app.url_map.bind("localhost").build("improvements.improvement_detail",
                                                            {"improvement_id": improvement_id})


@click.command("reminders")
@with_appcontext
@click.option("--days", default=7, show_default=True, type=click.IntRange(0, 365),
              help="Remind of tasks due within this many days, and of overdue ones.")
def reminders_command(days):
    """E-mail each owner their overdue and soon-due improvement tasks (printed when SMTP is not configured)."""
    today = date.today()
    tasks = tasks_due_for_everyone(today, days)
    if not tasks:
        click.echo("No improvement tasks are overdue or due soon.")
        return
    sending = mail_configured()
    for _owner_id, owned in groupby(tasks, key=lambda task: task.owner_id):
        owned = list(owned)
        owner = owned[0].owner
        body = reminder_text(owned, today)
        if sending:
            send_mail(owner.email, f"Fideliza: {len(owned)} improvement tasks need you", body)
            click.echo(f"Sent to {owner.email}: {len(owned)} tasks.")
        else:
            click.echo(f"To {owner.email} (SMTP not configured, not sent):\n{body}\n")
