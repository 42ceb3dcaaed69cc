"""What certification cycles add to other pages and to the pack, through ``core.signals``: the findings as the
source of a corrective action or an improvement opportunity (so the improvement's page links back to its finding),
and the corrective actions past their deadline on the home page and in the coordinators' weekly digest."""

from datetime import date

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

# models: the cycles' tables are part of every app that registers this.
from certification import models, pack  # noqa: F401
from certification.findings import findings_of, overdue_actions
from certification.models import Finding, FindingState
from core import schedule, signals
from core.access import may
from core.digest import Section
from core.extensions import db
from core.home import Panel
from improvements.sources import CERTIFICATION_FINDING, SourceRecords

#: Overdue corrective actions the home block and the digest list (the rest are counted).
LISTED = 10


def _finding_choices():
    """The findings not closed yet, newest cycle first (an opportunity logged by hand from one)."""
    query = (select(Finding).options(joinedload(Finding.cycle), joinedload(Finding.criterion))
             .where(Finding.state != FindingState.CLOSED).order_by(Finding.cycle_id.desc(), Finding.number))
    return [(f.id, f"{f.cycle.name} · {f}") for f in db.session.scalars(query)]


def _finding_url(finding) -> str:
    return url_for("certification.finding", finding_id=finding.id)


@signals.opportunity_records.connect
def _opportunity_records(sender, **kwargs):
    return {CERTIFICATION_FINDING: SourceRecords(findings_of, _finding_choices, _finding_url)}


@signals.home_panels.connect
def _home_panels(sender, user=None, **kwargs):
    """The corrective actions past their deadline, for everyone who may read the findings (only when there are:
    an organisation without cycles gets no empty block)."""
    if user is None or not may("certification.finding"):
        return []
    today = date.today()
    late = overdue_actions(today)
    if not late:
        return []
    return [Panel("corrective_actions", 22, "certification/_home_overdue_actions.html",
                  {"findings": late[:LISTED], "more": max(0, len(late) - LISTED), "today": today})]


@signals.digest_sections.connect
def _digest_sections(sender, **kwargs):
    """The corrective actions past their deadline, oldest first, with their finding and owner."""
    late = overdue_actions(schedule.today())
    if not late:
        return []
    lines = [_("- %(finding)s (%(cycle)s): %(action)s, %(owner)s, overdue since %(day)s",
               finding=finding.reference, cycle=finding.cycle.name, action=finding.improvement.title,
               owner=finding.improvement.owner.name if finding.improvement.owner else _("nobody yet"),
               day=format_date(finding.improvement.deadline)) for finding in late[:LISTED]]
    if len(late) > LISTED:
        lines.append(_("… and %(n)d more.", n=len(late) - LISTED))
    return [Section("overdue_corrective_actions", 22, _("Corrective actions overdue"), lines)]


@signals.pack_cycle.connect
def _pack_cycle(sender, cycle_id: int, **kwargs):
    return pack.pack_cycle(cycle_id)
