"""What the improvement views share: loading records and refusing changes the person may not make."""

from datetime import date

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from core.extensions import db
from improvements.models import Group, Improvement, Task
from improvements.services import may_edit_group


def today() -> date:
    return date.today()


def editable_group(group_id: int) -> Group:
    """The group, if the current user may change its work (else 403)."""
    group = db.get_or_404(Group, group_id)
    if not may_edit_group(current_user, group):
        abort(403)
    return group


def editable_improvement(improvement_id: int) -> Improvement:
    """The improvement, if the current user may change its group's work (else 403)."""
    improvement = db.get_or_404(Improvement, improvement_id)
    if not may_edit_group(current_user, improvement.group):
        abort(403)
    return improvement


def editable_task(task_id: int) -> Task:
    task = db.get_or_404(Task, task_id)
    if not may_edit_group(current_user, task.improvement.group):
        abort(403)
    return task


def done(message: str, endpoint: str, anchor: str | None = None, **values):
    """Commit, say so, and go back to the page the change was made from."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, _anchor=anchor, **values))
