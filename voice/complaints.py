"""The register of enquiries, complaints, claims and incidents (B1): the filters, the SQL that counts them
(response times, monthly figures, before and after an improvement), and the services that record complaints
and their categories (they flush, never commit)."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, Integer, Select, cast, delete, func, or_, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from core import transitions
from core.extensions import db
from core.i18n import day
from core.versioning import ensure_current
from loyalty.demo_census import Dependants
from loyalty.history import bucket
from loyalty.models import Client
from voice.models import Complaint, ComplaintCategory, ContactKind, Requirement, VoiceRuleError

#: The categories offered to start an empty list with; the team adds or retires its own.
DEFAULT_CATEGORIES = (_l("Response delays"), _l("Errors in statements"), _l("Treatment by staff"),
                      _l("Product conditions"), _l("Procedures and paperwork"), _l("Online channels"))


class days_between(FunctionElement):  # noqa: N801 - a SQL function, named like one
    """SQL: whole days from the first date to the second (``julianday`` on SQLite, date arithmetic elsewhere)."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"({compiler.process(end, **kw)} - {compiler.process(start, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"CAST(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}) AS INTEGER)"


def response_days():
    """SQL: a complaint's response time in days; NULL while it is unanswered."""
    return days_between(Complaint.received_on, Complaint.responded_on)


@dataclass(frozen=True)
class ComplaintFilters:
    """What the complaints register is narrowed to."""

    q: str | None = None
    kind: str | None = None
    category_id: int | None = None
    channel: str | None = None
    status: str | None = None  # "open" (unanswered) or "answered"
    client_id: int | None = None
    start: date | None = None
    end: date | None = None

    def conditions(self) -> list:
        found = []
        if self.q:
            pattern = f"%{self.q.lower()}%"
            found.append(or_(func.lower(Complaint.description).like(pattern),
                             func.lower(func.coalesce(Complaint.reference, "")).like(pattern),
                             func.lower(func.coalesce(Complaint.resolution, "")).like(pattern)))
        if self.kind:
            found.append(Complaint.kind == ContactKind(self.kind))
        if self.category_id:
            found.append(Complaint.category_id == self.category_id)
        if self.channel:
            found.append(Complaint.channel == self.channel)
        if self.status == "open":
            found.append(Complaint.responded_on.is_(None))
        elif self.status == "answered":
            found.append(Complaint.responded_on.is_not(None))
        if self.client_id:
            found.append(Complaint.client_id == self.client_id)
        if self.start:
            found.append(Complaint.received_on >= self.start)
        if self.end:
            found.append(Complaint.received_on <= self.end)
        return found


SORTS = {"received": Complaint.received_on, "kind": Complaint.kind, "category": ComplaintCategory.name,
         "response": None, "reference": Complaint.reference}


def complaints_query(filters: ComplaintFilters, *, sort: str = "received", descending: bool = True):
    """Rows of (Complaint, category name, client code, response days) matching ``filters``, sorted."""
    days = response_days().label("response_days")
    query = (select(Complaint, ComplaintCategory.name.label("category"), Client.code.label("client_code"), days)
             .join(ComplaintCategory, ComplaintCategory.id == Complaint.category_id)
             .outerjoin(Client, Client.id == Complaint.client_id)
             .where(*filters.conditions()))
    column = SORTS.get(sort, Complaint.received_on)
    column = days if column is None else column
    order = column.desc() if descending else column.asc()
    return query.order_by(order.nulls_last() if sort == "response" else order, Complaint.id.desc())


def monthly_figures(filters: ComplaintFilters) -> list[dict]:
    """Per month and category: how many were received, how many answered, and their mean response days.

    One GROUP BY; months are ``YYYYMM`` integers (``loyalty.history.bucket``)."""
    month = bucket(Complaint.received_on, "month").label("month")
    days = response_days()
    query = (select(month, ComplaintCategory.name, func.count(Complaint.id), func.count(Complaint.responded_on),
                    func.avg(cast(days, Float)))
             .join(ComplaintCategory, ComplaintCategory.id == Complaint.category_id)
             .where(*filters.conditions()).group_by(month, ComplaintCategory.name).order_by(month))
    return [{"month": int(m), "category": name, "received": int(received), "answered": int(answered),
             "response_days": float(mean) if mean is not None else None}
            for m, name, received, answered, mean in db.session.execute(query)]


def summary(filters: ComplaintFilters) -> dict:
    """How many match, how many are unanswered, and the mean and longest response time (one query)."""
    days = response_days()
    row = db.session.execute(select(func.count(Complaint.id), func.count(Complaint.responded_on),
                                    func.avg(cast(days, Float)), func.max(days), func.avg(
                                        cast(Complaint.satisfaction, Float)))
                             .where(*filters.conditions())).one()
    return {"total": int(row[0]), "open": int(row[0] - row[1]), "mean_days": row[2], "max_days": row[3],
            "satisfaction": row[4]}


def before_after(category_ids, pivots: dict[int, tuple[int, date]], months: int = 12) -> dict[int, dict]:
    """For each improvement id → (category id, implemented on): complaints received per month and mean
    response days in the ``months`` before the date and in those after (up to today). One query in all."""
    if not pivots:
        return {}
    month = bucket(Complaint.received_on, "month").label("month")
    query = (select(Complaint.category_id, month, func.count(Complaint.id),
                    func.sum(cast(response_days(), Float)), func.count(Complaint.responded_on))
             .where(Complaint.category_id.in_(list(category_ids))).group_by(Complaint.category_id, month))
    by_category: dict[int, list] = {}
    for category_id, key, received, days, answered in db.session.execute(query):
        by_category.setdefault(category_id, []).append((int(key), int(received), float(days or 0), int(answered)))
    return {improvement_id: _windows(by_category.get(category_id, []), pivot, months)
            for improvement_id, (category_id, pivot) in pivots.items()}


def _month_key(day: date, shift: int = 0) -> int:
    index = day.year * 12 + day.month - 1 + shift
    return (index // 12) * 100 + index % 12 + 1


def _windows(rows: list, pivot: date, months: int) -> dict:
    """Sum the monthly rows into the window before the pivot month and the one from it on (to today)."""
    start, pivot_key = _month_key(pivot, -months), _month_key(pivot)
    elapsed = min(months, max(0, (date.today().year - pivot.year) * 12 + date.today().month - pivot.month + 1))
    end = _month_key(pivot, elapsed)
    windows = {"before": [0, 0.0, 0, months], "after": [0, 0.0, 0, elapsed]}
    for key, received, days, answered in rows:
        side = "before" if start <= key < pivot_key else "after" if pivot_key <= key < end else None
        if side:
            windows[side][0] += received
            windows[side][1] += days
            windows[side][2] += answered
    return {side: {"per_month": received / span if span else None,
                   "response_days": days / answered if answered else None, "months": span}
            for side, (received, days, answered, span) in windows.items()}


def client_voice(client_id: int) -> dict:
    """A census client's complaints (latest first, with response days) and their count: two queries."""
    rows = db.session.execute(complaints_query(ComplaintFilters(client_id=client_id)).limit(10)).all()
    return {"complaints": rows, "summary": summary(ComplaintFilters(client_id=client_id))}


# --- recording ------------------------------------------------------------------------------------

def ensure_default_categories() -> None:
    """Give an installation without categories the usual ones, so the first complaint can be recorded."""
    if db.session.scalar(select(func.count(ComplaintCategory.id))):
        return
    for name in DEFAULT_CATEGORIES:
        db.session.add(ComplaintCategory(name=str(name), active=True))
    db.session.flush()


def add_category(name: str) -> ComplaintCategory:
    name = " ".join(name.split())
    clash = db.session.scalar(select(ComplaintCategory).where(func.lower(ComplaintCategory.name) == name.lower()))
    if clash is not None:
        raise VoiceRuleError(_("There is already a category called “%(name)s”.", name=clash.name))
    category = ComplaintCategory(name=name, active=True)
    db.session.add(category)
    db.session.flush()
    return category


COMPLAINT_FIELDS = ("reference", "kind", "received_on", "channel", "category_id", "client_id", "description",
                    "responded_on", "resolution", "satisfaction")


def check_complaint(data: dict, *, complaint: Complaint | None = None) -> None:
    """Refuse a response before receipt, a satisfaction without a response, and a reference in use."""
    if data.get("responded_on") and data["responded_on"] < data["received_on"]:
        raise VoiceRuleError(_("The response date (%(responded)s) is before the date it was received (%(received)s).",
                               responded=day(data["responded_on"]), received=day(data["received_on"])))
    if data.get("satisfaction") and not data.get("responded_on"):
        raise VoiceRuleError(_("The client's satisfaction with the resolution needs a response date."))
    reference = (data.get("reference") or "").strip()
    if reference:
        clash = db.session.scalar(select(Complaint.id).where(Complaint.reference == reference))
        if clash is not None and (complaint is None or clash != complaint.id):
            raise VoiceRuleError(_("Reference %(reference)s is already recorded.", reference=reference))


#: The kind of record of a complaint in the state-change history (``core.transitions``); its response date, which
#: B1's response times are counted from, is kept there each time it is set, cleared (reopened) or changed.
COMPLAINT_HISTORY_KIND = "complaint"
RESPONSE_DATE = "responded_on"


def kept_response_date(complaint: Complaint) -> date | None:
    """The response date the complaint's evidence rests on: the last one recorded (the first answer, or the date
    changed explicitly since, with a reason), kept in its history while a reopened complaint has none."""
    dates = [row.to_value for row in transitions.history(COMPLAINT_HISTORY_KIND, complaint.id)
             if row.field == RESPONSE_DATE and row.to_value]
    return transitions.stored_date(dates[-1]) if dates else complaint.responded_on


def response_date_moves_back(complaint: Complaint | None, data: dict) -> bool:
    """Whether the edit clears (reopens) or changes the date an answered complaint was responded on."""
    return complaint is not None and complaint.responded_on is not None \
        and data.get("responded_on") != complaint.responded_on


def save_complaint(complaint: Complaint | None, data: dict, *, actor=None, version=None,
                   date_reason: str | None = None, confirmed: bool = True) -> Complaint:
    """Create or change a complaint from a form's data. Its response date is never silently overwritten:
    reopening (clearing it) or changing it says why (``date_reason``) and, from a form (``confirmed=False``),
    waits for confirmation with what it changes in the criteria (``transitions.ConfirmationNeeded``); answering
    a reopened complaint again keeps the first response date unless ``date_reason`` says why it changes."""
    if not confirmed:
        transitions.confirm_or_refuse(lambda: _save(complaint, data, actor=actor, version=version,
                                                    date_reason=date_reason or transitions.PREVIEW_REASON),
                                      confirmed=False, always=response_date_moves_back(complaint, data))
    return _save(complaint, data, actor=actor, version=version, date_reason=date_reason)


def _save(complaint: Complaint | None, data: dict, *, actor, version, date_reason: str | None) -> Complaint:
    date_reason = (date_reason or "").strip() or None
    data = dict(data)
    old = complaint.responded_on if complaint is not None else None
    if response_date_moves_back(complaint, data):
        transitions.require_reason(date_reason, _("Say why the response date changes: B1's response times are "
                                                  "counted from it."))
    elif complaint is not None and old is None and data.get("responded_on") and not date_reason:
        kept = kept_response_date(complaint)
        if kept is not None and kept >= data["received_on"]:
            data["responded_on"] = kept  # answered again: the first response date stays
    check_complaint(data, complaint=complaint)
    if complaint is None:
        complaint = Complaint(created_by_id=getattr(actor, "id", None))
        db.session.add(complaint)
    else:
        ensure_current(complaint, version)
    for name in COMPLAINT_FIELDS:
        value = data.get(name)
        if name in ("reference", "resolution") and isinstance(value, str):
            value = value.strip() or None
        setattr(complaint, name, value)
    db.session.flush()
    if complaint.responded_on != old:
        transitions.record_transition(COMPLAINT_HISTORY_KIND, complaint.id, field=RESPONSE_DATE, from_value=old,
                                      to_value=complaint.responded_on, actor=actor, reason=date_reason)
    return complaint


def client_dependants(clients: Select) -> list[Dependants]:
    """What goes with census clients removed (``clients``: a SELECT of their ids): their enquiries, complaints,
    claims and incidents, and their history (``core.transitions``). A requirement first heard in one of those
    complaints stays, detached from it: it is what the organisation learnt, whoever said it, and opportunities
    for improvement may start from it."""
    complaints = select(Complaint.id).where(Complaint.client_id.in_(clients))
    heard = Requirement.complaint_id.in_(complaints)

    def detach() -> int:
        statement = update(Requirement).where(heard).values(complaint_id=None)
        return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount

    def remove() -> int:
        statement = delete(Complaint).where(Complaint.client_id.in_(clients))
        return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount

    count = func.count()
    return [Dependants("requirements_detached", _l("Requirements first heard in a removed complaint"),
                       db.session.scalar(select(count).where(heard)), detach, detached=True),
            # Before the complaints: their ids select the rows.
            Dependants("complaint_history", _l("Recorded changes of the removed complaints' response dates"),
                       transitions.count_history(COMPLAINT_HISTORY_KIND, complaints),
                       lambda: transitions.forget_history(COMPLAINT_HISTORY_KIND, complaints)),
            Dependants("complaints", _l("Enquiries, complaints, claims and incidents"),
                       db.session.scalar(select(count).select_from(complaints.subquery())), remove)]
