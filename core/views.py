"""Home, search, health, organisation settings (and its logo), the import matches and the audit trail."""

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from core import bp, services, tasks, trail
from core import home as dashboard
from core import search as finder
from core.access import AUDIT, COORDINATION, COORDINATORS_ONLY, PUBLIC_READ, TEAM_DATA, allow, may
from core.audit import audit_children, entity_label
from core.exports import export_response
from core.extensions import database_reachable, db
from core.files import Owner, download_response
from core.forms import AuditFilterForm, LogoForm, OrganisationForm, options, read_filters
from core.imports import values
from core.models import Organisation, User
from core.schema import migrations_current
from core.ui import flash_form_errors, next_or
from core.versioning import submit_edit


@bp.get("/")
@allow(TEAM_DATA)
def home():
    """The start page: the blocks the packages give about the programme and the signed-in person (readiness,
    tasks, indicators, verdicts, waves, reviews), what changed lately and where to go next."""
    recent = db.session.scalars(services.audit_query().limit(8)).all() if may("core.audit_trail") else []
    panels = dashboard.panels(current_user)
    wide, blocks = [p for p in panels if p.wide], [p for p in panels if not p.wide]
    return render_template("core/home.html", wide=wide, panels=blocks, starting=all(p.empty for p in blocks),
                           recent_changes=trail.readable(recent), zone=trail.zone_name())


@bp.get("/search")
@allow(TEAM_DATA)
def search():
    """The navbar's search: processes, indicators, clients, complaints, requirements, improvements, surveys and
    evidence matching the words, grouped by kind, of the kinds the person may open."""
    results = finder.search(request.args.get("q", ""), language=str(get_locale() or "es").split("_")[0],
                            kind=request.args.get("kind") or None, page=request.args.get("page", 1, type=int))
    return render_template("core/search.html", results=results)


@bp.get("/api/v1/docs")
@allow(PUBLIC_READ)
def api_docs():
    """The REST API's interactive reference (Swagger UI, served from static/vendor: no CDN, no inline script)."""
    return render_template("core/api_docs.html")


@bp.get("/healthz")
@allow(PUBLIC_READ)
def healthz():
    """For load balancers and monitoring: is the database reachable, is its schema current, does the task queue
    answer (with how many tasks wait and how long the oldest has waited: a stopped worker shows there)?"""
    reachable = database_reachable()
    current = reachable and migrations_current()
    queue = tasks.status()
    status = 200 if reachable and current and queue.reachable else 503
    return jsonify(status="ok" if status == 200 else "unavailable",
                   database=reachable, migrations_current=current, queue=queue.as_dict()), status


@bp.route("/settings/organisation", methods=["GET", "POST"])
@allow(COORDINATION)
def organisation_settings():
    """The organisation's name and description, shown on every page and on the evidence pack."""
    organisation = Organisation.current()
    form = OrganisationForm(obj=organisation)
    saved, conflict = submit_edit(form, organisation, lambda: services.save_organisation(
        organisation, form.data, version=form.version.data))
    if saved:
        db.session.commit()
        flash(_("Organisation settings saved."), "success")
        return redirect(next_or(url_for(".organisation_settings")))
    return render_template("core/organisation.html", form=form, logo_form=LogoForm(),
                           organisation=organisation, conflict=conflict)


@bp.post("/settings/organisation/logo")
@allow(COORDINATION)
def organisation_logo():
    """Replace the organisation's logo."""
    organisation = Organisation.current()
    if organisation is None:
        flash(_("Save the organisation's name first."), "warning")
        return redirect(url_for(".organisation_settings"))
    form = LogoForm()
    if form.validate_on_submit():
        services.replace_logo(organisation, form.logo.data, actor=current_user)
        db.session.commit()
        flash(_("Logo uploaded."), "success")
    else:
        flash_form_errors(form)
    return redirect(next_or(url_for(".organisation_settings")))


@bp.get("/settings/organisation/logo")
@allow(COORDINATION)
def organisation_logo_file():
    """The organisation's current logo, as the settings page shows it (earlier logos are served to nobody)."""
    organisation = Organisation.current()
    return download_response(organisation.logo if organisation else None, owner=Owner.ORGANISATION_LOGO)


@bp.get("/settings/import-matches")
@allow(COORDINATORS_ONLY)
def import_matches():
    """The spellings of the organisation's files remembered as values of the app's lists, by list."""
    return render_template("core/import_matches.html", lists=values.remembered_lists(), form=FlaskForm())


@bp.post("/settings/import-matches/<int:alias_id>")
@allow(COORDINATORS_ONLY)
def change_import_match(alias_id: int):
    """Make a remembered spelling count as another value of its list."""
    alias = db.get_or_404(values.ImportAlias, alias_id)
    form = FlaskForm()
    if form.validate_on_submit() and values.retarget(alias, request.form.get("value", "")):
        db.session.commit()
        flash(_("“%(spelling)s” now counts as the value chosen.", spelling=alias.spelling), "success")
    else:
        db.session.rollback()
        flash(_("Choose one of the list’s values."), "warning")
    return redirect(url_for(".import_matches"))


@bp.route("/settings/import-matches/<int:alias_id>/forget", methods=["GET", "POST"])
@allow(COORDINATORS_ONLY)
def forget_import_match(alias_id: int):
    """Forget a remembered spelling, once confirmed: the next file writing it is asked about again."""
    alias = db.get_or_404(values.ImportAlias, alias_id)
    form = FlaskForm()
    if form.validate_on_submit():
        spelling = alias.spelling
        values.forget(alias)
        db.session.commit()
        flash(_("“%(spelling)s” is forgotten: the next file that writes it will ask again.", spelling=spelling),
              "success")
        return redirect(url_for(".import_matches"))
    vocabulary = values.vocabularies().get(alias.vocabulary)
    option = vocabulary.option(alias.value) if vocabulary else None
    return render_template("core/import_match_forget.html", alias=alias, form=form,
                           title=vocabulary.title if vocabulary else alias.vocabulary,
                           counts_as=option.label if option else alias.value)


def _audit_filters() -> tuple[AuditFilterForm, dict]:
    """The trail's filter form, its menus filled, and the filters it was sent (refused values dropped)."""
    form = AuditFilterForm(request.args, meta={"csrf": False})
    people = db.session.scalars(db.select(User).order_by(User.name))
    form.actor.choices = options([(0, _("Anyone"))] + [(u.id, f"{u.name} <{u.email}>") for u in people])
    kinds = sorted(((t, entity_label(t)) for t in services.audited_entity_types()), key=lambda pair: pair[1])
    form.entity_type.choices = options([("", _("Any kind"))] + kinds)
    form.action.choices = options([("", _("Any change"))] + list(trail.ACTION_LABELS.items()))
    return form, read_filters(form).filters()


@bp.get("/audit")
@allow(AUDIT)
def audit_trail():
    """Browse every change made to the data, filtered by record, person, kind of record, change and dates."""
    form, filters = _audit_filters()
    page = db.paginate(services.audit_query(**filters), per_page=50)
    subject = (trail.subject(filters["entity_type"], filters["entity_id"])
               if filters.get("entity_type") and filters.get("entity_id") else None)
    children = [entity_label(model.__tablename__) for model, _column in audit_children(filters["entity_type"])] \
        if subject else []
    return render_template("core/audit.html", form=form, page=page, entries=trail.readable(page.items),
                           subject=subject, children=children,
                           zone=trail.zone_name(), filters=request.args.to_dict(flat=True),
                           export_args={k: v for k, v in request.args.items() if k != "page"})


@bp.get("/audit/export.<any(csv, xlsx):fmt>")
@allow(AUDIT)
def export_audit_trail(fmt):
    """The filtered trail as a spreadsheet: one row per field changed, times in the organisation's zone."""
    _form, filters = _audit_filters()
    return export_response(trail.export_frame(services.audit_query(**filters)), _("audit-trail"), fmt)
