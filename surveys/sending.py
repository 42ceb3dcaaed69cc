"""E-mailing a wave's links in a batch on the task queue: the request asks for it (``start_batch``), the task sends
it (``run_batch``), the wave page shows how it went (``latest_batch``).

Each accepted message's ``sent_at`` is committed before the next is sent, so a server failing at message 200
keeps the 199 sent: the batch says "199 sent, 361 left" with the server's error, and when the queue tries again
it takes only the invitations this batch has not taken yet. An address the server refuses is kept on its
invitation (``send_error``) and the rest are sent.
"""

from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select

from core import mail
from core.extensions import db
from core.rules import RuleError
from core.timeutil import utcnow
from surveys.models import BatchStatus, Invitation, InvitationBatch, Wave

#: A batch queued or sending for longer than this is taken as lost (its worker died) and may be asked for again.
LOST_AFTER = timedelta(hours=1)


class SendingRefused(RuleError):
    """A sending asked for while another of the same wave is under way."""


def start_batch(wave: Wave, *, actor, base_url: str) -> InvitationBatch | None:
    """A batch e-mailing the wave's unused links (a reminder to those who have not answered), queued for the
    task; None when no SMTP server is configured. A batch that failed is taken up where it stopped (the links it
    sent are not sent twice); one under way refuses another. Flushes."""
    if not mail.mail_configured():
        return None
    last = latest_batch(wave)
    if last is not None and last.status != BatchStatus.DONE:
        if last.status != BatchStatus.FAILED and last.created_at > utcnow() - LOST_AFTER:
            raise SendingRefused(_("The links are being sent already: this page shows how it goes."))
        last.status, last.finished_at = BatchStatus.QUEUED, None
        db.session.flush()
        return last
    batch = InvitationBatch(wave_id=wave.id, requested_by_id=getattr(actor, "id", None), base_url=base_url)
    db.session.add(batch)
    db.session.flush()
    batch.total = db.session.scalar(select(db.func.count()).select_from(_to_send(batch).subquery()))
    return batch


def latest_batch(wave: Wave) -> InvitationBatch | None:
    """The wave's last sending, for its page."""
    return db.session.scalar(select(InvitationBatch).where(InvitationBatch.wave_id == wave.id)
                             .order_by(InvitationBatch.id.desc()).limit(1))


def _to_send(batch: InvitationBatch):
    """The unused invitations with an address that this batch has not taken yet, in a fixed order."""
    return (select(Invitation).where(Invitation.wave_id == batch.wave_id, Invitation.email.is_not(None),
                                     Invitation.used.is_(False),
                                     or_(Invitation.batch_id.is_(None), Invitation.batch_id != batch.id))
            .order_by(Invitation.id))


def run_batch(batch_id: int, *, retry_in: int | None = None) -> InvitationBatch:
    """Send what is left of a batch, committing as each message is accepted. When the server fails, the batch
    keeps the error and, if ``retry_in`` seconds are given and the failure may pass, waits for the queue's next
    try (``mail.MailError`` is raised again for the queue to see); else it ends failed."""
    batch = db.session.get(InvitationBatch, batch_id)
    if batch is None or batch.status in (BatchStatus.DONE, BatchStatus.FAILED):
        return batch
    batch.status, batch.next_try_at = BatchStatus.SENDING, None
    db.session.commit()
    survey = batch.wave.survey
    pending = list(db.session.scalars(_to_send(batch)))
    try:
        mail.send_each(((invitation, _message(invitation, survey, batch)) for invitation in pending),
                       accepted=lambda invitation: _taken(batch, invitation),
                       refused=lambda invitation, reason: _taken(batch, invitation, refused=reason))
    except mail.MailError as error:
        _failed(batch, error, retry_in if error.transient else None)
        if batch.status == BatchStatus.RETRYING:
            raise
        return batch
    batch.status, batch.error, batch.finished_at = BatchStatus.DONE, None, utcnow()
    db.session.commit()
    return batch


def _message(invitation: Invitation, survey, batch: InvitationBatch):
    """The invitation's message, in the survey's language (the language its questions are written in)."""
    link = mail.external_url("answer.invitation", base_url=batch.base_url, token=invitation.token)
    with force_locale(survey.language):
        body = _("Hello %(name)s,\n\nWe would value your opinion: %(title)s.\n%(intro)s\n\nAnswer here: %(link)s\n",
                 name=invitation.name, title=survey.title, intro=survey.description or "", link=link)
    return mail.message(invitation.email, survey.title, body)


def _taken(batch: InvitationBatch, invitation: Invitation, *, refused: str | None = None) -> None:
    """Keep one message's outcome for good before the next is sent."""
    invitation.batch_id, invitation.send_error = batch.id, refused[:300] if refused else None
    if refused:
        batch.refused += 1
    else:
        invitation.sent_at = utcnow()
        batch.sent += 1
    db.session.commit()


def _failed(batch: InvitationBatch, error: "mail.MailError", retry_in: int | None) -> None:
    db.session.rollback()  # nothing is pending: every accepted message was committed as it went
    batch.error = str(error)[:500]
    if retry_in is None:
        batch.status, batch.finished_at = BatchStatus.FAILED, utcnow()
    else:
        batch.status, batch.next_try_at = BatchStatus.RETRYING, utcnow() + timedelta(seconds=retry_in)
    db.session.commit()
