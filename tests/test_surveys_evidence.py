"""The survey engine's evidence on small hand-built data: D1 (missing, partly, met) and the satisfaction facts
a B1 source reads."""

from datetime import date

import pytest
from sqlalchemy import select, update

from core.extensions import db
from core.findings import Line, Status
from evidence.automatic import sources
from surveys import evidence
from surveys.models import Audience, Invitation
from tests.surveys_fixtures import CLIENT_ANSWER, STAFF_ANSWER


@pytest.fixture
def app_overrides():
    """Responses released one at a time: these tests are about the measures; batches have their own tests
    (tests/test_surveys_anonymous_waves.py)."""
    return {"SURVEY_EXPORT_BATCH": 1}

PARTICIPATION_KEYS = ("opinion-considered", "proposals-followed", "useful", "means", "again")


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def _mark_used(app, wave, segment, n):
    """Mark ``n`` links of the group used, as answering through them did (``add_answers`` stores the responses)."""
    with app.app_context():
        ids = db.session.scalars(select(Invitation.id).where(Invitation.wave_id == wave, Invitation.segment == segment)
                                 .order_by(Invitation.id).limit(n)).all()
        db.session.execute(update(Invitation).where(Invitation.id.in_(ids)).values(used=True))
        db.session.commit()


def _staff_wave(app, make_survey, make_wave, add_answers, groups, *, name="Spring"):
    """A staff participation wave: ``groups = {name: (invited, [one value 1–5 per response])}``; each response
    gives its value to every participation question, through a link of its group."""
    invitees = [{"name": f"{group} {n}", "segment": group} for group, (invited, _v) in groups.items()
                for n in range(invited)]
    wave = make_wave(make_survey("staff_participation", audience=Audience.STAFF), name=name, invitees=invitees)
    for group, (_invited, values) in groups.items():
        add_answers(wave, [{**STAFF_ANSWER, **dict.fromkeys(PARTICIPATION_KEYS, v), "_segment": group,
                            "_source": "link"} for v in values])
        _mark_used(app, wave, group, len(values))
    return wave


def test_d1_is_the_surveys_source_and_missing_without_an_answered_wave(app, request_ctx, make_survey, make_wave):
    assert sources()["D1"] is evidence.participation_evidence
    make_wave(make_survey("staff_participation", audience=Audience.STAFF), invitees=[{"name": "Ane"}])
    finding = evidence.participation_evidence()
    assert finding.status == Status.MISSING
    assert finding.reasons[0] == evidence.d1_rule(evidence.d1_facts())
    assert finding.reasons[1] == Line("No staff participation survey has been answered yet.")
    assert finding.reasons[2].text.startswith("No staff focus group since ")
    assert finding.reasons[2].url == "/clients/listening?kind=staff_focus_group"
    assert finding.gaps == [Line("Run the participation survey among the people who took part", "/surveys/")]


def test_d1_missing_while_an_anonymous_wave_is_below_the_minimum(app, request_ctx, make_survey, make_wave,
                                                                 add_answers):
    wave = _staff_wave(app, make_survey, make_wave, add_answers, {"GM-1": (4, [5, 5])})
    finding = evidence.participation_evidence(detail=True)
    assert finding.status == Status.MISSING
    assert [block.title for block in finding.blocks] == ["Thresholds of the rule"]
    assert finding.reasons[1] == Line("Improvement group participation survey · Spring: 2 responses so far, 2 shown; "
                                      "the results of an anonymous survey are shown from 3, released in batches of "
                                      "1.", f"/surveys/waves/{wave}/results")


def test_d1_partly_names_what_falls_short(app, request_ctx, make_survey, make_wave, add_answers, make_group,
                                          make_user):
    make_group("GM-3 Not asked", members={make_user("member").id: "Member"})
    make_group("GM-4 Nobody in it")
    wave = _staff_wave(app, make_survey, make_wave, add_answers,
                       {"GM-1": (4, [5, 5, 2]), "GM-2": (5, [2, 2, 4]), "GM-5": (2, [5])})
    finding = evidence.participation_evidence()
    results_url, wave_url = f"/surveys/waves/{wave}/results", f"/surveys/waves/{wave}"
    assert finding.status == Status.PARTLY
    # 4 of 7 responses favourable on every question; 7 of 11 links used
    assert finding.reasons[1:-1] == [
        Line("Improvement group participation survey · Spring: favourable 57 % (n = 7, response rate 64 %)",
             results_url),
        Line("GM-1: favourable 67 % (n = 3, response rate 75 %)", results_url),
        Line("GM-2: favourable 33 % (n = 3, response rate 60 %)", results_url)]
    assert [(g.text, g.url) for g in finding.gaps] == [
        ("Favourable 57 %, below 60 %: look at the comments and at what became of the proposals", results_url),
        ("GM-2: favourable 33 %, below 60 %", results_url),
        ("1 group has fewer than 3 responses and is not shown: remind its members", wave_url),
        ("GM-3 Not asked: its members were not invited to Improvement group participation survey · Spring", wave_url)]


def test_d1_met_with_a_table_per_group(app, request_ctx, make_survey, make_wave, add_answers, make_group, make_user):
    make_group("GM-1", members={make_user("member").id: "Member"})
    old = _staff_wave(app, make_survey, make_wave, add_answers, {"GM-1": (3, [1, 1, 1])}, name="Old")
    with app.app_context():  # an earlier wave, unfavourable: only the latest counts
        from surveys.models import Wave

        db.session.get(Wave, old).opens_on = date(2019, 1, 1)
        db.session.commit()
    wave = _staff_wave(app, make_survey, make_wave, add_answers, {"GM-1": (4, [5, 5, 4, 2]), "GM-2": (3, [5, 4, 4])})
    finding = evidence.participation_evidence(detail=True)
    assert finding.status == Status.MET, finding.gaps
    assert finding.reasons[1].text == ("Improvement group participation survey · Spring: favourable 86 % "
                                       "(n = 7, response rate 100 %)")
    assert finding.gaps == []
    thresholds, table = finding.blocks
    assert thresholds.rows[0] == ["Favourable share overall and in every group (%)", "60", "60"]
    assert table.title == "Favourable % per group — Improvement group participation survey · Spring"
    assert table.headers[:5] == ["Group", "Invited", "Responses", "Response rate %", "Favourable %"]
    assert len(table.headers) == 5 + len(PARTICIPATION_KEYS)
    assert table.rows[0][0] == Line("Everyone", f"/surveys/waves/{wave}/results")
    assert table.rows[0][1:5] == ["7", "7", "100", "86"]
    assert [row[:5] for row in table.rows[1:]] == [["GM-1", "4", "4", "100", "75"], ["GM-2", "3", "3", "100", "100"]]


def test_d1_low_response_rate_is_a_gap(app, request_ctx, make_survey, make_wave, add_answers):
    wave = _staff_wave(app, make_survey, make_wave, add_answers, {"GM-1": (10, [5, 5, 5, 4])})
    finding = evidence.participation_evidence()
    assert finding.status == Status.PARTLY
    assert finding.gaps == [Line("Response rate 40 %, below 50 %: remind those who have not answered",
                                 f"/surveys/waves/{wave}")]


# --- satisfaction facts (B1) ------------------------------------------------------------------------------

def _client_rows(**columns):
    """One response per position of the given columns (item key → list of values)."""
    length = len(next(iter(columns.values())))
    return [{**CLIENT_ANSWER, **{key: values[n] for key, values in columns.items()}} for n in range(length)]


def test_satisfaction_facts_none_without_an_answered_client_wave(app, request_ctx, make_survey, make_wave):
    make_wave(make_survey(language="en"), invitees=[{"name": "Ane"}])
    assert evidence.satisfaction_facts() is None


def test_satisfaction_facts_of_the_latest_client_wave(app, request_ctx, make_survey, make_wave, add_answers):
    survey = make_survey(language="en")
    first = make_wave(survey, name="2023", opens_on=date(2023, 3, 1), status="closed")
    add_answers(first, _client_rows(recommend=[10, 5, 4]))  # NPS 33.3 − 66.7 = −33.3
    latest = make_wave(survey, name="2024", opens_on=date(2024, 3, 1),
                       invitees=[{"name": f"Client {n}", "segment": "A"} for n in range(10)])
    add_answers(latest, _client_rows(_source=["link"] * 5,
        recommend=[10, 9, 8, 6, 3],  # promoters 40 %, detractors 40 %: NPS 0
        overall=[5, 4, 4, 2, 1],  # CSAT 60 %
        repurchase=[5, 5, 4, 3, 1],  # 60 %
        **{"attr-speed": [5, 4, 4, 2, 1], "attr-attention": [4, 5, 3, 3, 2], "attr-value": [1, 2, 3, 4, 5],
           "attr-information": [3] * 5, "attr-products": [3] * 5, "attr-procedures": [3] * 5}))
    _mark_used(app, latest, "A", 5)

    facts = evidence.satisfaction_facts()
    assert (facts.wave, facts.url, facts.responses, facts.invited, facts.hidden) == (
        "2024", f"/surveys/waves/{latest}/results", 5, 10, False)
    assert facts.response_rate == 50.0 and facts.csat == 60.0 and facts.repurchase == 60.0
    assert facts.nps == 0.0 and facts.previous_wave == "2023"
    assert facts.previous_nps == pytest.approx(-100 / 3) and facts.nps_change == pytest.approx(100 / 3)
    # constant attributes have no correlation and are left out; the strongest drivers come first
    assert [d.attribute for d in facts.drivers] == ["Speed of response", "Personal attention", "Value for money"]
    speed, attention, value = facts.drivers
    assert speed.r_recommend > 0.95 and speed.r_repurchase > 0.9 and speed.n == 5 and speed.caution
    assert attention.importance > 0 > value.importance
    assert speed.favourable == 60.0


def test_satisfaction_facts_hide_an_anonymous_wave_below_the_minimum(app, request_ctx, make_survey, make_wave,
                                                                     add_answers):
    wave = make_wave(make_survey(language="en"), name="Pilot")
    add_answers(wave, _client_rows(recommend=[10, 9]))
    facts = evidence.satisfaction_facts()
    assert facts.hidden and facts.responses == 2 and facts.response_rate is None
    assert facts.csat is facts.nps is facts.repurchase is None and facts.drivers == []
