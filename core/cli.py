"""Command-line tasks: ``flask users ...``, ``flask imports cleanup`` and ``flask demo``."""

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from core.extensions import db
from core.imports import retention
from core.models import Role, User

users_cli = AppGroup("users", help="Manage user accounts.")
imports_cli = AppGroup("imports", help="Import uploads.")


@users_cli.command("create")
@click.option("--email", required=True, help="The person's e-mail; it is their login.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", default=None, help="Full name (defaults to the part of the e-mail before @).")
@click.option("--language", type=click.Choice(["es", "en"]), default=None)
@click.password_option(help="Asked for when not given.")
def create_user_command(email, role, name, language, password):
    """Create an account (e.g. the first administrator of a new installation)."""
    from accounts.services import AccountError, create_user

    try:
        user = create_user(email=email, name=name or email.split("@")[0], role=role,
                           password=password, language=language)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}).")


@users_cli.command("list")
def list_users_command():
    """List the accounts with their role and status."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        status = "active" if user.active else "deactivated"
        click.echo(f"{user.email:40} {user.role.value:12} {status}")


@users_cli.command("reset-two-factor")
@click.option("--email", required=True, help="The account whose authenticator app is lost.")
def reset_two_factor_command(email):
    """Forget an account's two-factor sign-in and end its sessions (e.g. the only administrator lost the phone)."""
    from accounts import two_factor

    user = User.by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the e-mail {email}.")
    if not two_factor.reset(user):
        click.echo(f"{user.email} has no two-factor sign-in: nothing to reset.")
        return
    db.session.commit()
    click.echo(f"Two-factor sign-in of {user.email} reset: they sign in with their password and set it up again.")


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
