"""No lost updates: editable records carry a version that a stale form cannot overwrite."""

from flask import request
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from core.audit import changes_since


class Versioned:
    """Mixin: SQLAlchemy bumps ``version`` on every UPDATE and refuses one made from an old copy."""

    #: Incremented by SQLAlchemy on each UPDATE; forms carry it back to detect concurrent edits.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):  # noqa: N805 - a declared_attr receives the class
        return {"version_id_col": cls.__table__.c.version}


class EditConflict(Exception):
    """Somebody saved the record after the form was loaded; ``changes`` says what they changed."""

    def __init__(self, record, submitted_version: int, changes: list):
        super().__init__(f"{record!r} changed since version {submitted_version}")
        self.record = record
        self.submitted_version = submitted_version
        self.changes = changes


def ensure_current(record, submitted_version) -> None:
    """Refuse to apply a form loaded from an older version of ``record``.

    The ORM's ``version_id_col`` guards the moment between our read and our UPDATE; this guards the
    longer gap between the user opening the form and pressing save.
    """
    try:
        submitted = int(submitted_version)
    except (TypeError, ValueError):
        submitted = 0
    if submitted != record.version:
        raise EditConflict(record, submitted, changes_since(record, submitted))


def submit_edit(form, record, save) -> tuple[bool, EditConflict | None]:
    """The edit-form flow of a versioned record, for views: (saved, conflict).

    On GET the form carries the record's version. On a valid POST ``save()`` runs (it calls
    ``ensure_current``); if someone saved meanwhile, the conflict comes back and the form now carries
    the current version, so saving again applies the user's values on top, knowingly. Other
    exceptions of ``save()`` (rule violations) reach the caller. The caller commits when saved.
    """
    if request.method == "GET":
        if record is not None:
            form.version.data = record.version
        return False, None
    if not form.validate_on_submit():
        return False, None
    try:
        save()
    except EditConflict as conflict:
        form.version.data = record.version
        return False, conflict
    return True, None
