"""The home dashboard: each package's block through ``home_panels``, per role, with empty states, and a statement
count that does not grow with the data."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from core import home, signals
from core.extensions import db
from evidence.models import Assessment, Verdict
from improvements.models import Status, TaskStatus
from processes.models import Interface, Measurement, Target
from tests.evidence_fixtures import checklist_ids
from tests.surveys_fixtures import CLIENT_ANSWER

TODAY = date.today()


def section(html: str, key: str) -> str:
    """The HTML of one block of the home page."""
    start = html.index(f'data-testid="panel-{key}"')
    return html[start:html.index("</section>", start)]


def statements(app, client, url) -> tuple[str, int]:
    seen = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        text = client.get(url).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return text, len(seen)


@pytest.fixture
def programme_data(app, make_user, make_process, make_indicator, make_group, make_improvement, make_survey,
                   make_wave, add_answers):
    """``programme_data(size, owner)``: ``size`` of each kind of record, some off target, due, open, judged."""

    def build(size: int, owner) -> None:
        reviewer = make_user("reviewer", name=f"Reviewer {size}")
        group = make_group(members={owner.id: "Member"})
        criteria = checklist_ids(app)
        for number in range(size):
            process = make_process(name=f"Process {size}-{number}")
            neighbour = make_process()
            make_indicator(process, name=f"Late deliveries {size}-{number}",
                           values={TODAY.replace(day=1) - timedelta(days=40): 30.0})
            make_improvement(group, status=Status.IN_PROGRESS, title=f"Improvement {size}-{number}",
                             tasks=[(f"Overdue {size}-{number}", owner.id, TODAY - timedelta(days=2), TaskStatus.TODO),
                                    (f"Soon {size}-{number}", owner.id, TODAY + timedelta(days=3), TaskStatus.DOING),
                                    (f"Later {size}-{number}", owner.id, TODAY + timedelta(days=30), TaskStatus.TODO)])
            survey = make_survey(title=f"Satisfaction {size}-{number}", anonymous=False)
            wave = make_wave(survey, name=f"Wave {size}-{number}",
                             invitees=[{"name": f"Person {n}", "email": f"p{size}{number}{n}@example.org"}
                                       for n in range(4)])
            add_answers(wave, [dict(CLIENT_ANSWER, comment="Secret remark", _source="link")] * 2)
            with app.app_context():
                indicator_id = db.session.scalar(db.select(Measurement.indicator_id).order_by(
                    Measurement.id.desc()).limit(1))
                db.session.add(Target(indicator_id=indicator_id, valid_from=date(2000, 1, 1), value=90))
                db.session.add(Interface(from_process_id=process, to_process_id=neighbour, flow=f"Orders {number}",
                                         review_date=TODAY + timedelta(days=number)))
                code = sorted(criteria)[number % len(criteria)]
                db.session.add(Verdict(criterion_id=criteria[code], status=Assessment.PARTLY, reviewer_id=reviewer.id))
                db.session.commit()

    return build


def test_the_home_page_shows_each_packages_block_in_order(app, make_user, programme_data):
    owner = make_user("member", name="Owner")
    programme_data(2, owner)
    from tests.conftest import sign_in

    html = sign_in(app.test_client(), owner).get("/").get_data(as_text=True)
    keys = ["readiness", "tasks", "indicators", "verdicts", "waves", "reviews"]
    assert [html.index(f'data-testid="panel-{key}"') for key in keys] == sorted(
        html.index(f'data-testid="panel-{key}"') for key in keys)
    tasks = section(html, "tasks")
    assert "Overdue 2-0" in tasks and "Soon 2-1" in tasks and "Later 2-0" not in tasks and "overdue" in tasks
    indicators = section(html, "indicators")
    assert "Late deliveries 2-0" in indicators and "2 indicators off target of 2 with a target" in indicators
    waves = section(html, "waves")
    assert "Wave 2-0" in waves and "response rate 50 %" in waves and "4 invited" in waves
    assert "Orders 0" in section(html, "reviews")
    assert "Reviewer 2" in section(html, "verdicts") and "Partly met" in section(html, "verdicts")
    readiness = section(html, "readiness")
    assert 'href="/evidence/#gaps-title"' in readiness and 'data-status="missing"' in readiness
    assert "Secret remark" not in html  # a survey's answers never reach the home page
    assert 'data-testid="home-start"' not in html


def test_a_reviewer_sees_readiness_and_verdicts_but_no_tasks(app, make_user, client_as, programme_data):
    programme_data(1, make_user("member"))
    html = client_as("reviewer").get("/").get_data(as_text=True)
    assert 'data-testid="panel-readiness"' in html and 'data-testid="panel-verdicts"' in html
    assert 'data-testid="panel-tasks"' not in html and "Overdue 1-0" not in html
    assert "Secret remark" not in html and "@example.org" not in html


def test_an_empty_organisation_is_told_where_to_begin(app, client_as):
    html = client_as("coordinator").get("/").get_data(as_text=True)
    assert 'data-testid="home-start"' in html and "Go to the process map" in html
    assert 'data-testid="home-panels"' not in html


def test_each_empty_block_says_what_to_do(app, make_user, make_process, make_indicator):
    """Some data (an indicator without a target) and otherwise nothing: the blocks draw their guidance."""
    process = make_process()
    make_indicator(process, values={TODAY.replace(day=1): 10.0})
    from tests.conftest import sign_in

    member = make_user("member")
    html = sign_in(app.test_client(), member).get("/").get_data(as_text=True)
    assert 'data-testid="home-start"' in html  # every block is still empty
    with app.test_request_context():
        from flask_login import login_user

        login_user(db.session.get(type(member), member.id))
        panels_seen = {panel.key: panel.empty for panel in home.panels(member)}
    assert panels_seen == {"readiness": True, "tasks": True, "indicators": True, "verdicts": True, "waves": True,
                           "reviews": True, "reviews-overdue": True}


def test_a_package_left_out_adds_no_block(app, make_user, programme_data):
    owner = make_user("member")
    programme_data(1, owner)
    with app.test_request_context():
        from flask_login import login_user

        login_user(db.session.get(type(owner), owner.id))
        app.extensions[signals.HOOKS_KEY] = [h for h in app.extensions[signals.HOOKS_KEY] if h != "surveys.hooks"]
        assert "waves" not in {panel.key for panel in home.panels(owner)}


@pytest.mark.parametrize("role", ["member", "coordinator", "reviewer"])
def test_the_statement_count_does_not_grow_with_the_data(app, make_user, programme_data, role):
    """The same page on small and on larger data runs the same number of SQL statements."""
    from tests.conftest import sign_in

    owner = make_user("member", name="Owner")
    viewer = owner if role == "member" else make_user(role)
    client = sign_in(app.test_client(), viewer)
    programme_data(2, owner)
    client.get("/")  # the first request warms what is kept per process (translations, templates)
    _html, small = statements(app, client, "/")
    programme_data(9, owner)
    html, large = statements(app, client, "/")
    assert "Wave 9-8" in html and "11 waves open in all" in html
    assert small == large


def test_viewing_the_home_page_writes_nothing(app, make_user, client_as, programme_data):
    """The blocks read; none stores anything (the checklist's set, a survey's batch) on a visit."""
    from core.audit import AuditEntry

    programme_data(1, make_user("member"))
    reader = client_as("coordinator")
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count()).select_from(AuditEntry))
    assert reader.get("/").status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) == before


@pytest.mark.parametrize("app_overrides", [{"SURVEY_EXPORT_BATCH": 5}])
def test_an_anonymous_waves_responses_count_once_released(app, client_as, make_survey, make_wave, add_answers):
    """Counts only, and the same as its results page: responses waiting for their batch are not counted yet (a
    count that moved with each answer would tell who had just answered)."""
    wave = make_wave(make_survey(title="Clima laboral", anonymous=True), name="Clima 2026",
                     invitees=[{"name": f"Person {n}", "email": f"p{n}@example.org"} for n in range(3)])
    add_answers(wave, [dict(CLIENT_ANSWER, comment="Nobody should read this")] * 2)
    html = client_as("coordinator").get("/").get_data(as_text=True)
    waves = section(html, "waves")
    assert "Clima 2026" in waves and "0 responses · 3 invited" in waves
    assert "Nobody should read this" not in html and "p0@example.org" not in html
