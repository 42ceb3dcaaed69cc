"""Surveys, their items, waves, invitations, and the responses with their answers.

Anonymity is a property of the schema, not of the screens (see ``docs/anonymity.md``): a response of an
anonymous survey has a random key, no invitation, no person, no time; its answers have no key of their
own; and neither is ``Audited``, so the audit trail never records them. Marking an invitation used is a
plain UPDATE of one boolean that the audit trail does not see.
"""

import enum
import secrets
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited, label
from core.extensions import db
from core.models import stored_enum
from core.needs import NeedLevel
from core.rules import TransitionRefused
from core.timeutil import utcnow
from core.transitions import require_reason
from core.versioning import Versioned


def new_token() -> str:
    """An unguessable link token (128 bits), short enough for a printed list."""
    return secrets.token_urlsafe(16)


def new_response_key() -> str:
    """A random response key: it says nothing about when, or in which order, a response arrived."""
    return secrets.token_hex(16)


class Audience(enum.StrEnum):
    """Who answers: the organisation's clients (B1) or its own staff (D1)."""

    CLIENTS = "clients"
    STAFF = "staff"


class ItemKind(enum.StrEnum):
    LIKERT = "likert"  # 1–5
    SCALE = "scale"  # 0–10
    CHOICE = "choice"  # one of a list
    TEXT = "text"  # free text


class ItemRole(enum.StrEnum):
    """What an item measures, so results know where CSAT, NPS and the drivers come from."""

    ATTRIBUTE = "attribute"  # satisfaction with one attribute of the service (a driver candidate)
    OVERALL = "overall"  # overall satisfaction: CSAT
    EXPECTATIONS = "expectations"  # did not meet / met / exceeded expectations
    REPURCHASE = "repurchase"  # intention to keep buying
    RECOMMEND = "recommend"  # likelihood to recommend, 0–10: NPS
    PARTICIPATION = "participation"  # a staff participation statement (D1)
    #: Why the client left, one of the census's exit reasons (an exit interview, which is never anonymous: B2).
    EXIT_REASON = "exit_reason"
    #: "I know about the change to …": whether clients know about one improvement (C2), keyed ``understand-<id>``.
    UNDERSTANDING = "understanding"
    COMMENT = "comment"
    OTHER = "other"


class WaveStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


#: The kind of record of a wave in the state-change history (``core.transitions``).
WAVE_HISTORY_KIND = "survey_wave"


class BatchStatus(enum.StrEnum):
    """Where a sending of a wave's links stands (``surveys.sending``)."""

    QUEUED = "queued"
    SENDING = "sending"
    #: The server failed; the queue tries the rest again later.
    RETRYING = "retrying"
    DONE = "done"
    FAILED = "failed"


class ResponseSource(enum.StrEnum):
    LINK = "link"  # a personal invitation link
    PUBLIC = "public"  # the wave's open public link
    IMPORT = "import"  # a file exported by another survey tool


#: Scale bounds of the numeric kinds.
BOUNDS = {ItemKind.LIKERT: (1, 5), ItemKind.SCALE: (0, 10)}


class Survey(Audited, Versioned, db.Model):
    """A questionnaire for one audience. Once it has answers its items are frozen: changing them makes
    the next edition (a copy), so every answer keeps the question it answered."""

    __tablename__ = "surveys"
    __record_page__ = "surveys.survey"
    __audit_label__ = _l("Survey")

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), info=label(_l("Title")))
    description: Mapped[str | None] = mapped_column(Text, info=label(_l("Introduction")))
    audience: Mapped[Audience] = mapped_column(stored_enum(Audience), info=label(_l("Audience")))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True, info=label(_l("Anonymous")))
    #: The language the items were written in (``es``/``en``); the answering pages use it.
    language: Mapped[str] = mapped_column(String(5), default="es", info=label(_l("Language")))
    #: The standard questionnaire it started from (``client_satisfaction``, ``staff_participation``), if any.
    template: Mapped[str | None] = mapped_column(String(40), info=label(_l("Standard questionnaire")))
    #: The first edition of this survey (None for the first edition itself): editions share their results' trend.
    family_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"), index=True,
                                                  info=label(_l("First edition")))
    edition: Mapped[int] = mapped_column(Integer, default=1, info=label(_l("Edition")))
    #: A newer edition exists; new waves go to that one.
    superseded: Mapped[bool] = mapped_column(Boolean, default=False, info=label(_l("Superseded")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Created by")))

    items = relationship("SurveyItem", back_populates="survey", order_by="SurveyItem.position",
                         cascade="all, delete-orphan")
    waves = relationship("Wave", back_populates="survey", order_by="Wave.opens_on")
    created_by = relationship("User")

    def __str__(self) -> str:
        return self.title if self.edition == 1 else f"{self.title} (v{self.edition})"

    @property
    def root_id(self) -> int:
        return self.family_id or self.id


class SurveyItem(Audited, db.Model):
    """One question of a survey, tagged with the attribute or improvement it measures."""

    __tablename__ = "survey_items"
    __audit_label__ = _l("Survey item")

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True, info=label(_l("Survey")))
    position: Mapped[int] = mapped_column(Integer, info=label(_l("Position")))
    kind: Mapped[ItemKind] = mapped_column(stored_enum(ItemKind), info=label(_l("Kind of answer")))
    role: Mapped[ItemRole] = mapped_column(stored_enum(ItemRole), default=ItemRole.OTHER, info=label(_l("Measures")))
    text: Mapped[str] = mapped_column(String(500), info=label(_l("Question")))
    #: The attribute of the service or the improvement this item measures ("Speed of response").
    tag: Mapped[str | None] = mapped_column(String(120), info=label(_l("Attribute or improvement")))
    #: The level of the clients' needs the attribute is about (seed 003: basic, expected, desired, unanticipated).
    need_level: Mapped[NeedLevel | None] = mapped_column(stored_enum(NeedLevel), info=label(_l("Level of need")))
    #: Stable across editions, so waves of different editions compare item by item.
    key: Mapped[str] = mapped_column(String(40), info=label(_l("Key")))
    required: Mapped[bool] = mapped_column(Boolean, default=False, info=label(_l("Required")))
    #: The options of a single-choice item, in order.
    choices: Mapped[list | None] = mapped_column(JSON, info=label(_l("Options")))

    survey = relationship("Survey", back_populates="items")

    def __str__(self) -> str:
        return self.text[:200]

    @property
    def bounds(self) -> tuple[int, int] | None:
        return BOUNDS.get(self.kind)

    @property
    def short(self) -> str:
        """The tag if it has one (charts, tables), else the question."""
        return self.tag or self.text


class Wave(Audited, Versioned, db.Model):
    """One round of a survey over a period: open while it takes answers, then closed."""

    __tablename__ = "survey_waves"
    __record_page__ = "surveys.wave"
    __audit_label__ = _l("Survey wave")

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True, info=label(_l("Survey")))
    name: Mapped[str] = mapped_column(String(120), info=label(_l("Name")))
    opens_on: Mapped[date] = mapped_column(Date, info=label(_l("Opens on")))
    closes_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Closes on")))
    status: Mapped[WaveStatus] = mapped_column(stored_enum(WaveStatus), default=WaveStatus.DRAFT,
                                               info=label(_l("Status")))
    #: The open public link (client surveys only); None when the wave is by invitation only.
    public_token: Mapped[str | None] = mapped_column(String(43), unique=True, info=label(_l("Public link")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    survey = relationship("Survey", back_populates="waves")
    invitations = relationship("Invitation", back_populates="wave", order_by="Invitation.id")

    __audit_secret__ = frozenset({"public_token"})

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == WaveStatus.OPEN

    def open(self, *, why: str | None = None) -> None:
        """Start taking answers (from a draft, or again after closing: a move back, which says ``why``)."""
        if self.status == WaveStatus.OPEN:
            raise TransitionRefused(_l("The wave is already open."))
        if self.status == WaveStatus.CLOSED:
            require_reason(why, _l("Say why the closed wave opens again."))
        self.status = WaveStatus.OPEN

    def close(self) -> None:
        if self.status != WaveStatus.OPEN:
            raise TransitionRefused(_l("Only an open wave can be closed."))
        self.status = WaveStatus.CLOSED


class Invitation(Audited, db.Model):
    """One person invited to answer one wave, with their own link.

    The invitee is a user (staff), a census client, or a name and e-mail (people outside the census, or
    invited by a pasted list). ``typology`` and ``segment`` are the breakdown attributes copied onto the response
    when it is answered (client typology and segment; for staff, ``segment`` is the group).
    """

    __tablename__ = "survey_invitations"
    __audit_label__ = _l("Survey invitation")
    __audit_secret__ = frozenset({"token"})
    # Whether and when a link was used must not reach the trail: its time would point at the response. Nor when
    # a reminder reached it (which batch, or why not): reminders go only to unused links.
    __audit_skip__ = frozenset({"used", "sent_at", "batch_id", "send_error"})

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), index=True, info=label(_l("Wave")))
    token: Mapped[str] = mapped_column(String(43), unique=True, default=new_token, info=label(_l("Link")))
    name: Mapped[str] = mapped_column(String(200), info=label(_l("Name")))
    email: Mapped[str | None] = mapped_column(String(254), info=label(_l("E-mail")))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True, info=label(_l("Person")))
    #: The census client invited, when the audience comes from the census.
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True, info=label(_l("Client")))
    typology: Mapped[str | None] = mapped_column(String(60), info=label(_l("Typology")))
    segment: Mapped[str | None] = mapped_column(String(120), info=label(_l("Segment or group")))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The link was printed on a slip (anonymous waves print each link once; printing again issues a new one).
    printed: Mapped[bool] = mapped_column(Boolean, default=False, info=label(_l("Printed")))
    #: The link has been used. Nothing else about the answer is kept here, and no time.
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The last sending that took this invitation (sent, or refused its address): a batch tried again after a
    #: failure skips the invitations it has already taken.
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("survey_invitation_batches.id"))
    #: Why the last sending could not deliver this link (its address refused); None once a message is accepted.
    send_error: Mapped[str | None] = mapped_column(String(300))

    wave = relationship("Wave", back_populates="invitations")
    user = relationship("User")

    def __str__(self) -> str:
        return self.name


class InvitationBatch(db.Model):
    """One sending of a wave's links by e-mail (or a reminder), done by the task queue: what the wave page shows
    of it while it runs and after (how many sent, how many left, the server's error). Not audited: the
    invitations' ``sent_at`` are the record, and in an anonymous wave counts of reminders would tell who
    answered."""

    __tablename__ = "survey_invitation_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The address the site was reached at when the sending was asked for: the links in the messages use it
    #: unless ``SERVER_NAME`` is configured (the task has no request to ask).
    base_url: Mapped[str] = mapped_column(String(300))
    status: Mapped[BatchStatus] = mapped_column(stored_enum(BatchStatus), default=BatchStatus.QUEUED)
    #: The invitations to send when the batch was asked for.
    total: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    #: Invitations whose address was invalid or refused (each says why in ``send_error``).
    refused: Mapped[int] = mapped_column(Integer, default=0)
    #: What the server answered when it failed (last failure).
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: When the queue tries again after a failure of the server.
    next_try_at: Mapped[datetime | None] = mapped_column(DateTime)

    wave = relationship("Wave")

    @property
    def left(self) -> int:
        return max(self.total - self.sent - self.refused, 0)


class Response(db.Model):
    """One completed questionnaire. Not audited. For anonymous surveys: no invitation, no date."""

    __tablename__ = "survey_responses"
    # SQLite: store rows in key order (random), not in order of arrival (no hidden rowid).
    __table_args__ = (Index("ix_survey_responses_wave_source", "wave_id", "source"),
                      Index("ix_survey_responses_wave_network", "wave_id", "network"),
                      # What waits for its batch is counted on this index, not over the wave's responses.
                      Index("ix_survey_responses_wave_batch", "wave_id", "batch", "exclusion_id"),
                      {"sqlite_with_rowid": False})

    #: Random, never sequential: the key must not tell the order of arrival.
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_response_key)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"))
    source: Mapped[ResponseSource] = mapped_column(stored_enum(ResponseSource))
    #: Only for named (not anonymous) surveys: whose answer it is.
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("survey_invitations.id"), unique=True)
    #: Only for named surveys: the day it was answered.
    submitted_on: Mapped[date | None] = mapped_column(Date)
    typology: Mapped[str | None] = mapped_column(String(60))
    segment: Mapped[str | None] = mapped_column(String(120))
    #: Only for public-link responses: a keyed, truncated hash of the sender's network and the wave
    #: (``surveys.networks``), never the address, so a burst from one place can be seen and excluded.
    network: Mapped[str | None] = mapped_column(String(16))
    #: The exclusion that took this response out of results and exports (it stays stored).
    exclusion_id: Mapped[int | None] = mapped_column(ForeignKey("survey_exclusions.id"))
    #: The export release that first included it (anonymous waves release exports in batches).
    batch: Mapped[int | None] = mapped_column(Integer)

    answers = relationship("Answer", cascade="all, delete-orphan")


class Answer(db.Model):
    """One item's answer within a response; keyed by (response, item), so it has no sequence of its own.

    ``wave_id``, ``typology`` and ``segment`` repeat the response's, so that results and their breakdowns
    aggregate on covering indexes without joining the responses (see docs/development.md, "Speed")."""

    __tablename__ = "survey_answers"
    __table_args__ = (Index("ix_survey_answers_wave_item", "wave_id", "item_id", "number"),
                      Index("ix_survey_answers_wave_typology", "wave_id", "typology", "item_id", "number"),
                      Index("ix_survey_answers_wave_segment", "wave_id", "segment", "item_id", "number"),
                      {"sqlite_with_rowid": False})

    response_id: Mapped[str] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"),
                                             primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("survey_items.id"), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"))
    number: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    typology: Mapped[str | None] = mapped_column(String(60))
    segment: Mapped[str | None] = mapped_column(String(120))
    #: Repeats the response's exclusion, so aggregates leave excluded answers out without a join.
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)


class Exclusion(Audited, db.Model):
    """A burst of public-link responses from one network taken out of a wave's results and exports by
    a coordinator, with the reason. The responses stay stored; the audit trail records who and when."""

    __tablename__ = "survey_exclusions"
    __audit_label__ = _l("Excluded responses")

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), index=True, info=label(_l("Wave")))
    #: The network hash whose public responses were excluded (see ``Response.network``).
    network: Mapped[str] = mapped_column(String(16), info=label(_l("Network")))
    responses: Mapped[int] = mapped_column(Integer, info=label(_l("Responses")))
    reason: Mapped[str] = mapped_column(Text, info=label(_l("Reason")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Excluded by")))

    created_by = relationship("User")


class ExportRelease(Audited, db.Model):
    """One batch of an anonymous wave's responses released to its results and exports, which show released
    responses only: a batch is released when at least ``SURVEY_EXPORT_BATCH`` new responses arrived, or on
    closing a wave with no release yet, so comparing two looks never isolates one response."""

    __tablename__ = "survey_export_releases"
    __audit_label__ = _l("Release of survey results")

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), index=True, info=label(_l("Wave")))
    #: Responses released by this batch (not the running total).
    responses: Mapped[int] = mapped_column(Integer, info=label(_l("Responses")))
    released_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Released by")))

    def __str__(self) -> str:
        # Its name in the audit trail (without it, Python's "<ExportRelease …>"): how many were released.
        return str(self.responses)


class ReviewOutcome(enum.StrEnum):
    """What the review of one exit interview's answer did to the census."""

    CONFIRMED = "confirmed"  # the census already had the reason the client gave
    SET = "set"  # the census had none: the client's reason was recorded
    REPLACED = "replaced"  # the census had another: the reviewer replaced it, saying why
    KEPT = "kept"  # the census had another: the reviewer kept it, saying why


class ExitReview(Audited, db.Model):
    """The review of one named exit-interview response against the census: the reason the client gave, the one
    the census had, and what the reviewer decided. A reason someone typed in the census is never overwritten
    without this record (who, when, why); an anonymous survey has no reviews (its responses name nobody)."""

    __tablename__ = "exit_reviews"
    __audit_label__ = _l("Exit interview review")

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[str] = mapped_column(ForeignKey("survey_responses.id"), unique=True,
                                             info=label(_l("Response")))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True, info=label(_l("Client")))
    #: The reason the client gave in the interview.
    given_reason_id: Mapped[int] = mapped_column(ForeignKey("exit_reasons.id"), info=label(_l("Reason given")))
    #: The census's reason when reviewed (None: it had none).
    census_reason_id: Mapped[int | None] = mapped_column(ForeignKey("exit_reasons.id"),
                                                         info=label(_l("Reason in the census")))
    outcome: Mapped[ReviewOutcome] = mapped_column(stored_enum(ReviewOutcome), info=label(_l("Decision")))
    #: Why the reviewer replaced or kept a reason the census already had.
    note: Mapped[str | None] = mapped_column(Text, info=label(_l("Why")))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Reviewed by")))

    client = relationship("Client")
    given_reason = relationship("ExitReason", foreign_keys=[given_reason_id])
    census_reason = relationship("ExitReason", foreign_keys=[census_reason_id])
    reviewed_by = relationship("User")

    def __str__(self) -> str:
        return str(self.client) if self.client else str(self.id)


# --- running totals (surveys.totals) ---------------------------------------------------------------------------
#
# What a wave's results show, kept as sums so a results page reads O(questions²) rows whatever the number of
# responses. They count the responses results may show (``surveys.releases``: not excluded, and released when the
# wave is anonymous). They hold counts only: no response key, no person, no time, and only groups the responses
# already carry; a group's figures stay behind ``results.MIN_CUT`` exactly as when they were computed from answers.

#: ``TotalMixin.dimension`` of the whole wave's rows (the others: the breakdown attributes, typology and segment).
WHOLE_WAVE = "wave"


class TotalMixin:
    """The key parts every total shares: the wave, and which slice of it (the whole wave or one group)."""

    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), primary_key=True)
    #: ``wave`` (the whole wave), ``typology`` or ``segment``.
    dimension: Mapped[str] = mapped_column(String(10), primary_key=True)
    #: The group: ``""`` for responses without one (and for the whole wave), else ``"="`` and its name, so that
    #: "no group" is a key of its own (a primary key cannot hold NULL).
    group_key: Mapped[str] = mapped_column(String(121), primary_key=True)


class AnswerTotal(TotalMixin, db.Model):
    """How many shown answers of one item in one slice of a wave have one value (numeric and choice items)."""

    __tablename__ = "survey_answer_totals"

    item_id: Mapped[int] = mapped_column(ForeignKey("survey_items.id"), primary_key=True)
    number: Mapped[float] = mapped_column(Float, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class ResponseTotal(TotalMixin, db.Model):
    """How many shown responses one slice of a wave has from one source (link, public link, import)."""

    __tablename__ = "survey_response_totals"

    source: Mapped[str] = mapped_column(String(10), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer)


class CommentTotal(db.Model):
    """How many shown answers of one free-text item of a wave say one text (compared trimmed of spaces, as the
    results page groups them), keyed by the text's SHA-256; the row whose ``digest`` is ``""`` holds how many
    comments the item has in all. Listed most repeated first, ties in digest order: never in order of arrival."""

    __tablename__ = "survey_comment_totals"
    __table_args__ = (Index("ix_survey_comment_totals_listing", "wave_id", "item_id", "count", "digest"),)

    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("survey_items.id"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer)


class PairTotal(db.Model):
    """The sufficient statistics of Pearson's r between two numeric items of a wave (``x`` any numeric item,
    ``y`` an outcome: intention to keep buying or to recommend), over the shown responses that answered both."""

    __tablename__ = "survey_pair_totals"

    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), primary_key=True)
    x_item_id: Mapped[int] = mapped_column(ForeignKey("survey_items.id"), primary_key=True)
    y_item_id: Mapped[int] = mapped_column(ForeignKey("survey_items.id"), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    sum_x: Mapped[float] = mapped_column(Float)
    sum_y: Mapped[float] = mapped_column(Float)
    sum_xx: Mapped[float] = mapped_column(Float)
    sum_yy: Mapped[float] = mapped_column(Float)
    sum_xy: Mapped[float] = mapped_column(Float)
