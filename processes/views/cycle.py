"""The service cycle of each programme (seed 001, Dimensión 3): its moments of contact in order, each with the
processes that serve it and the indicators that measure its quality."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.access import COORDINATION, TEAM_DATA, allow
from core.extensions import db
from core.forms import EmptyForm
from core.rules import rule_refusals
from core.versioning import submit_edit
from processes import bp, cycle
from processes.forms import MomentForm
from processes.models import Programme, ServiceMoment


@bp.get("/programmes/<int:programme_id>/cycle")
@allow(TEAM_DATA)
def service_cycle(programme_id: int):
    """A programme's service cycle: the moments of contact in the order the client passes through them."""
    programme = db.get_or_404(Programme, programme_id)
    return render_template("processes/cycle.html", programme=programme, moments=cycle.cycle_of(programme.id),
                           action_form=EmptyForm())


@bp.route("/programmes/<int:programme_id>/cycle/new", methods=["GET", "POST"])
@allow(COORDINATION)
def new_moment(programme_id: int):
    """Add a moment of contact at the end of the cycle (it can be moved afterwards)."""
    programme = db.get_or_404(Programme, programme_id)
    form = MomentForm()
    if form.validate_on_submit():
        with rule_refusals(form.indicator_ids):
            moment = cycle.save_moment(programme.id, None, form.data)
            db.session.commit()
            flash(_("Moment “%(name)s” added to the service cycle.", name=moment.name), "success")
            return redirect(url_for(".service_cycle", programme_id=programme.id, _anchor=f"moment-{moment.id}"))
    return render_template("processes/moment_form.html", form=form, programme=programme, moment=None)


@bp.route("/cycle/<int:moment_id>", methods=["GET", "POST"])
@allow(COORDINATION)
def edit_moment(moment_id: int):
    """Change a moment of contact: its name, what the client experiences, its processes and indicators."""
    moment = db.get_or_404(ServiceMoment, moment_id)
    form = MomentForm(obj=moment)
    if request.method == "GET":
        form.process_ids.data = [link.process_id for link in moment.process_links]
        form.indicator_ids.data = [link.indicator_id for link in moment.indicator_links]
    with rule_refusals(form.indicator_ids):
        saved, conflict = submit_edit(form, moment, lambda: cycle.save_moment(moment.programme_id, moment, form.data,
                                                                              version=form.version.data))
        if saved:
            db.session.commit()
            flash(_("Moment “%(name)s” saved.", name=moment.name), "success")
            return redirect(url_for(".service_cycle", programme_id=moment.programme_id, _anchor=f"moment-{moment.id}"))
    return render_template("processes/moment_form.html", form=form, programme=moment.programme, moment=moment,
                           conflict=conflict)


@bp.post("/cycle/<int:moment_id>/move")
@allow(COORDINATION)
def move_moment(moment_id: int):
    """Move a moment one place earlier or later in the cycle."""
    moment = db.get_or_404(ServiceMoment, moment_id)
    later = request.form.get("direction") == "later"
    if EmptyForm().validate_on_submit() and cycle.move_moment(moment, 1 if later else -1):
        db.session.commit()
    return redirect(url_for(".service_cycle", programme_id=moment.programme_id, _anchor=f"moment-{moment.id}"))


@bp.post("/cycle/<int:moment_id>/remove")
@allow(COORDINATION)
def remove_moment(moment_id: int):
    """Take a moment out of the cycle (the audit trail keeps it)."""
    moment = db.get_or_404(ServiceMoment, moment_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    programme_id, name = moment.programme_id, moment.name
    cycle.remove_moment(moment)
    db.session.commit()
    flash(_("Moment “%(name)s” removed from the service cycle.", name=name), "success")
    return redirect(url_for(".service_cycle", programme_id=programme_id))
