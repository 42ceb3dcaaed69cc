"""``flask evidence ...``: store the shipped criteria sets (at setup, after ``flask db upgrade``), or load a new
version of a criteria file into its set (``evidence.reload``)."""

from pathlib import Path

import click
from flask.cli import AppGroup

from core.extensions import db
from evidence import reload
from evidence.criteria_sets import BUILTIN_DIRECTORY, CriteriaFileError, install_set, parse_criteria_file
from evidence.models import CriteriaSet

evidence_cli = AppGroup("evidence", help="Certification evidence: criteria sets.")


@evidence_cli.command("load-criteria")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Go ahead even if criteria that verdicts or evidence rest on change or "
                                          "are retired.")
@click.option("--reason", default=None, help="Why the set's criteria change (kept in its history).")
def load_criteria_command(path: Path | None, yes: bool, reason: str | None):
    """Store the criteria sets shipped in evidence/criteria/ (or the file PATH): a set not stored yet is added, a
    stored one gets the file's new version. A new version that changes or retires criteria with verdicts or
    evidence is refused without --yes, after printing what it would change; retired criteria are kept."""
    paths = [path] if path else sorted(BUILTIN_DIRECTORY.glob("*.yaml"))
    added, reloaded, refused = [], [], []
    for file in paths:
        try:
            data = parse_criteria_file(file.read_bytes())
        except CriteriaFileError as error:
            raise click.ClickException(f"{file.name}: {error}") from error
        stored = db.session.scalar(db.select(CriteriaSet).where(CriteriaSet.code == data.code))
        if stored is None:
            added.append(install_set(data, builtin=path is None, source=file.name))
            continue
        plan = reload.reload_plan(stored, data)
        if plan.changes_nothing:
            continue
        click.echo(f"{data.code} ({file.name}):")
        for change in plan.changes:
            mark = "!" if change.judged and change.kind in (reload.CHANGED, reload.RETIRED) else "-"
            click.echo(f"  {mark} {change.text}")
        if plan.needs_confirmation and not yes:
            refused.append(data.code)
            continue
        reload.apply_reload(plan, actor=None, reason=reason or f"flask evidence load-criteria {file.name}",
                            confirmed=True, source=file.name)
        reloaded.append(data.code)
    if refused:
        db.session.rollback()
        raise click.ClickException(
            f"Nothing was loaded: the new version of {', '.join(refused)} changes or retires criteria that verdicts "
            "or evidence rest on (marked “!” above). Check the list, then run again with --yes (and --reason).")
    db.session.commit()
    click.echo(f"{len(added)} criteria set(s) added" + (": " + ", ".join(s.code for s in added) if added else ".")
               + (f" {len(reloaded)} updated: {', '.join(reloaded)}." if reloaded else ""))
