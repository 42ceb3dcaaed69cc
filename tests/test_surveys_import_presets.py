"""Survey responses from the tools organisations use (issue 13, item 7): LimeSurvey (question codes and full
answers), Google Forms and Formbricks exports recognised from their headers and mapped by themselves; answers
written as words read as the scale's points, both readers agreeing; an unknown wording matched once and
remembered; the submit date kept as the response's date where the survey is not anonymous, dropped where it is,
and checked against the wave's period."""

import html
import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.imports import Column
from core.imports.cells import InvalidCell
from core.imports.columns import convert_column
from core.imports.values import ImportAlias
from surveys import answer_wordings, import_presets
from surveys.models import ItemKind, Response, Survey, Wave
from surveys.response_import import field_name, response_spec
from tests import survey_exports as exports

# --- the answers' wordings -------------------------------------------------------------------------


def _point_column(kind, aliases=None):
    return Column("item", "Item", kind="choice", required=False, choices=answer_wordings.point_choices(kind),
                  labels=answer_wordings.point_labels(kind), vocabulary=answer_wordings.VOCABULARY[kind],
                  numbered=True, aliases=aliases)


LIKERT_CELLS = {"Muy insatisfecho": 1, "muy insatisfecha": 1, "Totalmente en desacuerdo": 1, "Very dissatisfied": 1,
                "Strongly disagree": 1, "En desacuerdo": 2, "Dissatisfied": 2,
                "Ni satisfecho ni insatisfecho": 3, "Neither agree nor disagree": 3, "Satisfecho/a": 4,
                "De acuerdo": 4, "Agree": 4, "MUY SATISFECHO": 5, "Totalmente de acuerdo": 5, "Strongly agree": 5,
                "Very satisfied": 5, "4": 4, "4.0": 4, 4: 4, 5.0: 5, "5 - Muy satisfecho": 5}
SCALE_CELLS = {"9 - Muy probable": 9, "10 (Extremely likely)": 10, "0 – Nada probable": 0, "7": 7, 10: 10,
               "Nada probable": 0, "Extremely likely": 10, "10.0": 10, "1.0": 1}


@pytest.mark.parametrize(("kind", "cells"), [(ItemKind.LIKERT, LIKERT_CELLS), (ItemKind.SCALE, SCALE_CELLS)])
def test_standard_wordings_and_numbered_labels_are_read_as_points(app, kind, cells):
    with app.test_request_context():
        convert = _point_column(kind).converter(list(cells))
        assert {cell: convert(cell) for cell in cells} == cells


@pytest.mark.parametrize(("cell", "message"), [
    ("Bastante satisfecho", "is not one of: 1, 2, 3, 4, 5"), ("4,5", "is not one of: 1, 2, 3, 4, 5"),
    ("4.5", "is not one of: 1, 2, 3, 4, 5"), ("6", "is more than 5"), ("-1", "is less than 1"),
    ("12 - Muy probable", "is more than 5")])
def test_other_wordings_and_points_off_the_scale_are_refused(app, cell, message):
    with app.test_request_context(), pytest.raises(InvalidCell, match=message):
        _point_column(ItemKind.LIKERT).converter([cell])(cell)


def test_both_readers_agree_on_worded_answers_and_aliases(app):
    column = _point_column(ItemKind.LIKERT, aliases={"bastantesatisfecho": 4})
    cells = ["Muy satisfecho", "Bastante satisfecho", "bastante  SATISFECHO", "3", "2 - En desacuerdo", 5, 4.0,
             "Algo raro", "", "4.5", "Strongly agree"]
    with app.test_request_context():
        convert = column.converter(cells)
        by_cell = []
        for cell in cells:
            try:
                by_cell.append(convert(cell))
            except InvalidCell:
                by_cell.append(None)
        import pandas as pd

        values, problems = convert_column(column, pd.Series(cells, index=range(2, 2 + len(cells)), dtype=object))
    assert values.tolist() == by_cell == [5, 4, 4, 3, 2, 5, 4, None, None, None, 5]
    assert sorted(problems) == [9, 11]


def test_the_scales_are_fixed_vocabularies_of_their_points(ctx):
    from core.imports.values import vocabularies

    likert, scale = vocabularies()["surveys.likert"], vocabularies()["surveys.scale"]
    assert [option.value for option in likert.options()] == [1, 2, 3, 4, 5]
    assert [option.value for option in scale.options()] == list(range(11))
    assert likert.create is None and scale.create is None


# --- recognising the tools -------------------------------------------------------------------------

def test_each_tool_is_recognised_from_its_headers():
    assert import_presets.recognise(exports.limesurvey_codes()[0]) is import_presets.LIMESURVEY_CODES
    assert import_presets.recognise(exports.limesurvey_texts()[0]) is import_presets.LIMESURVEY_TEXTS
    assert import_presets.recognise(exports.google_forms()[0]) is import_presets.GOOGLE_FORMS
    assert import_presets.recognise(["Timestamp", "How satisfied are you?"]) is import_presets.GOOGLE_FORMS
    assert import_presets.recognise(exports.formbricks()[0]) is import_presets.FORMBRICKS
    assert import_presets.recognise(["Response ID", "Date submitted", "Last page", "Start language", "Q1"]) \
        is import_presets.LIMESURVEY_TEXTS
    assert import_presets.recognise(["Código", "Recomendación", "Timestamp"]) is None


def test_header_names_drop_numbering_and_read_sub_questions():
    assert import_presets.header_names("1. ¿Qué tal?") == ["quetal"]
    assert import_presets.header_names("12) Comentario") == ["comentario"]
    assert import_presets.header_names("G01Q01[attrattention]") == ["g01q01attrattention", "attrattention", "g01q01"]
    assert import_presets.header_names("Valore: [Atención personal]")[1] == "atencionpersonal"


@pytest.fixture
def spanish_survey(ctx, make_survey):
    return db.session.get(Survey, make_survey(language="es"))


@pytest.mark.parametrize("export", ["limesurvey_codes", "limesurvey_texts", "google_forms", "formbricks"])
def test_every_question_column_is_mapped_and_the_tools_own_columns_are_not(spanish_survey, export):
    headers = getattr(exports, export)()[0]
    preset = import_presets.recognise(headers)
    found = import_presets.question_columns(list(spanish_survey.items), headers, preset)
    assert sorted(item.key for item in found) == sorted(item.key for item in spanish_survey.items)
    metadata = import_presets.metadata_columns(headers, preset)
    assert metadata and not set(metadata) & set(found.values())
    assert import_presets.timestamp_column(headers, preset) == headers[0 if export == "google_forms" else 1]


def test_a_name_two_items_share_maps_neither(spanish_survey):
    items = list(spanish_survey.items)
    found = import_presets.question_columns(items, ["Comentario", "Recomendación"], None)
    assert {item.key: header for item, header in found.items()} == {"comment": "Comentario",
                                                                     "recommend": "Recomendación"}


# --- through the wizard's pages --------------------------------------------------------------------

def _upload(client, wave_id, data: bytes, name: str) -> str:
    response = client.post(f"/surveys/waves/{wave_id}/import", data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def _hidden(page: str) -> dict:
    return {name: html.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="(column_\w+)" value="([^"]*)"', page)}


def _import(client, wave_id, data: bytes, name: str) -> str:
    """Upload, open the check page as the wizard maps the file, confirm it; the check page's text."""
    check = _upload(client, wave_id, data, name)
    page = client.get(check).get_data(as_text=True)
    assert "Ninguna fila rechazada" in page, page[page.find('data-testid="import-errors"'):][:2000]
    response = client.post(check, data={**_hidden(page), "confirm": "1"})
    assert response.status_code == 302
    return page


def _stored(app, wave_id):
    """Each stored response as {item key: number or text}, with its date, in the order of the samples."""
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        keys = {item.id: item.key for item in wave.survey.items}
        responses = []
        for response in db.session.scalars(select(Response).where(Response.wave_id == wave_id)):
            answers = {keys[a.item_id]: a.text if a.text is not None else int(a.number) for a in response.answers}
            responses.append((answers, response.submitted_on))
    return sorted(responses, key=lambda found: -found[0]["overall"])


def _expected(dated: bool):
    return [({key: value for key, value in answers.items() if value != ""}, day if dated else None)
            for answers, day in zip(exports.EXPECTED, exports.DATES, strict=True)]


@pytest.fixture
def coordinator(client_as):
    return client_as("coordinator", language="es")


PRESET_FILES = {
    "limesurvey-codes": (lambda: exports.as_csv(exports.limesurvey_codes(), quote_all=True, bom=True),
                         "results-survey123456.csv", "exportación de LimeSurvey (códigos de pregunta)"),
    "limesurvey-texts": (lambda: exports.as_xlsx(exports.limesurvey_texts()), "results-survey123456.xlsx",
                         "exportación de LimeSurvey (respuestas completas)"),
    "google-forms": (lambda: exports.as_csv(exports.google_forms()), "Encuesta de satisfacción (respuestas).csv",
                     "exportación de Google Forms"),
    "formbricks": (lambda: exports.as_csv(exports.formbricks()), "formbricks-export.csv", "exportación de Formbricks"),
    "formbricks-xlsx": (lambda: exports.as_xlsx(exports.formbricks(), sheet="Responses"), "formbricks-export.xlsx",
                        "exportación de Formbricks"),
}


@pytest.mark.parametrize("preset", list(PRESET_FILES))
def test_a_tools_export_imports_through_the_wizard_with_its_dates(app, coordinator, make_survey, make_wave, preset):
    make_data, name, recognised = PRESET_FILES[preset]
    wave = make_wave(make_survey(language="es", anonymous=False), opens_on=date(2026, 11, 1))
    page = _import(coordinator, wave, make_data(), name)
    assert f"Reconocido como una {recognised}" in page
    assert _stored(app, wave) == _expected(dated=True)


def test_an_anonymous_wave_drops_the_timestamp(app, coordinator, make_survey, make_wave):
    wave = make_wave(make_survey(language="es", anonymous=True), opens_on=date(2026, 11, 1))
    data = exports.as_csv(exports.google_forms())
    check = _upload(coordinator, wave, data, "respuestas.csv")
    page = coordinator.get(check).get_data(as_text=True)
    assert "Marca temporal" not in page and "20/11/2026" not in page and "2026" not in _preview(page)
    assert "column_submitted_on" not in page
    assert "Reconocido como una exportación de Google Forms" in page  # from all its headers
    report = coordinator.get(check + "?report=csv").get_data(as_text=True)
    assert "20/11/2026" not in report and "Marca temporal" not in report
    assert coordinator.post(check, data={**_hidden(page), "confirm": "1"}).status_code == 302
    assert _stored(app, wave) == _expected(dated=False)


def _preview(page: str) -> str:
    start = page.find('data-testid="import-preview"')
    assert start != -1
    return page[start:page.find("</table>", start)]


def test_a_named_wave_shows_the_dates_and_refuses_those_outside_its_period(app, coordinator, make_survey,
                                                                           make_wave):
    wave_id = make_wave(make_survey(language="es", anonymous=False), opens_on=date(2026, 11, 21))
    with app.app_context():
        db.session.get(Wave, wave_id).closes_on = date(2026, 11, 22)
        db.session.commit()
    check = _upload(coordinator, wave_id, exports.as_csv(exports.formbricks()), "formbricks.csv")
    page = coordinator.get(check).get_data(as_text=True)
    assert "Fecha de la respuesta" in page
    assert page.count("fuera del periodo de la oleada") == 2
    assert "2 filas rechazadas" in page and 'data-testid="nothing-imported"' in page
    report = coordinator.get(check + "?report=csv").get_data(as_text=True)
    assert [line.split(";")[0] for line in report.splitlines()[1:] if "fuera del periodo" in line] == ["2", "4"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


# --- a wording of one's own, matched once ----------------------------------------------------------

def test_an_unknown_wording_is_matched_once_and_the_next_file_is_not_asked(app, coordinator, make_survey,
                                                                          make_wave):
    wave = make_wave(make_survey(language="es"), opens_on=date(2026, 11, 1))
    table = exports.limesurvey_texts()
    column = table[0].index(exports.QUESTIONS["overall"])
    table[2][column] = "Bastante satisfecho"  # the lukewarm respondent, in the organisation's own words
    data = exports.as_xlsx(table)
    check = _upload(coordinator, wave, data, "respuestas.xlsx")
    page = coordinator.get(check).get_data(as_text=True)
    assert 'data-testid="values-to-match"' in page and "“Bastante satisfecho”" in page
    name = re.search(r'<select[^>]*name="(match_\w+)"', page)[1]
    page = coordinator.post(check, data={**_hidden(page), name: "value:4", "match": "1"}).get_data(as_text=True)
    with app.app_context():
        alias = db.session.scalar(select(ImportAlias))
        assert (alias.vocabulary, alias.spelling, alias.value) == ("surveys.likert", "Bastante satisfecho", "4")
    assert 'data-testid="values-to-match"' not in page
    assert coordinator.post(check, data={**_hidden(page), "confirm": "1"}).status_code == 302
    # The next file, written the same way, goes through without asking.
    second = make_wave(make_survey(language="es"), name="Otra", opens_on=date(2026, 11, 1))
    page = _import(coordinator, second, data, "respuestas-2.xlsx")
    assert 'data-testid="values-to-match"' not in page
    overall = sorted(answers["overall"] for answers, _day in _stored(app, second))
    assert overall == [1, 4, 5]
    # The coordinator finds the match in the settings, with the point it counts as.
    page = coordinator.get("/settings/import-matches").get_data(as_text=True)
    assert "Respuestas de encuesta del 1 al 5" in page and "Bastante satisfecho" in page
    assert "4 (satisfecho, de acuerdo)" in page


def test_the_spec_of_an_anonymous_survey_has_no_date_column(ctx, make_survey):
    anonymous = db.session.get(Survey, make_survey(language="es"))
    named = db.session.get(Survey, make_survey(language="es", anonymous=False))
    assert "submitted_on" not in [column.field for column in response_spec(anonymous).columns]
    assert "submitted_on" in [column.field for column in response_spec(named).columns]
    overall = next(item for item in named.items if item.key == "overall")
    assert response_spec(named).column(field_name(overall)).vocabulary == "surveys.likert"


def test_a_number_off_the_scale_is_an_error_not_a_wording_to_match(app, coordinator, make_survey, make_wave):
    wave = make_wave(make_survey(language="es"), opens_on=date(2026, 11, 1))
    table = exports.google_forms()
    table[1][1] = "7"  # a 1–5 item
    table[2][table[0].index("7. " + exports.QUESTIONS["overall"])] = "Bastante satisfecho"
    check = _upload(coordinator, wave, exports.as_csv(table), "respuestas.csv")
    page = coordinator.get(check).get_data(as_text=True)
    matches = page[page.find('data-testid="values-to-match"'):page.find('data-testid="import-errors"')]
    assert "“Bastante satisfecho”" in matches and "“7”" not in matches
    assert "«7» es mayor que 5." in page


@pytest.mark.parametrize("preset", list(PRESET_FILES))
def test_both_readers_read_a_tools_export_alike(app, make_survey, preset):
    from core.imports import parse, read_table
    from core.imports.frames import read_frame
    from core.imports.values import remembered
    from surveys.response_import import offered_mapping

    make_data, name, _recognised = PRESET_FILES[preset]
    data = make_data()
    survey_id = make_survey(language="es", anonymous=False)
    with app.test_request_context():
        survey = db.session.get(Survey, survey_id)
        table = read_table(data, name)
        spec = remembered(response_spec(survey))
        mapping = offered_mapping(survey, table.headers)
        by_row = parse(table, spec, mapping)
        by_frame = parse(read_frame(data, name), spec, mapping)
        assert by_row.errors == by_frame.errors == []
        for column in spec.columns:
            rows = [row.values[column.field] for row in by_row._parsed_rows(by_row.values.index)]
            assert by_frame.values[column.field].tolist() == rows, column.field
        overall = next(item for item in survey.items if item.key == "overall")
        assert by_frame.values[field_name(overall)].tolist() == [5, 3, 1]


@pytest.mark.parametrize("export", ["limesurvey_codes", "limesurvey_texts", "google_forms", "formbricks"])
def test_the_check_page_offers_no_metadata_column_for_any_field(app, make_survey, export):
    from core.imports.forms import initial_mapping
    from surveys.response_import import offered_mapping

    headers = getattr(exports, export)()[0]
    survey_id = make_survey(language="es", anonymous=False)
    with app.test_request_context():
        survey = db.session.get(Survey, survey_id)
        offered = initial_mapping(response_spec(survey), headers, offered_mapping(survey, headers))
    metadata = set(import_presets.metadata_columns(headers, import_presets.recognise(headers)))
    timestamp = import_presets.timestamp_column(headers, import_presets.recognise(headers))
    assert offered.pop("submitted_on") == timestamp
    assert offered.pop("typology") is None and offered.pop("segment") is None
    assert all(header and header not in metadata for header in offered.values())


@pytest.mark.parametrize("anonymous", [True, False])
def test_the_upload_page_says_what_becomes_of_the_file_dates(coordinator, make_survey, make_wave, anonymous):
    wave = make_wave(make_survey(language="es", anonymous=anonymous))
    page = coordinator.get(f"/surveys/waves/{wave}/import").get_data(as_text=True)
    assert "Se reconocen las exportaciones de LimeSurvey, Google Forms y Formbricks" in page
    assert ("La encuesta es anónima: una columna de fecha del fichero no se lee." in page) is anonymous
    assert ("Se guarda la fecha de cada respuesta" in page) is not anonymous
    assert ("Fecha de la respuesta" in page) is not anonymous
