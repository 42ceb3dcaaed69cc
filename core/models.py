"""Accounts, roles and the organisation that runs the programme."""

import enum
import secrets
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, DateTime, Enum, ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.audit import Audited, label
from core.extensions import db
from core.timeutil import utcnow
from core.versioning import Versioned


def stored_enum(enum_class) -> Enum:
    """A column type keeping an enum as its lowercase value in a plain string column, on every database
    (no native ENUM type, so adding a member needs no migration of the type)."""
    return Enum(enum_class, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])

class Role(enum.StrEnum):
    """What a person does in the programme; the access policy grants by role."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    MEMBER = "member"
    REVIEWER = "reviewer"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.COORDINATOR: _l("Quality coordinator"),
    Role.MEMBER: _l("Improvement team member"),
    Role.REVIEWER: _l("Certification reviewer"),
}


def new_login_token() -> str:
    return secrets.token_urlsafe(16)


class User(Audited, Versioned, UserMixin, db.Model):
    """A person with an account. Never deleted: the audit trail and the evidence refer to them."""

    __tablename__ = "users"
    __record_page__ = "accounts.edit_user"
    __audit_label__ = _l("User")
    __audit_secret__ = frozenset({"password_hash", "login_token"})
    # Sign-ins are not changes to the data; the user list shows the last one.
    __audit_skip__ = frozenset({"created_at", "last_login_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, info=label(_l("E-mail")))
    name: Mapped[str] = mapped_column(String(120), info=label(_l("Name")))
    role: Mapped[Role] = mapped_column(stored_enum(Role), info=label(_l("Role")))
    password_hash: Mapped[str] = mapped_column(String(256), info=label(_l("Password")))
    #: Part of the session identifier: replacing it signs the user out everywhere.
    login_token: Mapped[str] = mapped_column(String(32), default=new_login_token, info=label(_l("Sessions")))
    #: Interface language chosen by the user; empty means "follow the browser".
    language: Mapped[str | None] = mapped_column(String(5), info=label(_l("Language")))
    active: Mapped[bool] = mapped_column(Boolean, default=True, info=label(_l("Active")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to sign in inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.login_token}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.login_token = new_login_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @classmethod
    def by_email(cls, email: str) -> "User | None":
        """Look a user up by e-mail, ignoring case and surrounding spaces."""
        normalised = (email or "").strip().lower()
        return db.session.scalar(select(cls).where(func.lower(cls.email) == normalised))


class Organisation(Audited, Versioned, db.Model):
    """The organisation running the loyalty programme: named on every page and on the evidence pack."""

    __tablename__ = "organisations"
    __audit_label__ = _l("Organisation")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), info=label(_l("Name")))
    #: What the organisation is, in a line, for the cover of the evidence pack.
    description: Mapped[str | None] = mapped_column(String(500), info=label(_l("Description")))
    sector: Mapped[str | None] = mapped_column(String(120), info=label(_l("Sector")))
    country: Mapped[str | None] = mapped_column(String(80), info=label(_l("Country")))
    #: The IANA zone every time is shown in (``Europe/Madrid``); none: the installation's BABEL_DEFAULT_TIMEZONE.
    #: Stored times stay UTC.
    time_zone: Mapped[str | None] = mapped_column(String(64), info=label(_l("Time zone")))
    #: The current logo; earlier ones stay stored (the trail refers to them).
    logo_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"), info=label(_l("Logo")))

    logo = relationship("StoredFile")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> "Organisation | None":
        """The single organisation of this installation, if it has been set up."""
        return db.session.scalar(select(cls).order_by(cls.id).limit(1))


class DigestRun(db.Model):
    """One weekly digest to the coordinators (``core.digest``): when it was composed, and what its sections kept
    (``state``, by section key) so that next week's says what changed since."""

    __tablename__ = "digest_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    state: Mapped[dict] = mapped_column(JSON, default=dict)
