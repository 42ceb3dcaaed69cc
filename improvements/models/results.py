"""Client evidence of an improvement's result (C2): values before and after, findings, files."""

import enum
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited, label, value_labels
from core.extensions import db
from core.models import stored_enum


class EvidenceKind(enum.StrEnum):
    """Kinds of client evidence C2 asks for, and a free file."""

    SURVEY = "survey"
    FOCUS_GROUP = "focus_group"
    COMPLAINTS = "complaints"
    RESPONSE_TIME = "response_time"
    OTHER = "other"


#: Kinds whose values are better when lower whatever the form said: fewer complaints, shorter answers.
LOWER_IS_BETTER = (EvidenceKind.COMPLAINTS, EvidenceKind.RESPONSE_TIME)


def moved_the_good_way(before: float | None, after: float | None, higher_is_better: bool) -> bool | None:
    """Whether a value moved the way that is better (None without both values; no change is not better)."""
    if before is None or after is None:
        return None
    return after > before if higher_is_better else after < before


EVIDENCE_LABELS = value_labels({
    EvidenceKind.SURVEY: _l("Survey result"),
    EvidenceKind.FOCUS_GROUP: _l("Focus-group finding"),
    EvidenceKind.COMPLAINTS: _l("Complaint count"),
    EvidenceKind.RESPONSE_TIME: _l("Response time"),
    EvidenceKind.OTHER: _l("Other evidence"),
})


class Evidence(Audited, db.Model):
    """Client evidence of an improvement (C2): a value before and after, a finding, or a file."""

    __tablename__ = "improvement_evidence"
    __audit_parent__ = "improvement_id"
    __audit_label__ = _l("Improvement evidence")

    id: Mapped[int] = mapped_column(primary_key=True)
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvements.id"), index=True,
                                                info=label(_l("Improvement")))
    kind: Mapped[EvidenceKind] = mapped_column(stored_enum(EvidenceKind), info=label(_l("Kind")))
    title: Mapped[str] = mapped_column(String(200), info=label(_l("Title")))
    before_value: Mapped[float | None] = mapped_column(Float, info=label(_l("Before")))
    after_value: Mapped[float | None] = mapped_column(Float, info=label(_l("After")))
    #: For counts and times fewer is better; for survey results more is.
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True, info=label(_l("Higher is better")))
    finding: Mapped[str | None] = mapped_column(Text, info=label(_l("Finding")))
    #: Whether clients understood and valued the change (C2), in the group's reading of the evidence.
    favourable: Mapped[bool] = mapped_column(Boolean, default=False,
                                             info=label(_l("Clients value the improvement")))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"), info=label(_l("File")))
    recorded_on: Mapped[date] = mapped_column(Date, default=date.today, info=label(_l("Recorded on")))

    improvement = relationship("Improvement", back_populates="evidence")
    file = relationship("StoredFile")

    def __str__(self) -> str:
        return self.title

    @property
    def better_higher(self) -> bool:
        """The direction the values are read in: complaint counts and response times are always better lower
        (a form left at "higher is better" must not turn 38 → 17 complaints into a bad result)."""
        return False if self.kind in LOWER_IS_BETTER else self.higher_is_better

    @property
    def reads_favourable(self) -> bool:
        """Whether this evidence shows clients valuing the change (C2): the values when both were recorded,
        so the figures and the verdict cannot contradict each other; otherwise the group's reading."""
        moved = moved_the_good_way(self.before_value, self.after_value, self.better_higher)
        return bool(self.favourable) if moved is None else moved
