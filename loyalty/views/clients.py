"""Clients: the ranking by contribution, one client, creating, editing, recording an exit."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from core import signals, transitions
from core.access import TEAM_DATA, allow
from core.cache import cached, cached_page
from core.charts import chart_spec
from core.exports import table_response
from core.extensions import db
from core.forms import ConfirmChangeForm, EmptyForm, read_filters
from core.rules import rule_refusals
from core.transitions import ConfirmationNeeded
from core.ui import flash_form_errors
from core.versioning import submit_edit
from loyalty import bp, charts, demo_census, ranking, services
from loyalty.forms import ClientForm, ExitDateForm, FiguresForm, LostForm, RankingFilterForm
from loyalty.models import TYPOLOGY_LABELS, Client, ClientYear, ExitReason
from loyalty.settings import current_settings


class RankingPage(Pagination):
    """A page of the ranking and how many clients match (``ranking.ranking_page``)."""

    def _query_items(self) -> list:
        rows, self._matching = ranking.ranking_page(**self._query_args, offset=self._query_offset,
                                                    limit=self.per_page)
        return rows

    def _query_count(self) -> int:
        return self._matching


def _years() -> list[int]:
    """The years with figures, newest first: a DISTINCT over every client's years, kept until the data changes."""
    found = cached("census-years", compute=lambda: list(db.session.scalars(
        select(ClientYear.year).distinct().order_by(ClientYear.year.desc()))))
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
@cached_page
def index():
    """The census ranked by contribution, with ABC classes, filters and the Pareto chart (B2). Reading the kept
    ranking costs a few milliseconds; laying out and formatting the page costs most of the rest, so the page
    itself is kept per person, session, language and data version (``core.cache.cached_page``)."""
    form, year, filters, population = _filters_and_year()
    settings = current_settings()
    page = RankingPage(year=year, settings=settings, filters=filters, sort=request.args.get("sort", "rank"),
                       descending=request.args.get("dir") == "desc", population=population,
                       per_page=current_app.config["PER_PAGE"])
    points, summary = ranking.pareto(year, settings, population)
    # Drawing the chart's spec costs more than reading the kept curve: it is kept until the data changes.
    spec = cached("pareto-chart", year, population, settings.contribution_basis, settings.class_a_share,
                  settings.class_b_share, compute=lambda: chart_spec(charts.pareto_chart(points, settings))) \
        if points else None
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
    return table_response(headers, data, _("clients-%(year)d", year=year), fmt)


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
                           population=population, lost_form=LostForm(), exit_date_form=ExitDateForm(
                               left_on=client.left_on), reinstate_form=ConfirmChangeForm(),
                           kept_exit_date=services.kept_exit_date(client),
                           history=transitions.history(services.CLIENT_HISTORY_KIND, client.id),
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
    """Record that the client left: the date and the reason; the client and its history stay. A client who left
    before keeps the exit date first recorded unless the form says why it changes. One that would lower a
    criterion answers with the confirmation page, whose button posts here again, confirmed."""
    client = db.get_or_404(Client, client_id)
    form = LostForm()
    if form.validate_on_submit():
        reason = db.session.get(ExitReason, form.reason.data) if form.reason.data else None
        with rule_refusals():
            try:
                left_on = services.record_exit(client, form.left_on.data, reason, note=form.note.data,
                                               actor=current_user, date_reason=form.date_reason.data,
                                               confirmed=form.confirm.data == "yes")
            except ConfirmationNeeded:
                return _confirm_page(client, _("Current client"), _("Lost on %(date)s", date=format_date(
                    form.left_on.data)), lambda: services.mark_lost(
                    client, form.left_on.data, reason, note=form.note.data, actor=current_user,
                    date_reason=form.date_reason.data), form, url_for(".mark_lost", client_id=client.id),
                    hidden={"left_on": form.left_on.data.isoformat(), "reason": form.reason.data or "",
                            "note": form.note.data or "", "date_reason": form.date_reason.data or ""})
            db.session.commit()
            flash(_("%(code)s is recorded as lost.", code=client.code), "success")
            if left_on != form.left_on.data:
                flash(_("%(code)s left before: the exit date first recorded, %(date)s, is kept. To change it, say "
                        "why.", code=client.code, date=format_date(left_on)), "info")
    else:
        flash_form_errors(form)
    return redirect(url_for(".client_detail", client_id=client.id))


@bp.post("/<int:client_id>/exit-date")
@allow(TEAM_DATA)
def change_exit_date(client_id: int):
    """Correct the day a lost client left, saying why (never done by a later exit or an edit)."""
    client = db.get_or_404(Client, client_id)
    form = ExitDateForm()
    if not form.validate_on_submit():
        flash(_("Give the date the client left."), "danger")
        return redirect(url_for(".client_detail", client_id=client.id, _anchor="exit"))
    confirmed = form.confirm.data == "yes"
    with rule_refusals(form.reason if confirmed else None):
        try:
            services.change_exit_date(client, form.left_on.data, actor=current_user, reason=form.reason.data,
                                      confirmed=confirmed)
        except ConfirmationNeeded:
            pass
        else:
            db.session.commit()
            flash(_("Exit date of %(code)s changed.", code=client.code), "success")
            return redirect(url_for(".client_detail", client_id=client.id))
    if client.left_on is None:
        return redirect(url_for(".client_detail", client_id=client.id))
    return _confirm_page(client, format_date(client.left_on), format_date(form.left_on.data),
                         lambda: services.change_exit_date(client, form.left_on.data, actor=current_user,
                                                           reason=form.reason.data or transitions.PREVIEW_REASON,
                                                           confirmed=True),
                         form, url_for(".change_exit_date", client_id=client.id),
                         hidden={"left_on": form.left_on.data.isoformat()}, needs_reason=True)


@bp.post("/<int:client_id>/reinstate")
@allow(TEAM_DATA)
def reinstate(client_id: int):
    """Undo an exit (recorded by mistake, or the client came back): confirmed on the page showing what it changes
    in the criteria, with a reason. The exit date stays in the client's history."""
    client = db.get_or_404(Client, client_id)
    form = ConfirmChangeForm()
    if not form.validate_on_submit():
        abort(400)
    with rule_refusals(form.reason if form.confirmed else None):
        try:
            services.reinstate(client, actor=current_user, reason=form.reason.data, confirmed=form.confirmed)
        except ConfirmationNeeded:
            pass
        else:
            db.session.commit()
            flash(_("%(code)s is a current client again.", code=client.code), "success")
            return redirect(url_for(".client_detail", client_id=client.id))
    if client.left_on is None:
        return redirect(url_for(".client_detail", client_id=client.id))
    return _confirm_page(client, _("Lost on %(date)s", date=format_date(client.left_on)), _("Current client"),
                         lambda: services.reinstate(client, actor=current_user, confirmed=True,
                                                    reason=form.reason.data or transitions.PREVIEW_REASON),
                         form, url_for(".reinstate", client_id=client.id), needs_reason=True)


def _confirm_page(client: Client, before: str, after: str, change, form, action: str, *, hidden=None,
                  needs_reason: bool = False):
    """What a change of the client's exit would do to the criteria's evidence, to confirm or cancel."""
    return render_template(
        "core/confirm_change.html", heading=_("Change the exit of %(code)s?", code=client.code),
        record=f"{client.code} · {client.name}", back_url=url_for(".client_detail", client_id=client.id),
        before=before, after=after, preview=transitions.preview(change), form=form, hidden=hidden or {},
        needs_reason=needs_reason, action=action)


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
