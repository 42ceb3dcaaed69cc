"""The answering pages, reachable without an account: a personal link (one response per link) or a
wave's open public link. They speak the survey's language and never record who is answering.

In an anonymous survey a GET of a personal link looks the same whether or not the link was used: whoever
holds a link (a coordinator who printed it, a colleague who saw the slip) must not learn from opening it
whether its owner has answered. A used link is refused only when answers are submitted, with a neutral
message (see docs/anonymity.md)."""

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from sqlalchemy import select

from core.access import PUBLIC, allow
from core.extensions import db, limiter
from surveys import answer_bp, engine, networks
from surveys.forms import AnswerForm
from surveys.models import Invitation, ResponseSource, Wave

#: Waves answered through their public link from this browser (a courtesy against double answers).
SESSION_KEY = "answered_waves"


def _limit() -> str:
    return current_app.config["SURVEY_RATE_LIMIT"]


def _page(template: str, status: int = 200, language: str | None = None, **context):
    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return render_template(template, **context), status


def _unknown():
    return _page("surveys/answer_unknown.html", 404, language=request.accept_languages.best_match(["es", "en"]))


def _closed(wave: Wave):
    return _page("surveys/answer_closed.html", 410, language=wave.survey.language, wave=wave)


def _refused(survey, *, full: bool = False):
    """A submission that cannot be taken: the link was used (said neutrally in an anonymous survey) or the
    visitor's network has given the public link all the answers it takes."""
    return _page("surveys/answer_done.html", language=survey.language, survey=survey, already=not full,
                 neutral=survey.anonymous, full=full)


def _answer(wave: Wave, *, invitation: Invitation | None):
    """The questionnaire; on a valid POST the response is stored and the visitor thanked."""
    survey, form = wave.survey, AnswerForm()
    items, errors = list(survey.items), []
    if form.validate_on_submit():
        values, errors = engine.check_answers(items, request.form)
        network = None if invitation else networks.network_hash(wave.id, request.remote_addr)
        if not errors and invitation is None and networks.network_full(wave, network):
            db.session.rollback()  # let the wave go at once
            return _refused(survey, full=True)
        if not errors:
            try:
                engine.submit_response(wave, values, invitation=invitation, network=network,
                                       source=ResponseSource.LINK if invitation else ResponseSource.PUBLIC)
            except engine.AlreadyAnswered:
                db.session.rollback()
                return _refused(survey)
            db.session.commit()
            if invitation is None:
                session[SESSION_KEY] = [*session.get(SESSION_KEY, [])[-50:], wave.id]
            return redirect(url_for("answer.thanks", lang=survey.language))
    elif form.is_submitted():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    return _page("surveys/answer.html", 200, language=survey.language, survey=survey, wave=wave, form=form,
                 items=items, errors=errors, given=request.form if form.is_submitted() else {})


@answer_bp.route("/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_limit)
def invitation(token: str):
    """Answer through one's own link: once."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
    if invitation is None:
        return _unknown()
    wave = invitation.wave
    if invitation.used and not wave.survey.anonymous:  # named surveys: the person sees it at once
        return _page("surveys/answer_done.html", language=wave.survey.language, survey=wave.survey, already=True)
    if not engine.accepts_answers(wave):
        return _closed(wave)
    return _answer(wave, invitation=invitation)


@answer_bp.route("/w/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_limit)
def public(token: str):
    """Answer a wave through its open public link."""
    wave = db.session.scalar(select(Wave).where(Wave.public_token == token))
    if wave is None:
        return _unknown()
    if not engine.accepts_answers(wave):
        return _closed(wave)
    if wave.id in session.get(SESSION_KEY, []):
        return _page("surveys/answer_done.html", language=wave.survey.language, survey=wave.survey, already=True)
    return _answer(wave, invitation=None)


@answer_bp.get("/thanks")
@allow(PUBLIC)
def thanks():
    """After answering."""
    language = request.args.get("lang") if request.args.get("lang") in ("es", "en") else None
    return _page("surveys/answer_done.html", language=language, survey=None, already=False)
