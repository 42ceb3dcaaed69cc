"""Reads that several criteria's evidence share, made once while the checklist is gathered.

``evidence.automatic.findings_for`` gathers every criterion's finding inside ``reading_together()`` (and the checklist
page reads its rows and the records past their review date inside one, ``evidence.linked``); a function
decorated ``@shared`` (the service cycle A1 and B1 both describe, the improvements C1 and C2 both assess) runs
once in that scope for given arguments, and the next criterion gets the same result. Outside a scope it simply
runs: nothing is kept past the gathering, so a read after a write (a change previewed inside a SAVEPOINT,
``core.transitions.preview``) never gets an older result."""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TypeVar

T = TypeVar("T")
_results: ContextVar[dict | None] = ContextVar("shared_reads", default=None)


@contextmanager
def reading_together():
    """A scope in which ``@shared`` reads run once each (nested scopes share the outer one)."""
    token = _results.set({}) if _results.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _results.reset(token)


def shared(function: Callable[..., T]) -> Callable[..., T]:
    """Make a read (arguments hashable, result not changed by its callers) run once per scope."""

    @wraps(function)
    def read(*args, **kwargs):
        results = _results.get()
        if results is None:
            return function(*args, **kwargs)
        key = (function.__module__, function.__qualname__, args, tuple(sorted(kwargs.items())))
        if key not in results:
            results[key] = function(*args, **kwargs)
        return results[key]

    return read
