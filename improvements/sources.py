"""Where opportunities come from, and how to find the record each one came from.

An opportunity stores a source kind and, optionally, the id of the record it came from. The kinds are this
module's; the records of a kind come from the package that owns them. The process map's (an off-target
indicator, an interface problem without agreement) are read here; the voice of the client's requirements and
complaint categories, the survey engine's items and the certification cycles' findings come through the
``core.signals.opportunity_records`` signal. A kind whose records no registered package gives is still a kind:
its opportunities carry their source in words (``source_note``), as a staff idea always does.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core import signals
from core.extensions import db
from processes.agreements import interfaces_to_review
from processes.indicators import Status, latest_results, latest_status
from processes.models import Indicator, IndicatorKind, Interface

CLIENT_REQUIREMENT = "client_requirement"
COMPLAINT_CATEGORY = "complaint_category"
SURVEY_RESULT = "survey_result"
INDICATOR = "indicator"
INTERFACE = "interface"
STAFF_IDEA = "staff_idea"
#: A reviewer's finding in a certification cycle: a corrective action answers a nonconformity, an improvement
#: opportunity comes from an opportunity for improvement (its records come from ``certification.hooks``).
CERTIFICATION_FINDING = "certification_finding"


@dataclass(frozen=True)
class SourceRecords:
    """How to load, list and link the records of one kind of source (what a package's hooks give)."""

    #: ``ids -> {id: record}`` in one query.
    resolve: Callable
    #: ``() -> [(id, label)]`` for the form's list of records of this kind.
    choices: Callable
    #: ``record -> url`` of the record's own page.
    url: Callable
    #: ``record -> bool``: whether this record is a client voice (e.g. a perception indicator).
    record_is_client_voice: Callable | None = None


@dataclass(frozen=True)
class SourceKind:
    """A kind of source: its name and, when a package gives its records, how to load, list and link them."""

    key: str
    label: object
    #: Whether an opportunity of this kind starts from what clients said (the first link of the loop).
    client_voice: bool
    resolve: Callable | None = None
    choices: Callable | None = None
    url: Callable | None = None
    record_is_client_voice: Callable | None = None

    @property
    def linkable(self) -> bool:
        return self.resolve is not None

    def with_records(self, records: SourceRecords) -> "SourceKind":
        return replace(self, resolve=records.resolve, choices=records.choices, url=records.url,
                       record_is_client_voice=records.record_is_client_voice)


def _indicators(ids):
    return {i.id: i for i in db.session.scalars(select(Indicator).where(Indicator.id.in_(list(ids))))}


def _indicator_choices():
    """Active indicators, those off target or in alert first, each with its latest status."""
    indicators = list(db.session.scalars(select(Indicator).where(Indicator.active).order_by(Indicator.code)))
    latest = latest_results(i.id for i in indicators)
    rows = [(i, latest_status(i, latest.get(i.id))) for i in indicators]
    rows.sort(key=lambda row: row[1] not in (Status.OFF_TARGET, Status.ALERT))
    return [(i.id, f"{i} — {status.label}") for i, status in rows]


def _indicator_url(indicator) -> str:
    return url_for("processes.indicator_detail", indicator_id=indicator.id)


def _interfaces(ids):
    return {i.id: i for i in db.session.scalars(select(Interface).where(Interface.id.in_(list(ids))))}


def _interface_choices():
    """Interfaces with a problem without agreement or a breached agreement."""
    return [(interface.id, f"{interface.from_process.code} → {interface.to_process.code}: {interface.flow} "
                           f"({state.status.label})")
            for interface, state in interfaces_to_review(only_attention=True)]


def _interfaces_url(_interface) -> str:
    return url_for("processes.interfaces")


def _is_perception(indicator) -> bool:
    return indicator.kind == IndicatorKind.PERCEPTION


#: The kinds, in the order the opportunity form lists them.
KINDS = (
    SourceKind(CLIENT_REQUIREMENT, _l("Client requirement"), client_voice=True),
    SourceKind(COMPLAINT_CATEGORY, _l("Complaint category"), client_voice=True),
    SourceKind(SURVEY_RESULT, _l("Survey result"), client_voice=True),
    SourceKind(INDICATOR, _l("Off-target indicator"), False, _indicators, _indicator_choices, _indicator_url,
               _is_perception),
    SourceKind(INTERFACE, _l("Interface problem without agreement"), False, _interfaces, _interface_choices,
               _interfaces_url),
    SourceKind(STAFF_IDEA, _l("Staff idea"), client_voice=False),
    SourceKind(CERTIFICATION_FINDING, _l("Certification finding"), client_voice=False),
)


def source_kinds() -> dict[str, SourceKind]:
    """Every kind by key, with the records the packages registered on this app give."""
    given = signals.merged(signals.opportunity_records)
    unknown = set(given) - {kind.key for kind in KINDS}
    if unknown:
        raise RuntimeError(f"Records given for unknown kinds of opportunity source: {', '.join(sorted(unknown))}")
    return {kind.key: kind.with_records(given[kind.key]) if kind.key in given else kind for kind in KINDS}


def source_kind(key: str) -> SourceKind | None:
    return source_kinds().get(key)


def resolve_records(improvements) -> dict[tuple[str, int], object]:
    """The source records of many opportunities: one query per kind, not per opportunity."""
    kinds = source_kinds()
    wanted: dict[str, set] = {}
    for improvement in improvements:
        kind = kinds.get(improvement.source_kind)
        if kind is not None and kind.linkable and improvement.source_id:
            wanted.setdefault(kind.key, set()).add(improvement.source_id)
    found = {}
    for key, ids in wanted.items():
        found.update({(key, record_id): record for record_id, record in kinds[key].resolve(ids).items()})
    return found


def source_record(improvement):
    """The record an opportunity came from, or None (no link, or no registered package gives its kind's records)."""
    return resolve_records([improvement]).get((improvement.source_kind, improvement.source_id))


def check_source(key: str, record_id: int | None) -> None:
    """Refuse an unknown kind, or a record id that is not a record of that kind."""
    kind = source_kind(key)
    if kind is None:
        raise ValueError(_("“%(kind)s” is not a kind of source.", kind=key))
    if record_id and kind.linkable and record_id not in kind.resolve([record_id]):
        raise ValueError(_("The source record chosen does not exist any more."))


def is_client_voice(improvement, record=None) -> bool:
    """Whether the opportunity starts from the client's voice: a client-voice kind, or a record that is one."""
    kind = source_kind(improvement.source_kind)
    if kind is None:
        return False
    if kind.client_voice:
        return True
    record = record if record is not None else (source_record(improvement) if kind.linkable else None)
    return bool(record is not None and kind.record_is_client_voice and kind.record_is_client_voice(record))


def source_label(improvement, record=None) -> str:
    """The source as people read it: its kind, then the record or the note."""
    kind = source_kind(improvement.source_kind)
    name = str(kind.label) if kind else improvement.source_kind
    record = record if record is not None else (source_record(improvement) if kind and kind.linkable else None)
    detail = str(record) if record is not None else (improvement.source_note or "")
    return f"{name}: {detail}" if detail else name


def source_url(improvement, record=None) -> str | None:
    kind = source_kind(improvement.source_kind)
    record = record if record is not None else (source_record(improvement) if kind and kind.linkable else None)
    return kind.url(record) if kind and kind.url and record is not None else None
