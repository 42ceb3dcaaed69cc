"""Process sheets through their pages and their services: create, edit with a revision, who may, retire instead of
delete, participants."""

import io
from datetime import date

from sqlalchemy import select

from core.audit import AuditEntry
from core.extensions import db
from core.models import User
from processes import services
from processes.models import Process, ProcessStatus, Revision
from tests.conftest import sign_in

SHEET = {"code": "pc-01", "name": "Client onboarding", "kind": "key", "status": "in_force", "parent_id": "0",
         "owner_id": "0", "purpose": "Welcome new clients", "scope_start": "Request", "scope_end": "Active client",
         "inputs": "Requests", "outputs": "Client file", "process_clients": "New clients",
         "reason": "Yearly review"}


def process(app, process_id) -> Process:
    with app.app_context():
        found = db.session.get(Process, process_id)
        if found is not None:
            db.session.expunge(found)
        return found


def test_a_coordinator_creates_a_process_sheet(app, client_as, make_programme):
    programme_id = make_programme()
    client = client_as("coordinator")
    response = client.post("/processes/new", data={**SHEET, "programme_id": programme_id})
    assert response.status_code == 302
    with app.app_context():
        created = db.session.query(Process).one()
        assert (created.code, created.name, created.purpose, created.owner_id) == (
            "PC-01", "Client onboarding", "Welcome new clients", None)
    assert "Client onboarding" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_invalid_sheets_come_back_with_field_errors(client_as, make_process, make_programme):
    programme_id = make_programme()
    make_process(code="PC-01", programme_id=programme_id)
    client = client_as("coordinator")
    page = client.post("/processes/new", data={**SHEET, "programme_id": programme_id, "name": ""}).get_data(True)
    assert "This field is required." in page
    page = client.post("/processes/new", data={**SHEET, "programme_id": programme_id}).get_data(as_text=True)
    assert "Another process already has this code." in page


def test_a_process_cannot_be_put_inside_itself(app, client_as, make_process):
    top = make_process(code="TOP")
    middle = make_process(code="MID", parent_id=top)
    bottom = make_process(code="LOW", parent_id=middle)
    client = client_as("coordinator")
    current = process(app, top)
    response = client.post(f"/processes/{top}/edit", data={
        **SHEET, "code": "TOP", "programme_id": current.programme_id, "parent_id": bottom,
        "version": current.version})
    assert response.status_code == 200
    assert "A process cannot be inside itself" in response.get_data(as_text=True)
    assert process(app, top).parent_id is None


def test_a_stale_sheet_is_refused(app, client_as, make_process):
    process_id = make_process(code="P1")
    programme_id = process(app, process_id).programme_id
    client = client_as("coordinator")
    data = {**SHEET, "code": "P1", "programme_id": programme_id, "version": "1"}
    assert client.post(f"/processes/{process_id}/edit", data={**data, "name": "First"}).status_code == 302
    page = client.post(f"/processes/{process_id}/edit", data={**data, "name": "Second"}).get_data(as_text=True)
    assert 'data-testid="edit-conflict"' in page
    assert process(app, process_id).name == "First"


def test_owners_edit_their_own_processes_and_nobody_elses(app, make_user, make_process):
    owner, other = make_user("member"), make_user("member")
    mine, theirs = make_process(code="MINE", owner_id=owner.id), make_process(code="THEIRS", owner_id=other.id)
    client = sign_in(app.test_client(), owner)
    assert client.get(f"/processes/{mine}/edit").status_code == 200
    assert client.get(f"/processes/{theirs}/edit").status_code == 403
    assert "Edit sheet" in client.get(f"/processes/{mine}").get_data(as_text=True)
    assert "Edit sheet" not in client.get(f"/processes/{theirs}").get_data(as_text=True)
    assert client.post("/processes/new", data=SHEET).status_code == 403  # only coordinators open new sheets


def test_a_process_with_measurements_is_retired_not_deleted(app, client_as, make_process, make_indicator):
    process_id = make_process(code="OLD")
    make_indicator(process_id, values={date(2025, 1, 1): 3.0})
    client = client_as("coordinator")
    page = client.post(f"/processes/{process_id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "retire it instead of deleting it" in page
    assert process(app, process_id) is not None
    client.post(f"/processes/{process_id}/retire", data={"confirm": "yes", "reason": "Merged into PC-02"})
    assert process(app, process_id).status == ProcessStatus.RETIRED
    assert "OLD" not in client.get("/processes/list").get_data(as_text=True).partition("<tbody>")[2]
    assert "OLD" in client.get("/processes/list?status=retired").get_data(as_text=True)


def test_a_sheet_without_history_can_be_deleted(app, client_as, make_process):
    process_id = make_process(code="OOPS", status=ProcessStatus.DRAFT)
    assert client_as("coordinator").post(f"/processes/{process_id}/delete").status_code == 302
    assert process(app, process_id) is None


def test_participants_are_added_once_and_removed(app, client_as, make_user, make_process):
    person = make_user("member", name="Paula Partícipe")
    process_id = make_process()
    client = client_as("coordinator")
    client.post(f"/processes/{process_id}/participants", data={"user_id": person.id, "role": "Reviewer of files"})
    again = client.post(f"/processes/{process_id}/participants", data={"user_id": person.id, "role": "Again"},
                        follow_redirects=True)
    assert "already takes part" in again.get_data(as_text=True)
    with app.app_context():
        (participant,) = db.session.get(Process, process_id).participants
        participant_id = participant.id
    assert "Paula Partícipe" in client.get(f"/processes/{process_id}").get_data(as_text=True)
    client.post(f"/processes/{process_id}/participants/{participant_id}/remove")
    with app.app_context():
        assert db.session.get(Process, process_id).participants == []
        # The trail keeps who took part, in which role, and who removed them.
        trail = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "process_participants")
                                   .order_by(AuditEntry.id)).all()
        assert [e.action for e in trail] == ["insert", "delete"]  # removed once, not also "updated"
        removed = trail[-1]
        assert removed.entity_id == str(participant_id)
        assert removed.entity_label == "Paula Partícipe (Reviewer of files)"
        assert removed.changes == {"process_id": [process_id, None], "user_id": [person.id, None],
                                   "role": ["Reviewer of files", None]}
        assert removed.actor.role.value == "coordinator"


def test_documents_are_uploaded_with_the_shared_mechanism(app, client_as, make_process):
    process_id = make_process()
    client = client_as("coordinator")
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    client.post(f"/processes/{process_id}/documents", data={"title": "Procedure", "file": (io.BytesIO(pdf), "p.pdf")},
                content_type="multipart/form-data")
    fake = {"title": "Fake", "file": (io.BytesIO(b"MZ"), "x.pdf")}
    bad = client.post(f"/processes/{process_id}/documents", data=fake, content_type="multipart/form-data",
                      follow_redirects=True)
    assert "is not a .pdf file" in bad.get_data(as_text=True)
    with app.app_context():
        (document,) = db.session.get(Process, process_id).documents
        assert (document.title, document.file.kind) == ("Procedure", "pdf")


def test_the_standard_decides_what_a_sheet_lacks(app, client_as, make_process):
    process_id = make_process(purpose="Something")
    client = client_as("coordinator")
    response = client.post("/processes/standard", data={"required_fields": ["purpose", "owner"],
                                                        "min_participants": "0", "min_indicators": "1",
                                                        "version": "1"})
    assert response.status_code == 302
    page = client.get(f"/processes/{process_id}").get_data(as_text=True)
    assert "Owner is empty" in page and "0 of 1 indicators" in page and "Purpose is empty" not in page
    assert client_as("member").post("/processes/standard", data={"min_indicators": "0"}).status_code == 403


def test_every_saved_change_makes_a_numbered_revision_with_its_reason(app, client_as, make_programme):
    programme_id = make_programme()
    client = client_as("coordinator", name="Carmen")
    location = client.post("/processes/new", data={**SHEET, "programme_id": programme_id}).headers["Location"]
    process_id = int(location.rstrip("/").split("/")[-1])
    edit = {**SHEET, "programme_id": programme_id, "version": "1", "purpose": "Welcome and keep new clients",
            "reason": ""}
    refused = client.post(f"/processes/{process_id}/edit", data=edit).get_data(as_text=True)
    assert "This field is required." in refused  # a change needs its reason
    client.post(f"/processes/{process_id}/edit", data={**edit, "reason": "Improvement group decision"})
    current = process(app, process_id)
    client.post(f"/processes/{process_id}/edit", data={**edit, "reason": "Nothing changed", "version": current.version,
                                                        "code": "PC-01"})
    page = client.get(f"/processes/{process_id}/revisions").get_data(as_text=True)
    assert "Revision 2" in page and "Revision 3" not in page  # saving without changes makes no revision
    assert "Improvement group decision" in page and "Sheet created" in page
    assert "Welcome new clients" in page and "Welcome and keep new clients" in page and "Carmen" in page


def test_the_sheet_service_makes_a_revision_for_every_saved_change(app, make_programme, make_user):
    author_id = make_user("coordinator", name="Carmen").id
    data = {**SHEET, "programme_id": make_programme(), "parent_id": None, "owner_id": None}
    with app.app_context():
        author = db.session.get(User, author_id)
        sheet = services.save_process(None, data, actor=author)
        services.save_process(sheet, {**data, "purpose": "Welcome and keep new clients"}, version=sheet.version,
                              reason="Improvement group decision", actor=author)
        services.save_process(sheet, {**data, "purpose": "Welcome and keep new clients"}, version=sheet.version,
                              reason="Saved again", actor=author)
        kept = db.session.scalars(select(Revision).where(Revision.process_id == sheet.id)
                                  .order_by(Revision.number)).all()
        assert [(r.number, r.reason, r.author_id) for r in kept] == [
            (1, "Sheet created", author_id), (2, "Improvement group decision", author_id)]
        assert kept[1].snapshot["purpose"] == "Welcome and keep new clients"


def test_the_process_list_leads_to_the_measurement_import_for_those_who_may_import(client_as, make_process):
    make_process(code="PC-01")
    assert 'href="/processes/measurements/import"' in client_as("member").get("/processes/list").get_data(True)
    assert 'href="/processes/measurements/import"' not in client_as("reviewer").get("/processes/list").get_data(True)
