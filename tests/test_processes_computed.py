"""Computed indicators: measured from the app's own figures (survey engine, census, register of complaints, C1),
equal to the source's own numbers, refreshed when the data changes, and never typed."""

import io
from datetime import date

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.extensions import db
from loyalty.history import census_history
from loyalty.settings import current_settings
from processes import computed
from processes.indicators import record_measurements
from processes.models import Frequency, Indicator, Measurement
from surveys.models import Audience, Survey, Wave
from surveys.results import wave_results
from tests.surveys_fixtures import CLIENT_ANSWER, STAFF_ANSWER
from voice.complaints import ComplaintFilters, summary
from voice.models import Channel, Complaint, ComplaintCategory, ContactKind

TODAY = date.today()
#: This year: the tests' data lies in the last five years, which computed indicators measure.
Y = TODAY.year


def _values(indicator_id) -> dict[date, float]:
    rows = db.session.execute(select(Measurement.period, Measurement.value, Measurement.computed)
                              .where(Measurement.indicator_id == indicator_id))
    return {period: value for period, value, marked in rows if marked}


def _computed_indicator(app, make_process, make_indicator, source, parameter=None, frequency=Frequency.YEARLY,
                        **fields):
    indicator_id = make_indicator(make_process(), frequency=frequency, computed_source=source,
                                  source_parameter=parameter, **fields)
    with app.app_context():
        computed.refresh([db.session.get(Indicator, indicator_id)])
        db.session.commit()
    return indicator_id


def _answers(recommend: list[int], overall: int = 4) -> list[dict]:
    return [{**CLIENT_ANSWER, "recommend": value, "overall": overall, "comment": ""} for value in recommend]


@pytest.fixture
def client_survey(make_survey, make_wave, add_answers):
    """A client survey with two waves a year apart: (survey id, first wave id, second wave id)."""
    survey_id = make_survey(anonymous=False)
    first = make_wave(survey_id, name="First", opens_on=date(Y - 2, 3, 10), status="closed")
    second = make_wave(survey_id, name="Second", opens_on=date(Y - 1, 5, 2), status="open")
    add_answers(first, _answers([10, 9, 3, 7, 8, 2], overall=3))
    add_answers(second, _answers([10, 10, 9, 6, 9, 8, 7]))
    return survey_id, first, second


def test_the_nps_indicator_equals_the_survey_engines_nps_of_each_wave(app, client_survey, make_process,
                                                                     make_indicator):
    survey_id, first, second = client_survey
    nps = _computed_indicator(app, make_process, make_indicator, "surveys.nps", survey_id, Frequency.QUARTERLY)
    csat = _computed_indicator(app, make_process, make_indicator, "surveys.csat", survey_id)
    keep = _computed_indicator(app, make_process, make_indicator, "surveys.repurchase", survey_id)
    with app.app_context():
        engine = {w: wave_results(db.session.get(Wave, w)).headline for w in (first, second)}
        assert _values(nps) == {date(Y - 2, 1, 1): pytest.approx(engine[first]["nps"]["nps"]),
                                date(Y - 1, 4, 1): pytest.approx(engine[second]["nps"]["nps"])}
        assert _values(nps)[date(Y - 1, 4, 1)] == pytest.approx(100 * (4 - 1) / 7)
        assert _values(csat) == {date(Y - 2, 1, 1): pytest.approx(engine[first]["csat"]),
                                 date(Y - 1, 1, 1): pytest.approx(engine[second]["csat"])}
        assert _values(keep)[date(Y - 1, 1, 1)] == pytest.approx(engine[second]["repurchase"])


def test_a_new_response_changes_the_nps_measurement_at_its_commit(app, client_survey, make_process,
                                                                  make_indicator, add_answers):
    survey_id, _first, second = client_survey
    nps = _computed_indicator(app, make_process, make_indicator, "surveys.nps", survey_id)
    with app.app_context():
        before = _values(nps)[date(Y - 1, 1, 1)]
    add_answers(second, _answers([0, 1, 2]))  # three detractors, committed by the survey engine's own code
    with app.app_context():
        after = _values(nps)[date(Y - 1, 1, 1)]
        assert after < before
        assert after == pytest.approx(wave_results(db.session.get(Wave, second)).headline["nps"]["nps"])


def test_the_participation_indicator_equals_the_staff_waves_favourable_share(app, make_survey, make_wave,
                                                                            add_answers, make_process,
                                                                            make_indicator):
    survey_id = make_survey("staff_participation", audience=Audience.STAFF, anonymous=False)
    wave_id = make_wave(survey_id, opens_on=date(Y - 1, 2, 1))
    add_answers(wave_id, [{**STAFF_ANSWER, "comment": ""}] * 3)
    indicator = _computed_indicator(app, make_process, make_indicator, "surveys.participation", survey_id)
    with app.app_context():
        expected = wave_results(db.session.get(Wave, wave_id)).headline["participation"]
        assert _values(indicator) == {date(Y - 1, 1, 1): pytest.approx(expected)}


def test_the_churn_indicator_equals_the_census_history_for_each_year(app, make_client, make_process,
                                                                    make_indicator):
    for n in range(8):
        make_client(joined=date(Y - 4, 1, 1 + n))
    make_client(joined=date(Y - 4, 2, 1), left=date(Y - 3, 6, 1))
    make_client(joined=date(Y - 4, 2, 1), left=date(Y - 2, 3, 1))
    make_client(joined=date(Y - 4, 2, 1), left=date(Y - 2, 9, 1))
    churn = _computed_indicator(app, make_process, make_indicator, "census.churn")
    retention = _computed_indicator(app, make_process, make_indicator, "census.retention")
    new = _computed_indicator(app, make_process, make_indicator, "census.new")
    with app.app_context():
        history = {p.start: p for p in census_history("year", current_settings())}
        assert _values(churn)[date(Y - 3, 1, 1)] == pytest.approx(100 / 11)
        assert _values(churn)[date(Y - 2, 1, 1)] == pytest.approx(history[date(Y - 2, 1, 1)].churn) \
            == pytest.approx(200 / 10)
        assert _values(retention)[date(Y - 2, 1, 1)] == pytest.approx(history[date(Y - 2, 1, 1)].retention)
        assert _values(new)[date(Y - 4, 1, 1)] == 11 and _values(new)[date(Y - 2, 1, 1)] == 0
        # The year still running has no rate yet: a part of a year is not a year's churn.
        assert date(TODAY.year, 1, 1) not in _values(churn)


def test_a_client_lost_changes_the_churn_measurement(app, make_client, make_process, make_indicator):
    ids = [make_client(joined=date(Y - 4, 1, 1)) for _n in range(4)]
    churn = _computed_indicator(app, make_process, make_indicator, "census.churn")
    with app.app_context():
        assert _values(churn)[date(Y - 3, 1, 1)] == 0
        from loyalty.models import Client
        db.session.get(Client, ids[0]).left_on = date(Y - 3, 5, 1)
        db.session.commit()
        assert _values(churn)[date(Y - 3, 1, 1)] == pytest.approx(25)


def _complaint(category, received, responded=None, kind=ContactKind.COMPLAINT):
    return Complaint(kind=kind, channel=Channel.PHONE, category=category, received_on=received,
                     responded_on=responded, description="Late")


def test_the_response_time_indicator_equals_the_registers_mean_response_time(app, make_process, make_indicator):
    with app.app_context():
        category = ComplaintCategory(name="Delays")
        db.session.add_all([_complaint(category, date(Y - 1, 3, 1), date(Y - 1, 3, 11)),
                            _complaint(category, date(Y - 1, 3, 20), date(Y - 1, 3, 24), kind=ContactKind.ENQUIRY),
                            _complaint(category, date(Y - 1, 3, 25)),
                            _complaint(category, date(Y - 1, 4, 2), date(Y - 1, 4, 3), kind=ContactKind.CLAIM)])
        db.session.commit()
    days = _computed_indicator(app, make_process, make_indicator, "voice.response_time", frequency=Frequency.MONTHLY)
    counted = _computed_indicator(app, make_process, make_indicator, "voice.complaints",
                                  frequency=Frequency.MONTHLY)
    with app.app_context():
        march = summary(ComplaintFilters(start=date(Y - 1, 3, 1), end=date(Y - 1, 3, 31)))["mean_days"]
        assert _values(days) == {date(Y - 1, 3, 1): pytest.approx(march), date(Y - 1, 4, 1): 1}
        assert march == pytest.approx(7)
        assert _values(counted) == {date(Y - 1, 3, 1): 2, date(Y - 1, 4, 1): 1}  # enquiries are not complaints
        # Answering the open complaint changes March's mean at the same commit.
        open_one = db.session.scalar(select(Complaint).where(Complaint.responded_on.is_(None)))
        open_one.responded_on = date(Y - 1, 4, 8)
        db.session.commit()
        assert _values(days)[date(Y - 1, 3, 1)] == pytest.approx((10 + 4 + 14) / 3)


def test_computed_measurements_are_the_systems_in_the_audit_trail(app, client_survey, make_process,
                                                                 make_indicator):
    survey_id, *_waves = client_survey
    indicator_id = _computed_indicator(app, make_process, make_indicator, "surveys.nps", survey_id)
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "measurements")).all()
        assert entries and all(entry.actor_id is None for entry in entries)
        rows = db.session.scalars(select(Measurement).where(Measurement.indicator_id == indicator_id)).all()
        assert all(m.computed and m.entered_by_id is None for m in rows)


def test_a_removed_source_period_is_removed_and_typed_history_is_kept(app, client_survey, make_process,
                                                                     make_indicator):
    survey_id, first, _second = client_survey
    indicator_id = make_indicator(make_process(), frequency=Frequency.YEARLY, values={date(Y - 7, 1, 1): 12.0})
    with app.app_context():
        indicator = db.session.get(Indicator, indicator_id)
        indicator.computed_source, indicator.source_parameter = "surveys.nps", survey_id
        computed.refresh([indicator])
        db.session.commit()
        assert set(_values(indicator_id)) == {date(Y - 2, 1, 1), date(Y - 1, 1, 1)}
        db.session.get(Wave, first).opens_on = date(Y + 1, 1, 15)  # the first wave moved: its year has no wave left
        db.session.commit()
        assert date(Y - 2, 1, 1) not in _values(indicator_id)
        typed = db.session.scalar(select(Measurement).where(Measurement.indicator_id == indicator_id,
                                                            Measurement.period == date(Y - 7, 1, 1)))
        assert typed.value == 12.0 and not typed.computed


def test_typing_a_value_of_a_computed_indicator_is_refused(app, client_survey, make_process, make_indicator):
    survey_id, *_waves = client_survey
    indicator_id = _computed_indicator(app, make_process, make_indicator, "surveys.nps", survey_id)
    with app.app_context():
        with pytest.raises(computed.ComputedIndicator, match="computed from NPS of a client survey"):
            record_measurements(db.session.get(Indicator, indicator_id), {date(Y - 3, 1, 1): (5.0, None)}, actor=None)


def test_the_entry_form_and_the_grid_refuse_a_computed_indicator(app, client_survey, make_process,
                                                                 make_indicator, client_as):
    survey_id, *_waves = client_survey
    indicator_id = _computed_indicator(app, make_process, make_indicator, "surveys.nps", survey_id)
    coordinator = client_as("coordinator")
    response = coordinator.post(f"/processes/indicators/{indicator_id}/measurements",
                                data={"period": str(Y - 3), "value": "50"}, follow_redirects=True)
    assert "cannot be typed or imported" in response.get_data(as_text=True)
    assert coordinator.get(f"/processes/indicators/{indicator_id}/grid").status_code == 302
    with app.app_context():
        assert date(Y - 3, 1, 1) not in _values(indicator_id)
        assert db.session.scalar(select(Measurement).where(Measurement.indicator_id == indicator_id,
                                                           Measurement.period == date(Y - 3, 1, 1))) is None


def test_the_measurement_import_rejects_the_rows_of_a_computed_indicator(app, client_as, client_survey,
                                                                        make_process, make_indicator):
    survey_id, *_waves = client_survey
    nps = _computed_indicator(app, make_process, make_indicator, "surveys.nps", survey_id, code="NPSX")
    typed = make_indicator(make_process(), code="TYPED", frequency=Frequency.YEARLY)
    coordinator = client_as("coordinator")
    data = f"Indicator;Period;Value\nNPSX;{Y - 3};40\nTYPED;{Y - 3};3\n".encode()
    response = coordinator.post("/processes/measurements/import", data={"file": (io.BytesIO(data), "values.csv")},
                                content_type="multipart/form-data")
    check = response.headers["Location"]
    page = coordinator.get(check).get_data(as_text=True)
    assert "cannot be typed or imported" in page
    done = coordinator.post(check, data={"column_indicator": "Indicator", "column_period": "Period",
                                         "column_value": "Value", "confirm": "1"})
    assert done.status_code == 200 and "cannot be typed or imported" in done.get_data(as_text=True)
    with app.app_context():  # a file with a refused row is not imported: all or nothing
        assert db.session.scalar(select(Measurement).where(Measurement.indicator_id.in_((nps, typed)),
                                                           Measurement.period == date(Y - 3, 1, 1))) is None


def test_the_indicator_form_chooses_the_source_and_the_page_links_to_it(app, client_survey, make_process,
                                                                        client_as):
    survey_id, *_waves = client_survey
    process_id = make_process()
    coordinator = client_as("coordinator")
    form = coordinator.get(f"/processes/{process_id}/indicators/new").get_data(as_text=True)
    assert "Computed from: NPS of a client survey, per wave" in form and "Computed from: Exit (churn) rate" in form
    response = coordinator.post(f"/processes/{process_id}/indicators/new", data={
        "code": "nps", "name": "NPS", "frequency": "yearly", "direction": "higher", "kind": "perception",
        "responsible_id": "0", "computed_source": "surveys.nps", "source_parameter": "0"})
    assert "Survey: choose which one this figure is computed from." in response.get_data(as_text=True)
    response = coordinator.post(f"/processes/{process_id}/indicators/new", data={
        "code": "nps", "name": "NPS", "frequency": "yearly", "direction": "higher", "kind": "perception",
        "responsible_id": "0", "computed_source": "surveys.nps", "source_parameter": str(survey_id)})
    assert response.status_code == 302
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="computed-from"' in page and f'href="/surveys/{survey_id}"' in page
    assert "Record a value" not in page and "Enter many periods" not in page
    with app.app_context():
        indicator = db.session.scalar(select(Indicator).where(Indicator.code == "NPS"))
        assert len(_values(indicator.id)) == 2  # measured as soon as it is saved
        assert indicator.unit == "NPS" and indicator.source_parameter == survey_id
        # In the coordinator's request, yet the system's in the trail; the indicator itself is the coordinator's.
        actors = dict(db.session.execute(select(AuditEntry.entity_type, AuditEntry.actor_id)
                                         .where(AuditEntry.entity_type.in_(("measurements", "indicators")))).all())
        assert actors["measurements"] is None and actors["indicators"] is not None


def test_the_cli_refreshes_every_computed_indicator(app, runner, client_survey, make_process, make_indicator):
    survey_id, *_waves = client_survey
    indicator_id = make_indicator(make_process(), frequency=Frequency.YEARLY, computed_source="surveys.nps",
                                  source_parameter=survey_id)
    with app.app_context():
        assert _values(indicator_id) == {}
    result = runner.invoke(args=["processes", "refresh-indicators"])
    assert result.exit_code == 0 and "2 computed measurements" in result.output
    with app.app_context():
        assert len(_values(indicator_id)) == 2
        assert db.session.get(Survey, survey_id) is not None


def test_the_demos_computed_indicators_read_what_the_survey_census_and_register_pages_show(app, runner):
    from demo.dates import last_complete_month
    from surveys.results import trend

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        codes = {"IND-NPS": "surveys.nps", "IND-TRESP": "voice.response_time", "IND-BAJA": "census.churn"}
        indicators = {i.code: i for i in db.session.scalars(select(Indicator).where(Indicator.code.in_(codes)))}
        assert {code: i.computed_source for code, i in indicators.items()} == codes
        survey = db.session.get(Survey, indicators["IND-NPS"].source_parameter)
        waves = trend(survey)
        nps = _values(indicators["IND-NPS"].id)
        assert len(nps) == len(waves) == 2
        for point in waves:  # the NPS indicator's value for the wave's quarter is the survey engine's NPS
            quarter = date(point["wave"].opens_on.year, 3 * ((point["wave"].opens_on.month - 1) // 3) + 1, 1)
            assert nps[quarter] == pytest.approx(point["nps"])
        month = last_complete_month(TODAY)
        next_month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        register = summary(ComplaintFilters(start=month, end=date.fromordinal(next_month.toordinal() - 1)))
        assert _values(indicators["IND-TRESP"].id).get(month) == pytest.approx(register["mean_days"])
        churn = {p.start: p.churn for p in census_history("month", current_settings(), start=month)}
        assert _values(indicators["IND-BAJA"].id)[month] == pytest.approx(churn[month])
        assert all(m.computed for m in db.session.scalars(select(Measurement).where(
            Measurement.indicator_id.in_([i.id for i in indicators.values()]))))
        # C1's count: the improvements the C1 page counts, by the year they were implemented.
        from improvements.queries import c1_overview

        c1 = Indicator(process_id=indicators["IND-NPS"].process_id, code="IND-C1", name="C1", kind="performance",
                       frequency=Frequency.YEARLY, direction="higher", computed_source="improvements.c1")
        db.session.add(c1)
        db.session.flush()
        computed.refresh([c1])
        by_year: dict[date, int] = {}
        for improvement in c1_overview()[0].qualifying:
            year = date(improvement.implemented_on.year, 1, 1)
            by_year[year] = by_year.get(year, 0) + 1
        assert sum(by_year.values()) == 3
        # A count needs its whole year too: the year still running has no value yet.
        assert _values(c1.id) == {year: n for year, n in by_year.items() if year.year < TODAY.year}
