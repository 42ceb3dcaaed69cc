"""Exit interviews: inviting the clients who left in a period, and reviewing their answers against the census's
exit reasons, one by one where they differ (``surveys.exits``)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import TEAM_DATA, allow, may
from core.extensions import db
from core.forms import EmptyForm
from core.rules import rule_refusals
from core.ui import flash_form_errors
from surveys import bp, engine, exits
from surveys.forms import ExitReviewForm, LostClientsInvitationsForm
from surveys.models import Wave
from surveys.views.waves import invite_found


def _interview_wave(wave_id: int) -> Wave:
    """The wave, if its survey is a (named) exit interview; 404 otherwise."""
    wave = db.get_or_404(Wave, wave_id)
    if not engine.asks_exit_reason(wave.survey) or wave.survey.anonymous:
        abort(404)
    return wave


@bp.post("/waves/<int:wave_id>/invitations/lost")
@allow(TEAM_DATA)
def invite_lost_clients(wave_id: int):
    """Invite the census's clients who left in a period to an exit interview."""
    wave = _interview_wave(wave_id)
    form = LostClientsInvitationsForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".wave", wave_id=wave.id))
    people = exits.lost_invitees(form.left_from.data, form.left_to.data, language=wave.survey.language)
    return invite_found(wave, people, _("No client of the census left in that period."))


@bp.get("/waves/<int:wave_id>/exit-reasons")
@allow(TEAM_DATA)
def exit_reviews(wave_id: int):
    """Each answered exit interview beside the client's exit reason in the census: those that agree or fill a
    missing reason can be recorded at once; those that differ are decided one by one, saying why."""
    wave = _interview_wave(wave_id)
    answers = exits.exit_answers(wave_id=wave.id)
    return render_template("surveys/exit_reviews.html", wave=wave, survey=wave.survey, answers=answers,
                           editor=may("surveys.review_exit", "POST"), action_form=EmptyForm(),
                           forms={a.response_id: ExitReviewForm(prefix=f"r{a.response_id}") for a in answers},
                           states=exits)


@bp.post("/waves/<int:wave_id>/exit-reasons/agreed")
@allow(TEAM_DATA)
def review_agreed_exits(wave_id: int):
    """Record at once the answers that overwrite nothing: those that agree with the census, and the reasons of
    clients the census has none for."""
    wave = _interview_wave(wave_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with rule_refusals():
        done = exits.review_agreed(wave, actor=current_user)
        db.session.commit()
        flash(_("%(n)d answers recorded in the census (confirmed or set where it had no reason).", n=done),
              "success" if done else "info")
    return redirect(url_for(".exit_reviews", wave_id=wave.id))


@bp.post("/waves/<int:wave_id>/exit-reasons/<response_id>")
@allow(TEAM_DATA)
def review_exit(wave_id: int, response_id: str):
    """Review one answer: record the client's reason in the census, or keep the census's, saying why."""
    wave = _interview_wave(wave_id)
    form = ExitReviewForm(prefix=f"r{response_id}")
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".exit_reviews", wave_id=wave.id))
    with rule_refusals():
        exits.review_answer(wave, response_id, apply=form.decision.data == "apply", note=form.note.data,
                            actor=current_user)
        db.session.commit()
        flash(_("Review saved."), "success")
    return redirect(url_for(".exit_reviews", wave_id=wave.id))
