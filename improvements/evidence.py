"""The automatic evidence of the criteria whose data is the improvement groups'.

- **C1**: at least three improvements implemented through groups meet SMART and raised client loyalty or
  satisfaction — the C1 counter's own rule.
- **C2**: every implemented improvement has its result before and after and improved, or clients value it.
  Its client evidence is entered (``Evidence`` rows) or computed by the packages that hold the data — the
  complaints before and after (``voice/evidence.py``) and the targeted survey item wave over wave
  (``surveys/evidence.py``) — which ``improvements.results.computed_for`` collects.
- **C3**: the improvements changed the way of operating — sheet revisions linked to improvements, process
  diagrams and who holds the knowledge at each stage.

C1 and C2 read the assessment the improvements package already makes for its C1 counter
(``improvements.queries.c1_overview``: SMART as it stands, before/after result, client valuation and the C1
reasons), so the checklist and the package's own pages always agree. Each criterion in three parts: its
**facts** (a frozen dataclass read in a fixed number of queries, however many improvements there are), its
**rule** (``c1_status(facts)``: pure) and its **wording** (``c1_finding(facts, detail)``).
"""

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import format_date, format_decimal, ngettext, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.findings import (
    Figure,
    Finding,
    Line,
    Status,
    Table,
    Threshold,
    share,
    stored_thresholds,
    threshold_values,
    thresholds_table,
)
from core.i18n import signed_percent
from improvements.models import (
    DONE,
    EVIDENCE_LABELS,
    STATUS_LABELS,
    AffectedPerson,
    ChangedStage,
    Improvement,
    ImprovementKind,
    PriorityCriterion,
    PriorityScore,
    ProcessChange,
    Training,
    TrainingAttendee,
)
from improvements.models import Status as ImprovementStatus
from improvements.queries import Assessment, c1_overview
from improvements.results import C1_REQUIRED, C1Status, computed_for, understanding_for
from improvements.scoring import weighted_score
from processes.diagrams import pack_figures as diagram_figures
from processes.models import KnowledgeHolder, Process, ProcessStage, ProcessStatus, Revision

#: Improvements whose SMART check has passed (an opportunity that fails stays an opportunity); cancelled ones
#: no longer measure anything.
SMART_STATUSES = (ImprovementStatus.PROPOSED, ImprovementStatus.APPROVED, ImprovementStatus.IN_PROGRESS,
                  ImprovementStatus.IMPLEMENTED, ImprovementStatus.VERIFIED)
#: How many recent revisions C3's detail table lists.
RECENT_REVISIONS = 25


def smart_indicator_ids() -> set[int]:
    """The process indicators that measure improvements which passed their SMART check (the E1 dashboard shows
    them first), in one query."""
    query = (select(Improvement.indicator_id).distinct()
             .where(Improvement.indicator_id.is_not(None), Improvement.status.in_(SMART_STATUSES),
                    Improvement.kind == ImprovementKind.IMPROVEMENT))
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
    return signed_percent(pct)


def _before_after(improvement: Improvement, assessment: Assessment) -> str:
    """“40 → 85 % (+112.5 %)”."""
    result = assessment.result
    text = f"{_number(result.before)} → {_number(result.after)}{_unit(improvement)}"
    return f"{text} ({_change(assessment)})" if result.change_pct is not None else text


def _yes_no(value) -> str:
    return "—" if value is None else (_("yes") if value else _("no"))


def _named(improvement: Improvement) -> str:
    return f"{improvement.title} ({improvement.group.name})"


# --- C1 ---------------------------------------------------------------------------------------------


C1_THRESHOLDS = (Threshold("improvements_needed", _l("Qualifying improvements needed"), C1_REQUIRED, 1, 50),)


@dataclass(frozen=True)
class C1Facts:
    #: The C1 counter's verdict: the qualifying improvements and the others with their reasons.
    c1: C1Status
    #: improvement id → ``queries.Assessment``.
    assessments: dict
    #: improvement id → its weighted prioritisation score (0–100), None while a weighted criterion is unscored.
    priorities: dict = field(default_factory=dict)
    limits: dict = field(default_factory=lambda: threshold_values(C1_THRESHOLDS, None))

    @property
    def enough(self) -> bool:
        return len(self.c1.qualifying) >= self.limits["improvements_needed"]

    @property
    def unprioritised(self) -> list:
        """The qualifying improvements without a prioritisation score."""
        return [i for i in self.c1.qualifying if self.priorities.get(i.id) is None]


def c1_facts(thresholds: dict | None = None) -> C1Facts:
    limits = threshold_values(C1_THRESHOLDS, thresholds)
    c1, assessments = c1_overview(limits["improvements_needed"])
    ids = [i.id for i in c1.qualifying] + [i.id for i, _why in c1.others]
    return C1Facts(c1, assessments, _priorities(ids), limits)


def c1_counter_required() -> int:
    """The qualifying improvements the C1 counter pages ask for: what the criteria set in use states for C1, its
    default when the set states none."""
    return threshold_values(C1_THRESHOLDS, stored_thresholds("C1"))["improvements_needed"]


def _priorities(ids: list[int]) -> dict[int, float | None]:
    """Each improvement's weighted prioritisation score (``scoring.weighted_score``), in two queries."""
    if not ids:
        return {}
    criteria = list(db.session.scalars(select(PriorityCriterion)))
    scores: dict[int, dict[int, int]] = {i: {} for i in ids}
    for improvement_id, criterion_id, score in db.session.execute(
            select(PriorityScore.improvement_id, PriorityScore.criterion_id, PriorityScore.score)
            .where(PriorityScore.improvement_id.in_(ids))):
        scores[improvement_id][criterion_id] = score
    return {i: weighted_score(scores[i], criteria) for i in ids}


def c1_status(facts: C1Facts) -> Status:
    """Met with ``improvements_needed`` qualifying improvements, each with its prioritisation score; partly
    with one or more; missing with none."""
    if facts.enough and not facts.unprioritised:
        return Status.MET
    return Status.PARTLY if facts.c1.qualifying else Status.MISSING


def c1_rule(facts: C1Facts) -> Line:
    """C1's rule in words, with the number it uses."""
    return Line(_("C1 is met when at least %(needed)d improvements carried out by improvement groups meet the SMART "
                  "conditions, are implemented, raised the result or are valued by clients, and each was "
                  "prioritised (it has a prioritisation score).", needed=facts.limits["improvements_needed"]),
                url_for("improvements.c1"))


def c1_finding(facts: C1Facts, detail: bool = False) -> Finding:
    """C1 in words: the qualifying improvements, and why each other one does not count (in detail a table)."""
    c1, counter = facts.c1, url_for("improvements.c1")
    if not c1.qualifying and not c1.others:
        return Finding(Status.MISSING, [c1_rule(facts), Line(_("No improvement carried out by an improvement group "
                                                               "has been recorded yet."))],
                       [Line(_("Record the improvement groups' opportunities, SMART checks, priorities and actions"),
                             url_for("improvements.index"))],
                       [thresholds_table(C1_THRESHOLDS, facts.limits)] if detail else [])
    others = [Line(_("%(improvement)s does not count: %(reasons)s", improvement=_named(i),
                     reasons=" ".join(str(r) for r in why)), _url(i)) for i, why in c1.others]
    reasons, gaps = [c1_rule(facts), *_c1_reasons(facts)], []
    if facts.enough:
        reasons += others
    else:
        gaps = [Line(ngettext("%(num)d more qualifying improvement is needed",
                              "%(num)d more qualifying improvements are needed",
                              facts.limits["improvements_needed"] - c1.count), counter)] + others
    gaps += [Line(_("%(improvement)s counts, but has no prioritisation score: score it on every weighted "
                    "criterion", improvement=_named(i)), _url(i)) for i in facts.unprioritised]
    finding = Finding(c1_status(facts), reasons, gaps)
    if detail:
        finding.blocks = [thresholds_table(C1_THRESHOLDS, facts.limits), _c1_table(facts)]
    return finding


def _c1_reasons(facts: C1Facts) -> list[Line]:
    c1 = facts.c1
    if c1.qualifying:
        summary = ngettext("%(num)d improvement qualifies (%(required)d needed): %(list)s",
                           "%(num)d improvements qualify (%(required)d needed): %(list)s", c1.count,
                           required=facts.limits["improvements_needed"],
                           list="; ".join(_named(i) for i in c1.qualifying))
    else:
        summary = _("No improvement qualifies yet (%(required)d needed); %(n)d have been through the SMART check "
                    "or beyond", required=facts.limits["improvements_needed"], n=len(c1.others))
    return [Line(summary, url_for("improvements.c1"))] + [
        Line(_("%(improvement)s: meets SMART, implemented, %(result)s, clients value it; prioritisation score "
               "%(score)s", improvement=_named(i), result=_before_after(i, facts.assessments[i.id]),
               score=_number(facts.priorities.get(i.id))), _url(i)) for i in c1.qualifying]


def _c1_table(facts: C1Facts) -> Table:
    rows = []
    for improvement, why in [(i, []) for i in facts.c1.qualifying] + list(facts.c1.others):
        assessment = facts.assessments[improvement.id]
        rows.append([Line(improvement.title, _url(improvement)), improvement.group.name,
                     str(STATUS_LABELS[improvement.status]), _yes_no(assessment.smart_passed),
                     _number(facts.priorities.get(improvement.id)), _before_after(improvement, assessment),
                     _yes_no(assessment.valued), _("yes") if not why else "; ".join(str(r) for r in why)])
    return Table(_("Improvements and the C1 rule"), [_("Improvement"), _("Group"), _("Status"), _("Meets SMART"),
                                                    _("Prioritisation score (0–100)"), _("Before → after"),
                                                    _("Clients value it"), _("Counts for C1")], rows)


def improvement_groups_evidence(detail: bool = False, thresholds: dict | None = None) -> Finding:
    """C1's automatic evidence, from the data as it is now, with the criteria set's thresholds."""
    return c1_finding(c1_facts(thresholds), detail)


# --- C2 ---------------------------------------------------------------------------------------------


C2_THRESHOLDS = (
    Threshold("min_understanding_share", _l("Answers to “I know about the change to …” that agree (%)"), 60, 0, 100),
    Threshold("min_understanding_answers", _l("Answers the understanding item needs in a wave"), 5, 1, 1000),
)


@dataclass(frozen=True)
class C2Facts:
    #: The implemented (or verified) improvements the C1 counter assessed, by id.
    implemented: tuple
    #: improvement id → ``queries.Assessment``.
    assessments: dict
    #: improvement id → ``results.Understanding``: the latest wave's answers to "I know about the change to …".
    understanding: dict = field(default_factory=dict)
    limits: dict = field(default_factory=lambda: threshold_values(C2_THRESHOLDS, None))

    @property
    def measured(self) -> list:
        """Those with a value before and after."""
        return [i for i in self.implemented if self.assessments[i.id].result.complete]

    def evident(self, improvement) -> bool:
        """The positive result is clearly evident: it improved on the baseline and did not miss its target."""
        result = self.assessments[improvement.id].result
        return result.improved and result.target_met is not False

    def understood(self, improvement) -> bool:
        """Enough clients answered "I know about the change to …" in its latest wave, and enough of them agree."""
        found, limits = self.understanding.get(improvement.id), self.limits
        return (found is not None and found.answers >= limits["min_understanding_answers"]
                and found.share >= limits["min_understanding_share"])

    def shown(self, improvement) -> bool:
        """C2's wording: clients understand the improvement and value it, or its positive result is evident."""
        return self.evident(improvement) or (self.assessments[improvement.id].valued and self.understood(improvement))

    def lacks(self, improvement) -> bool:
        """Whether a value is missing, or neither is the result evident nor do clients understand and value it."""
        return not self.assessments[improvement.id].result.complete or not self.shown(improvement)


def c2_facts(thresholds: dict | None = None) -> C2Facts:
    c1, assessments = c1_overview()
    implemented = sorted((i for i in c1.qualifying + [i for i, _why in c1.others] if i.status in DONE),
                         key=lambda i: i.id)
    return C2Facts(tuple(implemented), assessments, understanding_for(implemented),
                   threshold_values(C2_THRESHOLDS, thresholds))


def c2_status(facts: C2Facts) -> Status:
    """Missing with nothing implemented; met when every implemented improvement was measured before and after
    and either its result is evident (improved, target not missed) or clients understand it (the understanding
    item's thresholds) and value it; partly when a measured one shows any of these; missing otherwise."""
    if not facts.implemented:
        return Status.MISSING
    if not any(map(facts.lacks, facts.implemented)):
        return Status.MET
    shown = any(facts.assessments[i.id].result.improved or facts.assessments[i.id].valued or facts.understood(i)
                for i in facts.measured)
    return Status.PARTLY if shown else Status.MISSING


def c2_rule(facts: C2Facts) -> Line:
    """C2's rule in words, with the numbers it uses."""
    return Line(_("C2 is met when every implemented improvement has its result before and after, and either the "
                  "result is clearly better (improved on its baseline without missing its target) or clients "
                  "understand it — at least %(answers)d answers to “I know about the change to …” in a wave, "
                  "%(share)d %% of them agreeing — and value it.", answers=facts.limits["min_understanding_answers"],
                  share=facts.limits["min_understanding_share"]), url_for("improvements.c1"))


def c2_finding(facts: C2Facts, detail: bool = False) -> Finding:
    """C2 in words: the results before and after, client valuation, and what each improvement lacks (in detail
    the before/after table and the client evidence)."""
    if not facts.implemented:
        return Finding(Status.MISSING, [c2_rule(facts), Line(_("No improvement has been implemented yet, so no "
                                                               "before/after results have been recorded."))],
                       [Line(_("Record the before and after results of each improvement"),
                             url_for("improvements.index"))],
                       [thresholds_table(C2_THRESHOLDS, facts.limits)] if detail else [])
    reasons = [c2_rule(facts), *_c2_summary(facts), *(_c2_result(i, facts.assessments[i.id]) for i in facts.measured)]
    finding = Finding(c2_status(facts), reasons, [_c2_gap(facts, i) for i in facts.implemented if facts.lacks(i)])
    if detail:
        finding.blocks = [thresholds_table(C2_THRESHOLDS, facts.limits), *_c2_blocks(facts)]
    return finding


def _c2_summary(facts: C2Facts) -> list[Line]:
    implemented, measured, counter = facts.implemented, facts.measured, url_for("improvements.c1")
    improved = [i for i in measured if facts.assessments[i.id].result.improved]
    on_target = [i for i in measured if facts.assessments[i.id].result.target_met]
    valued = [i for i in implemented if facts.assessments[i.id].valued]
    return [
        Line(_("%(share)s implemented improvements have a value before and after; %(improved)d improved on their "
               "baseline and %(target)d reached their target", share=share(len(measured), len(implemented)),
               improved=len(improved), target=len(on_target)), counter),
        Line(_("%(share)s implemented improvements are valued by clients (favourable client evidence or a "
               "perception indicator that rose)", share=share(len(valued), len(implemented))), counter),
        Line(_("%(share)s implemented improvements are understood by clients (“I know about the change to …” in "
               "a client survey)", share=share(sum(map(facts.understood, implemented)), len(implemented))),
             url_for("surveys.index")),
        *(_understanding_line(i, facts.understanding[i.id]) for i in implemented if i.id in facts.understanding),
    ]


def _understanding_line(improvement: Improvement, found) -> Line:
    return Line(_("%(improvement)s: %(agreeing)d of %(answers)d clients (%(share)s %%) say they know about the "
                  "change (%(wave)s)", improvement=improvement.title, agreeing=found.agreeing, answers=found.answers,
                  share=format_decimal(round(found.share), "#,##0"), wave=found.wave), found.url)


def _c2_result(improvement: Improvement, assessment: Assessment) -> Line:
    result = assessment.result
    target = ("" if result.target_met is None else
              _(", target %(target)s reached", target=_number(result.target)) if result.target_met else
              _(", target %(target)s not reached", target=_number(result.target)))
    valuation = _("clients value it") if assessment.valued else _("no client valuation recorded")
    return Line(_("%(improvement)s: %(result)s%(target)s; %(valuation)s", improvement=improvement.title,
                  result=_before_after(improvement, assessment), target=target, valuation=valuation),
                _url(improvement))


def _c2_gap(facts: C2Facts, improvement: Improvement) -> Line:
    assessment = facts.assessments[improvement.id]
    if assessment.result.after is None:
        text = _("%(improvement)s: no result measured after the change", improvement=improvement.title)
    elif assessment.result.before is None:
        text = _("%(improvement)s: no baseline to compare the result with", improvement=improvement.title)
    elif assessment.valued:
        text = _("%(improvement)s: the result is not clearly better, and no client survey shows that clients "
                 "understand the change: add “I know about the change to …” to a client survey",
                 improvement=improvement.title)
    else:
        text = _("%(improvement)s: the result is not clearly better and nothing shows that clients value and "
                 "understand it", improvement=improvement.title)
    return Line(text, _url(improvement))


def _period(day) -> str:
    return format_date(day, "MMM yyyy") if day else ""


def _c2_blocks(facts: C2Facts) -> list:
    rows = []
    for improvement in facts.implemented:
        assessment = facts.assessments[improvement.id]
        result = assessment.result
        rows.append([Line(improvement.title, _url(improvement)), _measure(improvement),
                     " ".join(filter(None, (_number(result.before), _period(result.before_period)))),
                     " ".join(filter(None, (_number(result.after), _period(result.after_period)))),
                     _change(assessment), _number(result.target), _yes_no(result.target_met),
                     _yes_no(assessment.valued), _understood_cell(facts, improvement)])
    blocks = [Table(_("Before and after each implemented improvement"),
                    [_("Improvement"), _("Measure"), _("Before"), _("After"), pgettext("figure", "Change"), _("Target"),
                     _("Target reached"), _("Clients value it"),
                     _("Clients know about the change")], rows)]
    evidence = _client_evidence_rows(facts.implemented)
    if evidence:
        blocks.append(Table(_("Client evidence of the implemented improvements"),
                            [_("Improvement"), _("Kind"), _("Evidence"), _("Before"), _("After"), _("Better when"),
                             _("Favourable"), _("Finding")], evidence))
    return blocks


def _understood_cell(facts: C2Facts, improvement: Improvement) -> str:
    """“72 % of 240 (Oleada 2026)”, or a dash without an understanding item answered."""
    found = facts.understanding.get(improvement.id)
    if found is None:
        return "—"
    return _("%(share)s %% of %(answers)d (%(wave)s)", share=format_decimal(round(found.share), "#,##0"),
             answers=found.answers, wave=found.wave)


def _client_evidence_rows(improvements) -> list[list]:
    """Entered and computed client evidence, improvement by improvement."""
    computed, rows = computed_for(improvements), []
    for improvement in improvements:
        link = Line(improvement.title, _url(improvement))
        rows += [[link, str(EVIDENCE_LABELS[item.kind]), *_evidence_values(item), item.finding or "—"]
                 for item in improvement.evidence]
        rows += [[link, str(EVIDENCE_LABELS.get(item.kind, item.kind)), *_evidence_values(item), "—"]
                 for item in computed.get(improvement.id, [])]
    return rows


def _evidence_values(item) -> list[str]:
    """Title, before, after, the direction they are read in and whether they are favourable: the verdict is
    the figures' own (``reads_favourable``), so 38 → 17 complaints cannot read as unfavourable."""
    better = _("Higher is better") if item.better_higher else _("Lower is better")
    return [item.title, _number(item.before_value), _number(item.after_value), better,
            _yes_no(item.reads_favourable)]


def results_evidence(detail: bool = False, thresholds: dict | None = None) -> Finding:
    """C2's automatic evidence, from the data as it is now, with the criteria set's thresholds."""
    return c2_finding(c2_facts(thresholds), detail)


# --- C3 ---------------------------------------------------------------------------------------------

C3_THRESHOLDS = (
    Threshold("min_process_changes", _l("Processes each counted improvement must have changed"), 1, 1, 50),
    Threshold("min_affected_people", _l("People affected each counted improvement must list"), 1, 1, 500),
    Threshold("min_sessions", _l("Information or training sessions each counted improvement must record"), 1, 1, 50),
)


@dataclass(frozen=True)
class ChangeRecord:
    """What one counted improvement changed in the way of operating, counted from its records."""

    improvement: Improvement
    #: The codes of the processes it changed, and how many of those changes name their sheet revision.
    processes: tuple = ()
    with_revision: int = 0
    #: The codes of changed processes without a current diagram; how many changes name no diagram stage.
    without_diagram: tuple = ()
    without_stage: int = 0
    stages: int = 0
    affected: int = 0
    #: Sessions where people were only informed, training sessions, and the people who attended either.
    informed: int = 0
    trained: int = 0
    attendees: int = 0

    def lacks(self, limits: dict) -> tuple[str, ...]:
        """What C3 asks of a counted improvement that this one lacks."""
        changes = len(self.processes)
        return tuple(name for name, missing in (
            ("change", changes < limits["min_process_changes"]),
            ("revision", self.with_revision < changes),
            ("diagram", bool(self.without_diagram)),
            ("stage", self.without_stage > 0),
            ("affected", self.affected < limits["min_affected_people"]),
            ("sessions", self.informed + self.trained < limits["min_sessions"])) if missing)


@dataclass(frozen=True)
class C3Facts:
    #: Processes whose sheet was revised after its creation, the revisions after the first, and how many of
    #: those are linked to an improvement.
    revised: int
    revisions: int
    linked: int
    #: (stage, knowledge holders) of every stage of every current process's diagram.
    stages: tuple = ()
    #: A ``ChangeRecord`` per counted improvement (implemented or verified).
    counted: tuple = ()
    limits: dict = field(default_factory=lambda: threshold_values(C3_THRESHOLDS, None))

    @property
    def diagrams(self) -> set[int]:
        return {stage.process_id for stage, _n in self.stages}

    @property
    def unheld(self) -> list:
        return [(stage, n) for stage, n in self.stages if n == 0]

    @property
    def failing(self) -> list:
        return [record for record in self.counted if record.lacks(self.limits)]


def c3_facts(thresholds: dict | None = None) -> C3Facts:
    """A fixed number of queries: the revisions after the first per process, the diagram stages with their
    holders, and each implemented improvement's process changes, people affected and sessions."""
    later = select(Revision.process_id, func.count().label("n"), func.count(Revision.improvement_id).label("linked")
                   ).where(Revision.number > 1).group_by(Revision.process_id).subquery()
    revised, revisions, linked = db.session.execute(
        select(func.count(), func.coalesce(func.sum(later.c.n), 0), func.coalesce(func.sum(later.c.linked), 0))
        .select_from(later)).one()
    holders = (select(KnowledgeHolder.stage_id, func.count().label("n")).group_by(KnowledgeHolder.stage_id)
               .subquery())
    stages = tuple(db.session.execute(
        select(ProcessStage, func.coalesce(holders.c.n, 0)).join(Process, Process.id == ProcessStage.process_id)
        .outerjoin(holders, holders.c.stage_id == ProcessStage.id).where(Process.status != ProcessStatus.RETIRED)
        .options(joinedload(ProcessStage.process))
        .order_by(Process.code, ProcessStage.position, ProcessStage.id)).all())
    diagrams = {stage.process_id for stage, _n in stages}
    return C3Facts(int(revised), int(revisions), int(linked), stages, _change_records(diagrams),
                   threshold_values(C3_THRESHOLDS, thresholds))


def _change_records(diagrams: set[int]) -> tuple[ChangeRecord, ...]:
    # A corrective action's change is the reviewer's to verify, not C3's way of operating changed by a group.
    improvements = list(db.session.scalars(select(Improvement).where(Improvement.status.in_(DONE),
                                                                     Improvement.kind == ImprovementKind.IMPROVEMENT)
                                           .options(joinedload(Improvement.group)).order_by(Improvement.id)))
    ids = [i.id for i in improvements]
    if not ids:
        return ()
    touched = (select(ChangedStage.change_id, func.count().label("n")).group_by(ChangedStage.change_id).subquery())
    changes = db.session.execute(
        select(ProcessChange.improvement_id, Process.id, Process.code, ProcessChange.revision_id,
               func.coalesce(touched.c.n, 0)).join(Process, Process.id == ProcessChange.process_id)
        .outerjoin(touched, touched.c.change_id == ProcessChange.id)
        .where(ProcessChange.improvement_id.in_(ids)).order_by(Process.code)).all()
    affected = dict(db.session.execute(select(AffectedPerson.improvement_id, func.count())
                                       .where(AffectedPerson.improvement_id.in_(ids))
                                       .group_by(AffectedPerson.improvement_id)).all())
    sessions = _session_counts(ids)
    return tuple(_change_record(i, [c for c in changes if c[0] == i.id], diagrams, affected.get(i.id, 0),
                                sessions.get(i.id, (0, 0, 0))) for i in improvements)


def _session_counts(ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """improvement id → (information sessions, training sessions, distinct attendees), in two queries."""
    found: dict[int, list[int]] = {}
    for improvement_id, is_training, n in db.session.execute(
            select(Training.improvement_id, Training.is_training, func.count()).where(Training.improvement_id.in_(ids))
            .group_by(Training.improvement_id, Training.is_training)):
        found.setdefault(improvement_id, [0, 0, 0])[1 if is_training else 0] += n
    for improvement_id, n in db.session.execute(
            select(Training.improvement_id, func.count(func.distinct(TrainingAttendee.user_id)))
            .join(TrainingAttendee, TrainingAttendee.training_id == Training.id)
            .where(Training.improvement_id.in_(ids)).group_by(Training.improvement_id)):
        found.setdefault(improvement_id, [0, 0, 0])[2] = n
    return {key: tuple(value) for key, value in found.items()}


def _change_record(improvement, changes, diagrams: set[int], affected: int, sessions) -> ChangeRecord:
    return ChangeRecord(
        improvement, tuple(code for _i, _p, code, _r, _n in changes), sum(r is not None for *_x, r, _n in changes),
        tuple(sorted({code for _i, pid, code, _r, _n in changes if pid not in diagrams})),
        sum(n == 0 for *_x, n in changes), sum(n for *_x, n in changes), affected, *sessions)


def c3_status(facts: C3Facts) -> Status:
    """Missing with nothing changed (no revision, no diagram, no process change of an improvement); met when
    there are counted improvements and every one passes (``ChangeRecord.lacks``: a process change with its
    revision, the changed processes' current diagrams and stages touched, the people affected and the sessions
    that informed or trained them) and every diagram stage names its knowledge holders; partly otherwise."""
    if not facts.revisions and not facts.stages and not any(r.processes for r in facts.counted):
        return Status.MISSING
    return Status.MET if facts.counted and not facts.failing and not facts.unheld else Status.PARTLY


def c3_rule(facts: C3Facts) -> Line:
    """C3's rule in words, with the numbers it uses."""
    limits = facts.limits
    return Line(_("C3 is met when every counted improvement (implemented or verified) changed processes with their "
                  "sheet revision (processes: at least %(changes)d), each changed process has a current diagram "
                  "with the stages touched, the affected people are listed (people: at least %(people)d) and "
                  "information or training is recorded (sessions: at least %(sessions)d); and every diagram stage "
                  "names who holds its knowledge.", changes=limits["min_process_changes"],
                  people=limits["min_affected_people"],
                  sessions=limits["min_sessions"]), url_for("improvements.index"))


def c3_finding(facts: C3Facts, detail: bool = False) -> Finding:
    """C3 in words: the rule, each counted improvement's change, the revisions and the diagrams (in detail the
    thresholds, the per-improvement table, the latest revisions, the stages and each diagram)."""
    if c3_status(facts) == Status.MISSING:
        return Finding(Status.MISSING, [c3_rule(facts), Line(_(
            "No process sheet has been revised since it was created, no process diagram has been drawn and no "
            "improvement records a change in a process yet."))],
                       [Line(_("Revise the sheets of the processes the improvements changed, giving the reason"),
                             url_for("processes.process_list"))],
                       [thresholds_table(C3_THRESHOLDS, facts.limits)] if detail else [])
    finding = Finding(c3_status(facts), [c3_rule(facts), *_c3_reasons(facts)], _c3_gaps(facts))
    if detail:
        finding.blocks = [thresholds_table(C3_THRESHOLDS, facts.limits), *_c3_blocks(facts)]
    return finding


def _c3_reasons(facts: C3Facts) -> list[Line]:
    stages, counted = len(facts.stages), facts.counted
    return [
        Line(_("%(share)s counted improvements meet the rule", share=share(len(counted) - len(facts.failing),
                                                                          len(counted))), url_for("improvements.c1")),
        Line(_("%(processes)d process sheets revised after their creation (%(revisions)d revisions); %(linked)s "
               "revisions linked to an improvement", processes=facts.revised, revisions=facts.revisions,
               linked=share(facts.linked, facts.revisions)), url_for("processes.process_list")),
        Line(_("%(diagrams)d processes have a diagram (%(stages)d stages); %(held)s stages name who holds the "
               "knowledge", diagrams=len(facts.diagrams), stages=stages,
               held=share(stages - len(facts.unheld), stages))),
    ]


def _lack_words(record: ChangeRecord, limits: dict) -> str:
    words = {
        "change": _("%(have)d of %(need)d processes changed", have=len(record.processes),
                    need=limits["min_process_changes"]),
        "revision": _("%(share)s changes name their sheet revision",
                      share=share(record.with_revision, len(record.processes))),
        "diagram": _("no current diagram of %(codes)s", codes=", ".join(record.without_diagram)),
        "stage": _("%(num)d changes name no diagram stage", num=record.without_stage),
        "affected": _("%(have)d of %(need)d affected people listed", have=record.affected,
                      need=limits["min_affected_people"]),
        "sessions": _("%(have)d of %(need)d information or training sessions",
                      have=record.informed + record.trained, need=limits["min_sessions"]),
    }
    return "; ".join(words[name] for name in record.lacks(limits))


def _c3_gaps(facts: C3Facts) -> list[Line]:
    gaps = [Line(f"{_named(r.improvement)}: {_lack_words(r, facts.limits)}", _url(r.improvement))
            for r in facts.failing]
    if not facts.counted:
        gaps.append(Line(_("No improvement has been implemented yet: C3 counts the changes of implemented "
                           "improvements"), url_for("improvements.index")))
    if not facts.stages:
        gaps.append(Line(_("No process diagram has been drawn yet"), url_for("processes.process_list")))
    return gaps + [Line(_("%(code)s, stage “%(stage)s”: nobody holds its knowledge", code=stage.process.code,
                          stage=stage.name), url_for("processes.process_detail", process_id=stage.process_id))
                   for stage, _n in facts.unheld]


def _c3_improvement_table(facts: C3Facts) -> Table:
    rows = [[Line(r.improvement.title, _url(r.improvement)), ", ".join(r.processes) or "—",
             share(r.with_revision, len(r.processes)) if r.processes else "—",
             _yes_no(not r.without_diagram) if r.processes else "—", str(r.stages), str(r.affected),
             str(r.informed), str(r.trained), str(r.attendees),
             _("yes") if not r.lacks(facts.limits) else _lack_words(r, facts.limits)] for r in facts.counted]
    return Table(_("Counted improvements and the change in the way of operating"),
                 [_("Improvement"), _("Processes changed"), _("With sheet revision"), _("Current diagram"),
                  _("Stages touched"), _("People affected"), _("Information sessions"), _("Training sessions"),
                  _("People informed or trained"), _("Meets C3")], rows)


def _c3_blocks(facts: C3Facts) -> list:
    revisions = db.session.scalars(select(Revision).where(Revision.number > 1)
                                   .options(joinedload(Revision.process), joinedload(Revision.author))
                                   .order_by(Revision.created_at.desc(), Revision.id.desc()).limit(RECENT_REVISIONS))
    rows = [[Line(f"{r.process.code} rev. {r.number}", url_for("processes.revisions", process_id=r.process_id)),
             format_date(r.created_at, "short"), r.author.name if r.author else "—", r.reason,
             str(r.improvement_id) if r.improvement_id else "—"] for r in revisions]
    blocks = [_c3_improvement_table(facts)] if facts.counted else []
    blocks.append(Table(_("Latest revisions of process sheets"),
                        [_("Revision"), _("Date"), _("Author"), _("Reason for the change"), _("Improvement")], rows))
    if facts.stages:
        blocks.append(Table(_("Process diagram stages"), [_("Process"), _("Stage"), _("Responsible role"),
                                                          _("Knowledge holders")],
                            [[s.process.code, s.name, s.responsible_role, str(n)] for s, n in facts.stages]))
    for process in {s.process.id: s.process for s, _n in facts.stages}.values():
        blocks += [Figure(title, svg, landscape=True) for title, svg in diagram_figures(process)]
    return blocks


def change_evidence(detail: bool = False, thresholds: dict | None = None) -> Finding:
    """C3's automatic evidence, from the data as it is now, with the criteria set's thresholds."""
    return c3_finding(c3_facts(thresholds), detail)
