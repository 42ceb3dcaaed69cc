"""C3: the improvements changed the way of operating — sheet revisions linked to improvements, process
diagrams and who holds the knowledge at each stage."""

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.findings import Figure, Finding, Line, Status, Table, share
from processes.diagrams import diagram_svg
from processes.models import KnowledgeHolder, Process, ProcessStage, ProcessStatus, Revision

#: How many recent revisions the detail table lists.
RECENT_REVISIONS = 25


def _revision_facts():
    """(processes revised after creation, revisions after the first, revisions linked to an improvement)."""
    later = select(Revision.process_id, func.count().label("n"), func.count(Revision.improvement_id).label("linked")
                   ).where(Revision.number > 1).group_by(Revision.process_id).subquery()
    row = db.session.execute(select(func.count(), func.coalesce(func.sum(later.c.n), 0),
                                    func.coalesce(func.sum(later.c.linked), 0)).select_from(later)).one()
    return int(row[0]), int(row[1]), int(row[2])


def _stages():
    """Every stage of every current process, with how many people hold its knowledge."""
    holders = (select(KnowledgeHolder.stage_id, func.count().label("n")).group_by(KnowledgeHolder.stage_id)
               .subquery())
    query = (select(ProcessStage, func.coalesce(holders.c.n, 0))
             .join(Process, Process.id == ProcessStage.process_id)
             .outerjoin(holders, holders.c.stage_id == ProcessStage.id)
             .where(Process.status != ProcessStatus.RETIRED)
             .options(joinedload(ProcessStage.process))
             .order_by(Process.code, ProcessStage.position, ProcessStage.id))
    return list(db.session.execute(query).all())


def change_evidence(detail: bool = False) -> Finding:
    """C3: met with sheet revisions linked to improvements and diagrams whose every stage names its knowledge
    holders; partly with some of it; missing with none."""
    revised, revisions, linked = _revision_facts()
    stages = _stages()
    diagrams = {stage.process_id for stage, _n in stages}
    unheld = [(stage, n) for stage, n in stages if n == 0]
    if not revisions and not stages:
        return Finding(Status.MISSING, [Line(_("No process sheet has been revised since it was created and no "
                                               "process diagram has been drawn yet."))],
                       [Line(_("Revise the sheets of the processes the improvements changed, giving the reason"),
                             url_for("processes.process_list"))])
    reasons = [
        Line(_("%(processes)d process sheets revised after their creation (%(revisions)d revisions); %(linked)s "
               "revisions linked to an improvement", processes=revised, revisions=revisions,
               linked=share(linked, revisions)), url_for("processes.process_list")),
        Line(_("%(diagrams)d processes have a diagram (%(stages)d stages); %(held)s stages name who holds the "
               "knowledge", diagrams=len(diagrams), stages=len(stages), held=share(len(stages) - len(unheld),
                                                                                       len(stages)))),
        Line(_("The people affected by each change, informed and trained, are recorded with the improvements."),
             url_for("improvements.index")),
    ]
    gaps = []
    if not linked:
        gaps.append(Line(_("No sheet revision is linked to an improvement yet"), url_for("processes.process_list")))
    if not stages:
        gaps.append(Line(_("No process diagram has been drawn yet"), url_for("processes.process_list")))
    gaps += [Line(_("%(code)s, stage “%(stage)s”: nobody holds its knowledge", code=stage.process.code,
                    stage=stage.name), url_for("processes.process_detail", process_id=stage.process_id))
             for stage, _n in unheld]
    finding = Finding(Status.MET if not gaps else Status.PARTLY, reasons, gaps)
    if detail:
        finding.blocks = _blocks(stages)
    return finding


def _blocks(stages) -> list:
    revisions = db.session.scalars(select(Revision).where(Revision.number > 1)
                                   .options(joinedload(Revision.process), joinedload(Revision.author))
                                   .order_by(Revision.created_at.desc(), Revision.id.desc()).limit(RECENT_REVISIONS))
    rows = [[Line(f"{r.process.code} rev. {r.number}", url_for("processes.revisions", process_id=r.process_id)),
             format_date(r.created_at, "short"), r.author.name if r.author else "—", r.reason,
             str(r.improvement_id) if r.improvement_id else "—"] for r in revisions]
    blocks = [Table(_("Latest revisions of process sheets"),
                    [_("Revision"), _("Date"), _("Author"), _("Reason for the change"), _("Improvement")], rows)]
    if stages:
        blocks.append(Table(_("Process diagram stages"), [_("Process"), _("Stage"), _("Responsible role"),
                                                          _("Knowledge holders")],
                            [[s.process.code, s.name, s.responsible_role, str(n)] for s, n in stages]))
    for process in {s.process.id: s.process for s, _n in stages}.values():
        blocks.append(Figure(_("Diagram of %(process)s", process=f"{process.code} · {process.name}"),
                             diagram_svg(process)))
    return blocks
