"""The feedback loop (seeds/001): client voice → opportunity → SMART check → actions → process change →
measured result → client valuation, with each missing link flagged."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.i18n import day
from improvements.models import TaskStatus
from improvements.sources import is_client_voice, source_label

LINKS = (
    ("client_voice", _l("Client voice")),
    ("opportunity", _l("Opportunity")),
    ("smart", _l("SMART check")),
    ("actions", _l("Actions")),
    ("process_change", _l("Process change")),
    ("result", _l("Measured result")),
    ("valuation", _l("Client valuation")),
)


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    present: bool
    detail: str


def trace(improvement, *, smart_passed: bool, result, valued: bool, client_voice: bool | None = None,
          source: str | None = None) -> list[Link]:
    """Each link of the loop for one improvement: present or missing, and what it rests on or lacks."""
    tasks = [t for t in improvement.tasks if t.status != TaskStatus.CANCELLED]
    done = [t for t in tasks if t.status == TaskStatus.DONE]
    changes = improvement.process_changes
    voice = is_client_voice(improvement) if client_voice is None else client_voice
    source = source or source_label(improvement)
    found = {
        "client_voice": (voice, source if voice
                         else _("It comes from %(source)s, not from what clients said.",
                                source=source)),
        "opportunity": (True, _("Raised on %(date)s.", date=day(improvement.raised_on))),
        "smart": (smart_passed, _("Meets SMART.") if smart_passed else _("It does not meet SMART yet.")),
        "actions": (bool(tasks) and len(done) == len(tasks),
                    _("%(done)d of %(all)d tasks done.", done=len(done), all=len(tasks)) if tasks
                    else _("No tasks planned.")),
        "process_change": (any(c.revision_id for c in changes),
                           _("%(n)d processes changed.", n=len(changes)) if changes
                           else _("No process change recorded.")),
        "result": (result.after is not None,
                   _("Measured after the change.") if result.after is not None
                   else _("No result measured after the change.")),
        "valuation": (valued, _("Clients value it.") if valued else _("No client valuation recorded.")),
    }
    if changes and not any(c.revision_id for c in changes):
        found["process_change"] = (False, _("The changed processes are not linked to a sheet revision."))
    return [Link(key, str(label), *found[key]) for key, label in LINKS]
