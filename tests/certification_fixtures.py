"""A certification cycle with its people, for the findings' tests: a reviewer, a coordinator, a member in an
improvement group, and a cycle on the shipped criteria set (until the cycles' own pages create them)."""

from dataclasses import dataclass
from datetime import date

import pytest

from certification.models import Cycle, CycleState
from core.extensions import db
from core.models import User
from evidence.criteria_sets import current_set, ensure_builtin_sets
from evidence.models import CriteriaSet, Criterion
from improvements.models import Group, GroupMember


@dataclass(frozen=True)
class Setting:
    reviewer: object
    coordinator: object
    member: object
    outsider: object
    group_id: int
    cycle_id: int
    criterion_id: int
    other_criterion_id: int


@pytest.fixture
def make_cycle(app):
    """Create a cycle on the current criteria set: ``make_cycle(state=..., reviewer_ids=[...])``; its id."""

    def factory(name="Certification 2026", state=CycleState.PREPARING, reviewer_ids=(),
                period=(date(2025, 1, 1), date(2025, 12, 31))) -> int:
        with app.app_context():
            ensure_builtin_sets()
            criteria_set = current_set()
            cycle = Cycle(name=name, set_id=criteria_set.id, period_start=period[0], period_end=period[1],
                          state=state)
            cycle.reviewers = [db.session.get(User, uid) for uid in reviewer_ids]
            db.session.add(cycle)
            db.session.commit()
            return cycle.id

    return factory


@pytest.fixture
def setting(app, make_user, make_cycle) -> Setting:
    reviewer = make_user("reviewer", name="Rachel Adams")
    coordinator = make_user("coordinator", name="Carmen Ruiz")
    member = make_user("member", name="Miguel Torres")
    outsider = make_user("member", name="Olga Outside")
    cycle_id = make_cycle()
    with app.app_context():
        group = Group(name="Complaints group", purpose="Fewer complaints",
                      members=[GroupMember(user_id=member.id, role="Member")])
        db.session.add(group)
        db.session.commit()
        criteria = current_set().criteria
        # A criterion of another set: a finding of this cycle may not be on it.
        elsewhere = CriteriaSet(code="other-set", name={"en": "Other", "es": "Otro"})
        elsewhere.criteria.append(Criterion(code="Z9", position=1, text={"en": "Other", "es": "Otro"}))
        db.session.add(elsewhere)
        db.session.commit()
        return Setting(reviewer, coordinator, member, outsider, group.id, cycle_id, criteria[0].id,
                       elsewhere.criteria[0].id)
