"""Two-factor sign-in (a person's TOTP secret and their single-use recovery codes) and personal API tokens."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited, label
from core.extensions import db
from core.models import stored_enum
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


class TokenScope(enum.StrEnum):
    """What an API token may do: ``read`` only reads; ``write`` also changes what its holder's role may change."""

    READ = "read"
    WRITE = "write"


class ApiToken(Audited, db.Model):
    """A personal API token (``Authorization: Bearer …``): its holder's role, narrowed to its scope, until it
    expires or is revoked. Only a hash of the secret is kept; the secret is shown once, when it is created.

    Never deleted: the trail records who created and who revoked it."""

    __tablename__ = "api_tokens"
    __audit_label__ = _l("API token")
    __audit_secret__ = frozenset({"secret_hash"})
    # Written as the token is used (at most once a minute): a use is not a change to the data.
    __audit_skip__ = frozenset({"last_used_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, info=label(_l("Holder")))
    name: Mapped[str] = mapped_column(String(120), info=label(_l("Name")))
    scope: Mapped[TokenScope] = mapped_column(stored_enum(TokenScope), info=label(_l("Scope")))
    #: SHA-256 of the secret, in hex. The secret is 256 random bits, so no password hash (salt, slow rounds) is
    #: needed: nobody can guess it, and a fast hash lets each request find its token by one index seek.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True, info=label(_l("Secret")))
    #: The first characters of the secret, to tell tokens apart on the pages (never enough to use it).
    prefix: Mapped[str] = mapped_column(String(12), info=label(_l("Starts with")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, info=label(_l("Created")))
    expires_at: Mapped[datetime] = mapped_column(DateTime, info=label(_l("Expires")))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, info=label(_l("Revoked")))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Revoked by")))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)

    #: Joined: the trail names the token by its holder inside the flush, where nothing may be lazy-loaded.
    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def may_write(self) -> bool:
        return self.scope == TokenScope.WRITE

    def live(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
