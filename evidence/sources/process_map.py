"""A1 and A2: the process map of the loyalty programme and the joint map with the other programmes."""

from flask import render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.findings import Figure, Finding, Line, Status, Table, share
from processes import maps
from processes.agreements import Compliance, interfaces_with_state
from processes.models import Process, ProcessStandard, ProcessStatus, Programme
from processes.services import certified_programme
from processes.standard import SHEET_FIELDS, completeness_by_process, current_standard, sheet_facts


def _process_url(process) -> str:
    return url_for("processes.process_detail", process_id=process.id)


def _problems(facts) -> list[str]:
    """What A1 asks of every process that this one lacks: an owner, participants, an indicator."""
    problems = []
    if "owner" not in facts.filled:
        problems.append(_("no owner"))
    if facts.participants == 0:
        problems.append(_("no participants"))
    if facts.indicators == 0:
        problems.append(_("no indicator"))
    return problems


def _standard_line(standard_saved: bool) -> Line:
    if not standard_saved:
        return Line(_("No process-management standard has been set yet."), url_for("processes.standard"))
    standard = current_standard()
    fields = ", ".join(str(SHEET_FIELDS[name]).lower() for name in standard.required_fields if name in SHEET_FIELDS)
    return Line(_("A process-management standard is defined: required fields %(fields)s; at least %(people)d "
                  "participants and %(indicators)d indicators per process.", fields=fields or "—",
                  people=standard.min_participants, indicators=standard.min_indicators),
                url_for("processes.standard"))


def process_map_evidence(detail: bool = False) -> Finding:
    """A1: every process of the certified programme has an owner, participants and indicators; a standard exists."""
    programme = certified_programme()
    if programme is None:
        return Finding(Status.MISSING, [Line(_("No programme is marked as under certification yet."))],
                       [Line(_("Mark the loyalty programme as under certification"), url_for("processes.programmes"))])
    processes = list(db.session.scalars(
        select(Process).where(Process.programme_id == programme.id, Process.status != ProcessStatus.RETIRED)
        .options(joinedload(Process.owner)).order_by(Process.code)))
    if not processes:
        return Finding(Status.MISSING, [Line(_("The map of %(programme)s has no processes yet.",
                                               programme=programme.name))],
                       [Line(_("Draw the process map: add the processes"), url_for("processes.new_process"))])
    facts = sheet_facts([p.id for p in processes])
    problems = {p.id: _problems(facts[p.id]) for p in processes}
    lacking = [p for p in processes if problems[p.id]]
    standard_saved = db.session.scalar(select(ProcessStandard.id).limit(1)) is not None
    summary = _("%(share)s processes have an owner, participants and at least one indicator",
                share=share(len(processes) - len(lacking), len(processes)))
    if lacking:
        summary += _("; missing: %(list)s", list=", ".join(f"{p.code} {' '.join(problems[p.id])}" for p in lacking))
    reasons = [Line(summary, url_for("processes.process_list", programme=programme.id)),
               _standard_line(standard_saved),
               Line(_("The process map of %(programme)s is drawn from the sheets.", programme=programme.name),
                    url_for("processes.index", programme=programme.id))]
    gaps = [Line(f"{p.code}: {', '.join(problems[p.id])}", _process_url(p)) for p in lacking]
    if not standard_saved:
        gaps.append(_standard_line(False))
    status = Status.MET if not gaps else Status.PARTLY
    finding = Finding(status, reasons, gaps)
    if detail:
        finding.blocks = _a1_blocks(programme, processes, facts)
    return finding


def _a1_blocks(programme: Programme, processes, facts) -> list:
    scores = completeness_by_process([p.id for p in processes])
    rows = [[Line(p.code, _process_url(p)), p.name, p.owner.name if p.owner else "—", str(facts[p.id].participants),
             str(facts[p.id].indicators), f"{scores[p.id].score} %"] for p in processes]
    table = Table(_("Processes of %(programme)s", programme=programme.name),
                  [_("Code"), _("Process"), _("Owner"), _("Participants"), _("Indicators"), _("Completeness")], rows)
    svg = render_template("processes/_map.svg", layout=maps.programme_map(programme), standalone=True)
    return [Figure(_("Process map of %(programme)s", programme=programme.name), svg), table]


def joint_map_evidence(detail: bool = False) -> Finding:
    """A2: a joint map with the other programmes; interface problems handled through SLAs that are complied with."""
    programmes = db.session.scalar(select(db.func.count()).select_from(Programme)) or 0
    states = [(i, s) for i, s in interfaces_with_state()
              if i.from_process.programme_id != i.to_process.programme_id]
    if programmes < 2 or not states:
        reason = (_("Only one programme is recorded: there is no joint map yet.") if programmes < 2 else
                  _("No interface between processes of different programmes has been recorded yet."))
        return Finding(Status.MISSING, [Line(reason)],
                       [Line(_("Record the interfaces with the other programmes"), url_for("processes.new_interface"))])
    problems = [(i, s) for i, s in states if (i.problem or "").strip()]
    with_sla = [(i, s) for i, s in states if (i.agreement or "").strip()]
    measured = [(i, s) for i, s in with_sla if s.status in (Compliance.COMPLIANT, Compliance.BREACHED)]
    complied = [(i, s) for i, s in measured if s.status == Compliance.COMPLIANT]
    reasons = [
        Line(_("%(programmes)d programmes on the joint map, with %(interfaces)d interfaces between them",
               programmes=programmes, interfaces=len(states)), url_for("processes.joint_map")),
        Line(_("%(problems)d interface problems identified; %(share)s interfaces have a service-level agreement",
               problems=len(problems), share=share(len(with_sla), len(states))), url_for("processes.interfaces")),
        Line(_("%(share)s measurable agreements complied with in their latest period",
               share=share(len(complied), len(measured))), url_for("processes.interfaces")),
    ]
    gaps = []
    for interface, state in states:
        if state.status in (Compliance.NO_AGREEMENT, Compliance.BREACHED, Compliance.NOT_MEASURABLE):
            gaps.append(Line(f"{interface.from_process.code} → {interface.to_process.code}: {state.status.label}",
                             url_for("processes.edit_interface", interface_id=interface.id)))
    finding = Finding(Status.MET if not gaps else Status.PARTLY, reasons, gaps)
    if detail:
        rows = [[Line(f"{i.from_process.code} → {i.to_process.code}",
                      url_for("processes.edit_interface", interface_id=i.id)), i.flow, i.problem or "—",
                 i.agreement or "—", s.status.label if s.status else "—",
                 f"{s.rate} %" if s.rate is not None else "—"] for i, s in states]
        finding.blocks = [
            Figure(_("Joint process map"), render_template("processes/_map.svg", layout=maps.joint_map(),
                                                           standalone=True)),
            Table(_("Interfaces between programmes"), [_("Interface"), _("What flows"), _("Problem identified"),
                  _("Agreement (SLA)"), _("Compliance"), _("Periods met")], rows),
        ]
    return finding
