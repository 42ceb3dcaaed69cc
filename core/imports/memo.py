"""The last few uploads read and parsed, kept per process, so the steps of an import do not parse the file again.

Every GET of an importer's check page, and its confirming POST, reads the same stored bytes against the
same mapping; reading and parsing a census of 100 000 rows each time costs the worker seconds. The key is
the SHA-256 of the bytes with everything that changes the outcome (reader, name, sheet, bounds; for a parse
the columns, the mapping and the language of its messages), so a different file or setting is read afresh.
What is kept must not be changed by a caller: readers keep only immutable results, or hand out copies (see
``read_table``, ``read_frame`` and ``parse_kept``). Failures are not kept: their message is in the language
of the request.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

#: Entries kept per process: a table and its parse (``result.parse_kept``) for each of two people checking
#: their imports at the same time.
ENTRIES = 4

T = TypeVar("T")
_kept: OrderedDict[tuple, object] = OrderedDict()
_lock = threading.Lock()


def memoised(data: bytes, options: tuple[Hashable, ...], read: Callable[[], T]) -> T:
    """What ``read()`` gave for these bytes and options, from the memo when it was read lately."""
    key = (hashlib.sha256(data).digest(), *options)
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]  # type: ignore[return-value]
    value = read()  # outside the lock: another upload must not wait for this one's parse
    with _lock:
        _kept[key] = value
        _kept.move_to_end(key)
        while len(_kept) > ENTRIES:
            _kept.popitem(last=False)
    return value


def forget() -> None:
    """Empty the memo (tests that count parses start from nothing)."""
    with _lock:
        _kept.clear()
