"""Importing responses exported by other survey tools into a wave (the import wizard: upload, map columns,
check, import)."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.files import Owner
from core.imports.wizard import Importer, register
from surveys import bp, response_import
from surveys.models import Wave


class ResponseImporter(Importer):
    """Responses to a wave's survey, one row per response, a column per question; the wave is the target."""

    owner = Owner.SURVEY_RESPONSE_IMPORT
    rule = "/waves/<int:wave_id>/import"
    endpoints = ("import_responses", "import_responses_check", "import_responses_file")
    title = _l("Import responses")
    intro = _l("Upload the CSV or XLSX file another survey tool exported, one row per response. You will say which "
               "column answers which question, see every row that cannot be imported, and only then import — all "
               "rows or none.")
    parts = "surveys/_response_import.html"

    def target(self, ids) -> Wave:
        return db.get_or_404(Wave, ids["wave_id"])

    template_name = _l("responses template")

    def spec(self, wave: Wave):
        return response_import.response_spec(wave.survey)

    def example_rows(self, wave: Wave) -> list[dict]:
        return response_import.example_rows(wave.survey)

    def readable(self, table, wave: Wave):
        # An anonymous survey keeps no time: the file's timestamp columns are not even offered.
        return response_import.readable_table(wave.survey, table)

    def offered_mapping(self, wave: Wave, table) -> dict:
        return response_import.offered_mapping(wave.survey, table.headers, getattr(table, "all_headers", None))

    def recognised(self, table):
        """The survey tool whose export the upload is, for the check page (None: not recognised)."""
        return response_import.recognised(table)

    def check(self, result, pending) -> list[dict]:
        return response_import.plan(result, pending.target)

    def write(self, plan, pending, *, replace: bool) -> dict[str, int]:
        # The file may name the respondents: it goes with the responses written (``apply``), only counts stay.
        return {"responses": response_import.apply(pending.target, plan)}

    def message(self, counts: dict[str, int]) -> str:
        return _("Import done: %(n)d responses added.", n=counts["responses"])

    def done_url(self, pending) -> str:
        return url_for("surveys.wave_results", wave_id=pending.target.id)


register(bp, ResponseImporter())
