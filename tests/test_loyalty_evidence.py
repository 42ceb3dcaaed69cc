"""B2's automatic evidence on small hand-built censuses: missing, partly and met, with reasons and gaps that
link to the census pages, and a fixed number of queries."""

from datetime import date, datetime, timedelta

import pytest
from flask import g
from sqlalchemy import event, update

from core.extensions import db
from core.findings import Figure, Status, Table
from loyalty import evidence
from loyalty.models import CensusImport, Client

TODAY = date.today()
LAST_YEAR = TODAY.year - 1
#: A day this year, some weeks ago when possible (so new and lost clients fall in this year's period).
RECENT = max(TODAY - timedelta(days=40), date(TODAY.year, 1, 1))


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def _figures(margin):
    return {LAST_YEAR: (margin * 4, margin * 2, margin)}


def test_b2_missing_without_clients(app, request_ctx):
    finding = evidence.census_evidence()
    assert finding.status == Status.MISSING
    assert finding.reasons[0].text == "No client census has been recorded yet."
    assert finding.gaps[0].url == "/clients/import"


def test_b2_partly_counts_new_and_lost_and_names_each_gap(app, exit_reasons, make_client, request_ctx):
    recent = RECENT
    make_client("OLD", joined=date(2015, 1, 1), figures=_figures(800))
    make_client("NEW1", joined=recent, figures=_figures(150))
    make_client("NEW2", joined=recent, figures=_figures(50))
    explained = make_client("GONE1", joined=date(2016, 1, 1), left=recent, reason_id=exit_reasons["poor_service"])
    unexplained = make_client("GONE2", name="Talleres Goñi", joined=date(2016, 1, 1), left=recent)

    finding = evidence.census_evidence()
    assert finding.status == Status.PARTLY
    summary = finding.reasons[0]
    assert summary.text == (f"Census updated on {TODAY.month}/{TODAY.day}/{TODAY.year}; 2 new and 2 lost clients in "
                            "the last 12 months; 1 exits without a reason")
    assert summary.url.startswith("/clients/history?granularity=month")
    ranking = next(r for r in finding.reasons if "ranking" in r.text)
    assert ranking.text.startswith(f"3 current clients; the {LAST_YEAR} ranking by margin places them in ABC "
                                   "classes computed among the current clients")
    assert "class A 1 (80.0 % of the contribution)" in ranking.text
    assert ranking.url == f"/clients/?year={LAST_YEAR}&population=current"
    segmentation = next(r for r in finding.reasons if r.text.startswith("Segmentation in place"))
    assert segmentation.text.startswith("Segmentation in place: 3 current clients in 3 of 9 segments")
    assert segmentation.url == f"/clients/segments?year={LAST_YEAR}"
    gaps = [(g.text, g.url) for g in finding.gaps]
    assert gaps == [("No current client is marked as strategic", f"/clients/?year={LAST_YEAR}"),
                    (f"GONE2 · Talleres Goñi left on {recent:%-m/%-d/%Y} without a reason",
                     f"/clients/{unexplained}")]
    assert f"/clients/{explained}" not in {g.url for g in finding.gaps}


def test_b2_met_with_figures_strategic_clients_and_every_exit_explained_and_detail(app, exit_reasons, make_client,
                                                                                  request_ctx):
    recent = RECENT
    make_client("BIG", joined=date(2015, 1, 1), figures=_figures(900), strategic=True, strategic_reason="Key account")
    make_client("SMALL", joined=recent, figures=_figures(100))
    make_client("GONE", joined=date(2016, 1, 1), left=recent, reason_id=exit_reasons["competitor"],
                figures=_figures(30))

    finding = evidence.census_evidence(detail=True)
    assert finding.status == Status.MET, finding.gaps
    assert finding.gaps == []
    strategic = next(r for r in finding.reasons if "strategic" in r.text)
    assert strategic.text == "1 current client is marked as strategic, with the reason"
    assert strategic.url == f"/clients/?year={LAST_YEAR}&strategic=1&status=active"

    history, figure, reasons, classes, segments = finding.blocks
    assert isinstance(history, Table) and history.title == "New and lost clients per year"
    assert history.rows[-1][0].text == str(TODAY.year)
    assert history.rows[-1][2:4] == ["1", "1"]  # new, lost
    assert isinstance(figure, Figure) and figure.svg.startswith("<svg")
    assert reasons.rows == [["Moved to a competitor", "1", "100.0 %"]]
    assert [row[0].text for row in classes.rows] == ["A", "B", "C"]
    assert classes.rows[0][0].url == f"/clients/?year={LAST_YEAR}&abc=A&population=current"
    assert [row[2] for row in classes.rows] == ["€900", "€100", "€0"]  # sums of contributions: whole euros
    assert segments.headers == ["Class", "Loyal", "Established", "New"]
    assert segments.rows[0][1].text == "1 · Preferential"


def test_b2_census_not_updated_for_a_year_is_a_gap(app, make_client, request_ctx, monkeypatch):
    long_ago = datetime.combine(TODAY - timedelta(days=400), datetime.min.time())
    with monkeypatch.context() as clock:  # the trail is append-only: its entries are written long ago
        clock.setattr("core.audit.utcnow", lambda: long_ago)
        make_client("OLD", joined=date(2015, 1, 1), figures=_figures(800), strategic=True, strategic_reason="Key")
    db.session.execute(update(Client).values(created_at=long_ago))
    db.session.add(CensusImport(filename="censo.csv", year=LAST_YEAR, imported_at=long_ago, added=1))
    db.session.commit()

    finding = evidence.census_evidence()
    assert finding.status == Status.PARTLY
    assert [g.url for g in finding.gaps] == ["/clients/import"]
    assert finding.gaps[0].text.startswith("The census has not been updated since")
    last_import = next(r for r in finding.reasons if r.text.startswith("Last census import"))
    assert "censo.csv" in last_import.text and last_import.url == "/clients/imports"


def test_b2_without_yearly_figures_says_the_clients_cannot_be_ranked(app, make_client, request_ctx):
    make_client("A", strategic=True, strategic_reason="Key")
    finding = evidence.census_evidence(detail=True)
    assert finding.status == Status.PARTLY
    assert [(g.text, g.url) for g in finding.gaps] == [
        ("No yearly figures are recorded: the clients cannot be ranked by contribution or segmented",
         "/clients/import")]
    assert not any("ranking" in r.text or "Segmentation" in r.text for r in finding.reasons)


def test_b2_lists_a_few_exits_without_a_reason_and_counts_the_rest(app, make_client, request_ctx):
    for n in range(evidence.EXITS_LISTED + 2):
        make_client(f"L{n}", joined=date(2016, 1, 1), left=TODAY - timedelta(days=10 + n))
    gaps = evidence.census_evidence().gaps
    exits = [g for g in gaps if "without a reason" in g.text]
    assert len(exits) == evidence.EXITS_LISTED + 1
    assert exits[0].text.startswith("L0 · ")
    assert (exits[-1].text, exits[-1].url) == ("2 more exits without a reason", "/clients/?status=lost")


def _statements(app, detail: bool) -> int:
    g.pop("organisation", None)  # looked up once per request: each call here stands for a request of its own
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        evidence.census_evidence(detail=detail)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_b2_reads_a_fixed_number_of_queries(app, exit_reasons, make_client, request_ctx):
    def add(prefix, n):
        for i in range(n):
            make_client(f"{prefix}{i}", joined=TODAY - timedelta(days=100 + i), figures=_figures(10 + i),
                        left=TODAY - timedelta(days=5) if i % 3 == 0 else None)

    add("A", 3)
    few = _statements(app, False), _statements(app, True)
    add("B", 25)
    assert (_statements(app, False), _statements(app, True)) == few
