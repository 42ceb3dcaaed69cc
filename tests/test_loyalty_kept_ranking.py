"""The kept ranking (``loyalty.kept_ranking``) is the window query's, stored: equal to it on a hand-computed census
and after every kind of change (import, edit, figures, exit, thresholds, basis), computed once per census version,
the older versions' rows removed, and never used inside a transaction whose own changes it does not hold."""

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from core.extensions import db
from loyalty import kept_ranking, ranking, segments, services
from loyalty import settings as census_settings
from loyalty.models import (
    Client,
    ClientYear,
    ExitReason,
    KeptParetoPoint,
    KeptRanking,
    KeptRankingRow,
    KeptSegmentCount,
    Typology,
)
from loyalty.window import ranked
from tests.test_loyalty_import import SPANISH, confirm, upload  # noqa: F401 (the upload fixture)

YEAR = 2024
COLUMNS = ("client_id", "rank", "contribution", "cumulative_share", "abc", "population")


def rows(table) -> list[tuple]:
    found = db.session.execute(select(*(table.c[name] for name in COLUMNS)).order_by(table.c.rank)).all()
    return [(*row[:3], None if row[3] is None else round(row[3], 9), *row[4:]) for row in found]


def kept_rows(population="current", settings=None) -> list[tuple]:
    settings = settings or census_settings.current_settings()
    run = kept_ranking.kept(YEAR, settings, population)
    assert run is not None, "a committed census is kept"
    return rows(kept_ranking.rows_of(run))


def window_rows(population="current", settings=None) -> list[tuple]:
    return rows(ranked(YEAR, settings or census_settings.current_settings(), population))


def assert_kept_is_the_window():
    for population in ranking.POPULATIONS:
        assert kept_rows(population) == window_rows(population)


@pytest.fixture
def census(app, make_client):
    """Margins of 2024: C150, C100, C50, a current client without figures, and L400, lost in 2024."""
    ids = {"L400": make_client("L400", left=date(2024, 10, 1), figures={YEAR: (None, 10, 400)}),
           "C150": make_client("C150", figures={YEAR: (None, 10, 150)}),
           "C100": make_client("C100", figures={YEAR: (None, 10, 100)}),
           "C50": make_client("C50", figures={YEAR: (None, 10, 50)}),
           "C0": make_client("C0")}
    return ids


def test_the_kept_ranking_is_the_hand_computed_one(app, census):
    c = census
    with app.app_context():
        # Current: 300 in all; C100 starts at 50 % (A), C50 at 83.3 % (B), C0 contributes nothing (C).
        assert kept_rows("current") == [(c["C150"], 1, 150.0, 50.0, "A", 4),
                                        (c["C100"], 2, 100.0, round(250 / 3, 9), "A", 4),
                                        (c["C50"], 3, 50.0, 100.0, "B", 4),
                                        (c["C0"], 4, 0.0, 100.0, "C", 4)]
        # All: 700; C100 starts at 78.6 % (still A), C50 at 92.9 % (B).
        assert kept_rows("all") == [(c["L400"], 1, 400.0, round(400 / 7, 9), "A", 5),
                                    (c["C150"], 2, 150.0, round(5500 / 70, 9), "A", 5),
                                    (c["C100"], 3, 100.0, round(6500 / 70, 9), "A", 5),
                                    (c["C50"], 4, 50.0, 100.0, "B", 5),
                                    (c["C0"], 5, 0.0, 100.0, "C", 5)]
        assert_kept_is_the_window()


def test_a_version_is_computed_once_and_read_by_later_requests(app, census, monkeypatch):
    with app.app_context():
        settings = census_settings.current_settings()
        first = kept_ranking.kept(YEAR, settings)
        computed = []
        monkeypatch.setattr(kept_ranking, "_compute", lambda *args: computed.append(args))
        assert kept_ranking.kept(YEAR, settings).id == first.id
        # A request that waited on the lock while another computed the same version finds it, and only reads.
        kept_ranking.compute(kept_ranking._key(kept_ranking.census_version(), YEAR, kept_ranking._rule(settings),
                                               "current"))
        assert computed == []
        assert db.session.scalar(select(func.count()).select_from(KeptRanking)) == 1


def test_the_pages_read_the_kept_ranking_as_they_read_the_window(app, census, monkeypatch):
    with app.app_context():
        settings = census_settings.current_settings()
        filters = ranking.RankingFilters(abc="A")

        def read():
            query = ranking.ranking_query(YEAR, settings, filters, sort="name", population="all")
            listed = [(row.Client.code, row.rank, row.abc, row.tenure, row.matching)
                      for row in db.session.execute(query)]
            positions = [ranking.client_rank(client_id, YEAR, settings, population)
                         for client_id in census.values() for population in ranking.POPULATIONS]
            return (listed, ranking.pareto(YEAR, settings, "all"), ranking.pareto(YEAR, settings),
                    [None if row is None else tuple(row) for row in positions], segments.matrix(YEAR, settings))

        kept = read()
        assert db.session.scalar(select(func.count()).select_from(KeptParetoPoint)) > 0
        monkeypatch.setattr(kept_ranking, "kept", lambda *args, **kwargs: None)
        assert read() == kept
        assert kept[3][0] is None  # L400 has no place among the current clients
        assert sum(cell.clients for row in kept[4] for cell in row) == 4
        assert [code for code, *_rest in kept[0]] == ["L400", "C150", "C100"]  # by name: Client 1, 2, 3


def _change_and_check(app, change):
    with app.app_context():
        before = kept_ranking.kept(YEAR, census_settings.current_settings()).id
        old = window_rows()
    with app.app_context():
        change()
        db.session.commit()
    with app.app_context():
        assert_kept_is_the_window()
        runs = list(db.session.scalars(select(KeptRanking.id)))
        assert before in runs, "the previous version stays for a request that began reading it"
        return old, window_rows()


def test_an_edit_of_the_figures_gives_a_fresh_ranking(app, census):
    def change():
        db.session.scalar(select(ClientYear).where(ClientYear.client_id == census["C50"])).margin = 500

    old, new = _change_and_check(app, change)
    assert new[0][:2] == (census["C50"], 1) and old != new


def test_the_versions_before_the_previous_one_are_removed(app, census):
    def margin(value):
        def change():
            db.session.scalar(select(ClientYear).where(ClientYear.client_id == census["C50"])).margin = value
        return change

    with app.app_context():
        first = kept_ranking.kept(YEAR, census_settings.current_settings()).id
    _change_and_check(app, margin(500))
    _change_and_check(app, margin(700))
    with app.app_context():
        assert first not in db.session.scalars(select(KeptRanking.id))
        assert db.session.scalar(select(func.count()).select_from(KeptRankingRow)
                                 .where(KeptRankingRow.ranking_id == first)) == 0


def test_a_client_edit_and_new_figures_give_a_fresh_ranking(app, census):
    def change():
        client = db.session.get(Client, census["C0"])
        services.add_figures(client, YEAR, None, 10, 900)

    _old, new = _change_and_check(app, change)
    assert new[0][:2] == (census["C0"], 1)

    def rename():
        client = db.session.get(Client, census["C0"])
        services.save_client(client, {**{name: getattr(client, name) for name in services.CLIENT_ATTRIBUTES},
                                      "typology": client.typology.value, "name": "Renamed"}, version=client.version)

    _change_and_check(app, rename)


def test_an_exit_gives_a_fresh_ranking(app, census, exit_reasons):
    def change():
        reason = db.session.scalar(select(ExitReason).limit(1))
        services.mark_lost(db.session.get(Client, census["C150"]), date(2024, 11, 1), reason)

    old, new = _change_and_check(app, change)
    assert census["C150"] in [row[0] for row in old] and census["C150"] not in [row[0] for row in new]


@pytest.mark.parametrize("data", [{"class_a_share": 50.0, "class_b_share": 90.0},
                                  {"contribution_basis": "revenue"}])
def test_a_change_of_the_settings_gives_a_fresh_ranking(app, census, data):
    def change():
        current = census_settings.current_settings()
        fields = {"contribution_basis": current.contribution_basis.value, "class_a_share": current.class_a_share,
                  "class_b_share": current.class_b_share, "loyalty_axis": current.loyalty_axis,
                  "tenure_short_years": current.tenure_short_years, "tenure_long_years": current.tenure_long_years}
        census_settings.save_settings(current, {**fields, **data}, version=current.version)

    old, new = _change_and_check(app, change)
    assert old != new


def test_an_import_gives_a_fresh_ranking(app, census, upload):  # noqa: F811
    with app.app_context():
        before = kept_ranking.kept(YEAR, census_settings.current_settings()).id
    url = upload(SPANISH)
    assert confirm(upload.client, url, upload.client.get(url).get_data(as_text=True)).status_code == 302
    with app.app_context():
        assert_kept_is_the_window()
        assert before in db.session.scalars(select(KeptRanking.id))  # the previous version, for readers on it
        assert any(row[0] == db.session.scalar(select(Client.id).where(Client.code == "C-001"))
                   for row in kept_rows())


def test_a_transaction_that_has_written_reads_its_own_changes_from_the_window(app, census):
    with app.app_context():
        settings = census_settings.current_settings()
        kept_ranking.kept(YEAR, settings)
        db.session.scalar(select(ClientYear).where(ClientYear.client_id == census["C0"])) or \
            db.session.add(ClientYear(client_id=census["C0"], year=YEAR, purchases=1, margin=1000))
        db.session.flush()
        assert kept_ranking.kept(YEAR, settings) is None
        assert ranking.client_rank(census["C0"], YEAR, settings).rank == 1  # the change under way is seen
        db.session.rollback()
        assert kept_ranking.kept(YEAR, settings) is not None
        assert ranking.client_rank(census["C0"], YEAR, settings).rank == 4


def test_an_empty_census_keeps_nothing(app):
    with app.app_context():
        assert kept_ranking.kept(YEAR, census_settings.current_settings()) is None
        assert ranking.pareto(YEAR, census_settings.current_settings()) == ([], ranking.pareto(
            YEAR, census_settings.current_settings())[1])
        assert db.session.scalar(select(func.count()).select_from(KeptRanking)) == 0


def test_two_requests_finding_the_version_missing_compute_it_once(app, census, monkeypatch):
    """Both start at once; the one that gets the lock second finds the version computed and only reads."""
    import threading

    with app.app_context():
        key = kept_ranking._key(kept_ranking.census_version(), YEAR,
                                kept_ranking._rule(census_settings.current_settings()), "current")
    computing, calls = kept_ranking._compute, []
    monkeypatch.setattr(kept_ranking, "_compute", lambda *args: calls.append(1) or computing(*args))
    start = threading.Barrier(2)

    def request():
        with app.app_context():
            start.wait()
            kept_ranking.compute(key)

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(KeptRanking)) == 1
        assert kept_rows() == window_rows()


@pytest.fixture
def larger_census(app, make_client):
    """40 clients: joined over 12 years, every sixth lost in 2024, margins with ties and a zero, three typologies,
    two regions, some strategic, some without figures."""
    today = date.today()
    for n in range(40):
        figures = None if n % 11 == 0 else {YEAR: (200.0 if n % 4 else None, 10.0 + n, float((n * 37) % 23))}
        make_client(f"M{n:02d}", name=f"Client {(n * 7) % 40:02d}", joined=today.replace(year=today.year - n % 12),
                    left=date(2024, 6, 1) if n % 6 == 5 else None, figures=figures,
                    typology=("end_user", "intermediate", "prescriber")[n % 3], region="Norte" if n % 2 else "Sur",
                    strategic=n % 9 == 0)


PAGE_FILTERS = [ranking.RankingFilters(), ranking.RankingFilters(abc="A"), ranking.RankingFilters(abc="B"),
                ranking.RankingFilters(abc="C", tenure="loyal"), ranking.RankingFilters(tenure="new", status="active"),
                ranking.RankingFilters(abc="A", tenure="established", status="active"),
                ranking.RankingFilters(status="lost"), ranking.RankingFilters(region="Norte", abc="B"),
                ranking.RankingFilters(q="client 1", strategic=True), ranking.RankingFilters(typology="prescriber")]


@pytest.mark.parametrize("population", ranking.POPULATIONS)
def test_a_page_read_from_the_kept_ranking_is_the_window_query_page(app, larger_census, monkeypatch, population):
    """``ranking_page`` (class as a range of ranks, tenure as a range of dates, the page chosen by its ranks, the
    count kept or counted) gives the rows and count the window query gives, for every filter, sort and page."""
    window_page = ranking.ranking_page

    def read():
        settings = census_settings.current_settings()
        pages = {}
        for filters in PAGE_FILTERS:
            for sort, descending in (("rank", False), ("name", True), ("joined_on", False), ("share", True)):
                for offset in (0, 7):
                    rows, matching = window_page(YEAR, settings, filters, sort=sort, descending=descending,
                                                 population=population, offset=offset, limit=7)
                    pages[(filters, sort, descending, offset)] = (
                        [(row.Client.code, row.rank, row.abc, row.tenure, row.share) for row in rows],
                        matching if rows or not offset else None)
        return pages

    with app.app_context():
        kept = read()
        assert kept_ranking.kept(YEAR, census_settings.current_settings(), population) is not None
    monkeypatch.setattr(kept_ranking, "kept", lambda *args, **kwargs: None)
    with app.app_context():
        window = read()
    assert kept == window
    assert len({matching for _rows, matching in kept.values()}) > 4  # the filters narrow the list differently
    assert kept[(ranking.RankingFilters(status="lost"), "rank", False, 0)][1] == (0 if population == "current"
                                                                                 else 5)  # M11 has no figures


def test_the_classes_follow_one_another_down_the_kept_ranking(app, larger_census):
    with app.app_context():
        run = kept_ranking.kept(YEAR, census_settings.current_settings())
        ranks = kept_ranking.class_ranks(run)
        table = kept_ranking.rows_of(run)
        for abc, (first, last) in ranks.items():
            found = db.session.execute(select(func.min(table.c.rank), func.max(table.c.rank), func.count())
                                       .where(table.c.abc == abc)).one()
            assert (found[0], found[1], found[2]) == ((first, last, last - first + 1) if last >= first
                                                      else (None, None, 0))
        assert ranks["C"][1] == run.clients


def _census_of(app, size: int) -> None:
    """``size`` clients in one commit: margins falling with ties, then losses (negative margins) from just past
    four fifths of them (with 333 clients, two clients into the 81st bucket of the whole population), a tenth lost
    in 2024, joined over twenty years."""
    with app.app_context():
        for n in range(size):
            client = Client(code=f"S{n:04d}", name=f"Client {n}", typology=Typology.END_USER,
                            joined_on=date(2004 + n % 20, 1 + n % 12, 1),
                            left_on=date(2024, 3, 1) if n % 10 == 9 else None)
            db.session.add(client)
            db.session.flush()
            margin = float((size - n) // 2) if n < size * 0.803 else -0.1 * (n % 3 + 1)
            db.session.add(ClientYear(client_id=client.id, year=YEAR, potential=None, purchases=1.0, margin=margin))
        db.session.commit()


@pytest.mark.parametrize("size", [7, 333])
def test_the_kept_curve_is_the_one_grouped_from_every_client(app, size):
    """The curve kept from a few rows found by rank (each stretch's running sums at its ends) is the one grouped
    from every client of the window query: fewer clients than points and more, ties, zeros and losses."""
    _census_of(app, size)
    with app.app_context():
        settings = census_settings.current_settings()
        for population in ranking.POPULATIONS:
            run = kept_ranking.kept(YEAR, settings, population)
            kept = db.session.execute(
                select(KeptParetoPoint.bucket, KeptParetoPoint.abc, KeptParetoPoint.last_rank,
                       KeptParetoPoint.cumulative_share, KeptParetoPoint.clients, KeptParetoPoint.contribution)
                .where(KeptParetoPoint.ranking_id == run.id).order_by(KeptParetoPoint.bucket, KeptParetoPoint.abc)
            ).all()
            grouped = sorted((bucket, abc, last, share, count, value)
                             for bucket, abc, last, _population, share, count, value
                             in ranking._curve(YEAR, settings, population))
            assert [row[:3] + row[4:5] for row in kept] == [row[:3] + row[4:5] for row in grouped]
            assert [(row[3], row[5]) for row in kept] == [
                (pytest.approx(share), pytest.approx(value, abs=1e-9)) for *_rest, share, _count, value in grouped]
            assert {abc for _bucket, abc, *_rest in kept} == {"A", "B", "C"}
            if size > 100:  # buckets of several clients, cut where a class begins and where the losses begin
                assert len({bucket for bucket, *_rest in kept}) < len(kept)
                table = kept_ranking.rows_of(run)
                first_c, first_loss = (db.session.scalar(select(func.min(table.c.rank)).where(condition))
                                       for condition in (table.c.abc == "C", table.c.contribution <= 0))
                assert first_c < first_loss
                if population == "all":  # the highest share of that bucket is neither at its first nor its last rank
                    assert len({rank * 100 // run.clients for rank in (first_loss - 2, first_loss)}) == 1
            assert run.total == pytest.approx(sum(value for *_rest, value in grouped))


def test_the_segment_counts_are_counted_by_their_first_reader_once(app, census, monkeypatch):
    with app.app_context():
        settings = census_settings.current_settings()
        run = kept_ranking.kept(YEAR, settings)
        assert not run.segments_counted
        assert db.session.scalar(select(func.count()).select_from(KeptSegmentCount)) == 0
        cells = segments.matrix(YEAR, settings)
        stored = db.session.scalar(select(func.count()).select_from(KeptSegmentCount))
        assert stored == 3  # C150 and C100 (A), C50 (B), C0 (C): one join date
    with app.app_context():
        counting = []
        monkeypatch.setattr(kept_ranking, "_count_segments", lambda *args: counting.append(args))
        run = kept_ranking.kept(YEAR, settings)
        assert run.segments_counted
        assert segments.matrix(YEAR, settings) == cells
        ranking.ranking_page(YEAR, settings, ranking.RankingFilters(abc="A"), offset=0, limit=7)
        # A reader holding the row read before another counted them finds them counted under the lock.
        kept_ranking.counted(SimpleNamespace(id=run.id, segments_counted=False))
        assert counting == []
        assert db.session.scalar(select(func.count()).select_from(KeptSegmentCount)) == stored


def test_a_queue_out_of_reach_does_not_fail_the_page_and_the_next_removal_catches_up(app, census, monkeypatch,
                                                                                     caplog):
    def margin(value):
        with app.app_context():
            db.session.scalar(select(ClientYear).where(ClientYear.client_id == census["C50"])).margin = value
            db.session.commit()
            return kept_ranking.kept(YEAR, census_settings.current_settings()).id

    first = margin(10)
    removal = kept_ranking.remove_older_rankings

    def unreachable(*args):
        raise ConnectionError("queue down")

    monkeypatch.setattr(kept_ranking, "remove_older_rankings", unreachable)
    margin(20)
    margin(30)
    assert "not queued for removal" in caplog.text
    with app.app_context():
        assert first in db.session.scalars(select(KeptRanking.id))  # nothing removed while the queue was down
    monkeypatch.setattr(kept_ranking, "remove_older_rankings", removal)
    latest = margin(40)
    with app.app_context():
        kept_ids = set(db.session.scalars(select(KeptRanking.id)))
        assert first not in kept_ids and latest in kept_ids and len(kept_ids) == 2  # this version and the previous
        assert db.session.scalar(select(func.count(func.distinct(KeptRankingRow.ranking_id)))) == 2
