"""Two-factor sign-in: a person's TOTP secret and their single-use recovery codes."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited, label
from core.extensions import db
from core.timeutil import utcnow


class TwoFactorCredential(Audited, db.Model):
    """The authenticator app a person set up: its shared secret, and whether they proved it works.

    A row without ``confirmed_at`` is an enrolment in progress (the QR code was shown, no code typed
    yet): it asks nothing at sign-in. Turning two-factor off, or an administrator's reset, deletes the row.
    """

    __tablename__ = "two_factor_credentials"
    __audit_label__ = _l("Two-factor sign-in")
    __audit_secret__ = frozenset({"secret"})
    # Written at every sign-in with a code; a sign-in is not a change to the data.
    __audit_skip__ = frozenset({"last_step"})

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, info=label(_l("User")))
    #: The RFC 6238 shared secret (base32). Needed in clear to check codes: only the database holds it.
    secret: Mapped[str] = mapped_column(String(64), info=label(_l("Secret")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, info=label(_l("Set up")))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime, info=label(_l("Confirmed")))
    #: The 30-second time step of the last code accepted: no code of that step or an earlier one is taken again.
    last_step: Mapped[int | None] = mapped_column(BigInteger)
    recovery_codes_issued_at: Mapped[datetime | None] = mapped_column(
        DateTime, info=label(_l("Recovery codes issued")))
    recovery_code_used_at: Mapped[datetime | None] = mapped_column(
        DateTime, info=label(_l("Recovery code last used")))

    #: Joined: the audit trail names the record by its person inside the flush, where nothing may be lazy-loaded.
    user = relationship("User", lazy="joined")

    def __str__(self) -> str:
        return str(self.user) if self.user is not None else str(self.user_id)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(db.Model):
    """One single-use code that stands in for the authenticator app (a lost phone). Only its hash is kept.

    Not audited: the trail records when a set was issued and when one was used, on the credential."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: ``salt$sha256(salt + code)`` in hex: the codes are random (60 bits), so a fast salted hash suffices.
    code_hash: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
