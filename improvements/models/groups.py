"""Improvement groups (C1): who sits in them, which processes they look after, and their meetings."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited, label
from core.extensions import db
from core.i18n import day
from core.timeutil import utcnow
from core.versioning import Versioned


class Group(Audited, Versioned, db.Model):
    """An improvement group: people who turn opportunities into SMART improvements for some processes."""

    __tablename__ = "improvement_groups"
    __record_page__ = "improvements.group_detail"
    __audit_label__ = _l("Improvement group")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, info=label(_l("Name")))
    purpose: Mapped[str | None] = mapped_column(Text, info=label(_l("Purpose")))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True,
                                                       info=label(_l("Facilitator")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    facilitator = relationship("User")
    members = relationship("GroupMember", back_populates="group", cascade="all, delete-orphan",
                           order_by="GroupMember.id")
    processes = relationship("Process", secondary="improvement_group_processes", order_by="Process.code",
                             viewonly=True)
    meetings = relationship("Meeting", back_populates="group", cascade="all, delete-orphan",
                            order_by="Meeting.held_on.desc()")

    def __str__(self) -> str:
        return self.name


class GroupMember(Audited, db.Model):
    """A person in a group, with their role in it (facilitator, secretary, member, expert…)."""

    __tablename__ = "improvement_group_members"
    __audit_name__ = _l("%(user_id)s in %(group_id)s")
    __audit_parent__ = "group_id"
    __audit_label__ = _l("Group member")
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("improvement_groups.id"), index=True,
                                          info=label(_l("Improvement group")))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, info=label(_l("Person")))
    role: Mapped[str] = mapped_column(String(120), info=label(_l("Role in the group")))

    group = relationship("Group", back_populates="members")
    user = relationship("User")

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class GroupProcess(Audited, db.Model):
    """A process an improvement group works on."""

    __tablename__ = "improvement_group_processes"
    __audit_name__ = _l("%(process_id)s in %(group_id)s")
    __audit_parent__ = "group_id"
    __audit_label__ = _l("Process of a group")
    __table_args__ = (UniqueConstraint("group_id", "process_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("improvement_groups.id"), index=True,
                                          info=label(_l("Improvement group")))
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True, info=label(_l("Process")))

    def __str__(self) -> str:
        return f"{self.group_id}/{self.process_id}"


class Meeting(Audited, db.Model):
    """A meeting of a group: who came, the minutes and what was decided."""

    __tablename__ = "improvement_meetings"
    __audit_parent__ = "group_id"
    __audit_label__ = _l("Group meeting")

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("improvement_groups.id"), index=True,
                                          info=label(_l("Improvement group")))
    held_on: Mapped[date] = mapped_column(Date, info=label(_l("Date")))
    minutes: Mapped[str | None] = mapped_column(Text, info=label(_l("Minutes")))
    decisions: Mapped[str | None] = mapped_column(Text, info=label(_l("Decisions")))

    group = relationship("Group", back_populates="meetings")
    attendees = relationship("User", secondary="improvement_meeting_attendees", order_by="User.name", viewonly=True)

    def __str__(self) -> str:
        return f"{self.group.name if self.group else ''} {day(self.held_on)}"


class MeetingAttendee(Audited, db.Model):
    __tablename__ = "improvement_meeting_attendees"
    __audit_name__ = _l("%(user_id)s at %(meeting_id)s")
    __audit_label__ = _l("Meeting attendee")
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("improvement_meetings.id"), index=True,
                                            info=label(_l("Group meeting")))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, info=label(_l("Person")))

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.user_id}"
