"""Anonymity by design: an anonymous response cannot be joined back to its link or person, by any query,
through the audit trail, through timestamps or through the order of keys; reviewers never see who answered."""

import re

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text

from core.audit import AuditEntry
from core.extensions import db
from surveys.models import Answer, Invitation, Response
from tests.conftest import sign_in
from tests.surveys_fixtures import STAFF_ANSWER, form_for


def _staff_wave(app, make_user, make_survey, make_wave, *, anonymous=True):
    from surveys.models import Audience

    people = [make_user("member", name=f"Person {n}") for n in range(4)]
    survey = make_survey("staff_participation", anonymous=anonymous, audience=Audience.STAFF)
    wave = make_wave(survey, invitees=[{"name": u.name, "email": u.email, "user_id": u.id, "segment": "Group A"}
                                       for u in people])
    return people, wave


def _answer_as_each(app, people, wave):
    """Each person answers through their own link while signed in (the worst case for a side channel)."""
    with app.app_context():
        tokens = dict(db.session.execute(select(Invitation.user_id, Invitation.token)
                                         .where(Invitation.wave_id == wave)).all())
    for number, person in enumerate(people[:3]):
        client = sign_in(app.test_client(), person)
        body = form_for(app, wave, {**STAFF_ANSWER, "comment": f"comment {number}"})
        assert client.post(f"/s/{tokens[person.id]}", data=body).status_code == 302
    return tokens


def test_an_anonymous_response_keeps_no_trace_of_its_link_or_person(app, make_user, make_survey, make_wave):
    people, wave = _staff_wave(app, make_user, make_survey, make_wave)
    with app.app_context():
        audit_before = db.session.query(AuditEntry).count()
    tokens = _answer_as_each(app, people, wave)
    with app.app_context():
        invitations = db.session.scalars(select(Invitation).where(Invitation.wave_id == wave)).all()
        assert sorted(i.used for i in invitations) == [False, True, True, True]  # only the fact of use
        assert all(i.sent_at is None for i in invitations)  # no time written on the invitation
        identifying = {str(v) for i in invitations for v in (i.id, i.token, i.user_id, i.email, i.name)}
        identifying |= {str(p.id) for p in people} | {p.email for p in people}
        responses = db.session.execute(select(Response.__table__)).mappings().all()
        answers = db.session.execute(select(Answer.__table__)).mappings().all()
        assert len(responses) == 3
        for row in [*responses, *answers]:
            for column, value in row.items():
                if column not in ("wave_id", "item_id", "number"):  # small integers shared by everyone
                    assert value is None or str(value) not in identifying, (column, value)
        assert all(r["invitation_id"] is None and r["submitted_on"] is None for r in responses)
        # Keys are random (128 bits), not sequential: they do not tell the order of arrival.
        assert all(re.fullmatch(r"[0-9a-f]{32}", r["id"]) for r in responses)
        assert len({r["id"] for r in responses}) == 3
        # The trail recorded nothing: no response, no answer, no invitation marked used.
        assert db.session.query(AuditEntry).count() == audit_before
        # No foreign key leads from an answer to an invitation or a person.
        inspector = sa_inspect(db.engine)
        answer_targets = {fk["referred_table"] for fk in inspector.get_foreign_keys("survey_answers")}
        assert answer_targets == {"survey_responses", "survey_items", "survey_waves"}
        assert "id" not in {c["name"] for c in inspector.get_columns("survey_answers")}
        # The only join a query could try finds nothing.
        joined = db.session.execute(select(Response.id, Invitation.user_id)
                                    .join(Invitation, Invitation.id == Response.invitation_id)).all()
        assert joined == []
        if db.engine.dialect.name == "sqlite":  # no hidden rowid keeping the order of arrival
            for table in ("survey_responses", "survey_answers"):
                try:
                    db.session.execute(text(f"SELECT rowid FROM {table}")).all()
                except Exception as error:  # noqa: BLE001
                    assert "rowid" in str(error)
                    db.session.rollback()
                else:
                    raise AssertionError(f"{table} keeps a rowid")
    assert len(tokens) == 4


def test_a_named_survey_keeps_who_answered(app, make_user, make_survey, make_wave):
    people, wave = _staff_wave(app, make_user, make_survey, make_wave, anonymous=False)
    _answer_as_each(app, people, wave)
    with app.app_context():
        named = db.session.execute(select(Invitation.user_id).join(Response, Response.invitation_id == Invitation.id)
                                   ).scalars().all()
        assert sorted(named) == sorted(p.id for p in people[:3])


def test_nobody_sees_who_answered_an_anonymous_survey(app, make_user, make_survey, make_wave, client_as):
    people, wave = _staff_wave(app, make_user, make_survey, make_wave)
    _answer_as_each(app, people, wave)
    for role in ("reviewer", "coordinator"):
        page = client_as(role).get(f"/surveys/waves/{wave}").get_data(as_text=True)
        assert "3 of 4 invited have answered." in page
        assert "Answered</th>" not in page and ">yes</td>" not in page
    reviewer = client_as("reviewer")
    page = reviewer.get(f"/surveys/waves/{wave}").get_data(as_text=True)
    with app.app_context():
        tokens = db.session.scalars(select(Invitation.token)).all()
    assert not any(token in page for token in tokens)  # links are personal: reviewers do not get them
    assert reviewer.get(f"/surveys/waves/{wave}/invitations/print").status_code == 403
    # Three responses are fewer than a batch: the export waits until the wave is closed.
    assert reviewer.get(f"/surveys/waves/{wave}/responses.csv").status_code == 302
    assert client_as("coordinator").post(f"/surveys/waves/{wave}/close", data={"confirm": "yes"}).status_code == 302
    export = reviewer.get(f"/surveys/waves/{wave}/responses.csv").get_data(as_text=True)
    assert "Person" not in export and "Group A" not in export and "comment 1" in export


def test_changes_to_invitations_show_in_the_trail_but_their_use_does_not(app, make_user, make_survey, make_wave):
    people, wave = _staff_wave(app, make_user, make_survey, make_wave)
    _answer_as_each(app, people, wave)
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "survey_invitations")).all()
        assert [e.action for e in entries] == ["insert"] * 4
        assert all("used" not in e.changes and e.changes["token"][1] == "••••••" for e in entries)
