"""Uploaded files: checked by content, stored in the database, served as safe downloads.

Storing the bytes in the database means every app server behind a load balancer sees the same
files and the backup of the database is the backup of the evidence.
"""

import enum
import hashlib
import os
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import filetype
from flask import abort, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage

from core.audit import Audited, label
from core.extensions import db
from core.rules import RuleError
from core.timeutil import utcnow


@dataclass(frozen=True)
class FileKind:
    """A type of file we accept: the extensions it may carry and the MIME type its bytes must show."""

    name: str
    extensions: tuple[str, ...]
    mime: str


KINDS = {
    kind.name: kind
    for kind in (
        FileKind("pdf", ("pdf",), "application/pdf"),
        FileKind("png", ("png",), "image/png"),
        FileKind("jpeg", ("jpg", "jpeg"), "image/jpeg"),
        FileKind("docx", ("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        FileKind("xlsx", ("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        FileKind("pptx", ("pptx",), "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        FileKind("odt", ("odt",), "application/vnd.oasis.opendocument.text"),
        FileKind("ods", ("ods",), "application/vnd.oasis.opendocument.spreadsheet"),
        FileKind("doc", ("doc",), "application/msword"),
        FileKind("xls", ("xls",), "application/vnd.ms-excel"),
        FileKind("csv", ("csv",), "text/csv"),
        FileKind("txt", ("txt",), "text/plain"),
    )
}
TEXT_KINDS = frozenset({"csv", "txt"})
IMAGES = frozenset({"png", "jpeg"})
DOCUMENTS = frozenset(KINDS)
TABLES = frozenset({"csv", "xlsx", "xls", "ods"})


class Owner(enum.StrEnum):
    """The kind of record a stored file belongs to. A file is served only through the route of its owner,
    under the owner's rule; a kind that no route serves is never served (default deny, as for endpoints)."""

    ORGANISATION_LOGO = "organisation-logo"
    #: A version of a manual evidence item's file (``EvidenceFileRevision``).
    EVIDENCE_ITEM = "evidence-item"
    EVIDENCE_PACK = "evidence-pack"
    PROCESS_DOCUMENT = "process-document"
    IMPROVEMENT_EVIDENCE = "improvement-evidence"
    TRAINING_MATERIAL = "training-material"
    CENSUS_IMPORT = "census-import"
    COMPLAINT_IMPORT = "complaint-import"
    MEASUREMENT_IMPORT = "measurement-import"
    SURVEY_RESPONSE_IMPORT = "survey-response-import"


OWNER_LABELS = {
    Owner.ORGANISATION_LOGO: _l("Organisation logo"),
    Owner.EVIDENCE_ITEM: _l("Evidence file"),
    Owner.EVIDENCE_PACK: _l("Evidence pack"),
    Owner.PROCESS_DOCUMENT: _l("Process document"),
    Owner.IMPROVEMENT_EVIDENCE: _l("Evidence of an improvement"),
    Owner.TRAINING_MATERIAL: _l("Training material"),
    Owner.CENSUS_IMPORT: _l("Census import"),
    Owner.COMPLAINT_IMPORT: _l("Complaint import"),
    Owner.MEASUREMENT_IMPORT: _l("Measurement import"),
    Owner.SURVEY_RESPONSE_IMPORT: _l("Survey response import"),
}
#: A file's type as people name it (the stored ``kind`` is lowercase): "PDF", "DOCX".
KIND_LABELS = {name: name.upper() for name in KINDS}

#: Uploads kept only while their import is pending: their uploader alone may read them, and they are deleted
#: when the import is applied or abandoned (``core.imports.retention``).
IMPORT_OWNERS = frozenset({Owner.CENSUS_IMPORT, Owner.COMPLAINT_IMPORT, Owner.MEASUREMENT_IMPORT,
                           Owner.SURVEY_RESPONSE_IMPORT})


class UploadRejected(RuleError):
    """The upload cannot be accepted; the message says why in words the user understands."""


class StoredFile(Audited, db.Model):
    """An uploaded file's bytes and what we know of them; records link to it by id."""

    __tablename__ = "stored_files"
    __audit_label__ = _l("File")
    __audit_skip__ = frozenset({"data", "sha256", "uploaded_at", "uploaded_by_id"})

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name the user's file had, cleaned for display; never used as a path.
    filename: Mapped[str] = mapped_column(String(255), info=label(_l("File name")))
    kind: Mapped[str] = mapped_column(String(10), info=label(_l("Type"), values=KIND_LABELS))
    content_type: Mapped[str] = mapped_column(String(120), info=label(_l("Content type")))
    size: Mapped[int] = mapped_column(Integer, info=label(_l("Size (bytes)")))
    sha256: Mapped[str] = mapped_column(String(64))
    #: The kind of record the file belongs to (an ``Owner``): it decides which route serves it, to whom.
    owner: Mapped[str] = mapped_column(String(40), index=True, info=label(_l("Belongs to"), values=OWNER_LABELS))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    uploaded_by = relationship("User")

    def __str__(self) -> str:
        return self.filename


def clean_filename(name: str | None) -> str:
    """The last component of a client-supplied name, without control characters."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    return base[:255] or "file"


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _looks_like_text(data: bytes) -> bool:
    if b"\x00" in data[:65536]:
        return False
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def detect_kind(filename: str, data: bytes, accept: frozenset) -> FileKind:
    """The kind of an upload, judged by its bytes; the extension must agree with them."""
    extension = _extension(filename)
    claimed = next((k for k in KINDS.values() if extension in k.extensions), None)
    allowed = ", ".join(sorted(ext for name in accept for ext in KINDS[name].extensions))
    if claimed is None or claimed.name not in accept:
        raise UploadRejected(_("Files of type “.%(ext)s” are not accepted here. Accepted: %(allowed)s.",
                               ext=extension or "?", allowed=allowed))
    if claimed.name in TEXT_KINDS:
        if not _looks_like_text(data):
            raise UploadRejected(_("“%(name)s” is not a text file.", name=filename))
        return claimed
    guessed = filetype.guess(data)
    if guessed is None or guessed.mime != claimed.mime:
        raise UploadRejected(_("The content of “%(name)s” is not a .%(ext)s file.",
                               name=filename, ext=extension))
    return claimed


def read_upload(upload: FileStorage, accept: frozenset) -> tuple[str, bytes, FileKind]:
    """Read and check an upload; raise ``UploadRejected`` saying what is wrong with it."""
    if upload is None or not upload.filename:
        raise UploadRejected(_("Choose a file to upload."))
    filename = clean_filename(upload.filename)
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    upload.stream.seek(0)
    data = upload.stream.read(limit + 1)
    upload.stream.seek(0)
    if not data:
        raise UploadRejected(_("“%(name)s” is empty.", name=filename))
    if len(data) > limit:
        raise UploadRejected(_("“%(name)s” is larger than the limit of %(mb)s MB.",
                               name=filename, mb=round(limit / 1024 / 1024, 1)))
    return filename, data, detect_kind(filename, data, accept)


def store_upload(upload: FileStorage, *, owner: Owner, accept: frozenset, actor) -> StoredFile:
    """Check an upload and add it to the session as a ``StoredFile`` (the caller commits)."""
    filename, data, kind = read_upload(upload, accept)
    stored = StoredFile(
        filename=filename,
        kind=kind.name,
        content_type=kind.mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        owner=Owner(owner).value,
        data=data,
        uploaded_by=actor,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def delete_file(stored: StoredFile) -> None:
    """Delete a stored file, bytes and row (import uploads once done with); the trail keeps only its name.

    The row is locked first: when two requests apply the same import (a double click), the second waits for
    the first and, finding the file gone, fails as a conflict, so its rows are rolled back, not written twice."""
    if db.session.scalar(select(StoredFile.id).where(StoredFile.id == stored.id).with_for_update()) is None:
        raise StaleDataError(f"stored file {stored.id} was already deleted")
    db.session.delete(stored)
    db.session.flush()


#: Downloads for people signed in: their browser must not keep them, nor any proxy on the way.
NO_STORE = "private, no-store"


def download_response(stored: StoredFile | None, *, owner: Owner, cache_control: str = NO_STORE):
    """Serve a stored file as a download that the browser will not run or sniff — the one way bytes are served.

    The route of an owner says which kind of owner it serves, having checked that owner's rule; a file
    belonging to another kind of owner (or to a kind no route serves) is answered 404, as if absent."""
    if stored is None or stored.owner != Owner(owner).value:
        abort(404)
    response = current_app.response_class(stored.data, mimetype=stored.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=stored.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = cache_control
    response.content_length = stored.size
    return response
