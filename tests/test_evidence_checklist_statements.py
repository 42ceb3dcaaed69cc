"""The checklist page reads the evidence of every criterion in a number of SQL statements that does not grow with
the records behind it or with criteria that share a source, and reads once what two criteria share (the service
cycle of A1 and B1, the improvements C1 and C2 both assess: ``core.shared_reads``)."""

from sqlalchemy import event, select

from bench.pack_data import grow
from core.extensions import db
from core.shared_reads import reading_together, shared
from evidence.models import CriteriaSet, Criterion

#: The page's statements on the demo organisation (108 before the criteria shared their reads, issue 17; 90 after,
#: 5 more since the records past their review date and the expired evidence are read, issue 19, and 4 more since
#: the surveys' evidence reads the running totals, per wave, instead of one pass over the answers, and 4 more since
#: B2 reads the kept ranking and the census version it is kept for; 98 since B2's two figures share the ranking, a
#: wave's results and release state share its sizes, and the page reads the criteria sets once; 95 since the records
#: past their review date read the set in use, the self-assessments and the items the rows read, ``evidence.linked``;
#: 93 since a wave's release state reads its pending responses and last batch in one statement).
BUDGET = 93


def statements(app, client, url="/evidence/") -> int:
    with app.app_context():
        engine = db.engine
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def _more_criteria_on_the_same_sources(app, codes=("A1", "C1", "E1")) -> None:
    with app.app_context():
        criteria_set = db.session.scalar(select(CriteriaSet).where(CriteriaSet.code == "FID-A1E1"))
        shipped = {c.code: c for c in criteria_set.criteria}
        for n, code in enumerate(codes, start=100):  # the same rule: the same thresholds as the shipped criterion
            db.session.add(Criterion(set_id=criteria_set.id, code=f"X{code}", position=n, text={"en": f"Also {code}"},
                                     evidence_source=code, thresholds=shipped[code].thresholds))
        db.session.commit()


def _grow(app, processes: int, indicators: int) -> None:
    with app.app_context():
        grow(processes=processes, indicators=indicators, months=13)
        db.session.commit()


def test_the_checklist_page_reads_a_fixed_number_of_statements(app, runner):
    """On the demo organisation (every criterion has records), then with three times its processes and ten times
    its indicators, and three more criteria reading the sources of A1, C1 and E1."""
    from core.models import User
    from tests.conftest import sign_in

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demo.test"))
        db.session.expunge(coordinator)
    client = sign_in(app.test_client(), coordinator)
    client.get("/evidence/")  # the app's first request: schema check
    demo = statements(app, client)
    _grow(app, 60, 110)
    _more_criteria_on_the_same_sources(app)
    assert statements(app, client) == demo and demo <= BUDGET, demo


def test_a_shared_read_runs_once_inside_a_scope_and_every_time_outside():
    calls = []

    @shared
    def read(key):
        calls.append(key)
        return [key]

    with reading_together():
        assert read(1) is read(1) and read(2) == [2]
        with reading_together():  # a nested scope is the outer one
            read(1)
    assert calls == [1, 2]
    read(1)
    read(1)
    assert calls == [1, 2, 1, 1], "outside a scope nothing is kept"
