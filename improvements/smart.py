"""The SMART check (C1): an opportunity becomes a proposal only when all five criteria hold.

The group marks each criterion met or not and writes why. Two criteria also depend on the plan:
Measurable needs an indicator (or a named measure) with a baseline and a target, and Time-bound needs a
deadline. A criterion the group marked met is still not met while the plan lacks what it needs.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core import transitions
from core.extensions import db
from core.rules import TransitionRefused
from core.timeutil import utcnow
from improvements import dates
from improvements.models import HISTORY_KIND, Improvement, SmartCheck, Status
from improvements.services import ImprovementRuleError

CRITERIA = ("specific", "measurable", "achievable", "relevant", "time_bound")
CRITERION_LABELS = {
    "specific": _l("Specific"),
    "measurable": _l("Measurable"),
    "achievable": _l("Achievable"),
    "relevant": _l("Relevant"),
    "time_bound": _l("Time-bound"),
}
CRITERION_QUESTIONS = {
    "specific": _l("Does it say exactly what will change, where and for whom?"),
    "measurable": _l("Is there an indicator with a baseline and a target to tell whether it worked?"),
    "achievable": _l("Can the group do it with the time and means it has?"),
    "relevant": _l("Does it matter to clients' loyalty or satisfaction?"),
    "time_bound": _l("Is there a date by which it will be done?"),
}


@dataclass(frozen=True)
class CriterionResult:
    """One SMART criterion as it stands: met or not, the group's justification and why it fails."""

    key: str
    met: bool
    justification: str
    reasons: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(CRITERION_LABELS[self.key])


def plan_problems(improvement: Improvement) -> dict[str, list[str]]:
    """What the plan lacks for Measurable and Time-bound, whatever the group marked."""
    measurable = []
    if improvement.indicator_id is None and improvement.indicator is None \
            and not (improvement.measure_name or "").strip():
        measurable.append(_("Link an indicator of the process map, or name the measure, in the plan."))
    if improvement.baseline_value is None:
        measurable.append(_("The plan has no baseline value."))
    if improvement.target_value is None:
        measurable.append(_("The plan has no target value."))
    time_bound = [] if improvement.deadline else [_("The plan has no deadline.")]
    return {"measurable": measurable, "time_bound": time_bound}


def evaluate(improvement: Improvement, answers: dict[str, tuple[bool, str]]) -> list[CriterionResult]:
    """Each criterion's result from the group's answers ``{key: (met, justification)}`` and the plan."""
    lacking = plan_problems(improvement)
    results = []
    for key in CRITERIA:
        met, why = answers.get(key, (False, ""))
        why = (why or "").strip()
        reasons = []
        if not met:
            reasons.append(_("The group marked it not met: %(why)s", why=why) if why
                           else _("The group marked it not met."))
        if not why:
            reasons.append(_("It has no written justification."))
        reasons += lacking.get(key, [])
        results.append(CriterionResult(key, bool(met) and not reasons, why, reasons))
    return results


def answers_of(check: SmartCheck) -> dict[str, tuple[bool, str]]:
    return {key: (getattr(check, key), getattr(check, f"{key}_why")) for key in CRITERIA}


def current_results(improvement: Improvement) -> list[CriterionResult] | None:
    """The latest check judged against the plan as it is now (a plan changed later can break it); None if unchecked."""
    check = improvement.latest_check
    return evaluate(improvement, answers_of(check)) if check else None


def passes(improvement: Improvement) -> bool:
    results = current_results(improvement)
    return results is not None and all(result.met for result in results)


def failures(improvement: Improvement) -> list[str]:
    """Why the improvement does not meet SMART, one line per problem; empty when it does."""
    results = current_results(improvement)
    if results is None:
        return [_("It has not been through the SMART check.")]
    return [f"{result.label}: {reason}" for result in results if not result.met for reason in result.reasons]


CHECKABLE = (Status.OPPORTUNITY, Status.PROPOSED)


def record_check(improvement: Improvement, answers: dict[str, tuple[bool, str]], *, actor,
                 on: date | None = None, today: date | None = None, at: datetime | None = None) -> SmartCheck:
    """Keep a new SMART check made ``on`` a day (today by default; recorded now, or ``at``); passing makes the
    opportunity a proposal, failing takes a proposal back (both kept in the improvement's history). A day in the
    future or before the opportunity was raised is refused."""
    if improvement.status not in CHECKABLE:
        raise TransitionRefused(_("Only opportunities and proposals not yet approved go through the SMART check."))
    recorded = at or utcnow()
    today = today or date.today()
    on = on or recorded.date()
    if problems := dates.problems("checked", on, today=max(today, recorded.date()), improvement=improvement):
        raise ImprovementRuleError(*problems, field="checked_on")
    results = evaluate(improvement, answers)
    check = SmartCheck(checked_by=actor, checked_at=recorded, checked_on=on, passed=all(r.met for r in results))
    for key in CRITERIA:
        met, why = answers.get(key, (False, ""))
        setattr(check, key, bool(met))
        setattr(check, f"{key}_why", (why or "").strip())
    improvement.checks.append(check)
    old, improvement.status = improvement.status, Status.PROPOSED if check.passed else Status.OPPORTUNITY
    if improvement.status != old and improvement.id is not None:  # a plan not stored yet has no history
        db.session.flush()
        transitions.record_transition(HISTORY_KIND, improvement.id, from_value=old, to_value=improvement.status,
                                      actor=actor, at=check.checked_at)
    return check


def approve(improvement: Improvement, *, actor, on: date | None = None, today: date | None = None) -> None:
    """Approve a proposal ``on`` a day (today by default); refused, with every reason, unless it meets SMART now
    and the day follows the check it rests on."""
    if improvement.status in CHECKABLE:
        reasons = failures(improvement)
        if reasons:
            raise TransitionRefused(_("It does not meet SMART, so it cannot be approved."), *reasons)
    today = today or date.today()
    on = on or today
    if problems := dates.problems("approved", on, today=today, improvement=improvement):
        raise ImprovementRuleError(*problems, field="happened_on")
    improvement.move_to(Status.APPROVED)
    improvement.approved_by = actor
    improvement.approved_at = utcnow()
    improvement.approved_on = on
