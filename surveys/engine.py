"""The survey engine: questionnaires and their editions, waves, and storing answers.

Services add and flush; the view commits. Changing the items of a survey that already has answers
makes its next edition (a copy) instead, so no answer ever points at a question it was not asked.
"""

from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, insert, select, update

from core.extensions import db
from core.rules import RuleError
from core.timeutil import utcnow
from loyalty.reasons import exit_reasons
from surveys import totals
from surveys.models import (
    Answer,
    Audience,
    Invitation,
    ItemKind,
    ItemRole,
    Response,
    ResponseSource,
    Survey,
    SurveyItem,
    Wave,
    WaveStatus,
    new_response_key,
    new_token,
)
from surveys.standard import NAMED_ONLY, template_items, template_title

#: Longest free-text answer kept.
MAX_TEXT = 4000


class SurveyRuleError(RuleError):
    """A change the engine refuses (it would break answers, or the wave is not in the right state)."""


# --- questionnaires --------------------------------------------------------------------------------

def create_survey(*, title: str | None, audience: Audience, language: str, template: str | None = None,
                  anonymous: bool = True, description: str | None = None, actor=None) -> Survey:
    """A new survey, empty or with a standard questionnaire's items in ``language`` (an exit interview's reasons are
    the census's offered exit reasons). An exit interview is never anonymous: its answers are set against each
    client's exit reason."""
    if template in NAMED_ONLY and anonymous:
        raise SurveyRuleError(NAMED_ONLY_MESSAGE)
    reasons = _reason_names(language) if template in NAMED_ONLY else []
    if template in NAMED_ONLY and not reasons:
        raise SurveyRuleError(_("The census offers no exit reason: add them in the census settings first."))
    if template and not title:
        title, standard_description = template_title(template, language)
        description = description or standard_description
    survey = Survey(title=title, description=description, audience=audience, language=language,
                    template=template or None, anonymous=anonymous, created_by_id=actor.id if actor else None)
    if template:
        survey.items = [SurveyItem(**item) for item in template_items(template, language, exit_reasons=reasons)]
    db.session.add(survey)
    db.session.flush()
    return survey


#: Why an exit interview cannot be anonymous.
NAMED_ONLY_MESSAGE = _l("An exit interview cannot be anonymous: its answers are set against each client's exit "
                        "reason in the census, so they must say whose they are.")


def _reason_names(language: str) -> list[str]:
    """The census's offered exit reasons, named in ``language`` (the options of an exit reason item)."""
    with force_locale(language):
        return [reason.label for reason in exit_reasons()]


def asks_exit_reason(survey: Survey) -> bool:
    """Whether the survey asks clients why they left (an exit interview: never anonymous)."""
    return any(item.role == ItemRole.EXIT_REASON for item in survey.items)


def has_responses(survey: Survey) -> bool:
    """Whether any wave of this edition has a response (then its items are frozen)."""
    query = select(exists().where(Response.wave_id == Wave.id, Wave.survey_id == survey.id))
    return bool(db.session.scalar(query))


def new_edition(survey: Survey, *, actor=None) -> Survey:
    """The next edition of ``survey``: same settings, copies of its items (same keys). The old edition
    keeps its waves and answers and is marked superseded."""
    copy = Survey(title=survey.title, description=survey.description, audience=survey.audience,
                  anonymous=survey.anonymous, language=survey.language, template=survey.template,
                  family_id=survey.root_id, edition=_last_edition(survey) + 1,
                  created_by_id=actor.id if actor else None)
    copy.items = [SurveyItem(position=i.position, kind=i.kind, role=i.role, text=i.text, tag=i.tag, key=i.key,
                             required=i.required, choices=list(i.choices) if i.choices else None,
                             need_level=i.need_level)
                  for i in survey.items]
    survey.superseded = True
    db.session.add(copy)
    db.session.flush()
    return copy


def _last_edition(survey: Survey) -> int:
    root = survey.root_id
    query = select(db.func.max(Survey.edition)).where((Survey.id == root) | (Survey.family_id == root))
    return db.session.scalar(query) or 1


def editable(survey: Survey, *, actor=None) -> Survey:
    """The edition whose items may change now: this one, or a new one when this one has answers."""
    if survey.superseded:
        raise SurveyRuleError(_("This is an old edition of the survey; change the newest one."))
    return new_edition(survey, actor=actor) if has_responses(survey) else survey


def save_item(survey: Survey, item_key: str | None, data: dict, *, actor=None) -> tuple[Survey, SurveyItem]:
    """Add an item (``item_key`` None) or change the item with that key. Returns the edition changed,
    which is a new one when ``survey`` had answers."""
    if data["role"] == ItemRole.EXIT_REASON and survey.anonymous:
        raise SurveyRuleError(NAMED_ONLY_MESSAGE)
    target = editable(survey, actor=actor)
    if item_key is None:
        item = SurveyItem(position=len(target.items) + 1, key=_free_key(target))
        target.items.append(item)
    else:
        item = next(i for i in target.items if i.key == item_key)
    item.kind = ItemKind(data["kind"])
    item.role = data["role"]
    item.text, item.tag, item.required = data["text"].strip(), (data.get("tag") or "").strip() or None, data["required"]
    item.choices = data.get("choices") if item.kind == ItemKind.CHOICE else None
    item.need_level = data.get("need_level")
    db.session.flush()
    return target, item


def remove_item(survey: Survey, item_key: str, *, actor=None) -> Survey:
    """Take an item out (of a new edition when this one has answers); the rest close ranks."""
    target = editable(survey, actor=actor)
    target.items = [i for i in target.items if i.key != item_key]
    for position, item in enumerate(target.items, start=1):
        item.position = position
    db.session.flush()
    return target


def _free_key(survey: Survey) -> str:
    taken = {i.key for i in survey.items}
    number = len(taken) + 1
    while f"q{number}" in taken:
        number += 1
    return f"q{number}"


def update_details(survey: Survey, data: dict) -> None:
    """Title and introduction may always change; anonymity only while there are no answers."""
    if bool(data["anonymous"]) != survey.anonymous and has_responses(survey):
        raise SurveyRuleError(_("Anonymity cannot change once the survey has answers: they were given "
                                "under the old promise."))
    if data["anonymous"] and asks_exit_reason(survey):
        raise SurveyRuleError(NAMED_ONLY_MESSAGE)
    survey.title, survey.description, survey.anonymous = data["title"], data["description"] or None, data["anonymous"]
    db.session.flush()


# --- waves -----------------------------------------------------------------------------------------

def create_wave(survey: Survey, *, name: str, opens_on: date, closes_on: date | None, public_link: bool) -> Wave:
    """A new wave (draft) of the newest edition; an open public link only for client surveys."""
    if survey.superseded:
        raise SurveyRuleError(_("New waves go to the newest edition of the survey."))
    if public_link and survey.audience != Audience.CLIENTS:
        raise SurveyRuleError(_("Only client surveys can have an open public link."))
    wave = Wave(survey=survey, name=name, opens_on=opens_on, closes_on=closes_on,
                public_token=new_token() if public_link else None)
    db.session.add(wave)
    db.session.flush()
    return wave


def accepts_answers(wave: Wave, today: date | None = None) -> bool:
    """Open, and within its dates."""
    today = today or utcnow().date()
    return (wave.status == WaveStatus.OPEN and wave.opens_on <= today
            and (wave.closes_on is None or today <= wave.closes_on))


# --- answering -------------------------------------------------------------------------------------

class AlreadyAnswered(Exception):
    """The invitation's link was used before."""


def check_answers(items: list[SurveyItem], form) -> tuple[dict[int, tuple], list[str]]:
    """Read a submitted questionnaire: ``({item_id: (number, text)}, errors)``. Each error names its item; a missing
    answer also by the question's number on the page (``items`` in the order shown)."""
    values, errors = {}, []
    for number, item in enumerate(items, start=1):
        raw = (form.get(f"item-{item.id}") or "").strip()
        if not raw:
            if item.required:
                errors.append(_("Question %(number)d, “%(item)s”: an answer is needed.", number=number,
                                item=item.short))
            continue
        try:
            values[item.id] = answer_value(item, raw)
        except ValueError as error:
            errors.append(str(error))
    if not values and not errors:
        errors.append(_("The questionnaire is empty: answer at least one question."))
    return values, errors


def answer_value(item: SurveyItem, raw) -> tuple[float | None, str | None]:
    """One answer as stored (number, text); ValueError naming the item when it is out of range."""
    if item.kind == ItemKind.TEXT:
        return None, str(raw)[:MAX_TEXT]
    if item.kind == ItemKind.CHOICE:
        choices = item.choices or []
        try:
            index = int(raw)
        except (TypeError, ValueError):
            index = -1
        if not 0 <= index < len(choices):
            raise ValueError(_("“%(item)s”: choose one of the options.", item=item.short))
        return float(index), None
    low, high = item.bounds
    try:
        number = float(str(raw).replace(",", "."))
    except ValueError:
        number = None
    if number is None or not number.is_integer() or not low <= number <= high:
        raise ValueError(_("“%(item)s”: the answer must be a whole number from %(low)d to %(high)d.",
                           item=item.short, low=low, high=high))
    return number, None


def hold_wave(wave: Wave) -> None:
    """Hold the wave until the transaction ends, so that what a request counts and what it then writes are
    one step for parallel requests (the public link's cap per network, a batch's release): the no-op UPDATE
    takes the wave's row lock on PostgreSQL (a second request waits, then reads what the first committed)
    and the database's single write lock on SQLite."""
    table = Wave.__table__
    db.session.execute(update(table).where(table.c.id == wave.id).values(id=table.c.id))


def submit_response(wave: Wave, values: dict[int, tuple], *, invitation: Invitation | None = None,
                    source: ResponseSource = ResponseSource.LINK, typology=None, segment=None,
                    network: str | None = None) -> str:
    """Store one response; returns its key. For an invitation, its link is spent in the same transaction
    (``AlreadyAnswered`` if it was spent before). In an anonymous survey nothing ties the response to the
    invitation: no reference, no date, a random key, and no audit row for either."""
    if invitation is not None:
        spent = db.session.execute(update(Invitation.__table__).where(
            Invitation.__table__.c.id == invitation.id, Invitation.__table__.c.used.is_(False)).values(used=True))
        if spent.rowcount != 1:
            raise AlreadyAnswered()
        typology, segment = invitation.typology, invitation.segment
    named = invitation is not None and not wave.survey.anonymous
    key = new_response_key()
    db.session.execute(insert(Response.__table__).values(
        id=key, wave_id=wave.id, source=source.value, typology=typology, segment=segment, network=network,
        invitation_id=invitation.id if named else None, submitted_on=utcnow().date() if named else None))
    db.session.execute(insert(Answer.__table__), [
        {"response_id": key, "item_id": item_id, "wave_id": wave.id, "number": number, "text": text,
         "typology": typology, "segment": segment}
        for item_id, (number, text) in values.items()])
    totals.count_new(wave, [{"id": key, "source": source, "typology": typology, "segment": segment,
                             "values": values}])
    return key


def insert_responses(wave: Wave, rows: list[dict]) -> int:
    """Many responses at once (imports, demo): each row ``{"typology", "segment", "values": {item_id: (n, t)}}``.

    Two statements whatever the number of rows, and the running totals' one aggregate (``surveys.totals``); a date
    and an invitation only where the row has them and the survey is not anonymous (an import, the demo's named exit
    interviews)."""
    responses, answers, counted = [], [], []
    named = not wave.survey.anonymous  # an anonymous survey keeps no time or person, whatever the caller gives
    for row in rows:
        key = new_response_key()
        counted.append({"id": key, "source": row.get("source", ResponseSource.IMPORT), "typology": row.get("typology"),
                        "segment": row.get("segment"), "values": row["values"]})
        responses.append({"id": key, "wave_id": wave.id, "source": row.get("source", ResponseSource.IMPORT).value,
                          "typology": row.get("typology"), "segment": row.get("segment"),
                          "invitation_id": row.get("invitation_id") if named else None,
                          "submitted_on": row.get("submitted_on") if named else None})
        answers += [{"response_id": key, "item_id": item_id, "wave_id": wave.id, "number": number, "text": text,
                     "typology": row.get("typology"), "segment": row.get("segment")}
                    for item_id, (number, text) in row["values"].items()]
    if responses:
        db.session.execute(insert(Response.__table__), responses)
    if answers:
        db.session.execute(insert(Answer.__table__), answers)
    totals.count_new(wave, counted)
    return len(responses)
