"""The audit trail records every change of audited records, in the same transaction."""

from sqlalchemy import select

from core.audit import SECRET, AuditEntry, acting_as
from core.models import Organisation, User
from tests.conftest import sign_in


def entries(db, entity_type):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == entity_type)
                                   .order_by(AuditEntry.id)))


def test_insert_update_delete_are_recorded_with_old_and_new_values(app, db, make_user):
    actor = make_user("admin")
    with app.app_context(), acting_as(actor):
        organisation = Organisation(name="Before", sector="Pensions")
        db.session.add(organisation)
        db.session.commit()
        organisation.name = "After"
        db.session.commit()
        db.session.delete(organisation)
        db.session.commit()

        created, changed, deleted = entries(db, "organisations")
        assert created.action == "insert" and created.changes["name"] == [None, "Before"]
        assert changed.action == "update" and changed.changes == {"name": ["Before", "After"]}
        assert changed.version == 2
        assert deleted.action == "delete" and deleted.changes["name"] == ["After", None]
        assert {created.actor_id, changed.actor_id, deleted.actor_id} == {actor.id}
        assert created.entity_id == changed.entity_id == deleted.entity_id == str(organisation.id)


def test_an_update_that_changes_nothing_writes_no_entry(app, db):
    with app.app_context():
        organisation = Organisation(name="Same")
        db.session.add(organisation)
        db.session.commit()
        organisation.name = "Same"
        db.session.commit()
        assert [e.action for e in entries(db, "organisations")] == ["insert"]


def test_secrets_are_masked(app, db, make_user):
    user = make_user("member")
    with app.app_context():
        user = db.session.get(User, user.id)
        user.set_password("another long password")
        db.session.commit()
        change = entries(db, "users")[-1]
        assert change.changes["password_hash"] == [SECRET, SECRET]
        assert "scrypt" not in str([e.changes for e in entries(db, "users")])


def test_a_rolled_back_change_leaves_no_entry(app, db):
    with app.app_context():
        db.session.add(Organisation(name="Never saved"))
        db.session.flush()
        db.session.rollback()
        assert entries(db, "organisations") == []


def test_changes_made_through_a_request_name_the_signed_in_user(app, db, client, make_user):
    coordinator = make_user("coordinator")
    sign_in(client, coordinator)
    response = client.post("/settings/organisation", data={"name": "Fondo Uno", "version": "1"})
    assert response.status_code == 302
    with app.app_context():
        (entry,) = entries(db, "organisations")
        assert entry.actor_id == coordinator.id
        assert entry.changes["name"] == [None, "Fondo Uno"]


def test_the_trail_can_be_browsed_and_filtered(app, db, client, make_user):
    admin = make_user("admin", name="Alicia Admin")
    other = make_user("member", name="Otto Other")
    with app.app_context():
        with acting_as(admin):
            db.session.add(Organisation(name="Filtered Org"))
            db.session.commit()
        with acting_as(other):
            db.session.get(User, other.id).name = "Otto Renamed"
            db.session.commit()
    sign_in(client, make_user("reviewer", language="en"))

    def listed(url):  # the table of entries, not the filter menus above it
        page = client.get(url).get_data(as_text=True)
        return page.partition('data-testid="audit-results"')[2].partition("</section>")[0]

    everything = listed("/audit")
    assert "Filtered Org" in everything and "Otto Renamed" in everything
    only_admin = listed(f"/audit?actor={admin.id}")
    assert "Filtered Org" in only_admin and "Otto Renamed" not in only_admin
    only_users = listed("/audit?entity_type=users")
    assert "Filtered Org" not in only_users and "Otto Renamed" in only_users
    future = listed("/audit?date_from=2999-01-01")
    assert "Filtered Org" not in future and "No changes match" in future


def test_the_home_page_shows_recent_changes_to_those_who_may_read_the_trail(app, db, client_as):
    with app.app_context():
        db.session.add(Organisation(name="Recently Added Org"))
        db.session.commit()
    reviewer_home = client_as("reviewer").get("/").get_data(as_text=True)
    assert "Recently Added Org" in reviewer_home.partition('data-testid="recent-changes"')[2].partition("</ul>")[0]
    member_home = client_as("member").get("/").get_data(as_text=True)
    assert 'data-testid="recent-changes"' not in member_home


def test_the_trail_speaks_of_records_and_fields_by_their_names_in_the_readers_language(app, db, client_as):
    with app.app_context():
        db.session.add(Organisation(name="Named Org", sector="Pensiones"))
        db.session.commit()
    english = client_as("coordinator", language="en").get("/audit").get_data(as_text=True)
    assert "<dt>Sector</dt>" in english and "Organisation</span><br>Named Org" in english
    spanish = client_as("coordinator", language="es").get("/audit").get_data(as_text=True)
    assert "<dt>Nombre</dt>" in spanish and "Organización</span><br>Named Org" in spanish


def test_sign_ins_are_not_data_changes(app, db, client, make_user):
    make_user("member", email="ana@example.test")
    from tests.conftest import PASSWORD

    assert client.post("/login", data={"email": "ana@example.test", "password": PASSWORD}).status_code == 302
    with app.app_context():
        assert [e.action for e in entries(db, "users")] == ["insert"]


def test_pages_offer_no_audit_links_to_a_role_that_cannot_read_the_trail(app, client_as, make_user, make_process):
    member = make_user("member")
    pages = ["/", "/account", f"/processes/{make_process(owner_id=member.id)}", f"/processes/{make_process()}"]
    member_client = sign_in(app.test_client(), member)
    for url in pages:
        response = member_client.get(url)
        assert response.status_code == 200, url
        assert "/audit" not in response.get_data(as_text=True), url
    coordinator = client_as("coordinator")  # the same pages do link to it for those who may read it
    assert "/audit?entity_type=processes" in coordinator.get(pages[2]).get_data(as_text=True)
