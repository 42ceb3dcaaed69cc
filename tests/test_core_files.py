"""Uploads are checked by content, stored in the database and served as safe downloads."""

import base64
import io

import pytest
from werkzeug.datastructures import FileStorage

from core.files import DOCUMENTS, IMAGES, Owner, StoredFile, UploadRejected, clean_filename, store_upload
from core.models import Organisation
from tests.conftest import sign_in

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active["A1"] = "code"
    workbook.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


@pytest.mark.parametrize(("data", "name", "kind"), [
    (PNG, "logo.png", "png"),
    (PDF, "acta.pdf", "pdf"),
    (None, "censo.xlsx", "xlsx"),
    ("código;nombre\n1;Ana\n".encode("latin-1"), "censo.csv", "csv"),
])
def test_accepted_files_are_stored_with_their_detected_type(app, db, data, name, kind):
    data = data if data is not None else xlsx_bytes()
    with app.app_context():
        stored = store_upload(upload(data, name), owner=Owner.EVIDENCE_ITEM, accept=DOCUMENTS, actor=None)
        db.session.commit()
        assert (stored.kind, stored.size, stored.filename) == (kind, len(data), name)
        assert db.session.get(StoredFile, stored.id).data == data


@pytest.mark.parametrize(("data", "name", "accept", "message"), [
    (b"MZ\x90\x00 not an image", "photo.png", IMAGES, "is not a .png file"),
    (b"just some text", "report.pdf", DOCUMENTS, "is not a .pdf file"),
    (PDF, "script.exe", DOCUMENTS, "are not accepted here"),
    (PDF, "no-extension", DOCUMENTS, "are not accepted here"),
    (PDF, "acta.pdf", IMAGES, "Accepted: jpeg, jpg, png"),
    (b"", "empty.pdf", DOCUMENTS, "is empty"),
    (b"\x00\x01\x02binary", "data.csv", DOCUMENTS, "is not a text file"),
])
def test_files_whose_content_does_not_match_are_rejected(app, data, name, accept, message):
    with app.app_context(), pytest.raises(UploadRejected, match=message):
        store_upload(upload(data, name), owner=Owner.EVIDENCE_ITEM, accept=accept, actor=None)


def test_files_over_the_limit_are_rejected(app):
    app.config["UPLOAD_MAX_BYTES"] = 1000
    with app.app_context(), pytest.raises(UploadRejected, match="larger than the limit"):
        store_upload(upload(PDF + b" " * 2000, "big.pdf"), owner=Owner.EVIDENCE_ITEM, accept=DOCUMENTS, actor=None)


@pytest.mark.parametrize(("given", "kept"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\ana\\Acta 1.pdf", "Acta 1.pdf"),
    ("ok\x00\x1f.pdf", "ok.pdf"),
    ("", "file"),
])
def test_client_file_names_are_never_paths(given, kept):
    assert clean_filename(given) == kept


def test_logo_upload_and_download_with_safe_headers(app, db, client, make_user):
    with app.app_context():
        db.session.add(Organisation(name="Org"))
        db.session.commit()
    sign_in(client, make_user("coordinator", language="en"))
    response = client.post("/settings/organisation/logo", data={"logo": (io.BytesIO(PNG), "logo.png")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "Logo uploaded." in response.get_data(as_text=True)
    download = client.get("/settings/organisation/logo")
    assert download.data == PNG
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"] == "attachment; filename=logo.png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.headers["Cache-Control"] == "private, no-store"
    assert app.test_client().get("/settings/organisation/logo").status_code == 302  # anonymous: to the login page


def test_a_rejected_logo_says_why_and_stores_nothing(app, db, client, make_user):
    with app.app_context():
        db.session.add(Organisation(name="Org"))
        db.session.commit()
    sign_in(client, make_user("coordinator", language="en"))
    response = client.post("/settings/organisation/logo", data={"logo": (io.BytesIO(b"<svg/>"), "logo.svg")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "Files of type “.svg” are not accepted here" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(StoredFile).count() == 0


def test_requests_over_max_content_length_get_the_413_page(app, db, client, make_user):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    with app.app_context():
        db.session.add(Organisation(name="Org"))
        db.session.commit()
    sign_in(client, make_user("coordinator", language="en"))
    response = client.post("/settings/organisation/logo", data={"logo": (io.BytesIO(b"x" * 4096), "logo.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)
