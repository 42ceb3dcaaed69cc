"""The list of surveys: the current editions, searched and filtered, with their waves and the responses each shows
(an anonymous wave's released ones only, as on every page), and the same as rows to export."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from core.extensions import db
from core.listing import text_matches
from surveys import totals
from surveys.labels import AUDIENCE_LABELS, STATUS_LABELS
from surveys.models import Audience, Survey, Wave

#: The values of the anonymity filter.
ANONYMITY = ("anonymous", "named")


@dataclass(frozen=True)
class SurveyFilters:
    """What the list of surveys is narrowed to: words in the title or a wave's name, audience, anonymity."""

    q: str | None = None
    audience: str | None = None
    anonymity: str | None = None


def _root(survey):
    return func.coalesce(survey.family_id, survey.id)


def current_surveys(filters: SurveyFilters) -> list[Survey]:
    """The current editions matching ``filters``, by audience and title. Words match the title, or the name of a
    wave of any edition of the survey."""
    return list(db.session.scalars(current_surveys_query(filters)))


def current_surveys_query(filters: SurveyFilters):
    """The SELECT of ``current_surveys`` (the list page reads it whole, the API a page at a time)."""
    query = select(Survey).where(Survey.superseded.is_(False))
    if filters.q:
        edition = aliased(Survey)
        roots = select(_root(edition)).join(Wave, Wave.survey_id == edition.id).where(
            text_matches(filters.q, Wave.name))
        query = query.where(text_matches(filters.q, Survey.title) | _root(Survey).in_(roots))
    if filters.audience:
        query = query.where(Survey.audience == Audience(filters.audience))
    if filters.anonymity in ANONYMITY:
        query = query.where(Survey.anonymous.is_(filters.anonymity == "anonymous"))
    return query.order_by(Survey.audience, Survey.title, Survey.id)


def waves_by_root(surveys: list[Survey]) -> dict[int, list[Wave]]:
    """The waves of every edition of each survey, by the survey's first edition, oldest first (one query)."""
    roots = {s.root_id for s in surveys}
    waves = db.session.execute(
        select(Wave, _root(Survey)).join(Survey, Survey.id == Wave.survey_id)
        .where(_root(Survey).in_(roots)).order_by(Wave.opens_on, Wave.id)).all()
    found: dict[int, list[Wave]] = {}
    for wave, root in waves:
        found.setdefault(root, []).append(wave)
    return found


def wave_sizes() -> dict[int, int]:
    """How many responses each wave shows (an anonymous wave: its released ones)."""
    return totals.wave_sizes()


def export_table(surveys: list[Survey]) -> tuple[list[str], list[tuple]]:
    """One row per wave (or per survey without waves): the survey, its audience and anonymity, the wave's dates,
    status and the responses it shows. Counts only: no response, no invitation."""
    by_root, sizes = waves_by_root(surveys), wave_sizes()
    headers = [_("Survey"), _("Audience"), _("Anonymous"), _("Language"), _("Wave"), _("Opens on"), _("Closes on"),
               _("Status"), _("Responses")]
    rows = []
    for survey in surveys:
        start = (str(survey), str(AUDIENCE_LABELS[survey.audience]), _("yes") if survey.anonymous else _("no"),
                 survey.language)
        waves = by_root.get(survey.root_id, [])
        rows += [(*start, w.name, w.opens_on, w.closes_on, str(STATUS_LABELS[w.status]), sizes.get(w.id, 0))
                 for w in waves] or [(*start, None, None, None, None, None)]
    return headers, rows
