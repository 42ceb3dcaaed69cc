"""What the checklist gives the other packages through ``core.signals``: the thresholds the criteria set in use
states, so that a page applying a criterion's rule outside the checklist (the transition preview, the interfaces
page, the process map) uses the same numbers as the criterion page."""

from core import signals
from evidence.automatic import key_of
from evidence.criteria_sets import current_set


@signals.stored_thresholds.connect
def _stored_thresholds(sender, **kwargs):
    """``{evidence key: thresholds}`` of the criteria of the set in use that state any (the first criterion of a
    key, in the set's order, when two share it)."""
    chosen = current_set()
    found: dict = {}
    for criterion in chosen.criteria if chosen is not None else ():
        if criterion.thresholds:
            found.setdefault(key_of(criterion), dict(criterion.thresholds))
    return found
