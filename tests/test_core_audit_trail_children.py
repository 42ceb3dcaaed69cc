"""The audit trail's child records: association rows read as names, not ids; prioritisation scores by their
criterion and score; and a record's history lists the entries of the records that belong to it, in a number of
statements that does not grow with them."""

from datetime import date

from sqlalchemy import select

from core.extensions import db
from improvements.models import GroupMember, Improvement, PriorityCriterion, PriorityScore, Task
from processes.models import Participant
from tests.test_core_audit_trail import count_statements, results


def test_a_group_member_reads_as_the_person_in_the_group_in_the_readers_language(app, make_user, make_group,
                                                                                 client_as):
    lucia = make_user("member", name="Lucía Fernández")
    group_id = make_group(name="Grupo de reclamaciones", members={lucia.id: "Secretary"})
    with app.app_context():  # an update: its entry holds only the role, the name still reads from the record
        member = db.session.scalar(select(GroupMember).where(GroupMember.group_id == group_id))
        member.role = "Chair"
        db.session.commit()
    english = results(client_as("coordinator", language="en"), "/audit?entity_type=improvement_group_members")
    assert english.count("Lucía Fernández in Grupo de reclamaciones") == 2  # the insert and the update
    assert f"{lucia.id}/" not in english and "(Secretary)" not in english
    spanish = results(client_as("coordinator", language="es"), "/audit?entity_type=improvement_group_members")
    assert "Lucía Fernández en Grupo de reclamaciones" in spanish


def test_a_deleted_member_still_reads_as_a_name(app, make_user, make_group, client_as):
    lucia = make_user("member", name="Lucía Fernández")
    group_id = make_group(name="Claims group", members={lucia.id: "Secretary"})
    with app.app_context():
        db.session.delete(db.session.scalar(select(GroupMember).where(GroupMember.group_id == group_id)))
        db.session.commit()
    page = results(client_as("coordinator", language="en"), "/audit?entity_type=improvement_group_members")
    assert page.count("Lucía Fernández in Claims group") == 2  # created, deleted


def test_a_prioritisation_score_reads_as_its_criterion_and_score(app, make_group, make_improvement, client_as):
    improvement_id = make_improvement(make_group())
    with app.app_context():
        criterion = PriorityCriterion(name="Impact on loyalty", weight=2)
        db.session.add(criterion)
        db.session.flush()
        db.session.add(PriorityScore(improvement_id=improvement_id, criterion_id=criterion.id, score=3))
        db.session.commit()
        criterion_id = criterion.id
    page = results(client_as("coordinator", language="en"), "/audit?entity_type=improvement_priority_scores")
    assert "Impact on loyalty: 3" in page
    assert f"{improvement_id}/{criterion_id}" not in page
    assert "<dt>Criterion</dt>" in page and "<dd>Impact on loyalty</dd>" in page


def test_a_process_participant_reads_as_the_person_in_the_process(app, make_user, make_process, client_as):
    olga = make_user("member", name="Olga Owner")
    process_id = make_process(name="Complaints")
    with app.app_context():
        db.session.add(Participant(process_id=process_id, user_id=olga.id, role="Analyst"))
        db.session.commit()
    page = results(client_as("coordinator", language="en"), "/audit?entity_type=process_participants")
    assert "Olga Owner in P01 · Complaints" in page


def _add_tasks(app, improvement_id: int, number: int, title="Task") -> list[int]:
    with app.app_context():
        tasks = [Task(improvement_id=improvement_id, title=f"{title} {n}", due_on=date(2030, 1, 1))
                 for n in range(number)]
        db.session.add_all(tasks)
        db.session.commit()
        return [task.id for task in tasks]


def test_a_records_history_lists_its_childrens_entries_and_only_its_own(app, make_group, make_improvement,
                                                                         client_as):
    group_id = make_group()
    mine, other = make_improvement(group_id), make_improvement(group_id)
    kept, removed = _add_tasks(app, mine, 2)
    _add_tasks(app, other, 1, title="Their task")
    with app.app_context():
        db.session.get(Task, kept).title = "Task renamed"
        db.session.delete(db.session.get(Task, removed))
        db.session.get(Improvement, other).title = "The other one"
        db.session.commit()
    coordinator = client_as("coordinator", language="en")
    page = coordinator.get(f"/audit?entity_type=improvements&entity_id={mine}").get_data(as_text=True)
    header = page.partition('data-testid="audit-record"')[2][:300]
    assert "History of improvement" in header and "Improvement 1" in header
    assert 'data-testid="audit-children"' in page and "task" in page.partition('data-testid="audit-children"')[2][:400]
    table = page.partition('data-testid="audit-results"')[2].partition("</section>")[0]
    assert "Task renamed" in table  # a child's update
    assert "Task 1" in table  # a child deleted since: its creation and deletion
    assert table.count("Task 1") >= 2
    assert "The other one" not in table and "Their task" not in table  # nothing of the other improvement
    other_page = results(coordinator, f"/audit?entity_type=improvements&entity_id={other}")
    assert "Task renamed" not in other_page and "Their task 0" in other_page


def test_a_history_page_takes_the_same_number_of_statements_however_many_children(app, make_group,
                                                                                   make_improvement, client_as):
    improvement_id = make_improvement(make_group())
    reader = client_as("reviewer", language="en")
    url = f"/audit?entity_type=improvements&entity_id={improvement_id}"
    _add_tasks(app, improvement_id, 2)
    reader.get(url)  # the first request of an app also checks the schema
    few = count_statements(app, reader, url)
    _add_tasks(app, improvement_id, 12)
    with app.app_context():
        criterion = PriorityCriterion(name="Effort", weight=1)
        db.session.add(criterion)
        db.session.flush()
        db.session.add(PriorityScore(improvement_id=improvement_id, criterion_id=criterion.id, score=2))
        db.session.commit()
    many = count_statements(app, reader, url)
    assert many == few + 1  # one table more on the page (the scores' criteria), not one query per row
    assert "Effort: 2" in results(reader, url)
