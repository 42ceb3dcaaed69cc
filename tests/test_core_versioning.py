"""No lost updates: a stale form is refused with what changed, and racing saves are refused too."""

import pytest
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.access import TEAM_DATA, allow
from core.audit import acting_as
from core.models import Organisation, User
from core.versioning import EditConflict, ensure_current
from tests.conftest import sign_in


@pytest.fixture
def organisation_id(app, db):
    with app.app_context():
        organisation = Organisation(name="Original")
        db.session.add(organisation)
        db.session.commit()
        return organisation.id


def test_each_update_bumps_the_version(app, db, organisation_id):
    with app.app_context():
        organisation = db.session.get(Organisation, organisation_id)
        assert organisation.version == 1
        organisation.name = "Renamed"
        db.session.commit()
        assert organisation.version == 2


def test_a_form_from_an_older_version_is_refused_with_the_changes_since(app, db, organisation_id, make_user):
    editor = make_user("coordinator", name="Carmen")
    with app.app_context():
        organisation = db.session.get(Organisation, organisation_id)
        organisation.name = "Changed by Carmen"
        with acting_as(editor):
            db.session.commit()
        with pytest.raises(EditConflict) as raised:
            ensure_current(organisation, "1")
        (entry,) = raised.value.changes
        assert entry.changes == {"name": ["Original", "Changed by Carmen"]}
        assert entry.actor_id == editor.id
        ensure_current(organisation, "2")  # the current version passes


def test_two_people_editing_the_same_record_the_second_is_told_and_nothing_is_overwritten(
        app, db, organisation_id, make_user):
    first, second = app.test_client(), app.test_client()
    sign_in(first, make_user("coordinator", language="en"))
    sign_in(second, make_user("coordinator", language="en"))
    # Both opened the form at version 1.
    assert first.post("/settings/organisation", data={"name": "First's name", "version": "1"}).status_code == 302
    response = second.post("/settings/organisation", data={"name": "Second's name", "version": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="edit-conflict"' in page
    assert "First&#39;s name" in page  # what changed meanwhile
    assert 'name="version" type="hidden" value="2"' in page  # saving again applies on top, knowingly
    with app.app_context():
        assert db.session.get(Organisation, organisation_id).name == "First's name"


def test_racing_saves_are_refused_by_the_database(app, db, organisation_id):
    with app.app_context():
        other = Session(db.engine)
        theirs = other.get(Organisation, organisation_id)
        ours = db.session.get(Organisation, organisation_id)
        theirs.name = "Theirs"
        other.commit()
        other.close()
        ours.name = "Ours"
        with pytest.raises(StaleDataError):
            db.session.commit()
        db.session.rollback()
        assert db.session.get(Organisation, organisation_id).name == "Theirs"


def test_a_racing_save_in_a_request_gets_a_clear_409_page(app, client, make_user):
    user = make_user("admin", language="en")

    @app.get("/test-race")
    @allow(TEAM_DATA)
    def race():
        raise StaleDataError("UPDATE statement on table 'users' expected to update 1 row(s); 0 were matched.")

    sign_in(client, user)
    response = client.get("/test-race")
    assert response.status_code == 409
    assert "Someone saved the same record at the same moment" in response.get_data(as_text=True)


def test_admin_user_edit_refuses_a_stale_form(app, db, client, make_user):
    admin = make_user("admin", language="en")
    target = make_user("member", name="Before")
    with app.app_context():
        db.session.get(User, target.id).name = "Renamed meanwhile"
        db.session.commit()
    sign_in(client, admin)
    response = client.post(f"/users/{target.id}", data={
        "name": "My edit", "email": target.email, "role": "member", "language": "", "version": "1"})
    assert response.status_code == 200
    assert "Renamed meanwhile" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, target.id).name == "Renamed meanwhile"
