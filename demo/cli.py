"""``flask demo``: load the demo organisation into an empty database, or replace everything with it; and
``flask demo remove-census``: take the demo's clients out of the census before importing a real one."""

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

import demo
from core.extensions import db
from core.models import Role, User
from loyalty import demo_census
from loyalty.services import CensusRuleError


@click.group("demo", invoke_without_command=True)
@with_appcontext
@click.option("--reset", is_flag=True, help="Erase ALL data and load the demo organisation again.")
@click.option("--if-empty", is_flag=True, help="Load the demo only when the database has no users.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation before --reset.")
@click.pass_context
def demo_command(context, reset, if_empty, yes):
    """Load the demo organisation and its accounts (password: demo-password)."""
    if context.invoked_subcommand is not None:
        return
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
    if not current_app.config.get("TASK_QUEUE_IMMEDIATE"):
        # The worker builds the first cycle's pack when it starts (``make run``). An immediate queue (the tests)
        # would build it inside this command, half a minute for every test that loads the demo: a test that
        # wants the pack calls ``demo.queue_work()`` itself.
        demo.queue_work()
    click.echo("Demo loaded. Sign in as " + ", ".join(demo.DEMO_ACCOUNTS) + f" with password '{demo.DEMO_PASSWORD}'.")


@demo_command.command("remove-census")
@with_appcontext
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--as", "email", help="Whom the audit trail names (default: the first active administrator).")
def remove_census_command(yes, email):
    """Remove the demo organisation's clients, and what exists only because of them, from the census."""
    record = demo_census.current_demo_import()
    if record is None or not demo_census.demo_census():
        click.echo("The census holds no demo clients: nothing to remove.")
        return
    plan = demo_census.removal_plan(record)
    for dependant in plan:
        kept = " (kept, only unlinked)" if dependant.detached else ""
        click.echo(f"  {dependant.label}{kept}: {dependant.count}")
    if not yes:
        click.confirm("These records are deleted, but for those kept. Continue?", abort=True)
    try:
        removal = demo_census.remove_demo_census(record, actor=_actor(email))
    except CensusRuleError as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from refusal
    db.session.commit()
    click.echo(f"Demo clients removed: {removal.message}.")


def _actor(email: str | None) -> User | None:
    if email:
        user = User.by_email(email)
        if user is None:
            raise click.ClickException(f"No user with e-mail {email}.")
        return user
    return db.session.scalar(select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)
                             .limit(1))
