"""Replacing or removing the file a criterion's evidence relies on: asked first, with what relies on it (the
verdicts recorded on that version, how many files the criterion keeps); the version in force stays, marked
superseded; a removal says why; every change is in the item's history, on the criterion's page."""

from sqlalchemy import select

from core.extensions import db
from core.transitions import history
from evidence.models import EvidenceItem
from evidence.services import ITEM_HISTORY_KIND, REMOVED
from tests.evidence_fixtures import checklist_ids, pdf_upload


def _item(app):
    with app.app_context():
        item = db.session.scalar(select(EvidenceItem))
        return item.id, [(r.number, r.superseded_at is not None) for r in item.revisions], \
            item.current_revision.number if item.current_revision else None


def test_replacing_and_removing_a_file_are_confirmed_and_keep_every_version(app, client_as):
    ids = checklist_ids(app)
    coordinator, reviewer = client_as("coordinator"), client_as("reviewer")
    coordinator.post(f"/evidence/criteria/{ids['A1']}/evidence", content_type="multipart/form-data",
                     data={"title": "Minutes", "criteria": [ids["A1"]], "note": "", "record": "",
                           "file": pdf_upload(version=1)})
    reviewer.post(f"/evidence/criteria/{ids['A1']}/verdict", data={"status": "met", "comment": "Signed minutes"})
    item_id, _versions, _current = _item(app)

    # A new version posted without the page that shows what it changes: nothing stored, sent to that page.
    unasked = coordinator.post(f"/evidence/evidence/{item_id}/revisions", content_type="multipart/form-data",
                               data={"file": pdf_upload(version=2), "criterion": ids["A1"]})
    assert f"/evidence/evidence/{item_id}/replace" in unasked.headers["Location"]
    assert _item(app)[1:] == ([(1, False)], 1)
    page = coordinator.get(f"/evidence/evidence/{item_id}/replace?criterion={ids['A1']}").get_data(as_text=True)
    assert "A1: the reviewer&#39;s verdict “Met”" in page and "was recorded on version 1 of this file" in page
    coordinator.post(f"/evidence/evidence/{item_id}/revisions", content_type="multipart/form-data",
                     data={"file": pdf_upload(version=2), "comment": "Signed copy", "criterion": ids["A1"],
                           "confirm": "yes"})
    assert _item(app)[1:] == ([(1, True), (2, False)], 2)  # version 1 stays, superseded

    url = f"/evidence/evidence/{item_id}/remove-file"
    assert coordinator.post(url, data={}).headers["Location"].endswith(url)  # unconfirmed: the page that asks
    page = coordinator.get(url).get_data(as_text=True)
    assert "A1 will count 0 items of manual evidence with a file (now 1)." in page
    refused = coordinator.post(url, data={"confirm": "yes", "reason": ""}).get_data(as_text=True)
    assert "Say why the file of “Minutes” is removed." in refused and _item(app)[2] == 2
    coordinator.post(url, data={"confirm": "yes", "reason": "Wrong meeting", "criterion": ids["A1"]})
    assert _item(app)[1:] == ([(1, True), (2, True)], None)  # removed from the evidence, every version kept
    assert coordinator.get(f"/evidence/items/{item_id}/revisions/2/file").status_code == 200
    with app.app_context():
        rows = [(r.from_value, r.to_value, r.reason) for r in history(ITEM_HISTORY_KIND, item_id)]
    assert rows == [("1", "2", "Signed copy"), ("2", REMOVED, "Wrong meeting")]
    criterion_page = coordinator.get(f"/evidence/criteria/{ids['A1']}").get_data(as_text=True)
    assert 'data-testid="file-history"' in criterion_page and "Wrong meeting" in criterion_page
    assert 'data-testid="file-removed"' in criterion_page and 'data-testid="superseded"' in criterion_page
