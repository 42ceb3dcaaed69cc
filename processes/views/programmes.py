"""Programmes: the loyalty programme and the other programmes it shares interfaces with."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from core.access import COORDINATION, TEAM_DATA, allow
from core.extensions import db
from core.ui import next_or
from core.versioning import submit_edit
from processes import bp, services
from processes.forms import ProgrammeForm
from processes.models import Process, ProcessStatus, Programme, ServiceMoment


@bp.get("/programmes")
@allow(TEAM_DATA)
def programmes():
    """The organisation's programmes with how many current processes each has."""
    counts = dict(db.session.execute(
        select(Process.programme_id, func.count()).where(Process.status != ProcessStatus.RETIRED)
        .group_by(Process.programme_id)).all())
    rows = db.session.scalars(select(Programme).order_by(Programme.is_certified.desc(), Programme.code)).all()
    moments = dict(db.session.execute(select(ServiceMoment.programme_id, func.count())
                                      .group_by(ServiceMoment.programme_id)).all())
    return render_template("processes/programmes.html", programmes=rows, counts=counts, moments=moments)


@bp.route("/programmes/new", methods=["GET", "POST"])
@allow(COORDINATION)
def new_programme():
    """Record a programme."""
    form = ProgrammeForm()
    if request.method == "GET" and services.certified_programme() is None:
        form.is_certified.data = True  # the first programme recorded is, almost always, the one certified
    if form.validate_on_submit():
        programme = services.save_programme(None, form.data)
        db.session.commit()
        flash(_("Programme %(code)s created.", code=programme.code), "success")
        return redirect(next_or(url_for(".programmes")))
    return render_template("processes/programme_form.html", form=form, programme=None)


@bp.route("/programmes/<int:programme_id>", methods=["GET", "POST"])
@allow(COORDINATION)
def edit_programme(programme_id: int):
    """Change a programme's name, description, or which programme is under certification."""
    programme = db.get_or_404(Programme, programme_id)
    form = ProgrammeForm(obj=programme, editing=programme)
    saved, conflict = submit_edit(form, programme, lambda: services.save_programme(
        programme, form.data, version=form.version.data))
    if saved:
        db.session.commit()
        flash(_("Programme %(code)s saved.", code=programme.code), "success")
        return redirect(url_for(".programmes"))
    return render_template("processes/programme_form.html", form=form, programme=programme, conflict=conflict)
