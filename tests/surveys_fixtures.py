"""Factories for the survey engine's records, shared by its tests (the fixtures come through conftest's
``pytest_plugins``; import the answer sets and ``form_for`` you use)."""

from datetime import date

import pytest

from core.extensions import db
from surveys import engine, invitations, releases
from surveys.models import Audience, ItemKind, ResponseSource, Survey, Wave


@pytest.fixture
def make_survey(app):
    """``make_survey(template="client_satisfaction", anonymous=True, language="en") -> survey id``."""

    def factory(template="client_satisfaction", *, anonymous=True, language="en", title=None,
                audience=Audience.CLIENTS) -> int:
        with app.app_context():
            survey = engine.create_survey(title=title, audience=audience, language=language, template=template,
                                          anonymous=anonymous)
            db.session.commit()
            return survey.id

    return factory


@pytest.fixture
def make_wave(app):
    """``make_wave(survey_id, name=..., status="open", public_link=False, invitees=[{...}]) -> wave id``."""

    def factory(survey_id, *, name="Wave", opens_on=date(2020, 1, 1), status="open", public_link=False,
                invitees=()) -> int:
        with app.app_context():
            wave = engine.create_wave(db.session.get(Survey, survey_id), name=name, opens_on=opens_on,
                                      closes_on=None, public_link=public_link)
            if status in ("open", "closed"):
                wave.open()
            if status == "closed":
                wave.close()
            invitations.invite(wave, list(invitees))
            db.session.commit()
            return wave.id

    return factory


def answers_by_key(app, wave_id, rows):
    """Store responses given as ``[{"recommend": 9, "overall": 4, ..., "_typology": "x"}]`` (item keys; a
    ``"_source": "link"`` stores it as answered through a personal link, else as imported), then
    release a batch if one is due, as opening the results page would (anonymous waves show released
    responses only, see ``surveys.releases``)."""
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        items = {i.key: i for i in wave.survey.items}
        planned = []
        for row in rows:
            values = {}
            for key, value in row.items():
                if key.startswith("_"):
                    continue
                item = items[key]
                values[item.id] = (None, value) if item.kind == ItemKind.TEXT else (float(value), None)
            planned.append({"values": values, "typology": row.get("_typology"), "segment": row.get("_segment"),
                            "source": ResponseSource(row.get("_source", "import"))})
        engine.insert_responses(wave, planned)
        releases.release_due(wave)
        db.session.commit()


@pytest.fixture
def add_answers(app):
    return lambda wave_id, rows: answers_by_key(app, wave_id, rows)


def form_for(app, wave_id, values_by_key) -> dict:
    """The POST body of the answering page for answers given by item key."""
    with app.app_context():
        items = {i.key: i.id for i in db.session.get(Wave, wave_id).survey.items}
    return {f"item-{items[key]}": str(value) for key, value in values_by_key.items()}


#: A full, valid answer to the standard client questionnaire.
CLIENT_ANSWER = {"attr-attention": 4, "attr-information": 5, "attr-speed": 3, "attr-products": 4,
                 "attr-procedures": 4, "attr-value": 3, "overall": 4, "expectations": 1, "repurchase": 5,
                 "recommend": 9, "comment": "Very kind staff"}
STAFF_ANSWER = {"opinion-considered": 5, "proposals-followed": 4, "useful": 4, "means": 2, "again": 5,
                "comment": "More time, please"}
