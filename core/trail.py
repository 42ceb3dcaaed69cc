"""The audit trail as people read it: every field and value in the reader's language, records by their names.

An entry stores raw values (``"partly"``, ``12``, ``{"es": …, "en": …}``); ``readable`` turns a page of entries
into what the page, the home page's recent changes and the export show:

- a field by its column's label (``info=label(...)``), an enum value by its labels (``value_labels`` or the
  enum's ``label``), a code column by the ``values`` of its label, a yes/no, a date or a time in the
  organisation's time zone (``zone_name`` says which), a translated JSON column in the reader's language;
- a foreign key as the name of the record it points at, with a link to that record's page
  (``__record_page__`` of its model). The names are read in one query per referenced table for the whole
  page, whatever the number of entries; records deleted since are named as the trail last knew them (one
  query more). A reference whose kind is in another column (``__audit_kinds__``, manual evidence's
  "record") is resolved through the kinds ``core.signals.evidence_records`` offers;
- a record whose ``str()`` is made of ids (an association row: a group's member, a meeting's attendee, a
  prioritisation score) by its ``__audit_name__``, each part a name in the reader's language ("Lucía
  Fernández in Claims group", "Impact on loyalty: 3"), from the entry's values or the record as it is now
  (one query per such table).
"""

import ast
import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd
from babel.dates import get_timezone_location
from flask import current_app, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale, get_timezone
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, DateTime, Enum, Float, Numeric, select, tuple_
from sqlalchemy.orm import RelationshipDirection, joinedload

from core import signals
from core.access import may
from core.audit import (
    DELETE,
    INSERT,
    SECRET,
    UPDATE,
    AuditEntry,
    audited_model,
    column_value_labels,
    entity_label,
    enum_value_label,
    field_label,
)
from core.extensions import db

ACTION_LABELS = {INSERT: _l("created"), UPDATE: _l("changed"), DELETE: _l("deleted")}
EMPTY = "—"


@dataclass(frozen=True)
class Shown:
    """A value as the reader sees it, and where it leads when it names a record."""

    text: str
    url: str | None = None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: Shown
    new: Shown


@dataclass
class ReadableEntry:
    """One audit entry in the reader's words."""

    entry: AuditEntry
    who: str
    action: str
    kind: str
    record: Shown
    changes: list[FieldChange] = field(default_factory=list)


def zone_name() -> str:
    """The time zone every time of the trail is shown in, named for the reader ("Spain (Madrid) Time")."""
    zone = get_timezone()
    return f"{get_timezone_location(zone, locale=get_locale())} ({zone.zone})"


def readable(entries) -> list[ReadableEntry]:
    """``entries`` as the reader reads them; the records they name are looked up once per table."""
    entries = list(entries)
    parts = _name_parts(entries)
    wanted = _references(entries)
    for (table, _record_id), values in parts.items():
        model = audited_model(table)
        for name, value in values.items():
            target = _target(model, name, {})
            if target and value not in (None, ""):
                wanted.setdefault(target, set()).add(str(value))
    names = _Names(wanted)
    return [_readable(entry, names, parts) for entry in entries]


def subject(entity_type: str, entity_id: str) -> tuple[str, Shown]:
    """The kind and name of the record a history is of (as the trail last named it, linked while it exists)."""
    label = db.session.scalar(select(AuditEntry.entity_label).where(AuditEntry.entity_type == entity_type,
                                                                    AuditEntry.entity_id == entity_id)
                              .order_by(AuditEntry.id.desc()).limit(1))
    names = _Names({entity_type: {entity_id}} if audited_model(entity_type) is not None else {})
    return entity_label(entity_type), names.record(entity_type, entity_id, label or "")


def _placeholders(model) -> list[str]:
    """The columns a model's ``__audit_name__`` names its records by."""
    pattern = getattr(model, "__audit_name__", None) if model is not None else None
    return re.findall(r"%\((\w+)\)s", str(pattern)) if pattern is not None else []


def _name_parts(entries) -> dict[tuple[str, str], dict]:
    """{(table, id): {column: value}} of the records of a page named by their fields (``__audit_name__``): the
    values from the entries' own changes (an insert or a delete has them all), else from the record as it is
    now (one query per table, for updates)."""
    found: dict[tuple[str, str], dict] = {}
    for entry in entries:
        fields = _placeholders(audited_model(entry.entity_type))
        if not fields:
            continue
        values = found.setdefault((entry.entity_type, entry.entity_id), {})
        for name in fields:
            old, new = (entry.changes.get(name) or [None, None])[:2]
            value = new if new not in (None, "") else old
            if name not in values and value not in (None, ""):
                values[name] = value
    lacking: dict[str, list[int]] = {}
    for (table, record_id), values in found.items():
        if set(_placeholders(audited_model(table))) - set(values) and record_id.isdigit():
            lacking.setdefault(table, []).append(int(record_id))
    for table, ids in lacking.items():
        model = audited_model(table)
        fields = _placeholders(model)
        columns = model.__table__.c
        query = select(columns.id, *(columns[name] for name in fields)).where(columns.id.in_(ids))
        for record_id, *values in db.session.execute(query):
            known = found[(table, str(record_id))]
            for name, value in zip(fields, values, strict=True):
                known.setdefault(name, value)
    return found


def _named(model, values: dict, names: "_Names") -> str | None:
    """A record's name by its ``__audit_name__`` ("Lucía Fernández in Claims group"), when every part is known."""
    fields = _placeholders(model)
    if not fields or set(fields) - set(values):
        return None
    return str(model.__audit_name__) % {name: _shown(model, name, values[name], {}, names).text for name in fields}


def _readable(entry: AuditEntry, names: "_Names", parts: dict) -> ReadableEntry:
    model = audited_model(entry.entity_type)
    record = names.record(entry.entity_type, entry.entity_id, entry.entity_label)
    named = _named(model, parts.get((entry.entity_type, entry.entity_id), {}), names)
    if named:
        record = Shown(named, record.url)
    changes = [FieldChange(field_label(entry.entity_type, name),
                           _shown(model, name, values[0], entry.changes, names),
                           _shown(model, name, values[1], entry.changes, names))
               for name, values in entry.changes.items()]
    return ReadableEntry(entry, entry.actor.name if entry.actor else str(_l("system")),
                         str(ACTION_LABELS.get(entry.action, entry.action)), entity_label(entry.entity_type),
                         record, changes)


def _target(model, name: str, changes: dict) -> str | None:
    """The table a field of ``model`` points at: its foreign key's, or the one its kind column names."""
    column = model.__table__.columns.get(name) if model is not None else None
    if column is None:
        return None
    for foreign_key in column.foreign_keys:
        return foreign_key.column.table.name
    kind_column = getattr(model, "__audit_kinds__", {}).get(name)
    if kind_column:
        kind = _record_kinds().get(next((v for v in reversed(changes.get(kind_column, [])) if v), None))
        return kind.model.__tablename__ if kind is not None else None
    return None


def _references(entries) -> dict[str, set[str]]:
    """{table: ids} of every record the entries name: the entries' own records and their references."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        model = audited_model(entry.entity_type)
        if model is not None and getattr(model, "__record_page__", None):
            wanted.setdefault(entry.entity_type, set()).add(entry.entity_id)
        for name, values in entry.changes.items():
            target = _target(model, name, entry.changes)
            if target:
                wanted.setdefault(target, set()).update(str(v) for v in values if v not in (None, ""))
    return wanted


class _Names:
    """The names and pages of the records a page refers to: one query per table, one for those deleted since."""

    def __init__(self, wanted: dict[str, set[str]]):
        self.found: dict[tuple[str, str], Shown] = {}
        self.existing: set[tuple[str, str]] = set()
        for table, ids in wanted.items():
            self._load(table, ids)
        missing = [(table, i) for table, ids in wanted.items() for i in ids if (table, i) not in self.existing]
        self._from_trail(missing)

    def _load(self, table: str, ids: set[str]) -> None:
        model = _model_of(table)
        numbers = [int(i) for i in ids if i.isdigit()]
        if model is None or len(model.__mapper__.primary_key) != 1 or not numbers:
            return
        key = model.__mapper__.primary_key[0]
        eager = [joinedload(getattr(model, rel.key)) for rel in model.__mapper__.relationships
                 if rel.direction is RelationshipDirection.MANYTOONE]
        for record in db.session.scalars(select(model).where(key.in_(numbers)).options(*eager)).unique():
            identity = (table, str(getattr(record, key.key)))
            self.existing.add(identity)
            self.found[identity] = Shown(str(record), _page(model, identity[1]))

    def _from_trail(self, missing: list[tuple[str, str]]) -> None:
        if not missing:
            return
        query = (select(AuditEntry.entity_type, AuditEntry.entity_id, AuditEntry.entity_label)
                 .where(tuple_(AuditEntry.entity_type, AuditEntry.entity_id).in_(missing)).order_by(AuditEntry.id))
        for table, record_id, text in db.session.execute(query):
            self.found[(table, record_id)] = Shown(str(_l("%(name)s (deleted)", name=text)))

    def record(self, table: str, record_id: str, label: str) -> Shown:
        """An entry's record: as it read when changed, linked to its page while it exists."""
        current = self.found.get((table, record_id))
        url = current.url if current is not None and (table, record_id) in self.existing else None
        return Shown(label or f"#{record_id}", url)

    def reference(self, table: str, value) -> Shown:
        return self.found.get((table, str(value))) or Shown(f"#{value}")


def _model_of(table: str):
    for mapper in db.Model.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table:
            return mapper.class_
    return None


def _page(model, record_id: str) -> str | None:
    """The URL of a record's page, when its model has one the reader may open."""
    endpoint = getattr(model, "__record_page__", None)
    if not endpoint or not may(endpoint):
        return None
    (argument,) = next(current_app.url_map.iter_rules(endpoint)).arguments
    return url_for(endpoint, **{argument: int(record_id)}) if record_id.isdigit() else None


def _record_kinds() -> dict:
    return signals.merged(signals.evidence_records)


def _shown(model, name: str, value, changes: dict, names: _Names) -> Shown:
    """One stored value of field ``name`` as the reader reads it."""
    if value is None or value == "":
        return Shown(EMPTY)
    if value == SECRET and name in getattr(model, "__audit_secret__", ()):
        return Shown(SECRET)
    column = model.__table__.columns.get(name) if model is not None else None
    if column is None:
        return Shown(as_text(value))
    target = _target(model, name, changes)
    if target:
        return names.reference(target, value)
    if name in getattr(model, "__audit_kinds__", {}).values():
        kind = _record_kinds().get(value)
        return Shown(str(kind.label) if kind is not None else str(value))
    return Shown(_typed(column, value))


def _typed(column, value) -> str:
    """A value by its column's type: labels of codes and enums, yes/no, dates and times, numbers, JSON."""
    values = column_value_labels(column.table.name, column)
    if values is not None:
        found = values.get(value, values.get(str(value)))
        return str(found) if found is not None else str(value)
    kind = column.type
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return enum_value_label(kind.enum_class, value) or str(value)
    if isinstance(kind, Boolean) or isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(kind, DateTime) and isinstance(value, str):
        return _when(value)
    if isinstance(kind, Date) and isinstance(value, str):
        return format_date(dt.date.fromisoformat(value[:10]), "medium")
    if isinstance(kind, Numeric | Float) and isinstance(value, int | float | str):
        return _number(value)
    return as_text(value)


def _when(value: str) -> str:
    """A stored UTC time (``2025-11-15 09:30``) in the organisation's time zone."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return format_datetime(moment, "short")  # Flask-Babel reads naive times as UTC


def _number(value) -> str:
    try:
        return format_decimal(float(value))
    except (TypeError, ValueError):
        return str(value)


def as_text(value) -> str:
    """A JSON value as text: a translated ``{es, en}`` in the reader's language, lists joined, dicts as
    "key: value" (entries written before JSON columns were kept as JSON hold their Python text)."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
    if isinstance(value, dict):
        languages = current_app.config["LANGUAGES"]
        if value and set(value) <= set(languages):
            language = get_locale().language
            return as_text(value.get(language) or next(iter(value.values())))
        return "; ".join(f"{key}: {as_text(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(as_text(item) for item in value) or EMPTY
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    return EMPTY if value is None or value == "" else str(value)


#: Entries read at a time for an export (each batch resolves its names in one query per table).
EXPORT_BATCH = 500


def export_frame(query) -> pd.DataFrame:
    """The entries of ``query`` as a table: one row per field changed, with each entry's seal."""
    rows = []
    for batch in _batches(query):
        for readable_entry in readable(batch):
            rows.extend(_export_rows(readable_entry))
    columns = [str(_l("Entry")), str(_l("When (%(zone)s)", zone=zone_name())), str(_l("Who")),
               str(_l("Kind of change")), str(_l("Kind of record")), str(_l("Record")), str(_l("Field")),
               str(_l("Before")), str(_l("After")), str(_l("Seal (SHA-256)"))]
    frame = pd.DataFrame(rows, columns=columns)
    frame[columns[1]] = pd.to_datetime(frame[columns[1]], utc=True).dt.floor("s")
    return frame


def _batches(query):
    last = None
    while True:
        page = query if last is None else query.where(AuditEntry.id < last)
        batch = db.session.scalars(page.limit(EXPORT_BATCH)).all()
        if not batch:
            return
        yield batch
        last = batch[-1].id


def _export_rows(readable_entry: ReadableEntry) -> list[list]:
    entry = readable_entry.entry
    start = [entry.id, entry.created_at, readable_entry.who, readable_entry.action, readable_entry.kind,
             readable_entry.record.text]
    changes = readable_entry.changes or [FieldChange("", Shown(""), Shown(""))]
    return [[*start, change.label, _export_value(change.old), _export_value(change.new), entry.chain_hash]
            for change in changes]


def _export_value(shown: Shown) -> str:
    return "" if shown.text == EMPTY else shown.text
