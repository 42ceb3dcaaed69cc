"""B2's automatic evidence: the census of current clients is kept — when it was last updated, the ranking with
its ABC classes, new and lost clients in the last 12 months with their exit reasons, strategic clients and the
segmentation — read with the census's own functions, in a fixed number of queries."""

from datetime import date, timedelta

from flask import url_for
from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from core.audit import AuditEntry
from core.charts import chart_svg
from core.extensions import db
from core.findings import Figure, Finding, Line, Status, Table
from loyalty import charts, history, ranking, segments
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


def _facts():
    """One row: current, lost, lost without a reason and strategic current clients, the latest year with
    figures, and the last change to the census (client created, edited, or imported)."""
    current = Client.left_on.is_(None)
    last_import = select(func.max(CensusImport.imported_at)).scalar_subquery()
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
    return db.session.scalar(select(CensusImport).where(CensusImport.imported_at.is_not(None))
                             .order_by(CensusImport.imported_at.desc(), CensusImport.id.desc()).limit(1))


def _exits_without_reason() -> list[Client]:
    return list(db.session.scalars(select(Client).where(Client.left_on.is_not(None), Client.exit_reason_id.is_(None))
                                   .order_by(Client.left_on.desc(), Client.id).limit(EXITS_LISTED)))


def _number(value) -> str:
    return "—" if value is None else format_decimal(value, "#,##0")


def _percent(value) -> str:
    return "—" if value is None else format_decimal(value, "#,##0.0") + " %"


def census_evidence(detail: bool = False) -> Finding:
    """B2: met when the census was updated within the year, has yearly figures (ranking, ABC classes and
    segmentation), strategic clients marked and every exit with its reason; partly with any client; missing
    with none."""
    (clients, current, unexplained, strategic, created, imported, edited, figures_year) = _facts()
    if not clients:
        return Finding(Status.MISSING, [Line(_("No client census has been recorded yet."))],
                       [Line(_("Import the census of current clients, with their yearly figures"),
                             url_for("loyalty.import_census"))])
    settings = current_settings()
    today = date.today()
    updated = _last_update(created, imported, edited)
    since = _year_start(today, 11)
    months = history.census_history("month", settings, start=since, end=today)
    new, lost = sum(p.new for p in months), sum(p.lost for p in months)
    year = figures_year or today.year

    summary = _("Census updated on %(date)s; %(new)d new and %(lost)d lost clients in the last 12 months; "
                "%(unexplained)d exits without a reason", date=format_date(updated, "long"), new=new, lost=lost,
                unexplained=unexplained)
    reasons = [Line(summary, url_for("loyalty.census_history", granularity="month", start=since.year,
                                     end=today.year))]
    gaps = []
    if updated < today - timedelta(days=STALE_AFTER_DAYS):
        gaps.append(Line(_("The census has not been updated since %(date)s: import the current census",
                           date=format_date(updated, "long")), url_for("loyalty.import_census")))
    record = _last_import()
    if record is not None:
        reasons.append(Line(_("Last census import: %(file)s on %(date)s (%(added)d clients added, %(updated)d "
                              "updated, %(lost)d marked lost)", file=record.filename,
                              date=format_date(record.imported_at.date(), "long"), added=record.added,
                              updated=record.updated, lost=record.marked_lost), url_for("loyalty.imports")))

    summary_classes, matrix = [], []
    if figures_year is None:
        gaps.append(Line(_("No yearly figures are recorded: the clients cannot be ranked by contribution or "
                           "segmented"), url_for("loyalty.import_census")))
    else:
        _points, summary_classes = ranking.pareto(year, settings)
        population = sum(c.clients for c in summary_classes)
        classes = "; ".join(_("class %(abc)s %(clients)d (%(share)s of the contribution)", abc=c.abc,
                              clients=c.clients, share=_percent(c.share)) for c in summary_classes)
        reasons.append(Line(_("%(current)d current clients; the %(year)d ranking by %(basis)s places %(population)d "
                              "clients in ABC classes: %(classes)s", current=current, year=year,
                              basis=str(BASIS_LABELS[settings.contribution_basis]).lower(), population=population,
                              classes=classes), url_for("loyalty.index", year=year)))
        matrix = segments.matrix(year, settings)
        cells = [cell for row in matrix for cell in row]
        placed = sum(cell.clients for cell in cells)
        reasons.append(Line(_("Segmentation in place: %(placed)d current clients in %(used)d of %(cells)d segments "
                              "(contribution class × tenure), each with its treatment", placed=placed,
                              used=sum(1 for cell in cells if cell.clients), cells=len(cells)),
                            url_for("loyalty.segmentation", year=year)))
    if strategic:
        reasons.append(Line(ngettext("%(num)d current client is marked as strategic, with the reason",
                                     "%(num)d current clients are marked as strategic, each with the reason",
                                     strategic),
                            url_for("loyalty.index", year=year, strategic=1, status="active")))
    else:
        gaps.append(Line(_("No current client is marked as strategic"), url_for("loyalty.index", year=year)))
    if unexplained:
        listed = _exits_without_reason()
        gaps += [Line(_("%(client)s left on %(date)s without a reason", client=str(client),
                        date=format_date(client.left_on, "short")),
                      url_for("loyalty.client_detail", client_id=client.id)) for client in listed]
        if unexplained > len(listed):
            gaps.append(Line(ngettext("%(num)d more exit without a reason", "%(num)d more exits without a reason",
                                      unexplained - len(listed)),
                             url_for("loyalty.index", status="lost")))
    finding = Finding(Status.MET if not gaps else Status.PARTLY, reasons, gaps)
    if detail:
        finding.blocks = _blocks(settings, today, since, year, summary_classes, matrix)
    return finding


def _blocks(settings, today: date, since: date, year: int, classes, matrix) -> list:
    """The history per year (table and chart), the exit reasons of the last 12 months, the ABC classes and
    the segmentation matrix."""
    from loyalty.views.analysis import period_label

    start = date(today.year - HISTORY_YEARS + 1, 1, 1)
    years = history.census_history("year", settings, start=start, end=today)
    label = lambda figures: period_label(figures, "year")  # noqa: E731
    blocks = []
    if years:
        rows = [[Line(label(p), url_for("loyalty.census_history", granularity="month", start=p.start.year,
                                        end=p.start.year)),
                 str(p.at_start), str(p.new), str(p.lost), str(p.at_end), _percent(p.churn), _percent(p.retention),
                 _number(p.contribution_lost)] for p in years]
        blocks.append(Table(_("New and lost clients per year"),
                            [_("Year"), _("Clients at start"), _("New"), _("Lost"), _("Clients at end"),
                             _("Exit rate"), _("Retention rate"), _("Contribution lost")], rows))
        blocks.append(Figure(_("New and lost clients per year"), chart_svg(charts.movements_chart(years, label))))
    names = {reason.id: reason.label for reason in exit_reasons(offered_only=False)}
    totals: dict[str, int] = {}
    for _key, reason_id, count in history.exit_reasons_over_time("year", start=since, end=today):
        name = names.get(reason_id, _("Not recorded"))
        totals[name] = totals.get(name, 0) + count
    if totals:
        overall = sum(totals.values())
        blocks.append(Table(_("Exit reasons of the clients lost in the last 12 months"),
                            [_("Exit reason"), _("Clients lost"), _("Share")],
                            [[name, str(count), _percent(100 * count / overall)]
                             for name, count in sorted(totals.items(), key=lambda item: -item[1])]))
    if classes:
        blocks.append(Table(_("Clients by contribution class (%(year)d)", year=year),
                            [_("Class"), _("Clients"), _("Contribution"), _("Share of the contribution")],
                            [[Line(c.abc, url_for("loyalty.index", year=year, abc=c.abc)), str(c.clients),
                              _number(c.contribution), _percent(c.share)] for c in classes]))
    if matrix:
        columns = [cell.tenure for cell in matrix[0]]
        rows = [[row[0].abc] + [Line(_("%(clients)d · %(segment)s", clients=cell.clients,
                                       segment=str(cell.treatment.name)),
                                     url_for("loyalty.index", year=year, abc=cell.abc, tenure=cell.tenure,
                                             status="active")) for cell in row] for row in matrix]
        blocks.append(Table(_("Segmentation of current clients (%(year)d)", year=year),
                            [_("Class")] + [str(segments.TENURE_LABELS[t]) for t in columns], rows))
    return blocks
