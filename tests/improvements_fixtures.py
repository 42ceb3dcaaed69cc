"""Factories for improvement groups and improvements, shared by their tests."""

import itertools
from datetime import date

import pytest

from core.extensions import db
from improvements.models import Group, GroupMember, Improvement, PriorityCriterion, SmartCheck, Status, Task
from improvements.smart import CRITERIA


@pytest.fixture
def make_group(app):
    """Create a group; ``make_group(members={user_id: role}, facilitator_id=...)`` returns its id."""
    counter = itertools.count(1)

    def factory(name=None, members=None, facilitator_id=None, purpose="Fewer complaints") -> int:
        with app.app_context():
            group = Group(name=name or f"Group {next(counter)}", purpose=purpose, facilitator_id=facilitator_id)
            group.members = [GroupMember(user_id=uid, role=role) for uid, role in (members or {}).items()]
            db.session.add(group)
            db.session.commit()
            return group.id

    return factory


PLAN = dict(objective="Answer every complaint in writing", measure_name="Complaints answered in writing",
            measure_unit="%", higher_is_better=True, baseline_value=40.0, target_value=90.0)


@pytest.fixture
def make_improvement(app):
    """Create an improvement in a group; ``smart=True`` adds a passing check. Returns its id."""
    counter = itertools.count(1)

    def factory(group_id, status=Status.OPPORTUNITY, smart=False, tasks=(), planned=True, **fields) -> int:
        number = next(counter)
        with app.app_context():
            values = dict(title=f"Improvement {number}", statement="Members want written answers.",
                          raised_on=date(2025, 1, 10), source_kind="staff_idea", status=status)
            if planned:
                values.update(PLAN, deadline=date.today().replace(year=date.today().year + 1))
            values.update(fields)
            improvement = Improvement(group_id=group_id, **values)
            if smart:
                check = SmartCheck(passed=True, **{k: True for k in CRITERIA},
                                   **{f"{k}_why": "Because." for k in CRITERIA})
                improvement.checks.append(check)
            for title, owner_id, due_on, task_status in tasks:
                improvement.tasks.append(Task(title=title, owner_id=owner_id, due_on=due_on, status=task_status))
            db.session.add(improvement)
            db.session.commit()
            return improvement.id

    return factory


@pytest.fixture
def make_criteria(app):
    def factory() -> list[int]:
        with app.app_context():
            rows = [PriorityCriterion(name="Impact on loyalty", weight=3, higher_is_better=True, axis="impact",
                                      position=1),
                    PriorityCriterion(name="Effort", weight=1, higher_is_better=False, axis="effort", position=2)]
            db.session.add_all(rows)
            db.session.commit()
            return [r.id for r in rows]

    return factory
