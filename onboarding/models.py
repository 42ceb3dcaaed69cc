"""What the setup remembers: the steps a coordinator chose to skip (a step's being done is read from the data)."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited, label
from core.extensions import db
from core.timeutil import utcnow


class SkippedStep(Audited, db.Model):
    """A setup step left for later: the setup no longer asks for it until someone resumes it."""

    __tablename__ = "setup_skipped_steps"
    __audit_label__ = _l("Skipped setup step")

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The step's key in ``onboarding.services.STEPS``.
    step: Mapped[str] = mapped_column(String(30), unique=True, info=label(_l("Step")))
    skipped_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, info=label(_l("Skipped on")))
    skipped_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Skipped by")))

    skipped_by = relationship("User")

    def __str__(self) -> str:
        return self.step
