"""Each criterion's automatic evidence on small hand-built data: met, partly and missing, with reasons that
link to the records behind them."""

from datetime import date

import pytest

from core.extensions import db
from core.findings import Status
from improvements import evidence as improvements_evidence
from processes import evidence as processes_evidence
from processes.models import (
    Benchmark,
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
    assert "has no processes yet" in finding.reasons[0].text
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
    assert finding.reasons[0].text == ("1 of 3 processes have an owner, participants and at least one indicator; "
                                       "missing: P07 no indicator, P11 no owner")
    assert [(g.text, g.url) for g in finding.gaps] == [("P07: no indicator", f"/processes/{no_indicator}"),
                                                       ("P11: no owner", f"/processes/{unowned}")]
    assert "A process-management standard is defined" in finding.reasons[1].text
    figure, table = finding.blocks
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
    assert finding.reasons[0].text == "No interface between processes of different programmes has been recorded yet."


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
    assert finding.reasons[1].text.startswith("1 interface problems identified; 0 of 1 interfaces")
    assert finding.blocks[0].svg.startswith("<svg")

    interface.agreement, interface.indicator_id, interface.agreed_level = "Within 5 days", indicator, 3.0
    db.session.commit()
    finding = processes_evidence.joint_map_evidence()
    assert finding.status == Status.MET, finding.gaps
    assert finding.reasons[2].text == "1 of 1 measurable agreements complied with in their latest period"


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
    assert finding.reasons[0].text == ("1 process sheets revised after their creation (1 revisions); 0 of 1 "
                                       "revisions linked to an improvement")
    assert [g.text for g in finding.gaps] == ["No sheet revision is linked to an improvement yet",
                                              "P01, stage “Answer”: nobody holds its knowledge"]
    assert finding.blocks[0].rows[0][3] == "Written answers"

    improvement = make_improvement(make_group())  # the revision's improvement must exist (PostgreSQL checks)
    db.session.add(Revision(process_id=pid, number=3, reason="Improvement 1", improvement_id=improvement,
                            snapshot={}))
    db.session.add(KnowledgeHolder(stage_id=stage.id, user_id=person.id))
    db.session.commit()
    finding = improvements_evidence.change_evidence()
    assert finding.status == Status.MET, finding.gaps


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
    assert finding.reasons[0].text == "2 indicators: 1 perception measures and 1 performance indicators"
    assert finding.reasons[1].text == "1 of 2 indicators have at least 12 periods of history"
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
    perception_table, performance_table, trends = finding.blocks
    assert [perception_table.title, performance_table.title] == ["Perception measures", "Performance indicators"]
    assert performance_table.rows[0][-1].values[-1] == 91.0
    assert trends.svg.startswith("<svg") and "PERF" in trends.svg and "SAT" in trends.svg


@pytest.mark.parametrize(("key", "module"), [("A1", "processes.evidence"), ("A2", "processes.evidence"),
                                             ("B1", "voice.evidence"), ("B2", "loyalty.evidence"),
                                             ("C1", "improvements.evidence"), ("C2", "improvements.evidence"),
                                             ("C3", "improvements.evidence"),
                                             ("D1", "surveys.evidence"), ("E1", "processes.evidence")])
def test_each_criterion_has_its_source_from_the_package_that_owns_its_data(app, request_ctx, key, module):
    from evidence.automatic import sources

    assert sources()[key].__module__ == module
