"""Command-line tasks of the shared parts: ``flask imports cleanup``."""

import click
from flask.cli import AppGroup

from core.extensions import db
from core.imports import retention

imports_cli = AppGroup("imports", help="Import uploads.")


@imports_cli.command("cleanup")
def imports_cleanup_command():
    """Delete the import uploads not applied within IMPORT_FILES_KEEP_DAYS days (run it daily from cron)."""
    deleted = retention.delete_abandoned()
    db.session.commit()
    click.echo(f"Deleted {deleted} abandoned import uploads (older than {retention.keep_days()} days).")
