"""``flask surveys``: the survey engine's commands — closing the waves past their end date (the scheduled job
does it every day) and rebuilding the running totals results read."""

import click
from flask.cli import AppGroup

from core import schedule
from core.extensions import db
from surveys import lifecycle, releases, totals
from surveys.models import Wave

surveys_cli = AppGroup("surveys", help="Surveys, their waves and their results.")


@surveys_cli.command("close-waves")
def close_waves_command():
    """Close the open waves whose end date is before today (the organisation's day)."""
    closed = lifecycle.close_past_waves(schedule.today())
    for wave in closed:
        click.echo(f"Closed: {wave.survey.title} · {wave.name} (ended {wave.closes_on.isoformat()}).")
    if not closed:
        click.echo("No open wave is past its end date.")


@surveys_cli.command("rebuild-totals")
@click.option("--wave", "wave_id", type=int, help="Only this wave (its id); every wave without it.")
def rebuild_totals_command(wave_id: int | None):
    """Recompute the running totals that survey results read from the stored answers (after restoring a
    backup taken before the totals existed, or to check them: the figures shown do not change)."""
    if wave_id is not None and db.session.get(Wave, wave_id) is None:
        raise click.BadParameter(f"there is no wave {wave_id}.", param_hint="--wave")
    ids = None if wave_id is None else [wave_id]
    rebuilt = totals.rebuild(releases.shown_responses(ids), ids)
    db.session.commit()
    click.echo(f"Running totals of {rebuilt} survey waves recomputed from their answers.")
