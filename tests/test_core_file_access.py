"""Every stored file is served only through the record that owns it, under that record's rule; import uploads
are kept only until their import is applied or abandoned, and leave a summary without their content."""

import base64
import hashlib
import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update
from werkzeug.datastructures import FileStorage

from core.audit import AuditEntry
from core.extensions import db
from core.files import DOCUMENTS, Owner, StoredFile, store_upload
from core.imports.retention import ImportRecord
from core.models import Organisation, User
from core.timeutil import utcnow
from evidence.criteria_sets import ensure_builtin_sets
from evidence.models import CriteriaSet, EvidenceFileRevision, EvidenceItem, PackSnapshot
from improvements.models import Evidence, EvidenceKind, Improvement, Training
from loyalty.models import CensusImport
from processes.models import ProcessDocument
from surveys.models import Invitation, Response, Wave
from tests.conftest import sign_in

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
ROLES = ("admin", "coordinator", "member", "reviewer")
EVERYONE_SIGNED_IN = {"admin": 200, "coordinator": 200, "member": 200, "reviewer": 200, "anonymous": "login"}
PACK_READERS = {"admin": 200, "coordinator": 200, "member": 403, "reviewer": 200, "anonymous": "login"}
ONLY_THE_UPLOADER = {"admin": 404, "coordinator": 404, "member": 404, "reviewer": 404, "anonymous": "login"}


def content(name: str) -> bytes:
    return f"%PDF-1.4\n% {name}\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".encode()


def stored(data: bytes, name: str, owner: Owner, actor) -> StoredFile:
    return store_upload(FileStorage(stream=io.BytesIO(data), filename=name), owner=owner, accept=DOCUMENTS,
                        actor=actor)


def csv(text: str) -> bytes:
    return text.encode("utf-8")


@pytest.fixture
def owned(app, make_user, make_process, make_group, make_improvement, make_survey, make_wave):
    """One file of each owner kind, uploaded by people the visitors are not: {kind: (url, bytes, uploader)}."""
    coordinator, member = make_user("coordinator", name="Owner Coordinator"), make_user("member", name="Owner Member")
    process_id = make_process(code="OWN-1", owner_id=member.id)
    improvement_id = make_improvement(make_group(members={member.id: "member"}))
    wave_id = make_wave(make_survey(), public_link=True, invitees=[{"name": "Invited Person"}])
    found = {}
    with app.app_context():
        uploader = db.session.get(User, member.id)
        author = db.session.get(User, coordinator.id)
        organisation = Organisation(name="Org")
        organisation.logo = store_upload(FileStorage(stream=io.BytesIO(PNG), filename="logo.png"),
                                         owner=Owner.ORGANISATION_LOGO, accept=frozenset({"png"}), actor=author)
        db.session.add(organisation)

        item = EvidenceItem(title="Minutes", created_by=author)
        data = content("evidence")
        item.revisions.append(EvidenceFileRevision(number=1, file=stored(data, "minutes.pdf", Owner.EVIDENCE_ITEM,
                                                                         author), sha256="x"))
        db.session.add(item)
        db.session.flush()
        found["evidence-item"] = (f"/evidence/items/{item.id}/file", data, coordinator)
        found["evidence-revision"] = (f"/evidence/items/{item.id}/revisions/1/file", data, coordinator)

        ensure_builtin_sets()
        data = content("pack")
        pack = PackSnapshot(criteria_set=db.session.scalar(select(CriteriaSet).limit(1)), scope="all",
                            language="en", fingerprint=1, file=stored(data, "pack.pdf", Owner.EVIDENCE_PACK, author),
                            page_count=1)
        db.session.add(pack)
        db.session.flush()
        found["evidence-pack"] = (f"/evidence/packs/{pack.id}/download", data, coordinator)

        data = content("document")
        document = ProcessDocument(process_id=process_id, title="Procedure",
                                   file=stored(data, "procedure.pdf", Owner.PROCESS_DOCUMENT, uploader))
        db.session.add(document)
        data_evidence, data_material = content("improvement evidence"), content("material")
        improvement = db.session.get(Improvement, improvement_id)
        evidence = Evidence(kind=EvidenceKind.OTHER, title="Survey", recorded_on=date(2025, 1, 1),
                            file=stored(data_evidence, "survey.pdf", Owner.IMPROVEMENT_EVIDENCE, uploader))
        training = Training(held_on=date(2025, 1, 1), topic="New form",
                            material_file=stored(data_material, "slides.pdf", Owner.TRAINING_MATERIAL, uploader))
        improvement.evidence.append(evidence)
        improvement.trainings.append(training)
        db.session.flush()
        found["process-document"] = (f"/processes/{process_id}/documents/{document.id}", data, member)
        found["improvement-evidence"] = (f"/improvements/{improvement_id}/evidence/{evidence.id}/file",
                                         data_evidence, member)
        found["training-material"] = (f"/improvements/{improvement_id}/trainings/{training.id}/material",
                                      data_material, member)

        data = csv("code;name\nC-1;Ana\n")
        census = CensusImport(actor_id=uploader.id, filename="census.csv", year=2024, mapping={},
                              stored_file=stored(data, "census.csv", Owner.CENSUS_IMPORT, uploader))
        db.session.add(census)
        db.session.flush()
        found["census-import"] = (f"/clients/import/{census.id}/file", data, member)
        for owner, url in [(Owner.COMPLAINT_IMPORT, "/clients/complaints/import/{}/file"),
                           (Owner.MEASUREMENT_IMPORT, "/processes/measurements/import/{}/file"),
                           (Owner.SURVEY_RESPONSE_IMPORT, f"/surveys/waves/{wave_id}/import/{{}}/file")]:
            data = csv(f"name;answer\nRespondent of {owner};5\n")
            upload = stored(data, f"{owner}.csv", owner, uploader)
            found[owner.value] = (url.format(upload.id), data, member)
        db.session.commit()
        wave = db.session.get(Wave, wave_id)
        found["tokens"] = (db.session.scalar(select(Invitation.token).where(Invitation.wave_id == wave_id)),
                           wave.public_token)
        found["process"], found["improvement"], found["wave"] = process_id, improvement_id, wave_id
    return found


def answer(response, data: bytes):
    if response.status_code == 302 and "/login?next=" in response.headers["Location"]:
        return "login"
    if response.status_code == 200:
        assert response.data == data
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    return response.status_code


def visitors(app, make_user):
    """A fresh client per role (people who uploaded nothing) and an anonymous one."""
    clients = {role: sign_in(app.test_client(), make_user(role)) for role in ROLES}
    return clients | {"anonymous": app.test_client()}


@pytest.mark.parametrize(("kind", "expected"), [
    ("evidence-item", EVERYONE_SIGNED_IN),
    ("evidence-revision", EVERYONE_SIGNED_IN),
    ("evidence-pack", PACK_READERS),
    ("process-document", EVERYONE_SIGNED_IN),
    ("improvement-evidence", EVERYONE_SIGNED_IN),
    ("training-material", EVERYONE_SIGNED_IN),
    ("census-import", ONLY_THE_UPLOADER),
    ("complaint-import", ONLY_THE_UPLOADER),
    ("measurement-import", ONLY_THE_UPLOADER),
    ("survey-response-import", ONLY_THE_UPLOADER),
])
def test_each_kind_of_file_answers_every_role_as_its_owner_rule_says(app, make_user, owned, kind, expected):
    url, data, uploader = owned[kind]
    answers = {who: answer(client.get(url), data) for who, client in visitors(app, make_user).items()}
    assert answers == expected
    if expected is ONLY_THE_UPLOADER:
        mine = sign_in(app.test_client(), uploader).get(url)
        assert answer(mine, data) == 200
        assert mine.headers["Cache-Control"] == "private, no-store"


def test_authenticated_downloads_are_not_kept_by_browsers_or_proxies(app, make_user, owned):
    client = sign_in(app.test_client(), make_user("coordinator"))
    for kind in ("evidence-item", "evidence-pack", "process-document", "improvement-evidence", "training-material"):
        assert client.get(owned[kind][0]).headers["Cache-Control"] == "private, no-store", kind
    assert client.get("/settings/organisation/logo").headers["Cache-Control"] == "private, no-store"


def test_the_generic_file_route_is_gone(app, make_user, owned):
    admin = sign_in(app.test_client(), make_user("admin"))
    with app.app_context():
        ids = db.session.scalars(select(StoredFile.id)).all()
    assert ids and all(admin.get(f"/files/{file_id}").status_code == 404 for file_id in ids)
    assert not [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/files")]


def test_a_route_serves_only_files_of_its_own_owner_kind(app, make_user, owned):
    """A pack PDF linked (by a bug, or an edit of the database) as a process document is not served there."""
    with app.app_context():
        pack_file = db.session.scalar(select(PackSnapshot.file_id))
        db.session.execute(update(ProcessDocument).values(file_id=pack_file))
        db.session.commit()
    member = sign_in(app.test_client(), make_user("member"))
    assert member.get(owned["process-document"][0]).status_code == 404


def test_a_file_whose_owner_kind_has_no_rule_is_refused_to_everyone(app, make_user, owned):
    with app.app_context():
        db.session.execute(update(StoredFile).values(owner="supplier-contract"))
        db.session.commit()
    kinds = [kind for kind in owned if "-" in kind]
    for who, client in visitors(app, make_user).items():
        for kind in kinds:
            url, data, uploader = owned[kind]
            expected = "login" if who == "anonymous" else 403 if (who, kind) == ("member", "evidence-pack") else 404
            assert answer(client.get(url), data) == expected, (who, kind)
        if who != "anonymous":
            assert client.get("/settings/organisation/logo").status_code == 404
    for kind in kinds:
        url, data, uploader = owned[kind]
        assert sign_in(app.test_client(), uploader).get(url).status_code == 404, kind
    token, public = owned["tokens"]
    assert app.test_client().get(f"/s/{token}/logo").status_code == 404


def test_the_logo_is_reachable_anonymously_only_through_a_survey_link(app, make_user, owned):
    token, public = owned["tokens"]
    anonymous = app.test_client()
    page = anonymous.get(f"/s/{token}").get_data(as_text=True)
    assert f'src="/s/{token}/logo?v=' in page
    assert f'src="/s/w/{public}/logo?v=' in anonymous.get(f"/s/w/{public}").get_data(as_text=True)
    for url in (f"/s/{token}/logo", f"/s/w/{public}/logo"):
        response = anonymous.get(url)
        assert (response.status_code, response.data, response.mimetype) == (200, PNG, "image/png")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert anonymous.get("/s/not-a-token/logo").status_code == 404
    assert anonymous.get("/s/w/not-a-token/logo").status_code == 404
    login = anonymous.get("/settings/organisation/logo")
    assert login.status_code == 302 and "/login?next=" in login.headers["Location"]
    for role in ROLES:
        assert sign_in(app.test_client(), make_user(role)).get("/settings/organisation/logo").data == PNG


def test_the_logo_appears_on_the_cover_of_the_pack(app, make_user, owned):
    from pypdf import PdfReader

    reviewer = sign_in(app.test_client(), make_user("reviewer"))
    response = reviewer.post("/evidence/packs", data={"scope": "all", "language": "en"})
    assert response.status_code == 302
    location = response.headers["Location"]
    if "/jobs/" in location:  # built by a job (here in the request): its state says where the PDF is
        location = reviewer.get(location + "/state").get_json()["download"]
    pdf = reviewer.get(location).data
    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert [image.image.size for image in images] == [(1, 1)]


# Import uploads: deleted once applied, a summary kept.

def _audit_text(app) -> str:
    with app.app_context():
        return json.dumps([entry.changes for entry in db.session.scalars(select(AuditEntry))], ensure_ascii=False)


def _files(app, owner: Owner) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StoredFile).where(StoredFile.owner == owner))


def _post_upload(client, url, data: bytes, name: str, **form):
    response = client.post(url, data={"file": (io.BytesIO(data), name), **form}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def test_an_applied_census_import_keeps_its_summary_not_its_file(app, client_as, exit_reasons):
    import re

    member = client_as("member")
    data = "Código;Nombre;Tipología;Alta\nC-1;Ferretería Ibáñez SL;Usuario final;01/01/2020\n".encode("cp1252")
    check = _post_upload(member, "/clients/import", data, "censo.csv", year="2024")
    with app.app_context():
        record = db.session.scalar(select(CensusImport))
        file_url = f"/clients/import/{record.id}/file"
    assert member.get(file_url).data == data
    page = member.get(check).get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="(column_\w+|census_version)" value="([^"]*)"', page))
    assert member.post(check, data={**fields, "confirm": "1"}).status_code == 302
    with app.app_context():
        record = db.session.scalar(select(CensusImport))
        assert record.imported_at is not None and record.stored_file_id is None
        assert (record.filename, record.size, record.sha256) == ("censo.csv", len(data),
                                                                 hashlib.sha256(data).hexdigest())
        assert (record.rows, record.added) == (1, 1)
    assert _files(app, Owner.CENSUS_IMPORT) == 0
    assert member.get(file_url).status_code == 404
    assert "Ferretería" not in _audit_text(app)
    history = member.get("/clients/imports").get_data(as_text=True)
    assert hashlib.sha256(data).hexdigest()[:12] in history


def test_an_applied_complaint_import_keeps_its_summary_not_its_file(app, client_as):
    from voice.models import ComplaintCategory

    with app.app_context():
        db.session.add(ComplaintCategory(name="Delays", active=True))
        db.session.commit()
    member = client_as("member")
    data = csv("Referencia;Tipo;Fecha;Categoría;Descripción\nT-1;Queja;03/02/2025;Delays;Nobody called Mrs Ortiz\n")
    check = _post_upload(member, "/clients/complaints/import", data, "quejas.csv")
    file_url = check + "/file"
    assert member.get(file_url).data == data
    mapping = {"column_reference": "Referencia", "column_kind": "Tipo", "column_received_on": "Fecha",
               "column_category": "Categoría", "column_description": "Descripción"}
    assert member.post(check, data=mapping | {"confirm": "1"}).status_code == 302
    _assert_summary(app, Owner.COMPLAINT_IMPORT, data, "quejas.csv", {"added": 1, "rows": 1})
    assert member.get(file_url).status_code == 404
    assert member.get(check).status_code == 404
    assert "quejas.csv" in member.get("/clients/complaints/import").get_data(as_text=True)


def test_an_applied_measurement_import_keeps_its_summary_not_its_file(app, client_as, make_process, make_indicator):
    make_indicator(make_process(), code="SAT")
    coordinator = client_as("coordinator")
    data = csv("Código indicador;Periodo;Valor\nSAT;01/2025;4,1\nSAT;02/2025;3,9\n")
    check = _post_upload(coordinator, "/processes/measurements/import", data, "mediciones.csv")
    assert coordinator.get(check + "/file").data == data
    coordinator.post(check, data={"column_indicator": "Código indicador", "column_period": "Periodo",
                                  "column_value": "Valor", "confirm": "1"})
    _assert_summary(app, Owner.MEASUREMENT_IMPORT, data, "mediciones.csv",
                    {"added": 2, "replaced": 0, "kept": 0, "unchanged": 0, "rows": 2})
    assert coordinator.get(check + "/file").status_code == 404


def test_survey_response_files_go_as_soon_as_the_responses_are_written_and_no_name_stays(
        app, client_as, make_survey, make_wave):
    wave = make_wave(make_survey(), status="closed")
    coordinator = client_as("coordinator")
    data = csv("Name;Recommendation;Overall satisfaction\nAlicia Respondent;9;4\nBruno Respondent;10;5\n")
    check = _post_upload(coordinator, f"/surveys/waves/{wave}/import", data, "responses.csv")
    assert coordinator.get(check + "/file").data == data
    mapping = {"column_item_recommend": "Recommendation", "column_item_overall": "Overall satisfaction"}
    assert coordinator.post(check, data=mapping | {"confirm": "1"}).status_code == 302
    record = _assert_summary(app, Owner.SURVEY_RESPONSE_IMPORT, data, "responses.csv", {"responses": 2, "rows": 2})
    assert record.target_id == wave
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 2
    assert coordinator.get(check + "/file").status_code == 404
    assert "Respondent" not in _audit_text(app)
    page = coordinator.get(f"/surveys/waves/{wave}/import").get_data(as_text=True)
    assert "responses.csv" in page and "Respondent" not in page


def _assert_summary(app, owner: Owner, data: bytes, name: str, counts: dict) -> ImportRecord:
    assert _files(app, owner) == 0
    with app.app_context():
        record = db.session.scalar(select(ImportRecord))
        assert (record.kind, record.filename, record.size, record.sha256, record.counts) == (
            owner.value, name, len(data), hashlib.sha256(data).hexdigest(), counts)
        assert record.actor_id is not None and record.uploaded_at <= record.imported_at
        db.session.expunge(record)
    return record


# Abandoned uploads.

def _aged_uploads(app, make_user, days: list[int]) -> tuple[list[int], int]:
    """Import uploads uploaded ``days`` ago (one census import among them), and a process document as old."""
    uploader = make_user("member")
    with app.app_context():
        user = db.session.get(User, uploader.id)
        ids = []
        for number, age in enumerate(days):
            owner = Owner.CENSUS_IMPORT if number == 0 else Owner.COMPLAINT_IMPORT
            upload = stored(csv(f"a;b\n{number};x\n"), f"old-{number}.csv", owner, user)
            upload.uploaded_at = utcnow() - timedelta(days=age)
            if owner == Owner.CENSUS_IMPORT:
                db.session.add(CensusImport(actor=user, filename=upload.filename, year=2024, mapping={},
                                            stored_file=upload, size=upload.size, sha256=upload.sha256))
            ids.append(upload.id)
        document = stored(content("kept"), "kept.pdf", Owner.PROCESS_DOCUMENT, user)
        document.uploaded_at = utcnow() - timedelta(days=400)
        db.session.commit()
        return ids, document.id


def _remaining(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(StoredFile.id)))


def test_the_cleanup_command_deletes_uploads_older_than_the_setting_and_keeps_newer_ones(app, runner, make_user):
    (census_old, complaint_old, complaint_new), document = _aged_uploads(app, make_user, [8, 10, 6])
    result = runner.invoke(args=["imports", "cleanup"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 abandoned import uploads (older than 7 days)" in result.output
    assert _remaining(app) == {complaint_new, document}
    with app.app_context():
        record = db.session.scalar(select(CensusImport))
        assert (record.stored_file_id, record.imported_at, record.filename) == (None, None, "old-0.csv")
        assert record.sha256 is not None


@pytest.mark.parametrize("app_overrides", [{"IMPORT_FILES_KEEP_DAYS": 9}])
def test_the_cleanup_follows_the_configured_number_of_days(app, runner, make_user, app_overrides):
    (census_old, complaint_old, complaint_new), document = _aged_uploads(app, make_user, [8, 10, 6])
    assert "Deleted 1 abandoned" in runner.invoke(args=["imports", "cleanup"]).output
    assert _remaining(app) == {census_old, complaint_new, document}


def test_a_new_upload_deletes_abandoned_ones_on_the_way(app, client_as, make_user):
    (census_old, complaint_old, complaint_new), document = _aged_uploads(app, make_user, [8, 10, 6])
    check = _post_upload(client_as("member"), "/clients/complaints/import", csv("a;b\n1;2\n"), "new.csv")
    new_id = int(check.rstrip("/").rsplit("/", 1)[1])
    assert _remaining(app) == {complaint_new, document, new_id}


def test_an_abandoned_census_import_asks_for_the_file_again(app, runner, make_user):
    member = make_user("member")
    client = sign_in(app.test_client(), member)
    with app.app_context():
        user = db.session.get(User, member.id)
        record = CensusImport(actor=user, filename="old.csv", year=2024, mapping={},
                              stored_file=stored(csv("a\n1\n"), "old.csv", Owner.CENSUS_IMPORT, user))
        db.session.add(record)
        db.session.flush()
        record.stored_file.uploaded_at = utcnow() - timedelta(days=30)
        db.session.commit()
        record_id = record.id
    assert runner.invoke(args=["imports", "cleanup"]).exit_code == 0
    response = client.get(f"/clients/import/{record_id}", follow_redirects=True)
    assert "was deleted after 7 days without being imported" in response.get_data(as_text=True)
    assert client.get(f"/clients/import/{record_id}/file").status_code == 404


def test_the_trail_of_a_stored_file_keeps_no_content(app, make_user, owned):
    audit = _audit_text(app)
    assert "Respondent of" not in audit and "%PDF" not in audit
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "stored_files")).all()
        assert entries and all(set(entry.changes) <= {"filename", "kind", "content_type", "size", "owner"}
                               for entry in entries)


def test_the_migration_backfills_owners_and_keeps_only_pending_import_files(tmp_path):
    """Rows written before 0010: each file gets its owner kind; applied and unreferenced import files go."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app

    url = "sqlite:///" + str(tmp_path / "old.sqlite3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "TESTING": True})
    files = "INSERT INTO stored_files (id, filename, kind, content_type, size, sha256, purpose, data, uploaded_at) "
    with app.app_context():
        upgrade(revision="0009")
        with db.engine.begin() as connection:
            for number, purpose in enumerate(["organisation-logo", "organisation-logo", "evidence", "census-import",
                                              "census-import", "import"], start=1):
                connection.execute(sa.text(files + "VALUES (:id, 'f', 'csv', 'text/csv', 3, :sha, :purpose, "
                                           "X'616263', '2026-01-01')"), {"id": number, "sha": "s" * 64,
                                                                           "purpose": purpose})
            connection.execute(sa.text("INSERT INTO organisations (id, name, logo_id, version) VALUES (1, 'O', 2, 1)"))
            connection.execute(sa.text("INSERT INTO evidence_items (id, title, created_at) "
                                       "VALUES (1, 'E', '2026-01-01')"))
            connection.execute(sa.text("INSERT INTO evidence_file_revisions (id, item_id, number, file_id, sha256, "
                                       "uploaded_at) VALUES (1, 1, 1, 3, 's', '2026-01-01')"))
            census = ("INSERT INTO census_imports (id, created_at, stored_file_id, filename, year, full_census, "
                      "imported_at, rows, added, updated, figures_added, figures_replaced, figures_kept, marked_lost, "
                      "rejected, mapping) VALUES (:id, '2026-01-01', :file, 'c.csv', 2024, false, :done, "
                      "0, 0, 0, 0, 0, 0, 0, 0, '{}')")
            connection.execute(sa.text(census), {"id": 1, "file": 4, "done": "2026-01-02"})
            connection.execute(sa.text(census), {"id": 2, "file": 5, "done": None})
        upgrade()
        with db.engine.connect() as connection:
            owners = dict(connection.execute(sa.text("SELECT id, owner FROM stored_files ORDER BY id")).all())
            census_rows = connection.execute(sa.text(
                "SELECT id, stored_file_id, size, sha256 FROM census_imports ORDER BY id")).all()
        db.engine.dispose()
    assert owners == {1: "organisation-logo", 2: "organisation-logo", 3: "evidence-item", 5: "census-import"}
    assert [tuple(row) for row in census_rows] == [(1, None, 3, "s" * 64), (2, 5, 3, "s" * 64)]


def test_applying_an_import_whose_file_another_request_deleted_fails_as_a_conflict(app, make_user):
    """A double click on "import": the second request finds the file gone and writes nothing."""
    from sqlalchemy.orm.exc import StaleDataError

    from core.files import delete_file

    uploader = make_user("member")
    with app.app_context():
        upload = stored(csv("a\n1\n"), "twice.csv", Owner.COMPLAINT_IMPORT, db.session.get(User, uploader.id))
        db.session.commit()
        upload_id = upload.id
        with db.engine.begin() as other:  # the first request, committed meanwhile
            other.execute(StoredFile.__table__.delete().where(StoredFile.__table__.c.id == upload_id))
        with pytest.raises(StaleDataError):
            delete_file(upload)
        db.session.rollback()
