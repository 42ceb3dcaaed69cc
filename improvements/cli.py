"""``flask reminders``: tell task owners what is overdue or due soon, now (the scheduled job does it every day)."""

import click
from flask.cli import with_appcontext

from core import schedule
from core.mail import links_context, mail_configured
from improvements.reminders import reminders, send_reminders


@click.command("reminders")
@with_appcontext
@click.option("--days", default=7, show_default=True, type=click.IntRange(0, 365),
              help="Remind of tasks due within this many days, and of overdue ones.")
def reminders_command(days):
    """E-mail each owner their overdue and soon-due improvement tasks (printed when SMTP is not configured)."""
    with links_context():
        _remind(days)


def _remind(days: int) -> None:
    found = reminders(schedule.today(), days)
    if not found:
        click.echo("No improvement tasks are overdue or due soon.")
        return
    if not mail_configured():
        for reminder in found:
            click.echo(f"To {reminder.email} (SMTP not configured, not sent):\n{reminder.body}\n")
        return
    outcome = send_reminders(found)
    for reminder in found:
        if reminder.owner_id in outcome.sent:
            click.echo(f"Sent to {reminder.email}: {reminder.tasks} tasks.")
    for reason in outcome.refused:
        click.echo(f"Not sent: {reason}", err=True)
    if outcome.error is not None:
        raise click.ClickException(f"{len(outcome.sent)} sent, {len(outcome.left)} left, error: {outcome.error}")
