"""Where opportunities come from, and the registry that finds the record each one came from.

An opportunity stores a source kind and, optionally, the id of the record it came from. Each kind names
how to load its records, list them for a form and link to them. The process map's kinds (an off-target
indicator, an interface problem without agreement) are registered here; the voice of the client
(``loyalty/``: requirements, complaint categories, survey results) plugs its records in with
``register_source`` when it lands, and until then those opportunities carry their source in words
(``source_note``). Either side can land first: nothing here imports ``loyalty``.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db

CLIENT_REQUIREMENT = "client_requirement"
COMPLAINT_CATEGORY = "complaint_category"
SURVEY_RESULT = "survey_result"
INDICATOR = "indicator"
INTERFACE = "interface"
STAFF_IDEA = "staff_idea"


@dataclass(frozen=True)
class SourceKind:
    """A kind of source: its name and, when its records exist, how to load, list and link them."""

    key: str
    label: object
    #: Whether an opportunity of this kind starts from what clients said (the first link of the loop).
    client_voice: bool
    #: ``ids -> {id: record}`` in one query; None while the kind has no records to link (a note only).
    resolve: Callable | None = None
    #: ``() -> [(id, label)]`` for the form's list of records of this kind.
    choices: Callable | None = None
    #: ``record -> url`` of the record's own page.
    url: Callable | None = None
    #: ``record -> bool``: whether this record is a client voice (e.g. a perception indicator).
    record_is_client_voice: Callable | None = None

    @property
    def linkable(self) -> bool:
        return self.resolve is not None


SOURCES: dict[str, SourceKind] = {}


def register_source(key: str, label=None, *, client_voice: bool | None = None, **hooks) -> SourceKind:
    """Add a kind of source, or give an existing one its records (``resolve``, ``choices``, ``url``…).

    ``loyalty/`` calls e.g. ``register_source(COMPLAINT_CATEGORY, resolve=..., choices=..., url=...)``."""
    current = SOURCES.get(key)
    if current is None:
        current = SourceKind(key, label or key, bool(client_voice))
    changes = {name: value for name, value in hooks.items() if value is not None}
    if label is not None:
        changes["label"] = label
    if client_voice is not None:
        changes["client_voice"] = client_voice
    SOURCES[key] = replace(current, **changes)
    return SOURCES[key]


def _indicators(ids):
    from processes.models import Indicator

    return {i.id: i for i in db.session.scalars(select(Indicator).where(Indicator.id.in_(list(ids))))}


def _indicator_choices():
    """Active indicators, those off target or in alert first, each with its latest status."""
    from processes.indicators import Status, latest_results, latest_status
    from processes.models import Indicator

    indicators = list(db.session.scalars(select(Indicator).where(Indicator.active).order_by(Indicator.code)))
    latest = latest_results(i.id for i in indicators)
    rows = [(i, latest_status(i, latest.get(i.id))) for i in indicators]
    rows.sort(key=lambda row: row[1] not in (Status.OFF_TARGET, Status.ALERT))
    return [(i.id, f"{i} — {status.label}") for i, status in rows]


def _interfaces(ids):
    from processes.models import Interface

    return {i.id: i for i in db.session.scalars(select(Interface).where(Interface.id.in_(list(ids))))}


def _interface_choices():
    """Interfaces with a problem without agreement or a breached agreement."""
    from processes.agreements import interfaces_to_review

    return [(interface.id, f"{interface.from_process.code} → {interface.to_process.code}: {interface.flow} "
                           f"({state.status.label})")
            for interface, state in interfaces_to_review(only_attention=True)]


def _is_perception(indicator) -> bool:
    from processes.models import IndicatorKind

    return indicator.kind == IndicatorKind.PERCEPTION


register_source(CLIENT_REQUIREMENT, _l("Client requirement"), client_voice=True)
register_source(COMPLAINT_CATEGORY, _l("Complaint category"), client_voice=True)
register_source(SURVEY_RESULT, _l("Survey result"), client_voice=True)
register_source(INDICATOR, _l("Off-target indicator"), client_voice=False, resolve=_indicators,
                choices=_indicator_choices, record_is_client_voice=_is_perception,
                url=lambda record: url_for("processes.indicator_detail", indicator_id=record.id))
register_source(INTERFACE, _l("Interface problem without agreement"), client_voice=False, resolve=_interfaces,
                choices=_interface_choices, url=lambda record: url_for("processes.interfaces"))
register_source(STAFF_IDEA, _l("Staff idea"), client_voice=False)


def source_kind(key: str) -> SourceKind | None:
    return SOURCES.get(key)


def resolve_records(improvements) -> dict[tuple[str, int], object]:
    """The source records of many opportunities: one query per kind, not per opportunity."""
    wanted: dict[str, set] = {}
    for improvement in improvements:
        kind = SOURCES.get(improvement.source_kind)
        if kind is not None and kind.linkable and improvement.source_id:
            wanted.setdefault(kind.key, set()).add(improvement.source_id)
    found = {}
    for key, ids in wanted.items():
        found.update({(key, record_id): record for record_id, record in SOURCES[key].resolve(ids).items()})
    return found


def source_record(improvement):
    """The record an opportunity came from, or None (no link, or its kind has no records yet)."""
    return resolve_records([improvement]).get((improvement.source_kind, improvement.source_id))


def check_source(key: str, record_id: int | None) -> None:
    """Refuse an unknown kind, or a record id that is not a record of that kind."""
    kind = SOURCES.get(key)
    if kind is None:
        raise ValueError(_("“%(kind)s” is not a kind of source.", kind=key))
    if record_id and kind.linkable and record_id not in kind.resolve([record_id]):
        raise ValueError(_("The source record chosen does not exist any more."))


def is_client_voice(improvement, record=None) -> bool:
    """Whether the opportunity starts from the client's voice: a client-voice kind, or a record that is one."""
    kind = SOURCES.get(improvement.source_kind)
    if kind is None:
        return False
    if kind.client_voice:
        return True
    record = record if record is not None else (source_record(improvement) if kind.linkable else None)
    return bool(record is not None and kind.record_is_client_voice and kind.record_is_client_voice(record))


def source_label(improvement, record=None) -> str:
    """The source as people read it: its kind, then the record or the note."""
    kind = SOURCES.get(improvement.source_kind)
    name = str(kind.label) if kind else improvement.source_kind
    record = record if record is not None else (source_record(improvement) if kind and kind.linkable else None)
    detail = str(record) if record is not None else (improvement.source_note or "")
    return f"{name}: {detail}" if detail else name


def source_url(improvement, record=None) -> str | None:
    kind = SOURCES.get(improvement.source_kind)
    record = record if record is not None else (source_record(improvement) if kind and kind.linkable else None)
    return kind.url(record) if kind and kind.url and record is not None else None
