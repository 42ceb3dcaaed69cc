"""What a criterion's automatic evidence says: a status, reasons and gaps in plain words, and the tables and
figures of its detail.

Every capability words the evidence of the criteria whose data it owns (``<package>/evidence.py``) in these
types; the checklist, the criterion page and the PDF pack (``evidence/``) show them. They live in ``core`` so
that a capability never imports the package that shows its evidence.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


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


def share(part: int, whole: int) -> str:
    """“12 of 14” in the reader's language."""
    return _("%(part)d of %(whole)d", part=part, whole=whole)
