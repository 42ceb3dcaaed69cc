"""The findings' pages: a reviewer records a finding, a coordinator answers it with a corrective action worked on
the improvement pages, the reviewer closes it or sends it back; the lists, their filters and exports; overdue
actions on the home page, in the digest and in the reminders."""

import csv
import io
from datetime import date, timedelta

from sqlalchemy import select

from certification.models import Finding, FindingState
from core import digest
from core.extensions import db
from improvements.models import Improvement, Status, Task, TaskStatus
from improvements.reminders import reminders
from tests.conftest import sign_in

TODAY = date.today()


def _client(app, person):
    return sign_in(app.test_client(), person)


def _page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))


def _recorded(app, setting, kind="minor", text="Complaints answered after 7 days.") -> int:
    response = _client(app, setting.reviewer).post(
        f"/certification/cycles/{setting.cycle_id}/findings/new",
        data={"kind": kind, "criterion_id": setting.criterion_id, "text": text, "evidence": "March register."})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        return db.session.scalar(select(Finding.id).order_by(Finding.id.desc()).limit(1))


ANSWER = {"root_cause": "The procedure sets no deadline.", "action": "Add a 7-day deadline to the procedure.",
          "deadline": (TODAY + timedelta(days=30)).isoformat(), "task_title": "Rewrite the procedure",
          "task_due_on": (TODAY + timedelta(days=10)).isoformat()}


def _answered(app, setting, finding_id) -> int:
    response = _client(app, setting.coordinator).post(
        f"/certification/findings/{finding_id}/answer",
        data=ANSWER | {"group_id": setting.group_id, "owner_id": setting.member.id,
                       "task_owner_id": setting.member.id})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        return db.session.get(Finding, finding_id).improvement_id


def test_a_reviewer_records_a_finding_with_its_form(app, setting):
    reviewer = _client(app, setting.reviewer)
    form = _page(reviewer, f"/certification/cycles/{setting.cycle_id}/findings/new")
    assert "Record a finding" in form and "Minor nonconformity" in form
    refused = reviewer.post(f"/certification/cycles/{setting.cycle_id}/findings/new",
                            data={"kind": "minor", "criterion_id": setting.criterion_id, "text": ""})
    assert refused.status_code == 200 and "is-invalid" in refused.get_data(as_text=True)
    wrong_set = reviewer.post(f"/certification/cycles/{setting.cycle_id}/findings/new",
                              data={"kind": "minor", "criterion_id": setting.other_criterion_id, "text": "x"})
    assert wrong_set.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Finding.id))) == 0
    finding_id = _recorded(app, setting)
    page = _page(reviewer, f"/certification/findings/{finding_id}")
    assert "Finding NC-1" in page and "Complaints answered after 7 days." in page and "March register." in page
    assert 'data-testid="answer-finding"' not in page  # the reviewer never answers


def test_only_reviewers_open_the_finding_form(app, setting, client_as):
    url = f"/certification/cycles/{setting.cycle_id}/findings/new"
    for person in (setting.coordinator, setting.member):
        assert _client(app, person).get(url).status_code == 403
        assert _client(app, person).post(url, data={"kind": "minor", "criterion_id": setting.criterion_id,
                                                    "text": "x"}).status_code == 403
    assert client_as("admin").get(url).status_code == 403


def test_a_coordinator_answers_a_nonconformity_with_a_corrective_action(app, setting):
    finding_id = _recorded(app, setting)
    coordinator = _client(app, setting.coordinator)
    form = _page(coordinator, f"/certification/findings/{finding_id}/answer")
    assert "Corrective action" in form and "Improvement group that works it" in form
    refused = coordinator.post(f"/certification/findings/{finding_id}/answer",
                               data=ANSWER | {"action": "", "group_id": setting.group_id,
                                              "owner_id": setting.member.id})
    assert refused.status_code == 200 and "Describe the corrective action" in refused.get_data(as_text=True)
    outsider = coordinator.post(f"/certification/findings/{finding_id}/answer",
                                data=ANSWER | {"group_id": setting.group_id, "owner_id": setting.outsider.id})
    assert outsider.status_code == 200 and "is not in the group" in outsider.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Improvement.id))) == 0
    action_id = _answered(app, setting, finding_id)
    page = _page(coordinator, f"/certification/findings/{finding_id}")
    assert 'data-testid="finding-action"' in page and "Rewrite the procedure" in page
    assert f"/improvements/{action_id}" in page and "Answered" in page
    # The action's page: the badge, and the link back to its finding.
    action_page = _page(coordinator, f"/improvements/{action_id}")
    assert 'data-testid="corrective-badge"' in action_page
    assert f'href="/certification/findings/{finding_id}" data-testid="corrective-finding"' in action_page
    assert 'data-testid="c1-standing"' not in action_page and 'data-testid="move-verified"' not in action_page


def test_reviewers_never_answer_and_coordinators_never_close(app, setting):
    finding_id = _recorded(app, setting)
    reviewer = _client(app, setting.reviewer)
    assert reviewer.get(f"/certification/findings/{finding_id}/answer").status_code == 403
    assert reviewer.post(f"/certification/findings/{finding_id}/answer", data=ANSWER).status_code == 403
    _answered(app, setting, finding_id)
    for person in (setting.coordinator, setting.member):
        client = _client(app, person)
        assert client.post(f"/certification/findings/{finding_id}/close",
                           data={"close-comment": "Fine."}).status_code == 403
        assert client.post(f"/certification/findings/{finding_id}/send-back",
                           data={"back-reason": "No."}).status_code == 403
    with app.app_context():
        assert db.session.get(Finding, finding_id).state == FindingState.ANSWERED


def test_the_member_works_the_task_and_the_reviewer_closes_once_implemented(app, setting):
    finding_id = _recorded(app, setting)
    action_id = _answered(app, setting, finding_id)
    reviewer = _client(app, setting.reviewer)
    early = reviewer.post(f"/certification/findings/{finding_id}/close", data={"close-comment": "Checked."})
    assert early.status_code == 400 and "not implemented yet" in early.get_data(as_text=True)
    member = _client(app, setting.member)
    with app.app_context():
        task_id = db.session.scalar(select(Task.id).where(Task.improvement_id == action_id))
    assert member.post(f"/improvements/tasks/{task_id}/status", data={"status": "done"}).status_code == 302
    assert member.post(f"/improvements/{action_id}/status/implemented",
                       data={"confirm": "yes", "happened_on": TODAY.isoformat()}).status_code == 302
    missing = reviewer.post(f"/certification/findings/{finding_id}/close", data={"close-comment": ""})
    assert missing.status_code == 400
    closed = reviewer.post(f"/certification/findings/{finding_id}/close",
                           data={"close-comment": "Procedure rewritten; April register on time."})
    assert closed.status_code == 302
    with app.app_context():
        finding = db.session.get(Finding, finding_id)
        assert finding.state == FindingState.CLOSED and finding.improvement.status == Status.VERIFIED
        assert db.session.get(Task, task_id).status == TaskStatus.DONE
    page = _page(reviewer, f"/certification/findings/{finding_id}")
    assert "Procedure rewritten; April register on time." in page and 'data-testid="finding-verify"' not in page


def test_the_reviewer_sends_an_answer_back_with_a_reason(app, setting):
    finding_id = _recorded(app, setting, kind="observation")
    coordinator = _client(app, setting.coordinator)
    refused = coordinator.post(f"/certification/findings/{finding_id}/answer", data={"response": ""})
    assert refused.status_code == 200 and "Write the response" in refused.get_data(as_text=True)
    assert coordinator.post(f"/certification/findings/{finding_id}/answer",
                            data={"response": "We will watch it."}).status_code == 302
    reviewer = _client(app, setting.reviewer)
    assert reviewer.post(f"/certification/findings/{finding_id}/send-back", data={"back-reason": ""}).status_code \
        == 400
    assert reviewer.post(f"/certification/findings/{finding_id}/send-back",
                         data={"back-reason": "Say how you will watch it."}).status_code == 302
    page = _page(reviewer, f"/certification/findings/{finding_id}")
    assert "Say how you will watch it." in page  # in the history, with its reason
    with app.app_context():
        assert db.session.get(Finding, finding_id).state == FindingState.OPEN


def test_the_lists_filter_search_and_export(app, setting, make_cycle):
    late = _recorded(app, setting, text="Complaints answered late.")
    _recorded(app, setting, kind="observation", text="The register is kept on paper.")
    _answered(app, setting, late)
    reader = _client(app, setting.member)
    every = _page(reader, "/certification/findings")
    assert every.count('data-testid="finding-row"') == 2
    assert _page(reader, "/certification/findings?kind=nonconformity").count('data-testid="finding-row"') == 1
    assert _page(reader, "/certification/findings?state=open").count('data-testid="finding-row"') == 1
    searched = _page(reader, "/certification/findings?q=PAPER")
    assert searched.count('data-testid="finding-row"') == 1 and "OBS-2" in searched
    assert _page(reader, f"/certification/cycles/{setting.cycle_id}/findings?state=closed").count(
        'data-testid="finding-row"') == 0
    rows = _csv(reader.get(f"/certification/cycles/{setting.cycle_id}/findings/export.csv?kind=nonconformity"))
    assert rows[0][:5] == ["Cycle", "Reference", "Kind", "Criterion", "State"]
    assert [row[1] for row in rows[1:]] == ["NC-1"] and rows[1][11].startswith("Corrective action NC-1")
    assert len(_csv(reader.get("/certification/findings/export.csv"))) == 3
    assert reader.get("/certification/findings/export.xlsx").status_code == 200
    # Only the cycle's reviewers see the button to record one.
    assert 'data-testid="record-finding"' not in _page(reader, f"/certification/cycles/{setting.cycle_id}/findings")
    assert 'data-testid="record-finding"' in _page(_client(app, setting.reviewer),
                                                   f"/certification/cycles/{setting.cycle_id}/findings")


def test_the_board_shows_and_filters_corrective_actions(app, setting, make_improvement):
    finding_id = _recorded(app, setting)
    _answered(app, setting, finding_id)
    make_improvement(setting.group_id, title="Written answers", status=Status.APPROVED, smart=True)
    reader = _client(app, setting.member)
    board = _page(reader, "/improvements/board")
    assert board.count('data-testid="board-card"') == 2 and board.count('data-testid="corrective-badge"') == 1
    assert f'href="/certification/findings/{finding_id}"' in board
    only = _page(reader, "/improvements/board?kind=corrective")
    assert only.count('data-testid="board-card"') == 1 and "Written answers" not in only
    improvements = _page(reader, "/improvements/board?kind=improvement")
    assert improvements.count('data-testid="board-card"') == 1 and "Written answers" in improvements
    rows = _csv(reader.get("/improvements/board/export.csv?kind=corrective"))
    assert rows[0][-1] == "Kind" and [row[-1] for row in rows[1:]] == ["Corrective action"]


def _overdue(app, setting) -> int:
    finding_id = _recorded(app, setting)
    action_id = _answered(app, setting, finding_id)
    with app.app_context():
        action = db.session.get(Improvement, action_id)
        action.deadline = TODAY - timedelta(days=5)
        for task in action.tasks:
            task.due_on = TODAY + timedelta(days=30)  # no task late: only the action's own deadline is
        db.session.commit()
    return action_id


def test_an_overdue_corrective_action_is_on_the_home_page(app, setting):
    action_id = _overdue(app, setting)
    home = _page(_client(app, setting.coordinator), "/")
    assert 'data-testid="panel-corrective_actions"' in home and f"/improvements/{action_id}" in home
    with app.app_context():
        action = db.session.get(Improvement, action_id)
        action.status, action.implemented_on = Status.IMPLEMENTED, TODAY
        db.session.commit()
    assert 'data-testid="panel-corrective_actions"' not in _page(_client(app, setting.coordinator), "/")


def test_an_overdue_corrective_action_is_in_the_reminders_and_the_digest(app, setting):
    action_id = _overdue(app, setting)
    with app.test_request_context("/"):
        (reminder,) = reminders(TODAY, 0)
        assert reminder.owner_id == setting.member.id
        assert "Corrective action NC-1" in reminder.body and "OVERDUE since" in reminder.body
        assert reminder.subject == "Fideliza: 1 corrective action is past its deadline"
        (section,) = [s for s in digest.sections({}) if s.key == "overdue_corrective_actions"]
        assert section.lines[0].startswith("- NC-1 (Certification 2026): Corrective action NC-1")
        assert "Miguel Torres" in section.lines[0]
        db.session.get(Improvement, action_id).deadline = TODAY + timedelta(days=1)
        db.session.commit()
        assert reminders(TODAY, 0) == []
        assert [s for s in digest.sections({}) if s.key == "overdue_corrective_actions"] == []

