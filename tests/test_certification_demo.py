"""The demo's findings (``demo.findings``) on two cycles like the cycles' demo makes: a closed first cycle with
its findings all closed and its corrective action verified, a second in preparation with an open-answered minor
nonconformity whose corrective action is overdue and whose task is Miguel's; the days in order."""

from datetime import date

from sqlalchemy import select

from certification import findings as services
from certification.models import Cycle, CycleState, FindingKind, FindingState
from core.extensions import db
from core.models import User
from improvements.models import Improvement, ImprovementKind, Status, TaskStatus
from tests.conftest import sign_in
from tests.test_demo_coherence import _improvements_out_of_order


def test_the_demo_findings_tell_both_cycles_stories(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    today = date.today()
    with app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User))}
        # ``flask demo`` made the two cycles (demo.certification) and then their findings (demo.findings).
        first, second = db.session.scalars(select(Cycle).order_by(Cycle.period_start)).all()
        assert (first.state, second.state) == (CycleState.CLOSED, CycleState.PREPARING)

        closed = [(f.kind, f.state) for f in first.findings]
        assert closed == [(FindingKind.MINOR, FindingState.CLOSED), (FindingKind.OBSERVATION, FindingState.CLOSED),
                          (FindingKind.OPPORTUNITY, FindingState.CLOSED)]
        nc, _obs, ofi = first.findings
        assert nc.improvement.kind == ImprovementKind.CORRECTIVE and nc.improvement.status == Status.VERIFIED
        assert all(task.status == TaskStatus.DONE for task in nc.improvement.tasks)
        assert ofi.improvement.kind == ImprovementKind.IMPROVEMENT and ofi.improvement.status == Status.OPPORTUNITY
        (open_nc,) = second.findings
        assert (open_nc.kind, open_nc.state) == (FindingKind.MINOR, FindingState.ANSWERED)
        action = open_nc.improvement
        assert action.deadline < today and action.status == Status.IN_PROGRESS
        (task,) = action.tasks
        assert task.owner.email == "member@demo.test" and task.is_open
        assert [f.id for f in services.overdue_actions(today)] == [open_nc.id]
        assert _improvements_out_of_order(today) == []
        for finding in (*first.findings, open_nc):
            steps = [d for d in (finding.raised_on, finding.answered_on, finding.closed_on) if d]
            assert steps == sorted(steps) and steps[-1] <= today
        member = db.session.get(User, users["member@demo.test"].id)
        db.session.expunge(member)
        assert db.session.scalar(select(db.func.count(Improvement.id)).where(
            Improvement.kind == ImprovementKind.CORRECTIVE)) == 2
    home = sign_in(app.test_client(), member).get("/").get_data(as_text=True)
    assert 'data-testid="panel-corrective_actions"' in home and "Redactar la revisión de la ficha FID-C03" in home
