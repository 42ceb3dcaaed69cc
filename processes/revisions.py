"""Revisions of process sheets and their diagrams: a numbered record of each change, and what changed."""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.audit import field_label
from core.extensions import db
from core.timeutil import utcnow
from processes.diagrams import diagram_snapshot, stage_changes
from processes.models import Process, Revision

#: The sheet fields a revision keeps, in the order the history shows them.
REVISED_FIELDS = ("code", "name", "kind", "parent_id", "owner_id", "status", "purpose", "scope_start", "scope_end",
                  "inputs", "outputs", "process_clients")
FIRST_REASON = _l("Sheet created")


def snapshot(process: Process) -> dict:
    """The sheet's fields as plain JSON values, and its diagram's stages when it has any.

    A process without a diagram keeps no ``stages`` key, so revisions made before diagrams existed
    still compare equal to an unchanged sheet."""
    kept = {name: (value.value if hasattr(value, "value") else value)
            for name in REVISED_FIELDS for value in [getattr(process, name)]}
    stages = diagram_snapshot(process)
    if stages:
        kept["stages"] = stages
    return kept


def record_revision(process: Process, reason: str, *, author, improvement_id: int | None = None,
                    at: datetime | None = None) -> Revision | None:
    """Add the next numbered revision of ``process`` with its current sheet (the caller commits).

    Saving a sheet without changing it makes no revision (None). ``at`` is when it was made, for records of the
    past (the demo's history); by default, now."""
    db.session.flush()
    last = db.session.scalar(select(Revision).where(Revision.process_id == process.id)
                             .order_by(Revision.number.desc()).limit(1))
    if last is not None and last.snapshot == snapshot(process):
        return None
    revision = Revision(process_id=process.id, number=(last.number if last else 0) + 1, author=author,
                        reason=reason.strip(), improvement_id=improvement_id, snapshot=snapshot(process),
                        created_at=at or utcnow())
    db.session.add(revision)
    db.session.flush()
    return revision


def history(process: Process) -> list[tuple[Revision, list[tuple[str, object, object]]]]:
    """Each revision, newest first, with the fields and diagram stages it changed: (label, before, after)."""
    revisions = list(db.session.scalars(select(Revision).where(Revision.process_id == process.id)
                                        .order_by(Revision.number)))
    found, previous = [], {}
    for revision in revisions:
        changes = [(field_label("processes", name), previous.get(name), revision.snapshot.get(name))
                   for name in REVISED_FIELDS if previous and previous.get(name) != revision.snapshot.get(name)]
        if previous or revision.snapshot.get("stages"):
            changes += [(_("Diagram stage %(n)d", n=number), before, after) for number, before, after
                        in stage_changes(previous.get("stages", []), revision.snapshot.get("stages", []))]
        found.append((revision, changes))
        previous = revision.snapshot
    return list(reversed(found))
