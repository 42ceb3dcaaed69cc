"""The change an improvement caused in the way of operating (C3): process revisions, stages touched, and
the people informed and trained."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited, label
from core.extensions import db


class ProcessChange(Audited, db.Model):
    """A process an improvement changed (C3): the sheet revision it caused and the diagram stages touched."""

    __tablename__ = "improvement_process_changes"
    __audit_parent__ = "improvement_id"
    __audit_label__ = _l("Change in the way of operating")

    id: Mapped[int] = mapped_column(primary_key=True)
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvements.id"), index=True,
                                                info=label(_l("Improvement")))
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True, info=label(_l("Process")))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("process_revisions.id"), index=True,
                                                    info=label(_l("Process revision")))
    description: Mapped[str] = mapped_column(Text, info=label(_l("What changed")))

    improvement = relationship("Improvement", back_populates="process_changes")
    process = relationship("Process")
    revision = relationship("Revision")
    stages = relationship("ProcessStage", secondary="improvement_changed_stages", order_by="ProcessStage.position",
                          viewonly=True)

    def __str__(self) -> str:
        return self.description[:80]


class ChangedStage(Audited, db.Model):
    __tablename__ = "improvement_changed_stages"
    __audit_name__ = _l("%(stage_id)s in %(change_id)s")
    __audit_label__ = _l("Changed diagram stage")
    __table_args__ = (UniqueConstraint("change_id", "stage_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("improvement_process_changes.id"), index=True,
                                           info=label(_l("Change in the way of operating")))
    stage_id: Mapped[int] = mapped_column(ForeignKey("process_stages.id"), index=True,
                                          info=label(_l("Diagram stage")))

    def __str__(self) -> str:
        return f"{self.change_id}/{self.stage_id}"


class AffectedPerson(Audited, db.Model):
    """Someone whose work the improvement changes (C3), and how."""

    __tablename__ = "improvement_affected_people"
    __audit_parent__ = "improvement_id"
    __audit_label__ = _l("Person affected")
    __table_args__ = (UniqueConstraint("improvement_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvements.id"), index=True,
                                                info=label(_l("Improvement")))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, info=label(_l("Person")))
    how: Mapped[str] = mapped_column(String(300), info=label(_l("How their work changes")))

    improvement = relationship("Improvement", back_populates="affected")
    user = relationship("User")

    def __str__(self) -> str:
        return f"{self.user}: {self.how}"


class Training(Audited, db.Model):
    """A session where people were informed of, or trained on, the change (C3): when, who, with what."""

    __tablename__ = "improvement_trainings"
    __audit_parent__ = "improvement_id"
    __audit_label__ = _l("Information or training session")

    id: Mapped[int] = mapped_column(primary_key=True)
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvements.id"), index=True,
                                                info=label(_l("Improvement")))
    held_on: Mapped[date] = mapped_column(Date, info=label(_l("Date")))
    #: True for training; False when people were only informed.
    is_training: Mapped[bool] = mapped_column(Boolean, default=True, info=label(_l("Training")))
    topic: Mapped[str] = mapped_column(String(300), info=label(_l("Topic")))
    material: Mapped[str | None] = mapped_column(Text, info=label(_l("Material")))
    material_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"),
                                                         info=label(_l("Material file")))

    improvement = relationship("Improvement", back_populates="trainings")
    material_file = relationship("StoredFile")
    attendees = relationship("User", secondary="improvement_training_attendees", order_by="User.name",
                             viewonly=True)

    def __str__(self) -> str:
        return self.topic


class TrainingAttendee(Audited, db.Model):
    __tablename__ = "improvement_training_attendees"
    __audit_name__ = _l("%(user_id)s at %(training_id)s")
    __audit_label__ = _l("Training attendee")
    __table_args__ = (UniqueConstraint("training_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("improvement_trainings.id"), index=True,
                                             info=label(_l("Information or training session")))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, info=label(_l("Person")))

    def __str__(self) -> str:
        return f"{self.training_id}/{self.user_id}"
