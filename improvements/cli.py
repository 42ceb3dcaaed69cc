"""``flask reminders``: for cron, tell task owners what is overdue or due soon."""

from datetime import date
from itertools import groupby

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from flask_babel import force_locale, format_date, gettext, ngettext

from core.mail import mail_configured, send_mail
from improvements.queries import tasks_due_for_everyone


def reminder_text(tasks, today: date) -> str:
    """The body of one person's reminder, in the current locale: each task, its improvement, due date and a link."""
    lines = [gettext("Improvement tasks overdue or due soon:"), ""]
    for task in tasks:
        day = format_date(task.due_on)
        state = gettext("OVERDUE since %(day)s", day=day) if task.due_on < today else gettext("due on %(day)s", day=day)
        lines.append(f"- {task.title} ({task.improvement.title}): {state} {_link(task.improvement_id)}")
    return "\n".join(lines)


def _language(user) -> str:
    """The language a person reads their mail in: the one they chose, else the installation's."""
    return user.language or current_app.config["BABEL_DEFAULT_LOCALE"]


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
        with force_locale(_language(owner)):
            body = reminder_text(owned, today)
            subject = ngettext("Fideliza: %(num)d improvement task needs you",
                               "Fideliza: %(num)d improvement tasks need you", len(owned))
        if sending:
            send_mail(owner.email, subject, body)
            click.echo(f"Sent to {owner.email}: {len(owned)} tasks.")
        else:
            click.echo(f"To {owner.email} (SMTP not configured, not sent):\n{body}\n")
