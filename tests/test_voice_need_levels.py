"""Levels of client needs (seed 003: basic, expected, desired, unanticipated) on requirements and survey items,
and B1's breakdown by level; staff focus groups, a listening activity D1 counts and B1 does not."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.extensions import db
from core.needs import NeedLevel
from surveys import evidence as surveys_evidence
from surveys.models import Audience, SurveyItem
from tests.surveys_fixtures import CLIENT_ANSWER
from voice import evidence
from voice.models import ActivityKind, ListeningActivity, Requirement, RequirementSource

TODAY = date.today()


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def _requirement_form(**fields):
    return {"statement": "Someone answers the phone", "explicit": "1", "typology": "", "source": "survey",
            "identified_on": TODAY.isoformat(), "importance": "2", "origin": "", "need_level": "basic", **fields}


def test_a_requirement_states_its_level_shown_on_its_page_and_filtered_in_the_register(app, client_as):
    member = client_as("member")
    assert member.post("/clients/requirements/new", data=_requirement_form()).status_code == 302
    assert member.post("/clients/requirements/new", data=_requirement_form(
        statement="A tax simulator", need_level="unanticipated")).status_code == 302
    assert member.post("/clients/requirements/new", data=_requirement_form(
        statement="Kept as it was", need_level="")).status_code == 302
    with app.app_context():
        levels = dict(db.session.execute(select(Requirement.statement, Requirement.need_level)).all())
        basic_id = db.session.scalar(select(Requirement.id).where(Requirement.need_level == NeedLevel.BASIC))
    assert levels == {"Someone answers the phone": NeedLevel.BASIC, "A tax simulator": NeedLevel.UNANTICIPATED,
                      "Kept as it was": None}
    assert 'data-testid="need-level">Basic<' in member.get(f"/clients/requirements/{basic_id}").get_data(as_text=True)
    listed = member.get("/clients/requirements?need_level=unanticipated").get_data(as_text=True)
    assert "A tax simulator" in listed and "Someone answers the phone" not in listed
    exported = member.get("/clients/requirements/export.csv?need_level=unanticipated").get_data(as_text=True)
    assert "Level of need" in exported.splitlines()[0]
    assert "A tax simulator" in exported and "Unanticipated" in exported and "Someone answers" not in exported
    refused = member.post("/clients/requirements/new", data=_requirement_form(need_level="essential"))
    assert refused.status_code == 200


def test_b1_breaks_the_requirements_down_by_level(app, request_ctx):
    for statement, level in (("Attended", NeedLevel.BASIC), ("Advice", NeedLevel.EXPECTED),
                             ("Phone", NeedLevel.EXPECTED), ("Free", None)):
        db.session.add(Requirement(statement=statement, source=RequirementSource.SURVEY, identified_on=TODAY,
                                   need_level=level))
    db.session.commit()
    finding = evidence.voice_of_the_client_evidence(detail=True)
    assert "By level of need: Basic 1; Expected 2; level not stated 1" in [r.text for r in finding.reasons]
    table = next(b for b in finding.blocks if b.title == "Client requirements by level of need and status")
    assert [row[0].text if hasattr(row[0], "text") else row[0] for row in table.rows] == [
        "Basic", "Expected", "Desired", "Unanticipated", "Level not stated"]
    assert table.rows[1][-1] == "2" and table.rows[1][0].url == "/clients/requirements?need_level=expected"


def test_a_survey_item_takes_a_level_that_b1_reads_satisfaction_by(app, client_as, make_survey, make_wave,
                                                                    add_answers):
    survey_id = make_survey(anonymous=False)
    client = client_as("coordinator")
    with app.app_context():
        items = {i.key: i.id for i in db.session.scalars(select(SurveyItem).where(SurveyItem.survey_id == survey_id))}
    form = {"text": "Speed?", "kind": "likert", "role": "attribute", "tag": "Speed", "choices": "",
            "need_level": "basic"}
    assert client.post(f"/surveys/{survey_id}/items/{items['attr-speed']}", data=form).status_code == 302
    assert client.post(f"/surveys/{survey_id}/items/{items['attr-attention']}",
                       data={**form, "text": "Kind?", "tag": "Kindness", "need_level": "desired"}).status_code == 302
    assert "level of need: Basic" in client.get(f"/surveys/{survey_id}").get_data(as_text=True)
    wave = make_wave(survey_id)
    add_answers(wave, [CLIENT_ANSWER, {**CLIENT_ANSWER, "attr-speed": 5}, {**CLIENT_ANSWER, "attr-speed": 2}])
    with app.test_request_context("/"):
        facts = surveys_evidence.satisfaction_facts()
        assert [(level, names) for level, names, _pct in facts.by_need_level] == [
            (NeedLevel.BASIC, ("Speed",)), (NeedLevel.DESIRED, ("Kindness",))]
        basic = facts.by_need_level[0][2]
        assert round(basic) == 33  # one of three answers 4 or 5
        finding = evidence.voice_of_the_client_evidence(detail=True)
        assert "Favourable by level of need: Basic 33 % (1 attribute); Desired 100 % (1 attribute)" in [
            r.text for r in finding.reasons]
        assert any(b.title.startswith("Satisfaction by level of need") for b in finding.blocks)


def _staff_focus_group(days_ago, title="Staff focus group", participants=6):
    activity = ListeningActivity(kind=ActivityKind.STAFF_FOCUS_GROUP, title=title, participants=participants,
                                 held_on=TODAY - timedelta(days=days_ago), findings="Heard")
    db.session.add(activity)
    db.session.commit()
    return activity


def test_staff_focus_groups_count_in_d1_not_in_b1(app, request_ctx):
    _staff_focus_group(40, "Improvement groups", 8)
    _staff_focus_group(800, "Long ago")
    finding = surveys_evidence.participation_evidence(detail=True)
    assert finding.status.value == "partly", "focus groups without the participation survey"
    listened = [r for r in finding.reasons if "staff focus group" in r.text]
    assert len(listened) == 1 and listened[0].text.startswith("1 staff focus group since ")
    assert "Improvement groups" in listened[0].text and "(8 participants)" in listened[0].text
    assert listened[0].url == "/clients/listening?kind=staff_focus_group"
    table = finding.blocks[-1]
    assert table.title.startswith("Staff focus groups since") and table.rows[0][1].text == "Improvement groups"
    asked = surveys_evidence.participation_evidence(thresholds={"min_focus_groups": 2})
    assert "1 of 2 staff focus groups since" in " ".join(g.text for g in asked.gaps)
    assert evidence.b1_facts().activities == (), "B1 counts the client listening activities only"


def test_a_staff_focus_group_gives_no_client_requirement(app, client_as):
    with app.app_context():
        activity_id = _staff_focus_group(10).id
    member = client_as("member")
    page = member.get(f"/clients/listening/{activity_id}").get_data(as_text=True)
    assert 'data-testid="staff-listening"' in page and "Record a requirement from it" not in page
    response = member.post("/clients/requirements/new", data=_requirement_form(
        source="focus_group", origin=f"activity:{activity_id}"))
    assert response.status_code == 200
    assert f"activity:{activity_id}" not in member.get("/clients/requirements/new").get_data(as_text=True)
    listed = member.get("/clients/listening?kind=staff_focus_group").get_data(as_text=True)
    assert "Staff focus group" in listed
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Requirement.id))) == 0
    assert Audience.STAFF  # the survey side of D1 is tested in test_surveys_evidence
