"""The board and an improvement page read a fixed number of statements, however many items they show."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from core.extensions import db
from improvements.models import (
    AffectedPerson,
    ChangedStage,
    Evidence,
    Improvement,
    ProcessChange,
    Status,
    Task,
    TaskStatus,
    Training,
    TrainingAttendee,
)
from processes.models import KnowledgeHolder, ProcessStage, Revision


def count_statements(app, client, url) -> int:
    with app.app_context():
        engine = db.engine
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


@pytest.fixture
def grower(app, make_user, make_group, make_improvement, make_process, make_indicator):
    """Adds n improvements, each with tasks, evidence, a process change with stages, people and training."""
    group = make_group()
    process = make_process()
    indicator = make_indicator(process, values={date(2025, m, 1): float(m) for m in range(1, 7)})

    def grow(n, into=None):
        ids = []
        for _ in range(n):
            person = make_user("member")
            improvement_id = into or make_improvement(group, status=Status.IN_PROGRESS, indicator_id=indicator,
                                                      baseline_period=date(2025, 1, 1), smart=True)
            with app.app_context():
                improvement = db.session.get(Improvement, improvement_id)
                improvement.tasks.append(Task(title="t", owner_id=person.id, status=TaskStatus.TODO,
                                              due_on=date.today() - timedelta(days=1)))
                improvement.evidence.append(Evidence(kind="survey", title="e", before_value=1, after_value=2,
                                                     favourable=True))
                stage = ProcessStage(process_id=process, position=1, name="s", responsible_role="r")
                stage.knowledge_holders.append(KnowledgeHolder(user_id=person.id))
                revision = Revision(process_id=process, number=db.session.query(Revision).count() + 1,
                                    reason="r", snapshot={})
                change = ProcessChange(process_id=process, description="d", revision=revision)
                improvement.process_changes.append(change)
                improvement.affected.append(AffectedPerson(user_id=person.id, how="h"))
                training = Training(held_on=date(2025, 5, 1), topic="t")
                improvement.trainings.append(training)
                db.session.add(stage)
                db.session.flush()
                db.session.add_all([ChangedStage(change_id=change.id, stage_id=stage.id),
                                    TrainingAttendee(training_id=training.id, user_id=person.id)])
                db.session.commit()
            ids.append(improvement_id)
        return ids

    return grow


def test_the_board_does_not_query_per_improvement(app, client_as, grower):
    client = client_as("coordinator")
    grower(2)
    client.get("/improvements/board")
    few = count_statements(app, client, "/improvements/board")
    grower(10)
    assert count_statements(app, client, "/improvements/board") == few


@pytest.mark.parametrize("url", ["/improvements/", "/improvements/c1"])
def test_the_overview_and_c1_do_not_query_per_improvement(app, client_as, grower, url):
    client = client_as("coordinator")
    grower(2)
    client.get(url)
    few = count_statements(app, client, url)
    grower(10)
    assert count_statements(app, client, url) == few


def test_an_improvement_page_does_not_query_per_item(app, client_as, grower):
    client = client_as("coordinator")
    [improvement] = grower(1)
    url = f"/improvements/{improvement}"
    client.get(url)
    few = count_statements(app, client, url)
    grower(8, into=improvement)
    assert count_statements(app, client, url) == few
