"""Public-link responses by network: a coordinator excludes a burst from one place (kept, never deleted)."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import COORDINATION, allow
from core.extensions import db
from core.ui import flash_form_errors
from surveys import bp, networks
from surveys.forms import ExclusionForm
from surveys.models import Wave


@bp.post("/waves/<int:wave_id>/networks/<network>/exclude")
@allow(COORDINATION)
def exclude_network(wave_id: int, network: str):
    """Take one network's public responses out of the wave's results and exports, saying why."""
    wave = db.get_or_404(Wave, wave_id)
    if wave.public_token is None:
        abort(404)
    form = ExclusionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".wave", wave_id=wave.id, _anchor="networks"))
    exclusion = networks.exclude_network(wave, network, form.reason.data, actor=current_user)
    if exclusion is None:
        flash(_("No counted response of that network is left to exclude."), "warning")
    else:
        db.session.commit()
        flash(_("%(n)d responses excluded: they stay stored but leave the results and exports.",
                n=exclusion.responses), "success")
    return redirect(url_for(".wave", wave_id=wave.id, _anchor="networks"))
