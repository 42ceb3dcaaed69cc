"""Loading a new version of a criteria file into the set it already is: shown criterion by criterion first.

A standard's file changes (a criterion reworded, one added, one dropped). Loading the new version compares it with
the set stored under the same code, criterion by criterion (``reload_plan``): criteria added, criteria whose text,
group, areas or automatic evidence change, criteria the file no longer has. Those a reviewer judged (verdicts,
self-assessments) or that manual evidence is linked to are what a certifier has read: changing one changes what
that judgement was about, so such a reload is refused until confirmed (``ReloadNeedsConfirmation``; the CLI's
``--yes``, the sets page's tick) after seeing the list. A criterion the file no longer has is never deleted: it is
retired (``Criterion.retired_on``), leaves the checklist and keeps its verdicts and evidence; a later file that
has it again brings it back. Every change of a criterion is in the audit trail (criteria are audited), and the
reload is one row of the set's history (``core.transitions``, kind ``criteria_set``, field ``criteria``).
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core import transitions
from core.extensions import db
from core.rules import TransitionRefused
from core.timeutil import utcnow
from evidence.criteria_sets import CriteriaSetData, CriterionData
from evidence.models import CriteriaSet, Criterion, SelfAssessment, Verdict, evidence_item_criteria
from evidence.switching import SET_HISTORY_KIND

#: The field of a reload in the set's history (a switch of the set in use is ``status``).
RELOAD_FIELD = "criteria"

ADDED, CHANGED, RETIRED, RESTORED = "added", "changed", "retired", "restored"


class ReloadNeedsConfirmation(TransitionRefused):
    """The reload changes or retires criteria that verdicts, self-assessments or evidence rest on."""


@dataclass(frozen=True)
class CriterionReload:
    """What loading the file does to one criterion code."""

    code: str
    #: ``added``, ``changed``, ``retired`` or ``restored`` (a retired criterion the file has again).
    kind: str
    #: The parts that change (``text``, ``group``, ``areas``, ``evidence``, ``thresholds``), for ``changed`` and
    #: ``restored``.
    parts: tuple[str, ...] = ()
    verdicts: int = 0
    assessments: int = 0
    evidence: int = 0

    @property
    def judged(self) -> bool:
        """Whether anything a certifier reads rests on the criterion."""
        return bool(self.verdicts or self.assessments or self.evidence)

    @property
    def text(self) -> str:
        part_names = {"text": _("text"), "group": _("group"), "areas": _("suggested areas"),
                      "evidence": _("automatic evidence"), "thresholds": _("thresholds of the rule")}
        parts = ", ".join(part_names[part] for part in self.parts)
        if self.kind == ADDED:
            words = _("%(code)s is added.", code=self.code)
        elif self.kind == RETIRED:
            words = _("%(code)s is no longer in the file: it is retired (kept, out of the checklist).",
                      code=self.code)
        elif self.kind == RESTORED:
            words = _("%(code)s is in the file again: it is back in the checklist.", code=self.code)
            if parts:
                words += " " + _("Changes: %(parts)s.", parts=parts)
        else:
            words = _("%(code)s changes: %(parts)s.", code=self.code, parts=parts)
        if self.judged:
            counted = [(self.verdicts, ngettext("%(num)d verdict", "%(num)d verdicts", self.verdicts)),
                       (self.assessments, ngettext("%(num)d self-assessment", "%(num)d self-assessments",
                                                   self.assessments)),
                       (self.evidence, ngettext("%(num)d evidence item", "%(num)d evidence items", self.evidence))]
            what = ", ".join(text for count, text in counted if count)
            words += " " + _("It has %(what)s.", what=what)
        return words


@dataclass(frozen=True)
class ReloadPlan:
    criteria_set: CriteriaSet
    data: CriteriaSetData
    changes: list[CriterionReload]

    @property
    def changes_nothing(self) -> bool:
        """The file is the set as stored (the order of its criteria included)."""
        current = [criterion.code for criterion in self.criteria_set.criteria]
        return not self.changes and current == [item.code for item in self.data.criteria]

    @property
    def needs_confirmation(self) -> bool:
        """Whether the reload changes or retires a criterion that verdicts or evidence rest on."""
        return any(change.judged and change.kind in (CHANGED, RETIRED) for change in self.changes)


def _parts(criterion: Criterion, data: CriterionData) -> tuple[str, ...]:
    found = []
    if criterion.text != data.text:
        found.append("text")
    if (criterion.section or {}) != (data.group or {}):
        found.append("group")
    if (criterion.areas or {}) != (data.areas or {}):
        found.append("areas")
    if criterion.evidence_source != (data.evidence or data.code):
        found.append("evidence")
    if (criterion.thresholds or {}) != (data.thresholds or {}):
        found.append("thresholds")
    return tuple(found)


def _counts(query, ids: list[int]) -> dict[int, int]:
    return dict(db.session.execute(query.where(query.selected_columns[0].in_(ids))
                                   .group_by(query.selected_columns[0])).all()) if ids else {}


def reload_plan(criteria_set: CriteriaSet, data: CriteriaSetData) -> ReloadPlan:
    """What loading ``data`` into ``criteria_set`` (same code) changes, criterion by criterion, with what rests
    on each (four queries, whatever the number of criteria)."""
    stored = {criterion.code: criterion for criterion in criteria_set.all_criteria}
    ids = [criterion.id for criterion in stored.values()]
    verdicts = _counts(select(Verdict.criterion_id, func.count()), ids)
    assessments = _counts(select(SelfAssessment.criterion_id, func.count()), ids)
    evidence = _counts(select(evidence_item_criteria.c.criterion_id, func.count()), ids)

    def change(criterion: Criterion, kind: str, parts=()) -> CriterionReload:
        return CriterionReload(criterion.code, kind, tuple(parts), verdicts.get(criterion.id, 0),
                               assessments.get(criterion.id, 0), evidence.get(criterion.id, 0))

    changes, in_file = [], set()
    for item in data.criteria:
        in_file.add(item.code)
        criterion = stored.get(item.code)
        if criterion is None:
            changes.append(CriterionReload(item.code, ADDED))
        elif criterion.retired_on is not None:
            changes.append(change(criterion, RESTORED, _parts(criterion, item)))
        elif parts := _parts(criterion, item):
            changes.append(change(criterion, CHANGED, parts))
    changes += [change(criterion, RETIRED) for code, criterion in stored.items()
                if code not in in_file and criterion.retired_on is None]
    return ReloadPlan(criteria_set, data, changes)


def apply_reload(plan: ReloadPlan, *, actor, reason: str | None, confirmed: bool = False,
                 source: str | None = None) -> None:
    """Load the file: add, update, retire and bring back criteria as ``plan`` says, and keep the reload in the
    set's history. Refused (``ReloadNeedsConfirmation``) when it changes or retires judged criteria and is not
    ``confirmed``; a reload that changes nothing writes nothing."""
    if plan.changes_nothing:
        return
    if plan.needs_confirmation and not confirmed:
        raise ReloadNeedsConfirmation(_("This file changes or retires criteria that verdicts or evidence rest on: "
                                        "see what it changes first, and confirm."))
    criteria_set, data = plan.criteria_set, plan.data
    stored = {criterion.code: criterion for criterion in criteria_set.all_criteria}
    today = utcnow().date()
    before = len(criteria_set.criteria)
    for position, item in enumerate(data.criteria, start=1):
        criterion = stored.get(item.code)
        if criterion is None:
            criterion = Criterion(set_id=criteria_set.id, code=item.code)
            db.session.add(criterion)
        criterion.position, criterion.text = position, item.text
        criterion.section, criterion.areas = item.group or None, item.areas or None
        criterion.evidence_source, criterion.retired_on = item.evidence or item.code, None
        criterion.thresholds = item.thresholds or None
    in_file = {item.code for item in data.criteria}
    for code, criterion in stored.items():
        if code not in in_file and criterion.retired_on is None:
            criterion.retired_on = today
    criteria_set.name, criteria_set.description = data.name, data.description or None
    if source:
        criteria_set.source = source
    db.session.flush()
    db.session.expire(criteria_set, ["criteria", "all_criteria"])
    if plan.changes:
        summary = " ".join(change.text for change in plan.changes)
        why = (reason or "").strip()
        transitions.record_transition(SET_HISTORY_KIND, criteria_set.id, field=RELOAD_FIELD,
                                      from_value=str(before), to_value=str(len(criteria_set.criteria)),
                                      actor=actor, reason=f"{why} — {summary}" if why else summary)


def reload_history(criteria_set: CriteriaSet | None = None) -> list[transitions.StateChange]:
    """The reloads of the sets' files (of one set, or all), oldest first, with who made them (one query)."""
    query = (select(transitions.StateChange).options(joinedload(transitions.StateChange.actor))
             .where(transitions.StateChange.record_kind == SET_HISTORY_KIND,
                    transitions.StateChange.field == RELOAD_FIELD)
             .order_by(transitions.StateChange.at, transitions.StateChange.id))
    if criteria_set is not None:
        query = query.where(transitions.StateChange.record_id == criteria_set.id)
    return list(db.session.scalars(query))
