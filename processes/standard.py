"""The process-management standard (A1) and how complete each process sheet is against it."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from core.extensions import db
from core.versioning import ensure_current
from processes.models import Indicator, Participant, Process, ProcessDocument, ProcessStandard, Target

#: The sheet fields a standard may require, with what people call them.
SHEET_FIELDS = {
    "purpose": _l("Purpose"),
    "scope": _l("Scope (where it starts and ends)"),
    "inputs": _l("Inputs"),
    "outputs": _l("Outputs"),
    "process_clients": _l("Clients of the process"),
    "owner": _l("Owner"),
    "documents": _l("Related documents"),
}
DEFAULT_REQUIRED = ["purpose", "scope", "inputs", "outputs", "process_clients", "owner"]


def current_standard() -> ProcessStandard:
    """The standard in force; the default one (not yet saved) when the coordinator has not set it."""
    standard = db.session.scalar(select(ProcessStandard).order_by(ProcessStandard.id).limit(1))
    return standard or ProcessStandard(required_fields=list(DEFAULT_REQUIRED), min_indicators=1,
                                       min_participants=1, targets_required=True)


def save_standard(standard: ProcessStandard, data: dict, *, version) -> ProcessStandard:
    """Save the standard (the first time, or over the version the coordinator started from)."""
    if standard.id is None:
        db.session.add(standard)
    else:
        ensure_current(standard, version)
    standard.required_fields = [name for name in data["required_fields"] if name in SHEET_FIELDS]
    standard.min_participants = data["min_participants"]
    standard.min_indicators = data["min_indicators"]
    standard.targets_required = bool(data["targets_required"])
    db.session.flush()
    return standard


@dataclass(frozen=True)
class SheetFacts:
    """What the completeness check needs to know about one process, gathered for many at once."""

    filled: frozenset
    participants: int
    indicators: int
    indicators_without_target: int


@dataclass(frozen=True)
class Completeness:
    """A process sheet's score against the standard (0–100) and, in words, what is missing.

    The words are written when asked for: a map scores hundreds of sheets and shows only the scores."""

    score: int
    reasons: tuple = ()

    @property
    def missing(self) -> list[str]:
        return [reason() for reason in self.reasons]

    @property
    def complete(self) -> bool:
        return not self.reasons


def completeness(facts: SheetFacts, standard: ProcessStandard) -> Completeness:
    """Score one sheet: each required field, the participant and indicator minimums, and targets."""
    checks = [(name in facts.filled, lambda name=name: _("%(field)s is empty", field=SHEET_FIELDS[name]))
              for name in standard.required_fields or [] if name in SHEET_FIELDS]
    if standard.min_participants:
        checks.append((facts.participants >= standard.min_participants,
                       lambda: _("%(have)d of %(need)d participants", have=facts.participants,
                                 need=standard.min_participants)))
    if standard.min_indicators:
        checks.append((facts.indicators >= standard.min_indicators,
                       lambda: _("%(have)d of %(need)d indicators", have=facts.indicators,
                                 need=standard.min_indicators)))
    if standard.targets_required and facts.indicators:
        checks.append((facts.indicators_without_target == 0,
                       lambda: _("%(n)d indicators without a target", n=facts.indicators_without_target)))
    if not checks:
        return Completeness(100)
    met = sum(1 for ok, _message in checks if ok)
    return Completeness(round(100 * met / len(checks)), tuple(message for ok, message in checks if not ok))


def _text_filled(column):
    return case((func.length(func.trim(func.coalesce(column, ""))) > 0, 1), else_=0)


def sheet_facts(process_ids=None) -> dict[int, SheetFacts]:
    """The completeness facts of many processes in a fixed number of queries (no query per process)."""
    participants = (select(Participant.process_id, func.count().label("n"))
                    .group_by(Participant.process_id).subquery())
    documents = (select(ProcessDocument.process_id, func.count().label("n"))
                 .group_by(ProcessDocument.process_id).subquery())
    has_target = select(Target.id).where(Target.indicator_id == Indicator.id).exists()
    indicators = (select(Indicator.process_id, func.count().label("n"),
                         func.sum(case((has_target, 0), else_=1)).label("untargeted"))
                  .where(Indicator.active).group_by(Indicator.process_id).subquery())
    query = (
        select(Process.id,
               _text_filled(Process.purpose).label("purpose"),
               (_text_filled(Process.scope_start) * _text_filled(Process.scope_end)).label("scope"),
               _text_filled(Process.inputs).label("inputs"),
               _text_filled(Process.outputs).label("outputs"),
               _text_filled(Process.process_clients).label("process_clients"),
               case((Process.owner_id.is_not(None), 1), else_=0).label("owner"),
               func.coalesce(documents.c.n, 0).label("documents"),
               func.coalesce(participants.c.n, 0).label("participants"),
               func.coalesce(indicators.c.n, 0).label("indicators"),
               func.coalesce(indicators.c.untargeted, 0).label("untargeted"))
        .outerjoin(participants, participants.c.process_id == Process.id)
        .outerjoin(documents, documents.c.process_id == Process.id)
        .outerjoin(indicators, indicators.c.process_id == Process.id)
    )
    if process_ids is not None:
        query = query.where(Process.id.in_(list(process_ids)))
    facts = {}
    for row in db.session.execute(query):
        filled = frozenset(name for name in SHEET_FIELDS if getattr(row, name))
        facts[row.id] = SheetFacts(filled, row.participants, row.indicators, int(row.untargeted or 0))
    return facts


def completeness_by_process(process_ids=None) -> dict[int, Completeness]:
    """The completeness of every (or the given) process against the standard in force."""
    standard = current_standard()
    return {pid: completeness(facts, standard) for pid, facts in sheet_facts(process_ids).items()}
