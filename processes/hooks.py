"""What the process map gives the other packages through ``core.signals``: A1, A2 and E1's automatic
evidence and its records as the target of manual evidence; the home page's indicators off target and reviews due;
processes and indicators to the global search."""

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core import signals
from core.access import may
from core.digest import Section
from core.extensions import db
from core.findings import RecordKind
from core.home import Panel
from core.search import DETAIL, Provider, record_url
from processes import evidence, home
from processes.models import Indicator, Interface, Process, ProcessStatus

#: Indicators off target the weekly digest lists (the rest are counted).
DIGEST_LISTED = 20


def _current_processes() -> list[tuple[int, str]]:
    query = select(Process).where(Process.status != ProcessStatus.RETIRED).order_by(Process.code)
    return [(process.id, str(process)) for process in db.session.scalars(query)]


def _active_indicators() -> list[tuple[int, str]]:
    query = select(Indicator).where(Indicator.active).order_by(Indicator.code)
    return [(indicator.id, str(indicator)) for indicator in db.session.scalars(query)]


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"A1": evidence.process_map_evidence, "A2": evidence.joint_map_evidence,
            "E1": evidence.data_management_evidence}


@signals.evidence_thresholds.connect
def _evidence_thresholds(sender, **kwargs):
    return {"A2": evidence.A2_THRESHOLDS, "E1": evidence.E1_THRESHOLDS}


@signals.evidence_records.connect
def _evidence_records(sender, **kwargs):
    return {
        "process": RecordKind(Process, _l("Process"), "processes.process_detail", "process_id", _current_processes),
        "indicator": RecordKind(Indicator, _l("Indicator"), "processes.indicator_detail", "indicator_id",
                                _active_indicators),
        "interface": RecordKind(Interface, _l("Interface"), "processes.edit_interface", "interface_id"),
    }


@signals.home_panels.connect
def _home_panels(sender, user=None, **kwargs):
    """The indicators off target and the next agreement reviews."""
    panels = []
    if may("processes.indicator_detail"):
        missed = home.off_target()
        panels.append(Panel("indicators", 30, "processes/_home_indicators.html", {"off": missed},
                            empty=not missed.with_target))
    if may("processes.interfaces"):
        reviews = home.reviews_due()
        panels.append(Panel("reviews", 60, "processes/_home_reviews.html",
                            {"reviews": reviews, "today": home.today()}, empty=not reviews.scheduled))
    return panels


@signals.search_providers.connect
def _search_providers(sender, **kwargs):
    return [
        Provider("process", _l("Processes"), "processes.process_detail", Process,
                 (Process.code, Process.name, Process.purpose), Process.code + " · " + Process.name,
                 record_url("processes.process_detail", "process_id"),
                 detail=func.substr(Process.purpose, 1, DETAIL), order=10),
        Provider("indicator", _l("Indicators"), "processes.indicator_detail", Indicator,
                 (Indicator.code, Indicator.name, Indicator.definition), Indicator.code + " · " + Indicator.name,
                 record_url("processes.indicator_detail", "indicator_id"),
                 detail=func.substr(Indicator.definition, 1, DETAIL), order=20),
    ]


@signals.digest_sections.connect
def _digest_sections(sender, previous=None, **kwargs):
    """The indicators whose latest result misses its target, those new since last week marked."""
    off = home.off_target(listed=DIGEST_LISTED)
    if not off.with_target:
        return []
    before = set((previous or {}).get("off_target") or [])
    lines = [_off_target_line(indicator, latest, new=bool(before) and indicator.code not in before)
             for indicator, latest in off.rows]
    if off.total > len(off.rows):
        lines.append(_("… and %(n)d more.", n=off.total - len(off.rows)))
    if not off.rows:
        lines.append(_("Every indicator with a target meets it or is within its alert threshold."))
    return [Section("off_target", 30, _("Indicators off target"), lines,
                    state=[indicator.code for indicator, _latest in off.rows])]


def _off_target_line(indicator, latest, *, new: bool) -> str:
    value = format_decimal(latest.value, "#,##0.##") + (f" {indicator.unit}" if indicator.unit else "")
    line = _("%(code)s · %(name)s: %(value)s (%(period)s)", code=indicator.code, name=indicator.name, value=value,
             period=format_date(latest.period))
    return "- " + (_("new: %(line)s", line=line) if new else line)
@signals.reviews_due.connect
def _reviews_due(sender, today=None, **kwargs):
    """Process sheets and service-level agreements past their review date."""
    return home.sheets_and_agreements_due(today)
