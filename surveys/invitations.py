"""Who is invited to a wave: the census' current clients by typology and segment, or pasted lists of names
and e-mails (clients); chosen users, the members of improvement groups, or the participants of processes
(staff). Sending the links by e-mail is ``surveys.sending``'s.

Every audience is a function returning invitee dicts (``name``, and any of ``email``, ``user_id``,
``client_id``, ``typology``, ``segment``) for ``invite``, the only function that writes invitations.
"""

import csv
import io

from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, func, select

from core.extensions import db
from core.models import User
from improvements.models import Group, GroupMember
from loyalty.demo_census import Dependants
from loyalty.models import TYPOLOGY_LABELS, Client, Typology
from processes.models import Participant, Process
from surveys import totals
from surveys.models import Answer, ExitReview, Invitation, Response, Wave, new_token

#: Longest pasted list, in lines.
MAX_LINES = 5000


def parse_invitee_lines(text: str) -> tuple[list[dict], list[str]]:
    """Pasted lines ``name; e-mail; typology; segment`` (tabs from a spreadsheet, commas or semicolons;
    only the name is needed). Returns the invitees and one message per line that cannot be read."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        return [], [_("At most %(n)d lines at a time.", n=MAX_LINES)]
    invitees, errors = [], []
    for number, line in enumerate(lines, start=1):
        delimiter = "\t" if "\t" in line else (";" if ";" in line else ",")
        cells = [cell.strip() for cell in next(csv.reader(io.StringIO(line), delimiter=delimiter))] + [""] * 4
        name, email, typology, segment = cells[:4]
        if "@" in name and not email:  # only an address: it is the name too
            email = name
        if not name:
            errors.append(_("Line %(n)d: the name is missing.", n=number))
            continue
        if email and not _valid_email(email):
            errors.append(_("Line %(n)d: “%(email)s” is not an e-mail address.", n=number, email=email))
            continue
        invitees.append({"name": name[:200], "email": email.lower() or None, "typology": typology[:60] or None,
                         "segment": segment[:120] or None})
    return invitees, errors


def _valid_email(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return False
    return True


def user_invitees(user_ids, group: str | None) -> list[dict]:
    """Staff chosen one by one, all in ``group`` (the improvement group or team they answer for)."""
    users = db.session.scalars(select(User).where(User.id.in_(list(user_ids)), User.active))
    return [{"name": u.name, "email": u.email, "user_id": u.id, "segment": group} for u in users]


def process_participant_invitees(process_ids) -> list[dict]:
    """Everyone taking part in the chosen processes (and their owners); their group is the process."""
    rows = db.session.execute(
        select(User, Process.code, Process.name).join(Participant, Participant.user_id == User.id)
        .join(Process, Process.id == Participant.process_id)
        .where(Process.id.in_(list(process_ids)), User.active).order_by(Process.code, User.name)).all()
    owners = db.session.execute(
        select(User, Process.code, Process.name).join(Process, Process.owner_id == User.id)
        .where(Process.id.in_(list(process_ids)), User.active)).all()
    return [{"name": u.name, "email": u.email, "user_id": u.id, "segment": f"{code} · {name}"[:120]}
            for u, code, name in [*rows, *owners]]


def census_invitees(typologies=(), segments=(), *, language: str = "es") -> list[dict]:
    """The census' current clients (not left) of the chosen typologies and segments (an empty choice means
    any), each with ``client_id`` and the typology (its name in ``language``, the survey's) and segment
    copied from the census, so results are cut as the client was when invited. The census keeps no e-mail
    addresses: these links are copied or printed."""
    query = select(Client.id, Client.name, Client.typology, Client.segment).where(Client.left_on.is_(None))
    if typologies:
        query = query.where(Client.typology.in_([Typology(t) for t in typologies]))
    if segments:
        query = query.where(Client.segment.in_(list(segments)))
    with force_locale(language):
        names = {typology: str(label) for typology, label in TYPOLOGY_LABELS.items()}
    return [{"name": name, "client_id": client_id, "typology": names[typology][:60], "segment": segment}
            for client_id, name, typology, segment in db.session.execute(query.order_by(Client.name, Client.id))]


def census_segments() -> list[str]:
    """The segments current clients of the census are in, for choosing an audience."""
    return list(db.session.scalars(select(Client.segment).where(Client.left_on.is_(None), Client.segment.is_not(None))
                                   .distinct().order_by(Client.segment)))


def group_invitees(group_ids) -> list[dict]:
    """The active members of the chosen improvement groups; each answers for their group (the breakdown
    ``segment`` is the group's name). ``invite`` gives everyone one link per wave, so a member of two of
    the groups answers for the first by name."""
    rows = db.session.execute(
        select(User, Group.name).join(GroupMember, GroupMember.user_id == User.id)
        .join(Group, Group.id == GroupMember.group_id)
        .where(Group.id.in_(list(group_ids)), User.active).order_by(Group.name, User.name)).all()
    return [{"name": u.name, "email": u.email, "user_id": u.id, "segment": group_segment(name)} for u, name in rows]


def group_segment(group_name: str) -> str:
    """The breakdown ``segment`` of an improvement group's members: the group's name."""
    return group_name[:120]


def invite(wave: Wave, invitees: list[dict]) -> tuple[int, int]:
    """Add invitations; a person already invited to this wave (same user, census client or e-mail) is
    skipped: everyone has one link per wave. Returns (added, skipped)."""
    existing = db.session.execute(select(Invitation.user_id, Invitation.client_id, func.lower(Invitation.email))
                                  .where(Invitation.wave_id == wave.id)).all()
    users = {user_id for user_id, _client, _email in existing if user_id}
    clients = {client_id for _user, client_id, _email in existing if client_id}
    emails = {email for _user, _client, email in existing if email}
    added = skipped = 0
    for invitee in invitees:
        email = (invitee.get("email") or "").lower() or None
        if ((invitee.get("user_id") and invitee["user_id"] in users) or (email and email in emails)
                or (invitee.get("client_id") and invitee["client_id"] in clients)):
            skipped += 1
            continue
        db.session.add(Invitation(wave_id=wave.id, **{**invitee, "email": email}))
        users.add(invitee.get("user_id"))
        clients.add(invitee.get("client_id"))
        emails.add(email)
        added += 1
    db.session.flush()
    return added, skipped


def invitation_counts(wave: Wave) -> dict:
    """How many were invited and how many links were used (one query)."""
    total, used = db.session.execute(
        select(func.count(), func.coalesce(func.sum(db.case((Invitation.used, 1), else_=0)), 0))
        .where(Invitation.wave_id == wave.id)).one()
    return {"invited": total, "answered": int(used)}


def slip_counts(wave: Wave) -> dict:
    """Invited, e-mailed and printed links of a wave (one query): what an anonymous wave's page shows
    instead of the links themselves."""
    def flagged(condition):
        return func.coalesce(func.sum(db.case((condition, 1), else_=0)), 0)

    invited, sent, printed, fresh = db.session.execute(
        select(func.count(), flagged(Invitation.sent_at.is_not(None)), flagged(Invitation.printed),
               flagged(Invitation.sent_at.is_(None) & Invitation.printed.is_(False)))
        .where(Invitation.wave_id == wave.id)).one()
    return {"invited": invited, "sent": int(sent), "printed": int(printed), "fresh": int(fresh)}


def print_slips(wave: Wave, *, again: bool = False) -> list[Invitation]:
    """The invitations to print as sealed slips, marked printed. A first print takes the links neither
    printed nor e-mailed; printing ``again`` takes every invitation. Each printed slip gets a new link, so
    any link printed or sent before stops working (a slip seen by the wrong person is revoked by printing
    again). Flushes."""
    query = select(Invitation).where(Invitation.wave_id == wave.id).order_by(Invitation.segment, Invitation.name)
    if not again:
        query = query.where(Invitation.printed.is_(False), Invitation.sent_at.is_(None))
    chosen = list(db.session.scalars(query))
    for invitation in chosen:
        # Always a new token: the slip is the only place this link is ever shown.
        invitation.token = new_token()
        if again:
            invitation.sent_at = None
        invitation.printed = True
    db.session.flush()
    return chosen


def client_dependants(clients: Select) -> list[Dependants]:
    """What goes with census clients removed (``clients``: a SELECT of their ids): their invitations, and the
    responses given through them (named waves only: an anonymous wave's response keeps no link to its invitation,
    so it stays in the results, as it would whoever had answered)."""
    invitations = select(Invitation.id).where(Invitation.client_id.in_(clients))
    responses = select(Response.id).where(Response.invitation_id.in_(invitations))
    reviews = select(ExitReview.id).where(ExitReview.client_id.in_(clients))

    def remove_reviews() -> int:
        return _delete(delete(ExitReview).where(ExitReview.client_id.in_(clients)))

    def remove_responses() -> int:
        # Only named waves' responses reach here, and all of them not excluded are shown.
        totals.count_stored(Response.invitation_id.in_(invitations) & Response.exclusion_id.is_(None), sign=-1)
        _delete(delete(Answer).where(Answer.response_id.in_(responses)))
        return _delete(delete(Response).where(Response.invitation_id.in_(invitations)))

    def remove_invitations() -> int:
        return _delete(delete(Invitation).where(Invitation.client_id.in_(clients)))

    return [Dependants("exit_reviews", _l("Reviews of their exit interviews"), _count(reviews), remove_reviews),
            Dependants("survey_responses", _l("Survey responses given through their invitations"),
                       _count(responses), remove_responses),
            Dependants("survey_invitations", _l("Survey invitations"), _count(invitations), remove_invitations)]


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _delete(statement) -> int:
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
