"""Automatic evidence: for each criterion, a function that reads the live data and says where it stands.

A source is a function registered under a key (a criterion's ``evidence_source``, by default its code)::

    from evidence.automatic import Finding, Line, Status, evidence_source

    @evidence_source("B2")
    def census_evidence(detail: bool = False) -> Finding:
        ...

It returns a ``Finding``: a status (met / partly / missing), the reasons in plain words, the gaps (each a link
to where it is fixed) and, when ``detail`` is asked for (criterion page, PDF pack), tables and figures.
The modules in ``SOURCE_MODULES`` are imported in order, so a capability's own module (``loyalty.evidence``,
``loyalty.voice.evidence``, ``improvements.evidence``, ``surveys.evidence``) registered after
``evidence.sources.pending`` replaces the "nothing recorded yet" placeholder of its criteria. A module that
does not exist yet is skipped.
"""

import enum
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: Imported in this order; later registrations of a key replace earlier ones.
SOURCE_MODULES = (
    "evidence.sources.pending",
    "evidence.sources.process_map",
    "evidence.sources.improvement_changes",
    "evidence.sources.indicators",
    "loyalty.evidence",
    "loyalty.voice.evidence",
    "improvements.evidence",
    "surveys.evidence",
)


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


@dataclass(frozen=True)
class Sparkline:
    """A table cell drawn as a small trend line (values oldest first)."""

    values: tuple


@dataclass
class Finding:
    status: Status
    reasons: list[Line] = field(default_factory=list)
    gaps: list[Line] = field(default_factory=list)
    #: Tables and figures, filled only when the source is asked for detail.
    blocks: list = field(default_factory=list)


Source = Callable[..., Finding]
_sources: dict[str, Source] = {}
_loaded = False


def evidence_source(key: str):
    """Register ``function`` as the automatic evidence of criteria whose evidence key is ``key``."""

    def register(function: Source) -> Source:
        _sources[key] = function
        return function

    return register


def load_sources() -> dict[str, Source]:
    """Import the source modules once; missing ones (capabilities not built yet) are skipped."""
    global _loaded
    if not _loaded:
        for name in SOURCE_MODULES:
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as error:
                if error.name != name:
                    raise
        _loaded = True
    return _sources


def finding_for(criterion, *, detail: bool = False) -> Finding:
    """The automatic evidence of one criterion, from the data as it is now."""
    source = load_sources().get(criterion.evidence_source or criterion.code)
    if source is None:
        return Finding(Status.MISSING, [Line(_("No automatic evidence feeds this criterion: attach manual evidence "
                                               "and record the self-assessment."))])
    return source(detail=detail)


def findings_for(criteria, *, detail: bool = False) -> dict[int, Finding]:
    """The automatic evidence of several criteria; a source shared by two criteria runs once."""
    by_source: dict[str, Finding] = {}
    found = {}
    for criterion in criteria:
        key = criterion.evidence_source or criterion.code
        if key not in by_source:
            by_source[key] = finding_for(criterion, detail=detail)
        found[criterion.id] = by_source[key]
    return found


def share(part: int, whole: int) -> str:
    """“12 of 14” in the reader's language."""
    return _("%(part)d of %(whole)d", part=part, whole=whole)
