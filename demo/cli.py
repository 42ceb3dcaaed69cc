"""``flask demo``: load the demo organisation into an empty database, or replace everything with it."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

import demo
from core.extensions import db
from core.models import User


@click.command("demo")
@with_appcontext
@click.option("--reset", is_flag=True, help="Erase ALL data and load the demo organisation again.")
@click.option("--if-empty", is_flag=True, help="Load the demo only when the database has no users.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation before --reset.")
def demo_command(reset, if_empty, yes):
    """Load the demo organisation and its accounts (password: demo-password)."""
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
