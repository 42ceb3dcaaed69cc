"""The improvements as lists to search, filter and export: the board's cards, and the C1 counter's improvements
with why each qualifies or not. The C1 verdict is always over every improvement; filters narrow what is listed."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.listing import text_matches
from improvements.models import DONE, KIND_LABELS, STATUS_LABELS, Improvement, Status
from improvements.queries import Assessment
from improvements.sources import resolve_records, source_label, source_url

#: The values of the C1 counter's "qualifies" filter.
QUALIFY_FILTERS = ("yes", "no")


@dataclass(frozen=True)
class ImprovementFilters:
    """What a list of improvements is narrowed to: words in the title, opportunity or objective, the group, and
    (C1 counter) whether it qualifies."""

    q: str | None = None
    group_id: int | None = None
    qualifies: str | None = None
    #: (board) improvements only, or corrective actions only (``ImprovementKind`` values).
    kind: str | None = None

    def matches(self, improvement: Improvement) -> bool:
        """The same filters on an improvement already read (the C1 counter assesses them all anyway)."""
        words = (self.q or "").lower()
        text = " ".join(filter(None, (improvement.title, improvement.statement, improvement.objective))).lower()
        return (not words or words in text) and (not self.group_id or improvement.group_id == self.group_id)


def board(filters: ImprovementFilters) -> list[Improvement]:
    """Every improvement matching ``filters`` for the board (group and owner loaded with it), by deadline."""
    return list(db.session.scalars(board_query(filters)))


def board_query(filters: ImprovementFilters):
    """The SELECT of ``board`` (the board reads it whole, the API a page at a time)."""
    query = select(Improvement).options(joinedload(Improvement.group), joinedload(Improvement.owner))
    words = text_matches(filters.q, Improvement.title, Improvement.statement, Improvement.objective)
    if words is not None:
        query = query.where(words)
    if filters.group_id:
        query = query.where(Improvement.group_id == filters.group_id)
    if filters.kind:
        query = query.where(Improvement.kind == filters.kind)
    return query.order_by(Improvement.deadline.is_(None), Improvement.deadline, Improvement.id)


def source_links(improvements: list[Improvement]) -> dict[int, tuple[str, str | None]]:
    """The record each corrective action answers (its finding), as (text, url), one query per kind of source: the
    board's cards link to it."""
    corrective = [i for i in improvements if i.is_corrective]
    records = resolve_records(corrective)
    found = {}
    for improvement in corrective:
        record = records.get((improvement.source_kind, improvement.source_id))
        found[improvement.id] = (str(record) if record is not None else source_label(improvement, record),
                                 source_url(improvement, record) if record is not None else None)
    return found


def board_table(improvements: list[Improvement], counts: dict, today: date) -> tuple[list[str], list[tuple]]:
    """The board's improvements as export rows: where each stands, its plan, result and tasks."""
    headers = [_("Improvement"), _("Group"), _("Status"), _("Owner"), _("Raised on"), _("Deadline"), _("Overdue"),
               _("Objective"), _("Measure"), _("Baseline"), _("Target"), _("Value after"), _("Approved on"),
               _("Implemented on"), _("Verified on"), _("Tasks"), _("Tasks done"), _("Tasks overdue"), _("Kind")]
    finished = (*DONE, Status.CANCELLED)
    rows = []
    for i in improvements:
        overdue = bool(i.deadline and i.deadline < today and i.status not in finished)
        rows.append((i.title, i.group.name, str(STATUS_LABELS[i.status]), i.owner.name if i.owner else None,
                     i.raised_on, i.deadline, _("yes") if overdue else _("no"), i.objective, i.measure_name,
                     i.baseline_value, i.target_value, i.after_value, i.approved_on, i.implemented_on,
                     i.verified_on, *counts.get(i.id, (0, 0, 0)), str(KIND_LABELS[i.kind])))
    return headers, rows


def c1_listed(candidates: list[Improvement], assessments: dict[int, Assessment],
              filters: ImprovementFilters) -> list[Improvement]:
    """The C1 counter's improvements that match ``filters``, qualifying ones first."""
    wanted = {"yes": True, "no": False}.get(filters.qualifies)
    listed = [i for i in candidates if filters.matches(i)
              and (wanted is None or assessments[i.id].qualifies == wanted)]
    return sorted(listed, key=lambda i: not assessments[i.id].qualifies)


def c1_table(improvements: list[Improvement], assessments: dict[int, Assessment]) -> tuple[list[str], list[tuple]]:
    """The C1 counter as export rows: each improvement, whether it qualifies and why not, SMART and its result."""
    headers = [_("Improvement"), _("Group"), _("Status"), _("Qualifies for C1"), _("Meets SMART"), _("Before"),
               _("After"), _("Change (%)"), _("Clients value it"), _("Why it does not qualify")]
    rows = []
    for i in improvements:
        a = assessments[i.id]
        rows.append((i.title, i.group.name, str(STATUS_LABELS[i.status]), _("yes") if a.qualifies else _("no"),
                     _("yes") if a.smart_passed else _("no"), a.result.before, a.result.after, a.result.change_pct,
                     _("yes") if a.valued else _("no"), "; ".join(str(reason) for reason in a.c1_reasons) or None))
    return headers, rows
