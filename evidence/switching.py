"""Switching the criteria set the organisation certifies against: shown first, criterion by criterion.

The checklist, the pack and the readiness follow the set in use; switching moves every criterion at once:
those of the new set start with their own automatic status, those only in the old one leave the checklist (their
self-assessments and verdicts stay with the old set), and those in both may read another automatic source. The
page shows that before anything changes (``switch_consequences``), the switch always waits for confirmation
with a reason (it may undo what the reviewer judged), and each switch is one row of the sets' history
(``core.transitions``, kind ``criteria_set``, on the set chosen).
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core import transitions
from core.extensions import db
from core.findings import Status
from core.rules import TransitionRefused
from evidence import services
from evidence.criteria_sets import current_set
from evidence.models import CriteriaSet

#: The kind of record of a criteria set in the state-change history.
SET_HISTORY_KIND = "criteria_set"
_RANK = {Status.MISSING: 0, Status.PARTLY: 1, Status.MET: 2}


@dataclass(frozen=True)
class CriterionSwitch:
    """One criterion code across the switch: its automatic status in the set in use and in the one chosen (None
    where the set has no criterion of that code), and whether anyone judged it in the set in use."""

    code: str
    before: Status | None
    after: Status | None
    judged: bool

    @property
    def lowered(self) -> bool:
        if self.before is None:
            return False
        return self.after is None or _RANK[self.after] < _RANK[self.before]

    @property
    def text(self) -> str:
        if self.after is None:
            words = _("%(code)s (%(before)s) leaves the checklist.", code=self.code, before=self.before.label)
            if self.judged:
                words += " " + _("Its self-assessment and verdict stay with the old set and no longer count.")
            return words
        if self.before is None:
            return _("%(code)s joins the checklist: %(after)s, with no self-assessment or verdict yet.",
                     code=self.code, after=self.after.label)
        return _("%(code)s: %(before)s → %(after)s.", code=self.code, before=self.before.label,
                 after=self.after.label) + (" " + _("Its self-assessment and verdict stay with the old set.")
                                            if self.judged else "")


def _statuses(criteria_set: CriteriaSet) -> tuple[dict, set]:
    rows = services.checklist(criteria_set)
    return ({row.criterion.code: row.finding.status for row in rows},
            {row.criterion.code for row in rows if row.self_assessment or row.verdict})


def switch_consequences(chosen: CriteriaSet) -> list[CriterionSwitch]:
    """What switching to ``chosen`` changes, criterion by criterion (those whose status stays and that nobody
    judged are left out), in the order of the old set then the new criteria."""
    in_use = current_set()
    if in_use is None or in_use.id == chosen.id:
        return []
    before, judged = _statuses(in_use)
    after, _judged_after = _statuses(chosen)
    codes = list(before) + [code for code in after if code not in before]
    changes = [CriterionSwitch(code, before.get(code), after.get(code), code in judged)
               for code in codes]
    return [c for c in changes if c.before != c.after or c.judged]


def use_set(chosen: CriteriaSet, *, actor, reason: str | None, confirmed: bool = False) -> None:
    """Make ``chosen`` the set in use. Always confirmed first (``transitions.ConfirmationNeeded``), with a reason;
    kept in the sets' history."""
    in_use = current_set()
    if in_use is not None and in_use.id == chosen.id and chosen.is_current:
        raise TransitionRefused(_("“%(code)s” is the set in use already.", code=chosen.code))
    transitions.confirm_or_refuse(lambda: None, confirmed=confirmed, always=True)
    reason = transitions.require_reason(reason, _("Say why the checklist changes to another criteria set."))
    for criteria_set in db.session.scalars(select(CriteriaSet)):
        criteria_set.is_current = criteria_set.id == chosen.id
    db.session.flush()
    transitions.record_transition(SET_HISTORY_KIND, chosen.id, from_value=in_use.code if in_use else None,
                                  to_value=chosen.code, actor=actor, reason=reason)


def switch_history() -> list[transitions.StateChange]:
    """Every switch of the set in use, oldest first (one query); the reloads of a set's file are
    ``evidence.reload.reload_history``."""
    query = (select(transitions.StateChange).options(joinedload(transitions.StateChange.actor))
             .where(transitions.StateChange.record_kind == SET_HISTORY_KIND,
                    transitions.StateChange.field == transitions.STATUS)
             .order_by(transitions.StateChange.at, transitions.StateChange.id))
    return list(db.session.scalars(query))
