"""Placeholders for criteria whose data lives in capabilities not built yet (census, improvement groups,
staff surveys). Each says plainly that nothing has been recorded and where it will be.

When a capability lands, its own ``<package>/evidence.py`` registers a real source under the same key and
replaces the placeholder (see ``evidence.automatic.SOURCE_MODULES``)."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from evidence.automatic import Finding, Line, Status, evidence_source

#: key: (what is missing, where it will be recorded, what to do)
PENDING = {
    "B2": (_l("No client census has been recorded yet."), "loyalty.index",
           _l("Keep the census of current clients with new and lost clients and exit reasons")),
    "C1": (_l("No improvement carried out by an improvement group has been recorded yet."), "improvements.index",
           _l("Record the improvement groups' opportunities, SMART checks, priorities and actions")),
    "C2": (_l("No before/after results of improvements have been recorded yet."), "improvements.index",
           _l("Record the before and after results of each improvement")),
    "D1": (_l("No staff participation survey has been run yet."), "improvements.index",
           _l("Run the participation survey among the people who took part")),
}


def _placeholder(key: str):
    reason, endpoint, fix = PENDING[key]

    def source(detail: bool = False) -> Finding:
        return Finding(Status.MISSING, [Line(str(reason))], [Line(str(fix), url_for(endpoint))])

    source.__name__ = f"pending_{key.lower()}"
    source.__doc__ = f"{key}: nothing recorded yet (the capability that feeds it is not built yet)."
    return source


for _key in PENDING:
    evidence_source(_key)(_placeholder(_key))
