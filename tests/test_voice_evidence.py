"""B1's automatic evidence on small hand-built data: missing, partly and met, with reasons and gaps that link to
the requirements register, the complaints, the listening activities and the survey results, and a fixed number
of queries."""

from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import event, select

from core.extensions import db
from core.findings import Figure, Line, Status, Table
from evidence.automatic import sources
from loyalty.models import Typology
from tests.surveys_fixtures import CLIENT_ANSWER
from voice import evidence
from voice.models import (
    ActivityKind,
    Channel,
    Complaint,
    ComplaintCategory,
    ContactKind,
    ListeningActivity,
    Requirement,
    RequirementSource,
    RequirementStatus,
)


@pytest.fixture
def app_overrides():
    """Responses released one at a time: these tests are about the measures; batches have their own tests
    (tests/test_surveys_anonymous_waves.py)."""
    return {"SURVEY_EXPORT_BATCH": 1}

TODAY = date.today()
SINCE = evidence._month_start(TODAY, 11)
RECENT = TODAY - timedelta(days=20)
#: A day in the 12 months before the last 12.
EARLIER = evidence._month_start(TODAY, 17)


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def _requirement(statement, source, status=RequirementStatus.ANALYSED, *, typology=Typology.END_USER,
                 explicit=True, identified_on=RECENT, reason=None, activity_id=None) -> int:
    requirement = Requirement(statement=statement, source=source, status=status, typology=typology,
                              explicit=explicit, identified_on=identified_on, importance=2, rejection_reason=reason,
                              activity_id=activity_id)
    db.session.add(requirement)
    db.session.commit()
    return requirement.id


def _category(name="Delays") -> int:
    category = ComplaintCategory(name=name, active=True)
    db.session.add(category)
    db.session.commit()
    return category.id


def _complaint(category_id, received_on, days=None):
    db.session.add(Complaint(kind=ContactKind.COMPLAINT, channel=Channel.PHONE, category_id=category_id,
                             received_on=received_on, description="Late",
                             responded_on=received_on + timedelta(days=days) if days is not None else None))
    db.session.commit()


def _activity(kind=ActivityKind.FOCUS_GROUP, held_on=RECENT, participants=8):
    db.session.add(ListeningActivity(kind=kind, title="Retired members", held_on=held_on, participants=participants,
                                     typology=Typology.END_USER))
    db.session.commit()


def _client_wave(make_survey, make_wave, add_answers) -> int:
    """A client wave of five responses whose attributes move with the intention to keep buying and recommend."""
    wave = make_wave(make_survey(language="en"), name="2026", opens_on=RECENT)
    add_answers(wave, [{**CLIENT_ANSWER, "recommend": r, "overall": o, "repurchase": p, "attr-speed": s,
                        "attr-attention": a, "_typology": "end_user"} for r, o, p, s, a in
                       ((10, 5, 5, 5, 4), (9, 4, 5, 4, 5), (8, 4, 4, 4, 3), (6, 2, 3, 2, 3), (3, 1, 1, 1, 2))])
    return wave


def test_b1_is_the_source_the_voice_of_the_client_registers(app, request_ctx):
    assert sources()["B1"] is evidence.voice_of_the_client_evidence


def test_b1_missing_without_requirements_complaints_or_surveys(app, request_ctx):
    finding = evidence.voice_of_the_client_evidence(detail=True)
    assert finding.status == Status.MISSING
    assert finding.reasons[0].text.startswith("B1 is met when")  # the rule, stated even when missing
    assert finding.reasons[1:] == [Line("No client requirements, complaints or satisfaction surveys have been "
                                        "recorded yet.")]
    assert [g.url for g in finding.gaps] == ["/clients/requirements", "/clients/complaints", "/surveys/"]
    assert [b.title for b in finding.blocks] == ["Thresholds of the rule"]


def test_b1_partly_names_each_gap(app, request_ctx):
    stale = _requirement("A tax simulator", RequirementSource.TRUSTED_CLIENT, RequirementStatus.NEW,
                         typology=Typology.PRESCRIBER, identified_on=TODAY - timedelta(days=200))
    _requirement("Answers within a week", RequirementSource.COMPLAINT, RequirementStatus.REJECTED, explicit=False)
    _complaint(_category(), RECENT)  # not answered yet

    finding = evidence.voice_of_the_client_evidence()
    assert finding.status == Status.PARTLY
    texts = [r.text for r in finding.reasons][1:]  # after the rule
    assert finding.reasons[0].text.startswith(f"B1 is met when the requirements identified in the last 12 months "
                                              f"(since {SINCE.month}/1/{SINCE.year}) come from at least 3 sources")
    assert texts[0] == (f"2 client requirements (1 explicit, 1 implicit); those identified since "
                        f"{SINCE.month}/1/{SINCE.year} come from 2 of the 6 sources: Trusted-client consultation 1; "
                        f"Enquiry, complaint "
                        "or claim 1")
    assert texts[1] == "By client typology: End user 1; Prescriber 1"
    assert texts[2] == "By level of need: level not stated 2"
    assert texts[3] == ("0 addressed, 0 in improvement, 0 analysed, 1 pending analysis, 1 rejected (0 with the "
                        "reason recorded)")
    assert texts[4].startswith("No focus group, trusted-client consultation or other listening activity since")
    assert texts[5].startswith("1 enquiry, complaint, claim or incident received since") and "0 answered" in texts[5]
    assert "mean response time" not in texts[5]
    gaps = [(g.text, g.url) for g in finding.gaps]
    assert gaps[0][0].startswith(f"Requirements identified since {SINCE.month}/1/{SINCE.year} come from 2 source(s); "
                                 "at least 3 are expected. Not used in the window: Internal knowledge")
    assert gaps[0][1] == "/clients/requirements/new"
    assert gaps[1] == (f"“A tax simulator”, identified on {TODAY - timedelta(days=200):%-m/%-d/%Y}, is still pending "
                       "analysis", f"/clients/requirements/{stale}")
    assert gaps[2] == ("1 rejected requirement has no reason recorded", "/clients/requirements?status=rejected")
    assert gaps[3][1] == f"/clients/complaints?start={SINCE.isoformat()}&status=open"
    assert gaps[4] == ("No client satisfaction survey has been answered yet: run one with the intention to keep "
                       "buying and to recommend", "/surveys/")
    assert len(gaps) == 5


def test_b1_counts_the_sources_of_the_requirements_identified_in_the_window(app, request_ctx):
    for source in (RequirementSource.FOCUS_GROUP, RequirementSource.COMPLAINT):
        _requirement("Old news", source, identified_on=SINCE - timedelta(days=1))  # before the window
    _requirement("Recent", RequirementSource.SURVEY)
    facts = evidence.b1_facts(TODAY)
    assert facts.requirements.sources_used() == [RequirementSource.SURVEY]
    assert not facts.requirements_complete
    db.session.add(ListeningActivity(kind=ActivityKind.FOCUS_GROUP, title="Last year's group", participants=6,
                                     held_on=SINCE - timedelta(days=30)))
    db.session.flush()
    _requirement("Typed in this year, heard last year", RequirementSource.TRUSTED_CLIENT, activity_id=db.session.scalar(
        select(ListeningActivity.id).where(ListeningActivity.title == "Last year's group")))
    facts = evidence.b1_facts(TODAY)
    assert facts.requirements.sources_used() == [RequirementSource.SURVEY], "counted by the day it was heard"
    wider = evidence.b1_facts(TODAY, thresholds={"window_months": 24})
    assert len(wider.requirements.sources_used()) == 4 and wider.requirements_complete
    assert evidence.b1_facts(TODAY, thresholds={"min_sources": 1}).requirements_complete


def test_b1_complaints_only_long_ago_are_a_gap(app, request_ctx):
    _complaint(_category(), TODAY - timedelta(days=800), days=3)
    finding = evidence.voice_of_the_client_evidence()
    assert finding.status == Status.PARTLY
    assert any(g.text.startswith("No enquiry, complaint, claim or incident recorded since") and
               g.url == "/clients/complaints" for g in finding.gaps)


def test_b1_met_with_three_sources_analysed_complaints_answered_and_a_survey_with_drivers(
        app, request_ctx, make_survey, make_wave, add_answers):
    _requirement("Know the tax before claiming", RequirementSource.FOCUS_GROUP, RequirementStatus.IN_IMPROVEMENT)
    _requirement("A yearly report per company", RequirementSource.FOCUS_GROUP, RequirementStatus.ADDRESSED,
                 typology=Typology.INTERMEDIATE)
    _requirement("Answers within a week", RequirementSource.COMPLAINT, RequirementStatus.ADDRESSED)
    _requirement("Guaranteed returns", RequirementSource.SURVEY, RequirementStatus.REJECTED, explicit=False,
                 typology=None, reason="The regulation does not allow it.")
    _requirement("Feel looked after", RequirementSource.SURVEY, RequirementStatus.NEW)  # new, but recent
    _activity()
    _activity(ActivityKind.TRUSTED_CLIENT, participants=3)
    _activity(held_on=TODAY - timedelta(days=500))  # older than 12 months: not counted
    delays, statements = _category("Delays"), _category("Statements")
    _complaint(delays, EARLIER, days=12)
    _complaint(delays, EARLIER, days=8)
    _complaint(delays, RECENT, days=4)
    _complaint(statements, RECENT, days=2)
    wave = _client_wave(make_survey, make_wave, add_answers)

    finding = evidence.voice_of_the_client_evidence(detail=True)
    assert finding.status == Status.MET, finding.gaps
    assert finding.gaps == []
    by_url = {}
    for reason in finding.reasons:
        by_url.setdefault(reason.url, []).append(reason.text)
    assert by_url["/clients/requirements"][0].startswith(
        f"5 client requirements (4 explicit, 1 implicit); those identified since {SINCE.month}/1/{SINCE.year} come "
        "from 3 of the 6 sources: Focus group 2;")
    assert by_url["/clients/requirements"][1] == "By client typology: End user 3; Intermediate client 1; no typology 1"
    assert by_url["/clients/requirements"][2] == "By level of need: level not stated 5"
    assert by_url["/clients/requirements"][3] == ("2 addressed, 1 in improvement, 0 analysed, 1 pending analysis, "
                                                  "1 rejected (1 with the reason recorded)")
    assert by_url["/clients/listening"] == [f"2 listening activities since {SINCE.month}/1/{SINCE.year} (11 "
                                            "participants): Focus group 1; Trusted-client consultation 1"]
    [complaints] = by_url[f"/clients/complaints?start={SINCE.isoformat()}"]
    assert complaints == (f"2 enquiries, complaints, claims and incidents received since {SINCE.month}/1/{SINCE.year}, "
                          "2 answered; mean response time 3.0 days, down from 10.0 days in the 12 months before")
    survey, by_typology, drivers = by_url[f"/surveys/waves/{wave}/results"]
    assert by_typology == "NPS by client typology: End user +0 (n = 5)"
    assert ["End user", "5", "+0"] in next(b for b in finding.blocks if b.title.startswith("NPS by client")).rows
    assert finding.blocks[0].rows[0][:2] == ["Months of the window (activities, sources and complaints counted)", "12"]
    assert survey.endswith(" · 2026: n = 5, no invitations: response rate unknown, CSAT 60 %, NPS +0, intention to "
                           "keep buying 60 %")
    assert drivers.startswith("What drives the intention to keep buying and to recommend: ")
    assert "read with caution" in drivers

    (_thresholds, requirements, levels, activities, complaints_table, figure, satisfaction, _by_typology,
     driver_table) = finding.blocks
    assert levels.title == "Client requirements by level of need and status"
    assert [row[0].text for row in levels.rows[:4]] == ["Basic", "Expected", "Desired", "Unanticipated"]
    assert levels.rows[-1] == ["Level not stated", "—", "2", "1", "0", "1", "1", "5"]
    assert isinstance(requirements, Table) and requirements.title == "Client requirements by source and status"
    assert requirements.headers == ["Source", "Addressed", "In improvement", "Analysed", "New", "Rejected", "Total"]
    focus = requirements.rows[1]
    assert focus[0] == "Focus group" and focus[1] == Line("1", "/clients/requirements?source=focus_group&status="
                                                               "addressed")
    assert focus[-1] == Line("2", "/clients/requirements?source=focus_group")
    assert requirements.rows[-1] == ["All sources", "2", "1", "0", "1", "1", "5"]
    assert [row[0].text for row in activities.rows] == ["Focus group", "Trusted-client consultation"]
    assert [(row[0].text, row[1:]) for row in complaints_table.rows] == [
        ("Delays", ["1", "1", "4.0", "10.0"]), ("Statements", ["1", "1", "2.0", "—"])]
    assert complaints_table.rows[0][0].url == f"/clients/complaints?category={delays}&start={SINCE.isoformat()}"
    assert isinstance(figure, Figure) and figure.svg.startswith("<svg")
    assert satisfaction.rows[0] == [Line("Responses", f"/surveys/waves/{wave}/results"), "5"]
    assert driver_table.headers[0] == "Attribute" and driver_table.rows


def test_b1_survey_without_drivers_is_a_gap(app, request_ctx, make_survey, make_wave, add_answers):
    wave = make_wave(make_survey(language="en"), name="Flat", opens_on=RECENT)
    add_answers(wave, [dict(CLIENT_ANSWER)] * 4)  # every answer the same: no correlation to read
    finding = evidence.voice_of_the_client_evidence()
    assert finding.status == Status.PARTLY
    assert any(g.text.endswith("gives no driver analysis: it needs the service attributes answered together with the "
                               "intention to keep buying or to recommend") and g.url == f"/surveys/waves/{wave}/results"
               for g in finding.gaps)


def _statements(detail: bool) -> int:
    g.pop("organisation", None)  # looked up once per request: each call here stands for a request of its own
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        evidence.voice_of_the_client_evidence(detail=detail)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_b1_reads_a_fixed_number_of_queries(app, request_ctx, make_survey, make_wave, add_answers):
    def add(prefix, n):
        categories = [_category(f"{prefix}{i}") for i in range(2)]
        for i in range(n):
            _requirement(f"{prefix} {i}", list(RequirementSource)[i % 6], list(RequirementStatus)[i % 5],
                         reason="No", identified_on=TODAY - timedelta(days=100 + 30 * i))  # new ones are stale
            _complaint(categories[i % 2], TODAY - timedelta(days=40 * i), days=i % 7)
            _activity(list(ActivityKind)[i % 4], held_on=TODAY - timedelta(days=60 * i))

    add("A", 3)
    _client_wave(make_survey, make_wave, add_answers)
    few = _statements(False), _statements(True)
    add("B", 20)
    assert (_statements(False), _statements(True)) == few
