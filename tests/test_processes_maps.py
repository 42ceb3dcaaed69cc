"""Interfaces with their SLAs, and the maps: what they show, and that their cost does not grow per process."""

from datetime import date

import pytest
from sqlalchemy import event

from core.extensions import cache, db
from processes.models import Direction, Interface, Process, ProcessKind


@pytest.fixture
def two_programmes(make_programme, make_process, make_user):
    owner = make_user("member", name="Olga Owner")
    loyalty, sales = make_programme(code="FID", name="Loyalty"), make_programme(code="COM", name="Sales",
                                                                                certified=False)
    return {
        "owner": owner,
        "onboarding": make_process(code="FID-C01", programme_id=loyalty, owner_id=owner.id, name="Onboarding"),
        "plan": make_process(code="FID-E01", programme_id=loyalty, kind=ProcessKind.STRATEGIC),
        "sales": make_process(code="COM-C01", programme_id=sales, name="Selling"),
    }


def test_an_interface_with_an_sla_is_recorded_and_its_compliance_computed(app, client_as, make_indicator,
                                                                          two_programmes):
    days = make_indicator(two_programmes["onboarding"], code="DAYS", direction=Direction.LOWER,
                          values={date(2025, 1, 1): 4.0, date(2025, 2, 1): 6.0, date(2025, 3, 1): 4.5,
                                  date(2025, 4, 1): 3.0, date(2025, 5, 1): 5.0})
    client = client_as("coordinator")
    form = {"from_process_id": two_programmes["sales"], "to_process_id": two_programmes["onboarding"],
            "flow": "New members of new companies", "problem": "Late and incomplete",
            "agreement": "Complete within 5 days", "indicator_id": days, "agreed_level": "5",
            "from_owner_id": "0", "to_owner_id": "0", "review_date": ""}
    assert client.post("/processes/interfaces/new", data=form).status_code == 302
    page = client.get("/processes/interfaces").get_data(as_text=True)
    # 4 of the 5 periods met the level: 80 %, the share an agreement needs over its window.
    assert 'data-compliance="compliant"' in page and "4 of the last 5 periods" in page


def test_a_problem_without_agreement_needs_attention(client_as, two_programmes):
    client = client_as("coordinator")
    client.post("/processes/interfaces/new", data={
        "from_process_id": two_programmes["onboarding"], "to_process_id": two_programmes["sales"],
        "flow": "Complaints about sales", "problem": "Nobody answers", "agreement": "", "indicator_id": "0",
        "from_owner_id": "0", "to_owner_id": "0"})
    client.post("/processes/interfaces/new", data={
        "from_process_id": two_programmes["plan"], "to_process_id": two_programmes["onboarding"],
        "flow": "Yearly plan", "problem": "", "agreement": "", "indicator_id": "0",
        "from_owner_id": "0", "to_owner_id": "0"})
    attention = client.get("/processes/interfaces?show=attention").get_data(as_text=True)
    assert "Complaints about sales" in attention and "Yearly plan" not in attention
    assert 'data-compliance="no_agreement"' in attention


def test_interfaces_needing_attention_come_first_whatever_their_codes(ctx, two_programmes):
    from processes.agreements import interfaces_to_review

    ids = two_programmes
    db.session.add_all([
        Interface(from_process_id=ids["plan"], to_process_id=ids["onboarding"], flow="Yearly plan"),
        Interface(from_process_id=ids["sales"], to_process_id=ids["onboarding"], flow="Leads", problem="Late"),
        Interface(from_process_id=ids["onboarding"], to_process_id=ids["sales"], flow="Feedback", problem="Lost"),
    ])
    db.session.commit()
    assert [i.flow for i, _state in interfaces_to_review()] == ["Leads", "Feedback", "Yearly plan"]
    assert [i.flow for i, _state in interfaces_to_review(only_attention=True)] == ["Leads", "Feedback"]


@pytest.mark.parametrize(("change", "error"), [
    ({"to_process_id": "FROM"}, "An interface joins two different processes."),
    ({"agreed_level": "5"}, "Choose the indicator that measures the agreed level."),
])
def test_invalid_interfaces_are_refused(app, client_as, two_programmes, change, error):
    data = {"from_process_id": two_programmes["sales"], "to_process_id": two_programmes["onboarding"],
            "flow": "x", "indicator_id": "0", "from_owner_id": "0", "to_owner_id": "0"}
    data.update({k: (two_programmes["sales"] if v == "FROM" else v) for k, v in change.items()})
    page = client_as("coordinator").post("/processes/interfaces/new", data=data).get_data(as_text=True)
    assert error in page
    with app.app_context():
        assert db.session.query(Interface).count() == 0


def test_only_owners_of_either_side_or_coordinators_record_interfaces(app, make_user, two_programmes):
    from tests.conftest import sign_in

    data = {"from_process_id": two_programmes["sales"], "to_process_id": two_programmes["plan"], "flow": "x",
            "indicator_id": "0", "from_owner_id": "0", "to_owner_id": "0"}
    assert sign_in(app.test_client(), make_user("member")).post("/processes/interfaces/new",
                                                                data=data).status_code == 403
    owner_client = sign_in(app.test_client(), two_programmes["owner"])
    data["to_process_id"] = two_programmes["onboarding"]
    assert owner_client.post("/processes/interfaces/new", data=data).status_code == 302


def test_the_map_shows_boxes_by_type_with_owner_and_links(client_as, two_programmes):
    page = client_as("reviewer").get("/processes/").get_data(as_text=True)
    assert 'data-process-code="FID-C01"' in page and "Olga Owner" in page
    assert f'href="/processes/{two_programmes["onboarding"]}"' in page
    assert "COM-C01" not in page  # no interface reaches it, so the loyalty map leaves it out
    joint = client_as("reviewer").get("/processes/joint-map").get_data(as_text=True)
    assert "COM-C01" in joint and "Sales" in joint
    svg = client_as("reviewer").get("/processes/map.svg?joint=1")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data and b"href=" not in svg.data


def statements_of(engine, client, url) -> int:
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def count_statements(app, client, url) -> tuple[int, int]:
    """Statements of a request that computes the page, then of one that finds it in the cache."""
    with app.app_context():
        engine = db.engine
        cache.clear()
    return statements_of(engine, client, url), statements_of(engine, client, url)


@pytest.mark.parametrize("url", ["/processes/", "/processes/joint-map", "/processes/list", "/processes/interfaces"])
def test_pages_do_not_query_per_process(app, client_as, make_programme, make_process, make_indicator, make_user,
                                        url):
    programme = make_programme()
    client = client_as("coordinator")

    def grow(n):
        for _ in range(n):
            owner = make_user("member")
            process = make_process(programme_id=programme, owner_id=owner.id)
            indicator = make_indicator(process, values={date(2025, 1, 1): 1.0})
            with app.app_context():
                db.session.add(Interface(from_process_id=process, to_process_id=process - 1 if process > 1 else process,
                                         flow="f", agreement="a", indicator_id=indicator, agreed_level=1))
                db.session.commit()

    grow(3)
    client.get(url)  # the first request of an app also checks the schema once
    few = count_statements(app, client, url)
    grow(12)
    many = count_statements(app, client, url)
    assert many == few, f"{url}: {few} statements with 3 processes, {many} with 15"


@pytest.mark.parametrize("url", ["/processes/", "/processes/joint-map"])
def test_a_map_is_drawn_once_and_again_as_soon_as_a_process_changes(app, client_as, two_programmes, url):
    client = client_as("reviewer")
    computed, kept = count_statements(app, client, url)
    assert kept < computed
    assert "Onboarding" in client.get(url).get_data(as_text=True)
    with app.app_context():
        db.session.get(Process, two_programmes["onboarding"]).name = "Welcome pack"
        db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Welcome pack" in page and "Onboarding" not in page
    assert b"Welcome pack" in client.get("/processes/map.svg?joint=1").data
