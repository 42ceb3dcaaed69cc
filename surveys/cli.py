"""``flask surveys close-waves``: close now the open waves whose end date has passed (the scheduled job does it
every day)."""

import click
from flask.cli import AppGroup

from core import schedule
from surveys import lifecycle

surveys_cli = AppGroup("surveys", help="Survey waves.")


@surveys_cli.command("close-waves")
def close_waves_command():
    """Close the open waves whose end date is before today (the organisation's day)."""
    closed = lifecycle.close_past_waves(schedule.today())
    for wave in closed:
        click.echo(f"Closed: {wave.survey.title} · {wave.name} (ended {wave.closes_on.isoformat()}).")
    if not closed:
        click.echo("No open wave is past its end date.")
