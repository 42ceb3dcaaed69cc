"""Census imports confirmed twice or at the same time: one is applied, the other is told why, never a 500."""

import threading

import pytest

from core.extensions import db
from loyalty.models import CensusImport, Client
from tests import test_loyalty_import as census_tests
from tests.test_loyalty_import import SPANISH, confirm

upload = census_tests.upload  # the fixture: a member who uploads census files

UPDATED = SPANISH.replace("Ferretería Ibáñez SL", "Ferretería Ibáñez SA")


@pytest.fixture
def checked(upload):
    """Upload a file and open its check page: (url, page)."""

    def check(content=SPANISH):
        url = upload(content)
        return url, upload.client.get(url).get_data(as_text=True)

    return check


def clients_and_applied(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.query(Client).count(),
                db.session.query(CensusImport).filter(CensusImport.imported_at.is_not(None)).count())


def test_a_second_confirmation_is_told_the_import_already_ran(app, upload, checked):
    url, page = checked()
    assert confirm(upload.client, url, page).status_code == 302
    again = confirm(upload.client, url, page)
    assert again.status_code == 302 and "/clients/imports/" in again.headers["Location"]
    done = upload.client.get(again.headers["Location"]).get_data(as_text=True)
    assert "This file has already been imported" in done
    assert clients_and_applied(app) == (3, 1)


def test_an_import_checked_before_another_changed_the_same_clients_is_checked_again(app, upload, checked):
    first, second = checked(), checked(UPDATED)  # both checked while the census is empty: 3 new clients each
    assert confirm(upload.client, *first).status_code == 302
    stale = confirm(upload.client, *second)
    assert stale.status_code == 200  # not an IntegrityError on the codes the first import added
    page = stale.get_data(as_text=True)
    assert "The census changed since this file was checked" in page and "3 clients already in the census" in page
    assert clients_and_applied(app) == (3, 1)
    assert confirm(upload.client, second[0], page).status_code == 302  # confirmed knowingly: applied
    assert clients_and_applied(app) == (3, 2)
    with app.app_context():
        assert db.session.query(Client).filter_by(code="C-001").one().name == "Ferretería Ibáñez SA"
        assert db.session.query(CensusImport).order_by(CensusImport.id.desc()).first().updated == 3


@pytest.mark.parametrize("same_import", [True, False], ids=["double-click", "two-imports"])
def test_confirmations_at_the_same_moment_apply_one_import(app, upload, checked, same_import):
    """Two threads against the test database (a file on SQLite, a server on PostgreSQL)."""
    first = checked()
    second = first if same_import else checked()
    start, answers = threading.Barrier(2), []

    def send(url, page):
        client = app.test_client()
        with upload.client.session_transaction() as signed_in, client.session_transaction() as session:
            session.update(signed_in)
        start.wait()
        try:
            answers.append(confirm(client, url, page).status_code)
        except Exception as error:  # noqa: BLE001 - the test reports what the request raised
            answers.append(repr(error))

    threads = [threading.Thread(target=send, args=case) for case in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers, key=str) == ([302, 302] if same_import else [200, 302])
    assert clients_and_applied(app) == (3, 1)
