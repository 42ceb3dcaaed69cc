"""Record ids read from URLs and query strings: only numbers a table's key can hold.

PostgreSQL refuses an integer key above 2³¹−1 with an error (SQLite just finds nothing), so an id typed
into an address (``/processes/99999999999``, ``?client=99999999999``) must be answered "not found" or
ignored before it reaches a query.
"""

from werkzeug.routing import IntegerConverter

#: The largest value of an ``INTEGER`` primary key.
MAX_ID = 2**31 - 1


def record_id(value: str) -> int:
    """``type=`` for ids in query strings and forms: a positive id a table can hold; anything else raises
    ``ValueError``, which ``request.args.get(..., type=record_id)`` turns into None."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(f"not a record id: {value}")
    return number


class RecordIdConverter(IntegerConverter):
    """The ``<int:…>`` of our routes: a larger number matches no route (404) instead of failing the query."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
