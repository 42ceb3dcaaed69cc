"""Command-line tasks of the shared parts: ``flask imports cleanup``, ``flask audit verify``."""

import sys

import click
from flask.cli import AppGroup, with_appcontext

from core import audit_chain, digest
from core.extensions import db
from core.imports import retention
from core.mail import links_context, mail_configured

imports_cli = AppGroup("imports", help="Import uploads.")
audit_cli = AppGroup("audit", help="The audit trail.")


@click.command("digest")
@with_appcontext
def digest_command():
    """E-mail the weekly digest to the coordinators now (printed when SMTP is not configured)."""
    with links_context():
        if not mail_configured():
            click.echo(digest.digest_text(digest.sections({})))
            return
        outcome = digest.send_digest()
    click.echo(f"Digest sent to {len(outcome.sent)} coordinators.")
    for reason in outcome.refused:
        click.echo(f"Not sent: {reason}", err=True)
    if outcome.error is not None:
        raise click.ClickException(f"{len(outcome.sent)} sent, {len(outcome.left)} left, error: {outcome.error}")


@imports_cli.command("cleanup")
def imports_cleanup_command():
    """Delete the import uploads not applied within IMPORT_FILES_KEEP_DAYS days (run it daily from cron)."""
    deleted = retention.delete_abandoned()
    db.session.commit()
    click.echo(f"Deleted {deleted} abandoned import uploads (older than {retention.keep_days()} days).")


@audit_cli.command("verify")
@click.option("--head", "expected", metavar="SEQ:SHA256",
              help="A chain head printed earlier (an evidence pack's cover): it must still be in the chain.")
def audit_verify_command(expected):
    """Recompute the hash chain of the audit trail; report the first entry that does not match (exit code 1)."""
    report = audit_chain.verify(db.session, expected=expected)
    if report.broken is not None:
        entry = report.broken
        why = ("an entry before it is missing" if report.problem == "missing"
               else "its content, or the entry before it, was changed")
        when = f"{entry.created_at:%Y-%m-%d %H:%M:%S} UTC"
        click.echo(f"BROKEN at audit entry {entry.id} (chain position {entry.chain_seq}, {when}, {entry.action} "
                   f"{entry.entity_type} {entry.entity_id}): {why}. {report.checked} entries before it are intact.")
        sys.exit(1)
    click.echo(f"Checked {report.checked} audit entries: the chain is intact."
               + (f" Head: {report.head}." if report.head else ""))
    if report.unsealed:
        click.echo(f"BROKEN: {report.unsealed} entries were committed without a seal.")
    if report.expected_head_found is False:
        click.echo(f"BROKEN: the head {expected} is no longer in the chain.")
    if not report.intact:
        sys.exit(1)
