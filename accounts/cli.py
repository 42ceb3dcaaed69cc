"""Command-line tasks for accounts: ``flask users create | list | reset-two-factor``."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from accounts import two_factor
from accounts.services import AccountError, create_user
from core.extensions import db
from core.models import Role, User

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True, help="The person's e-mail; it is their login.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", default=None, help="Full name (defaults to the part of the e-mail before @).")
@click.option("--language", type=click.Choice(["es", "en"]), default=None)
@click.password_option(help="Asked for when not given.")
def create_user_command(email, role, name, language, password):
    """Create an account (e.g. the first administrator of a new installation)."""
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
    user = User.by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the e-mail {email}.")
    if not two_factor.reset(user):
        click.echo(f"{user.email} has no two-factor sign-in: nothing to reset.")
        return
    db.session.commit()
    click.echo(f"Two-factor sign-in of {user.email} reset: they sign in with their password and set it up again.")
