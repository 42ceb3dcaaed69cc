"""Evidence of results (C2) and of the change in the way of operating (C3) for one improvement."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from core.files import DOCUMENTS, Owner, store_upload
from core.models import User
from improvements import dates
from improvements.models import (
    AffectedPerson,
    ChangedStage,
    Evidence,
    Improvement,
    ProcessChange,
    Training,
    TrainingAttendee,
)
from improvements.services import ImprovementRuleError
from processes.models import ProcessStage, Revision
from processes.services import may_edit_process


def record_after(improvement: Improvement, value: float, period: date | None) -> None:
    """The result after the change, entered by hand (a linked indicator's measurements take precedence)."""
    improvement.after_value = value
    improvement.after_period = period
    db.session.flush()


def add_evidence(improvement: Improvement, data: dict, upload=None, *, actor) -> Evidence:
    """Client evidence: values before/after, a finding in words, a file, and whether clients value the change."""
    stored = store_upload(upload, owner=Owner.IMPROVEMENT_EVIDENCE, accept=DOCUMENTS, actor=actor) \
        if upload is not None and getattr(upload, "filename", None) else None
    if stored is None and data.get("before_value") is None and data.get("after_value") is None \
            and not (data.get("finding") or "").strip():
        raise ImprovementRuleError(_("Give the values before and after, a finding or a file: evidence needs one."))
    evidence = Evidence(kind=data["kind"], title=data["title"].strip(), before_value=data.get("before_value"),
                        after_value=data.get("after_value"), higher_is_better=bool(data.get("higher_is_better")),
                        finding=(data.get("finding") or "").strip() or None,
                        favourable=bool(data.get("favourable")), file=stored,
                        recorded_on=data.get("recorded_on") or date.today())
    improvement.evidence.append(evidence)
    db.session.flush()
    return evidence


def revisions_of(process_id: int) -> list[Revision]:
    return list(db.session.scalars(select(Revision).where(Revision.process_id == process_id)
                                   .order_by(Revision.number.desc())))


def stages_of(process_id: int) -> list[ProcessStage]:
    return list(db.session.scalars(select(ProcessStage).where(ProcessStage.process_id == process_id)
                                   .order_by(ProcessStage.position, ProcessStage.id)))


def may_link_revision(user, revision: Revision) -> bool:
    """Whether ``user`` may say which improvement caused a process revision: whoever may change the process.

    Linking writes the revision's ``improvement_id``, part of the process's own history, and a revision
    links to one improvement only: a group member who may not edit the process could otherwise claim
    another owner's revision for their group and leave the rightful group unable to link it. The people
    who may edit the process are those who made its revisions (only they can change the sheet or the
    diagram), so they know which improvement caused each one. The revision's author is not the rule: the
    author may since have left the group or the process, and revisions made by a coordinator on the
    owner's behalf should still be the owner's to link."""
    return may_edit_process(user, revision.process)


def add_process_change(improvement: Improvement, process_id: int, description: str, *,
                       revision_id: int | None, stage_ids, actor) -> ProcessChange:
    """Record that the improvement changed a process: the sheet revision it caused (now pointing back to
    the improvement, when ``actor`` may link it) and the diagram stages it touched."""
    revision = db.session.get(Revision, revision_id) if revision_id else None
    if revision_id and (revision is None or revision.process_id != process_id):
        raise ImprovementRuleError(_("The revision chosen is not a revision of this process."))
    if revision is not None and revision.improvement_id not in (None, improvement.id):
        raise ImprovementRuleError(_("Revision %(n)d is already linked to another improvement.", n=revision.number))
    if revision is not None and revision.improvement_id is None and not may_link_revision(actor, revision):
        raise ImprovementRuleError(_("Only the owner of %(process)s or a coordinator can link its revisions to an "
                                     "improvement: record the change without a revision, or ask them to link it.",
                                     process=revision.process.code))
    stage_ids = {int(i) for i in stage_ids or []}
    valid = {stage.id for stage in stages_of(process_id)}
    if stage_ids - valid:
        raise ImprovementRuleError(_("A stage chosen is not a stage of this process's diagram."))
    change = ProcessChange(process_id=process_id, revision=revision, description=description.strip())
    improvement.process_changes.append(change)
    if revision is not None:
        revision.improvement_id = improvement.id
    db.session.flush()
    db.session.add_all(ChangedStage(change_id=change.id, stage_id=stage_id) for stage_id in sorted(stage_ids))
    db.session.flush()
    db.session.expire(change, ["stages"])
    return change


def add_affected(improvement: Improvement, user_id: int, how: str) -> AffectedPerson:
    if any(person.user_id == user_id for person in improvement.affected):
        raise ImprovementRuleError(_("This person is already listed as affected."))
    person = AffectedPerson(user_id=user_id, how=how.strip())
    improvement.affected.append(person)
    db.session.flush()
    return person


def add_training(improvement: Improvement, data: dict, attendee_ids, upload=None, *, actor,
                 today: date | None = None) -> Training:
    """A session where people were informed or trained on the change: date (not in the future, not before the
    change was approved), attendees, material."""
    if problems := dates.problems("trained", data.get("held_on"), today=today or date.today(),
                                  improvement=improvement):
        raise ImprovementRuleError(*problems, field="held_on")
    ids = sorted({int(i) for i in attendee_ids or []})
    if not ids:
        raise ImprovementRuleError(_("Choose who attended."))
    known = set(db.session.scalars(select(User.id).where(User.id.in_(ids))))
    if set(ids) - known:
        raise ImprovementRuleError(_("One of the attendees is not a known person."))
    stored = store_upload(upload, owner=Owner.TRAINING_MATERIAL, accept=DOCUMENTS, actor=actor) \
        if upload is not None and getattr(upload, "filename", None) else None
    training = Training(held_on=data["held_on"], is_training=bool(data.get("is_training")),
                        topic=data["topic"].strip(), material=(data.get("material") or "").strip() or None,
                        material_file=stored)
    improvement.trainings.append(training)
    db.session.flush()
    db.session.add_all(TrainingAttendee(training_id=training.id, user_id=user_id) for user_id in ids)
    db.session.flush()
    db.session.expire(training, ["attendees"])
    return training


def knowledge_holders(improvement: Improvement) -> list:
    """The people who hold the know-how of the stages the improvement changed (C3), each once."""
    found = {}
    for change in improvement.process_changes:
        for stage in change.stages:
            for holder in stage.knowledge_holders:
                found.setdefault(holder.user_id, (holder.user, []))[1].append(stage.name)
    return sorted(found.values(), key=lambda pair: pair[0].name)
