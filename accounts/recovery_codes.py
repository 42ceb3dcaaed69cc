"""Recovery codes: single-use stand-ins for the authenticator app, kept only as salted hashes.

The codes are random (60 bits), not chosen by people, so a fast salted hash is enough: nobody can try
2^60 candidates against a stolen table, and checking a person's ten codes costs microseconds.
"""

import hashlib
import secrets

from sqlalchemy import delete, func, select, update

from accounts.models import RecoveryCode
from core.extensions import db
from core.timeutil import utcnow

COUNT = 10
#: Crockford's base32 (no i, l, o, u): 12 characters are 60 random bits, read without confusion.
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
LENGTH = 12


def normal(code: str) -> str:
    """A recovery code as hashed: lower case, without the hyphens and spaces, misread letters corrected."""
    text = "".join((code or "").lower().replace("-", "").split())
    return text.translate(str.maketrans({"i": "1", "l": "1", "o": "0"}))


def _hash(code: str, salt: str) -> str:
    return f"{salt}${hashlib.sha256((salt + code).encode()).hexdigest()}"


def _matches(code: str, stored: str) -> bool:
    salt, _sep, _digest = stored.partition("$")
    return secrets.compare_digest(_hash(code, salt), stored)


def new_code() -> str:
    """A fresh code, as shown to its person: ``xxxx-xxxx-xxxx``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, LENGTH, 4))


def replace(user_id: int) -> list[str]:
    """A new set of codes for the person, the old set deleted; the codes themselves are returned, never stored."""
    forget(user_id)
    codes = [new_code() for _ in range(COUNT)]
    db.session.add_all(RecoveryCode(user_id=user_id, code_hash=_hash(normal(code), secrets.token_hex(8)))
                       for code in codes)
    db.session.flush()
    return codes


def use(user_id: int, code: str) -> bool:
    """Whether ``code`` is one of the person's unused codes; if so, it is used up now.

    The conditional UPDATE lets only one of two requests carrying the same code (a replay, a double click) pass."""
    code = normal(code)
    if len(code) != LENGTH:
        return False
    unused = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user_id,
                                                           RecoveryCode.used_at.is_(None)))
    match = next((row for row in unused if _matches(code, row.code_hash)), None)
    if match is None:
        return False
    used = db.session.execute(update(RecoveryCode).where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
                              .values(used_at=utcnow()).execution_options(synchronize_session=False))
    return used.rowcount == 1


def left(user_id: int) -> int:
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user_id,
                                                                      RecoveryCode.used_at.is_(None)))


def forget(user_id: int) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
