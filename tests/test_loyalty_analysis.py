"""Ranking with ABC classes, the census history and the segmentation matrix, on small hand-computed cases."""

from datetime import date

import pytest

from core.extensions import db
from loyalty import history, ranking, segments
from loyalty.models import CensusSettings, ContributionBasis
from loyalty.settings import SettingsError, check_settings, current_settings


def settings(**changes) -> CensusSettings:
    base = dict(contribution_basis=ContributionBasis.MARGIN, class_a_share=80.0, class_b_share=95.0,
                loyalty_axis="tenure", tenure_short_years=2, tenure_long_years=5)
    return CensusSettings(**(base | changes))


@pytest.fixture
def six_clients(make_client):
    """Margins 50, 30, 10, 5, 3, 2 in 2024 (total 100): cumulative 50, 80, 90, 95, 98, 100 %."""
    ids = {}
    for code, margin, purchases in (("M50", 50, 100), ("M30", 30, 600), ("M10", 10, 50), ("M05", 5, 20),
                                    ("M03", 3, 10), ("M02", 2, 5)):
        ids[code] = make_client(code, figures={2024: (1000, purchases, margin), 2023: (1000, 1, 1)})
    ids["NOFIG"] = make_client("NOFIG")  # current, no 2024 figures: contribution 0, class C
    ids["GONE"] = make_client("GONE", left=date(2022, 5, 1), figures={2021: (10, 10, 10)})  # not in 2024
    return ids


def ranking_rows(year=2024, population="current", **kwargs):
    query = ranking.ranking_query(year, kwargs.pop("config", settings()), ranking.RankingFilters(**kwargs),
                                  population=population)
    return [(row.Client.code, row.rank, round(row.cumulative_share, 6), row.abc, row.matching)
            for row in db.session.execute(query)]


def test_ranks_cumulative_shares_and_abc_classes(ctx, six_clients):
    assert ranking_rows() == [
        ("M50", 1, 50.0, "A", 7), ("M30", 2, 80.0, "A", 7), ("M10", 3, 90.0, "B", 7), ("M05", 4, 95.0, "B", 7),
        ("M03", 5, 98.0, "C", 7), ("M02", 6, 100.0, "C", 7), ("NOFIG", 7, 100.0, "C", 7),
    ]


def test_thresholds_and_basis_are_configurable(ctx, six_clients):
    rows = ranking_rows(config=settings(class_a_share=50, class_b_share=90))
    assert [(code, abc) for code, _r, _s, abc, _m in rows][:4] == [("M50", "A"), ("M30", "B"), ("M10", "B"),
                                                                   ("M05", "C")]
    by_revenue = ranking_rows(config=settings(contribution_basis=ContributionBasis.REVENUE))
    assert [code for code, *_ in by_revenue][:3] == ["M30", "M50", "M10"]  # 600, 100, 50 of 785
    assert by_revenue[0][2] == pytest.approx(100 * 600 / 785)


def test_filters_keep_the_ranks_of_the_whole_year(ctx, six_clients):
    assert [(code, rank, abc, matching) for code, rank, _s, abc, matching in ranking_rows(abc="B")] == [
        ("M10", 3, "B", 2), ("M05", 4, "B", 2)]
    assert [code for code, *_ in ranking_rows(q="m0")] == ["M05", "M03", "M02"]
    assert [code for code, *_ in ranking_rows(year=2021, status="lost", population="all")] == ["GONE"]
    assert ranking_rows(year=2021, status="lost") == []  # lost clients are not among the current ones


@pytest.fixture
def two_lost_big_buyers(make_client):
    """Margins of 2024: two lost clients 400 and 300, three current ones 150, 100 and 50.

    Among all 5 (total 1 000): cumulative 40, 70, 85, 95, 100 % → L400 A, L300 A, C150 A, C100 B, C50 C.
    Among the 3 current (total 300): cumulative 50, 83.3, 100 % → C150 A, C100 A, C50 B.
    """
    ids = {"L400": make_client("L400", left=date(2024, 10, 1), figures={2024: (None, 10, 400)}),
           "L300": make_client("L300", left=date(2025, 2, 1), figures={2024: (None, 10, 300)})}
    for margin in (150, 100, 50):
        ids[f"C{margin}"] = make_client(f"C{margin}", joined=date(2015, 1, 1), figures={2024: (None, 10, margin)})
    return ids


def test_classes_among_current_clients_differ_from_classes_among_all(ctx, two_lost_big_buyers):
    assert ranking_rows() == [("C150", 1, 50.0, "A", 3), ("C100", 2, round(250 / 3, 6), "A", 3),
                              ("C50", 3, 100.0, "B", 3)]
    assert ranking_rows(population="all") == [
        ("L400", 1, 40.0, "A", 5), ("L300", 2, 70.0, "A", 5), ("C150", 3, 85.0, "A", 5), ("C100", 4, 95.0, "B", 5),
        ("C50", 5, 100.0, "C", 5)]
    # The status filter narrows the rows; ranks and classes stay those of the population.
    assert ranking_rows(population="all", status="active") == [
        ("C150", 3, 85.0, "A", 3), ("C100", 4, 95.0, "B", 3), ("C50", 5, 100.0, "C", 3)]


def test_class_summary_and_positions_follow_the_population(ctx, two_lost_big_buyers):
    summary = lambda population: [(s.abc, s.clients, s.contribution, round(s.share, 6))  # noqa: E731
                                  for s in ranking.pareto(2024, settings(), population)[1]]
    assert summary("current") == [("A", 2, 250.0, round(250 / 3, 6)), ("B", 1, 50.0, round(50 / 3, 6)),
                                  ("C", 0, 0.0, 0.0)]
    assert summary("all") == [("A", 3, 850.0, 85.0), ("B", 1, 100.0, 10.0), ("C", 1, 50.0, 5.0)]
    lost, current = two_lost_big_buyers["L400"], two_lost_big_buyers["C100"]
    assert ranking.client_rank(lost, 2024, settings()) is None
    assert (ranking.client_rank(lost, 2024, settings(), "all").rank, ranking.client_rank(current, 2024, settings(),
                                                                                          "all").abc) == (1, "B")
    assert ranking.client_rank(current, 2024, settings()).abc == "A"
    cells = {(cell.abc, cell.tenure): cell.clients for row in segments.matrix(2024, settings()) for cell in row}
    assert (cells[("A", "loyal")], cells[("B", "loyal")], cells[("C", "loyal")]) == (2, 1, 0)


def test_sorting_by_another_column(ctx, six_clients):
    query = ranking.ranking_query(2024, settings(), ranking.RankingFilters(), sort="code", descending=True)
    assert [row.Client.code for row in db.session.execute(query)][:2] == ["NOFIG", "M50"]


def test_pareto_points_and_class_summary(ctx, six_clients):
    points, summary = ranking.pareto(2024, settings())
    assert points[0] == {"clients": 0.0, "contribution": 0.0}
    assert points[-1]["clients"] == pytest.approx(100.0) and points[-1]["contribution"] == pytest.approx(100.0)
    assert [(s.abc, s.clients, s.contribution, s.share) for s in summary] == [
        ("A", 2, 80.0, 80.0), ("B", 2, 15.0, 15.0), ("C", 3, 5.0, 5.0)]


def test_negative_and_zero_contributions_are_class_c(ctx, make_client):
    make_client("POS", figures={2024: (None, 10, 10)})
    make_client("NEG", figures={2024: (None, 10, -5)})
    assert [(code, abc) for code, _r, _s, abc, _m in ranking_rows()] == [("POS", "A"), ("NEG", "C")]


@pytest.fixture
def movements(make_client, exit_reasons):
    make_client("C5", joined=date(2019, 1, 1), left=date(2022, 1, 15), reason_id=exit_reasons["competitor"],
                figures={2021: (None, 70, 7)})
    make_client("C1", joined=date(2020, 3, 1))
    make_client("C2", joined=date(2020, 6, 1), left=date(2021, 5, 10), reason_id=exit_reasons["poor_service"],
                figures={2020: (None, 100, 10)})
    make_client("C3", joined=date(2021, 2, 1), left=date(2021, 11, 1), reason_id=exit_reasons["poor_service"],
                figures={2021: (None, 40, 4)})
    make_client("C4", joined=date(2021, 7, 1))
    return exit_reasons


def test_yearly_history_by_the_definitions(ctx, movements):
    rows = history.census_history("year", settings(), start=date(2020, 1, 1), end=date(2022, 12, 31))
    table = [(p.key, p.at_start, p.new, p.lost, p.at_end, p.net_growth, p.contribution_lost) for p in rows]
    assert table == [(2020, 1, 2, 0, 3, 2, 0.0), (2021, 3, 2, 2, 3, 0, 14.0), (2022, 3, 0, 1, 2, -1, 7.0)]
    y2021, y2022 = rows[1], rows[2]
    assert y2021.churn == pytest.approx(200 / 3)      # 2 lost ÷ 3 at start (C3 joined and left in 2021)
    assert y2021.retention == pytest.approx(200 / 3)  # of C1, C2, C5 only C2 left: 2 of 3 stay
    assert y2022.churn == pytest.approx(100 / 3) and y2022.retention == pytest.approx(200 / 3)
    assert y2022.growth_rate == pytest.approx(-100 / 3)
    assert rows[0].retention == 100.0 and rows[0].churn == 0.0


def test_quarterly_and_monthly_periods_fill_the_quiet_ones(ctx, movements):
    quarters = history.census_history("quarter", settings(), start=date(2021, 1, 1), end=date(2021, 12, 31))
    assert [(p.key, p.start, p.at_start, p.new, p.lost) for p in quarters] == [
        (20211, date(2021, 1, 1), 3, 1, 0), (20212, date(2021, 4, 1), 4, 0, 1),
        (20213, date(2021, 7, 1), 3, 1, 0), (20214, date(2021, 10, 1), 4, 0, 1)]
    months = history.census_history("month", settings(), start=date(2021, 10, 1), end=date(2022, 2, 28))
    assert [(p.key, p.at_start, p.lost) for p in months] == [
        (202110, 4, 0), (202111, 4, 1), (202112, 3, 0), (202201, 3, 1), (202202, 2, 0)]
    assert months[0].churn == 0.0


def test_periods_are_named_by_their_granularity(ctx, movements):
    quarter = history.census_history("quarter", settings(), start=date(2021, 7, 1), end=date(2021, 9, 30))[0]
    month = history.census_history("month", settings(), start=date(2021, 11, 1), end=date(2021, 11, 30))[0]
    assert history.period_label(quarter, "quarter") == "2021 Q3"
    assert history.period_label(quarter, "year") == "2021"
    assert history.period_label(month, "month") == "Nov 2021"


def test_exit_reasons_over_time(ctx, movements):
    found = history.exit_reasons_over_time("year")
    assert found == [(2021, movements["poor_service"], 2), (2022, movements["competitor"], 1)]


@pytest.mark.parametrize(("rows", "expected"), [
    ([], []),
    ([(2021, 1, 2), (2022, 2, 1), (2022, 1, 1)], [("Poor service", 3, 75.0), ("Competitor", 1, 25.0)]),
    ([(2021, None, 1), (2021, 3, 1), (2022, 1, 2)],  # reason 3 reads as reason 1; no reason is "Not recorded"
     [("Poor service", 3, 75.0), ("Not recorded", 1, 25.0)]),
])
def test_exit_reason_totals_add_each_reason_over_the_periods(ctx, rows, expected):
    names = {1: "Poor service", 2: "Competitor", 3: "Poor service"}
    assert [tuple(total) for total in history.exit_reason_totals(rows, names)] == expected


def test_exit_reason_totals_from_the_census(ctx, movements):
    names = {movements["poor_service"]: "Poor service", movements["competitor"]: "Competitor"}
    totals = history.exit_reason_totals(history.exit_reasons_over_time("quarter"), names)
    assert totals == [("Poor service", 2, pytest.approx(200 / 3)), ("Competitor", 1, pytest.approx(100 / 3))]
    assert totals[0].clients == 2 and totals[0].share == pytest.approx(200 / 3)


def test_history_of_an_empty_census_is_empty(ctx):
    assert history.census_history("month", settings()) == []


def test_segmentation_matrix_counts_current_clients(ctx, make_client):
    make_client("OLD-A", joined=date(2015, 1, 1), figures={2024: (None, 10, 80)})
    make_client("NEW-B", joined=date(2024, 3, 1), figures={2024: (None, 10, 15)})
    make_client("MID-C", joined=date(2021, 6, 1), figures={2024: (None, 10, 5)})
    make_client("LOST", joined=date(2015, 1, 1), left=date(2024, 6, 1), figures={2023: (None, 10, 1)})
    cells = {(cell.abc, cell.tenure): (cell.clients, cell.contribution)
             for row in segments.matrix(2024, settings()) for cell in row}
    assert cells[("A", "loyal")] == (1, 80.0)
    assert cells[("B", "new")] == (1, 15.0)
    assert cells[("C", "established")] == (1, 5.0)
    assert sum(count for count, _v in cells.values()) == 3
    assert str(segments.TREATMENTS[("A", "loyal")].name) == "Preferential"


def test_settings_refuse_thresholds_out_of_order(ctx):
    good = dict(class_a_share=80, class_b_share=95, tenure_short_years=2, tenure_long_years=5,
                loyalty_axis="tenure")
    check_settings(good)
    for bad in ({"class_a_share": 95, "class_b_share": 80}, {"class_b_share": 101},
                {"tenure_short_years": 5}, {"loyalty_axis": "satisfaction"}):
        with pytest.raises(SettingsError):
            check_settings(good | bad)
    assert current_settings().class_a_share == 80.0
