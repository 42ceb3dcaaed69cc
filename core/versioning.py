"""No lost updates: editable records carry a version that a stale form cannot overwrite."""

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


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
    from core.audit import changes_since  # audit depends on this module's mixin

    try:
        submitted = int(submitted_version)
    except (TypeError, ValueError):
        submitted = 0
    if submitted != record.version:
        raise EditConflict(record, submitted, changes_since(record, submitted))
