"""Interfaces between processes and the compliance of their service-level agreements (A2)."""

import enum
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core import transitions
from core.extensions import db
from core.findings import Threshold, stored_thresholds, threshold_values
from core.reviews import next_review
from core.rules import TransitionRefused
from core.versioning import ensure_current
from processes.indicators import reaches
from processes.models import Interface, Measurement, Process

#: How many recent periods an agreement is reviewed over (its review window), by default.
RECENT_PERIODS = 12
#: The share of the window's periods (%) that must meet the agreed level for the agreement to be complied with.
SHARE_NEEDED = 80
#: A2's numbers, which a criteria set may state (``thresholds:`` of its A2 criterion).
A2_THRESHOLDS = (Threshold("review_periods", _l("Periods in an agreement's review window"), RECENT_PERIODS, 1, 60),
                 Threshold("share_met", _l("Share of the window's periods that must meet the agreed level (%)"),
                           SHARE_NEEDED, 1, 100))


class Compliance(enum.StrEnum):
    COMPLIANT = "compliant"
    BREACHED = "breached"
    NO_AGREEMENT = "no_agreement"
    NOT_MEASURABLE = "not_measurable"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return str(COMPLIANCE_LABELS[self])


COMPLIANCE_LABELS = {
    Compliance.COMPLIANT: _l("Complied with"),
    Compliance.BREACHED: _l("Not complied with"),
    Compliance.NO_AGREEMENT: _l("Problem without agreement"),
    Compliance.NOT_MEASURABLE: _l("Agreement without a measurable level"),
    Compliance.NO_DATA: _l("No measurements yet"),
}


@dataclass(frozen=True)
class AgreementState:
    """Where an interface's agreement stands: its status, and how often recent periods met the level."""

    status: Compliance | None
    periods_met: int = 0
    periods: int = 0
    latest_value: float | None = None
    #: Whether each period of the window met the level, newest first, and those periods.
    met: tuple = ()
    periods_seen: tuple = ()

    @property
    def rate(self) -> int | None:
        return round(100 * self.periods_met / self.periods) if self.periods else None

    @property
    def trend(self) -> int | None:
        """+1 when the newer half of the window met the level more often than the older half, -1 when less,
        0 when as often; None with fewer than 4 periods."""
        if len(self.met) < 4:
            return None
        half = len(self.met) // 2
        newer, older = sum(self.met[:half]) / half, sum(self.met[-half:]) / half
        return (newer > older) - (newer < older)


def agreement_state(interface: Interface, recent_values: list[float], share_needed: int = SHARE_NEEDED,
                    periods: tuple = ()) -> AgreementState:
    """The state of one interface given its indicator's values over the review window, newest first: complied
    with when at least ``share_needed`` % of the window's periods met the agreed level (not the latest alone).

    An interface with no problem and no agreement needs nothing (status None)."""
    if not (interface.agreement or "").strip():
        return AgreementState(Compliance.NO_AGREEMENT if (interface.problem or "").strip() else None)
    if interface.indicator_id is None or interface.agreed_level is None:
        return AgreementState(Compliance.NOT_MEASURABLE)
    if not recent_values:
        return AgreementState(Compliance.NO_DATA)
    direction = interface.indicator.direction
    met = tuple(bool(reaches(value, interface.agreed_level, direction)) for value in recent_values)
    complied = 100 * sum(met) >= share_needed * len(met)
    return AgreementState(Compliance.COMPLIANT if complied else Compliance.BREACHED, sum(met), len(met),
                          recent_values[0], met, tuple(periods))


def recent_points(indicator_ids, limit: int = RECENT_PERIODS) -> dict[int, list[tuple]]:
    """The last ``limit`` (period, value) pairs of each indicator, newest first, in one windowed query."""
    ids = list(set(indicator_ids))
    if not ids:
        return {}
    rank = func.row_number().over(partition_by=Measurement.indicator_id,
                                  order_by=Measurement.period.desc()).label("rank")
    ranked = (select(Measurement.indicator_id, Measurement.value, Measurement.period, rank)
              .where(Measurement.indicator_id.in_(ids)).subquery())
    query = (select(ranked.c.indicator_id, ranked.c.period, ranked.c.value).where(ranked.c.rank <= limit)
             .order_by(ranked.c.indicator_id, ranked.c.period.desc()))
    found: dict[int, list[tuple]] = {}
    for indicator_id, period, value in db.session.execute(query):
        found.setdefault(indicator_id, []).append((period, value))
    return found


#: What a list of interfaces shows of each: both processes with their programmes, the indicator, the owners.
LISTED = (
    joinedload(Interface.from_process).joinedload(Process.programme),
    joinedload(Interface.to_process).joinedload(Process.programme),
    joinedload(Interface.indicator), joinedload(Interface.from_owner), joinedload(Interface.to_owner),
)


def a2_limits(thresholds: dict | None = None) -> dict[str, int]:
    """A2's review window and share: those given, else those the criteria set in use states, else the defaults."""
    return threshold_values(A2_THRESHOLDS, stored_thresholds("A2") if thresholds is None else thresholds)


def interfaces_with_state(query=None, *, loading=LISTED, periods: int | None = None,
                          share_needed: int | None = None) -> list[tuple[Interface, AgreementState]]:
    """Interfaces (all, or those a query selects) with their agreement state over the last ``periods``
    periods, in a fixed number of queries. Without ``periods`` or ``share_needed``, the criteria set's A2
    numbers (``a2_limits``), so the interfaces page and the maps say what A2's evidence says.

    ``loading`` says which related records come in the same query (the state needs the indicator)."""
    if periods is None or share_needed is None:
        limits = a2_limits()
        periods = limits["review_periods"] if periods is None else periods
        share_needed = limits["share_met"] if share_needed is None else share_needed
    query = (query if query is not None else select(Interface)).options(*loading)
    interfaces = list(db.session.scalars(query).unique())
    points = recent_points((i.indicator_id for i in interfaces if i.indicator_id), periods)
    states = []
    for interface in interfaces:
        found = points.get(interface.indicator_id, [])
        states.append((interface, agreement_state(interface, [v for _p, v in found], share_needed,
                                                  tuple(p for p, _v in found))))
    return states


NEEDS_ATTENTION = (Compliance.NO_AGREEMENT, Compliance.BREACHED)


def interfaces_to_review(only_attention: bool = False) -> list[tuple[Interface, AgreementState]]:
    """Interfaces for the A2 list: problems without agreement and breached agreements first, then by process codes;
    with ``only_attention``, those alone."""
    rows = interfaces_with_state()
    if only_attention:
        rows = [(interface, state) for interface, state in rows if state.status in NEEDS_ATTENTION]
    return sorted(rows, key=lambda row: (row[1].status not in NEEDS_ATTENTION, row[0].from_process.code,
                                         row[0].to_process.code))
INTERFACE_FIELDS = ("from_process_id", "to_process_id", "flow", "problem", "agreement", "indicator_id",
                    "agreed_level", "from_owner_id", "to_owner_id", "review_date")


def save_interface(interface: Interface | None, data: dict, *, version=None) -> Interface:
    """Create or change an interface and its agreement (refusing a stale form)."""
    if interface is None:
        interface = Interface()
        db.session.add(interface)
    else:
        ensure_current(interface, version)
    for name in INTERFACE_FIELDS:
        value = data.get(name)
        setattr(interface, name, (value.strip() or None) if isinstance(value, str) else value)
    db.session.flush()
    return interface


#: The kind of record of an interface in the state-change history (its reviews move ``review_date`` on).
INTERFACE_HISTORY_KIND = "interface"


def record_review(interface: Interface, *, interval_months: int | None, reviewed_on: date | None, actor) -> None:
    """Set the agreement's review interval and, when it was reviewed on ``reviewed_on``, move its review date on
    by that interval (refused without one: the next date would be unknown)."""
    interface.review_interval_months = interval_months or None
    if reviewed_on is not None:
        if not interface.review_interval_months:
            raise TransitionRefused(_("Give the review interval: the next review date is counted from it."))
        old = interface.review_date
        interface.review_date = next_review(reviewed_on, interface.review_interval_months)
        transitions.record_transition(INTERFACE_HISTORY_KIND, interface.id, field="review_date", from_value=old,
                                      to_value=interface.review_date, actor=actor)
    db.session.flush()
