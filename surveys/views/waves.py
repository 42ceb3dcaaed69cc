"""Waves of a survey: creating, opening and closing them, and inviting people with their own links."""

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core import transitions
from core.access import TEAM_DATA, allow, may
from core.exports import table_response
from core.extensions import db
from core.forms import ConfirmChangeForm, EmptyForm, read_filters
from core.mail import mail_configured
from core.rules import rule_refusals
from core.timeutil import utcnow
from core.ui import confirmation_posted, flash_form_errors
from surveys import bp, engine, invitation_list, invitations, lifecycle, networks, sending, tasks
from surveys.forms import (
    ClientInvitationsForm,
    InvitationFilterForm,
    LostClientsInvitationsForm,
    PasteInvitationsForm,
    StaffInvitationsForm,
    WaveForm,
)
from surveys.labels import STATUS_LABELS
from surveys.models import WAVE_HISTORY_KIND, Audience, Invitation, Survey, Wave, WaveStatus


def link_for(token: str) -> str:
    return url_for("answer.invitation", token=token, _external=True)


def public_link(wave: Wave) -> str | None:
    return url_for("answer.public", token=wave.public_token, _external=True) if wave.public_token else None


@bp.route("/<int:survey_id>/waves/new", methods=["GET", "POST"])
@allow(TEAM_DATA)
def new_wave(survey_id: int):
    """Start a wave of the survey (a draft until it is opened)."""
    survey = db.get_or_404(Survey, survey_id)
    form = WaveForm()
    if not form.is_submitted():
        form.opens_on.data = utcnow().date()
        form.public_link.data = survey.audience == Audience.CLIENTS
    if form.validate_on_submit():
        with rule_refusals(form.public_link):
            wave = engine.create_wave(survey, name=form.name.data, opens_on=form.opens_on.data,
                                      closes_on=form.closes_on.data, public_link=form.public_link.data)
            db.session.commit()
            flash(_("Wave created. Invite people, then open it."), "success")
            return redirect(url_for(".wave", wave_id=wave.id))
    return render_template("surveys/wave_form.html", form=form, survey=survey)


def _invitation_filters(wave: Wave) -> tuple[InvitationFilterForm, invitation_list.InvitationFilters]:
    form = read_filters(InvitationFilterForm(request.args))
    use = None if wave.survey.anonymous else (form.use.data or None)
    return form, invitation_list.InvitationFilters(q=(form.q.data or "").strip() or None, use=use)


@bp.get("/waves/<int:wave_id>")
@allow(TEAM_DATA)
def wave(wave_id: int):
    """A wave: its status and links, and who is invited, a page at a time. In an anonymous survey nobody sees
    who answered, and no personal link is shown beside a name: links are e-mailed or printed once as sealed
    slips."""
    wave = db.get_or_404(Wave, wave_id)
    editor = may("surveys.invite_list", "POST")
    form, filters = _invitation_filters(wave)
    page = db.paginate(invitation_list.invitations_query(wave, filters), per_page=current_app.config["PER_PAGE"])
    interview = engine.asks_exit_reason(wave.survey) and not wave.survey.anonymous
    clients = wave.survey.audience == Audience.CLIENTS
    return render_template(
        "surveys/wave.html", wave=wave, survey=wave.survey, page=page, filter_form=form,
        filtered=filters != invitation_list.InvitationFilters(), editor=editor,
        counts=invitations.invitation_counts(wave), slips=invitations.slip_counts(wave),
        show_links=editor and not wave.survey.anonymous, public_link=public_link(wave) if editor else None,
        networks=networks.network_counts(wave) if wave.public_token else [],
        link_for=link_for, mail=mail_configured(), batch=sending.latest_batch(wave), action_form=EmptyForm(),
        paste_form=PasteInvitationsForm(),
        staff_form=StaffInvitationsForm() if wave.survey.audience == Audience.STAFF else None,
        census_form=ClientInvitationsForm() if clients and not interview else None,
        lost_form=LostClientsInvitationsForm() if interview else None, interview=interview,
        accepting=engine.accepts_answers(wave), history=transitions.history(WAVE_HISTORY_KIND, wave.id),
        status_labels={k.value: v for k, v in STATUS_LABELS.items()})


@bp.get("/waves/<int:wave_id>/sending")
@allow(TEAM_DATA)
def wave_sending(wave_id: int):
    """The wave's last sending of links, alone: the wave page asks for it again while the queue sends, so the
    counts move without reloading the page (``static/js/sending.js``). 204 when the wave was never sent."""
    wave = db.get_or_404(Wave, wave_id)
    batch = sending.latest_batch(wave)
    if batch is None:
        return "", 204
    return render_template("surveys/_sending.html", batch=batch, survey=wave.survey, wave=wave, live=True)


@bp.get("/waves/<int:wave_id>/invitations.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export_invitations(wave_id: int, fmt: str):
    """The wave's invitations matching the search, as CSV or XLSX: with their links for those who may invite
    (named waves), and never, in an anonymous wave, anything that tells whose link was used."""
    wave = db.get_or_404(Wave, wave_id)
    _form, filters = _invitation_filters(wave)
    rows = db.session.scalars(invitation_list.invitations_query(wave, filters))
    headers, data = invitation_list.export_table(
        wave, rows, links=may("surveys.invite_list", "POST") and not wave.survey.anonymous, link_for=link_for)
    return table_response(headers, data, _("invitations - %(wave)s", wave=wave.name), fmt)


@bp.route("/waves/<int:wave_id>/<any(open, close):action>", methods=["GET", "POST"])
@allow(TEAM_DATA)
def change_wave(wave_id: int, action: str):
    """Open a wave (it takes answers within its dates) or close it. Closing, and reopening a closed wave (with a
    reason), are confirmed on this page, which shows what the change would do to the criteria's evidence.
    Closing an anonymous wave before any release of its results releases them all (see ``surveys.releases``)."""
    wave = db.get_or_404(Wave, wave_id)
    if not may("surveys.change_wave", "POST"):
        abort(403)  # the confirmation page is for those who may confirm (reviewers read the wave's history)
    form = ConfirmChangeForm()
    if request.method == "POST":
        page = url_for(".wave", wave_id=wave.id)
        response = confirmation_posted(
            form, lambda reason, confirmed: lifecycle.change_wave(wave, action, actor=current_user, reason=reason,
                                                                   confirmed=confirmed),
            again_url=url_for(".change_wave", wave_id=wave.id, action=action), done_url=page, cancel_url=page,
            message=_("Wave opened.") if action == "open" else _("Wave closed: its links no longer take answers."))
        if response is not None:
            return response
    return _confirm_page(wave, action, form)


def _confirm_page(wave: Wave, action: str, form: ConfirmChangeForm):
    """What opening or closing would change in the criteria, to confirm or cancel."""
    target = WaveStatus.OPEN if action == lifecycle.OPEN else WaveStatus.CLOSED
    preview = transitions.preview(lambda: lifecycle.preview_change(wave, action, actor=current_user,
                                                                   reason=form.reason.data))
    notes = [_("Its links will no longer take answers.")] if action == lifecycle.CLOSE else []
    return render_template(
        "core/confirm_change.html", heading=_("Change the status of the wave “%(wave)s”?", wave=wave.name),
        record=f"{wave.survey} · {wave.name}", back_url=url_for(".wave", wave_id=wave.id),
        before=STATUS_LABELS[wave.status], after=STATUS_LABELS[target], preview=preview, form=form,
        needs_reason=wave.status == WaveStatus.CLOSED and action == lifecycle.OPEN, notes=notes,
        action=url_for(".change_wave", wave_id=wave.id, action=action))


def report_invited(added: int, skipped: int) -> None:
    flash(_("%(added)d invited; %(skipped)d were already invited to this wave.", added=added, skipped=skipped),
          "success" if added else "warning")


def invite_found(wave: Wave, people: list, nobody: str):
    """Invite the ``people`` a form found (or say ``nobody`` when it found none) and go back to the wave."""
    if not people:
        flash(nobody, "warning")
        return redirect(url_for(".wave", wave_id=wave.id))
    report_invited(*invitations.invite(wave, people))
    db.session.commit()
    return redirect(url_for(".wave", wave_id=wave.id, _anchor="invitations"))


@bp.post("/waves/<int:wave_id>/invitations/list")
@allow(TEAM_DATA)
def invite_list(wave_id: int):
    """Invite people from a pasted list (name; e-mail; typology; segment)."""
    wave = db.get_or_404(Wave, wave_id)
    form = PasteInvitationsForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".wave", wave_id=wave.id))
    people, errors = invitations.parse_invitee_lines(form.lines.data)
    if errors:
        for error in errors[:20]:
            flash(error, "danger")
        flash(_("Nothing was added: correct the lines above and paste the list again."), "danger")
        return redirect(url_for(".wave", wave_id=wave.id))
    report_invited(*invitations.invite(wave, people))
    db.session.commit()
    return redirect(url_for(".wave", wave_id=wave.id, _anchor="invitations"))


@bp.post("/waves/<int:wave_id>/invitations/census")
@allow(TEAM_DATA)
def invite_clients(wave_id: int):
    """Invite the census' current clients of the chosen typologies and segments (a client wave)."""
    wave = db.get_or_404(Wave, wave_id)
    if wave.survey.audience != Audience.CLIENTS:
        abort(404)
    form = ClientInvitationsForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".wave", wave_id=wave.id))
    people = invitations.census_invitees(form.typologies.data or [], form.segments.data or [],
                                         language=wave.survey.language)
    return invite_found(wave, people, _("No current client of the census has the typologies and segments chosen."))


@bp.post("/waves/<int:wave_id>/invitations/staff")
@allow(TEAM_DATA)
def invite_staff(wave_id: int):
    """Invite staff: the members of improvement groups, chosen people in a group, or everyone taking part
    in chosen processes."""
    wave = db.get_or_404(Wave, wave_id)
    form = StaffInvitationsForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".wave", wave_id=wave.id))
    people = invitations.group_invitees(form.groups.data or [])
    people += invitations.user_invitees(form.users.data or [], (form.group.data or "").strip() or None)
    people += invitations.process_participant_invitees(form.processes.data or [])
    report_invited(*invitations.invite(wave, people))
    db.session.commit()
    return redirect(url_for(".wave", wave_id=wave.id, _anchor="invitations"))


@bp.post("/waves/<int:wave_id>/invitations/send")
@allow(TEAM_DATA)
def send_invitations(wave_id: int):
    """E-mail the links (again, to those who have not answered: a reminder), in a batch on the task queue."""
    wave = db.get_or_404(Wave, wave_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    page = url_for(".wave", wave_id=wave.id, _anchor="sending")
    with rule_refusals():
        batch = sending.start_batch(wave, actor=current_user, base_url=request.host_url)
        if batch is None:
            flash(_("No mail server is configured: copy or print the links instead."), "warning")
            return redirect(page)
        db.session.commit()  # before the task: it reads the batch in its own session
        tasks.send_batch(batch.id)
        if wave.survey.anonymous:  # how many go out would tell how many of those with e-mail answered
            flash(_("The links are being e-mailed to those who have not answered."), "success")
        else:
            flash(_("%(n)d e-mails are being sent; this page shows how it goes.", n=batch.left), "success")
    return redirect(page)


@bp.route("/waves/<int:wave_id>/invitations/print", methods=["GET", "POST"])
@allow(TEAM_DATA)
def print_invitations(wave_id: int):
    """The links to print and hand out (editors only: links are personal). A named wave lists them all;
    an anonymous wave prints sealed slips once per batch (POST) and asks first (GET)."""
    wave = db.get_or_404(Wave, wave_id)
    if not may("surveys.invite_list", "POST"):
        abort(403)
    form = EmptyForm()
    if wave.survey.anonymous and not form.validate_on_submit():
        return render_template("surveys/print_slips.html", wave=wave, form=form,
                               slips=invitations.slip_counts(wave))
    if wave.survey.anonymous:
        people = invitations.print_slips(wave, again=request.form.get("which") == "again")
        db.session.commit()
    else:
        people = db.session.scalars(select(Invitation).where(Invitation.wave_id == wave.id)
                                    .order_by(Invitation.segment, Invitation.name)).all()
    page = make_response(render_template("surveys/print.html", wave=wave, invitations=people, link_for=link_for,
                                         public_link=public_link(wave), slips=wave.survey.anonymous))
    page.headers["Cache-Control"] = "private, no-store"  # names beside their links: never kept by a cache
    return page
