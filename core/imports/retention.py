"""Import uploads are kept only as long as the import needs them.

An uploaded table is read again at every step of its wizard, so it is stored (``core.files``) while the
import is pending: only its uploader may open it. Once the import is applied, the file is deleted in the
same transaction and only a summary stays in the import history — file name, size, SHA-256, counts, who
and when (``ImportRecord`` here; the census keeps its own ``CensusImport``). An upload not applied within
``IMPORT_FILES_KEEP_DAYS`` days is abandoned: ``delete_abandoned`` deletes it, run daily by
``flask imports cleanup`` and, opportunistically, whenever a new import is uploaded.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.datastructures import FileStorage

from core.audit import Audited, label
from core.extensions import db
from core.files import IMPORT_OWNERS, TABLES, Owner, StoredFile, delete_file, store_upload
from core.timeutil import utcnow


class ImportRecord(Audited, db.Model):
    """The summary an applied import leaves once its file is deleted (complaints, measurements, survey
    responses): what file, who, when and how many rows — never the rows themselves."""

    __tablename__ = "import_records"
    __audit_label__ = _l("Import")

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The ``Owner`` kind the upload had: which importer (``complaint-import``…).
    kind: Mapped[str] = mapped_column(String(40), index=True, info=label(_l("Import of")))
    #: The record the rows went into, when the importer has one (the wave of survey responses).
    target_id: Mapped[int | None] = mapped_column(Integer, index=True, info=label(_l("Into")))
    filename: Mapped[str] = mapped_column(String(255), info=label(_l("File name")))
    size: Mapped[int] = mapped_column(Integer, info=label(_l("Size (bytes)")))
    sha256: Mapped[str] = mapped_column(String(64), info=label(_l("SHA-256")))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Person")))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, info=label(_l("Uploaded at")))
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, info=label(_l("Imported at")))
    #: ``{"added": 12, ...}``: numbers only, so that nothing read from the file outlives it.
    counts: Mapped[dict] = mapped_column(JSON, default=dict, info=label(_l("Counts")))

    actor = relationship("User")

    def __str__(self) -> str:
        return self.filename


def keep_days() -> int:
    return int(current_app.config["IMPORT_FILES_KEEP_DAYS"])


def pending_upload(file_id: int, owner: Owner) -> StoredFile:
    """The current user's pending upload for the importer ``owner``; 404 for anyone else's or once it is gone."""
    stored = db.session.get(StoredFile, file_id)
    if stored is None or stored.owner != Owner(owner).value or stored.uploaded_by_id != current_user.id:
        abort(404)
    return stored


def store_import_upload(upload: FileStorage, *, owner: Owner, actor) -> StoredFile:
    """Keep a table uploaded for an import (the caller commits); abandoned uploads are cleared on the way."""
    if Owner(owner) not in IMPORT_OWNERS:
        raise ValueError(f"{owner} is not an import")
    delete_abandoned_quietly()
    return store_upload(upload, owner=owner, accept=TABLES, actor=actor)


def finish_import(stored: StoredFile, *, counts: dict[str, int], actor, target_id: int | None = None) -> ImportRecord:
    """Record an applied import's summary and delete its file, in the caller's transaction."""
    record = ImportRecord(kind=stored.owner, target_id=target_id, filename=stored.filename, size=stored.size,
                          sha256=stored.sha256, actor=actor, uploaded_at=stored.uploaded_at,
                          counts={name: int(value) for name, value in counts.items()})
    db.session.add(record)
    delete_file(stored)
    return record


def import_history(kind: Owner, *, target_id: int | None = None, limit: int = 10) -> list[ImportRecord]:
    """The latest applied imports of one importer, newest first."""
    query = select(ImportRecord).where(ImportRecord.kind == Owner(kind).value)
    if target_id is not None:
        query = query.where(ImportRecord.target_id == target_id)
    return list(db.session.scalars(query.order_by(ImportRecord.id.desc()).limit(limit)))


#: What an importer does before its abandoned uploads are deleted (the census unlinks them from its
#: history records), by owner kind; each is given the files about to go.
_before_abandon: dict[str, Callable[[list[StoredFile]], None]] = {}


def before_abandon(owner: Owner):
    """Decorator: register what an importer must do before its abandoned uploads are deleted."""

    def register(function):
        _before_abandon[Owner(owner).value] = function
        return function

    return register


def delete_abandoned(*, now: datetime | None = None) -> int:
    """Delete the import uploads older than ``IMPORT_FILES_KEEP_DAYS`` (the caller commits); how many."""
    cutoff = (now or utcnow()) - timedelta(days=keep_days())
    files = list(db.session.scalars(select(StoredFile).where(
        StoredFile.owner.in_([owner.value for owner in IMPORT_OWNERS]), StoredFile.uploaded_at < cutoff)))
    for owner, hook in _before_abandon.items():
        hook([stored for stored in files if stored.owner == owner])
    db.session.flush()
    for stored in files:
        db.session.delete(stored)
    db.session.flush()
    return len(files)


def delete_abandoned_quietly() -> None:
    """``delete_abandoned`` inside a savepoint: a failure (another request deleting the same files) must not
    cost the user the upload they are making; the daily command will try again."""
    try:
        with db.session.begin_nested():
            delete_abandoned()
    except SQLAlchemyError:
        current_app.logger.warning("Deleting abandoned import uploads failed; left for `flask imports cleanup`",
                                   exc_info=True)
