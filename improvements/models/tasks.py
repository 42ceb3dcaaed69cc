"""The actions an improvement is carried out by, with owners and due dates."""

import enum
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited, label, value_labels
from core.extensions import db
from core.models import stored_enum
from core.versioning import Versioned


class TaskStatus(enum.StrEnum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"
    CANCELLED = "cancelled"


TASK_STATUS_LABELS = value_labels({
    TaskStatus.TODO: _l("To do"),
    TaskStatus.DOING: _l("Doing"),
    TaskStatus.DONE: _l("Done"),
    TaskStatus.CANCELLED: _l("Cancelled"),
})


class Task(Audited, Versioned, db.Model):
    """A task of an improvement's action plan: who does it, by when, and how far it is."""

    __tablename__ = "improvement_tasks"
    __audit_parent__ = "improvement_id"
    __audit_label__ = _l("Improvement task")

    id: Mapped[int] = mapped_column(primary_key=True)
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvements.id"), index=True,
                                                info=label(_l("Improvement")))
    title: Mapped[str] = mapped_column(String(300), info=label(_l("Task")))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True, info=label(_l("Owner")))
    due_on: Mapped[date] = mapped_column(Date, index=True, info=label(_l("Due date")))
    status: Mapped[TaskStatus] = mapped_column(stored_enum(TaskStatus), default=TaskStatus.TODO, index=True,
                                               info=label(_l("Status")))
    done_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Done on")))

    improvement = relationship("Improvement", back_populates="tasks")
    owner = relationship("User")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (TaskStatus.TODO, TaskStatus.DOING)

    def overdue(self, today: date) -> bool:
        return self.is_open and self.due_on < today
