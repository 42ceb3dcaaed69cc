"""Evidence packs: asking for one (joining the job already building it), following its progress, downloading
it, and the dated snapshots with their manifests and comparisons."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core.access import PACKS, allow
from core.extensions import db
from core.files import Owner, download_response
from core.ids import record_id
from evidence import bp, pack_facts, pack_jobs, packs
from evidence.forms import PACK_LANGUAGES
from evidence.models import JobState, PackJob, PackSnapshot
from evidence.views.common import chosen_set, language


@bp.post("/packs")
@allow(PACKS)
def request_pack():
    """Generate the pack (whole checklist or one criterion): served at once if the data has not changed,
    otherwise built by a job whose progress the next page follows."""
    criteria_set = chosen_set(request.form.get("set", type=record_id))
    scope = request.form.get("scope") or packs.SCOPE_ALL
    if scope != packs.SCOPE_ALL and scope not in {c.code for c in criteria_set.criteria}:
        abort(404)
    chosen_language = request.form.get("language")
    if chosen_language not in dict(PACK_LANGUAGES):
        chosen_language = language()
    snapshot, job, started = pack_jobs.request_pack(criteria_set, scope, chosen_language, actor=current_user)
    if snapshot is not None:
        return redirect(url_for(".download_pack", snapshot_id=snapshot.id))
    if started:
        pack_jobs.start(job)
    else:
        flash(_("This pack is already being generated: you joined that job."), "info")
    return redirect(url_for(".pack_job", job_id=job.id))


def _job_state(job: PackJob) -> dict:
    return {"state": job.state.value, "progress": job.progress, "step": job.step, "error": job.error,
            "download": url_for(".download_pack", snapshot_id=job.snapshot_id) if job.snapshot_id else None}


@bp.get("/jobs/<int:job_id>")
@allow(PACKS)
def pack_job(job_id: int):
    """The progress of a pack being generated; the page polls until it is ready, then downloads it."""
    job = db.get_or_404(PackJob, job_id)
    return render_template("evidence/job.html", job=job, state=_job_state(job), JobState=JobState)


@bp.get("/jobs/<int:job_id>/state")
@allow(PACKS)
def pack_job_state(job_id: int):
    """The job's progress as JSON, read from the database (so any server can answer)."""
    job = db.get_or_404(PackJob, job_id)
    response = jsonify(_job_state(job))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/packs/<int:snapshot_id>/download")
@allow(PACKS)
def download_pack(snapshot_id: int):
    """The PDF of a pack, as generated (snapshots never change)."""
    return download_response(db.get_or_404(PackSnapshot, snapshot_id).file, owner=Owner.EVIDENCE_PACK)


@bp.get("/packs")
@allow(PACKS)
def snapshots():
    """Every pack generated, newest first, each with its data date; choose two to compare."""
    items = db.session.scalars(select(PackSnapshot).order_by(PackSnapshot.id.desc())).all()
    return render_template("evidence/snapshots.html", snapshots=items)


@bp.get("/packs/<int:snapshot_id>")
@allow(PACKS)
def snapshot(snapshot_id: int):
    """One pack: when its data is from, who generated it, each criterion's status and the file manifest, and the
    SHA-256 of its content recomputed from what the snapshot keeps (the cover prints the same)."""
    snapshot = db.get_or_404(PackSnapshot, snapshot_id)
    return render_template("evidence/snapshot.html", snapshot=snapshot,
                           content_digest=pack_facts.snapshot_digest(snapshot))


@bp.get("/packs/compare")
@allow(PACKS)
def compare_snapshots():
    """Which criteria changed status (and which files changed) between two packs, e.g. two certification cycles."""
    before = db.get_or_404(PackSnapshot, request.args.get("before", type=record_id) or 0)
    after = db.get_or_404(PackSnapshot, request.args.get("after", type=record_id) or 0)
    if before.data_as_at > after.data_as_at:
        before, after = after, before
    changes, files = packs.compare(before, after)
    return render_template("evidence/compare.html", before=before, after=after, changes=changes, files=files)
