"""Revisions of process sheets: a numbered record of each change, and what changed between two."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.audit import field_label
from core.extensions import db
from processes.models import Process, Revision

#: The sheet fields a revision keeps, in the order the history shows them.
REVISED_FIELDS = ("code", "name", "kind", "parent_id", "owner_id", "status", "purpose", "scope_start", "scope_end",
                  "inputs", "outputs", "process_clients")
FIRST_REASON = _l("Sheet created")


def snapshot(process: Process) -> dict:
    """The sheet's fields as plain JSON values."""
    return {name: (value.value if hasattr(value, "value") else value)
            for name in REVISED_FIELDS for value in [getattr(process, name)]}


def record_revision(process: Process, reason: str, *, author, improvement_id: int | None = None) -> Revision | None:
    """Add the next numbered revision of ``process`` with its current sheet (the caller commits).

    Saving a sheet without changing it makes no revision (None)."""
    db.session.flush()
    last = db.session.scalar(select(Revision).where(Revision.process_id == process.id)
                             .order_by(Revision.number.desc()).limit(1))
    if last is not None and last.snapshot == snapshot(process):
        return None
    revision = Revision(process_id=process.id, number=(last.number if last else 0) + 1, author=author,
                        reason=reason.strip(), improvement_id=improvement_id, snapshot=snapshot(process))
    db.session.add(revision)
    db.session.flush()
    return revision


def history(process: Process) -> list[tuple[Revision, list[tuple[str, object, object]]]]:
    """Each revision, newest first, with the fields it changed: (label, before, after)."""
    revisions = list(db.session.scalars(select(Revision).where(Revision.process_id == process.id)
                                        .order_by(Revision.number)))
    found, previous = [], {}
    for revision in revisions:
        changes = [(field_label("processes", name), previous.get(name), revision.snapshot.get(name))
                   for name in REVISED_FIELDS if previous and previous.get(name) != revision.snapshot.get(name)]
        found.append((revision, changes))
        previous = revision.snapshot
    return list(reversed(found))
