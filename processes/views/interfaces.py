"""Interfaces between processes and their service-level agreements (A2)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import reviews
from core.access import TEAM_DATA, allow
from core.extensions import db
from core.forms import ReviewForm
from core.ids import record_id
from core.versioning import submit_edit
from processes import bp
from processes.agreements import NEEDS_ATTENTION, Compliance, a2_limits, interfaces_to_review, save_interface
from processes.forms import InterfaceForm
from processes.models import Interface
from processes.services import may_edit_interface


def _require_editor(from_process_id: int, to_process_id: int) -> None:
    if not may_edit_interface(current_user, from_process_id, to_process_id):
        abort(403)


@bp.get("/interfaces")
@allow(TEAM_DATA)
def interfaces():
    """Every interface with its agreement's state; problems without agreement and breaches first."""
    only = request.args.get("show")
    rows = interfaces_to_review(only_attention=only == "attention")
    return render_template("processes/interfaces.html", rows=rows, show=only, Compliance=Compliance,
                           needs_attention=NEEDS_ATTENTION, limits=a2_limits())


@bp.route("/interfaces/new", methods=["GET", "POST"])
@allow(TEAM_DATA)
def new_interface():
    """Record an interface between two processes, its problem and its agreement."""
    form = InterfaceForm()
    if request.method == "GET":
        form.from_process_id.data = request.args.get("from", type=record_id)
    if form.validate_on_submit():
        _require_editor(form.from_process_id.data, form.to_process_id.data)
        interface = save_interface(None, form.data)
        db.session.commit()
        flash(_("Interface recorded."), "success")
        return redirect(url_for(".interfaces", _anchor=f"interface-{interface.id}"))
    return render_template("processes/interface_form.html", form=form, interface=None)


@bp.route("/interfaces/<int:interface_id>", methods=["GET", "POST"])
@allow(TEAM_DATA)
def edit_interface(interface_id: int):
    """Change an interface or its agreement."""
    interface = db.get_or_404(Interface, interface_id)
    form = InterfaceForm(obj=interface)

    def save():
        _require_editor(interface.from_process_id, interface.to_process_id)
        _require_editor(form.from_process_id.data, form.to_process_id.data)
        save_interface(interface, form.data, version=form.version.data)

    saved, conflict = submit_edit(form, interface, save)
    if saved:
        db.session.commit()
        flash(_("Interface saved."), "success")
        return redirect(url_for(".interfaces", _anchor=f"interface-{interface.id}"))
    return render_template("processes/interface_form.html", form=form, interface=interface, conflict=conflict,
                           may_edit=may_edit_interface(current_user, interface.from_process_id,
                                                       interface.to_process_id),
                           review_form=ReviewForm(review_interval_months=interface.review_interval_months),
                           today=reviews.today())
