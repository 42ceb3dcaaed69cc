"""Audiences drawn from the rest of the application: the census' current clients by typology and segment
(client waves), and the members of improvement groups (staff participation waves, D1)."""

from datetime import date

import pytest
from sqlalchemy import select

from core.extensions import db
from surveys import invitations, releases
from surveys.models import Audience, Invitation, Wave


@pytest.fixture
def app_overrides():
    """Responses released one at a time: these tests are about the measures; batches have their own tests
    (tests/test_surveys_anonymous_waves.py)."""
    return {"SURVEY_EXPORT_BATCH": 1}


def _census(make_client):
    """Four current clients and one who left."""
    return {
        "ane": make_client("C1", name="Ane", typology="end_user", segment="Preferential"),
        "jon": make_client("C2", name="Jon", typology="end_user", segment="To take care of"),
        "broker": make_client("C3", name="Broker SL", typology="intermediate", segment="Preferential"),
        "doctor": make_client("C4", name="Dr. Ruiz", typology="prescriber", segment=None),
        "gone": make_client("C5", name="Gone", typology="end_user", segment="Preferential", left=date(2024, 5, 1)),
    }


def test_census_invitees_are_current_clients_of_the_typologies_and_segments_chosen(app, make_client):
    clients = _census(make_client)
    with app.app_context():
        everyone = invitations.census_invitees(language="en")
        assert [p["name"] for p in everyone] == ["Ane", "Broker SL", "Dr. Ruiz", "Jon"]  # not the one who left
        preferential = invitations.census_invitees([], ["Preferential"], language="en")
        assert preferential == [
            {"name": "Ane", "client_id": clients["ane"], "typology": "End user", "segment": "Preferential"},
            {"name": "Broker SL", "client_id": clients["broker"], "typology": "Intermediate client",
             "segment": "Preferential"}]
        both = invitations.census_invitees(["end_user"], ["Preferential", "To take care of"], language="en")
        assert [p["client_id"] for p in both] == [clients["ane"], clients["jon"]]
        assert invitations.census_invitees(["prescriber"], ["To take care of"], language="en") == []
        assert invitations.census_segments() == ["Preferential", "To take care of"]


def test_a_member_invites_census_clients_and_each_gets_a_link_to_print(app, client_as, make_client, make_survey,
                                                                      make_wave):
    clients = _census(make_client)
    wave = make_wave(make_survey(language="en"))
    member = client_as("member")
    page = member.get(f"/surveys/waves/{wave}").get_data(as_text=True)
    assert "Invite clients of the census" in page and 'value="To take care of"' in page

    page = member.post(f"/surveys/waves/{wave}/invitations/census", data={"typologies": ["end_user", "intermediate"],
                                                                          "segments": ["Preferential"]},
                       follow_redirects=True).get_data(as_text=True)
    assert "2 invited; 0 were already invited to this wave." in page
    # again, with everyone: the two already invited are skipped, the one who left is never invited
    page = member.post(f"/surveys/waves/{wave}/invitations/census", data={},
                       follow_redirects=True).get_data(as_text=True)
    assert "2 invited; 2 were already invited to this wave." in page
    with app.app_context():
        rows = db.session.execute(select(Invitation.client_id, Invitation.name, Invitation.email,
                                         Invitation.typology, Invitation.segment)
                                  .where(Invitation.wave_id == wave).order_by(Invitation.client_id)).all()
    assert rows == [(clients["ane"], "Ane", None, "End user", "Preferential"),
                    (clients["jon"], "Jon", None, "End user", "To take care of"),
                    (clients["broker"], "Broker SL", None, "Intermediate client", "Preferential"),
                    (clients["doctor"], "Dr. Ruiz", None, "Prescriber", None)]
    # An anonymous wave: the GET only offers the slips; the POST shows them, once.
    offered = member.get(f"/surveys/waves/{wave}/invitations/print").get_data(as_text=True)
    assert "/s/" not in offered and "Dr. Ruiz" not in offered
    printed = member.post(f"/surveys/waves/{wave}/invitations/print", data={"which": "new"}).get_data(as_text=True)
    assert printed.count("/s/") == 4 and "Dr. Ruiz" in printed


def test_a_census_audience_that_matches_nobody_invites_nobody(app, client_as, make_client, make_survey, make_wave):
    _census(make_client)
    wave = make_wave(make_survey(language="en"))
    page = client_as("member").post(f"/surveys/waves/{wave}/invitations/census",
                                    data={"typologies": ["prescriber"], "segments": ["Preferential"]},
                                    follow_redirects=True).get_data(as_text=True)
    assert "No current client of the census has the typologies and segments chosen." in page
    unknown = client_as("member").post(f"/surveys/waves/{wave}/invitations/census",
                                       data={"typologies": ["martian"]}, follow_redirects=True)
    assert "is not a valid choice" in unknown.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Invitation)) == 0


def test_census_audience_is_for_client_waves_and_members_only(app, client_as, make_client, make_survey, make_wave):
    _census(make_client)
    staff_wave = make_wave(make_survey("staff_participation", audience=Audience.STAFF))
    member = client_as("member")
    assert "Invite clients of the census" not in member.get(f"/surveys/waves/{staff_wave}").get_data(as_text=True)
    assert member.post(f"/surveys/waves/{staff_wave}/invitations/census", data={}).status_code == 404
    client_wave = make_wave(make_survey(language="en"))
    assert client_as("reviewer").post(f"/surveys/waves/{client_wave}/invitations/census", data={}).status_code == 403


def test_census_typology_and_segment_reach_the_answers(app, client_as, make_client, make_survey, make_wave):
    from tests.surveys_fixtures import CLIENT_ANSWER, form_for

    _census(make_client)
    wave = make_wave(make_survey(language="en"))
    with app.app_context():
        invitations.invite(db.session.get(Wave, wave), invitations.census_invitees(["intermediate"], language="en"))
        db.session.commit()
        token = db.session.scalar(select(Invitation.token).where(Invitation.wave_id == wave))
    visitor = app.test_client()
    assert visitor.post(f"/s/{token}", data=form_for(app, wave, CLIENT_ANSWER)).status_code in (200, 302)
    from surveys.models import Response

    with app.app_context():
        assert db.session.execute(select(Response.typology, Response.segment)).all() == [
            ("Intermediate client", "Preferential")]


def test_members_of_improvement_groups_are_invited_with_their_group_as_segment(app, client_as, make_user, make_group,
                                                                               make_survey, make_wave):
    ane, jon = make_user("member"), make_user("member")
    miren = make_user("member", active=False)  # left the organisation: not invited
    first = make_group("GM-1 Welcome", members={ane.id: "Facilitator", jon.id: "Member", miren.id: "Member"})
    second = make_group("GM-2 Complaints", members={jon.id: "Member"})
    wave = make_wave(make_survey("staff_participation", audience=Audience.STAFF))
    coordinator = client_as("coordinator")
    page = coordinator.get(f"/surveys/waves/{wave}").get_data(as_text=True)
    assert "Members of these improvement groups" in page and "GM-2 Complaints" in page
    page = coordinator.post(f"/surveys/waves/{wave}/invitations/staff", data={"groups": [second, first]},
                            follow_redirects=True).get_data(as_text=True)
    assert "2 invited; 1 were already invited to this wave." in page  # one link per person and wave
    with app.app_context():
        rows = db.session.execute(select(Invitation.user_id, Invitation.segment)
                                  .where(Invitation.wave_id == wave).order_by(Invitation.user_id)).all()
    assert rows == [(ane.id, "GM-1 Welcome"), (jon.id, "GM-1 Welcome")]
    refused = coordinator.post(f"/surveys/waves/{wave}/invitations/staff", data={}, follow_redirects=True)
    assert "Choose groups, people or processes." in refused.get_data(as_text=True)


def _staff_wave_for_groups(app, make_user, make_group, make_survey, make_wave, sizes, *, name="Spring"):
    """Groups ``{"GM-1": 4, ...}`` of new members, all invited to one open staff participation wave."""
    groups = {}
    for group_name, size in sizes.items():
        members = {make_user("member").id: "Member" for _ in range(size)}
        groups[group_name] = make_group(group_name, members=members)
    wave = make_wave(make_survey("staff_participation", audience=Audience.STAFF), name=name)
    with app.app_context():
        invitations.invite(db.session.get(Wave, wave), invitations.group_invitees(groups.values()))
        db.session.commit()
    return groups, wave


def _answer_links(app, wave, segment, answers):
    """Answer through ``len(answers)`` links of the group, each with its participation answers (1–5)."""
    from tests.surveys_fixtures import STAFF_ANSWER, form_for

    with app.app_context():
        tokens = db.session.scalars(select(Invitation.token).where(Invitation.wave_id == wave,
                                                                   Invitation.segment == segment)).all()
    visitor = app.test_client()
    for token, value in zip(tokens, answers, strict=False):
        answer = {**STAFF_ANSWER, **{key: value for key in ("opinion-considered", "proposals-followed", "useful",
                                                            "means", "again")}}
        assert visitor.post(f"/s/{token}", data=form_for(app, wave, answer)).status_code in (200, 302)


def test_each_group_page_shows_its_survey_response_rate_and_favourable_share(app, client_as, make_user, make_group,
                                                                             make_survey, make_wave):
    groups, wave = _staff_wave_for_groups(app, make_user, make_group, make_survey, make_wave,
                                          {"GM-1 Welcome": 4, "GM-2 Complaints": 5})
    _answer_links(app, wave, "GM-1 Welcome", [5, 4, 2])  # 3 of 4: 2 of 3 answers favourable on every item
    _answer_links(app, wave, "GM-2 Complaints", [5, 5])  # 2 of 5: too few to show the favourable share
    reviewer = client_as("reviewer")
    waiting = reviewer.get(f"/improvements/groups/{groups['GM-1 Welcome']}").get_data(as_text=True)
    assert "Favourable: — %" in waiting and "3 responses are not counted yet" in waiting  # not released yet
    reviewer.get(f"/surveys/waves/{wave}/results")  # opening the results releases what is due
    first = reviewer.get(f"/improvements/groups/{groups['GM-1 Welcome']}").get_data(as_text=True)
    assert "not counted yet" not in first
    assert f'href="/surveys/waves/{wave}"' in first and "Improvement group participation survey · Spring" in first
    assert "Response rate: 75 % (3 of 4) · Favourable: 66.7 %" in first
    second = reviewer.get(f"/improvements/groups/{groups['GM-2 Complaints']}").get_data(as_text=True)
    assert "Response rate: 40 % (2 of 5) · Favourable: — %" in second
    assert "The favourable share is shown from 3 responses" in second


def test_a_group_page_follows_the_latest_wave_that_invited_its_members(app, make_user, make_group, make_survey,
                                                                       make_wave):
    from improvements.models import Group
    from surveys.participation import group_participation

    groups, first_wave = _staff_wave_for_groups(app, make_user, make_group, make_survey, make_wave,
                                                {"GM-1 Welcome": 3})
    _answer_links(app, first_wave, "GM-1 Welcome", [5, 5, 5])
    with app.app_context():
        releases.release_due(db.session.get(Wave, first_wave))  # as opening the results would
        db.session.commit()
    with app.app_context(), app.test_request_context():
        group = db.session.get(Group, groups["GM-1 Welcome"])
        found = group_participation(group)
        assert (found.invited, found.responses, found.favourable_pct, found.response_rate) == (3, 3, 100.0, 100.0)
        # a later wave, still a draft: the sent one stays on the page until it is opened
        later = make_wave(db.session.get(Wave, first_wave).survey_id, name="Autumn",
                          opens_on=date(2021, 1, 1), status="draft")
        invitations.invite(db.session.get(Wave, later), invitations.group_invitees([group.id]))
        db.session.commit()
        assert group_participation(group).url == f"/surveys/waves/{first_wave}"
        db.session.get(Wave, later).open()
        db.session.commit()
        latest = group_participation(group)
        assert latest.url == f"/surveys/waves/{later}" and (latest.responses, latest.favourable_pct) == (0, None)
        other = Group(name="GM-9 Never asked", purpose="x")
        assert group_participation(other) is None
