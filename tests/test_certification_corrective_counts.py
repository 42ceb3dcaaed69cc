"""A corrective action is worked like an improvement but counted by no criterion: C1 (and its counter), C2 and C3
read improvements only, so an implemented corrective action, which has no before and after, neither inflates C1
nor lowers C2 ("every implemented improvement has its before and after")."""

from datetime import date, timedelta

import pytest

from core.extensions import db
from core.findings import Status
from improvements import evidence
from improvements.models import Evidence, ImprovementKind, ProcessChange
from improvements.models import Status as ImprovementStatus
from improvements.queries import c1_candidates, c1_overview
from processes.models import Indicator
from surveys import engine
from surveys.models import Audience
from surveys.understanding import offered_improvements

DONE_ON = date.today() - timedelta(days=30)


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def _measured(make_improvement, group, title, **fields) -> int:
    """An implemented improvement meeting SMART, measured after the change (95 against 40, target 90), valued."""
    improvement_id = make_improvement(group, status=ImprovementStatus.IMPLEMENTED, smart=True, title=title,
                                      after_value=95.0, after_period=DONE_ON, implemented_on=DONE_ON, **fields)
    with db.session.begin_nested():
        db.session.add(Evidence(improvement_id=improvement_id, kind="survey", title="Wave", before_value=3.1,
                                after_value=4.2, favourable=True))
    db.session.commit()
    return improvement_id


def _corrective(make_improvement, group, **fields) -> int:
    """An implemented corrective action: approved by its coordinator, no SMART check, no result measured."""
    values = dict(kind=ImprovementKind.CORRECTIVE, status=ImprovementStatus.IMPLEMENTED, title="Corrective NC-1",
                  source_kind="certification_finding", planned=False, approved_on=DONE_ON, implemented_on=DONE_ON,
                  deadline=DONE_ON) | fields
    return make_improvement(group, **values)


def test_c1_and_its_counter_do_not_count_corrective_actions(app, make_group, make_improvement, request_ctx):
    group = make_group(name="Complaints group")
    counted = _measured(make_improvement, group, "Written answers")
    before = c1_overview(1)[0]
    # Even one that would qualify if it were an improvement: SMART, measured, improved.
    corrective = _corrective(make_improvement, group, smart=True, planned=True, after_value=95.0,
                             after_period=DONE_ON)
    after = c1_overview(1)[0]
    assert [i.id for i in c1_candidates()] == [counted]
    assert [i.id for i in after.qualifying] == [i.id for i in before.qualifying] == [counted]
    assert corrective not in [i.id for i, _why in after.others]


def test_c2_is_not_lowered_by_an_implemented_corrective_action_without_before_and_after(
        app, make_group, make_improvement, request_ctx):
    group = make_group(name="Complaints group")
    _measured(make_improvement, group, "Written answers")
    assert evidence.c2_status(evidence.c2_facts()) == Status.MET
    corrective = _corrective(make_improvement, group)
    facts = evidence.c2_facts()
    assert corrective not in [i.id for i in facts.implemented]
    assert evidence.c2_status(facts) == Status.MET
    assert evidence.results_evidence().status == Status.MET


def test_the_test_above_can_fail_an_unmeasured_improvement_lowers_c2(app, make_group, make_improvement,
                                                                     request_ctx):
    """The same unmeasured record as an improvement does lower C2: what the filter keeps out matters."""
    group = make_group(name="Complaints group")
    _measured(make_improvement, group, "Written answers")
    _corrective(make_improvement, group, kind=ImprovementKind.IMPROVEMENT, smart=True)
    assert evidence.c2_status(evidence.c2_facts()) != Status.MET


def test_c3_and_the_smart_indicators_leave_corrective_actions_out(app, make_group, make_improvement, make_process,
                                                                  request_ctx):
    group = make_group(name="Complaints group")
    process = make_process(code="FID-C09")
    indicator = Indicator(process_id=process, code="IND-9", name="Answered on time", frequency="monthly",
                          direction="higher", kind="performance")
    db.session.add(indicator)
    db.session.commit()
    counted = _measured(make_improvement, group, "Written answers")
    corrective = _corrective(make_improvement, group, indicator_id=indicator.id)
    db.session.add(ProcessChange(improvement_id=corrective, process_id=process, description="Deadline added"))
    db.session.commit()
    assert [record.improvement.id for record in evidence.c3_facts().counted] == [counted]
    assert indicator.id not in evidence.smart_indicator_ids()


def test_clients_are_not_asked_whether_they_know_about_a_corrective_action(app, make_group, make_improvement,
                                                                           request_ctx):
    group = make_group(name="Complaints group")
    counted = _measured(make_improvement, group, "Written answers")
    _corrective(make_improvement, group)
    survey = engine.create_survey(title="Satisfaction", audience=Audience.CLIENTS, language="en",
                                  template="client_satisfaction", anonymous=True)
    db.session.commit()
    assert [i.id for i in offered_improvements(survey)] == [counted]
