"""Findings and their corrective actions, through the services: the state machine, who records, answers and
closes, the corrective action worked as an improvement action, and what no criterion counts."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from certification import findings as services
from certification.models import Cycle, CycleState, Finding, FindingKind, FindingState
from core import transitions
from core.extensions import db
from core.models import User
from core.rules import RuleError, TransitionRefused
from improvements import work
from improvements.models import HISTORY_KIND, Improvement, ImprovementKind, Status, TaskStatus

TODAY = date.today()


def _user(person) -> User:
    return db.session.get(User, person.id)


def _record(setting, kind=FindingKind.MINOR, **data) -> Finding:
    cycle = db.session.get(Cycle, setting.cycle_id)
    values = {"kind": getattr(kind, "value", kind), "criterion_id": setting.criterion_id,
              "text": "Complaints answered late.", "evidence": "Register of March."} | data
    return services.record_finding(cycle, values, actor=_user(setting.reviewer), today=TODAY)


def _answer_nc(setting, finding, **data) -> Finding:
    values = {"root_cause": "No deadline in the procedure.", "action": "Add a 7-day deadline to the procedure.",
              "group_id": setting.group_id, "owner_id": setting.member.id, "deadline": TODAY + timedelta(days=30),
              "task_title": "Rewrite the procedure", "task_owner_id": setting.member.id,
              "task_due_on": TODAY + timedelta(days=20)} | data
    return services.answer_finding(finding, values, actor=_user(setting.coordinator), today=TODAY)


def _implement(setting, action: Improvement) -> None:
    for task in action.tasks:
        work.set_task_status(task, TaskStatus.DONE, today=TODAY, actor=_user(setting.member))
    work.change_status(action, Status.IMPLEMENTED, actor=_user(setting.member), today=TODAY, confirmed=True)


# The state machine.

def test_a_finding_moves_open_answered_closed_and_back_only_with_a_reason():
    finding = Finding(state=FindingState.OPEN)
    with pytest.raises(TransitionRefused):
        finding.move_to(FindingState.CLOSED)
    finding.move_to(FindingState.ANSWERED)
    with pytest.raises(RuleError):
        finding.move_to(FindingState.OPEN, why="  ")
    finding.move_to(FindingState.OPEN, why="The cause is not the real one.")
    finding.move_to(FindingState.ANSWERED)
    finding.move_to(FindingState.CLOSED)
    for state in FindingState:
        with pytest.raises(TransitionRefused):
            finding.move_to(state)


# Recording.

def test_findings_are_numbered_per_cycle_and_kept_in_the_history(app, setting, make_cycle):
    follow_up = make_cycle(name="Follow-up")
    with app.app_context():
        first, second = _record(setting), _record(setting, FindingKind.OBSERVATION, record="")
        other_cycle = db.session.get(Cycle, follow_up)
        third = services.record_finding(other_cycle, {"kind": "major", "criterion_id": setting.criterion_id,
                                                      "text": "No plan."}, actor=_user(setting.reviewer),
                                        today=TODAY)
        db.session.commit()
        assert (first.number, second.number, third.number) == (1, 2, 1)
        assert (first.reference, second.reference, third.reference) == ("NC-1", "OBS-2", "NC-1")
        assert first.state == FindingState.OPEN and first.raised_by_id == setting.reviewer.id
        (change,) = transitions.history("certification_finding", first.id)
        assert change.to_value == "open" and change.actor_id == setting.reviewer.id


def test_a_finding_may_point_at_a_record(app, setting, make_process):
    process_id = make_process(code="FID-C07")
    with app.app_context():
        finding = _record(setting, record=f"process:{process_id}")
        assert (finding.record_type, finding.record_id) == ("process", process_id)
        with pytest.raises(services.FindingRuleError) as refused:
            _record(setting, record="process:987654")
        assert refused.value.field == "record"


@pytest.mark.parametrize(("change", "field"), [
    ({"criterion_id": None}, "criterion_id"), ({"kind": "bad"}, "kind"), ({"text": "  "}, "text"),
])
def test_a_finding_needs_a_kind_a_criterion_and_its_text(app, setting, change, field):
    with app.app_context(), pytest.raises(services.FindingRuleError) as refused:
        _record(setting, **change)
    assert refused.value.field == field


def test_a_finding_is_on_a_criterion_of_the_cycles_set(app, setting):
    with app.app_context(), pytest.raises(services.FindingRuleError) as refused:
        _record(setting, criterion_id=setting.other_criterion_id)
    assert refused.value.field == "criterion_id"


def test_a_closed_cycle_takes_no_new_finding(app, setting, make_cycle):
    closed = make_cycle(name="2024", state=CycleState.CLOSED)
    with app.app_context():
        with pytest.raises(services.FindingRuleError, match="closed"):
            services.record_finding(db.session.get(Cycle, closed), {"kind": "minor", "text": "x",
                                                                    "criterion_id": setting.criterion_id},
                                    actor=_user(setting.reviewer), today=TODAY)
        cycle = db.session.get(Cycle, setting.cycle_id)
        cycle.move_to(CycleState.UNDER_REVIEW, today=TODAY)
        assert _record(setting).number == 1  # under review: findings are recorded during the visit


def test_only_a_reviewer_of_the_cycle_records_findings(app, setting, make_user, make_cycle):
    other_reviewer = make_user("reviewer")
    assigned = make_cycle(name="Assigned", reviewer_ids=[setting.reviewer.id])
    with app.app_context():
        data = {"kind": "minor", "text": "x", "criterion_id": setting.criterion_id}
        for person in (setting.coordinator, setting.member, other_reviewer):
            with pytest.raises(services.FindingRuleError):
                services.record_finding(db.session.get(Cycle, assigned), data, actor=_user(person), today=TODAY)
        assert services.record_finding(db.session.get(Cycle, assigned), data, actor=_user(setting.reviewer),
                                       today=TODAY).number == 1
        # A cycle with nobody assigned takes any reviewer's findings.
        assert services.record_finding(db.session.get(Cycle, setting.cycle_id), data,
                                       actor=_user(other_reviewer), today=TODAY).number == 1


# Answering.

def test_a_nonconformity_is_answered_with_a_corrective_action_worked_as_an_improvement_action(app, setting):
    with app.app_context():
        finding = _answer_nc(setting, _record(setting))
        db.session.commit()
        action = finding.improvement
        assert finding.state == FindingState.ANSWERED and finding.answered_by_id == setting.coordinator.id
        assert finding.root_cause == "No deadline in the procedure."
        assert action.kind == ImprovementKind.CORRECTIVE and action.is_corrective
        assert action.status == Status.APPROVED and action.checks == []  # no SMART check asked
        assert (action.approved_by_id, action.approved_on) == (setting.coordinator.id, TODAY)
        assert action.approved_at is not None
        assert (action.source_kind, action.source_id) == ("certification_finding", finding.id)
        assert (action.group_id, action.owner_id) == (setting.group_id, setting.member.id)
        assert action.objective == "Add a 7-day deadline to the procedure."
        (task,) = action.tasks
        assert (task.title, task.owner_id, task.status) == ("Rewrite the procedure", setting.member.id,
                                                            TaskStatus.TODO)
        assert [row.to_value for row in transitions.history(HISTORY_KIND, action.id)] == ["approved"]
        assert [row.to_value for row in transitions.history("certification_finding", finding.id)] == \
            ["open", "answered"]


@pytest.mark.parametrize(("change", "field"), [
    ({"root_cause": ""}, "root_cause"), ({"action": ""}, "action"), ({"group_id": None}, "group_id"),
    ({"owner_id": None}, "owner_id"), ({"deadline": None}, "deadline"),
    ({"deadline": TODAY - timedelta(days=1)}, "deadline"), ({"task_due_on": None}, "task_due_on"),
])
def test_a_nonconformitys_answer_needs_its_cause_and_a_planned_action(app, setting, change, field):
    with app.app_context():
        finding = _record(setting)
        with pytest.raises(services.FindingRuleError) as refused:
            _answer_nc(setting, finding, **change)
        assert refused.value.field == field


def test_the_action_and_its_tasks_go_to_people_who_can_work_them_in_the_group(app, setting):
    with app.app_context():
        finding = _record(setting)
        db.session.commit()
        with pytest.raises(services.FindingRuleError) as refused:
            _answer_nc(setting, finding, owner_id=setting.outsider.id)
        assert refused.value.field == "owner_id"
        db.session.rollback()
        finding = db.session.scalar(select(Finding))
        with pytest.raises(services.FindingRuleError) as refused:
            _answer_nc(setting, finding, task_owner_id=setting.outsider.id)
        assert refused.value.field == "task_owner_id"


def test_an_observation_is_answered_with_a_response(app, setting):
    with app.app_context():
        finding = _record(setting, FindingKind.OBSERVATION)
        with pytest.raises(services.FindingRuleError) as refused:
            services.answer_finding(finding, {"root_cause": "x"}, actor=_user(setting.coordinator), today=TODAY)
        assert refused.value.field == "response"
        services.answer_finding(finding, {"response": "We will watch it."}, actor=_user(setting.coordinator),
                                today=TODAY)
        assert finding.state == FindingState.ANSWERED and finding.improvement is None


def test_an_opportunity_for_improvement_may_become_an_improvement_opportunity(app, setting):
    with app.app_context():
        kept = _record(setting, FindingKind.OPPORTUNITY)
        services.answer_finding(kept, {"response": "Not now."}, actor=_user(setting.coordinator), today=TODAY)
        assert kept.improvement is None
        taken = _record(setting, FindingKind.OPPORTUNITY, text="Clients could be called after a complaint.")
        services.answer_finding(taken, {"response": "Good idea.", "make_opportunity": True,
                                        "group_id": setting.group_id}, actor=_user(setting.coordinator), today=TODAY)
        opportunity = taken.improvement
        assert opportunity.kind == ImprovementKind.IMPROVEMENT and opportunity.status == Status.OPPORTUNITY
        assert (opportunity.source_kind, opportunity.source_id) == ("certification_finding", taken.id)
        assert opportunity.statement == "Clients could be called after a complaint."
        assert opportunity.approved_by_id is None  # it goes through the SMART check like any other


def test_only_an_open_finding_is_answered(app, setting):
    with app.app_context():
        finding = _answer_nc(setting, _record(setting))
        with pytest.raises(services.FindingRuleError):
            _answer_nc(setting, finding)


# Closing and sending back.

def test_a_nonconformity_closes_only_once_its_action_is_implemented_and_closing_verifies_it(app, setting):
    with app.app_context():
        finding = _answer_nc(setting, _record(setting))
        reviewer = _user(setting.reviewer)
        with pytest.raises(services.FindingRuleError, match="not implemented"):
            services.close_finding(finding, "Checked the procedure.", actor=reviewer, today=TODAY)
        _implement(setting, finding.improvement)
        with pytest.raises(services.FindingRuleError) as refused:
            services.close_finding(finding, " ", actor=reviewer, today=TODAY)
        assert refused.value.field == "comment"
        for person in (setting.coordinator, setting.member):
            with pytest.raises(services.FindingRuleError):
                services.close_finding(finding, "Fine.", actor=_user(person), today=TODAY)
        services.close_finding(finding, "Procedure rewritten, March register on time.", actor=reviewer,
                               today=TODAY)
        db.session.commit()
        action = finding.improvement
        assert finding.state == FindingState.CLOSED and finding.closed_by_id == setting.reviewer.id
        assert finding.closing_comment == "Procedure rewritten, March register on time."
        assert action.status == Status.VERIFIED and action.verified_on == TODAY
        assert [row.to_value for row in transitions.history(HISTORY_KIND, action.id)][-1] == "verified"
        assert transitions.history("certification_finding", finding.id)[-1].reason == \
            "Procedure rewritten, March register on time."


def test_a_corrective_action_is_not_verified_by_hand(app, setting):
    with app.app_context():
        finding = _answer_nc(setting, _record(setting))
        _implement(setting, finding.improvement)
        with pytest.raises(TransitionRefused, match="reviewer"):
            work.change_status(finding.improvement, Status.VERIFIED, actor=_user(setting.coordinator), today=TODAY,
                               confirmed=True)


def test_an_observation_closes_once_answered(app, setting):
    with app.app_context():
        finding = _record(setting, FindingKind.OBSERVATION)
        with pytest.raises(services.FindingRuleError):
            services.close_finding(finding, "Seen.", actor=_user(setting.reviewer), today=TODAY)
        services.answer_finding(finding, {"response": "Noted."}, actor=_user(setting.coordinator), today=TODAY)
        services.close_finding(finding, "Seen.", actor=_user(setting.reviewer), today=TODAY)
        assert finding.state == FindingState.CLOSED


def test_an_answer_sent_back_is_answered_again_on_the_same_action(app, setting):
    with app.app_context():
        finding = _answer_nc(setting, _record(setting))
        action_id = finding.improvement_id
        with pytest.raises(RuleError):
            services.send_back(finding, "", actor=_user(setting.reviewer))
        with pytest.raises(services.FindingRuleError):
            services.send_back(finding, "Shallow.", actor=_user(setting.coordinator))
        services.send_back(finding, "The cause is deeper: nobody checks the register.", actor=_user(setting.reviewer))
        assert finding.state == FindingState.OPEN
        _answer_nc(setting, finding, root_cause="Nobody checks the register.", action="Weekly check of the register.",
                   task_title="", deadline=TODAY + timedelta(days=45))
        db.session.commit()
        assert finding.improvement_id == action_id
        assert finding.improvement.objective == "Weekly check of the register."
        assert finding.improvement.deadline == TODAY + timedelta(days=45)
        assert db.session.scalar(select(db.func.count(Improvement.id))) == 1
        assert [(row.to_value, row.reason) for row in transitions.history("certification_finding", finding.id)] == [
            ("open", None), ("answered", None), ("open", "The cause is deeper: nobody checks the register."),
            ("answered", None)]


# Overdue actions.

def test_overdue_corrective_actions_are_those_past_their_deadline_not_implemented(app, setting):
    with app.app_context():
        late = _answer_nc(setting, _record(setting))
        on_time = _answer_nc(setting, _record(setting))
        done = _answer_nc(setting, _record(setting))
        _implement(setting, done.improvement)
        late.improvement.deadline = TODAY - timedelta(days=3)
        done.improvement.deadline = TODAY - timedelta(days=3)
        db.session.commit()
        assert [f.id for f in services.overdue_actions(TODAY)] == [late.id]
        assert on_time.improvement.deadline > TODAY
