"""The checklist and the E1 dashboard as lists to search, filter and export. The checklist: each criterion with its
automatic evidence, the latest self-assessment and verdict, and how much manual evidence rests on it (readiness is
always over every criterion; filters narrow what is listed). The dashboard: each indicator against its target."""

from dataclasses import dataclass
from datetime import UTC

from flask_babel import gettext as _

from evidence.services import ChecklistRow
from processes.dashboard import IndicatorRow
from processes.indicators import target_for
from processes.models import IndicatorKind


@dataclass(frozen=True)
class ChecklistFilters:
    """What the checklist is narrowed to: words in a criterion's code, text or group, and its automatic status."""

    q: str | None = None
    status: str | None = None

    def matches(self, row: ChecklistRow, language: str) -> bool:
        criterion = row.criterion
        words = (self.q or "").lower()
        text = " ".join(filter(None, (criterion.code, criterion.text_in(language), _section(row, language))))
        return (not words or words in text.lower()) and (not self.status or row.finding.status.value == self.status)


def _section(row: ChecklistRow, language: str) -> str | None:
    return row.criterion.group_in(language) or None


def listed(rows: list[ChecklistRow], filters: ChecklistFilters, language: str) -> list[ChecklistRow]:
    """The checklist's rows that match ``filters``, in the set's order."""
    return [row for row in rows if filters.matches(row, language)]


def checklist_table(rows: list[ChecklistRow], language: str) -> tuple[list[str], list[tuple]]:
    """The checklist as export rows: what the page shows of each criterion, with its gaps in words."""
    headers = [_("Code"), _("Group"), _("Criterion"), _("Automatic evidence"), _("Why"), _("What is missing"),
               _("Self-assessment"), _("Self-assessed on"), _("Reviewer verdict"), _("Verdict on"), _("Reviewer"),
               _("Manual evidence")]
    data = []
    for row in rows:
        assessment, verdict = row.self_assessment, row.verdict
        data.append((row.criterion.code, _section(row, language), row.criterion.text_in(language),
                     row.finding.status.label, "; ".join(str(line.text) for line in row.finding.reasons) or None,
                     "; ".join(str(line.text) for line in row.finding.gaps) or None,
                     assessment.status.label if assessment else None, _day(assessment),
                     verdict.status.label if verdict else None, _day(verdict),
                     verdict.reviewer.name if verdict and verdict.reviewer else None, len(row.evidence)))
    return headers, data


def _day(record):
    """When a self-assessment or verdict was recorded, as an aware time (the export shows the reader's zone)."""
    return record.created_at.replace(tzinfo=UTC) if record else None


def dashboard_matches(rows: list[IndicatorRow], text: str | None) -> list[IndicatorRow]:
    """The E1 dashboard's rows whose indicator code, name or process (code or name) hold ``text``, any case."""
    words = (text or "").strip().lower()
    if not words:
        return rows
    def text(row):
        indicator = row.indicator
        return " ".join((indicator.code, indicator.name, indicator.process.code, indicator.process.name)).lower()

    return [row for row in rows if words in text(row)]


def dashboard_table(rows: list[IndicatorRow]) -> tuple[list[str], list[tuple]]:
    """The E1 dashboard as export rows: each indicator's latest value against its target and the latest external
    comparison, with how many periods it has been measured."""
    headers = [_("Kind"), _("SMART"), _("Code"), _("Indicator"), _("Process"), _("Programme"), _("Unit"),
               _("Status"), _("Latest period"), _("Latest"), _("Target"), _("External comparison"),
               _("Comparison period"), _("Comparison value"), _("Periods")]
    data = []
    for row in rows:
        indicator, latest, benchmark = row.indicator, row.latest, row.benchmark
        target = target_for(list(indicator.targets), latest.period) if latest else None
        data.append((_("Perception measure") if indicator.kind == IndicatorKind.PERCEPTION
                     else _("Performance indicator"), _("yes") if row.smart else _("no"), indicator.code,
                     indicator.name, indicator.process.code, indicator.process.programme.code, indicator.unit,
                     row.status.label, latest.period if latest else None, latest.value if latest else None, target,
                     benchmark.source if benchmark else None, benchmark.period if benchmark else None,
                     benchmark.value if benchmark else None, row.periods))
    return headers, data
