"""Clients: the ranking by contribution, one client, creating, editing, recording an exit."""

import pandas as pd
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from core import signals
from core.access import TEAM_DATA, allow
from core.charts import chart_spec
from core.exports import export_response
from core.extensions import db
from core.forms import EmptyForm, read_filters
from core.rules import rule_refusals
from core.versioning import submit_edit
from loyalty import bp, charts, demo_census, ranking, services
from loyalty.forms import ClientForm, FiguresForm, LostForm, RankingFilterForm
from loyalty.models import TYPOLOGY_LABELS, Client, ClientYear, ExitReason
from loyalty.settings import current_settings


class RankingPage(Pagination):
    """A page of the ranking: the rows and, from the same query, how many clients match."""

    def _query_items(self) -> list:
        query = self._query_args["query"].limit(self.per_page).offset(self._query_offset)
        rows = db.session.execute(query).all()
        self._matching = rows[0].matching if rows else None
        return rows

    def _query_count(self) -> int:
        if self._matching is not None:
            return self._matching
        if self.page == 1:
            return 0
        query = self._query_args["query"].limit(1)
        first = db.session.execute(query).first()
        return first.matching if first else 0


def _years() -> list[int]:
    found = list(db.session.scalars(select(ClientYear.year).distinct().order_by(ClientYear.year.desc())))
    return found or [ranking.latest_year()]


def _filters_and_year():
    years = _years()
    form = read_filters(RankingFilterForm(request.args, years=years))
    year = form.year.data if form.year.data in years else years[0]
    filters = ranking.RankingFilters(q=(form.q.data or "").strip() or None, typology=form.typology.data or None,
                                     segment=form.segment.data or None, region=form.region.data or None,
                                     status=form.status.data or None, abc=form.abc.data or None,
                                     tenure=form.tenure.data or None, strategic=bool(form.strategic.data))
    population = form.population.data if form.population.data in ranking.POPULATIONS else ranking.POPULATIONS[0]
    return form, year, filters, population


@bp.get("/")
@allow(TEAM_DATA)
def index():
    """The census ranked by contribution, with ABC classes, filters and the Pareto chart (B2)."""
    form, year, filters, population = _filters_and_year()
    settings = current_settings()
    query = ranking.ranking_query(year, settings, filters, sort=request.args.get("sort", "rank"),
                                  descending=request.args.get("dir") == "desc", population=population)
    page = RankingPage(query=query, per_page=current_app.config["PER_PAGE"])
    points, summary = ranking.pareto(year, settings, population)
    spec = chart_spec(charts.pareto_chart(points, settings)) if points else None
    filtered = filters != ranking.RankingFilters() or population != ranking.POPULATIONS[0]
    return render_template("loyalty/ranking.html", form=form, page=page, year=year, settings=settings,
                           summary=summary, pareto_spec=spec, filtered=filtered, population=population,
                           ranked_clients=sum(item.clients for item in summary), typologies=TYPOLOGY_LABELS,
                           demo=demo_census.demo_census())


@bp.get("/export.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export(fmt: str):
    """The ranking as filtered, every matching client, as CSV or XLSX."""
    _form, year, filters, population = _filters_and_year()
    settings = current_settings()
    rows = db.session.execute(ranking.ranking_query(year, settings, filters, population=population)).all()
    headers = [_("Rank"), _("Code"), _("Name"), _("Typology"), _("Segment"), _("Region"), _("Status"),
               _("Strategic"), _("Purchasing potential"), _("Purchases"), _("Margin"), _("Share of purchases (%)"),
               _("Contribution"), _("Cumulative share (%)"), _("Class")]
    data = [(row.rank, row.Client.code, row.Client.name, str(TYPOLOGY_LABELS[row.Client.typology]),
             row.Client.segment, row.Client.region, _("Active") if row.Client.active else _("Lost"),
             _("yes") if row.Client.strategic else _("no"), row.potential, row.purchases, row.margin, row.share,
             row.contribution, row.cumulative_share, row.abc) for row in rows]
    return export_response(pd.DataFrame(data, columns=headers), _("clients-%(year)d", year=year), fmt)


@bp.get("/<int:client_id>")
@allow(TEAM_DATA)
def client_detail(client_id: int):
    """One client: who it is, its yearly figures and place in the ranking, how it left if it did, and what the
    other packages know of it (``core.signals.client_sections``)."""
    client = db.get_or_404(Client, client_id)
    settings = current_settings()
    year = ranking.latest_year()
    # A lost client has no place among the current ones: its position is among all clients of the year.
    population = "current" if client.left_on is None else "all"
    return render_template("loyalty/client.html", client=client, settings=settings, year=year,
                           position=ranking.client_rank(client.id, year, settings, population),
                           population=population, lost_form=LostForm(),
                           figures_form=FiguresForm(year=year), action_form=EmptyForm(),
                           typologies=TYPOLOGY_LABELS, sections=signals.send(signals.client_sections, client))


@bp.route("/new", methods=["GET", "POST"])
@allow(TEAM_DATA)
def new_client():
    """Add a client to the census by hand."""
    form = ClientForm()
    if form.validate_on_submit():
        with rule_refusals(form.code):
            client = services.save_client(None, form.data)
            db.session.commit()
            flash(_("Client %(code)s added.", code=client.code), "success")
            return redirect(url_for(".client_detail", client_id=client.id))
    return render_template("loyalty/client_form.html", form=form, client=None)


@bp.route("/<int:client_id>/edit", methods=["GET", "POST"])
@allow(TEAM_DATA)
def edit_client(client_id: int):
    """Change a client's details (not its exit, which has its own form)."""
    client = db.get_or_404(Client, client_id)
    form = ClientForm(obj=client)
    if request.method == "GET":
        form.typology.data = client.typology.value
    conflict = None
    with rule_refusals(form.code):
        saved, conflict = submit_edit(form, client, lambda: services.save_client(client, form.data,
                                                                                 version=form.version.data))
        if saved:
            db.session.commit()
            flash(_("Client %(code)s saved.", code=client.code), "success")
            return redirect(url_for(".client_detail", client_id=client.id))
    return render_template("loyalty/client_form.html", form=form, client=client, conflict=conflict)


@bp.post("/<int:client_id>/lost")
@allow(TEAM_DATA)
def mark_lost(client_id: int):
    """Record that the client left: the date and the reason; the client and its history stay."""
    client = db.get_or_404(Client, client_id)
    form = LostForm()
    if form.validate_on_submit():
        reason = db.session.get(ExitReason, form.reason.data) if form.reason.data else None
        with rule_refusals():
            services.mark_lost(client, form.left_on.data, reason, note=form.note.data)
            db.session.commit()
            flash(_("%(code)s is recorded as lost.", code=client.code), "success")
    else:
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "danger")
    return redirect(url_for(".client_detail", client_id=client.id))


@bp.post("/<int:client_id>/reinstate")
@allow(TEAM_DATA)
def reinstate(client_id: int):
    """Undo an exit recorded by mistake."""
    client = db.get_or_404(Client, client_id)
    if EmptyForm().validate_on_submit():
        services.reinstate(client)
        db.session.commit()
        flash(_("%(code)s is a current client again.", code=client.code), "success")
    return redirect(url_for(".client_detail", client_id=client.id))


@bp.post("/<int:client_id>/figures")
@allow(TEAM_DATA)
def add_figures(client_id: int):
    """Record one more year of the client's figures."""
    client = db.get_or_404(Client, client_id)
    form = FiguresForm()
    if form.validate_on_submit():
        with rule_refusals():
            services.add_figures(client, form.year.data, form.potential.data, form.purchases.data, form.margin.data)
            db.session.commit()
            flash(_("Figures of %(year)d added.", year=form.year.data), "success")
    else:
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "danger")
    return redirect(url_for(".client_detail", client_id=client.id, _anchor="figures"))
