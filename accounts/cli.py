"""Command-line tasks for accounts: ``flask users create | first-admin | list | reset-two-factor``."""

import os
import sys

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


#: The variables ``flask users first-admin`` reads (``make run DEMO=0`` passes them through).
FIRST_ADMIN_VARIABLES = ("FIDELIZA_ADMIN_EMAIL", "FIDELIZA_ADMIN_PASSWORD", "FIDELIZA_ADMIN_NAME",
                         "FIDELIZA_ADMIN_LANGUAGE")


@users_cli.command("first-admin")
def first_admin_command():
    """Create the first administrator of an empty installation, from FIDELIZA_ADMIN_EMAIL, FIDELIZA_ADMIN_PASSWORD
    (and optionally FIDELIZA_ADMIN_NAME, FIDELIZA_ADMIN_LANGUAGE), or asked for at the terminal. Does nothing once
    the installation has an account, so that ``make run DEMO=0`` may run it every time."""
    if db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("The installation already has accounts: no administrator created.")
        return
    email, password = os.environ.get("FIDELIZA_ADMIN_EMAIL"), os.environ.get("FIDELIZA_ADMIN_PASSWORD")
    if not (email and password) and not _interactive():
        raise click.ClickException("No account exists yet. Set FIDELIZA_ADMIN_EMAIL and FIDELIZA_ADMIN_PASSWORD "
                                   "(or run this at a terminal to be asked) to create the first administrator.")
    email = email or click.prompt("E-mail of the first administrator")
    password = password or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    name = os.environ.get("FIDELIZA_ADMIN_NAME") or email.split("@")[0]
    language = os.environ.get("FIDELIZA_ADMIN_LANGUAGE") if os.environ.get("FIDELIZA_ADMIN_LANGUAGE") in ("es", "en") \
        else None
    try:
        user = create_user(email=email, name=name, role=Role.ADMIN, password=password, language=language)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created the administrator {user.email}. Sign in and follow the setup page.")


def _interactive() -> bool:
    """Whether someone is at the terminal to answer (not a service manager, a pipe or CI)."""
    return sys.stdin.isatty()


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
