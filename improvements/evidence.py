"""C1 and C2's automatic evidence, and the E1 dashboard's hook.

Both criteria read the assessment the improvements module already makes for its C1 counter
(``improvements.queries.c1_overview``: SMART as it stands, before/after result, client valuation and the C1
reasons), so the checklist and the module's own pages always agree. A fixed number of queries, however many
improvements there are.
"""

from flask import url_for
from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from core.findings import Finding, Line, Status, Table, share
from improvements.models import DONE, EVIDENCE_LABELS, STATUS_LABELS, Improvement
from improvements.models import Status as ImprovementStatus
from improvements.queries import Assessment, c1_overview
from improvements.results import C1_REQUIRED, computed_for

#: Improvements whose SMART check has passed (an opportunity that fails stays an opportunity); cancelled ones
#: no longer measure anything.
SMART_STATUSES = (ImprovementStatus.PROPOSED, ImprovementStatus.APPROVED, ImprovementStatus.IN_PROGRESS,
                  ImprovementStatus.IMPLEMENTED, ImprovementStatus.VERIFIED)


def smart_indicator_ids() -> set[int]:
    """The process indicators that measure improvements which passed their SMART check (the E1 dashboard shows
    them first), in one query."""
    query = (select(Improvement.indicator_id).distinct()
             .where(Improvement.indicator_id.is_not(None), Improvement.status.in_(SMART_STATUSES)))
    return set(db.session.scalars(query))


def _url(improvement: Improvement) -> str:
    return url_for("improvements.improvement_detail", improvement_id=improvement.id)


def _number(value) -> str:
    return "—" if value is None else format_decimal(value, "#,##0.##")


def _unit(improvement: Improvement) -> str:
    unit = improvement.indicator.unit if improvement.indicator is not None else improvement.measure_unit
    return f" {unit}" if unit else ""


def _measure(improvement: Improvement) -> str:
    if improvement.indicator is not None:
        return f"{improvement.indicator.code} · {improvement.indicator.name}"
    return improvement.measure_name or "—"


def _change(assessment: Assessment) -> str:
    pct = assessment.result.change_pct
    return "—" if pct is None else f"{pct:+.1f} %"


def _before_after(improvement: Improvement, assessment: Assessment) -> str:
    """“40 → 85 % (+112.5 %)”."""
    result = assessment.result
    text = f"{_number(result.before)} → {_number(result.after)}{_unit(improvement)}"
    return f"{text} ({_change(assessment)})" if result.change_pct is not None else text


def _yes_no(value) -> str:
    return "—" if value is None else (_("yes") if value else _("no"))


def _named(improvement: Improvement) -> str:
    return f"{improvement.title} ({improvement.group.name})"


def improvement_groups_evidence(detail: bool = False) -> Finding:
    """C1: met when at least three improvements implemented through groups meet SMART and raised client loyalty
    or satisfaction (the C1 counter's rule); partly with one or two; missing with none."""
    c1, assessments = c1_overview()
    counter = url_for("improvements.c1")
    if not c1.qualifying and not c1.others:
        return Finding(Status.MISSING, [Line(_("No improvement carried out by an improvement group has been "
                                               "recorded yet."))],
                       [Line(_("Record the improvement groups' opportunities, SMART checks, priorities and actions"),
                             url_for("improvements.index"))])
    if c1.qualifying:
        summary = ngettext("%(num)d improvement qualifies (%(required)d needed): %(list)s",
                           "%(num)d improvements qualify (%(required)d needed): %(list)s", c1.count,
                           required=C1_REQUIRED, list="; ".join(_named(i) for i in c1.qualifying))
    else:
        summary = _("No improvement qualifies yet (%(required)d needed); %(n)d have been through the SMART check "
                    "or beyond", required=C1_REQUIRED, n=len(c1.others))
    reasons = [Line(summary, counter)]
    reasons += [Line(_("%(improvement)s: meets SMART, implemented, %(result)s, clients value it",
                       improvement=_named(i), result=_before_after(i, assessments[i.id])), _url(i))
                for i in c1.qualifying]
    others = [Line(_("%(improvement)s does not count: %(reasons)s", improvement=_named(i),
                     reasons=" ".join(str(r) for r in why)), _url(i)) for i, why in c1.others]
    gaps = []
    if c1.holds:
        reasons += others
        status = Status.MET
    else:
        gaps.append(Line(ngettext("%(num)d more qualifying improvement is needed",
                                  "%(num)d more qualifying improvements are needed", C1_REQUIRED - c1.count), counter))
        gaps += others
        status = Status.PARTLY if c1.qualifying else Status.MISSING
    finding = Finding(status, reasons, gaps)
    if detail:
        finding.blocks = [_c1_table(c1, assessments)]
    return finding


def _c1_table(c1, assessments) -> Table:
    rows = []
    for improvement, why in [(i, []) for i in c1.qualifying] + list(c1.others):
        assessment = assessments[improvement.id]
        rows.append([Line(improvement.title, _url(improvement)), improvement.group.name,
                     str(STATUS_LABELS[improvement.status]), _yes_no(assessment.smart_passed),
                     _before_after(improvement, assessment), _yes_no(assessment.valued),
                     _("yes") if not why else "; ".join(str(r) for r in why)])
    return Table(_("Improvements and the C1 rule"), [_("Improvement"), _("Group"), _("Status"), _("Meets SMART"),
                                                    _("Before → after"), _("Clients value it"), _("Counts for C1")],
                 rows)


def results_evidence(detail: bool = False) -> Finding:
    """C2: met when every implemented improvement has a value before and after and either improved or is
    valued by clients (favourable client evidence, or a perception indicator that rose); partly when at least
    one does; missing when none has been measured after the change."""
    c1, assessments = c1_overview()
    implemented = [i for i in c1.qualifying + [i for i, _why in c1.others] if i.status in DONE]
    implemented.sort(key=lambda i: i.id)
    if not implemented:
        return Finding(Status.MISSING, [Line(_("No improvement has been implemented yet, so no before/after "
                                               "results have been recorded."))],
                       [Line(_("Record the before and after results of each improvement"),
                             url_for("improvements.index"))])
    counter = url_for("improvements.c1")
    measured = [i for i in implemented if assessments[i.id].result.complete]
    improved = [i for i in measured if assessments[i.id].result.improved]
    on_target = [i for i in measured if assessments[i.id].result.target_met]
    valued = [i for i in implemented if assessments[i.id].valued]
    reasons = [
        Line(_("%(share)s implemented improvements have a value before and after; %(improved)d improved on their "
               "baseline and %(target)d reached their target", share=share(len(measured), len(implemented)),
               improved=len(improved), target=len(on_target)), counter),
        Line(_("%(share)s implemented improvements are valued by clients (favourable client evidence or a "
               "perception indicator that rose)", share=share(len(valued), len(implemented))), counter),
    ]
    gaps = []
    for improvement in implemented:
        assessment = assessments[improvement.id]
        result = assessment.result
        if result.complete:
            target = ("" if result.target_met is None else
                      _(", target %(target)s reached", target=_number(result.target)) if result.target_met else
                      _(", target %(target)s not reached", target=_number(result.target)))
            valuation = _("clients value it") if assessment.valued else _("no client valuation recorded")
            reasons.append(Line(_("%(improvement)s: %(result)s%(target)s; %(valuation)s",
                                  improvement=improvement.title, result=_before_after(improvement, assessment),
                                  target=target, valuation=valuation), _url(improvement)))
        if result.after is None:
            gaps.append(Line(_("%(improvement)s: no result measured after the change", improvement=improvement.title),
                             _url(improvement)))
        elif result.before is None:
            gaps.append(Line(_("%(improvement)s: no baseline to compare the result with",
                               improvement=improvement.title), _url(improvement)))
        elif not result.improved and not assessment.valued:
            gaps.append(Line(_("%(improvement)s: the result did not improve and nothing shows that clients value "
                               "it", improvement=improvement.title), _url(improvement)))
    if not gaps:
        status = Status.MET
    elif any(assessments[i.id].result.improved or assessments[i.id].valued for i in measured):
        status = Status.PARTLY
    else:
        status = Status.MISSING
    finding = Finding(status, reasons, gaps)
    if detail:
        finding.blocks = _c2_blocks(implemented, assessments)
    return finding


def _period(day) -> str:
    return format_date(day, "MMM yyyy") if day else ""


def _c2_blocks(improvements, assessments) -> list:
    computed = computed_for(improvements)
    rows = []
    for improvement in improvements:
        result = assessments[improvement.id].result
        rows.append([Line(improvement.title, _url(improvement)), _measure(improvement),
                     " ".join(filter(None, (_number(result.before), _period(result.before_period)))),
                     " ".join(filter(None, (_number(result.after), _period(result.after_period)))),
                     _change(assessments[improvement.id]), _number(result.target), _yes_no(result.target_met),
                     _yes_no(assessments[improvement.id].valued)])
    blocks = [Table(_("Before and after each implemented improvement"),
                    [_("Improvement"), _("Measure"), _("Before"), _("After"), _("Change"), _("Target"),
                     _("Target reached"), _("Clients value it")], rows)]
    evidence = []
    for improvement in improvements:
        for item in improvement.evidence:
            evidence.append([Line(improvement.title, _url(improvement)), str(EVIDENCE_LABELS[item.kind]), item.title,
                             _number(item.before_value), _number(item.after_value), _yes_no(item.favourable),
                             item.finding or "—"])
        for item in computed.get(improvement.id, []):
            evidence.append([Line(improvement.title, _url(improvement)), str(EVIDENCE_LABELS.get(item.kind, item.kind)),
                             item.title, _number(item.before_value), _number(item.after_value),
                             _yes_no(item.favourable), "—"])
    if evidence:
        blocks.append(Table(_("Client evidence of the implemented improvements"),
                            [_("Improvement"), _("Kind"), _("Evidence"), _("Before"), _("After"), _("Favourable"),
                             _("Finding")], evidence))
    return blocks
