"""The automatic evidence of the criteria whose data is the process map's.

- **A1**: the process map of the programme under certification — every process with an owner, participants and
  indicators, and a process-management standard.
- **A2**: the joint map with the other programmes — interfaces between them, their problems handled through
  service-level agreements that are complied with.
- **E1**: an information system for managing with data over time — indicators with history, targets and
  external comparisons, perception measures and performance indicators both present.

Each criterion in three parts: its **facts** (a frozen dataclass read in a fixed number of queries), its
**rule** (``a1_status(facts)``: pure, tested without a request) and its **wording** (``a1_finding(facts,
detail)``, whose detail reads what only the tables and figures need).
"""

from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core import reviews
from core.extensions import db
from core.findings import (
    Figure,
    Finding,
    Line,
    Sparkline,
    Status,
    Table,
    Threshold,
    share,
    threshold_values,
    thresholds_table,
)
from processes import document_control, maps, trend_grid
from processes.agreements import A2_THRESHOLDS, Compliance, a2_limits, interfaces_with_state
from processes.cycle import CycleFacts, cycle_facts
from processes.dashboard import HISTORY_NEEDED, SPARKLINE_PERIODS, IndicatorRow, grouped, indicator_rows
from processes.models import IndicatorKind, Process, ProcessStandard, ProcessStatus, Programme
from processes.services import certified_programme
from processes.standard import SHEET_FIELDS, completeness_by_process, sheet_facts

# --- A1 ---------------------------------------------------------------------------------------------

#: A1's numbers are the organisation's own: its process-management standard's minimums (these defaults apply
#: while no standard is saved).
A1_THRESHOLDS = (Threshold("min_participants", _l("Participants per process"), 1, 1),
                 Threshold("min_indicators", _l("Indicators per process"), 1, 1))


@dataclass(frozen=True)
class A1Facts:
    #: The programme under certification, None when none is marked.
    programme: Programme | None
    #: Its current processes, by code.
    processes: tuple = ()
    #: process id → ``processes.standard.SheetFacts``.
    sheets: dict | None = None
    #: The saved process-management standard, None while none is saved.
    standard: ProcessStandard | None = None
    #: The programme's service cycle (``processes.cycle.CycleFacts``): shown beside the map, not part of the rule.
    cycle: CycleFacts = field(default_factory=CycleFacts)
    #: process id → ``processes.document_control.Control``: whether its sheet is approved and reviewed in time.
    controls: dict = field(default_factory=dict)
    today: date | None = None

    @property
    def limits(self) -> dict[str, int]:
        """The minimum participants and indicators per process: the saved standard's, else the defaults."""
        standard = self.standard
        given = {} if standard is None else {"min_participants": standard.min_participants,
                                             "min_indicators": standard.min_indicators}
        return threshold_values(A1_THRESHOLDS, given)

    def lacks(self, process) -> tuple[str, ...]:
        """What A1 asks of every process that this one lacks: ``owner``, ``participants`` (fewer than the
        standard asks), ``indicator`` (fewer than the standard asks), ``approved`` (no approved sheet in effect),
        ``review`` (its sheet is past its review date)."""
        sheet, limits, control = self.sheets[process.id], self.limits, self.controls.get(process.id)
        return tuple(name for name, missing in (("owner", "owner" not in sheet.filled),
                                                ("participants", sheet.participants < limits["min_participants"]),
                                                ("indicator", sheet.indicators < limits["min_indicators"]),
                                                ("approved", control is not None and not control.is_published),
                                                ("review", control is not None and control.review_overdue(self.today)))
                     if missing)

    @property
    def lacking(self) -> list:
        return [process for process in self.processes if self.lacks(process)]


def a1_facts() -> A1Facts:
    """The certified programme, its current processes with their sheet facts, and the saved standard."""
    programme = certified_programme()
    standard = db.session.scalar(select(ProcessStandard).order_by(ProcessStandard.id).limit(1))
    if programme is None:
        return A1Facts(None, standard=standard)
    processes = tuple(db.session.scalars(
        select(Process).where(Process.programme_id == programme.id, Process.status != ProcessStatus.RETIRED)
        .options(joinedload(Process.owner)).order_by(Process.code)))
    today = reviews.today()
    return A1Facts(programme, processes, sheet_facts([p.id for p in processes]) if processes else {}, standard,
                   cycle_facts(programme.id), document_control.controls(processes, today), today)


def a1_status(facts: A1Facts) -> Status:
    """Missing without a certified programme or processes; met when every process has an owner, at least the
    standard's minimum participants and indicators, and a standard is saved; partly otherwise."""
    if facts.programme is None or not facts.processes:
        return Status.MISSING
    return Status.MET if not facts.lacking and facts.standard is not None else Status.PARTLY


def _process_url(process) -> str:
    return url_for("processes.process_detail", process_id=process.id)


def _lack_words(facts: A1Facts, process) -> list[str]:
    sheet, limits = facts.sheets[process.id], facts.limits
    words = {"owner": _("no owner"),
             "participants": _("%(have)d of %(need)d participants", have=sheet.participants,
                               need=limits["min_participants"]),
             "indicator": _("%(have)d of %(need)d indicators", have=sheet.indicators, need=limits["min_indicators"]),
             "approved": _("no approved sheet in effect"), "review": _review_words(facts, process)}
    return [words[name] for name in facts.lacks(process)]


def _review_words(facts: A1Facts, process) -> str:
    control = facts.controls.get(process.id)
    due = control.review_due if control is not None else None
    return _("sheet past its review date (%(date)s)", date=format_date(due, "short")) if due else ""


def a1_rule(facts: A1Facts) -> Line:
    """A1's rule in words, with the numbers it uses."""
    limits = facts.limits
    return Line(_("A1 is met when every current process of the programme under certification has an approved sheet "
                  "in effect and not past its review date, an owner and the participants and indicators the "
                  "organisation's process-management standard asks (participants: at least %(people)d; indicators: "
                  "at least %(indicators)d), and that standard is saved.",
                  people=limits["min_participants"], indicators=limits["min_indicators"]),
                url_for("processes.standard"))


def _standard_line(standard: ProcessStandard | None) -> Line:
    if standard is None:
        return Line(_("No process-management standard has been set yet."), url_for("processes.standard"))
    fields = ", ".join(str(SHEET_FIELDS[name]).lower() for name in standard.required_fields if name in SHEET_FIELDS)
    return Line(_("A process-management standard is defined: required fields %(fields)s; at least %(people)d "
                  "participants and %(indicators)d indicators per process.", fields=fields or "—",
                  people=standard.min_participants, indicators=standard.min_indicators),
                url_for("processes.standard"))


def a1_finding(facts: A1Facts, detail: bool = False) -> Finding:
    """A1 in words: each process and what it lacks, the standard, the map (and in detail the map and a table)."""
    if facts.programme is None or not facts.processes:
        return _a1_missing(facts, detail)
    gaps = [Line(f"{p.code}: {', '.join(_lack_words(facts, p))}", _process_url(p)) for p in facts.lacking]
    if facts.standard is None:
        gaps.append(_standard_line(None))
    finding = Finding(a1_status(facts), [a1_rule(facts), *_a1_reasons(facts)], gaps)
    if detail:
        finding.blocks = [thresholds_table(A1_THRESHOLDS, facts.limits), *_a1_blocks(facts)]
    return finding


def _a1_missing(facts: A1Facts, detail: bool) -> Finding:
    if facts.programme is None:
        reason = Line(_("No programme is marked as under certification yet."))
        gap = Line(_("Mark the loyalty programme as under certification"), url_for("processes.programmes"))
    else:
        reason = Line(_("The map of %(programme)s has no processes yet.", programme=facts.programme.name))
        gap = Line(_("Draw the process map: add the processes"), url_for("processes.new_process"))
    return Finding(Status.MISSING, [a1_rule(facts), reason], [gap],
                   [thresholds_table(A1_THRESHOLDS, facts.limits)] if detail else [])


def _a1_reasons(facts: A1Facts) -> list[Line]:
    programme, lacking = facts.programme, facts.lacking
    summary = _("%(share)s processes have an approved, current sheet, an owner and the participants and indicators "
                "the standard asks", share=share(len(facts.processes) - len(lacking), len(facts.processes)))
    if lacking:
        summary += _("; missing: %(list)s", list=", ".join(f"{p.code} {' '.join(_lack_words(facts, p))}"
                                                            for p in lacking))
    return [Line(summary, url_for("processes.process_list", programme=programme.id)),
            _approval_line(facts), _standard_line(facts.standard),
            Line(_("The process map of %(programme)s is drawn from the sheets.", programme=programme.name),
                 url_for("processes.index", programme=programme.id)),
            cycle_line(programme, facts.cycle)]


def _approval_line(facts: A1Facts) -> Line:
    """How many sheets are approved and in effect, how many wait for approval and how many are past review."""
    controls = [facts.controls[p.id] for p in facts.processes if p.id in facts.controls]
    return Line(_("%(approved)s sheets approved and in effect; %(pending)d drafts awaiting approval; %(late)d sheets "
                  "past their review date", approved=share(sum(c.is_published for c in controls), len(controls)),
                  pending=sum(1 for c in controls if c.draft is not None and c.draft.submitted_at is not None),
                  late=sum(1 for c in controls if c.review_overdue(facts.today))),
                url_for("processes.process_list", programme=facts.programme.id))


def cycle_line(programme, cycle: CycleFacts) -> Line:
    """The service cycle in one sentence: how many moments of contact, how many served by a process and how many
    with a quality indicator (A1 and B1 both say it)."""
    url = url_for("processes.service_cycle", programme_id=programme.id)
    moments = cycle.moments
    if not moments:
        return Line(_("No service cycle has been described for %(programme)s yet: the moments of contact a client "
                      "passes through, with their processes and quality indicators.", programme=programme.name), url)
    return Line(_("Service cycle of %(programme)s: %(num)d moments of contact (%(names)s); %(served)s served by a "
                  "process, %(measured)s with a quality indicator", programme=programme.name, num=len(moments),
                  names=" → ".join(m.name for m in moments),
                  served=share(len(moments) - len(cycle.without_process), len(moments)),
                  measured=share(len(moments) - len(cycle.without_indicator), len(moments))), url)


def cycle_table(programme, cycle: CycleFacts) -> Table:
    """Each moment of contact in order with its processes and quality indicators, for the page and the pack."""
    rows = [[str(m.position), Line(m.name, url_for("processes.edit_moment", moment_id=m.id)),
             ", ".join(p.code for p in m.processes) or "—", ", ".join(i.code for i in m.indicators) or "—"]
            for m in cycle.moments]
    return Table(_("Service cycle of %(programme)s", programme=programme.name),
                 ["#", _("Moment of contact"), _("Processes"), _("Quality indicators")], rows)


def _a1_blocks(facts: A1Facts) -> list:
    programme, processes, sheets = facts.programme, facts.processes, facts.sheets
    scores = completeness_by_process([p.id for p in processes])
    rows = [[Line(p.code, _process_url(p)), p.name, p.owner.name if p.owner else "—", str(sheets[p.id].participants),
             str(sheets[p.id].indicators), f"{scores[p.id].score} %"] for p in processes]
    table = Table(_("Processes of %(programme)s", programme=programme.name),
                  [_("Code"), _("Process"), _("Owner"), _("Participants"), _("Indicators"), _("Completeness")], rows)
    blocks = [*(Figure(title, svg, landscape=True) for title, svg in maps.pack_figures(programme)), table]
    return blocks + ([cycle_table(programme, facts.cycle)] if facts.cycle.moments else [])


def process_map_evidence(detail: bool = False) -> Finding:
    """A1's automatic evidence, from the data as it is now."""
    return a1_finding(a1_facts(), detail)


# --- A2 ---------------------------------------------------------------------------------------------

#: The agreement states A2 lists as gaps.
A2_GAPS = (Compliance.NO_AGREEMENT, Compliance.BREACHED, Compliance.NOT_MEASURABLE)


@dataclass(frozen=True)
class A2Facts:
    programmes: int
    #: (interface, ``processes.agreements.AgreementState``) of every interface between two programmes.
    states: tuple = ()
    limits: dict = field(default_factory=lambda: threshold_values(A2_THRESHOLDS, None))

    @property
    def problems(self) -> list:
        return [(i, s) for i, s in self.states if (i.problem or "").strip()]

    @property
    def with_agreement(self) -> list:
        return [(i, s) for i, s in self.states if (i.agreement or "").strip()]

    @property
    def measured(self) -> list:
        return [(i, s) for i, s in self.with_agreement if s.status in (Compliance.COMPLIANT, Compliance.BREACHED)]

    @property
    def flagged(self) -> list:
        return [(i, s) for i, s in self.states if s.status in A2_GAPS]


def a2_facts(thresholds: dict | None = None) -> A2Facts:
    """How many programmes there are, and the interfaces between programmes with their agreement state over
    the review window."""
    limits = a2_limits(thresholds or {})
    programmes = db.session.scalar(select(func.count()).select_from(Programme)) or 0
    states = interfaces_with_state(periods=limits["review_periods"], share_needed=limits["share_met"])
    return A2Facts(programmes, tuple((i, s) for i, s in states
                                     if i.from_process.programme_id != i.to_process.programme_id), limits)


def a2_status(facts: A2Facts) -> Status:
    """Missing with one programme or no interface between programmes; met when every such interface has an
    agreement that is measured and complied with (or needs none); partly otherwise."""
    if facts.programmes < 2 or not facts.states:
        return Status.MISSING
    return Status.MET if not facts.flagged else Status.PARTLY


def a2_finding(facts: A2Facts, detail: bool = False) -> Finding:
    """A2 in words: the joint map, the problems and their agreements, compliance (in detail the map and a table)."""
    if a2_status(facts) == Status.MISSING:
        reason = (_("Only one programme is recorded: there is no joint map yet.") if facts.programmes < 2 else
                  _("No interface between processes of different programmes has been recorded yet."))
        return Finding(Status.MISSING, [a2_rule(facts), Line(reason)],
                       [Line(_("Record the interfaces with the other programmes"), url_for("processes.new_interface"))],
                       [thresholds_table(A2_THRESHOLDS, facts.limits)] if detail else [])
    gaps = [Line(f"{i.from_process.code} → {i.to_process.code}: {s.status.label}" + _window_words(s),
                 url_for("processes.edit_interface", interface_id=i.id)) for i, s in facts.flagged]
    finding = Finding(a2_status(facts), [a2_rule(facts), *_a2_reasons(facts)], gaps)
    if detail:
        finding.blocks = [thresholds_table(A2_THRESHOLDS, facts.limits), *_a2_blocks(facts)]
    return finding


def a2_rule(facts: A2Facts) -> Line:
    """A2's rule in words, with the numbers it uses."""
    return Line(_("A2 is met when there are at least two programmes with interfaces between them, and every "
                  "interface with a problem has a measurable service-level agreement met in at least %(share)d %% "
                  "of the periods of its review window (the last %(periods)d periods).",
                  share=facts.limits["share_met"], periods=facts.limits["review_periods"]),
                url_for("processes.interfaces"))


def _window_words(state) -> str:
    """“ (5 of 12 periods met, 42 %, falling)”, or nothing for an agreement that is not measured."""
    if not state.periods:
        return ""
    return " (" + _("%(met)d of %(n)d periods met, %(rate)d %%, %(trend)s", met=state.periods_met, n=state.periods,
                    rate=state.rate, trend=_trend_word(state.trend)) + ")"


def _trend_word(trend: int | None) -> str:
    return {None: _("too few periods for a trend"), 1: _("improving"), 0: _("steady"), -1: _("worsening")}[trend]


def _a2_reasons(facts: A2Facts) -> list[Line]:
    complied = [(i, s) for i, s in facts.measured if s.status == Compliance.COMPLIANT]
    return [
        Line(_("%(programmes)d programmes on the joint map, with %(interfaces)d interfaces between them",
               programmes=facts.programmes, interfaces=len(facts.states)), url_for("processes.joint_map")),
        Line(_("%(problems)d interface problems identified; %(share)s interfaces have a service-level agreement",
               problems=len(facts.problems), share=share(len(facts.with_agreement), len(facts.states))),
             url_for("processes.interfaces")),
        Line(_("%(share)s measurable agreements complied with over their review window (at least %(pct)d %% of "
               "the last %(periods)d periods)", share=share(len(complied), len(facts.measured)),
               pct=facts.limits["share_met"], periods=facts.limits["review_periods"]),
             url_for("processes.interfaces")),
    ]


def _a2_blocks(facts: A2Facts) -> list:
    rows = [[Line(f"{i.from_process.code} → {i.to_process.code}",
                  url_for("processes.edit_interface", interface_id=i.id)), i.flow, i.problem or "—",
             i.agreement or "—", s.status.label if s.status else "—",
             f"{share(s.periods_met, s.periods)} ({s.rate} %)" if s.rate is not None else "—",
             _trend_word(s.trend) if s.periods else "—",
             Sparkline(tuple(int(m) for m in reversed(s.met)), tuple(reversed(s.periods_seen)))
             if len(s.met) > 1 else "—"] for i, s in facts.states]
    return [
        *(Figure(title, svg, landscape=True) for title, svg in maps.pack_figures()),
        Table(_("Interfaces between programmes: compliance over the last %(n)d periods",
                n=facts.limits["review_periods"]),
              [_("Interface"), _("What flows"), _("Problem identified"), _("Agreement (SLA)"), _("Compliance"),
               _("Periods met"), _("Trend"), _("Met per period (1 = met)")], rows),
    ]


def joint_map_evidence(detail: bool = False, thresholds: dict | None = None) -> Finding:
    """A2's automatic evidence, from the data as it is now, with the criteria set's thresholds."""
    return a2_finding(a2_facts(thresholds), detail)


# --- E1 ---------------------------------------------------------------------------------------------

E1_THRESHOLDS = (
    Threshold("history_periods", _l("Periods of history each indicator must have"), HISTORY_NEEDED, 1, 120),
    Threshold("min_per_kind", _l("Indicators of each kind (perception measures, performance indicators)"), 1, 1,
              100),
    Threshold("min_compared_per_kind", _l("Indicators of each kind with an external comparison"), 1, 0, 100),
)


@dataclass(frozen=True)
class E1Facts:
    #: Every active indicator of a current process (``processes.dashboard.IndicatorRow``), SMART ones first.
    rows: tuple = ()
    limits: dict = field(default_factory=lambda: threshold_values(E1_THRESHOLDS, None))

    @property
    def kinds(self) -> list[tuple[IndicatorKind, list]]:
        return grouped(list(self.rows))

    def row_lacks(self, row) -> bool:
        return row.periods < self.limits["history_periods"] or not row.has_target

    def kind_lacks(self, members) -> bool:
        """A kind with fewer indicators, or fewer with an external comparison, than the thresholds ask."""
        compared = sum(r.benchmark is not None for r in members)
        return len(members) < self.limits["min_per_kind"] or compared < self.limits["min_compared_per_kind"]


def e1_facts(thresholds: dict | None = None) -> E1Facts:
    return E1Facts(tuple(indicator_rows()), threshold_values(E1_THRESHOLDS, thresholds))


def e1_status(facts: E1Facts) -> Status:
    """Missing without indicators; met when each kind has at least ``min_per_kind`` indicators, of which at
    least ``min_compared_per_kind`` have an external comparison, and every indicator has ``history_periods``
    periods of history and a target (``E1_THRESHOLDS``); partly otherwise."""
    if not facts.rows:
        return Status.MISSING
    lacking = any(facts.kind_lacks(m) for _k, m in facts.kinds) or any(map(facts.row_lacks, facts.rows))
    return Status.PARTLY if lacking else Status.MET


def e1_rule(facts: E1Facts) -> Line:
    """E1's rule in words, with the numbers it uses."""
    limits = facts.limits
    return Line(_("E1 is met when there are perception measures and performance indicators (of each kind: at least "
                  "%(kind)d, and at least %(compared)d with an external comparison), and every indicator has a "
                  "target and its history (periods: at least %(periods)d).", kind=limits["min_per_kind"],
                  compared=limits["min_compared_per_kind"], periods=limits["history_periods"]),
                url_for("evidence.dashboard"))


def _url(row: IndicatorRow) -> str:
    return url_for("processes.indicator_detail", indicator_id=row.indicator.id)


def _kind_name(kind: IndicatorKind) -> str:
    return _("perception measures") if kind == IndicatorKind.PERCEPTION else _("performance indicators")


def e1_finding(facts: E1Facts, detail: bool = False) -> Finding:
    """E1 in words: the indicators by kind, their history, targets and comparisons (in detail a table per kind
    and the trends)."""
    if not facts.rows:
        return Finding(e1_status(facts), [e1_rule(facts), Line(_("No indicator has been defined yet."))],
                       [Line(_("Define the indicators of each process"), url_for("processes.process_list"))],
                       [thresholds_table(E1_THRESHOLDS, facts.limits)] if detail else [])
    finding = Finding(e1_status(facts), [e1_rule(facts), *_e1_reasons(facts)],
                      _e1_kind_gaps(facts) + _e1_row_gaps(facts))
    if detail:
        finding.blocks = [thresholds_table(E1_THRESHOLDS, facts.limits), *_e1_blocks(facts)]
    return finding


def _e1_reasons(facts: E1Facts) -> list[Line]:
    rows, kinds, dashboard = facts.rows, dict(facts.kinds), url_for("evidence.dashboard")
    need = facts.limits["history_periods"]
    return [
        Line(_("%(n)d indicators: %(perception)d perception measures and %(performance)d performance indicators",
               n=len(rows), perception=len(kinds[IndicatorKind.PERCEPTION]),
               performance=len(kinds[IndicatorKind.PERFORMANCE])), dashboard),
        Line(_("%(share)s indicators have at least %(need)d periods of history",
               share=share(sum(r.periods >= need for r in rows), len(rows)), need=need), dashboard),
        Line(_("%(share)s indicators have a target", share=share(sum(r.has_target for r in rows), len(rows))),
             dashboard),
        Line(_("%(share)s indicators have an external comparison",
               share=share(sum(r.benchmark is not None for r in rows), len(rows))), dashboard),
    ]


def _e1_kind_gaps(facts: E1Facts) -> list[Line]:
    gaps, limits = [], facts.limits
    for kind, members in facts.kinds:
        compared = sum(r.benchmark is not None for r in members)
        if not members:
            gaps.append(Line(_("There are no %(kind)s yet", kind=_kind_name(kind)), url_for("processes.process_list")))
        elif len(members) < limits["min_per_kind"]:
            gaps.append(Line(_("%(have)d of %(need)d %(kind)s", have=len(members), need=limits["min_per_kind"],
                               kind=_kind_name(kind)), url_for("processes.process_list")))
        if members and compared < limits["min_compared_per_kind"]:
            gaps.append(Line(_("None of the %(kind)s has an external comparison", kind=_kind_name(kind)) if not compared
                             else _("%(have)d of %(need)d %(kind)s with an external comparison", have=compared,
                                    need=limits["min_compared_per_kind"], kind=_kind_name(kind)), _url(members[0])))
    return gaps


def _e1_row_gaps(facts: E1Facts) -> list[Line]:
    gaps, need = [], facts.limits["history_periods"]
    for row in filter(facts.row_lacks, facts.rows):
        lacks = []
        if row.periods < need:
            lacks.append(_("%(have)d of %(need)d periods of history", have=row.periods, need=need))
        if not row.has_target:
            lacks.append(_("no target"))
        gaps.append(Line(f"{row.indicator.code}: {', '.join(lacks)}", _url(row)))
    return gaps


def _e1_blocks(facts: E1Facts) -> list:
    blocks = [_e1_table(kind, members) for kind, members in facts.kinds if members]
    trends = trend_grid.trend_multiples(facts.rows, SPARKLINE_PERIODS)
    return blocks + ([trends] if trends else [])


def _number(value) -> str:
    return "—" if value is None else format_decimal(value, "#,##0.##")


def _e1_table(kind: IndicatorKind, rows: list[IndicatorRow]) -> Table:
    title = _("Perception measures") if kind == IndicatorKind.PERCEPTION else _("Performance indicators")
    body = [[Line(r.indicator.code, _url(r)), r.indicator.name, str(r.periods),
             _number(r.latest.value) if r.latest else "—", r.status.label,
             f"{r.benchmark.source}: {_number(r.benchmark.value)}" if r.benchmark else "—",
             Sparkline(tuple(r.trend), tuple(r.trend_periods))] for r in rows]
    return Table(title, [_("Code"), _("Indicator"), _("Periods"), _("Latest"), _("Status"),
                         _("External comparison"), _("Trend")], body)


def data_management_evidence(detail: bool = False, thresholds: dict | None = None) -> Finding:
    """E1's automatic evidence, from the data as it is now, with the criteria set's thresholds."""
    return e1_finding(e1_facts(thresholds), detail)
