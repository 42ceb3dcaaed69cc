"""The setup page, shown to coordinators and administrators while the organisation is not set up."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import COORDINATORS_ONLY, allow
from core.extensions import db
from core.forms import EmptyForm
from onboarding import bp, services


@bp.get("/")
@allow(COORDINATORS_ONLY)
def setup():
    """The steps with where each stands; the first one left to do is open, each may be skipped and resumed."""
    steps = services.progress()
    current = next((state for state in steps if state.pending), None)
    return render_template("onboarding/setup.html", steps=steps, current=current, form=EmptyForm(),
                           criteria_stored=services.criteria_stored())


@bp.post(f"/<any({', '.join(services.KEYS)}):step>/<any(skip, resume):action>")
@allow(COORDINATORS_ONLY)
def change_step(step: str, action: str):
    """Leave a step for later, or ask for it again."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if action == "skip":
        services.skip(step, actor=current_user)
    else:
        services.resume(step)
    db.session.commit()
    flash(_("Step left for later: you can resume it from this page.") if action == "skip"
          else _("Step resumed."), "success")
    return redirect(url_for(".setup"))
