"""Command-line tasks: ``flask imports cleanup`` and ``flask demo``."""

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from core.extensions import db
from core.imports import retention
from core.models import User

imports_cli = AppGroup("imports", help="Import uploads.")


@imports_cli.command("cleanup")
def imports_cleanup_command():
    """Delete the import uploads not applied within IMPORT_FILES_KEEP_DAYS days (run it daily from cron)."""
    deleted = retention.delete_abandoned()
    db.session.commit()
    click.echo(f"Deleted {deleted} abandoned import uploads (older than {retention.keep_days()} days).")


@click.command("demo")
@with_appcontext
@click.option("--reset", is_flag=True, help="Erase ALL data and load the demo organisation again.")
@click.option("--if-empty", is_flag=True, help="Load the demo only when the database has no users.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation before --reset.")
def demo_command(reset, if_empty, yes):
    """Load the demo organisation and its accounts (password: demo-password)."""
    from core import demo

    has_users = db.session.scalar(select(User.id).limit(1)) is not None
    if reset:
        if not yes:
            click.confirm("This erases every record in the database. Continue?", abort=True)
        demo.erase_all()
    elif has_users:
        if if_empty:
            click.echo("The database already has data: demo not loaded.")
            return
        raise click.ClickException("The database already has data. Use --reset to replace it with the demo.")
    demo.load()
    db.session.commit()
    click.echo("Demo loaded. Sign in as " + ", ".join(demo.DEMO_ACCOUNTS) + f" with password '{demo.DEMO_PASSWORD}'.")
