"""An improvement through its pages: logged, planned, checked (failing, then passing), approved, done, measured."""

from datetime import date, timedelta

from sqlalchemy import func, select

from core.audit import AuditEntry
from core.extensions import db
from improvements.models import Group, Improvement, ProcessChange, Status, Task, TaskStatus
from processes.models import Revision

SMART_OK = {**{k: "y" for k in ("specific", "measurable", "achievable", "relevant", "time_bound")},
            **{f"{k}_why": "Justified." for k in ("specific", "measurable", "achievable", "relevant", "time_bound")}}


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_coordinator_creates_a_group_with_members_and_processes(app, client_as, make_user, make_process):
    client = client_as("coordinator")
    member = make_user("member", name="Jon Arregi")
    process = make_process(code="FID-C03")
    response = client.post("/improvements/groups/new", data={"name": "Complaints group", "purpose": "Fewer",
                                                             "facilitator_id": member.id, "process_ids": [process]})
    assert response.status_code == 302
    with app.app_context():
        group = db.session.scalar(select(Group))
        group_id = group.id
        assert [p.code for p in group.processes] == ["FID-C03"]
    client.post(f"/improvements/groups/{group_id}/members", data={"user_id": member.id, "role": "Secretary"})
    html = page(client, f"/improvements/groups/{group_id}")
    assert "Jon Arregi" in html and "Secretary" in html and "FID-C03" in html
    duplicate = client.post(f"/improvements/groups/{group_id}/members", data={"user_id": member.id, "role": "x"})
    assert "already a member" in duplicate.get_data(as_text=True)
    meeting = client.post(f"/improvements/groups/{group_id}/meetings",
                          data={"held_on": "2025-03-01", "attendee_ids": [member.id], "minutes": "We met",
                                "decisions": "Write answers"})
    assert meeting.status_code == 302
    assert "Write answers" in page(client, f"/improvements/groups/{group_id}")


def test_only_coordinators_create_groups_and_only_members_change_a_group(app, client_as, make_user, make_group):
    insider = make_user("member")
    group = make_group(members={insider.id: "Member"})
    assert client_as("member").post("/improvements/groups/new", data={"name": "X"}).status_code == 403
    outsider = client_as("member")
    assert outsider.get(f"/improvements/groups/{group}").status_code == 200
    assert outsider.get(f"/improvements/groups/{group}/opportunities/new").status_code == 403
    from tests.conftest import sign_in

    member_client = sign_in(app.test_client(), insider)
    assert member_client.get(f"/improvements/groups/{group}/opportunities/new").status_code == 200
    assert client_as("reviewer").get(f"/improvements/groups/{group}").status_code == 200


def test_the_whole_life_of_an_improvement(app, client_as, make_user, make_group, make_process):
    owner = make_user("member", name="Lucía Fernández")
    group = make_group(members={owner.id: "Member"})
    client = client_as("coordinator")
    process = make_process(code="FID-C03")

    # Logged from a staff idea, then planned without a deadline: the check fails and says why.
    response = client.post(f"/improvements/groups/{group}/opportunities/new", data={
        "title": "Written answers", "statement": "Members want answers in writing.", "source_kind": "staff_idea",
        "raised_on": "2025-01-10"})
    assert response.status_code == 302
    with app.app_context():
        improvement_id = db.session.scalar(select(Improvement.id))
    url = f"/improvements/{improvement_id}"
    plan = {"objective": "Every answer in writing", "measure_name": "Answered in writing", "measure_unit": "%",
            "higher_is_better": "y", "baseline_value": "40", "target_value": "90", "owner_id": owner.id,
            "version": 1}
    assert client.post(f"{url}/plan", data=plan).status_code == 302
    assert client.post(f"{url}/smart", data=SMART_OK).status_code == 302
    html = page(client, url)
    assert "Time-bound: The plan has no deadline." in html
    assert "It does not meet SMART, so it cannot be approved" in html
    refused = client.post(f"{url}/status", data={"status": "approved"}, follow_redirects=True)
    assert "It does not meet SMART, so it cannot be approved." in refused.get_data(as_text=True)

    # A deadline in the past is refused; a future one passes, and the proposal is approved.
    past = {**plan, "deadline": "2020-01-01", "version": 2}
    assert "has already passed" in client.post(f"{url}/plan", data=past).get_data(as_text=True)
    deadline = (date.today() + timedelta(days=90)).isoformat()
    assert client.post(f"{url}/plan", data={**plan, "deadline": deadline, "version": 2}).status_code == 302
    client.post(f"{url}/smart", data=SMART_OK)
    with app.app_context():
        assert db.session.get(Improvement, improvement_id).status == Status.PROPOSED
    client.post(f"{url}/status", data={"status": "approved"})

    # Tasks: one is added, a due date in the past is refused; implementing waits for open tasks.
    due = (date.today() + timedelta(days=3)).isoformat()
    client.post(f"{url}/tasks", data={"task-title": "Letter template", "task-owner_id": owner.id, "task-due_on": due})
    late = client.post(f"{url}/tasks", data={"task-title": "Old", "task-due_on": "2020-01-01"})
    assert "has already passed" in late.get_data(as_text=True)
    blocked = client.post(f"{url}/status", data={"status": "implemented"}, follow_redirects=True)
    assert "Tasks still open: Letter template." in blocked.get_data(as_text=True)
    with app.app_context():
        task_id = db.session.scalar(select(Task.id))
    client.post(f"/improvements/tasks/{task_id}/status", data={"status": "done"})
    with app.app_context():
        assert db.session.get(Improvement, improvement_id).status == Status.IN_PROGRESS
    assert client.post(f"{url}/status", data={"status": "implemented"}).status_code == 302

    # Result, evidence, process change with its revision, people, training: C1 qualification and the trace.
    assert "There is no result measured after the change." in page(client, url)
    client.post(f"{url}/after", data={"after_value": "92", "after_period": date.today().isoformat()})
    client.post(f"{url}/evidence", data={"evidence-kind": "survey", "evidence-title": "Satisfaction with answers",
                                         "evidence-before_value": "3,4", "evidence-after_value": "4,1",
                                         "evidence-higher_is_better": "y", "evidence-favourable": "y"})
    with app.app_context():
        revision = Revision(process_id=process, number=1, reason="Answers in writing", snapshot={})
        db.session.add(revision)
        db.session.commit()
        revision_id = revision.id
    assert client.get(f"{url}/process-changes/new?process_id={process}").status_code == 200
    client.post(f"{url}/process-changes/new", data={"process_id": process, "revision_id": revision_id,
                                                    "description": "Answers are written"})
    client.post(f"{url}/affected", data={"affected-user_id": owner.id, "affected-how": "Writes the answers"})
    session = {"training-is_training": "y", "training-topic": "Writing answers", "training-attendee_ids": [owner.id]}
    early = client.post(f"{url}/trainings", data={**session, "training-held_on": "2025-05-01"})
    assert "People cannot be informed or trained on the change before it was approved" in early.get_data(as_text=True)
    client.post(f"{url}/trainings", data={**session, "training-held_on": date.today().isoformat()})
    html = page(client, url)
    assert "It counts towards C1." in html
    assert 'data-present="no"' not in html.replace('data-link="client_voice" data-present="no"', "")
    assert 'data-link="client_voice" data-present="no"' in html  # a staff idea is not the client's voice
    assert "+130.0 %" in html and "Writing answers" in html
    with app.app_context():
        assert db.session.get(Revision, revision_id).improvement_id == improvement_id
    assert "1/3" in page(client, "/improvements/")
    assert client.post(f"{url}/status", data={"status": "verified"}).status_code == 302


def test_removing_a_member_with_tasks_asks_what_to_do_with_them(app, client_as, make_user, make_group,
                                                                make_improvement):
    leaving, staying = make_user("member", name="Leaving"), make_user("member", name="Staying")
    group = make_group(members={leaving.id: "Member", staying.id: "Member"})
    improvement = make_improvement(group, status=Status.APPROVED,
                                   tasks=[("Draft letter", leaving.id, date.today(), TaskStatus.TODO)])
    client = client_as("coordinator")
    with app.app_context():
        member_id = next(m.id for m in db.session.get(Group, group).members if m.user_id == leaving.id)
    url = f"/improvements/groups/{group}/members/{member_id}/remove"
    asked = client.get(url).get_data(as_text=True)
    assert "owns 1 open task" in asked and "Draft letter" in asked
    unanswered = client.post(url, data={})
    assert unanswered.status_code == 200 and "Say what to do with their open tasks." in unanswered.get_data(True)
    no_one = client.post(url, data={"decision": "reassign"})
    assert "Choose the member who takes the tasks over." in no_one.get_data(as_text=True)
    assert client.post(url, data={"decision": "reassign", "reassign_to": staying.id}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Task.owner_id)) == staying.id
        assert [m.user_id for m in db.session.get(Group, group).members] == [staying.id]
        # The removal is in the trail, with who was removed from which group and by whom.
        (removed,) = db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity_type == "improvement_group_members", AuditEntry.action == "delete")).all()
        assert removed.entity_id == str(member_id) and removed.entity_label == "Leaving (Member)"
        assert removed.changes == {"group_id": [group, None], "user_id": [leaving.id, None], "role": ["Member", None]}
        assert removed.actor.role.value == "coordinator"
        moved = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "improvement_tasks",
                                                            AuditEntry.action == "update")).all()
        assert [e.changes["owner_id"] for e in moved] == [[leaving.id, staying.id]]
    assert improvement


def test_an_opportunity_from_an_indicator_must_name_it_and_links_to_it(app, client_as, make_user, make_group,
                                                                       make_process, make_indicator):
    user = make_user("coordinator")
    group = make_group()
    indicator = make_indicator(make_process(), code="IND-SAT", values={date(2025, 1, 1): 3.2})
    from tests.conftest import sign_in

    client = sign_in(app.test_client(), user)
    form = {"title": "Satisfaction", "statement": "Below target", "source_kind": "indicator"}
    missing = client.post(f"/improvements/groups/{group}/opportunities/new", data=form)
    assert "Choose the record this opportunity came from." in missing.get_data(as_text=True)
    wrong = client.post(f"/improvements/groups/{group}/opportunities/new",
                        data={**form, "source_kind": "staff_idea", "source_record": f"indicator:{indicator}"})
    assert "This record is not of the source chosen above." in wrong.get_data(as_text=True)
    ok = client.post(f"/improvements/groups/{group}/opportunities/new",
                     data={**form, "source_record": f"indicator:{indicator}"})
    html = client.get(ok.headers["Location"]).get_data(as_text=True)
    assert f'/processes/indicators/{indicator}"' in html and "IND-SAT" in html
    complaint = client.post(f"/improvements/groups/{group}/opportunities/new",
                            data={**form, "source_kind": "complaint_category"})
    # loyalty/ registers complaint categories as records, so one must be chosen rather than described.
    assert "Choose the record this opportunity came from." in complaint.get_data(as_text=True)


def test_prioritisation_ranks_scored_proposals_and_draws_the_chart(app, client_as, make_group, make_improvement,
                                                                    make_criteria):
    impact, effort = make_criteria()
    group = make_group()
    first = make_improvement(group, title="Quick win")
    second = make_improvement(group, title="Big project")
    client = client_as("coordinator")
    client.post(f"/improvements/{first}/scores", data={f"s{first}-c{impact}": "5", f"s{first}-c{effort}": "1"})
    client.post(f"/improvements/{second}/scores", data={f"s{second}-c{impact}": "4", f"s{second}-c{effort}": "5"})
    html = page(client, f"/improvements/groups/{group}/priorities")
    assert html.index("Quick win") < html.index("Big project")
    assert "impact-effort" in html and "100" in html


def test_the_board_highlights_overdue_work_and_the_home_page_lists_my_due_tasks(app, client_as, make_user,
                                                                               make_group, make_improvement):
    me = make_user("member", name="Me")
    group = make_group(members={me.id: "Member"})
    yesterday, soon, later = (date.today() + timedelta(days=d) for d in (-1, 3, 30))
    make_improvement(group, status=Status.IN_PROGRESS, title="Late one",
                     tasks=[("Overdue task", me.id, yesterday, TaskStatus.TODO),
                            ("Soon task", me.id, soon, TaskStatus.DOING),
                            ("Later task", me.id, later, TaskStatus.TODO)])
    from tests.conftest import sign_in

    client = sign_in(app.test_client(), me)
    board = page(client, "/improvements/board")
    assert "board-overdue" in board and "1 task overdue" in board
    home = page(client, "/")
    assert "Overdue task" in home and "Soon task" in home and "Later task" not in home


def test_reviewers_read_but_do_not_change(client_as, make_group, make_improvement):
    group = make_group()
    improvement = make_improvement(group)
    reviewer = client_as("reviewer")
    assert reviewer.get(f"/improvements/{improvement}").status_code == 200
    assert reviewer.post(f"/improvements/{improvement}/status", data={"status": "cancelled"}).status_code == 403


def test_a_member_links_only_revisions_of_processes_they_may_edit(app, make_user, make_group, make_improvement,
                                                                  make_process):
    """A member of one group could claim another owner's revision for their improvement, and the group whose
    improvement caused it could then no longer link it (issue 11)."""
    from tests.conftest import sign_in

    outsider, owner = make_user("member"), make_user("member")
    theirs = make_improvement(make_group(members={outsider.id: "Member"}))
    rightful = make_improvement(make_group(members={owner.id: "Member"}))
    process, own_process = make_process(code="FID-C03", owner_id=owner.id), make_process(code="FID-C09",
                                                                                        owner_id=outsider.id)
    with app.app_context():
        revision, own_revision = (Revision(process_id=p, number=1, reason="Answers in writing", snapshot={})
                                  for p in (process, own_process))
        db.session.add_all([revision, own_revision])
        db.session.commit()
        revision_id, own_revision_id = revision.id, own_revision.id

    def link(user, improvement, process_id, revision_id):
        return sign_in(app.test_client(), user).post(f"/improvements/{improvement}/process-changes/new", data={
            "process_id": process_id, "revision_id": revision_id, "description": "Answers are written"})

    refused = link(outsider, theirs, process, revision_id)
    assert refused.status_code == 200 and "Only the owner of FID-C03 or a coordinator" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Revision, revision_id).improvement_id is None
        assert db.session.scalar(select(func.count(ProcessChange.id))) == 0
    assert link(outsider, theirs, process, 0).status_code == 302  # the change itself, without the revision
    assert link(outsider, theirs, own_process, own_revision_id).status_code == 302  # their own process's revision
    assert link(owner, rightful, process, revision_id).status_code == 302
    with app.app_context():
        assert db.session.get(Revision, revision_id).improvement_id == rightful
        assert db.session.get(Revision, own_revision_id).improvement_id == theirs
