"""Adding the standard item "I know about the change to …" for an implemented improvement to a client survey (C2)."""

from flask import redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import TEAM_DATA, allow
from core.extensions import db
from core.rules import rule_refusals
from core.ui import flash_form_errors
from improvements.models import Improvement
from surveys import bp, understanding
from surveys.forms import UnderstandingItemForm
from surveys.models import Survey
from surveys.views.manage import after_change


@bp.post("/<int:survey_id>/items/understanding")
@allow(TEAM_DATA)
def add_understanding(survey_id: int):
    """Ask the survey's clients whether they know about one implemented improvement (in a new edition when the
    survey has answers)."""
    survey = db.get_or_404(Survey, survey_id)
    form = UnderstandingItemForm(improvements=understanding.offered_improvements(survey))
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".survey", survey_id=survey.id, _anchor="items"))
    improvement = db.get_or_404(Improvement, form.improvement.data)
    with rule_refusals():
        target, item = understanding.add_understanding_item(survey, improvement, actor=current_user)
        db.session.commit()
        return after_change(survey, target, _("Question added: “%(text)s”", text=item.text))
    return redirect(url_for(".survey", survey_id=survey.id, _anchor="items"))
