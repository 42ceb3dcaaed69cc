"""Exit interviews (B2; SEEP/AIMS's client exit interview, Imp-Act practice note 3): a client survey whose audience
is the census's clients who left in a period, whose answer to "why did you leave?" is set against each client's
exit reason in the census, and reviewed before it changes anything.

An exit interview is never anonymous (``engine.create_survey`` and ``engine.update_details`` refuse it): a review
needs to know whose answer it is, through the response's invitation. Each answered interview is:

- **agrees**: the census already has the reason the client gave — confirming it records the review only;
- **sets**: the census has no reason — the review records the client's;
- **differs**: the census has another reason, which someone typed — the reviewer replaces it or keeps it, and says
  why either way; nothing is overwritten in bulk;
- **unknown**: the option answered is no longer one of the census's reasons (renamed since), so it cannot be applied.

Every review is an ``ExitReview`` row (audited); a census reason set or replaced is a change of the client record,
which the audit trail records with the reason it replaces.
"""

from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.imports.cells import normalise
from loyalty import services as census
from loyalty.exit_interviews import ExitInterviews
from loyalty.models import TYPOLOGY_LABELS, Client, ExitReason
from loyalty.reasons import reason_lookup
from surveys.engine import SurveyRuleError
from surveys.models import (
    Answer,
    ExitReview,
    Invitation,
    ItemRole,
    Response,
    ReviewOutcome,
    Survey,
    SurveyItem,
    Wave,
    WaveStatus,
)

AGREES, SETS, DIFFERS, UNKNOWN, REVIEWED = "agrees", "sets", "differs", "unknown", "reviewed"


def lost_invitees(left_from: date, left_to: date, *, language: str = "es") -> list[dict]:
    """The census's clients who left between ``left_from`` and ``left_to`` (both included), each with ``client_id``
    and the typology and segment they had, for an exit interview."""
    query = (select(Client.id, Client.name, Client.typology, Client.segment)
             .where(Client.left_on.is_not(None), Client.left_on >= left_from, Client.left_on <= left_to)
             .order_by(Client.left_on, Client.id))
    with force_locale(language):
        names = {typology: str(label) for typology, label in TYPOLOGY_LABELS.items()}
    return [{"name": name, "client_id": client_id, "typology": names[typology][:60], "segment": segment}
            for client_id, name, typology, segment in db.session.execute(query)]


@dataclass(frozen=True)
class ExitAnswer:
    """One answered exit interview, set against the client's census record."""

    response_id: str
    wave_id: int
    client: Client
    #: The option the client chose, and the census reason it names (None when it names none any more).
    answered: str
    given: ExitReason | None
    submitted_on: date | None
    review: object = None

    @property
    def census(self) -> ExitReason | None:
        return self.client.exit_reason

    @property
    def state(self) -> str:
        if self.review is not None:
            return REVIEWED
        if self.given is None:
            return UNKNOWN
        if self.census is None:
            return SETS
        return AGREES if self.census.id == self.given.id else DIFFERS


def _reason_of(choices: list | None, number: float | None, lookup: dict) -> tuple[str, ExitReason | None]:
    if not choices or number is None or not 0 <= int(number) < len(choices):
        return "", None
    answered = choices[int(number)]
    return answered, lookup.get(normalise(answered))


def exit_answers(*, wave_id: int | None = None, since: date | None = None,
                 until: date | None = None) -> list[ExitAnswer]:
    """The answered exit interviews of named surveys — of one wave, or of the clients who left between ``since``
    and ``until`` — with their clients and reviews, in two queries (and the reasons' one)."""
    query = (select(Response.id, Response.wave_id, Response.submitted_on, Answer.number, SurveyItem.choices,
                    Client, ExitReview)
             .join(Invitation, Invitation.id == Response.invitation_id)
             .join(Client, Client.id == Invitation.client_id)
             .join(Answer, Answer.response_id == Response.id)
             .join(SurveyItem, and_(SurveyItem.id == Answer.item_id, SurveyItem.role == ItemRole.EXIT_REASON))
             .join(Wave, Wave.id == Response.wave_id).join(Survey, Survey.id == Wave.survey_id)
             .outerjoin(ExitReview, ExitReview.response_id == Response.id)
             .where(Survey.anonymous.is_(False), Response.exclusion_id.is_(None))
             .options(joinedload(Client.exit_reason)).order_by(Client.left_on, Client.id))
    if wave_id is not None:
        query = query.where(Response.wave_id == wave_id)
    if since is not None:
        query = query.where(Client.left_on >= since, Client.left_on <= until)
    lookup = reason_lookup()
    found = []
    for key, wave, submitted_on, number, choices, client, review in db.session.execute(query):
        answered, given = _reason_of(choices, number, lookup)
        found.append(ExitAnswer(key, wave, client, answered, given, submitted_on, review))
    return found


def review_answer(wave: Wave, response_id: str, *, apply: bool, note: str | None, actor) -> ReviewOutcome:
    """Review one answer: ``apply`` records the client's reason in the census (confirming it where it agrees),
    otherwise the census's reason is kept. Replacing or keeping a reason the census already had needs ``note``."""
    _check_named(wave)
    answer = next((a for a in exit_answers(wave_id=wave.id) if a.response_id == response_id), None)
    if answer is None:
        raise SurveyRuleError(_("This answer is not an exit interview of this wave."))
    return _record(answer, apply=apply, note=note, actor=actor)


def review_agreed(wave: Wave, *, actor) -> int:
    """Review at once the answers that overwrite nothing: those that agree with the census (confirmed) and those of
    clients the census has no reason for (set). Answers that differ are left for one-by-one review."""
    _check_named(wave)
    agreed = [a for a in exit_answers(wave_id=wave.id) if a.state in (AGREES, SETS) and a.client.left_on]
    for answer in agreed:
        _record(answer, apply=True, note=None, actor=actor)
    return len(agreed)


def _check_named(wave: Wave) -> None:
    if wave.survey.anonymous:
        raise SurveyRuleError(_("An anonymous survey's answers name nobody: they cannot change an exit reason."))


def _record(answer: ExitAnswer, *, apply: bool, note: str | None, actor) -> ReviewOutcome:
    """The review of one answer, and the census's change it decides (audited through the client record)."""
    _check_pending(answer)
    note = (note or "").strip() or None
    outcome = _outcome(answer, apply)
    if outcome in (ReviewOutcome.REPLACED, ReviewOutcome.KEPT) and not note:
        raise SurveyRuleError(_("Say why the census's reason “%(reason)s” is replaced or kept.",
                                reason=answer.census.label if answer.census else _("none")))
    db.session.add(ExitReview(response_id=answer.response_id, client_id=answer.client.id,
                              given_reason_id=answer.given.id, census_reason_id=answer.census.id if answer.census
                              else None, outcome=outcome, note=note, reviewed_by_id=actor.id if actor else None))
    if outcome in (ReviewOutcome.SET, ReviewOutcome.REPLACED):
        census.set_exit_reason(answer.client, answer.given)
    db.session.flush()
    return outcome


def _check_pending(answer: ExitAnswer) -> None:
    if answer.review is not None:
        raise SurveyRuleError(_("This answer was reviewed already."))
    if answer.given is None:
        raise SurveyRuleError(_("The option “%(option)s” is not one of the census's exit reasons any more.",
                                option=answer.answered))
    if answer.client.left_on is None:
        raise SurveyRuleError(_("%(client)s is a current client again: there is no exit reason to record.",
                                client=answer.client.code))


def _outcome(answer: ExitAnswer, apply: bool) -> ReviewOutcome:
    if answer.state == AGREES:
        return ReviewOutcome.CONFIRMED
    if answer.state == SETS:
        return ReviewOutcome.SET if apply else ReviewOutcome.KEPT
    return ReviewOutcome.REPLACED if apply else ReviewOutcome.KEPT


def interviews_summary(since: date, until: date) -> ExitInterviews | None:
    """B2's view of the exit interviews of the clients who left between ``since`` and ``until``: invited, answered,
    the reasons given, and the reviews; None when none of them was invited to one. A fixed number of queries."""
    invited = db.session.execute(
        select(func.count(func.distinct(Invitation.client_id)),
               func.count(func.distinct(Response.id)))
        .select_from(Invitation).join(Client, Client.id == Invitation.client_id)
        .join(Wave, Wave.id == Invitation.wave_id).join(Survey, Survey.id == Wave.survey_id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Survey.anonymous.is_(False), Wave.status != WaveStatus.DRAFT, Client.left_on >= since,
               Client.left_on <= until, Survey.items.any(SurveyItem.role == ItemRole.EXIT_REASON))).one()
    if not invited[0]:
        return None
    answers = exit_answers(since=since, until=until)
    return _summary(int(invited[0]), int(invited[1]), answers)


def _summary(invited: int, answered: int, answers: list[ExitAnswer]) -> ExitInterviews:
    reasons: dict[str, int] = {}
    for answer in answers:
        label = answer.given.label if answer.given else answer.answered
        reasons[label] = reasons.get(label, 0) + 1
    outcomes = [a.review.outcome for a in answers if a.review is not None]
    pending = [a for a in answers if a.review is None and a.given is not None]
    waiting = next((a.wave_id for a in pending), answers[0].wave_id if answers else None)
    return ExitInterviews(
        invited, answered, tuple(sorted(reasons.items(), key=lambda pair: (-pair[1], pair[0]))),
        confirmed=outcomes.count(ReviewOutcome.CONFIRMED), set=outcomes.count(ReviewOutcome.SET),
        replaced=outcomes.count(ReviewOutcome.REPLACED), kept=outcomes.count(ReviewOutcome.KEPT),
        pending=len(pending), differing=sum(a.state == DIFFERS for a in pending),
        url=url_for("surveys.exit_reviews", wave_id=waiting) if waiting else url_for("surveys.index"))
