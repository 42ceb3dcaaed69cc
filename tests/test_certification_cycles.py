"""Certification cycles: the rules of their data, their state machine kept as history, who may move them, their
removal, and their pages' valid and invalid paths."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from certification import cycles
from certification.models import CYCLE_HISTORY_KIND, Cycle, CycleState, Finding, FindingKind, FindingState
from core.extensions import db
from core.models import User
from core.rules import TransitionRefused
from core.transitions import ConfirmationNeeded, StateChange
from evidence.models import PackJob
from tests.conftest import sign_in
from tests.evidence_fixtures import checklist_ids

TODAY = date.today()


@pytest.fixture
def ids(app):
    return checklist_ids(app)


@pytest.fixture
def set_id(app, ids):
    with app.app_context():
        from evidence.models import Criterion

        return db.session.get(Criterion, ids["A1"]).set_id


def data(set_id_, **changes) -> cycles.CycleData:
    values = dict(name="Certification 2026", set_id=set_id_, period_start=TODAY - timedelta(days=365),
                  period_end=TODAY - timedelta(days=1), scope_programmes="Client-loyalty programme",
                  scope_sites="Bilbao head office", scope_exclusions="Collective plans",
                  visit_planned_on=TODAY + timedelta(days=30))
    return cycles.CycleData(**(values | changes))


def make_cycle(set_id, **changes) -> Cycle:
    cycle = cycles.save_cycle(None, data(set_id, **changes), actor=None, today=TODAY)
    db.session.commit()
    return cycle


def test_a_new_cycle_is_in_preparation_with_its_scope_period_and_reviewers(app, set_id, make_user):
    reviewer = make_user("reviewer", name="Rachel Adams")
    with app.app_context():
        cycle = make_cycle(set_id, reviewer_ids=(reviewer.id,), scope_exclusions="  ")
        assert cycle.state is CycleState.PREPARING
        assert [u.name for u in cycle.reviewers] == ["Rachel Adams"]
        assert cycle.scope_exclusions is None and cycle.scope_sites == "Bilbao head office"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"period_end": TODAY - timedelta(days=400)}, "period_end", "The period cannot end before it starts."),
    ({"set_id": 987654}, "criteria_set", "Choose a criteria set that exists."),
    ({"name": " "}, "name", "Give the cycle a name"),
    ({"visit_planned_on": TODAY - timedelta(days=800)}, "visit_planned_on", "The visit cannot be before the period"),
    ({"visit_held_on": TODAY + timedelta(days=1)}, "visit_held_on", "A visit held cannot be in the future"),
])
def test_the_data_of_a_cycle_is_checked_with_clear_messages(app, set_id, changes, field, message):
    with app.app_context():
        found = cycles.problems(data(set_id, **changes), today=TODAY)
        assert list(found) == [field] and found[field][0].startswith(message)
        with pytest.raises(cycles.CycleRuleError) as refused:
            cycles.save_cycle(None, data(set_id, **changes), actor=None, today=TODAY)
        assert refused.value.field == field


def test_only_active_reviewers_can_be_assigned(app, set_id, make_user):
    member, former = make_user("member"), make_user("reviewer", active=False)
    with app.app_context():
        for user in (member, former):
            assert "reviewers" in cycles.problems(data(set_id, reviewer_ids=(user.id,)), today=TODAY)


def test_the_state_machine_moves_on_keeps_history_and_asks_why_to_go_back(app, set_id, make_user):
    coordinator = make_user("coordinator")
    with app.app_context():
        actor = db.session.get(User, coordinator.id)
        cycle = make_cycle(set_id)
        with pytest.raises(TransitionRefused):
            cycles.change_state(cycle, CycleState.CLOSED, actor=actor, today=TODAY)
        cycles.change_state(cycle, CycleState.UNDER_REVIEW, actor=actor, today=TODAY)
        with pytest.raises(ConfirmationNeeded):
            cycles.change_state(cycle, CycleState.PREPARING, actor=actor, today=TODAY, reason="Too early")
        assert cycle.state is CycleState.UNDER_REVIEW
        with pytest.raises(TransitionRefused):
            cycles.change_state(cycle, CycleState.PREPARING, actor=actor, today=TODAY, confirmed=True)
        cycles.change_state(cycle, CycleState.PREPARING, actor=actor, today=TODAY, reason="Too early",
                            confirmed=True)
        db.session.commit()
        rows = db.session.scalars(select(StateChange).where(StateChange.record_kind == CYCLE_HISTORY_KIND,
                                                            StateChange.record_id == cycle.id)
                                  .order_by(StateChange.id)).all()
        assert [(r.from_value, r.to_value, r.reason) for r in rows] == [
            ("preparing", "under_review", None), ("under_review", "preparing", "Too early")]
        assert rows[0].actor_id == coordinator.id


def test_closing_needs_the_visit_held_and_every_finding_answered_then_the_cycle_is_history(app, set_id, ids):
    with app.app_context():
        cycle = make_cycle(set_id)
        cycles.change_state(cycle, CycleState.UNDER_REVIEW, actor=None, today=TODAY)
        db.session.add(Finding(cycle_id=cycle.id, number=1, criterion_id=ids["B1"], kind=FindingKind.MINOR,
                               text="Complaints answered late", raised_on=TODAY))
        db.session.flush()
        db.session.refresh(cycle)
        with pytest.raises(cycles.CycleRuleError) as refused:
            cycles.change_state(cycle, CycleState.CLOSED, actor=None, today=TODAY)
        assert refused.value.reasons == ["Record the day the visit was held before closing the cycle.",
                                         "These findings are not answered yet: NC-1."]
        cycle.visit_held_on = TODAY
        cycle.findings[0].state = FindingState.ANSWERED
        cycles.change_state(cycle, CycleState.CLOSED, actor=None, today=TODAY)
        assert cycle.closed_on == TODAY
        with pytest.raises(cycles.CycleRuleError, match="closed cycle is history"):
            cycles.save_cycle(cycle, data(set_id, name="Renamed"), actor=None, today=TODAY)
        with pytest.raises(TransitionRefused):
            cycles.change_state(cycle, CycleState.UNDER_REVIEW, actor=None, today=TODAY)


def test_a_cycle_with_a_pack_or_a_finding_is_never_deleted_nor_moved_to_another_set(app, set_id, ids):
    with app.app_context():
        empty, with_pack, with_finding = (make_cycle(set_id, name=n) for n in ("Mistake", "Packed", "Found"))
        db.session.add(PackJob(set_id=set_id, scope="all", language="en", fingerprint=1, cycle_id=with_pack.id))
        db.session.add(Finding(cycle_id=with_finding.id, number=1, criterion_id=ids["A1"],
                               kind=FindingKind.OBSERVATION, text="Seen", raised_on=TODAY))
        db.session.commit()
        for kept in (with_pack, with_finding):
            with pytest.raises(cycles.CycleRuleError, match="kept as evidence"):
                cycles.delete_cycle(kept)
        other = checklist_other_set(set_id)
        assert "criteria_set" in cycles.problems(data(other), today=TODAY, cycle=with_finding)
        cycles.delete_cycle(empty)
        db.session.commit()
        assert {c.name for c in db.session.scalars(select(Cycle))} == {"Packed", "Found"}


def checklist_other_set(set_id) -> int:
    from evidence.models import CriteriaSet

    other = CriteriaSet(code="OTHER", name={"en": "Another set"})
    db.session.add(other)
    db.session.flush()
    return other.id


def test_who_may_move_a_cycle(app, set_id, make_user):
    coordinator, assigned, other, member = (make_user(r) for r in ("coordinator", "reviewer", "reviewer", "member"))
    with app.app_context():
        cycle = make_cycle(set_id, reviewer_ids=(assigned.id,))
        users = {u.id: db.session.get(User, u.id) for u in (coordinator, assigned, other, member)}
        assert cycles.may_move(users[coordinator.id], cycle, CycleState.UNDER_REVIEW)
        assert not cycles.may_move(users[assigned.id], cycle, CycleState.UNDER_REVIEW)
        cycle.state = CycleState.UNDER_REVIEW
        assert cycles.may_move(users[assigned.id], cycle, CycleState.CLOSED)
        assert not cycles.may_move(users[assigned.id], cycle, CycleState.PREPARING)
        assert not cycles.may_move(users[other.id], cycle, CycleState.CLOSED)
        assert not cycles.may_move(users[member.id], cycle, CycleState.CLOSED)


# --- Pages ---------------------------------------------------------------------------------------------


def form_data(set_id, **changes):
    values = {"name": "Certification 2026", "criteria_set": str(set_id),
              "period_start": (TODAY - timedelta(days=365)).isoformat(), "period_end": TODAY.isoformat(),
              "scope_programmes": "Client-loyalty programme", "scope_sites": "Bilbao", "scope_exclusions": "",
              "visit_planned_on": (TODAY + timedelta(days=20)).isoformat(), "visit_held_on": ""}
    return values | changes


def test_a_coordinator_creates_edits_and_lists_cycles(app, client_as, set_id, make_user):
    reviewer = make_user("reviewer", name="Rachel Adams")
    coordinator = client_as("coordinator", language="en")
    response = coordinator.post("/certification/cycles/new", data=form_data(set_id, reviewers=[reviewer.id]))
    assert response.status_code == 302
    cycle_url = response.headers["Location"]
    page = coordinator.get(cycle_url).get_data(as_text=True)
    assert "Certification 2026" in page and "Rachel Adams" in page and "Client-loyalty programme" in page
    assert 'data-testid="move-under_review"' in page
    with app.app_context():
        cycle = db.session.scalar(select(Cycle))
        version = cycle.version
    edited = coordinator.post(f"{cycle_url}/edit", data=form_data(set_id, name="Renewal 2026", version=version))
    assert edited.status_code == 302
    listing = coordinator.get("/certification/cycles?q=renewal").get_data(as_text=True)
    assert "Renewal 2026" in listing
    empty = coordinator.get("/certification/cycles?q=nothing-like-this").get_data(as_text=True)
    assert "No cycles match" in empty


def test_the_form_shows_each_refusal_on_its_field(app, client_as, set_id):
    coordinator = client_as("coordinator", language="en")
    page = coordinator.post("/certification/cycles/new", data=form_data(
        set_id, period_end=(TODAY - timedelta(days=400)).isoformat(),
        visit_held_on=(TODAY + timedelta(days=3)).isoformat()))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "The period cannot end before it starts." in text
    assert "A visit held cannot be in the future: plan it instead." in text
    assert coordinator.post("/certification/cycles/new", data=form_data(set_id, criteria_set="0")).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Cycle)) is None


def test_the_empty_list_invites_to_prepare_the_first_cycle(client_as):
    page = client_as("coordinator", language="en").get("/certification/cycles").get_data(as_text=True)
    assert "No certification cycle yet" in page and "/certification/cycles/new" in page


def test_moves_are_confirmed_and_going_back_asks_why(app, client_as, set_id):
    with app.app_context():
        cycle_id = make_cycle(set_id).id
    coordinator = client_as("coordinator", language="en")
    url = f"/certification/cycles/{cycle_id}/state"
    assert "Confirm: Under review" in coordinator.get(f"{url}/under_review").get_data(as_text=True)
    assert coordinator.post(f"{url}/under_review", data={"confirm": "yes"}).status_code == 302
    back = coordinator.post(f"{url}/preparing", data={})
    assert back.headers["Location"].endswith(f"{url}/preparing")  # shown the confirmation page first
    refused = coordinator.post(f"{url}/preparing", data={"confirm": "yes", "reason": ""})
    assert refused.status_code == 200 and "Say why the cycle goes back" in refused.get_data(as_text=True)
    done = coordinator.post(f"{url}/preparing", data={"confirm": "yes", "reason": "Visit postponed"})
    assert done.status_code == 302
    page = coordinator.get(f"/certification/cycles/{cycle_id}").get_data(as_text=True)
    assert "Visit postponed" in page
    closing = coordinator.get(f"{url}/closed").get_data(as_text=True)
    assert "This change is refused" in closing


def test_an_assigned_reviewer_closes_the_review_and_nothing_else(app, set_id, make_user):
    assigned, other = make_user("reviewer"), make_user("reviewer")
    with app.app_context():
        cycle = make_cycle(set_id, reviewer_ids=(assigned.id,), visit_held_on=TODAY)
        cycles.change_state(cycle, CycleState.UNDER_REVIEW, actor=None, today=TODAY)
        db.session.commit()
        cycle_id = cycle.id
    url = f"/certification/cycles/{cycle_id}/state"
    outsider = sign_in(app.test_client(), other)
    assert outsider.get(f"{url}/closed").status_code == 403
    reviewer = sign_in(app.test_client(), assigned)
    assert reviewer.post(f"{url}/preparing", data={"confirm": "yes", "reason": "x"}).status_code == 403
    assert reviewer.post(f"/certification/cycles/{cycle_id}/edit", data={}).status_code == 403
    assert reviewer.post(f"{url}/closed", data={"confirm": "yes"}).status_code == 302
    with app.app_context():
        assert db.session.get(Cycle, cycle_id).state is CycleState.CLOSED
