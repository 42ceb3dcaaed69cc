"""Automatic evidence: for each criterion, the source that reads the live data and says where it stands.

The capabilities give their sources through the ``core.signals.evidence_sources`` signal, each under a key (a
criterion's ``evidence_source``, by default its code); a source returns a ``core.findings.Finding``. A criterion
whose key no registered package answers is missing, and its finding says so by name.
"""

from collections.abc import Callable

from flask import url_for
from flask_babel import gettext as _

from core import reviews as core_reviews
from core import signals
from core.findings import Finding, Line, Status
from core.shared_reads import reading_together
from evidence import reviews

Source = Callable[..., Finding]


def sources() -> dict[str, Source]:
    """Every source the packages registered on this app give, by key."""
    return signals.merged(signals.evidence_sources)


def declared_thresholds() -> dict[str, tuple]:
    """The thresholds each source's rule compares against (``core.findings.Threshold``), by key."""
    return signals.merged(signals.evidence_thresholds)


def key_of(criterion) -> str:
    return criterion.evidence_source or criterion.code


def unsourced(criteria) -> list:
    """The criteria that no registered package gives automatic evidence for."""
    known = sources()
    return [criterion for criterion in criteria if key_of(criterion) not in known]


def finding_for(criterion, *, detail: bool = False, known: dict[str, Source] | None = None) -> Finding:
    """The automatic evidence of one criterion, from the data as it is now."""
    source = (sources() if known is None else known).get(key_of(criterion))
    if source is None:
        return Finding(Status.MISSING, [Line(_("No automatic evidence source “%(key)s” is registered for "
                                               "%(code)s: attach manual evidence and record the self-assessment.",
                                               key=key_of(criterion), code=criterion.code))])
    # Only a criterion whose set states thresholds passes them: its rule declared them, so its source takes them.
    return source(detail=detail, thresholds=criterion.thresholds) if criterion.thresholds else source(detail=detail)


def findings_for(criteria, *, detail: bool = False) -> dict[int, Finding]:
    """The automatic evidence of several criteria, as their manual evidence's validity leaves it
    (``evidence.reviews.apply_expiry``); a source shared by two criteria with the same thresholds runs once, and
    so does a read two sources share (``core.shared_reads``)."""
    criteria = list(criteria)
    with reading_together():
        found = _sourced_findings(criteria, detail=detail)
    expired = reviews.expired_by_criterion(found, core_reviews.today())
    # The link is built only for a criterion with expired evidence: the others need no request to link from.
    return {criterion.id: reviews.apply_expiry(found[criterion.id], expired[criterion.id], url_for(
                "evidence.criterion", criterion_id=criterion.id, _anchor="manual-evidence"))
            if expired.get(criterion.id) else found[criterion.id] for criterion in criteria}


def _sourced_findings(criteria, *, detail: bool) -> dict[int, Finding]:
    """What each criterion's source says; a source shared by two criteria with the same thresholds runs once."""
    known = sources()
    by_source: dict[tuple, Finding] = {}
    found = {}
    for criterion in criteria:
        key = key_of(criterion)
        if key not in known:
            found[criterion.id] = finding_for(criterion, known=known)
            continue
        # Two criteria read one source alike only with the same thresholds.
        run = (key, tuple(sorted((criterion.thresholds or {}).items())))
        if run not in by_source:
            by_source[run] = finding_for(criterion, detail=detail, known=known)
        found[criterion.id] = by_source[run]
    return found
