"""Removing the demo organisation's clients from the census, before the organisation imports its own."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import COORDINATORS_ONLY, allow
from core.extensions import db
from core.rules import rule_refusals
from loyalty import bp, demo_census
from loyalty.forms import RemoveDemoForm
from loyalty.models import CensusImport


@bp.route("/imports/<int:import_id>/remove-demo", methods=["GET", "POST"])
@allow(COORDINATORS_ONLY)
def remove_demo_census(import_id: int):
    """What removing the demo's clients takes away, kind by kind; removes it once the box is ticked."""
    record = db.get_or_404(CensusImport, import_id)
    if not record.demo or record.removed_at is not None:
        abort(404)
    form = RemoveDemoForm()
    if form.validate_on_submit():
        with rule_refusals():
            removal = demo_census.remove_demo_census(record, actor=current_user)
            db.session.commit()
            flash(_("The demo organisation’s clients were removed: %(counts)s.", counts=removal.message), "success")
            return redirect(url_for(".import_census"))
    return render_template("loyalty/remove_demo.html", record=record, form=form,
                           plan=demo_census.removal_plan(record))
