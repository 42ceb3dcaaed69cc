"""B1's automatic evidence, and the complaints an improvement targeted before and after (C2's client evidence).

B1: the organisation identifies its clients' explicit and implicit requirements and
their satisfaction, with its impact on the intention to keep buying and to recommend.

It reads the voice of the client — the requirements register by source, typology and status, the listening
activities and the complaints of its window (12 months unless the criteria set says otherwise) with their
response times — and the latest client satisfaction wave through ``surveys.evidence.satisfaction_facts()``.
A fixed number of queries, however many requirements, complaints or responses there are.

In three parts: the **facts** (``b1_facts()``, a frozen dataclass), the **rule** (``b1_status(facts)``, pure)
and the **wording** (``b1_finding(facts, detail)``).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import url_for
from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from core.charts import chart_svg
from core.extensions import db
from core.findings import (
    Figure,
    Finding,
    Line,
    Status,
    Table,
    Threshold,
    evaluation_day,
    threshold_values,
    thresholds_table,
)
from core.i18n import percent, signed
from core.needs import NEED_LEVEL_HINTS, NEED_LEVEL_LABELS, NeedLevel
from improvements.results import ComputedEvidence
from improvements.sources import CLIENT_REQUIREMENT, COMPLAINT_CATEGORY
from loyalty.models import TYPOLOGY_LABELS, Typology
from processes.cycle import CycleFacts, cycle_facts
from processes.evidence import cycle_line, cycle_table
from processes.services import certified_programme
from surveys.evidence import SatisfactionFacts, satisfaction_facts
from voice import charts
from voice.complaints import ComplaintFilters, before_after, monthly_figures
from voice.labels import (
    ACTIVITY_KIND_LABELS,
    REQUIREMENT_STATUS_LABELS,
    SOURCE_LABELS,
)
from voice.models import (
    CLIENT_ACTIVITY_KINDS,
    ActivityKind,
    Complaint,
    ComplaintCategory,
    ListeningActivity,
    Requirement,
    RequirementSource,
    RequirementStatus,
)

#: Requirements identified in the window must come from at least this many of B1's six sources.
SOURCES_NEEDED = 3
#: A requirement still new (not analysed) this many days after it was identified is a gap.
ANALYSIS_DAYS = 90
#: The months B1 looks back over (listening activities, requirements' sources, complaints), this one included.
B1_WINDOW_MONTHS = 12
B1_THRESHOLDS = (
    Threshold("window_months", _l("Months of the window (activities, sources and complaints counted)"),
              B1_WINDOW_MONTHS, 1, 60),
    Threshold("min_sources", _l("Sources the window's requirements must come from"), SOURCES_NEEDED, 1,
              len(RequirementSource)),
    Threshold("analysis_days", _l("Days a requirement may wait for analysis"), ANALYSIS_DAYS, 1, 3650),
)
#: How many requirements pending analysis are listed one by one among the gaps (the rest in one line).
PENDING_LISTED = 5
#: The order statuses are read in (the workflow's, rejected last).
#: Months compared on each side of the day an improvement was implemented (C2).
WINDOW_MONTHS = 12
STATUS_ORDER = (RequirementStatus.ADDRESSED, RequirementStatus.IN_IMPROVEMENT, RequirementStatus.ANALYSED,
                RequirementStatus.NEW, RequirementStatus.REJECTED)


def _month_start(day: date, months_back: int) -> date:
    """The first day of the month ``months_back`` months before ``day``'s month."""
    month = day.year * 12 + day.month - 1 - months_back
    return date(month // 12, month % 12 + 1, 1)


def _one(value) -> str:
    return "—" if value is None else format_decimal(value, "#,##0.0")


def _pct(value) -> str:
    return percent(value, 0)


def _signed(value) -> str:
    return signed(value, 0)


def _r(value) -> str:
    return "—" if value is None else format_decimal(value, "0.00")


# --- facts -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RequirementFacts:
    total: int = 0
    explicit: int = 0
    #: (source, status) → count; (typology or None) → count.
    by_source_status: dict = field(default_factory=dict)
    by_typology: dict = field(default_factory=dict)
    #: New requirements identified more than ``ANALYSIS_DAYS`` ago, and rejections without a reason.
    stale: int = 0
    unexplained_rejections: int = 0
    #: source → requirements identified in B1's window; None: every requirement counts as in the window.
    in_window: dict | None = None
    #: (level of need or None, status) → count (seed 003's levels, ``core.needs``).
    by_level_status: dict = field(default_factory=dict)

    def by_level(self) -> dict:
        found: dict = {}
        for (level, _status), count in self.by_level_status.items():
            found[level] = found.get(level, 0) + count
        return found

    def by_source(self) -> dict:
        found: dict = {}
        for (source, _status), count in self.by_source_status.items():
            found[source] = found.get(source, 0) + count
        return found

    def by_status(self) -> dict:
        found: dict = {}
        for (_source, status), count in self.by_source_status.items():
            found[status] = found.get(status, 0) + count
        return found

    def sources_used(self) -> list[RequirementSource]:
        """The sources of the requirements identified in the window."""
        by_source = self.by_source() if self.in_window is None else self.in_window
        return [source for source in RequirementSource if by_source.get(source)]


def _requirement_register_query(stale_before: date, since: date, until: date):
    """One GROUP BY over the requirements identified by ``until``: counts by source, typology and status, how many
    are explicit, how many wait for analysis too long, how many rejections have no reason and how many were heard
    from ``since`` to ``until`` (the window whose sources count)."""
    stale = case((and_(Requirement.status == RequirementStatus.NEW, Requirement.identified_on < stale_before), 1),
                 else_=0)
    unexplained = case((and_(Requirement.status == RequirementStatus.REJECTED,
                             func.coalesce(func.trim(Requirement.rejection_reason), "") == ""), 1), else_=0)
    explicit = case((Requirement.explicit.is_(True), 1), else_=0)
    return (select(Requirement.source, Requirement.typology, Requirement.status, Requirement.need_level,
                   func.count(Requirement.id), func.sum(explicit), func.sum(stale), func.sum(unexplained),
                   func.sum(_heard_between(since, until)))
            .outerjoin(ListeningActivity, ListeningActivity.id == Requirement.activity_id)
            .where(Requirement.identified_on <= until)
            .group_by(Requirement.source, Requirement.typology, Requirement.status, Requirement.need_level))


def _requirement_facts(stale_before: date, since: date, until: date) -> RequirementFacts:
    """The register as it stood on ``until`` (the requirements identified by then, each in its present state),
    summed from :func:`_requirement_register_query`'s groups."""
    query = _requirement_register_query(stale_before, since, until)
    totals, by_source_status, by_typology, in_window, by_level = [0, 0, 0, 0], {}, {}, {}, {}
    for source, typology, status, level, count, *sums in db.session.execute(query):
        for n, value in enumerate((count, *sums[:3])):
            totals[n] += int(value or 0)
        in_window[RequirementSource(source)] = in_window.get(RequirementSource(source), 0) + int(sums[3] or 0)
        for found, key in ((by_source_status, (RequirementSource(source), RequirementStatus(status))),
                           (by_typology, Typology(typology) if typology else None),
                           (by_level, (NeedLevel(level) if level else None, RequirementStatus(status)))):
            found[key] = found.get(key, 0) + count
    return RequirementFacts(totals[0], totals[1], by_source_status, by_typology, totals[2], totals[3], in_window,
                            by_level)


def _heard_between(since: date, until: date):
    """1 for a requirement heard from ``since`` to ``until``, else 0. A requirement heard at a listening activity
    was heard the day the activity was held, however much later it was typed in (the demo's focus groups of
    2024–25 are not this year's); the query joins the activity."""
    heard = func.coalesce(ListeningActivity.held_on, Requirement.identified_on)
    return case((and_(heard >= since, heard <= until), 1), else_=0)


def _stale_requirements(stale_before: date) -> tuple[Requirement, ...]:
    return tuple(db.session.scalars(select(Requirement).where(Requirement.status == RequirementStatus.NEW,
                                                              Requirement.identified_on < stale_before)
                                    .order_by(Requirement.identified_on, Requirement.id).limit(PENDING_LISTED)))


def _activity_facts(since: date, until: date) -> tuple[tuple, ...]:
    """(kind, activities, participants, latest day) per kind of client listening activity held from ``since`` to
    ``until`` (staff focus groups are D1's)."""
    query = (select(ListeningActivity.kind, func.count(ListeningActivity.id),
                    func.coalesce(func.sum(ListeningActivity.participants), 0), func.max(ListeningActivity.held_on))
             .where(ListeningActivity.held_on >= since, ListeningActivity.held_on <= until,
                    ListeningActivity.kind.in_(CLIENT_ACTIVITY_KINDS))
             .group_by(ListeningActivity.kind))
    order = list(ActivityKind)
    return tuple(sorted(((ActivityKind(kind), int(n), int(people), latest) for kind, n, people, latest
                         in db.session.execute(query)), key=lambda row: order.index(row[0])))


def _complaint_totals() -> tuple[int, date | None]:
    """How many enquiries, complaints, claims and incidents were ever recorded, and the latest received."""
    return tuple(db.session.execute(select(func.count(Complaint.id), func.max(Complaint.received_on))).one())


@dataclass
class Window:
    received: int = 0
    answered: int = 0
    days: float = 0.0

    @property
    def mean_days(self) -> float | None:
        return self.days / self.answered if self.answered else None

    def add(self, row: dict) -> None:
        self.received += row["received"]
        self.answered += row["answered"]
        if row["response_days"] is not None:
            self.days += row["response_days"] * row["answered"]


def _windows(rows: list[dict], since: date) -> tuple[Window, Window, dict, dict]:
    """The window (since ``since``) and the window before, overall and per category, from
    ``complaints.monthly_figures``."""
    pivot = since.year * 100 + since.month
    recent, earlier, by_category, earlier_by_category = Window(), Window(), {}, {}
    for row in rows:
        if row["month"] >= pivot:
            recent.add(row)
            by_category.setdefault(row["category"], Window()).add(row)
        else:
            earlier.add(row)
            earlier_by_category.setdefault(row["category"], Window()).add(row)
    return recent, earlier, by_category, earlier_by_category


@dataclass(frozen=True)
class B1Facts:
    today: date
    requirements: RequirementFacts = field(default_factory=RequirementFacts)
    #: The oldest of the requirements pending analysis for too long (at most ``PENDING_LISTED``).
    stale_listed: tuple = ()
    activities: tuple = ()
    complaints_ever: int = 0
    last_received: date | None = None
    #: ``complaints.monthly_figures`` of the last two windows, and the windows: the last ``window_months``
    #: months and as many before, overall and per category.
    monthly: tuple = ()
    recent: Window = field(default_factory=Window)
    earlier: Window = field(default_factory=Window)
    by_category: dict = field(default_factory=dict)
    earlier_by_category: dict = field(default_factory=dict)
    #: The latest client satisfaction wave (``surveys.evidence.SatisfactionFacts``), None without one.
    survey: SatisfactionFacts | None = None
    limits: dict = field(default_factory=lambda: threshold_values(B1_THRESHOLDS, None))
    #: The programme under certification and its service cycle: where along the client's path B1 listens (shown,
    #: not part of the rule).
    programme: object = None
    cycle: CycleFacts = field(default_factory=CycleFacts)

    @property
    def since(self) -> date:
        return _month_start(self.today, self.limits["window_months"] - 1)

    @property
    def stale_before(self) -> date:
        return self.today - timedelta(days=self.limits["analysis_days"])

    @property
    def nothing_recorded(self) -> bool:
        return not self.requirements.total and not self.complaints_ever and self.survey is None \
            and not self.activities

    @property
    def requirements_complete(self) -> bool:
        found = self.requirements
        return bool(found.total and len(found.sources_used()) >= self.limits["min_sources"] and not found.stale
                    and not found.unexplained_rejections)

    @property
    def complaints_complete(self) -> bool:
        return bool(self.complaints_ever and self.recent.received and self.recent.answered)

    @property
    def survey_complete(self) -> bool:
        survey = self.survey
        return bool(survey is not None and not survey.hidden and survey.drivers
                    and (survey.nps is not None or survey.repurchase is not None))


def b1_facts(today: date | None = None, thresholds: dict | None = None) -> B1Facts:
    """The requirements register, the listening activities and the complaints of the window (and the window
    before), and the latest client satisfaction wave, in a fixed number of queries."""
    today, limits = today or evaluation_day(), threshold_values(B1_THRESHOLDS, thresholds)
    months = limits["window_months"]
    since, stale_before = _month_start(today, months - 1), today - timedelta(days=limits["analysis_days"])
    requirements = _requirement_facts(stale_before, since, today)
    ever, last_received = _complaint_totals()
    monthly = monthly_figures(ComplaintFilters(start=_month_start(today, 2 * months - 1), end=today)) if ever else []
    recent, earlier, by_category, earlier_by_category = _windows(monthly, since)
    programme = certified_programme()
    return B1Facts(today, requirements, _stale_requirements(stale_before) if requirements.stale else (),
                   _activity_facts(since, today), ever, last_received, tuple(monthly), recent, earlier, by_category,
                   earlier_by_category, satisfaction_facts(), limits, programme,
                   cycle_facts(programme.id if programme else None))


def b1_status(facts: B1Facts) -> Status:
    """Missing with nothing recorded; met when the requirements identified in the window come from at least
    ``min_sources`` sources (``B1_THRESHOLDS``), with
    none waiting too long for analysis and every rejection explained, complaints of the window are
    recorded with their answers, and the latest client wave shows what drives the intention to keep buying
    and to recommend; partly otherwise."""
    if facts.nothing_recorded:
        return Status.MISSING
    complete = facts.requirements_complete and facts.complaints_complete and facts.survey_complete
    return Status.MET if complete else Status.PARTLY


# --- wording ---------------------------------------------------------------------------------------

def b1_finding(facts: B1Facts, detail: bool = False) -> Finding:
    """B1 in words: the requirements, listening activities, complaints and satisfaction survey (in detail a
    table each and the response-time chart)."""
    if facts.nothing_recorded:
        return Finding(Status.MISSING, [b1_rule(facts), Line(_("No client requirements, complaints or satisfaction "
                                                               "surveys have been recorded yet."))],
                       [Line(_("Record the client requirements by source"), url_for("voice.requirements")),
                        Line(_("Record the enquiries, complaints, claims and incidents with their response dates"),
                             url_for("voice.complaints")),
                        Line(_("Run a client satisfaction survey"), url_for("surveys.index"))],
                       [thresholds_table(B1_THRESHOLDS, facts.limits)] if detail else [])
    reasons = ([b1_rule(facts)] + _requirement_reasons(facts) + _activity_reasons(facts)
               + _complaint_reasons(facts) + _survey_reasons(facts.survey)
               + ([cycle_line(facts.programme, facts.cycle)] if facts.programme is not None else []))
    gaps = _requirement_gaps(facts) + _complaint_gaps(facts) + _survey_gaps(facts.survey)
    finding = Finding(b1_status(facts), reasons, gaps)
    if detail:
        finding.blocks = [thresholds_table(B1_THRESHOLDS, facts.limits), *_blocks(facts)]
    return finding


def b1_rule(facts: B1Facts) -> Line:
    """B1's rule in words, with the numbers it uses."""
    limits = facts.limits
    return Line(_("B1 is met when the requirements identified in the last %(months)d months (since %(date)s) come "
                  "from at least %(sources)d sources, none waits more than %(days)d days for analysis and every "
                  "rejection is explained; the enquiries and complaints of the window are recorded with their "
                  "answers; and the latest client survey shows what drives the intention to keep buying and to "
                  "recommend.", months=limits["window_months"], date=format_date(facts.since, "long"),
                  sources=limits["min_sources"], days=limits["analysis_days"]))


def voice_of_the_client_evidence(detail: bool = False, thresholds: dict | None = None) -> Finding:
    """B1's automatic evidence, from the data as it is now, with the criteria set's thresholds."""
    return b1_finding(b1_facts(thresholds=thresholds), detail)


def _requirement_reasons(b1: B1Facts) -> list[Line]:
    facts = b1.requirements
    if not facts.total:
        return []
    register, used = url_for("voice.requirements"), facts.sources_used()
    by_source = facts.by_source() if facts.in_window is None else facts.in_window
    typologies = [f"{TYPOLOGY_LABELS[t]} {facts.by_typology[t]}" for t in Typology if facts.by_typology.get(t)]
    typologies += [_("no typology %(num)d", num=facts.by_typology[None])] if facts.by_typology.get(None) else []
    by_status = facts.by_status()
    rejected = by_status.get(RequirementStatus.REJECTED, 0)
    return [
        Line(_("%(total)d client requirements (%(explicit)d explicit, %(implicit)d implicit); those identified "
               "since %(date)s come from %(used)d of the %(sources)d sources: %(list)s", total=facts.total,
               explicit=facts.explicit, implicit=facts.total - facts.explicit, date=format_date(b1.since, "long"),
               used=len(used), sources=len(RequirementSource),
               list="; ".join(f"{SOURCE_LABELS[s]} {by_source[s]}" for s in used) or "—"), register),
        Line(_("By client typology: %(list)s", list="; ".join(typologies)), register),
        _level_reason(facts),
        Line(_("%(addressed)d addressed, %(improving)d in improvement, %(analysed)d analysed, %(new)d pending "
               "analysis, %(rejected)d rejected (%(explained)d with the reason recorded)",
               addressed=by_status.get(RequirementStatus.ADDRESSED, 0),
               improving=by_status.get(RequirementStatus.IN_IMPROVEMENT, 0),
               analysed=by_status.get(RequirementStatus.ANALYSED, 0), new=by_status.get(RequirementStatus.NEW, 0),
               rejected=rejected, explained=rejected - facts.unexplained_rejections), register),
    ]


def _level_reason(facts: RequirementFacts) -> Line:
    """The requirements by level of need (seed 003: basic, expected, desired, unanticipated)."""
    by_level = facts.by_level()
    parts = [f"{NEED_LEVEL_LABELS[level]} {by_level[level]}" for level in NeedLevel if by_level.get(level)]
    if by_level.get(None):
        parts.append(_("level not stated %(num)d", num=by_level[None]))
    return Line(_("By level of need: %(list)s", list="; ".join(parts)), url_for("voice.requirements"))


def _requirement_gaps(facts: B1Facts) -> list[Line]:
    found = facts.requirements
    if not found.total:
        return [Line(_("No client requirement has been recorded: record what clients need or expect and where it "
                       "was heard (staff knowledge, focus groups, trusted clients, complaints, surveys, market "
                       "studies)"), url_for("voice.new_requirement"))]
    gaps, used, needed = [], found.sources_used(), facts.limits["min_sources"]
    if len(used) < needed:
        missing = [str(SOURCE_LABELS[s]) for s in RequirementSource if s not in used]
        gaps.append(Line(_("Requirements identified since %(date)s come from %(used)d source(s); at least "
                           "%(needed)d are expected. Not used in the window: %(missing)s",
                           date=format_date(facts.since, "long"), used=len(used), needed=needed,
                           missing="; ".join(missing)), url_for("voice.new_requirement")))
    gaps += _pending_gaps(facts)
    if found.unexplained_rejections:
        gaps.append(Line(ngettext("%(num)d rejected requirement has no reason recorded",
                                  "%(num)d rejected requirements have no reason recorded",
                                  found.unexplained_rejections),
                         url_for("voice.requirements", status=RequirementStatus.REJECTED.value)))
    return gaps


def _pending_gaps(facts: B1Facts) -> list[Line]:
    stale, listed = facts.requirements.stale, facts.stale_listed
    gaps = [Line(_("“%(requirement)s”, identified on %(date)s, is still pending analysis",
                   requirement=str(r), date=format_date(r.identified_on, "short")),
                 url_for("voice.requirement_detail", requirement_id=r.id)) for r in listed]
    if stale > len(listed):
        gaps.append(Line(ngettext("%(num)d more requirement pending analysis for over %(days)d days",
                                  "%(num)d more requirements pending analysis for over %(days)d days",
                                  stale - len(listed), days=facts.limits["analysis_days"]),
                         url_for("voice.requirements", status=RequirementStatus.NEW.value)))
    return gaps


def _activity_reasons(facts: B1Facts) -> list[Line]:
    listening, activities, since = url_for("voice.activities"), facts.activities, facts.since
    if not activities:
        return [Line(_("No focus group, trusted-client consultation or other listening activity since %(date)s",
                       date=format_date(since, "long")), listening)]
    total = sum(n for _kind, n, _people, _latest in activities)
    people = sum(p for _kind, _n, p, _latest in activities)
    kinds = "; ".join(f"{ACTIVITY_KIND_LABELS[kind]} {n}" for kind, n, _p, _latest in activities)
    return [Line(ngettext("%(num)d listening activity since %(date)s (%(people)d participants): %(kinds)s",
                          "%(num)d listening activities since %(date)s (%(people)d participants): %(kinds)s",
                          total, date=format_date(since, "long"), people=people, kinds=kinds), listening)]


def _complaint_reasons(facts: B1Facts) -> list[Line]:
    recent, earlier, since = facts.recent, facts.earlier, facts.since
    if not facts.complaints_ever or not recent.received:
        return []
    text = ngettext("%(num)d enquiry, complaint, claim or incident received since %(date)s, %(answered)d answered",
                    "%(num)d enquiries, complaints, claims and incidents received since %(date)s, %(answered)d "
                    "answered", recent.received, date=format_date(since, "long"), answered=recent.answered)
    if recent.mean_days is not None:
        text += _("; mean response time %(days)s days", days=_one(recent.mean_days))
        if earlier.mean_days is not None:
            text += f", {_trend(earlier.mean_days, recent.mean_days, facts.limits['window_months'])}"
    return [Line(text, url_for("voice.complaints", start=since.isoformat()))]


def _trend(before_days: float, recent_days: float, months: int) -> str:
    """The mean response time against the window before (as long as B1's window, ``months``)."""
    before, now = round(before_days, 1), round(recent_days, 1)
    if now < before:
        return _("down from %(days)s days in the %(months)d months before", days=_one(before_days), months=months)
    if now > before:
        return _("up from %(days)s days in the %(months)d months before", days=_one(before_days), months=months)
    return _("as in the %(months)d months before", months=months)


def _complaint_gaps(facts: B1Facts) -> list[Line]:
    since = facts.since
    if not facts.complaints_ever:
        return [Line(_("No enquiry, complaint, claim or incident has been recorded: record them with the date they "
                       "were answered"), url_for("voice.complaints"))]
    if not facts.recent.received:
        return [Line(_("No enquiry, complaint, claim or incident recorded since %(date)s (the latest was received "
                       "on %(last)s)", date=format_date(since, "long"), last=format_date(facts.last_received, "long")),
                     url_for("voice.complaints"))]
    if not facts.recent.answered:
        return [Line(_("None of those received since %(date)s has a response date: record when each was answered",
                       date=format_date(since, "long")),
                     url_for("voice.complaints", start=since.isoformat(), status="open"))]
    return []


def _survey_reasons(survey) -> list[Line]:
    if survey is None or survey.hidden:
        return []
    rate = (_("response rate %(rate)s", rate=_pct(survey.response_rate)) if survey.response_rate is not None
            else _("no invitations: response rate unknown"))
    parts = [_("n = %(n)d", n=survey.responses), rate, _("CSAT %(csat)s", csat=_pct(survey.csat)),
             _("NPS %(nps)s", nps=_signed(survey.nps))]
    if survey.nps_change is not None:
        parts[-1] += " " + _("(%(change)s since %(wave)s)", change=_signed(survey.nps_change),
                             wave=survey.previous_wave)
    parts.append(_("intention to keep buying %(pct)s", pct=_pct(survey.repurchase)))
    reasons = [Line(f"{survey.survey} · {survey.wave}: " + ", ".join(parts), survey.url), *_survey_breakdowns(survey)]
    if survey.drivers:
        reasons.append(Line(_("What drives the intention to keep buying and to recommend: %(drivers)s",
                              drivers="; ".join(_driver(d) for d in survey.drivers)), survey.url))
    return reasons


def _survey_breakdowns(survey) -> list[Line]:
    """NPS by client typology, and the favourable % of the attributes of each level of need."""
    found = []
    if survey.nps_by_typology:
        found.append(Line(_("NPS by client typology: %(list)s", list="; ".join(
            _("%(typology)s %(nps)s (n = %(n)d)", typology=_typology(code), nps=_signed(value), n=n)
            for code, n, value in survey.nps_by_typology)), survey.url))
    if survey.by_need_level:
        levels = [ngettext("%(level)s %(pct)s (%(num)d attribute)", "%(level)s %(pct)s (%(num)d attributes)",
                           len(names), level=NEED_LEVEL_LABELS[level], pct=_pct(value))
                  for level, names, value in survey.by_need_level]
        found.append(Line(_("Favourable by level of need: %(list)s", list="; ".join(levels)), survey.url))
    return found


def _typology(code) -> str:
    try:
        return str(TYPOLOGY_LABELS[Typology(code)])
    except ValueError:  # a typology pasted with an invitation list, not one of the census's
        return str(code)


def _survey_gaps(survey) -> list[Line]:
    if survey is None:
        return [Line(_("No client satisfaction survey has been answered yet: run one with the intention to keep "
                       "buying and to recommend"), url_for("surveys.index"))]
    title = f"{survey.survey} · {survey.wave}"
    if survey.hidden:
        return [Line(_("%(wave)s: %(n)d responses so far; the results of an anonymous survey are shown from 3",
                       wave=title, n=survey.responses), survey.url)]
    gaps = []
    if not survey.drivers:
        gaps.append(Line(_("%(wave)s gives no driver analysis: it needs the service attributes answered together with "
                           "the intention to keep buying or to recommend", wave=title), survey.url))
    if survey.nps is None and survey.repurchase is None:
        gaps.append(Line(_("%(wave)s does not ask about the intention to keep buying or to recommend", wave=title),
                         survey.url))
    return gaps


def _driver(driver) -> str:
    text = _("%(attribute)s (favourable %(favourable)s, r = %(repurchase)s with keeping buying, %(recommend)s with "
             "recommending, n = %(n)d)", attribute=driver.attribute, favourable=_pct(driver.favourable),
             repurchase=_r(driver.r_repurchase), recommend=_r(driver.r_recommend), n=driver.n)
    return text + (" " + _("read with caution") if driver.caution else "")


# --- detail -----------------------------------------------------------------------------------------

def _blocks(facts: B1Facts) -> list:
    blocks = []
    if facts.requirements.total:
        blocks += [_requirements_table(facts.requirements), _levels_table(facts.requirements)]
    if facts.activities:
        blocks.append(Table(_("Listening activities since %(date)s", date=format_date(facts.since, "long")),
                            [_("Kind"), _("Activities"), _("Participants"), _("Latest")],
                            [[Line(str(ACTIVITY_KIND_LABELS[kind]), url_for("voice.activities")), str(n),
                              str(people), format_date(latest, "short")] for kind, n, people, latest
                             in facts.activities]))
    if facts.by_category:
        blocks.append(_complaints_table(facts.since, facts.by_category, facts.earlier_by_category,
                                        facts.limits["window_months"]))
        if any(row["response_days"] is not None for row in facts.monthly):
            blocks.append(Figure(_("Mean response time per month and category (%(n)d months)",
                                   n=2 * facts.limits["window_months"]),
                                 chart_svg(charts.response_trend_panels(list(facts.monthly)))))
    if facts.survey is not None and not facts.survey.hidden:
        blocks += _survey_tables(facts.survey)
    if facts.cycle.moments:
        blocks.append(cycle_table(facts.programme, facts.cycle))
    return blocks


def _requirements_table(facts: RequirementFacts) -> Table:
    by_source = facts.by_source()
    by_status = facts.by_status()
    rows = []
    for source in RequirementSource:
        cells = []
        for status in STATUS_ORDER:
            count = facts.by_source_status.get((source, status), 0)
            cells.append(Line(str(count), url_for("voice.requirements", source=source.value, status=status.value))
                         if count else "0")
        total = by_source.get(source, 0)
        rows.append([str(SOURCE_LABELS[source]), *cells,
                     Line(str(total), url_for("voice.requirements", source=source.value)) if total else "0"])
    rows.append([_("All sources"), *(str(by_status.get(status, 0)) for status in STATUS_ORDER), str(facts.total)])
    return Table(_("Client requirements by source and status"),
                 [_("Source"), *(str(REQUIREMENT_STATUS_LABELS[s]) for s in STATUS_ORDER), _("Total")], rows)


def _levels_table(facts: RequirementFacts) -> Table:
    """Requirements by level of need and status, each count linking to the register filtered so."""
    rows = []
    for level in (*NeedLevel, None):
        cells = [facts.by_level_status.get((level, status), 0) for status in STATUS_ORDER]
        if level is None and not any(cells):
            continue
        name = (Line(str(NEED_LEVEL_LABELS[level]), url_for("voice.requirements", need_level=level.value))
                if level else _("Level not stated"))
        rows.append([name, str(NEED_LEVEL_HINTS[level]) if level else "—", *(str(n) for n in cells),
                     str(sum(cells))])
    return Table(_("Client requirements by level of need and status"),
                 [_("Level of need"), _("What it means"), *(str(REQUIREMENT_STATUS_LABELS[s]) for s in STATUS_ORDER),
                  _("Total")], rows)


def _complaints_table(since: date, by_category: dict, earlier_by_category: dict, months: int) -> Table:
    ids = dict(db.session.execute(select(ComplaintCategory.name, ComplaintCategory.id)).all())
    rows = []
    for name, window in sorted(by_category.items(), key=lambda item: (-item[1].received, item[0])):
        before = earlier_by_category.get(name)
        link = url_for("voice.complaints", category=ids[name], start=since.isoformat()) if name in ids else None
        rows.append([Line(name, link), str(window.received), str(window.answered), _one(window.mean_days),
                     _one(before.mean_days if before else None)])
    return Table(_("Enquiries, complaints, claims and incidents since %(date)s by category",
                   date=format_date(since, "long")),
                 [_("Category"), _("Received"), _("Answered"), _("Mean response time (days)"),
                  _("Mean response time, %(months)d months before (days)", months=months)], rows)


def _need_level_table(facts, title: str) -> Table:
    """The favourable % of the wave's attributes grouped by the level of need their items are tagged with."""
    return Table(_("Satisfaction by level of need — %(wave)s", wave=title),
                 [_("Level of need"), _("Attributes"), _("Favourable (mean)")],
                 [[str(NEED_LEVEL_LABELS[level]), ", ".join(names), _pct(value)]
                  for level, names, value in facts.by_need_level])


def _survey_tables(facts) -> list:
    title = f"{facts.survey} · {facts.wave}"
    rows = [[_("Responses"), str(facts.responses)], [_("Invited"), str(facts.invited)],
            [_("Response rate"), _pct(facts.response_rate)], [_("CSAT (overall satisfaction)"), _pct(facts.csat)],
            [_("NPS"), _signed(facts.nps)]]
    if facts.previous_wave:
        rows.append([_("NPS in %(wave)s", wave=facts.previous_wave), _signed(facts.previous_nps)])
        rows.append([_("Change in NPS"), _signed(facts.nps_change)])
    rows.append([_("Intention to keep buying (favourable)"), _pct(facts.repurchase)])
    blocks = [Table(_("Client satisfaction — %(wave)s", wave=title), [_("Measure"), _("Value")],
                    [[Line(rows[0][0], facts.url), rows[0][1]], *rows[1:]])]
    if facts.nps_by_typology:
        blocks.append(Table(_("NPS by client typology — %(wave)s", wave=title), [_("Typology"), _("Answers"), _("NPS")],
                            [[_typology(code), str(n), _signed(value)] for code, n, value in facts.nps_by_typology]))
    if facts.by_need_level:
        blocks.append(_need_level_table(facts, title))
    if facts.drivers:
        blocks.append(Table(_("What drives the intention to keep buying and to recommend — %(wave)s", wave=title),
                            [_("Attribute"), _("Favourable"), _("Importance"), _("r with keeping buying"),
                             _("r with recommending"), _("n"), _("Read with caution")],
                            [[d.attribute, _pct(d.favourable), _r(d.importance), _r(d.r_repurchase),
                              _r(d.r_recommend), str(d.n), _("yes") if d.caution else _("no")]
                             for d in facts.drivers]))
    return blocks


# --- C2: complaints before and after an improvement -------------------------------------------------
# An improvement names a complaint category through its source: an opportunity whose source is a complaint
# category, or a requirement heard in a complaint (the complaint's category).


def targeted_categories(improvements) -> dict[int, int]:
    """improvement id → the complaint category it targets, from its source (at most one query)."""
    found = {i.id: i.source_id for i in improvements if i.source_kind == COMPLAINT_CATEGORY and i.source_id}
    by_requirement = {i.id: i.source_id for i in improvements if i.source_kind == CLIENT_REQUIREMENT and i.source_id}
    if by_requirement:
        query = (select(Requirement.id, Complaint.category_id).join(Complaint, Complaint.id == Requirement.complaint_id)
                 .where(Requirement.id.in_(set(by_requirement.values()))))
        categories = dict(db.session.execute(query).all())
        found |= {i: categories[r] for i, r in by_requirement.items() if r in categories}
    return found


def complaint_evidence(improvements) -> dict[int, list[ComputedEvidence]]:
    """Complaints per month and mean response days in the year before and after each implemented improvement
    that targets a complaint category (a fixed number of queries, none when no improvement does)."""
    implemented = [i for i in improvements if i.implemented_on]
    targets = targeted_categories(implemented)
    if not targets:
        return {}
    pivots = {i.id: (targets[i.id], i.implemented_on) for i in implemented if i.id in targets}
    names = dict(db.session.execute(select(ComplaintCategory.id, ComplaintCategory.name)
                                    .where(ComplaintCategory.id.in_(set(targets.values())))).all())
    windows = before_after(set(targets.values()), pivots, WINDOW_MONTHS)
    return {improvement_id: _complaint_change(names.get(pivots[improvement_id][0], ""), figures)
            for improvement_id, figures in windows.items()}


def _complaint_change(category: str, figures: dict) -> list[ComputedEvidence]:
    before, after = figures["before"], figures["after"]
    if not after["months"]:
        return []
    found = [ComputedEvidence("complaints", _("“%(category)s”: received per month, %(months)d months before and "
                                              "%(after)d after", category=category, months=before["months"],
                                              after=after["months"]),
                              before["per_month"], after["per_month"], False,
                              _lower(before["per_month"], after["per_month"]))]
    if before["response_days"] is not None or after["response_days"] is not None:
        found.append(ComputedEvidence("response_time", _("“%(category)s”: mean response time (days)",
                                                         category=category),
                                      before["response_days"], after["response_days"], False,
                                      _lower(before["response_days"], after["response_days"])))
    return found


def _lower(before, after) -> bool:
    return before is not None and after is not None and after < before
