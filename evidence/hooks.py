"""What the checklist gives the other packages through ``core.signals``: the thresholds the criteria set in use
states for a criterion, for a package's own page that applies that criterion's rule outside the checklist (the C1
counter). It only reads: the set is never created or changed here."""

from core import signals
from evidence.automatic import key_of
from evidence.criteria_sets import current_set


@signals.stated_thresholds.connect
def _stated_thresholds(sender, *, key, **kwargs):
    criteria_set = current_set()
    if criteria_set is None:
        return None
    return next((dict(c.thresholds) for c in criteria_set.criteria if key_of(c) == key and c.thresholds), None)
