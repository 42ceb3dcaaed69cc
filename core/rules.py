"""Refusals: a change the rules do not allow, the reasons in words for the person who asked, and how views show them.

Services raise a ``RuleError`` (each capability names its own subclass, so a test or a caller can say
whose rule refused); views wrap the change in ``rule_refusals``, which undoes it and shows the reasons.
"""

from contextlib import contextmanager

from flask import flash

from core.extensions import db


class RuleError(ValueError):
    """A change the rules refuse; ``reasons`` says why, one line each, in words the user understands. ``field``
    names the form field the reasons are about, when one is (a date out of order)."""

    def __init__(self, *reasons, field: str | None = None):
        self.reasons = [str(reason) for reason in reasons]
        self.field = field
        super().__init__("; ".join(self.reasons))


class TransitionRefused(RuleError):
    """A change of status the workflow refuses (an improvement's, a survey wave's …); ``reasons`` says why."""


@contextmanager
def rule_refusals(field=None, *, form=None, category: str = "danger"):
    """Run a change; if the rules refuse it, roll it back and show why, then carry on after the block.

    The reasons go to ``field``'s errors when the view re-renders its form (or to the field of ``form`` the
    refusal names), else they are flashed (in ``category``) for the page the view redirects to. Commit, flash
    and return inside the block: a refusal skips the rest of it.
    """
    try:
        yield
    except RuleError as refusal:
        db.session.rollback()
        if form is not None and refusal.field is not None and refusal.field in form:
            field = form[refusal.field]
        if field is not None:
            field.errors = [*field.errors, *refusal.reasons]
        else:
            for reason in refusal.reasons:
                flash(reason, category)
