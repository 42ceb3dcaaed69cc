"""Surveys and their questionnaires: the list, creating, editing details and items (new edition when
the survey has answers)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core.access import TEAM_DATA, allow
from core.exports import table_response
from core.extensions import db
from core.forms import EmptyForm, read_filters
from core.needs import NEED_LEVEL_LABELS
from core.rules import rule_refusals
from core.versioning import ensure_current, submit_edit
from surveys import bp, catalogue, engine, totals, understanding
from surveys.forms import ItemForm, NewSurveyForm, SurveyDetailsForm, SurveyFilterForm, UnderstandingItemForm
from surveys.models import Audience, Survey, SurveyItem


def _survey_filters() -> tuple[SurveyFilterForm, catalogue.SurveyFilters]:
    form = read_filters(SurveyFilterForm(request.args))
    return form, catalogue.SurveyFilters(q=(form.q.data or "").strip() or None, audience=form.audience.data or None,
                                         anonymity=form.anonymity.data or None)


@bp.get("/")
@allow(TEAM_DATA)
def index():
    """Every current survey matching the filters, with its waves and how many responses each shows (anonymous
    waves: released)."""
    form, filters = _survey_filters()
    surveys = catalogue.current_surveys(filters)
    return render_template("surveys/index.html", surveys=surveys, by_root=catalogue.waves_by_root(surveys),
                           sizes=catalogue.wave_sizes(), form=form,
                           filtered=filters != catalogue.SurveyFilters())


@bp.get("/export.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export_surveys(fmt: str):
    """The surveys matching the filters, one row per wave with the responses it shows, as CSV or XLSX."""
    _form, filters = _survey_filters()
    headers, rows = catalogue.export_table(catalogue.current_surveys(filters))
    return table_response(headers, rows, _("surveys"), fmt)


@bp.route("/new", methods=["GET", "POST"])
@allow(TEAM_DATA)
def new_survey():
    """Create a survey from a standard questionnaire (in Spanish or English) or empty."""
    form = NewSurveyForm()
    if form.validate_on_submit():
        with rule_refusals(form.anonymous):
            survey = engine.create_survey(title=(form.title.data or "").strip() or None,
                                          audience=form.chosen_audience, language=form.language.data,
                                          template=form.template.data or None, anonymous=form.anonymous.data,
                                          actor=current_user)
            db.session.commit()
            flash(_("Survey created. Check its questions, then create a wave."), "success")
            return redirect(url_for(".survey", survey_id=survey.id))
    return render_template("surveys/new.html", form=form)


@bp.get("/<int:survey_id>")
@allow(TEAM_DATA)
def survey(survey_id: int):
    """A survey: its questions, its waves and its other editions."""
    survey = db.get_or_404(Survey, survey_id)
    root = survey.root_id
    editions = db.session.scalars(select(Survey).where((Survey.id == root) | (Survey.family_id == root))
                                  .order_by(Survey.edition)).all()
    ids = [w.id for w in survey.waves]
    sizes = totals.wave_sizes(ids)
    offered = understanding.offered_improvements(survey) if survey.audience == Audience.CLIENTS else []
    return render_template("surveys/survey.html", survey=survey, editions=editions, sizes=sizes,
                           frozen=engine.has_responses(survey), action_form=EmptyForm(),
                           understanding_form=UnderstandingItemForm(improvements=offered) if offered else None,
                           need_levels=NEED_LEVEL_LABELS)


@bp.route("/<int:survey_id>/edit", methods=["GET", "POST"])
@allow(TEAM_DATA)
def edit_survey(survey_id: int):
    """Change the title, introduction or (before any answer) anonymity."""
    survey = db.get_or_404(Survey, survey_id)
    form = SurveyDetailsForm(obj=survey)

    def save():
        ensure_current(survey, form.version.data)
        engine.update_details(survey, form.data)

    conflict = None
    with rule_refusals(form.anonymous):
        saved, conflict = submit_edit(form, survey, save)
        if saved:
            db.session.commit()
            flash(_("Survey saved."), "success")
            return redirect(url_for(".survey", survey_id=survey.id))
    return render_template("surveys/edit.html", form=form, survey=survey, conflict=conflict)


def _item(survey: Survey, item_id: int) -> SurveyItem:
    item = db.session.get(SurveyItem, item_id)
    if item is None or item.survey_id != survey.id:
        abort(404)
    return item


def after_change(survey: Survey, target: Survey, message: str):
    if target.id != survey.id:
        flash(_("The survey already had answers, so the change made edition %(n)d; earlier waves keep the "
                "questions they were asked.", n=target.edition), "info")
    else:
        flash(message, "success")
    return redirect(url_for(".survey", survey_id=target.id, _anchor="items"))


@bp.route("/<int:survey_id>/items/new", methods=["GET", "POST"])
@allow(TEAM_DATA)
def new_item(survey_id: int):
    """Add a question."""
    survey = db.get_or_404(Survey, survey_id)
    form = ItemForm()
    if form.validate_on_submit():
        with rule_refusals():
            target, _item_ = engine.save_item(survey, None, form.item_data(), actor=current_user)
            db.session.commit()
            return after_change(survey, target, _("Question added."))
        return redirect(url_for(".survey", survey_id=survey.id))
    return render_template("surveys/item_form.html", form=form, survey=survey, item=None,
                           frozen=engine.has_responses(survey))


@bp.route("/<int:survey_id>/items/<int:item_id>", methods=["GET", "POST"])
@allow(TEAM_DATA)
def edit_item(survey_id: int, item_id: int):
    """Change a question (in a new edition when the survey has answers)."""
    survey = db.get_or_404(Survey, survey_id)
    item = _item(survey, item_id)
    form = ItemForm(obj=item, role_kept=item.role)
    if not form.is_submitted():
        form.kind.data, form.role.data = item.kind.value, item.role.value
        form.need_level.data = item.need_level.value if item.need_level else ""
        form.choices.data = "\n".join(item.choices or [])
    if form.validate_on_submit():
        with rule_refusals():
            target, _item_ = engine.save_item(survey, item.key, form.item_data(), actor=current_user)
            db.session.commit()
            return after_change(survey, target, _("Question saved."))
        return redirect(url_for(".survey", survey_id=survey.id))
    return render_template("surveys/item_form.html", form=form, survey=survey, item=item,
                           frozen=engine.has_responses(survey))


@bp.post("/<int:survey_id>/items/<int:item_id>/remove")
@allow(TEAM_DATA)
def remove_item(survey_id: int, item_id: int):
    """Take a question out (of a new edition when the survey has answers)."""
    survey = db.get_or_404(Survey, survey_id)
    item = _item(survey, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with rule_refusals():
        target = engine.remove_item(survey, item.key, actor=current_user)
        db.session.commit()
        return after_change(survey, target, _("Question removed."))
    return redirect(url_for(".survey", survey_id=survey.id))
