"""Improvement groups: who may change a group's work, members, processes and meetings."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from core.access import COORDINATORS
from core.extensions import db
from core.models import Role, User
from core.rules import RuleError
from core.versioning import ensure_current
from improvements import dates
from improvements.models import (
    Group,
    GroupMember,
    GroupProcess,
    Improvement,
    Meeting,
    MeetingAttendee,
    Task,
    TaskStatus,
)


class ImprovementRuleError(RuleError):
    """A change the improvement rules refuse; the message says why."""


def is_coordinator(user) -> bool:
    return user.role in COORDINATORS


def may_edit_group(user, group: Group | None) -> bool:
    """Coordinators change every group's work; members and the facilitator change their own group's."""
    if is_coordinator(user):
        return True
    if group is None or not getattr(user, "is_authenticated", True) or user.role == Role.REVIEWER:
        return False
    return group.facilitator_id == user.id or any(m.user_id == user.id for m in group.members)


def _people(ids) -> dict[int, User]:
    ids = [int(i) for i in ids or [] if i]
    found = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    if set(ids) - set(found):
        raise ImprovementRuleError(_("One of the people chosen is not a known person."))
    return found


def save_group(group: Group | None, data: dict, *, version=None) -> Group:
    """Create a group or change its name, purpose, facilitator and processes (refusing a stale form)."""
    if group is None:
        group = Group()
        db.session.add(group)
    else:
        ensure_current(group, version)
    group.name = data["name"].strip()
    group.purpose = (data.get("purpose") or "").strip() or None
    group.facilitator_id = data.get("facilitator_id") or None
    db.session.flush()
    if "process_ids" in data:
        set_processes(group, data["process_ids"] or [])
    return group


def set_processes(group: Group, process_ids) -> None:
    """The processes the group works on, exactly these (each link audited)."""
    wanted = {int(i) for i in process_ids}
    current = {link.process_id: link for link in
               db.session.scalars(select(GroupProcess).where(GroupProcess.group_id == group.id))}
    for process_id, link in current.items():
        if process_id not in wanted:
            db.session.delete(link)
    for process_id in wanted - set(current):
        db.session.add(GroupProcess(group_id=group.id, process_id=process_id))
    db.session.flush()
    db.session.expire(group, ["processes"])


def add_member(group: Group, user_id: int, role: str) -> GroupMember:
    if any(m.user_id == user_id for m in group.members):
        raise ImprovementRuleError(_("This person is already a member of the group."))
    _people([user_id])
    member = GroupMember(user_id=user_id, role=role.strip())
    group.members.append(member)
    db.session.flush()
    return member


def open_tasks_of(group: Group, user_id: int) -> list[Task]:
    """The person's unfinished tasks in the group's improvements."""
    query = (select(Task).join(Improvement).where(Improvement.group_id == group.id, Task.owner_id == user_id,
                                                  Task.status.in_((TaskStatus.TODO, TaskStatus.DOING)))
             .order_by(Task.due_on, Task.id))
    return list(db.session.scalars(query))


class MemberHasTasks(Exception):
    """Removing the member would orphan their tasks: the person removing them must say what to do."""

    def __init__(self, member: GroupMember, tasks: list[Task]):
        super().__init__(f"{member} has {len(tasks)} open tasks")
        self.member = member
        self.tasks = tasks


def remove_member(group: Group, member: GroupMember, *, reassign_to: int | None = None,
                  unassign: bool = False) -> int:
    """Take a person out of the group; their open tasks go to ``reassign_to`` or to nobody, as asked.

    Without an answer and with open tasks, raise ``MemberHasTasks``. Returns how many tasks moved."""
    tasks = open_tasks_of(group, member.user_id)
    if tasks and not reassign_to and not unassign:
        raise MemberHasTasks(member, tasks)
    if reassign_to and not any(m.user_id == reassign_to and m is not member for m in group.members):
        raise ImprovementRuleError(_("Tasks can only be handed to another member of the group."))
    for task in tasks:
        task.owner_id = reassign_to if reassign_to else None
    group.members.remove(member)
    db.session.flush()
    return len(tasks)


def add_meeting(group: Group, held_on: date, attendee_ids, minutes: str | None, decisions: str | None, *,
                today: date | None = None) -> Meeting:
    """Record a meeting held (not one to come) with its attendees, minutes and decisions."""
    if problems := dates.problems("met", held_on, today=today or date.today()):
        raise ImprovementRuleError(*problems, field="held_on")
    people = _people(attendee_ids)
    meeting = Meeting(held_on=held_on, minutes=(minutes or "").strip() or None,
                      decisions=(decisions or "").strip() or None)
    group.meetings.append(meeting)
    db.session.flush()
    db.session.add_all(MeetingAttendee(meeting_id=meeting.id, user_id=user_id) for user_id in people)
    db.session.flush()
    db.session.expire(meeting, ["attendees"])
    return meeting
