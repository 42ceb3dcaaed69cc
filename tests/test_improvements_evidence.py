"""C1 and C2's automatic evidence on small hand-built improvements (missing, partly, met), read from the
improvements module's own C1 assessment; and the indicators of SMART improvements the E1 dashboard puts first."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from core.extensions import db
from core.findings import Status, Table
from improvements import evidence
from improvements.models import Evidence, PriorityCriterion, PriorityScore, SmartCheck
from improvements.models import Status as ImprovementStatus
from improvements.smart import CRITERIA

DONE_ON = date.today() - timedelta(days=30)


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


@pytest.fixture
def qualifying(make_improvement):
    """An implemented improvement meeting SMART, measured after the change and valued by clients."""

    def factory(group_id, title, *, favourable=True, score=4, **fields) -> int:
        values = dict(status=ImprovementStatus.IMPLEMENTED, smart=True, title=title, after_value=95.0,
                      after_period=DONE_ON, implemented_on=DONE_ON) | fields
        improvement_id = make_improvement(group_id, **values)
        if score is not None:  # prioritised on the one weighted criterion: 4 of 1–5 is 75
            criterion = db.session.query(PriorityCriterion).filter_by(name="Impact").one_or_none()
            if criterion is None:
                criterion = PriorityCriterion(name="Impact", weight=1.0)
                db.session.add(criterion)
                db.session.flush()
            db.session.add(PriorityScore(improvement_id=improvement_id, criterion_id=criterion.id, score=score))
            db.session.commit()
        if favourable is not None:
            db.session.add(Evidence(improvement_id=improvement_id, kind="survey", title="Satisfaction wave",
                                    before_value=3.1, after_value=4.2, favourable=favourable))
            db.session.commit()
        return improvement_id

    return factory


def test_c1_missing_without_improvements(app, request_ctx):
    finding = evidence.improvement_groups_evidence()
    assert finding.status == Status.MISSING
    assert finding.reasons[0].text.startswith("C1 is met when")
    assert finding.reasons[1].text == "No improvement carried out by an improvement group has been recorded yet."
    assert finding.gaps[0].url == "/improvements/"


def test_c1_missing_when_none_qualifies_says_why_each_does_not(app, make_group, qualifying, request_ctx):
    group = make_group(name="Complaints group")
    unmeasured = qualifying(group, "Written answers", after_value=None, after_period=None)

    finding = evidence.improvement_groups_evidence()
    assert finding.status == Status.MISSING
    assert finding.reasons[0].text.startswith("C1 is met when at least 3 improvements")
    assert finding.reasons[1].text == ("No improvement qualifies yet (3 needed); 1 have been through the SMART check "
                                       "or beyond")
    assert [(g.text, g.url) for g in finding.gaps] == [
        ("3 more qualifying improvements are needed", "/improvements/c1"),
        ("Written answers (Complaints group) does not count: There is no result measured after the change.",
         f"/improvements/{unmeasured}")]


def test_c1_partly_lists_the_qualifying_improvement_and_why_the_others_do_not(app, make_group, make_improvement,
                                                                            qualifying, request_ctx):
    group = make_group(name="Welcome group")
    counted = qualifying(group, "Welcome call")
    failing = make_improvement(group, title="Vague idea", planned=False)
    db.session.add(SmartCheck(improvement_id=failing, passed=False, **{k: False for k in CRITERIA},
                              **{f"{k}_why": "" for k in CRITERIA}))
    db.session.commit()

    finding = evidence.improvement_groups_evidence()
    assert finding.status == Status.PARTLY
    assert (finding.reasons[1].text, finding.reasons[1].url) == (
        "1 improvement qualifies (3 needed): Welcome call (Welcome group)", "/improvements/c1")
    assert (finding.reasons[2].text, finding.reasons[2].url) == (
        "Welcome call (Welcome group): meets SMART, implemented, 40 → 95 % (+137.5 %), clients value it; "
        "prioritisation score 75", f"/improvements/{counted}")
    assert finding.gaps[0].text == "2 more qualifying improvements are needed"
    vague = finding.gaps[1]
    assert vague.url == f"/improvements/{failing}"
    assert vague.text.startswith("Vague idea (Welcome group) does not count: It has not been implemented yet. "
                                 "It does not meet SMART.")


def test_c1_met_with_three_and_the_others_explained_among_the_reasons(app, make_group, make_improvement, qualifying,
                                                                      request_ctx):
    group = make_group(name="Group")
    ids = [qualifying(group, f"Improvement {n}") for n in range(3)]
    make_improvement(group, title="Still going", status=ImprovementStatus.IN_PROGRESS, smart=True)

    finding = evidence.improvement_groups_evidence(detail=True)
    assert finding.status == Status.MET
    assert finding.gaps == []
    assert finding.reasons[1].text.startswith("3 improvements qualify (3 needed): Improvement 0 (Group)")
    assert [r.url for r in finding.reasons[2:5]] == [f"/improvements/{i}" for i in ids]
    assert finding.reasons[-1].text.startswith("Still going (Group) does not count: It has not been implemented yet.")
    thresholds, table = finding.blocks
    assert thresholds.rows == [["Qualifying improvements needed", "3", "3"]]
    assert isinstance(table, Table)
    assert [row[0].text for row in table.rows] == ["Improvement 0", "Improvement 1", "Improvement 2", "Still going"]
    assert table.rows[0][-1] == "yes" and table.rows[0][3] == "yes" and table.rows[0][4] == "75"
    assert table.rows[-1][-1].startswith("It has not been implemented yet.") and table.rows[-1][4] == "—"
    assert evidence.improvement_groups_evidence(thresholds={"improvements_needed": 4}).status == Status.PARTLY


def test_c1_partly_when_a_counted_improvement_was_never_prioritised(app, make_group, qualifying, request_ctx):
    group = make_group(name="Group")
    qualifying(group, "Improvement 0")
    qualifying(group, "Improvement 1")
    unscored = qualifying(group, "Unscored", score=None)
    finding = evidence.improvement_groups_evidence()
    assert finding.status == Status.PARTLY
    assert [(g.text, g.url) for g in finding.gaps] == [
        ("Unscored (Group) counts, but has no prioritisation score: score it on every weighted criterion",
         f"/improvements/{unscored}")]


def test_c2_missing_without_implemented_improvements_or_results(app, make_group, make_improvement, qualifying,
                                                                 request_ctx):
    group = make_group()
    make_improvement(group, status=ImprovementStatus.APPROVED, smart=True)
    finding = evidence.results_evidence()
    assert finding.status == Status.MISSING
    assert finding.reasons[0].text.startswith("C2 is met when every implemented improvement has its result before "
                                              "and after")
    assert "at least 5 answers to “I know about the change to …” in a wave, 60 % of them agreeing" in \
        finding.reasons[0].text
    assert finding.reasons[1].text.startswith("No improvement has been implemented yet")
    assert finding.gaps[0].url == "/improvements/"

    unmeasured = qualifying(group, "Written answers", after_value=None, after_period=None, favourable=None)
    finding = evidence.results_evidence()
    assert finding.status == Status.MISSING
    assert finding.reasons[1].text == ("0 of 1 implemented improvements have a value before and after; 0 improved "
                                       "on their baseline and 0 reached their target")
    assert [(g.text, g.url) for g in finding.gaps] == [
        ("Written answers: no result measured after the change", f"/improvements/{unmeasured}")]


def test_c2_partly_names_the_improvement_that_did_not_improve_and_is_not_valued(app, make_group, qualifying,
                                                                               request_ctx):
    group = make_group()
    good = qualifying(group, "Welcome call")
    worse = qualifying(group, "Quarterly contact", after_value=30.0, favourable=None)

    finding = evidence.results_evidence()
    assert finding.status == Status.PARTLY
    assert finding.reasons[1].text == ("2 of 2 implemented improvements have a value before and after; 1 improved "
                                       "on their baseline and 1 reached their target")
    assert finding.reasons[2].text.startswith("1 of 2 implemented improvements are valued by clients")
    assert finding.reasons[3].text.startswith("0 of 2 implemented improvements are understood by clients")
    lines = {r.url: r.text for r in finding.reasons[4:]}
    assert lines[f"/improvements/{good}"] == "Welcome call: 40 → 95 % (+137.5 %), target 90 reached; clients value it"
    assert lines[f"/improvements/{worse}"] == ("Quarterly contact: 40 → 30 % (-25.0 %), target 90 not reached; "
                                               "no client valuation recorded")
    assert [(g.text, g.url) for g in finding.gaps] == [
        ("Quarterly contact: the result is not clearly better and nothing shows that clients value and understand it",
         f"/improvements/{worse}")]


def test_c2_met_when_each_result_is_evident_with_tables_in_detail(app, make_group, qualifying, request_ctx):
    group = make_group()
    qualifying(group, "Welcome call")
    qualifying(group, "Faster answers", favourable=None)  # a result evidently better counts without a survey
    fewer = qualifying(group, "Fewer steps", after_value=35.0, favourable=True)  # worse figure, clients value it

    finding = evidence.results_evidence(detail=True)
    # Valued, but nothing shows clients understand it (no "I know about the change to …" answered).
    assert finding.status == Status.PARTLY
    assert [(g.text, g.url) for g in finding.gaps] == [
        ("Fewer steps: the result is not clearly better, and no client survey shows that clients understand the "
         "change: add “I know about the change to …” to a client survey", f"/improvements/{fewer}")]
    thresholds, results, client = finding.blocks
    assert [row[0] for row in thresholds.rows] == ["Answers to “I know about the change to …” that agree (%)",
                                                   "Answers the understanding item needs in a wave"]
    assert results.headers[:4] == ["Improvement", "Measure", "Before", "After"]
    assert [row[0].text for row in results.rows] == ["Welcome call", "Faster answers", "Fewer steps"]
    assert results.rows[0][1] == "Complaints answered in writing"
    assert results.rows[0][4:9] == ["+137.5 %", "90", "yes", "yes", "—"]
    assert results.rows[1][-2] == "no"
    assert [row[0].text for row in client.rows] == ["Welcome call", "Fewer steps"]
    assert client.rows[0][1:7] == ["Survey result", "Satisfaction wave", "3.1", "4.2", "Higher is better", "yes"]


def test_smart_indicator_ids_are_those_of_improvements_past_their_smart_check(app, make_group, make_improvement,
                                                                            make_process, make_indicator,
                                                                            request_ctx):
    process = make_process(code="P01")
    measured, unchecked, cancelled, other = (make_indicator(process, code=c) for c in ("A", "B", "C", "D"))
    group = make_group()
    make_improvement(group, status=ImprovementStatus.PROPOSED, smart=True, indicator_id=measured)
    make_improvement(group, indicator_id=unchecked)
    make_improvement(group, status=ImprovementStatus.CANCELLED, smart=True, indicator_id=cancelled)
    assert evidence.smart_indicator_ids() == {measured}

    from processes.dashboard import indicator_rows

    assert [row.indicator.code for row in indicator_rows()] == ["A", "B", "C", "D"]
    make_improvement(group, status=ImprovementStatus.VERIFIED, smart=True, indicator_id=other)
    assert [row.indicator.code for row in indicator_rows()][:2] == ["A", "D"]


def _statements(function) -> int:
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        function(detail=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_c1_and_c2_read_a_fixed_number_of_queries(app, make_group, qualifying, request_ctx):
    group = make_group()
    qualifying(group, "First")
    few = [_statements(f) for f in (evidence.improvement_groups_evidence, evidence.results_evidence)]
    for n in range(5):
        qualifying(group, f"More {n}")
    assert [_statements(f) for f in (evidence.improvement_groups_evidence, evidence.results_evidence)] == few


def test_c2_reads_fewer_repeated_complaints_as_favourable_in_the_pack(app, make_group, qualifying, request_ctx):
    improvement = qualifying(make_group(), "Written answers", favourable=None)
    db.session.add(Evidence(improvement_id=improvement, kind="complaints", title="Repeated complaints",
                            before_value=38, after_value=17, higher_is_better=True, favourable=False))
    db.session.commit()
    _thresholds, _results, client = evidence.results_evidence(detail=True).blocks
    assert client.headers[5:7] == ["Better when", "Favourable"]
    assert client.rows[0][2:7] == ["Repeated complaints", "38", "17", "Lower is better", "yes"]
