"""What a criterion's automatic evidence says: a status, reasons and gaps in plain words, and the tables and
figures of its detail.

Every capability words the evidence of the criteria whose data it owns (``<package>/evidence.py``) in these
types; the checklist, the criterion page and the PDF pack (``evidence/``) show them. They live in ``core`` so
that a capability never imports the package that shows its evidence.
"""

import contextvars
import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core import schedule, signals


class Status(enum.StrEnum):
    MET = "met"
    PARTLY = "partly"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {Status.MET: _l("Met"), Status.PARTLY: _l("Partly"), Status.MISSING: _l("Missing")}


@dataclass(frozen=True)
class Line:
    """A reason or a gap in plain words, with the address of the records behind it (or of the fix)."""

    text: str
    url: str | None = None


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    #: Cells are texts, ``Line`` (a text with a link) or ``Sparkline``.
    rows: list[list]


@dataclass(frozen=True)
class Figure:
    title: str
    #: An SVG document drawn on the server (process map, charts); rendered as is on the page and in the PDF.
    svg: str
    #: A map or diagram: the PDF pack prints it alone on a landscape A4 page, scaled to the page's content box
    #: (about 267 × 166 mm), and lists it where it is cited. Charts stay in the text (False).
    landscape: bool = False


@dataclass(frozen=True)
class Sparkline:
    """A table cell drawn as a small trend line (values oldest first)."""

    values: tuple
    #: The period of each value (dates), drawn under the line as its first and last date; empty: no dates.
    periods: tuple = ()


@dataclass(frozen=True)
class Panel:
    """One panel of ``Multiples``: what it shows, its values oldest first, and the words under its line."""

    label: str
    #: Its values, drawn without dates (they are written under it as text).
    line: "Sparkline"
    #: The first and last period, written (``"ene 25"``), and the lowest and highest value, written.
    first: str
    last: str
    low: str
    high: str


@dataclass(frozen=True)
class Multiples:
    """Small multiples: one small trend line a panel, each on its own scale, the panels in rows.

    Shown as text and text-free lines rather than as one ``Figure``: the page and the PDF lay each panel out
    like a table cell, so a hundred indicators cost what a table of a hundred rows costs (an SVG figure's text
    is laid out letter by letter)."""

    title: str
    subtitle: str
    panels: list[Panel]


@dataclass
class Finding:
    status: Status
    reasons: list[Line] = field(default_factory=list)
    gaps: list[Line] = field(default_factory=list)
    #: Tables and figures, filled only when the source is asked for detail.
    blocks: list = field(default_factory=list)


@dataclass(frozen=True)
class RecordKind:
    """A kind of record that manual evidence may point at (a process, an indicator…), and where it lives."""

    model: type
    label: object
    endpoint: str
    #: The name of the record's id in ``endpoint``'s URL.
    argument: str
    #: ``() -> [(id, text)]``: the current records the evidence form offers; None when it offers none.
    choices: Callable | None = None


@dataclass(frozen=True)
class Listening:
    """A listening activity another package's criterion counts (a staff focus group, for D1): what, when, how
    many took part, what was found, and where it is recorded."""

    title: str
    held_on: date
    participants: int
    findings: str | None
    url: str


def share(part: int, whole: int) -> str:
    """“12 of 14” in the reader's language."""
    return _("%(part)d of %(whole)d", part=part, whole=whole)


@dataclass(frozen=True)
class Threshold:
    """A number a criterion's rule compares against: its key in a criteria file's ``thresholds:``, what it
    means, and the value used when the file states none."""

    key: str
    label: object
    default: int
    #: The smallest value that makes sense (a share is 0–100, a count at least 1).
    minimum: int = 0
    maximum: int | None = None


def threshold_values(declared: tuple[Threshold, ...], given: dict | None) -> dict[str, int]:
    """The thresholds a rule uses: the criteria set's value for each key, else its default."""
    given = given or {}
    return {t.key: int(given.get(t.key, t.default)) for t in declared}


def stored_thresholds(key: str | None = None) -> dict:
    """The thresholds the criteria set in use states (``signals.stored_thresholds``): ``{key: {name: value}}``,
    or those of one evidence key (``{}`` when it states none, or when ``evidence`` is not registered)."""
    found = signals.merged(signals.stored_thresholds)
    return found if key is None else dict(found.get(key) or {})


def thresholds_table(declared: tuple[Threshold, ...], values: dict[str, int]) -> Table:
    """The numbers the rule used, each beside its default, for the criterion page and the pack."""
    return Table(_("Thresholds of the rule"), [_("Threshold"), _("Value used"), _("Default")],
                 [[str(t.label), str(values[t.key]), str(t.default)] for t in declared])


# --- The day the evidence is judged on ------------------------------------------------------------------

#: Set while a pack is gathered for a certification cycle: the criteria that read a window ("the last twelve
#: months", "updated within the year") read the one ending that day instead of today.
_judged_on: contextvars.ContextVar[date | None] = contextvars.ContextVar("judged_on", default=None)


def evaluation_day() -> date:
    """The last day of the window a criterion's evidence reads: today where the organisation is (a sheet written
    at 00:30 in Madrid is written on that day, though it is still yesterday in UTC), or the day set by
    ``judged_on``."""
    return _judged_on.get() or schedule.today()


@contextmanager
def judged_on(day: date | None) -> Iterator[None]:
    """Judge the evidence read inside the block as on ``day`` (a cycle's period end); None changes nothing."""
    token = _judged_on.set(day)
    try:
        yield
    finally:
        _judged_on.reset(token)
