"""Every list searchable, filterable and exportable through ``core.exports``: the listening activities, the board
of improvements, the C1 counter, the checklist and the E1 dashboard. Each export holds what the page lists with its
filters (on every role, on records that are not theirs), and the search takes the reader's words literally."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from core.extensions import db
from core.listing import like_pattern, text_matches
from core.models import User
from evidence import services as evidence_services
from evidence.models import Assessment
from improvements.models import Status
from processes.models import Benchmark, IndicatorKind, Target
from tests.evidence_fixtures import checklist_ids, criterion
from voice.models import ActivityKind, ListeningActivity

ROLES = ("admin", "coordinator", "member", "reviewer")


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "private, no-store"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))


def _xlsx(response) -> list[tuple]:
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return list(openpyxl.load_workbook(io.BytesIO(response.get_data())).active.iter_rows(values_only=True))


def test_a_search_takes_the_readers_words_literally(app):
    assert like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"
    assert text_matches("  ") is None
    with app.app_context():
        db.session.add_all([User(email=f"u{n}@example.test", name=name, role="member", password_hash="x")
                            for n, name in enumerate(["Ana 50%", "Ana 500", "Bea_1", "Bea11", "CÉSAR"])])
        db.session.flush()

        def names(words):
            return sorted(db.session.scalars(select(User.name).where(text_matches(words, User.name, User.email))))

        assert names("50%") == ["Ana 50%"]
        assert names("a_1") == ["Bea_1"]
        assert names("ana") == ["Ana 50%", "Ana 500"]
        assert names("U4@EXAMPLE") == ["CÉSAR"]  # any column, any case
        db.session.rollback()


def _activities(app):
    with app.app_context():
        db.session.add_all([
            ListeningActivity(kind=ActivityKind.FOCUS_GROUP, title="Focus group on waiting times",
                              held_on=date(2025, 3, 4), participants=8, typology="end_user",
                              findings="Queues at the branch", staff_hours=10, hourly_rate=30, external_cost=200),
            ListeningActivity(kind=ActivityKind.MARKET_STUDY, title="Regional market study", held_on=date(2025, 9, 1),
                              participants=0, findings="Competitors answer faster", external_cost=3000),
            ListeningActivity(kind=ActivityKind.FOCUS_GROUP, title="Focus group with brokers", held_on=date(2026, 2, 1),
                              participants=5, typology="intermediate")])
        db.session.commit()


@pytest.mark.parametrize("role", ROLES)
def test_listening_activities_are_filtered_and_exported(app, client_as, role):
    _activities(app)
    client = client_as(role)
    page = client.get("/clients/listening?kind=focus_group&start=2025-01-01&end=2025-12-31").get_data(as_text=True)
    assert "Focus group on waiting times" in page and "Regional market study" not in page
    assert "Focus group with brokers" not in page and 'data-testid="activities-export-csv"' in page
    assert "answer faster" not in client.get("/clients/listening?q=queues").get_data(as_text=True)
    rows = _csv(client.get("/clients/listening/export.csv?q=focus"))
    assert rows[0] == ["Held on", "Activity", "Kind", "Participants", "Typology", "Findings", "Requirements",
                       "Staff hours", "Hourly rate", "External cost", "Cost"]
    assert [row[1] for row in rows[1:]] == ["Focus group with brokers", "Focus group on waiting times"]
    assert rows[2] == ["2025-03-04", "Focus group on waiting times", "Focus group", "8", "End user",
                       "Queues at the branch", "0", "10.0", "30.0", "200.0", "500.0"]
    sheet = _xlsx(client.get("/clients/listening/export.xlsx?typology=intermediate"))
    assert [row[1] for row in sheet[1:]] == ["Focus group with brokers"]


def test_a_spanish_reader_gets_semicolons_and_decimal_commas(app, client_as):
    _activities(app)
    text = client_as("member").get("/clients/listening/export.csv?kind=market_study",
                                   headers={"Accept-Language": "es-ES"}).get_data().decode("utf-8-sig")
    assert text.splitlines()[1] == ("2025-09-01;Regional market study;Estudio de mercado;0;;Competitors answer faster;"
                                    "0;0,0;0,0;3000,0;3000,0")


def _improvements(app, make_user, make_group, make_improvement):
    owner = make_user("member", name="Owner of the group")
    complaints = make_group(name="Complaints group", members={owner.id: "member"})
    onboarding = make_group(name="Onboarding group", members={owner.id: "member"})
    make_improvement(complaints, title="Written answers to complaints", status=Status.APPROVED, smart=True)
    make_improvement(complaints, title="Call back within a day", status=Status.OPPORTUNITY, planned=False)
    make_improvement(onboarding, title="Welcome call for new clients", status=Status.IN_PROGRESS, smart=True,
                     deadline=date(2020, 1, 1))
    return complaints, onboarding


@pytest.mark.parametrize("role", ROLES)
def test_the_board_is_searched_and_exported_by_anyone_signed_in(app, client_as, make_user, make_group,
                                                              make_improvement, role):
    complaints, onboarding = _improvements(app, make_user, make_group, make_improvement)
    client = client_as(role)  # a member of no group, for the member
    page = client.get("/improvements/board?q=CALL").get_data(as_text=True)
    assert "Call back within a day" in page and "Welcome call" in page and "Written answers" not in page
    rows = _csv(client.get(f"/improvements/board/export.csv?group={onboarding}"))
    assert rows[0][:7] == ["Improvement", "Group", "Status", "Owner", "Raised on", "Deadline", "Overdue"]
    assert [row[:3] for row in rows[1:]] == [["Welcome call for new clients", "Onboarding group", "In progress"]]
    assert rows[1][5:7] == ["2020-01-01", "yes"]
    sheet = _xlsx(client.get(f"/improvements/board/export.xlsx?group={complaints}&q=answers to"))
    assert [row[0] for row in sheet[1:]] == ["Written answers to complaints"]
    assert sheet[1][4].date() == date(2025, 1, 10)  # a real date, not text


def test_the_c1_counter_lists_and_exports_as_filtered_but_counts_everything(app, client_as, make_user, make_group,
                                                                          make_improvement):
    _improvements(app, make_user, make_group, make_improvement)
    client = client_as("reviewer")
    everything = client.get("/improvements/c1").get_data(as_text=True)
    page = client.get("/improvements/c1?q=welcome").get_data(as_text=True)
    verdict = 'data-testid="c1-verdict"'
    assert everything[everything.index(verdict):].split("</p>")[0] == page[page.index(verdict):].split("</p>")[0]
    assert "Welcome call for new clients" in page and "Written answers to complaints" not in page
    assert "1 of 2 improvements listed" in page
    rows = _csv(client.get("/improvements/c1/export.csv"))
    assert rows[0] == ["Improvement", "Group", "Status", "Qualifies for C1", "Meets SMART", "Before", "After",
                       "Change (%)", "Clients value it", "Why it does not qualify"]
    assert sorted(row[0] for row in rows[1:]) == ["Welcome call for new clients", "Written answers to complaints"]
    assert {row[3] for row in rows[1:]} == {"no"} and all(row[9] for row in rows[1:])
    assert _csv(client.get("/improvements/c1/export.csv?qualifies=yes"))[1:] == []
    assert len(_xlsx(client.get("/improvements/c1/export.xlsx?qualifies=no&q=answers to"))) == 2


def test_the_checklist_is_searched_and_exported_with_verdicts(app, client_as, make_user):
    checklist_ids(app)
    reviewer = make_user("reviewer", name="Rita Reviewer")
    with app.app_context():
        evidence_services.record_verdict(criterion("B2"), Assessment.PARTLY, "Census a year old",
                                         actor=db.session.get(User, reviewer.id))
        db.session.commit()
    client = client_as("member")
    page = client.get("/evidence/?q=b2").get_data(as_text=True)
    assert 'data-criterion="B2"' in page and 'data-criterion="A1"' not in page
    assert "1 of 9 criteria listed: readiness counts them all." in page
    rows = _csv(client.get("/evidence/export.csv?q=B2"))
    assert rows[0] == ["Code", "Group", "Criterion", "Automatic evidence", "Why", "What is missing",
                       "Self-assessment", "Self-assessed on", "Reviewer verdict", "Verdict on", "Reviewer",
                       "Manual evidence"]
    assert [row[0] for row in rows[1:]] == ["B2"]
    assert rows[1][3] == "Missing" and rows[1][8] == "Partly met" and rows[1][10] == "Rita Reviewer"
    missing = _csv(client.get("/evidence/export.csv?status=missing"))
    assert len(missing) == 10 and {row[3] for row in missing[1:]} == {"Missing"}
    assert [row[0] for row in _xlsx(client.get("/evidence/export.xlsx"))[1:]] == [
        "A1", "A2", "B1", "B2", "C1", "C2", "C3", "D1", "E1"]


@pytest.mark.parametrize("role", ROLES)
def test_the_e1_dashboard_is_searched_and_exported(app, client_as, make_programme, make_process, make_indicator,
                                                   role):
    programme = make_programme(code="FID")
    process = make_process(code="FID-C01", programme_id=programme, name="Handle complaints")
    months = [date(2025, m, 1) for m in (1, 2, 3)]
    answered = make_indicator(process, code="ANS", name="Complaints answered in 7 days",
                              values={m: 70.0 + n for n, m in enumerate(months)}, unit="%")
    make_indicator(process, code="NPS", name="Net promoter score", kind=IndicatorKind.PERCEPTION,
                   values={months[0]: 31.0})
    with app.app_context():
        db.session.add_all([Target(indicator_id=answered, valid_from=months[0], value=90),
                            Benchmark(indicator_id=answered, source="Sector study", period=months[1], value=80)])
        db.session.commit()
    client = client_as(role)
    page = client.get("/evidence/dashboard?q=complaints answered").get_data(as_text=True)
    assert 'data-indicator="ANS"' in page and 'data-indicator="NPS"' not in page
    assert 'data-indicator="NPS"' in client.get("/evidence/dashboard?q=fid-c01").get_data(as_text=True)
    rows = _csv(client.get("/evidence/dashboard/export.csv?q=ans"))
    assert rows[0] == ["Kind", "SMART", "Code", "Indicator", "Process", "Programme", "Unit", "Status",
                       "Latest period", "Latest", "Target", "External comparison", "Comparison period",
                       "Comparison value", "Periods"]
    assert rows[1:] == [["Performance indicator", "no", "ANS", "Complaints answered in 7 days", "FID-C01", "FID",
                         "%", "Off target", "2025-03-01", "72.0", "90.0", "Sector study", "2025-02-01", "80.0", "3"]]
    sheet = _xlsx(client.get(f"/evidence/dashboard/export.xlsx?process_id={process}"))
    assert [row[2] for row in sheet[1:]] == ["NPS", "ANS"]  # perception measures first, as on the page


def test_exports_are_for_signed_in_people_only(app):
    client = app.test_client()
    for url in ("/clients/listening/export.csv", "/improvements/board/export.csv", "/improvements/c1/export.csv",
                "/evidence/export.csv", "/evidence/dashboard/export.xlsx", "/surveys/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


@pytest.mark.parametrize("role", ("admin", "coordinator", "reviewer"))
def test_the_audit_trail_is_searched_and_exported_by_those_who_may_read_it(app, client_as, role):
    _activities(app)
    client = client_as(role)
    page = client.get("/audit?q=BROKERS").get_data(as_text=True)
    assert "Focus group with brokers" in page and "Regional market study" not in page
    rows = _csv(client.get("/audit/export.csv?q=focus group"))
    labels = {row[rows[0].index("Record")] for row in rows[1:]}
    assert labels and all("Focus group" in label for label in labels)
    assert any("waiting times" in label for label in labels) and not any("market" in label for label in labels)


def test_the_audit_trail_and_its_export_are_refused_to_members(app, client_as):
    member = client_as("member")
    assert member.get("/audit?q=focus").status_code == 403
    assert member.get("/audit/export.csv?q=focus").status_code == 403
