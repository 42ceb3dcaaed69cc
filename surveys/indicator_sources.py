"""The survey engine's figures as the sources of computed indicators (``core.signals.indicator_sources``).

Each is a survey's headline measure per wave, exactly as its results page computes it (``results.trend``, over
every edition of the survey): NPS, CSAT and intention to keep buying of a client survey, favourable % of a staff
participation survey. A wave's figure belongs to the period it opened in; a period in which several waves opened
takes the latest one's. An anonymous wave shows nothing below the minimum of responses, and gives nothing here.
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from core.indicator_sources import IndicatorSource
from processes.models import Frequency
from processes.periods import period_start
from surveys.models import Audience, Survey
from surveys.results import trend

#: Every table whose writes change a wave's figures (answers, their release in batches, exclusions, a wave's dates,
#: and the running totals the figures are read from).
TABLES = ("surveys", "survey_items", "survey_waves", "survey_responses", "survey_answers", "survey_exclusions",
          "survey_export_releases", "survey_answer_totals", "survey_response_totals", "survey_pair_totals")


def per_wave(measure: str, survey_id: int | None, frequency: str, since: date, until: date) -> dict[date, float]:
    """``{period: the survey's measure in the latest wave that opened in it}``, for the waves opened from ``since``
    to ``until`` (four queries)."""
    survey = db.session.get(Survey, survey_id) if survey_id else None
    if survey is None:
        return {}
    found = {}
    for point in trend(survey):
        if since <= point["wave"].opens_on <= until and point[measure] is not None:
            found[period_start(point["wave"].opens_on, Frequency(frequency))] = point[measure]
    return found


def nps(frequency: str, survey_id: int | None, since: date, until: date) -> dict[date, float]:
    return per_wave("nps", survey_id, frequency, since, until)


def csat(frequency: str, survey_id: int | None, since: date, until: date) -> dict[date, float]:
    return per_wave("csat", survey_id, frequency, since, until)


def repurchase(frequency: str, survey_id: int | None, since: date, until: date) -> dict[date, float]:
    return per_wave("repurchase", survey_id, frequency, since, until)


def participation(frequency: str, survey_id: int | None, since: date, until: date) -> dict[date, float]:
    return per_wave("participation", survey_id, frequency, since, until)


def _surveys(audience: Audience) -> list[tuple[int, str]]:
    """The first editions of the surveys of ``audience`` (a survey's waves over its editions share one trend)."""
    query = select(Survey).where(Survey.audience == audience, Survey.family_id.is_(None)).order_by(Survey.title)
    return [(survey.id, str(survey)) for survey in db.session.scalars(query)]


def client_surveys() -> list[tuple[int, str]]:
    return _surveys(Audience.CLIENTS)


def staff_surveys() -> list[tuple[int, str]]:
    return _surveys(Audience.STAFF)


def survey_page(survey_id: int | None) -> dict:
    return {"survey_id": survey_id or 0}


def _source(label, unit, values, parameters) -> IndicatorSource:
    return IndicatorSource(label=label, unit=unit, direction="higher", values=values, tables=TABLES,
                           endpoint="surveys.survey", url_args=survey_page, parameters=parameters,
                           parameter_label=_l("Survey"), whole_periods=False)


def sources() -> dict[str, IndicatorSource]:
    """The figures the survey engine offers, by key."""
    return {
        "surveys.nps": _source(_l("NPS of a client survey, per wave"), "NPS", nps, client_surveys),
        "surveys.csat": _source(_l("CSAT of a client survey, per wave"), "%", csat, client_surveys),
        "surveys.repurchase": _source(_l("Intention to keep buying of a client survey, per wave"), "%",
                                      repurchase, client_surveys),
        "surveys.participation": _source(_l("Favourable share of a staff participation survey, per wave"), "%",
                                         participation, staff_surveys),
    }
