"""Audit trail: every insert, update and delete of an ``Audited`` record, written in the same flush.

One session listener does it for every model, so no view or service writes audit code by hand. Deletions
are noted row by row as the flush deletes them (``after_delete``), because a record taken out of a
collection with ``delete-orphan`` (a group member, a process participant) never reaches
``session.deleted``: the trail would otherwise not know it was removed.

The trail is append-only: nothing here updates or deletes an entry, the database refuses it (the triggers of
migration 0017), and each entry is sealed into a hash chain when its transaction commits
(``core.audit_chain``). How the trail reads for people is ``core.trail``.
"""

import contextvars
import datetime as dt
import decimal
import enum
from contextlib import contextmanager

from flask import g, has_app_context, has_request_context
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, event, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, relationship

from core.extensions import db
from core.timeutil import utcnow

#: Who is acting outside a request (CLI commands, demo loading); see ``acting_as``.
_cli_actor = contextvars.ContextVar("audit_actor", default=None)
#: Set while the app itself writes (computed measurements), even inside a person's request; see ``acting_as_system``.
_system = contextvars.ContextVar("audit_system", default=False)

INSERT, UPDATE, DELETE = "insert", "update", "delete"
SECRET = "••••••"
#: ``session.info`` key of the audited records the flush under way has deleted.
_DELETED = "audit_deleted"
#: ``session.info`` key set once the transaction has written audit entries that its commit must seal.
UNSEALED = "audit_unsealed"
#: Enum class → ``{member: label}``: how each kind of value reads in the trail (see ``value_labels``).
_VALUE_LABELS: dict[type, dict] = {}
#: ``"table.column"`` → ``{code: label}`` for columns of codes that are not enums.
_COLUMN_VALUES: dict[str, dict] = {}
#: Names of fields many records share, for columns without a label of their own.
COMMON_FIELDS = {
    "created_at": _l("Created at"),
    "uploaded_at": _l("Uploaded at"),
    "entered_at": _l("Entered at"),
    "released_at": _l("Released at"),
    "checked_at": _l("Checked at"),
    "imported_at": _l("Imported at"),
    "note": _l("Note"),
    "position": _l("Order"),
}


class Audited:
    """Mixin marking a model whose changes the audit trail records.

    ``__audit_label__`` names the kind of record for people; each column's ``info=label(...)`` names
    the field. ``__audit_secret__`` names columns whose values are never written to the trail (only
    that they changed); ``__audit_skip__`` names columns not worth recording (binary content, sign-ins).
    How the trail reads (``core.trail``): ``__record_page__`` is the endpoint of the record's page, which the
    trail links to (and which links back to the record's history); ``__audit_kinds__`` maps a column holding
    the id of a record of any kind to the column naming that kind (``core.signals.evidence_records``).
    ``__audit_name__`` names a record by its fields where ``str()`` would give ids (an association row: a
    pattern such as ``_l("%(user_id)s in %(group_id)s")``, each placeholder a column, read in the reader's
    language); ``__audit_parent__`` is the column of the record this one belongs to (a task's
    ``improvement_id``): the parent's history lists its children's entries too (``audit_children``).
    """

    __audit_label__ = None
    __audit_secret__: frozenset = frozenset()
    __audit_skip__: frozenset = frozenset()
    __record_page__: str | None = None
    __audit_kinds__: dict[str, str] = {}
    __audit_name__ = None
    __audit_parent__: str | None = None


def label(text, *, values: dict | None = None) -> dict:
    """``info=`` for a column: the name people read for it in the audit trail and in conflicts, and for a
    column of codes that is not an enum (``importance`` 1–3, a file's owner), what each code reads as."""
    return {"label": text} if values is None else {"label": text, "values": values}


def value_labels(labels: dict, *, column: str | None = None) -> dict:
    """Declare how values read in the audit trail; returns ``labels``, so the declaration is where they are
    defined (``KIND_LABELS = value_labels({...})``).

    ``{EnumMember: label}`` (members of several enums may share one dict) for enum columns — an enum with a
    ``label`` property needs none; ``column="table.column"`` for a column of plain codes (importance 1–3)."""
    if column is not None:
        _COLUMN_VALUES[column] = labels
        return labels
    for member, text in labels.items():
        if isinstance(member, enum.Enum):
            _VALUE_LABELS.setdefault(type(member), {})[member] = text
    return labels


def column_value_labels(table: str, column) -> dict | None:
    """``{code: label}`` of a column of codes: its ``info=label(..., values=...)`` or a ``value_labels``."""
    return column.info.get("values") or _COLUMN_VALUES.get(f"{table}.{column.name}")


def enum_value_label(enum_class: type, value) -> str | None:
    """How a stored enum value reads (``"partly"`` → "Partly met"), or None when nobody said."""
    try:
        member = enum_class(value)
    except ValueError:
        return None
    declared = _VALUE_LABELS.get(enum_class, {})
    if member in declared:
        return str(declared[member])
    text = getattr(member, "label", None)
    return str(text) if isinstance(text, str | LazyString) else None


def _audited_models() -> dict:
    return {mapper.class_.__tablename__: mapper.class_ for mapper in db.Model.registry.mappers
            if issubclass(mapper.class_, Audited)}


def audited_model(entity_type: str):
    """The audited model stored in table ``entity_type``, or None."""
    return _audited_models().get(entity_type)


def audit_children(entity_type: str) -> list[tuple[type, str]]:
    """(model, column) of every audited kind whose ``__audit_parent__`` column points at ``entity_type``."""
    found = []
    for model in _audited_models().values():
        name = model.__audit_parent__
        column = model.__table__.columns.get(name) if name else None
        if column is not None and any(key.column.table.name == entity_type for key in column.foreign_keys):
            found.append((model, name))
    return sorted(found, key=lambda pair: pair[0].__tablename__)


def entity_label(entity_type: str) -> str:
    """What people call a kind of record (``users`` → "User"), in the current language."""
    model = _audited_models().get(entity_type)
    return str(model.__audit_label__) if model is not None and model.__audit_label__ else entity_type


def field_label(entity_type: str, field: str) -> str:
    """What people call a field of a kind of record (``users.email`` → "E-mail")."""
    model = _audited_models().get(entity_type)
    column = model.__table__.columns.get(field) if model is not None else None
    if column is not None and "label" in column.info:
        return str(column.info["label"])
    if field in COMMON_FIELDS:
        return str(COMMON_FIELDS[field])
    return field.replace("_", " ").capitalize()


class AuditEntry(db.Model):
    """One change to one record: who, when, what, and each field's old and new value."""

    __tablename__ = "audit_entries"
    #: The newest sealed change of one kind of record in one index seek (``loyalty.kept_ranking``'s census version).
    __table_args__ = (Index("ix_audit_entries_entity_type_chain_seq", "entity_type", "chain_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    #: The table of the changed record, e.g. ``users``.
    entity_type: Mapped[str] = mapped_column(String(60), index=True)
    entity_id: Mapped[str] = mapped_column(String(60), index=True)
    #: How the record read at the time, so the trail stays legible after renames.
    entity_label: Mapped[str] = mapped_column(String(200))
    #: The record's version after the change, for versioned records.
    version: Mapped[int | None] = mapped_column(Integer)
    #: ``{field: [old, new]}``; secrets appear masked.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The entry's place in the hash chain (1, 2, …), given when its transaction commits.
    chain_seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    #: SHA-256 of the entry's content and the previous entry's ``chain_hash`` (``core.audit_chain``).
    chain_hash: Mapped[str | None] = mapped_column(String(64))

    actor = relationship("User", lazy="joined")


def _keep_old_value(target, value, oldvalue, initiator):
    return value


@event.listens_for(Audited, "mapper_configured", propagate=True)
def _load_old_values_before_changes(mapper, cls):
    """Make every column of an audited model load its old value before it is overwritten.

    Without this, changing an attribute expired by a commit would record ``None`` as its old value.
    """
    for attr in mapper.column_attrs:
        event.listen(getattr(cls, attr.key), "set", _keep_old_value, retval=True, active_history=True)


@contextmanager
def acting_as(user):
    """Attribute changes made outside a request (CLI, demo loading) to ``user``.

    The entries name whoever is acting when the session flushes: the changes made in the block are flushed
    as it ends, so a later ``acting_as`` does not take them. Inside another ``acting_as`` the changes pending on
    the way in are flushed first (they are the outer person's); outside any, they become ``user``'s."""
    if _cli_actor.get() is not None:
        _flush_pending()
    token = _cli_actor.set(inspect(user).identity[0] if user is not None else None)
    try:
        yield
        _flush_pending()
    finally:
        _cli_actor.reset(token)


@contextmanager
def acting_as_system():
    """Attribute the changes made in the block to the system, not to whoever is signed in or acting: what the
    app computes by itself (an indicator's computed measurements) is nobody's typing. The changes pending on the
    way in are flushed first, as the person's."""
    _flush_pending()
    token = _system.set(True)
    try:
        yield
        _flush_pending()
    finally:
        _system.reset(token)


def _flush_pending() -> None:
    if has_app_context():
        db.session.flush()


def _actor_id():
    if _system.get():
        return None
    # Only a user Flask-Login has already loaded: loading one here would query inside the flush.
    if has_request_context():
        user = getattr(g, "_login_user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return inspect(user).identity[0]
        return None
    return _cli_actor.get()


def _plain(value):
    """A JSON-safe rendering of a column value (a JSON column's dicts and lists stay dicts and lists)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value)


def _changes(obj, action: str) -> dict:
    state = inspect(obj)
    found = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in obj.__audit_skip__ or key in ("id", "version"):
            continue
        history = state.attrs[key].history
        if action == INSERT:
            old, new = None, getattr(obj, key)
        elif action == DELETE:
            old, new = (history.unchanged or history.deleted or [None])[0], None
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
        else:
            continue
        if old is None and new is None:
            continue
        if key in obj.__audit_secret__:
            # Only whether there was a value, and whether there is one: a deleted secret reads "•••••• → —".
            old, new = (SECRET if old is not None else None), (SECRET if new is not None else None)
        found[key] = [_plain(old), _plain(new)]
    return found


def _row(obj, action: str, actor_id) -> dict | None:
    changes = _changes(obj, action)
    if action == UPDATE and not changes:
        return None
    identity = inspect(obj).mapper.primary_key_from_instance(obj)
    return {
        "created_at": utcnow(),
        "actor_id": actor_id,
        "action": action,
        "entity_type": obj.__tablename__,
        "entity_id": ",".join(str(part) for part in identity),
        "entity_label": str(obj)[:200],
        "version": getattr(obj, "version", None),
        "changes": changes,
    }


@event.listens_for(Session, "before_flush")
def _start_noting_deletions(session, flush_context, instances):
    # A flush that failed left its notes behind: they were rolled back with it.
    session.info[_DELETED] = []


@event.listens_for(Audited, "after_delete", propagate=True)
def _note_deletion(mapper, connection, target):
    """Remember a deleted row until the flush ends, explicit deletes and orphans of collections alike."""
    object_session(target).info.setdefault(_DELETED, []).append(target)


@event.listens_for(Session, "after_flush")
def _record_changes(session, flush_context):
    """Write audit rows for what this flush changed, on the same connection and transaction."""
    deleted = session.info.pop(_DELETED, [])
    gone = {id(obj) for obj in deleted}  # an orphan is also dirty (its parent was unset): record it once
    batches = ((session.new, INSERT), (session.dirty, UPDATE), (deleted, DELETE))
    actor_id = None
    rows = []
    for objects, action in batches:
        for obj in objects:
            if not isinstance(obj, Audited):
                continue
            if action == UPDATE and (id(obj) in gone or not session.is_modified(obj, include_collections=False)):
                continue
            actor_id = actor_id or _actor_id()
            row = _row(obj, action, actor_id)
            if row:
                rows.append(row)
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)
        session.info[UNSEALED] = True


def changes_since(record, version: int) -> list[AuditEntry]:
    """The audit entries of ``record`` made after it was at ``version``, oldest first."""
    identity = ",".join(str(part) for part in inspect(record).identity)
    query = (
        select(AuditEntry)
        .where(
            AuditEntry.entity_type == record.__tablename__,
            AuditEntry.entity_id == identity,
            AuditEntry.version > version,
        )
        .order_by(AuditEntry.id)
    )
    return list(db.session.scalars(query))
