"""``flask evidence ...``: store the shipped criteria sets (at setup, after ``flask db upgrade``)."""

import click
from flask.cli import AppGroup

from core.extensions import db
from evidence.criteria_sets import ensure_builtin_sets

evidence_cli = AppGroup("evidence", help="Certification evidence: criteria sets.")


@evidence_cli.command("load-criteria")
def load_criteria_command():
    """Store the criteria sets shipped in evidence/criteria/ that are not stored yet."""
    added = ensure_builtin_sets()
    db.session.commit()
    click.echo(f"{len(added)} criteria set(s) added" + (": " + ", ".join(s.code for s in added) if added else "."))
