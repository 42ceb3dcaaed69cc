"""Command-line tasks of the shared parts: ``flask imports cleanup``, ``flask audit verify``, ``flask worker``
(a consumer of the task queue) and ``flask dev`` (the web server and a worker together, for ``make run``)."""

import logging
import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from core import audit_chain, digest, supervisor, tasks
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


@click.command("worker")
@click.option("--workers", "-w", type=click.IntRange(1), default=None,
              help="Tasks run at once (default TASK_QUEUE_WORKERS): the bound on concurrent evidence packs.")
@click.option("--worker-type", type=click.Choice(["thread", "process"]), default="thread", show_default=True,
              help="Threads share one CPU core (fine for mail); processes use one core each (evidence packs).")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Also run the scheduled jobs: on one worker of the installation only, --no-periodic on the others.")
@with_appcontext
def worker_command(workers, worker_type, periodic):
    """Run a consumer of the task queue (evidence packs, mail, scheduled jobs) until Ctrl-C or SIGTERM."""
    app = current_app._get_current_object()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    workers = workers or app.config["TASK_QUEUE_WORKERS"]
    state = tasks.status(app)
    if state.kind == "immediate":
        raise click.UsageError("TASK_QUEUE_IMMEDIATE is set: tasks run where they are enqueued, there is no worker.")
    click.echo(f"Task queue ({state.kind}): {workers} {worker_type} worker(s), scheduled jobs "
               f"{'on' if periodic else 'off'}.")
    tasks.consumer(app, workers=workers, worker_type=worker_type, periodic=periodic).run()


@click.command("dev")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--debug", is_flag=True, help="Flask's debugger and reloader (its /console runs any Python).")
def dev_command(host, port, debug):
    """Serve the app and run one task-queue worker beside it; Ctrl-C stops both (``make run``)."""
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    web = [*flask, "run", "--host", host, "--port", str(port), *(["--debug"] if debug else [])]
    sys.exit(supervisor.run_together({"web": web, "worker": [*flask, "worker", "--workers", "1"]}))
