"""Which passwords are too easy to guess: the most common ones, and the person's own e-mail or name.

``common_passwords.txt`` holds the 10 000 most common passwords, most common first: the first 10 000
lines of ``django/contrib/auth/common-passwords.txt.gz`` in Django 5.2.19 (from PyPI), the list
of common passwords (lowercased, deduplicated) that Royce Williams compiled and Django ships and
distributes under its BSD 3-clause licence, whose notice is in ``common_passwords.LICENSE``.
"""

from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

LIST = Path(__file__).with_name("common_passwords.txt")

TOO_COMMON = _l("This password is one of the most common ones and is guessed first. Choose another.")
PERSONAL = _l("The password must not be your e-mail or your name.")


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(LIST.read_text(encoding="utf-8").split("\n")) - {""}


def _plain(text: str) -> str:
    return "".join(text.lower().split())


def weakness(password: str, *, email: str | None = None, name: str | None = None):
    """Why ``password`` is too easy to guess (a message for the form), or None when it is not."""
    if password.strip().lower() in common_passwords():
        return TOO_COMMON
    personal = {email, (email or "").partition("@")[0], name}
    if _plain(password) in {_plain(value) for value in personal if value}:
        return PERSONAL
    return None
