"""Viewing a page never writes: every GET page of an empty installation, read by every role, leaves the database
as it was — no audit entry, no data row (the checklist used to store the criteria sets on its first visit)."""

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.models import Role
from tests.conftest import sign_in
from tests.test_core_access import example_url


def row_counts() -> dict[str, int]:
    """Every table's number of rows."""
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def get_urls(app) -> list[str]:
    return sorted({example_url(app, rule) for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and rule.endpoint not in ("static", "accounts.logout")})


@pytest.mark.parametrize("role", [*Role, None])
def test_every_page_of_an_empty_app_is_read_without_writing(app, make_user, role):
    client = app.test_client()
    if role is not None:
        sign_in(client, make_user(role))
    with app.app_context():
        before = row_counts()
    statuses = {url: client.get(url).status_code for url in get_urls(app)}
    assert statuses["/"] in (200, 302) and 500 not in statuses.values(), statuses
    with app.app_context():
        after = row_counts()
    assert {name: (before[name], count) for name, count in after.items() if count != before[name]} == {}
    assert after["criteria_sets"] == 0  # the checklist, read first, no longer stores them
