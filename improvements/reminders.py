"""Reminders of improvement tasks: each owner gets one message, in their language, listing their tasks overdue
or due soon, and the corrective actions they answer for that are past their deadline. Sent by the scheduled job
(``improvements.tasks``) and by ``flask reminders``."""

from dataclasses import dataclass
from datetime import date
from itertools import groupby

from flask import current_app
from flask_babel import force_locale, format_date, gettext, ngettext

from core import mail
from improvements.queries import overdue_corrective_actions, tasks_due_for_everyone


@dataclass(frozen=True)
class Reminder:
    """One owner's message."""

    owner_id: int
    email: str
    subject: str
    body: str
    tasks: int


def reminder_text(tasks, today: date, actions=()) -> str:
    """The body of one person's reminder, in the current locale: each task, its improvement, due date and a link;
    then the corrective actions they own past their deadline."""
    lines = []
    if tasks:
        lines += [gettext("Improvement tasks overdue or due soon:"), ""]
    for task in tasks:
        day = format_date(task.due_on)
        state = gettext("OVERDUE since %(day)s", day=day) if task.due_on < today else gettext("due on %(day)s", day=day)
        link = mail.external_url("improvements.improvement_detail", improvement_id=task.improvement_id)
        lines.append(f"- {task.title} ({task.improvement.title}): {state} {link}")
    if actions:
        lines += [""] if lines else []
        lines += [gettext("Corrective actions you answer for, past their deadline:"), ""]
    for action in actions:
        link = mail.external_url("improvements.improvement_detail", improvement_id=action.id)
        lines.append(f"- {action.title}: {gettext('OVERDUE since %(day)s', day=format_date(action.deadline))} {link}")
    return "\n".join(lines)


def reminders(today: date, days: int, *, owner_ids=None) -> list[Reminder]:
    """The messages for the owners of open tasks overdue or due within ``days`` (only ``owner_ids``, if given)."""
    tasks = {owner_id: list(owned) for owner_id, owned in
             groupby(tasks_due_for_everyone(today, days), key=lambda task: task.owner_id)}
    actions: dict[int, list] = {}
    for action in overdue_corrective_actions(today):
        if action.owner_id is not None:
            actions.setdefault(action.owner_id, []).append(action)
    found = []
    for owner_id in sorted(set(tasks) | set(actions)):
        owned, late = tasks.get(owner_id, []), actions.get(owner_id, [])
        owner = owned[0].owner if owned else late[0].owner
        if owner_ids is not None and owner_id not in owner_ids:
            continue
        with force_locale(owner.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
            subject = ngettext("Fideliza: %(num)d improvement task needs you",
                               "Fideliza: %(num)d improvement tasks need you", len(owned)) if owned else \
                ngettext("Fideliza: %(num)d corrective action is past its deadline",
                         "Fideliza: %(num)d corrective actions are past their deadline", len(late))
            found.append(Reminder(owner_id, owner.email, subject, reminder_text(owned, today, late), len(owned)))
    return found


def send_reminders(found: list[Reminder]) -> mail.Outcome:
    """E-mail the reminders over one connection; a failure of the server leaves the rest in ``left``."""
    return mail.send_to_each(((r.owner_id, mail.message(r.email, r.subject, r.body)) for r in found),
                             [r.owner_id for r in found])
