"""Each criterion's automatic evidence on small hand-built data: met, partly and missing, with reasons that
link to the records behind them."""

from datetime import date

import pytest

from core.extensions import db
from core.findings import Status
from improvements import evidence as improvements_evidence
from improvements.models import AffectedPerson, ChangedStage, ProcessChange, Training, TrainingAttendee
from improvements.models import Status as ImprovementStatus
from processes import evidence as processes_evidence
from processes.models import (
    Benchmark,
    Direction,
    IndicatorKind,
    Interface,
    KnowledgeHolder,
    Participant,
    ProcessStage,
    ProcessStandard,
    Revision,
    Target,
)

MONTHS = [date(2024 + (m // 12), m % 12 + 1, 1) for m in range(14)]


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def _participant(process_id, user_id):
    db.session.add(Participant(process_id=process_id, user_id=user_id, role="Team"))


def test_a1_missing_without_processes(app, make_programme, request_ctx):
    make_programme(name="Loyalty")
    finding = processes_evidence.process_map_evidence()
    assert finding.status == Status.MISSING
    assert finding.reasons[0].text.startswith("A1 is met when")  # the rule, stated even when missing
    assert "has no processes yet" in finding.reasons[1].text
    assert finding.gaps[0].url == "/processes/new"


def test_a1_partly_names_each_process_and_what_it_lacks(app, make_user, make_process, make_indicator, request_ctx):
    owner = make_user("member")
    programme_process = make_process(code="P01", owner_id=owner.id)
    from processes.models import Process

    programme_id = db.session.get(Process, programme_process).programme_id
    unowned = make_process(code="P11", programme_id=programme_id)
    no_indicator = make_process(code="P07", programme_id=programme_id, owner_id=owner.id)
    for pid in (programme_process, unowned, no_indicator):
        _participant(pid, owner.id)
    db.session.add(ProcessStandard(required_fields=["owner"], min_indicators=1, min_participants=1))
    db.session.commit()
    make_indicator(programme_process)
    make_indicator(unowned)

    finding = processes_evidence.process_map_evidence(detail=True)
    assert finding.status == Status.PARTLY
    assert finding.reasons[0].text.startswith("A1 is met when every current process of the programme under "
                                              "certification has an approved sheet in effect and not past its "
                                              "review date, an owner and the participants and indicators the "
                                              "organisation's process-management standard asks (participants: at "
                                              "least 1; indicators: at least 1)")
    assert finding.reasons[1].text == ("1 of 3 processes have an approved, current sheet, an owner and the "
                                       "participants and indicators the standard asks; missing: P07 0 of 1 "
                                       "indicators, P11 no owner")
    # Sheets loaded without revisions are taken as published (as migration 0033 takes the stored ones).
    assert finding.reasons[2].text == ("3 of 3 sheets approved and in effect; 0 drafts awaiting approval; 0 sheets "
                                       "past their review date")
    assert [(g.text, g.url) for g in finding.gaps] == [("P07: 0 of 1 indicators", f"/processes/{no_indicator}"),
                                                       ("P11: no owner", f"/processes/{unowned}")]
    assert "A process-management standard is defined" in finding.reasons[3].text
    thresholds, figure, table = finding.blocks
    assert thresholds.rows == [["Participants per process", "1", "1"], ["Indicators per process", "1", "1"]]
    assert figure.svg.startswith("<svg") and "P07" in figure.svg
    assert [row[0].text for row in table.rows] == ["P01", "P07", "P11"]


def test_a1_met_when_every_process_is_complete_and_a_standard_exists(app, make_user, make_process, make_indicator,
                                                                     request_ctx):
    owner = make_user("member")
    pid = make_process(code="P01", owner_id=owner.id)
    _participant(pid, owner.id)
    db.session.commit()
    make_indicator(pid)
    assert processes_evidence.process_map_evidence().status == Status.PARTLY  # no standard saved yet
    db.session.add(ProcessStandard(required_fields=[], min_indicators=1, min_participants=1))
    db.session.commit()
    finding = processes_evidence.process_map_evidence()
    assert finding.status == Status.MET and finding.gaps == []


def test_a1_asks_the_participants_the_organisations_standard_asks(app, make_user, make_process, make_indicator,
                                                                   request_ctx):
    owner = make_user("member")
    pid = make_process(code="FID-C06", owner_id=owner.id)
    _participant(pid, owner.id)
    db.session.add(ProcessStandard(required_fields=[], min_indicators=1, min_participants=2))
    db.session.commit()
    make_indicator(pid)
    finding = processes_evidence.process_map_evidence(detail=True)
    assert finding.status == Status.PARTLY
    assert [g.text for g in finding.gaps] == ["FID-C06: 1 of 2 participants"]
    assert "participants: at least 2" in finding.reasons[0].text
    assert finding.blocks[0].rows[0] == ["Participants per process", "2", "1"]


def _two_programmes(make_programme, make_process, make_indicator):
    loyalty, sales = make_programme(code="FID"), make_programme(code="COM", certified=False)
    ours, theirs = make_process(code="FID-1", programme_id=loyalty), make_process(code="COM-1", programme_id=sales)
    indicator = make_indicator(ours, values={MONTHS[0]: 4.0})
    return ours, theirs, indicator


def test_a2_missing_without_interfaces_between_programmes(app, make_programme, make_process, make_indicator,
                                                          request_ctx):
    _two_programmes(make_programme, make_process, make_indicator)
    finding = processes_evidence.joint_map_evidence()
    assert finding.status == Status.MISSING
    assert finding.reasons[0].text.startswith("A2 is met when")
    assert finding.reasons[1].text == "No interface between processes of different programmes has been recorded yet."


def test_a2_partly_with_a_problem_without_agreement_then_met(app, make_programme, make_process, make_indicator,
                                                             request_ctx):
    ours, theirs, indicator = _two_programmes(make_programme, make_process, make_indicator)
    interface = Interface(from_process_id=theirs, to_process_id=ours, flow="New members", problem="Late")
    db.session.add(interface)
    db.session.commit()
    finding = processes_evidence.joint_map_evidence(detail=True)
    assert finding.status == Status.PARTLY
    assert finding.gaps[0].text == "COM-1 → FID-1: Problem without agreement"
    assert finding.gaps[0].url == f"/processes/interfaces/{interface.id}"
    assert finding.reasons[2].text.startswith("1 interface problems identified; 0 of 1 interfaces")
    assert finding.blocks[0].title == "Thresholds of the rule"
    assert finding.blocks[1].svg.startswith("<svg")

    interface.agreement, interface.indicator_id, interface.agreed_level = "Within 5 days", indicator, 3.0
    db.session.commit()
    finding = processes_evidence.joint_map_evidence()
    assert finding.status == Status.MET, finding.gaps
    assert finding.reasons[3].text == ("1 of 1 measurable agreements complied with over their review window (at "
                                       "least 80 % of the last 12 periods)")


def test_a2_reads_the_share_of_the_review_window_with_the_criteria_sets_thresholds(
        app, make_programme, make_process, make_indicator, request_ctx):
    loyalty, sales = make_programme(code="FID"), make_programme(code="COM", certified=False)
    ours, theirs = make_process(code="FID-C01", programme_id=loyalty), make_process(code="COM-C01", programme_id=sales)
    # Newest first: the latest 5 periods met 3 days or less, the 7 before did not (5 of 12, 42 %).
    values = {month: (2.0 if n < 5 else 6.0) for n, month in enumerate(sorted(MONTHS[:12], reverse=True))}
    indicator = make_indicator(ours, values=values, direction=Direction.LOWER)
    db.session.add(Interface(from_process_id=theirs, to_process_id=ours, flow="Orders", problem="Late",
                             agreement="Within 3 days", indicator_id=indicator, agreed_level=3.0))
    db.session.commit()
    finding = processes_evidence.joint_map_evidence(detail=True)
    assert finding.status == Status.PARTLY
    assert finding.gaps[0].text == "COM-C01 → FID-C01: Not complied with (5 of 12 periods met, 42 %, improving)"
    row = finding.blocks[-1].rows[0]
    assert (row[4], row[5], row[6]) == ("Not complied with", "5 of 12 (42 %)", "improving")
    assert row[7].values == (0,) * 7 + (1,) * 5 and len(row[7].periods) == 12  # oldest first, dated
    assert processes_evidence.joint_map_evidence(thresholds={"share_met": 40}).status == Status.MET
    lax = processes_evidence.joint_map_evidence(detail=True, thresholds={"review_periods": 5})
    assert lax.status == Status.MET and lax.blocks[0].rows[0][1] == "5"


def test_c3_missing_then_partly_then_met(app, make_user, make_process, make_group, make_improvement, request_ctx):
    person = make_user("member", name="Ane Holder")
    pid = make_process(code="P01")
    db.session.add(Revision(process_id=pid, number=1, reason="Sheet created", snapshot={}))
    db.session.commit()
    assert improvements_evidence.change_evidence().status == Status.MISSING

    db.session.add(Revision(process_id=pid, number=2, reason="Written answers", snapshot={}))
    stage = ProcessStage(process_id=pid, position=1, name="Answer", responsible_role="Agent")
    db.session.add(stage)
    db.session.commit()
    finding = improvements_evidence.change_evidence(detail=True)
    assert finding.status == Status.PARTLY
    assert finding.reasons[0].text.startswith("C3 is met when every counted improvement")
    assert finding.reasons[2].text == ("1 process sheets revised after their creation (1 revisions); 0 of 1 "
                                       "revisions linked to an improvement")
    assert [g.text for g in finding.gaps] == [
        "No improvement has been implemented yet: C3 counts the changes of implemented improvements",
        "P01, stage “Answer”: nobody holds its knowledge"]
    assert finding.blocks[1].rows[0][3] == "Written answers"

    group = make_group()
    improvement_id = make_improvement(group, status=ImprovementStatus.IMPLEMENTED, title="Written answers")
    db.session.add(KnowledgeHolder(stage_id=stage.id, user_id=person.id))
    db.session.commit()
    finding = improvements_evidence.change_evidence(detail=True)
    assert finding.status == Status.PARTLY, "the implemented improvement changed no process"
    assert finding.gaps[0].text.endswith("0 of 1 processes changed; 0 of 1 affected people listed; 0 of 1 "
                                         "information or training sessions")
    table = finding.blocks[1]
    assert table.title == "Counted improvements and the change in the way of operating"
    assert table.rows[0][0].text == "Written answers" and table.rows[0][-1] != "yes"

    revision = Revision(process_id=pid, number=3, reason="Improvement 1", improvement_id=improvement_id, snapshot={})
    db.session.add(revision)
    db.session.flush()
    change = ProcessChange(improvement_id=improvement_id, process_id=pid, revision_id=revision.id,
                           description="Answers in writing")
    db.session.add(change)
    db.session.flush()
    db.session.add(ChangedStage(change_id=change.id, stage_id=stage.id))
    db.session.add(AffectedPerson(improvement_id=improvement_id, user_id=person.id, how="Writes the answers"))
    session = Training(improvement_id=improvement_id, held_on=date(2026, 3, 1), is_training=False, topic="Change")
    db.session.add(session)
    db.session.flush()
    db.session.add(TrainingAttendee(training_id=session.id, user_id=person.id))
    db.session.commit()
    finding = improvements_evidence.change_evidence(detail=True)
    assert finding.status == Status.MET, finding.gaps
    assert finding.blocks[1].rows[0][1:] == ["P01", "1 of 1", "yes", "1", "1", "1", "0", "1", "yes"]
    stricter = improvements_evidence.change_evidence(thresholds={"min_affected_people": 2})
    assert stricter.status == Status.PARTLY


def test_c3_draws_each_process_diagram_for_the_pack(app, make_process, request_ctx):
    pid = make_process(code="P01")
    db.session.add(ProcessStage(process_id=pid, position=1, name="Answer the client", responsible_role="Agent"))
    make_process(code="P02")
    db.session.commit()
    figures = [b for b in improvements_evidence.change_evidence(detail=True).blocks if hasattr(b, "svg")]
    assert len(figures) == 1, "only processes with a diagram are drawn"
    assert figures[0].svg.startswith("<svg") and "Answer the client" in figures[0].svg
    assert "<a " not in figures[0].svg, "the pack's drawing has no links into the app"


def test_e1_missing_partly_and_met(app, make_process, make_indicator, request_ctx):
    assert processes_evidence.data_management_evidence().status == Status.MISSING
    pid = make_process(code="P01")
    history = {month: 80.0 + n for n, month in enumerate(MONTHS[:12])}
    performance = make_indicator(pid, code="PERF", values=history)
    perception = make_indicator(pid, code="SAT", kind=IndicatorKind.PERCEPTION, values={MONTHS[0]: 4.0})

    finding = processes_evidence.data_management_evidence()
    assert finding.status == Status.PARTLY
    assert finding.reasons[0].text.startswith("E1 is met when there are perception measures and performance "
                                              "indicators (of each kind: at least 1")
    assert finding.reasons[1].text == "2 indicators: 1 perception measures and 1 performance indicators"
    assert finding.reasons[2].text == "1 of 2 indicators have at least 12 periods of history"
    gaps = {g.text: g.url for g in finding.gaps}
    assert gaps["SAT: 1 of 12 periods of history, no target"] == f"/processes/indicators/{perception}"
    assert "None of the perception measures has an external comparison" in gaps

    from processes.models import Measurement

    for n, month in enumerate(MONTHS[1:12]):
        db.session.add(Measurement(indicator_id=perception, period=month, value=4.0 + n / 100))
    for indicator_id in (performance, perception):
        db.session.add(Target(indicator_id=indicator_id, valid_from=MONTHS[0], value=3.0))
        db.session.add(Benchmark(indicator_id=indicator_id, source="Sector", period=MONTHS[0], value=3.5))
    db.session.commit()
    finding = processes_evidence.data_management_evidence(detail=True)
    assert finding.status == Status.MET, finding.gaps
    thresholds, perception_table, performance_table, trends = finding.blocks
    assert thresholds.rows[0] == ["Periods of history each indicator must have", "12", "12"]
    assert [perception_table.title, performance_table.title] == ["Perception measures", "Performance indicators"]
    assert performance_table.rows[0][-1].values[-1] == 91.0
    assert sorted(panel.label.split(" ")[0] for panel in trends.panels) == ["PERF", "SAT"]
    assert max(panel.line.values[-1] for panel in trends.panels) == 91.0
    # A criteria set asking 13 periods and two compared indicators per kind: partly again, each named.
    finding = processes_evidence.data_management_evidence(thresholds={"history_periods": 13,
                                                                      "min_compared_per_kind": 2})
    assert finding.status == Status.PARTLY
    assert "PERF: 12 of 13 periods of history" in {g.text for g in finding.gaps}
    assert "1 of 2 perception measures with an external comparison" in {g.text for g in finding.gaps}


@pytest.mark.parametrize(("key", "module"), [("A1", "processes.evidence"), ("A2", "processes.evidence"),
                                             ("B1", "voice.evidence"), ("B2", "loyalty.evidence"),
                                             ("C1", "improvements.evidence"), ("C2", "improvements.evidence"),
                                             ("C3", "improvements.evidence"),
                                             ("D1", "surveys.evidence"), ("E1", "processes.evidence")])
def test_each_criterion_has_its_source_from_the_package_that_owns_its_data(app, request_ctx, key, module):
    from evidence.automatic import sources

    assert sources()[key].__module__ == module
