"""B2's automatic evidence: the census of current clients is kept — when it was last updated, the ranking with
its ABC classes, new and lost clients in the last 12 months with their exit reasons, strategic clients and the
segmentation — read with the census's own functions, in a fixed number of queries.

In three parts: the **facts** (``b2_facts()``, a frozen dataclass), the **rule** (``b2_status(facts)``, pure)
and the **wording** (``b2_finding(facts, detail)``, whose detail reads what only its tables and chart need).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from core.audit import AuditEntry
from core.charts import chart_svg
from core.extensions import db
from core.findings import Figure, Finding, Line, Status, Table, evaluation_day
from core.i18n import percent
from core.ui import money
from loyalty import charts, history, ranking, segments
from loyalty.exit_interviews import ExitInterviews, interviews
from loyalty.forms import BASIS_LABELS
from loyalty.models import CensusImport, Client, ClientYear
from loyalty.reasons import exit_reasons
from loyalty.settings import current_settings

#: The census counts as kept current when it changed (import or client edit) within this many days.
STALE_AFTER_DAYS = 365
#: How many exits without a reason are listed one by one among the gaps (the rest in one line).
EXITS_LISTED = 5
#: How many years the detail's history table and chart show.
HISTORY_YEARS = 5
#: The tables of the census whose audited changes (client by client) count as updating it.
CENSUS_TABLES = ("clients", "client_years")


@dataclass(frozen=True)
class B2Facts:
    today: date
    clients: int
    current: int = 0
    #: Lost clients without an exit reason, and the latest few of them (``EXITS_LISTED``).
    unexplained: int = 0
    unexplained_listed: tuple = ()
    strategic: int = 0
    #: The last change to the census (client created, edited or imported).
    updated: date | None = None
    #: The latest year with figures, None when no yearly figures are recorded.
    figures_year: int | None = None
    #: New and lost clients in the last 12 months.
    new: int = 0
    lost: int = 0
    last_import: CensusImport | None = None
    #: The ABC classes (``ranking.ClassSummary``) and the segmentation matrix of ``figures_year``.
    classes: tuple = ()
    matrix: tuple = ()
    settings: object = None
    #: The exit interviews of the clients lost in the last 12 months (``exit_interviews.ExitInterviews``), if any.
    interviews: ExitInterviews | None = None

    @property
    def since(self) -> date:
        return _year_start(self.today, 11)

    @property
    def year(self) -> int:
        return self.figures_year or self.today.year

    @property
    def stale(self) -> bool:
        return self.updated < self.today - timedelta(days=STALE_AFTER_DAYS)


def _counts():
    """One row: clients, current, lost without a reason and strategic current clients, the latest year with
    figures, and the last change to the census (client created, edited, or imported)."""
    current = Client.left_on.is_(None)
    # A demo census whose clients were removed is no update of the organisation's census.
    last_import = select(func.max(CensusImport.imported_at)).where(CensusImport.removed_at.is_(None)).scalar_subquery()
    last_edit = select(func.max(AuditEntry.created_at)).where(AuditEntry.entity_type.in_(CENSUS_TABLES)) \
        .scalar_subquery()
    latest_year = select(func.max(ClientYear.year)).scalar_subquery()
    return db.session.execute(select(
        func.count(Client.id),
        func.coalesce(func.sum(case((current, 1), else_=0)), 0),
        func.coalesce(func.sum(case((~current & Client.exit_reason_id.is_(None), 1), else_=0)), 0),
        func.coalesce(func.sum(case((current & Client.strategic.is_(True), 1), else_=0)), 0),
        func.max(Client.created_at), last_import, last_edit, latest_year,
    )).one()


def b2_facts(today: date | None = None) -> B2Facts:
    """The census as B2 reads it, with the census's own functions, in a fixed number of queries."""
    today = today or evaluation_day()
    clients, current, unexplained, strategic, created, imported, edited, figures_year = _counts()
    if not clients:
        return B2Facts(today, 0)
    settings = current_settings()
    months = history.census_history("month", settings, start=_year_start(today, 11), end=today)
    classes, matrix = (), ()
    if figures_year is not None:
        # B2 is about the census of current clients: its classes are computed among them, not among the
        # clients lost since, whose large purchases would push current ones down a class.
        classes = tuple(ranking.pareto(figures_year, settings, "current")[1])
        matrix = tuple(segments.matrix(figures_year, settings))
    return B2Facts(today, clients, current=current, unexplained=unexplained, strategic=strategic,
                   unexplained_listed=_exits_without_reason() if unexplained else (),
                   updated=_last_update(created, imported, edited), figures_year=figures_year,
                   new=sum(p.new for p in months), lost=sum(p.lost for p in months), last_import=_last_import(),
                   classes=classes, matrix=matrix, settings=settings,
                   interviews=interviews(_year_start(today, 11), today))


def b2_status(facts: B2Facts) -> Status:
    """Missing without clients; met when the census was updated within the year, has yearly figures, strategic
    clients marked and every exit with its reason; partly otherwise."""
    if not facts.clients:
        return Status.MISSING
    complete = not facts.stale and facts.figures_year is not None and facts.strategic and not facts.unexplained
    return Status.MET if complete else Status.PARTLY


def _last_update(*moments):
    found = [m for m in moments if m is not None]
    if not found:
        return None
    latest = max(found)
    return latest.date() if hasattr(latest, "date") else latest


def _year_start(day: date, months_back: int) -> date:
    """The first day of the month ``months_back`` months before ``day``'s month."""
    month = day.year * 12 + day.month - 1 - months_back
    return date(month // 12, month % 12 + 1, 1)


def _last_import() -> CensusImport | None:
    return db.session.scalar(select(CensusImport).where(CensusImport.imported_at.is_not(None),
                                                        CensusImport.removed_at.is_(None))
                             .order_by(CensusImport.imported_at.desc(), CensusImport.id.desc()).limit(1))


def _exits_without_reason() -> tuple[Client, ...]:
    return tuple(db.session.scalars(select(Client).where(Client.left_on.is_not(None), Client.exit_reason_id.is_(None))
                                    .order_by(Client.left_on.desc(), Client.id).limit(EXITS_LISTED)))


def _total(value) -> str:
    """A sum of many clients' contributions: whole euros (``core.ui.money``'s rule)."""
    return money(value, whole=True)


def _percent(value) -> str:
    return percent(value)


def b2_finding(facts: B2Facts, detail: bool = False) -> Finding:
    """B2 in words: the census's last update and movements, its ranking and segmentation, strategic clients and
    exits without a reason (in detail the history, exit reasons, classes and segments)."""
    if not facts.clients:
        return Finding(Status.MISSING, [Line(_("No client census has been recorded yet."))],
                       [Line(_("Import the census of current clients, with their yearly figures"),
                             url_for("loyalty.import_census"))])
    reasons = _census_reasons(facts) + _interview_reasons(facts) + _ranking_reasons(facts)
    if facts.strategic:
        reasons.append(Line(ngettext("%(num)d current client is marked as strategic, with the reason",
                                     "%(num)d current clients are marked as strategic, each with the reason",
                                     facts.strategic),
                            url_for("loyalty.index", year=facts.year, strategic=1, status="active")))
    finding = Finding(b2_status(facts), reasons, _census_gaps(facts) + _exit_gaps(facts))
    if detail:
        finding.blocks = _blocks(facts)
    return finding


def _census_reasons(facts: B2Facts) -> list[Line]:
    today, since = facts.today, facts.since
    summary = _("Census updated on %(date)s; %(new)d new and %(lost)d lost clients in the last 12 months; "
                "%(unexplained)d exits without a reason", date=format_date(facts.updated, "long"), new=facts.new,
                lost=facts.lost, unexplained=facts.unexplained)
    reasons = [Line(summary, url_for("loyalty.census_history", granularity="month", start=since.year,
                                     end=today.year))]
    record = facts.last_import
    if record is not None:
        reasons.append(Line(_("Last census import: %(file)s on %(date)s (%(added)d clients added, %(updated)d "
                              "updated, %(lost)d marked lost)", file=record.filename,
                              date=format_date(record.imported_at.date(), "long"), added=record.added,
                              updated=record.updated, lost=record.marked_lost), url_for("loyalty.imports")))
    return reasons


def _interview_reasons(facts: B2Facts) -> list[Line]:
    """What the exit interviews of the clients lost in the last 12 months said, and how they checked the census."""
    found = facts.interviews
    if found is None:
        return []
    given = "; ".join(f"{reason} {count}" for reason, count in found.reasons[:3])
    lines = [Line(_("Exit interviews: %(answered)d of the %(invited)d clients lost in the last 12 months who were "
                    "invited answered%(given)s", answered=found.answered, invited=found.invited,
                    given=_(" (most given reasons: %(reasons)s)", reasons=given) if given else ""), found.url),
             Line(_("The interviews confirmed %(confirmed)d exit reasons of the census, set %(set)d that were "
                    "missing and replaced %(replaced)d after review (%(kept)d kept)", confirmed=found.confirmed,
                    set=found.set, replaced=found.replaced, kept=found.kept), found.url)]
    if found.pending:
        lines.append(Line(ngettext("%(num)d interview answer waits for review against the census (%(differ)d "
                                   "differs from its reason)",
                                   "%(num)d interview answers wait for review against the census (%(differ)d "
                                   "differ from its reason)", found.pending, differ=found.differing), found.url))
    return lines


def _ranking_reasons(facts: B2Facts) -> list[Line]:
    if facts.figures_year is None:
        return []
    year, settings = facts.year, facts.settings
    classes = "; ".join(_("class %(abc)s %(clients)d (%(share)s of the contribution)", abc=c.abc,
                          clients=c.clients, share=_percent(c.share)) for c in facts.classes)
    cells = [cell for row in facts.matrix for cell in row]
    return [
        Line(_("%(current)d current clients; the %(year)d ranking by %(basis)s places them in ABC classes "
               "computed among the current clients: %(classes)s", current=facts.current, year=year,
               basis=str(BASIS_LABELS[settings.contribution_basis]).lower(), classes=classes),
             url_for("loyalty.index", year=year, population="current")),
        Line(_("Segmentation in place: %(placed)d current clients in %(used)d of %(cells)d segments (contribution "
               "class × tenure), each with its treatment", placed=sum(cell.clients for cell in cells),
               used=sum(1 for cell in cells if cell.clients), cells=len(cells)),
             url_for("loyalty.segmentation", year=year)),
    ]


def _census_gaps(facts: B2Facts) -> list[Line]:
    gaps = []
    if facts.stale:
        gaps.append(Line(_("The census has not been updated since %(date)s: import the current census",
                           date=format_date(facts.updated, "long")), url_for("loyalty.import_census")))
    if facts.figures_year is None:
        gaps.append(Line(_("No yearly figures are recorded: the clients cannot be ranked by contribution or "
                           "segmented"), url_for("loyalty.import_census")))
    if not facts.strategic:
        gaps.append(Line(_("No current client is marked as strategic"), url_for("loyalty.index", year=facts.year)))
    return gaps


def _exit_gaps(facts: B2Facts) -> list[Line]:
    listed = facts.unexplained_listed
    gaps = [Line(_("%(client)s left on %(date)s without a reason", client=str(client),
                   date=format_date(client.left_on, "short")),
                 url_for("loyalty.client_detail", client_id=client.id)) for client in listed]
    if facts.unexplained > len(listed):
        gaps.append(Line(ngettext("%(num)d more exit without a reason", "%(num)d more exits without a reason",
                                  facts.unexplained - len(listed)), url_for("loyalty.index", status="lost")))
    return gaps


def census_evidence(detail: bool = False) -> Finding:
    """B2's automatic evidence, from the data as it is now."""
    return b2_finding(b2_facts(), detail)


def _blocks(facts: B2Facts) -> list:
    """The history per year (table and chart), the exit reasons of the last 12 months, the ABC classes and
    the segmentation matrix."""
    blocks = _history_blocks(facts) + _exit_reason_blocks(facts) + _interview_blocks(facts)
    if facts.classes:
        year = facts.year
        blocks.append(Table(_("Clients by contribution class (%(year)d)", year=year),
                            [_("Class"), _("Clients"), _("Contribution"), _("Share of the contribution")],
                            [[Line(c.abc, url_for("loyalty.index", year=year, abc=c.abc, population="current")),
                              str(c.clients),
                              _total(c.contribution), _percent(c.share)] for c in facts.classes]))
    if facts.matrix:
        blocks.append(_segments_table(facts))
    return blocks


def _history_blocks(facts: B2Facts) -> list:
    start = date(facts.today.year - HISTORY_YEARS + 1, 1, 1)
    years = history.census_history("year", facts.settings, start=start, end=facts.today)
    if not years:
        return []
    label = lambda figures: history.period_label(figures, "year")  # noqa: E731
    rows = [[Line(label(p), url_for("loyalty.census_history", granularity="month", start=p.start.year,
                                    end=p.start.year)),
             str(p.at_start), str(p.new), str(p.lost), str(p.at_end), _percent(p.churn), _percent(p.retention),
             _total(p.contribution_lost)] for p in years]
    return [Table(_("New and lost clients per year"),
                  [_("Year"), _("Clients at start"), _("New"), _("Lost"), _("Clients at end"), _("Exit rate"),
                   _("Retention rate"), _("Contribution lost")], rows),
            Figure(_("New and lost clients per year"),
                   chart_svg(charts.movements_chart(years, label, period_title=_("Year"),
                                                    title=_("New and lost clients per year"))))]


def _exit_reason_blocks(facts: B2Facts) -> list:
    names = {reason.id: reason.label for reason in exit_reasons(offered_only=False)}
    exits = history.exit_reasons_over_time("year", start=facts.since, end=facts.today)
    totals = history.exit_reason_totals(exits, names)
    if not totals:
        return []
    return [Table(_("Exit reasons of the clients lost in the last 12 months"),
                  [_("Exit reason"), _("Clients lost"), _("Share")],
                  [[total.reason, str(total.clients), _percent(total.share)] for total in totals])]


def _interview_blocks(facts: B2Facts) -> list:
    found = facts.interviews
    if found is None or not found.reasons:
        return []
    return [Table(_("Exit reasons the clients lost in the last 12 months gave in their exit interviews"),
                  [_("Exit reason"), _("Answers"), _("Share")],
                  [[reason, str(count), _percent(100 * count / found.answered if found.answered else None)]
                   for reason, count in found.reasons])]


def _segments_table(facts: B2Facts) -> Table:
    year, matrix = facts.year, facts.matrix
    columns = [cell.tenure for cell in matrix[0]]
    rows = [[row[0].abc] + [Line(_("%(clients)d · %(segment)s", clients=cell.clients,
                                   segment=str(cell.treatment.name)),
                                 url_for("loyalty.index", year=year, abc=cell.abc, tenure=cell.tenure,
                                         status="active")) for cell in row] for row in matrix]
    return Table(_("Segmentation of current clients (%(year)d)", year=year),
                 [_("Class")] + [str(segments.TENURE_LABELS[t]) for t in columns], rows)
