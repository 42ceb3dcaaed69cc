"""How the census is analysed (coordinators): contribution basis, ABC thresholds, loyalty axis, exit reasons."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.access import COORDINATION, allow
from core.extensions import db
from core.forms import EmptyForm
from core.rules import rule_refusals
from core.versioning import submit_edit
from loyalty import bp
from loyalty.forms import ReasonForm, SettingsForm
from loyalty.models import ExitReason
from loyalty.reasons import add_reason, exit_reasons, set_offered
from loyalty.settings import current_settings, save_settings


@bp.route("/settings", methods=["GET", "POST"])
@allow(COORDINATION)
def census_settings():
    """The contribution basis, the ABC thresholds, the loyalty behaviour, and the list of exit reasons."""
    settings = current_settings()
    form = SettingsForm(obj=settings)
    if request.method == "GET":
        form.contribution_basis.data = settings.contribution_basis.value
    conflict = None
    with rule_refusals(form.class_a_share):
        saved, conflict = submit_edit(form, settings, lambda: save_settings(settings, form.data,
                                                                            version=form.version.data))
        if saved:
            db.session.commit()
            flash(_("Census settings saved."), "success")
            return redirect(url_for(".census_settings"))
    return render_template("loyalty/settings.html", form=form, conflict=conflict, reason_form=ReasonForm(),
                           reasons=exit_reasons(offered_only=False), action_form=EmptyForm())


@bp.post("/settings/reasons")
@allow(COORDINATION)
def add_exit_reason():
    """Add an exit reason to the list offered when a client leaves."""
    form = ReasonForm()
    if form.validate_on_submit():
        with rule_refusals():
            add_reason(form.name.data)
            db.session.commit()
            flash(_("Exit reason added."), "success")
    return redirect(url_for(".census_settings", _anchor="reasons"))


@bp.post("/settings/reasons/<int:reason_id>/<any(offer, withdraw):action>")
@allow(COORDINATION)
def toggle_exit_reason(reason_id: int, action: str):
    """Stop offering an exit reason, or offer it again; clients who left for it keep it."""
    reason = db.get_or_404(ExitReason, reason_id)
    if EmptyForm().validate_on_submit():
        set_offered(reason, action == "offer")
        db.session.commit()
    return redirect(url_for(".census_settings", _anchor="reasons"))
