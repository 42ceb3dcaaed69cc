"""Each criterion's rule, table by table: facts built by hand (no database, no request) → status.

The facts are the dataclasses the evidence modules read from the data; these tables say, for each criterion,
which facts make it met, partly met or missing."""

import ast
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace as Record

import pytest

from core.findings import Status, threshold_values
from improvements import evidence as improvements_evidence
from improvements.results import C1Status, Result, Understanding
from loyalty import evidence as loyalty_evidence
from processes import evidence as processes_evidence
from processes.agreements import AgreementState, Compliance
from processes.models import IndicatorKind
from processes.standard import SheetFacts
from surveys import evidence as surveys_evidence
from voice import evidence as voice_evidence
from voice.models import RequirementSource, RequirementStatus

MET, PARTLY, MISSING = Status.MET, Status.PARTLY, Status.MISSING
PROGRAMME, STANDARD = Record(id=1, name="Loyalty"), Record(id=1, min_participants=2, min_indicators=1)


def _sheet(owner=True, participants=2, indicators=1) -> SheetFacts:
    return SheetFacts(frozenset({"owner"} if owner else ()), participants, indicators, 0)


def _a1(programme=PROGRAMME, sheets=(), standard=STANDARD):
    processes = tuple(Record(id=n, code=f"P{n}") for n in range(len(sheets)))
    return processes_evidence.A1Facts(programme, processes, dict(enumerate(sheets)), standard)


@pytest.mark.parametrize(("facts", "status"), [
    (_a1(programme=None), MISSING),
    (_a1(sheets=()), MISSING),
    (_a1(sheets=(_sheet(),)), MET),
    (_a1(sheets=(_sheet(), _sheet())), MET),
    (_a1(sheets=(_sheet(),), standard=None), PARTLY),
    (_a1(sheets=(_sheet(), _sheet(owner=False))), PARTLY),
    (_a1(sheets=(_sheet(participants=0),)), PARTLY),
    (_a1(sheets=(_sheet(indicators=0),)), PARTLY),
    (_a1(sheets=(_sheet(participants=1),)), PARTLY),  # the standard asks 2 (FID-C06 in the demo)
    (_a1(sheets=(_sheet(participants=1),), standard=Record(id=1, min_participants=1, min_indicators=1)), MET),
    (_a1(sheets=(_sheet(participants=3, indicators=1),), standard=Record(id=1, min_participants=3,
                                                                          min_indicators=2)), PARTLY),
    (_a1(sheets=(_sheet(participants=3, indicators=2),), standard=Record(id=1, min_participants=3,
                                                                          min_indicators=2)), MET),
])
def test_a1(facts, status):
    assert processes_evidence.a1_status(facts) == status


def _interface(*, problem=None, agreement=None, state=Compliance.NO_DATA):
    return Record(problem=problem, agreement=agreement), AgreementState(state)


@pytest.mark.parametrize(("programmes", "states", "status"), [
    (1, [], MISSING),
    (1, [_interface()], MISSING),
    (2, [], MISSING),
    (2, [_interface(problem="Late", state=Compliance.NO_AGREEMENT)], PARTLY),
    (2, [_interface(problem="Late", agreement="5 days", state=Compliance.BREACHED)], PARTLY),
    (2, [_interface(agreement="5 days", state=Compliance.NOT_MEASURABLE)], PARTLY),
    (2, [_interface(problem="Late", agreement="5 days", state=Compliance.COMPLIANT)], MET),
    (3, [_interface(), _interface(agreement="5 days", state=Compliance.COMPLIANT)], MET),  # no problem, no data yet
    (2, [_interface(state=Compliance.COMPLIANT), _interface(state=Compliance.BREACHED)], PARTLY),
])
def test_a2(programmes, states, status):
    assert processes_evidence.a2_status(processes_evidence.A2Facts(programmes, tuple(states))) == status


def _row(kind=IndicatorKind.PERFORMANCE, periods=12, target=True, benchmark=True):
    return Record(indicator=Record(kind=kind), periods=periods, has_target=target,
                  benchmark=Record(value=1) if benchmark else None)


BOTH = [_row(IndicatorKind.PERCEPTION), _row()]


@pytest.mark.parametrize(("rows", "status"), [
    ([], MISSING),
    (BOTH, MET),
    (BOTH + [_row(benchmark=False)], MET),  # one comparison per kind is enough
    ([_row()], PARTLY),  # no perception measure
    ([_row(IndicatorKind.PERCEPTION)], PARTLY),  # no performance indicator
    ([_row(IndicatorKind.PERCEPTION), _row(benchmark=False)], PARTLY),
    (BOTH + [_row(periods=11)], PARTLY),
    (BOTH + [_row(target=False)], PARTLY),
])
def test_e1(rows, status):
    assert processes_evidence.e1_status(processes_evidence.E1Facts(tuple(rows))) == status


def _e1_limits(**given):
    return threshold_values(processes_evidence.E1_THRESHOLDS, given)


@pytest.mark.parametrize(("rows", "limits", "status"), [
    ([], _e1_limits(history_periods=1), MISSING),
    (BOTH, _e1_limits(history_periods=12), MET),
    (BOTH, _e1_limits(history_periods=13), PARTLY),  # 12 periods, 13 asked
    ([_row(IndicatorKind.PERCEPTION, periods=6), _row(periods=6)], _e1_limits(history_periods=6), MET),
    (BOTH, _e1_limits(min_per_kind=2), PARTLY),  # one perception measure, two asked
    (BOTH * 2, _e1_limits(min_per_kind=2), MET),
    (BOTH + [_row(IndicatorKind.PERCEPTION)], _e1_limits(min_compared_per_kind=2), PARTLY),  # one performance
    (BOTH * 2, _e1_limits(min_compared_per_kind=2), MET),
    ([_row(IndicatorKind.PERCEPTION, benchmark=False), _row(benchmark=False)], _e1_limits(min_compared_per_kind=0),
     MET),  # a set that asks no external comparison
])
def test_e1_with_the_criteria_sets_thresholds(rows, limits, status):
    assert processes_evidence.e1_status(processes_evidence.E1Facts(tuple(rows), limits)) == status


TODAY = date(2026, 5, 15)


def _b2(clients=40, *, updated=TODAY, figures_year=2025, strategic=3, unexplained=0):
    return loyalty_evidence.B2Facts(TODAY, clients, current=30, unexplained=unexplained, strategic=strategic,
                                    updated=updated, figures_year=figures_year)


@pytest.mark.parametrize(("facts", "status"), [
    (loyalty_evidence.B2Facts(TODAY, 0), MISSING),
    (_b2(), MET),
    (_b2(updated=TODAY - timedelta(days=365)), MET),  # a year to the day is still current
    (_b2(updated=TODAY - timedelta(days=366)), PARTLY),
    (_b2(figures_year=None), PARTLY),
    (_b2(strategic=0), PARTLY),
    (_b2(unexplained=1), PARTLY),
    (_b2(clients=1, strategic=0, figures_year=None, unexplained=1), PARTLY),  # any client: never missing
])
def test_b2(facts, status):
    assert loyalty_evidence.b2_status(facts) == status


def _requirements(sources=3, *, stale=0, unexplained=0, in_window=None):
    counts = {(source, RequirementStatus.ANALYSED): 2 for source in list(RequirementSource)[:sources]}
    window = None if in_window is None else {source: 1 for source in list(RequirementSource)[:in_window]}
    return voice_evidence.RequirementFacts(sum(counts.values()), 0, counts, {}, stale, unexplained, window)


SURVEY = Record(hidden=False, drivers=[Record()], nps=20.0, repurchase=80.0)


def _b1(requirements=None, *, ever=4, received=3, answered=2, survey=SURVEY, activities=(), **limits):
    limits = voice_evidence.threshold_values(voice_evidence.B1_THRESHOLDS, limits)
    return voice_evidence.B1Facts(TODAY, requirements or _requirements(), activities=activities,
                                  complaints_ever=ever, recent=voice_evidence.Window(received, answered),
                                  survey=survey, limits=limits)


@pytest.mark.parametrize(("facts", "status"), [
    (voice_evidence.B1Facts(TODAY), MISSING),
    (_b1(voice_evidence.RequirementFacts(), ever=0, received=0, answered=0, survey=None), MISSING),
    (_b1(voice_evidence.RequirementFacts(), ever=0, received=0, answered=0, survey=None,
         activities=((None, 1, 8, TODAY),)), PARTLY),  # a listening activity alone is something
    (_b1(), MET),
    (_b1(_requirements(2)), PARTLY),
    (_b1(_requirements(2), min_sources=2), MET),  # a set that asks two sources
    (_b1(_requirements(6, in_window=2)), PARTLY),  # six sources ever, two in the window
    (_b1(_requirements(6, in_window=3)), MET),
    (_b1(_requirements(6, in_window=0)), PARTLY),  # nothing identified in the window
    (_b1(_requirements(stale=1)), PARTLY),
    (_b1(_requirements(unexplained=1)), PARTLY),
    (_b1(voice_evidence.RequirementFacts()), PARTLY),
    (_b1(ever=0, received=0, answered=0), PARTLY),
    (_b1(received=0, answered=0), PARTLY),  # complaints recorded, none in the last 12 months
    (_b1(answered=0), PARTLY),
    (_b1(survey=None), PARTLY),
    (_b1(survey=Record(**SURVEY.__dict__ | {"hidden": True})), PARTLY),
    (_b1(survey=Record(**SURVEY.__dict__ | {"drivers": []})), PARTLY),
    (_b1(survey=Record(**SURVEY.__dict__ | {"nps": None})), MET),  # the intention to keep buying is enough
    (_b1(survey=Record(**SURVEY.__dict__ | {"nps": None, "repurchase": None})), PARTLY),
])
def test_b1(facts, status):
    assert voice_evidence.b1_status(facts) == status


def _c1(qualifying=0, others=0, *, unscored=0, needed=3):
    priorities = {n: (None if n < unscored else 60.0) for n in range(qualifying)}
    return improvements_evidence.C1Facts(C1Status([Record(id=n) for n in range(qualifying)],
                                                  [(Record(id=100 + n), ["No result"]) for n in range(others)]), {},
                                         priorities, {"improvements_needed": needed})


@pytest.mark.parametrize(("facts", "status"), [
    (_c1(), MISSING),
    (_c1(others=4), MISSING),  # checked, none qualifies
    (_c1(qualifying=1), PARTLY),
    (_c1(qualifying=2, others=5), PARTLY),
    (_c1(qualifying=3), MET),
    (_c1(qualifying=4, others=2), MET),  # the others are listed, they do not undo C1
    (_c1(qualifying=3, unscored=1), PARTLY),  # one counted improvement was never prioritised
    (_c1(qualifying=2, needed=2), MET),  # a set that asks two
    (_c1(qualifying=3, needed=4), PARTLY),
])
def test_c1(facts, status):
    assert improvements_evidence.c1_status(facts) == status


def _assessed(before=40.0, after=80.0, *, valued=False, higher_is_better=True, target=None):
    return Record(result=Result(before, after, target, higher_is_better), valued=valued)


def _knows(answers=10, agreeing=7):
    """What clients answered to "I know about the change to …" in a wave (70 % agree by default)."""
    return Understanding("Oleada", date(2026, 10, 1), answers, agreeing)


def _c2(*assessments, understanding=None, limits=None):
    improvements = tuple(Record(id=n) for n in range(len(assessments)))
    limits = {"min_understanding_share": 60, "min_understanding_answers": 5} | (limits or {})
    return improvements_evidence.C2Facts(improvements, dict(enumerate(assessments)), understanding or {}, limits)


@pytest.mark.parametrize(("facts", "status"), [
    (_c2(), MISSING),
    (_c2(_assessed()), MET),  # the positive result is evident
    (_c2(_assessed(80.0, 40.0, higher_is_better=False)), MET),  # lower is better and it fell
    (_c2(_assessed(target=90.0)), PARTLY),  # improved, but missed its target: not clearly evident
    (_c2(_assessed(target=90.0, valued=True), understanding={0: _knows()}), MET),  # understood and valued
    (_c2(_assessed(target=75.0)), MET),
    (_c2(_assessed(80.0, 40.0, valued=True)), PARTLY),  # worse; clients value it, nothing shows they understand it
    (_c2(_assessed(80.0, 40.0, valued=True), understanding={0: _knows()}), MET),  # worse, understood and valued
    (_c2(_assessed(80.0, 40.0), understanding={0: _knows()}), PARTLY),  # understood, but not valued
    (_c2(_assessed(80.0, 40.0, valued=True), understanding={0: _knows(10, 5)}), PARTLY),  # 50 % know, 60 % asked
    (_c2(_assessed(80.0, 40.0, valued=True), understanding={0: _knows(10, 5)},
         limits={"min_understanding_share": 50}), MET),  # a set that asks 50 %
    (_c2(_assessed(80.0, 40.0, valued=True), understanding={0: _knows(4, 4)}), PARTLY),  # too few answers
    (_c2(_assessed(80.0, 40.0, valued=True), understanding={0: _knows(4, 4)},
         limits={"min_understanding_answers": 3}), MET),
    (_c2(_assessed(80.0, 40.0)), MISSING),  # measured, neither better nor valued nor understood
    (_c2(_assessed(after=None)), MISSING),
    (_c2(_assessed(before=None, valued=True), understanding={0: _knows()}), MISSING),  # no before/after to show
    (_c2(_assessed(), _assessed(after=None)), PARTLY),
    (_c2(_assessed(), _assessed(80.0, 40.0)), PARTLY),
])
def test_c2(facts, status):
    assert improvements_evidence.c2_status(facts) == status


def _stage(holders):
    return Record(process_id=1), holders


C3 = improvements_evidence


def _changed(processes=("P1",), *, revisions=None, no_diagram=(), no_stage=0, affected=2, informed=1, trained=0):
    return C3.ChangeRecord(Record(id=1), tuple(processes), len(processes) if revisions is None else revisions,
                           tuple(no_diagram), no_stage, len(processes), affected, informed, trained, affected)


HELD_STAGE = (_stage(2),)


def _c3(*counted, revised=1, revisions=2, linked=1, stages=HELD_STAGE, limits=None):
    limits = limits or C3.threshold_values(C3.C3_THRESHOLDS, None)
    return C3.C3Facts(revised, revisions, linked, stages, tuple(counted), limits)


@pytest.mark.parametrize(("facts", "status"), [
    (C3.C3Facts(0, 0, 0), MISSING),
    (_c3(revised=0, revisions=0, linked=0, stages=()), MISSING),  # nothing changed, nothing counted
    (_c3(_changed(()), revised=0, revisions=0, linked=0, stages=()), MISSING),  # an improvement that changed nothing
    (_c3(_changed()), MET),
    (_c3(_changed(), _changed(("P1", "P2"))), MET),
    (_c3(), PARTLY),  # diagrams and revisions, but no counted improvement
    (_c3(_changed(no_diagram=("P1",)), stages=()), PARTLY),  # no diagram drawn
    (_c3(_changed(), stages=(_stage(2), _stage(0))), PARTLY),  # a stage nobody holds
    (_c3(_changed(), _changed(())), PARTLY),  # one of two changed no process (the demo's case)
    (_c3(_changed(revisions=0)), PARTLY),  # the change names no sheet revision
    (_c3(_changed(no_diagram=("P1",))), PARTLY),  # the changed process has no current diagram
    (_c3(_changed(no_stage=1)), PARTLY),  # no diagram stage touched
    (_c3(_changed(affected=0)), PARTLY),  # nobody listed as affected
    (_c3(_changed(informed=0)), PARTLY),  # nobody informed or trained
    (_c3(_changed(informed=0, trained=1)), MET),  # a training session is enough
    (_c3(_changed(affected=2), limits={"min_process_changes": 1, "min_affected_people": 3, "min_sessions": 1}),
     PARTLY),  # a stricter set asks three people
    (_c3(_changed(("P1",)), limits={"min_process_changes": 2, "min_affected_people": 1, "min_sessions": 1}),
     PARTLY),
])
def test_c3(facts, status):
    assert improvements_evidence.c3_status(facts) == status


def _summary(favourable=75.0, rate=60.0, hidden=False):
    return Record(hidden=hidden, headline={"participation": favourable}, response_rate=rate)


def _group(name="GM-1", favourable=80.0):
    return Record(name=name, headline={"participation": favourable})


def _d1(summary=None, groups=(), hidden_groups=0, not_invited=()):
    return surveys_evidence.D1Facts(Record(id=1), summary or _summary(), tuple(groups), hidden_groups,
                                    tuple(not_invited))


@pytest.mark.parametrize(("facts", "status"), [
    (surveys_evidence.D1Facts(), MISSING),
    (_d1(_summary(hidden=True)), MISSING),  # below the minimum n of an anonymous survey
    (_d1(), MET),
    (_d1(_summary(favourable=60.0, rate=50.0)), MET),  # the targets themselves are enough
    (_d1(_summary(favourable=59.9)), PARTLY),
    (_d1(_summary(favourable=None)), PARTLY),  # nobody answered the participation questions
    (_d1(_summary(rate=49.0)), PARTLY),
    (_d1(_summary(rate=None)), PARTLY),  # no invitations: the rate is unknown
    (_d1(groups=[_group(), _group("GM-2", 55.0)]), PARTLY),
    (_d1(groups=[_group(), _group(None, 20.0)]), MET),  # answers outside any group are not a group
    (_d1(groups=[_group("GM-2", None)]), MET),  # a group without participation answers falls short of nothing
    (_d1(hidden_groups=1), PARTLY),
    (_d1(not_invited=[Record(name="GM-3")]), PARTLY),
])
def test_d1(facts, status):
    assert surveys_evidence.d1_status(facts) == status


FOCUS_GROUP = Record(title="Staff focus group", held_on=TODAY, participants=8, findings=None, url="/")


def _d1_with(summary=None, focus_groups=(), shown=True, **given):
    limits = threshold_values(surveys_evidence.D1_THRESHOLDS, given)
    return surveys_evidence.D1Facts(Record(id=1) if shown else None, summary or _summary(),
                                    focus_groups=tuple(focus_groups), limits=limits, since=TODAY)


@pytest.mark.parametrize(("facts", "status"), [
    (_d1_with(shown=False), MISSING),
    (_d1_with(shown=False, focus_groups=[FOCUS_GROUP]), PARTLY),  # focus groups without the survey
    (_d1_with(_summary(hidden=True), [FOCUS_GROUP]), PARTLY),
    (_d1_with(), MET),  # no focus group asked by default
    (_d1_with(min_focus_groups=1), PARTLY),
    (_d1_with(focus_groups=[FOCUS_GROUP], min_focus_groups=1), MET),
    (_d1_with(focus_groups=[FOCUS_GROUP], min_focus_groups=2), PARTLY),
    (_d1_with(_summary(favourable=70.0), favourable_target=75), PARTLY),
    (_d1_with(_summary(favourable=55.0), favourable_target=50), MET),
    (_d1_with(_summary(rate=40.0), response_rate_target=40), MET),
    (_d1_with(_summary(rate=40.0), response_rate_target=41), PARTLY),
])
def test_d1_with_the_criteria_sets_thresholds(facts, status):
    assert surveys_evidence.d1_status(facts) == status


EVIDENCE_MODULES = ["processes/evidence.py", "loyalty/evidence.py", "voice/evidence.py",
                    "improvements/evidence.py", "surveys/evidence.py"]


@pytest.mark.parametrize("path", EVIDENCE_MODULES)
def test_no_evidence_function_is_longer_than_25_lines(path):
    tree = ast.parse((Path(__file__).resolve().parents[1] / path).read_text())
    long = [(node.name, node.end_lineno - node.lineno + 1) for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > 25]
    assert long == []
