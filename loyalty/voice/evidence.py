"""B1's automatic evidence: the organisation identifies its clients' explicit and implicit requirements and
their satisfaction, with its impact on the intention to keep buying and to recommend.

It reads the voice of the client — the requirements register by source, typology and status, the listening
activities and the complaints of the last 12 months with their response times — and the latest client
satisfaction wave through ``surveys.evidence.satisfaction_facts()``. A fixed number of queries, however many
requirements, complaints or responses there are.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import url_for
from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select

from core.charts import chart_svg
from core.extensions import db
from core.findings import Figure, Finding, Line, Status, Table
from loyalty.models import TYPOLOGY_LABELS, Typology
from loyalty.voice import charts, services
from loyalty.voice.labels import (
    ACTIVITY_KIND_LABELS,
    REQUIREMENT_STATUS_LABELS,
    SOURCE_LABELS,
)
from loyalty.voice.models import (
    ActivityKind,
    Complaint,
    ComplaintCategory,
    ListeningActivity,
    Requirement,
    RequirementSource,
    RequirementStatus,
)

#: Requirements must come from at least this many of B1's six sources.
SOURCES_NEEDED = 3
#: A requirement still new (not analysed) this many days after it was identified is a gap.
ANALYSIS_DAYS = 90
#: How many requirements pending analysis are listed one by one among the gaps (the rest in one line).
PENDING_LISTED = 5
#: The order statuses are read in (the workflow's, rejected last).
STATUS_ORDER = (RequirementStatus.ADDRESSED, RequirementStatus.IN_IMPROVEMENT, RequirementStatus.ANALYSED,
                RequirementStatus.NEW, RequirementStatus.REJECTED)


def _month_start(day: date, months_back: int) -> date:
    """The first day of the month ``months_back`` months before ``day``'s month."""
    month = day.year * 12 + day.month - 1 - months_back
    return date(month // 12, month % 12 + 1, 1)


def _one(value) -> str:
    return "—" if value is None else format_decimal(value, "#,##0.0")


def _pct(value) -> str:
    return "—" if value is None else format_decimal(round(value), "#,##0") + " %"


def _signed(value) -> str:
    return "—" if value is None else f"{value:+.0f}"


def _r(value) -> str:
    return "—" if value is None else format_decimal(value, "0.00")


# --- reading ---------------------------------------------------------------------------------------

@dataclass
class RequirementFacts:
    total: int = 0
    explicit: int = 0
    #: (source, status) → count; (typology or None) → count.
    by_source_status: dict = field(default_factory=dict)
    by_typology: dict = field(default_factory=dict)
    #: New requirements identified more than ``ANALYSIS_DAYS`` ago, and rejections without a reason.
    stale: int = 0
    unexplained_rejections: int = 0

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


def _requirement_facts(stale_before: date) -> RequirementFacts:
    """One GROUP BY over the register: counts by source, typology and status, how many are explicit, how many
    wait for analysis too long and how many rejections have no reason."""
    stale = case((and_(Requirement.status == RequirementStatus.NEW, Requirement.identified_on < stale_before), 1),
                 else_=0)
    unexplained = case((and_(Requirement.status == RequirementStatus.REJECTED,
                             func.coalesce(func.trim(Requirement.rejection_reason), "") == ""), 1), else_=0)
    explicit = case((Requirement.explicit.is_(True), 1), else_=0)
    query = (select(Requirement.source, Requirement.typology, Requirement.status, func.count(Requirement.id),
                    func.sum(explicit), func.sum(stale), func.sum(unexplained))
             .group_by(Requirement.source, Requirement.typology, Requirement.status))
    facts = RequirementFacts()
    for source, typology, status, count, explicit, old, no_reason in db.session.execute(query):
        facts.total += count
        facts.explicit += int(explicit or 0)
        facts.stale += int(old or 0)
        facts.unexplained_rejections += int(no_reason or 0)
        key = (RequirementSource(source), RequirementStatus(status))
        facts.by_source_status[key] = facts.by_source_status.get(key, 0) + count
        typology = Typology(typology) if typology else None
        facts.by_typology[typology] = facts.by_typology.get(typology, 0) + count
    return facts


def _stale_requirements(stale_before: date) -> list[Requirement]:
    return list(db.session.scalars(select(Requirement).where(Requirement.status == RequirementStatus.NEW,
                                                             Requirement.identified_on < stale_before)
                                   .order_by(Requirement.identified_on, Requirement.id).limit(PENDING_LISTED)))


def _activity_facts(since: date) -> list[tuple]:
    """(kind, activities, participants, latest day) per kind of listening activity held since ``since``."""
    query = (select(ListeningActivity.kind, func.count(ListeningActivity.id),
                    func.coalesce(func.sum(ListeningActivity.participants), 0), func.max(ListeningActivity.held_on))
             .where(ListeningActivity.held_on >= since).group_by(ListeningActivity.kind))
    order = list(ActivityKind)
    return sorted(((ActivityKind(kind), int(n), int(people), latest) for kind, n, people, latest
                   in db.session.execute(query)), key=lambda row: order.index(row[0]))


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
    """The last 12 months and the 12 before, overall and per category, from ``services.monthly_figures``."""
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


# --- the finding ------------------------------------------------------------------------------------

def voice_of_the_client_evidence(detail: bool = False) -> Finding:
    """B1: met when requirements come from at least three sources and none waits for analysis longer than
    ``ANALYSIS_DAYS`` (every rejection with its reason), a client satisfaction survey gives the attributes
    that drive the intention to keep buying and to recommend, and complaints of the last 12 months are
    recorded with their response times; partly with any of these; missing with none."""
    from surveys.evidence import satisfaction_facts

    today = date.today()
    since, earlier_since = _month_start(today, 11), _month_start(today, 23)
    stale_before = today - timedelta(days=ANALYSIS_DAYS)
    requirements = _requirement_facts(stale_before)
    activities = _activity_facts(since)
    complaints_ever, last_received = _complaint_totals()
    monthly = services.monthly_figures(services.ComplaintFilters(start=earlier_since)) if complaints_ever else []
    recent, earlier, by_category, earlier_by_category = _windows(monthly, since)
    facts = satisfaction_facts()

    if not requirements.total and not complaints_ever and facts is None and not activities:
        return Finding(Status.MISSING, [Line(_("No client requirements, complaints or satisfaction surveys have "
                                               "been recorded yet."))],
                       [Line(_("Record the client requirements by source"), url_for("loyalty.requirements")),
                        Line(_("Record the enquiries, complaints, claims and incidents with their response dates"),
                             url_for("loyalty.complaints")),
                        Line(_("Run a client satisfaction survey"), url_for("surveys.index"))])

    reasons, gaps = [], []
    _requirements_lines(requirements, stale_before, reasons, gaps)
    _activity_lines(activities, since, reasons)
    _complaint_lines(recent, earlier, since, complaints_ever, last_received, reasons, gaps)
    _survey_lines(facts, reasons, gaps)

    finding = Finding(Status.MET if not gaps else Status.PARTLY, reasons, gaps)
    if detail:
        finding.blocks = _blocks(requirements, activities, since, monthly, by_category, earlier_by_category, facts)
    return finding


def _requirements_lines(facts: RequirementFacts, stale_before: date, reasons: list, gaps: list) -> None:
    register = url_for("loyalty.requirements")
    if not facts.total:
        gaps.append(Line(_("No client requirement has been recorded: record what clients need or expect and where "
                           "it was heard (staff knowledge, focus groups, trusted clients, complaints, surveys, "
                           "market studies)"), url_for("loyalty.new_requirement")))
        return
    by_source = facts.by_source()
    used = [source for source in RequirementSource if by_source.get(source)]
    reasons.append(Line(_("%(total)d client requirements (%(explicit)d explicit, %(implicit)d implicit) from "
                          "%(used)d of the %(sources)d sources: %(list)s", total=facts.total, explicit=facts.explicit,
                          implicit=facts.total - facts.explicit, used=len(used), sources=len(RequirementSource),
                          list="; ".join(f"{SOURCE_LABELS[s]} {by_source[s]}" for s in used)), register))
    typologies = [f"{TYPOLOGY_LABELS[t]} {facts.by_typology[t]}" for t in Typology if facts.by_typology.get(t)]
    if facts.by_typology.get(None):
        typologies.append(_("no typology %(num)d", num=facts.by_typology[None]))
    reasons.append(Line(_("By client typology: %(list)s", list="; ".join(typologies)), register))
    by_status = facts.by_status()
    rejected = by_status.get(RequirementStatus.REJECTED, 0)
    reasons.append(Line(_("%(addressed)d addressed, %(improving)d in improvement, %(analysed)d analysed, "
                          "%(new)d pending analysis, %(rejected)d rejected (%(explained)d with the reason recorded)",
                          addressed=by_status.get(RequirementStatus.ADDRESSED, 0),
                          improving=by_status.get(RequirementStatus.IN_IMPROVEMENT, 0),
                          analysed=by_status.get(RequirementStatus.ANALYSED, 0),
                          new=by_status.get(RequirementStatus.NEW, 0), rejected=rejected,
                          explained=rejected - facts.unexplained_rejections), register))
    if len(used) < SOURCES_NEEDED:
        missing = [str(SOURCE_LABELS[s]) for s in RequirementSource if s not in used]
        gaps.append(Line(_("Requirements come from %(used)d source(s); at least %(needed)d are expected. Not used "
                           "yet: %(missing)s", used=len(used), needed=SOURCES_NEEDED, missing="; ".join(missing)),
                         url_for("loyalty.new_requirement")))
    if facts.stale:
        listed = _stale_requirements(stale_before)
        gaps += [Line(_("“%(requirement)s”, identified on %(date)s, is still pending analysis",
                        requirement=str(r), date=format_date(r.identified_on, "short")),
                      url_for("loyalty.requirement_detail", requirement_id=r.id)) for r in listed]
        if facts.stale > len(listed):
            gaps.append(Line(ngettext("%(num)d more requirement pending analysis for over %(days)d days",
                                      "%(num)d more requirements pending analysis for over %(days)d days",
                                      facts.stale - len(listed), days=ANALYSIS_DAYS),
                             url_for("loyalty.requirements", status=RequirementStatus.NEW.value)))
    if facts.unexplained_rejections:
        gaps.append(Line(ngettext("%(num)d rejected requirement has no reason recorded",
                                  "%(num)d rejected requirements have no reason recorded",
                                  facts.unexplained_rejections),
                         url_for("loyalty.requirements", status=RequirementStatus.REJECTED.value)))


def _activity_lines(activities: list, since: date, reasons: list) -> None:
    listening = url_for("loyalty.activities")
    if not activities:
        reasons.append(Line(_("No focus group, trusted-client consultation or other listening activity since "
                              "%(date)s", date=format_date(since, "long")), listening))
        return
    total = sum(n for _kind, n, _people, _latest in activities)
    people = sum(p for _kind, _n, p, _latest in activities)
    kinds = "; ".join(f"{ACTIVITY_KIND_LABELS[kind]} {n}" for kind, n, _p, _latest in activities)
    reasons.append(Line(ngettext("%(num)d listening activity since %(date)s (%(people)d participants): %(kinds)s",
                                 "%(num)d listening activities since %(date)s (%(people)d participants): %(kinds)s",
                                 total, date=format_date(since, "long"), people=people, kinds=kinds), listening))


def _complaint_lines(recent: Window, earlier: Window, since: date, ever: int, last_received, reasons: list,
                     gaps: list) -> None:
    register = url_for("loyalty.complaints", start=since.isoformat())
    if not ever:
        gaps.append(Line(_("No enquiry, complaint, claim or incident has been recorded: record them with the date "
                           "they were answered"), url_for("loyalty.complaints")))
        return
    if not recent.received:
        gaps.append(Line(_("No enquiry, complaint, claim or incident recorded since %(date)s (the latest was "
                           "received on %(last)s)", date=format_date(since, "long"),
                           last=format_date(last_received, "long")), url_for("loyalty.complaints")))
        return
    text = ngettext("%(num)d enquiry, complaint, claim or incident received since %(date)s, %(answered)d answered",
                    "%(num)d enquiries, complaints, claims and incidents received since %(date)s, %(answered)d "
                    "answered", recent.received, date=format_date(since, "long"), answered=recent.answered)
    if recent.mean_days is not None:
        text += _("; mean response time %(days)s days", days=_one(recent.mean_days))
        if earlier.mean_days is not None:
            before, now = round(earlier.mean_days, 1), round(recent.mean_days, 1)
            trend = (_("down from %(days)s days in the 12 months before", days=_one(earlier.mean_days)) if now < before
                     else _("up from %(days)s days in the 12 months before", days=_one(earlier.mean_days))
                     if now > before else _("as in the 12 months before"))
            text += f", {trend}"
    reasons.append(Line(text, register))
    if not recent.answered:
        gaps.append(Line(_("None of those received since %(date)s has a response date: record when each was answered",
                           date=format_date(since, "long")),
                         url_for("loyalty.complaints", start=since.isoformat(), status="open")))


def _survey_lines(facts, reasons: list, gaps: list) -> None:
    if facts is None:
        gaps.append(Line(_("No client satisfaction survey has been answered yet: run one with the intention to keep "
                           "buying and to recommend"), url_for("surveys.index")))
        return
    title = f"{facts.survey} · {facts.wave}"
    if facts.hidden:
        gaps.append(Line(_("%(wave)s: %(n)d responses so far; the results of an anonymous survey are shown from 3",
                           wave=title, n=facts.responses), facts.url))
        return
    rate = (_("response rate %(rate)s", rate=_pct(facts.response_rate)) if facts.response_rate is not None
            else _("no invitations: response rate unknown"))
    parts = [_("n = %(n)d", n=facts.responses), rate, _("CSAT %(csat)s", csat=_pct(facts.csat)),
             _("NPS %(nps)s", nps=_signed(facts.nps))]
    if facts.nps_change is not None:
        parts[-1] += " " + _("(%(change)s since %(wave)s)", change=_signed(facts.nps_change), wave=facts.previous_wave)
    parts.append(_("intention to keep buying %(pct)s", pct=_pct(facts.repurchase)))
    reasons.append(Line(f"{title}: " + ", ".join(parts), facts.url))
    if facts.drivers:
        drivers = "; ".join(_driver(d) for d in facts.drivers)
        reasons.append(Line(_("What drives the intention to keep buying and to recommend: %(drivers)s",
                              drivers=drivers), facts.url))
    else:
        gaps.append(Line(_("%(wave)s gives no driver analysis: it needs the service attributes answered together with "
                           "the intention to keep buying or to recommend", wave=title), facts.url))
    if facts.nps is None and facts.repurchase is None:
        gaps.append(Line(_("%(wave)s does not ask about the intention to keep buying or to recommend", wave=title),
                         facts.url))


def _driver(driver) -> str:
    text = _("%(attribute)s (favourable %(favourable)s, r = %(repurchase)s with keeping buying, %(recommend)s with "
             "recommending, n = %(n)d)", attribute=driver.attribute, favourable=_pct(driver.favourable),
             repurchase=_r(driver.r_repurchase), recommend=_r(driver.r_recommend), n=driver.n)
    return text + (" " + _("read with caution") if driver.caution else "")


# --- detail -----------------------------------------------------------------------------------------

def _blocks(requirements: RequirementFacts, activities: list, since: date, monthly: list[dict], by_category: dict,
            earlier_by_category: dict, facts) -> list:
    blocks = []
    if requirements.total:
        blocks.append(_requirements_table(requirements))
    if activities:
        blocks.append(Table(_("Listening activities since %(date)s", date=format_date(since, "long")),
                            [_("Kind"), _("Activities"), _("Participants"), _("Latest")],
                            [[Line(str(ACTIVITY_KIND_LABELS[kind]), url_for("loyalty.activities")), str(n),
                              str(people), format_date(latest, "short")] for kind, n, people, latest in activities]))
    if by_category:
        blocks.append(_complaints_table(since, by_category, earlier_by_category))
        recent_rows = [row for row in monthly if row["response_days"] is not None]
        if recent_rows:
            blocks.append(Figure(_("Mean response time per month and category (24 months)"),
                                 chart_svg(charts.response_trend_chart(monthly))))
    if facts is not None and not facts.hidden:
        blocks += _survey_tables(facts)
    return blocks


def _requirements_table(facts: RequirementFacts) -> Table:
    by_source = facts.by_source()
    by_status = facts.by_status()
    rows = []
    for source in RequirementSource:
        cells = []
        for status in STATUS_ORDER:
            count = facts.by_source_status.get((source, status), 0)
            cells.append(Line(str(count), url_for("loyalty.requirements", source=source.value, status=status.value))
                         if count else "0")
        total = by_source.get(source, 0)
        rows.append([str(SOURCE_LABELS[source]), *cells,
                     Line(str(total), url_for("loyalty.requirements", source=source.value)) if total else "0"])
    rows.append([_("All sources"), *(str(by_status.get(status, 0)) for status in STATUS_ORDER), str(facts.total)])
    return Table(_("Client requirements by source and status"),
                 [_("Source"), *(str(REQUIREMENT_STATUS_LABELS[s]) for s in STATUS_ORDER), _("Total")], rows)


def _complaints_table(since: date, by_category: dict, earlier_by_category: dict) -> Table:
    ids = dict(db.session.execute(select(ComplaintCategory.name, ComplaintCategory.id)).all())
    rows = []
    for name, window in sorted(by_category.items(), key=lambda item: (-item[1].received, item[0])):
        before = earlier_by_category.get(name)
        link = url_for("loyalty.complaints", category=ids[name], start=since.isoformat()) if name in ids else None
        rows.append([Line(name, link), str(window.received), str(window.answered), _one(window.mean_days),
                     _one(before.mean_days if before else None)])
    return Table(_("Enquiries, complaints, claims and incidents since %(date)s by category",
                   date=format_date(since, "long")),
                 [_("Category"), _("Received"), _("Answered"), _("Mean response time (days)"),
                  _("Mean response time, 12 months before (days)")], rows)


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
    if facts.drivers:
        blocks.append(Table(_("What drives the intention to keep buying and to recommend — %(wave)s", wave=title),
                            [_("Attribute"), _("Favourable"), _("Importance"), _("r with keeping buying"),
                             _("r with recommending"), _("n"), _("Read with caution")],
                            [[d.attribute, _pct(d.favourable), _r(d.importance), _r(d.r_repurchase),
                              _r(d.r_recommend), str(d.n), _("yes") if d.caution else _("no")]
                             for d in facts.drivers]))
    return blocks
