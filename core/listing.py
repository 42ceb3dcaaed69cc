"""What the lists share besides their exports (``core.exports``): the free-text search of their filter forms.

A list's filter form has a ``q`` field; its query adds ``text_matches(q, column, ...)``, which finds the words
anywhere in any of the columns, whatever their case, on SQLite and PostgreSQL alike. ``%`` and ``_`` typed by
the reader are searched for as themselves, not as wildcards.
"""

from sqlalchemy import func, or_

#: LIKE's escape character, and the characters it makes literal.
ESCAPE = "\\"


def search_text(value) -> str | None:
    """The words to search for, trimmed; None when there are none."""
    text = (value or "").strip()
    return text or None


def like_pattern(text: str) -> str:
    """``%text%`` for a case-insensitive LIKE, with the reader's ``%``, ``_`` and ``\\`` taken literally."""
    escaped = text.lower().replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def text_matches(text: str | None, *columns):
    """A condition true where any of ``columns`` contains ``text`` (any case); None when there is no text, so
    that ``conditions`` may skip it."""
    text = search_text(text)
    if text is None:
        return None
    pattern = like_pattern(text)
    return or_(*(func.lower(func.coalesce(column, "")).like(pattern, escape=ESCAPE) for column in columns))
