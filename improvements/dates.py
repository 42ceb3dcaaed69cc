"""The days people state for what happened to an improvement, and the order they must keep (C1, C3).

A SMART check, an approval, an implementation, a verification, a training or a meeting happened on a day the
user states (today by default), separate from the audit trail's timestamp of when it was typed in. A certifier
reads these days as the improvement's story, so a story out of order is refused with what it contradicts:
nothing in the future, the check not before the opportunity was raised, the approval not before the check that
passed, the implementation not before the approval, the verification not before the implementation, and people
informed or trained not before the change was approved.
"""

from collections.abc import Callable
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

#: The steps whose day is stated, in the order they happen.
STEPS = ("checked", "approved", "implemented", "verified", "trained", "met")


def _day(value: date) -> str:
    return format_date(value, "medium")


def passed_check_day(improvement) -> date | None:
    """The day of the latest SMART check that passed (the one an approval rests on)."""
    days = [check.checked_on for check in improvement.checks if check.passed and check.checked_on is not None]
    return max(days) if days else None


def _not_before(earlier: date | None, message: Callable[[str], str]):
    def rule(value: date) -> str | None:
        return message(_day(earlier)) if earlier is not None and value < earlier else None
    return rule


def _rules(step: str, improvement) -> list:
    if step == "checked":
        return [_not_before(improvement.raised_on, lambda d: _(
            "The SMART check cannot be before the opportunity was raised (%(date)s).", date=d))]
    if step == "approved":
        return [_not_before(passed_check_day(improvement), lambda d: _(
            "The approval cannot be before the SMART check it rests on (%(date)s).", date=d)),
            _not_before(improvement.raised_on, lambda d: _(
                "The approval cannot be before the opportunity was raised (%(date)s).", date=d))]
    if step == "implemented":
        return [_not_before(improvement.approved_on, lambda d: _(
            "The implementation cannot be before the approval (%(date)s).", date=d))]
    if step == "verified":
        return [_not_before(improvement.implemented_on, lambda d: _(
            "The verification cannot be before the implementation (%(date)s).", date=d))]
    if step == "trained":
        return [_not_before(improvement.approved_on, lambda d: _(
            "People cannot be informed or trained on the change before it was approved (%(date)s).", date=d))]
    if step == "met":
        return []
    raise ValueError(f"unknown step {step!r}; use one of {STEPS}")


def problems(step: str, value: date | None, *, today: date, improvement=None) -> list[str]:
    """Why ``value`` cannot be the day ``step`` happened (empty when it can). ``improvement`` gives the days
    already stated that it must follow (a meeting's day needs none)."""
    if value is None:
        return [_("Give the day it happened.")]
    found = []
    if value > today:
        found.append(_("The date %(date)s is in the future: give the day it happened.", date=_day(value)))
    if improvement is not None:
        found += [message for rule in _rules(step, improvement) if (message := rule(value))]
    return found


def later_steps_problems(step: str, value: date, improvement) -> list[str]:
    """A day corrected after later steps were stated must not move past them (an implementation corrected to
    after its verification)."""
    later = {"approved": ("implemented_on", _("The approval cannot be after the implementation (%(date)s).")),
             "implemented": ("verified_on", _("The implementation cannot be after the verification (%(date)s)."))}
    if step not in later:
        return []
    name, message = later[step]
    following = getattr(improvement, name)
    return [message % {"date": _day(following)}] if following is not None and value > following else []
