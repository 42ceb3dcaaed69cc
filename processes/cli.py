"""``flask processes``: the process map's maintenance commands."""

import click
from flask.cli import AppGroup

from core.extensions import db
from processes import computed

processes_cli = AppGroup("processes", help="The process map and its indicators.")


@processes_cli.command("refresh-indicators")
def refresh_indicators_command():
    """Recompute every indicator computed from the app's own data (for cron: a period that has just ended gets
    its value without waiting for the next change of its data)."""
    changed = computed.refresh_all()
    db.session.commit()
    click.echo(f"{changed} computed measurements added, changed or removed.")
