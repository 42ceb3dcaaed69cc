"""The shared import layer reads the CSV and XLSX files people really have, and reports every bad cell."""

import csv
import io
import zipfile
from datetime import date, datetime

import pytest
from flask import render_template_string
from openpyxl import Workbook

from core.imports import (
    Column,
    ImportFileError,
    ImportSpec,
    error_report_csv,
    mapping_form_class,
    parse,
    read_table,
)

FREQUENCIES = {"mensual": "monthly", "monthly": "monthly", "trimestral": "quarterly", "quarterly": "quarterly"}
SPEC = ImportSpec([
    Column("code", "Indicator code", synonyms=("código", "código indicador", "indicator code", "code")),
    Column("year", "Year", "integer", synonyms=("año", "year")),
    Column("value", "Value", "number", synonyms=("valor", "value")),
    Column("measured_on", "Measured on", "date", synonyms=("fecha", "fecha de medición", "measured on")),
    Column("frequency", "Frequency", "choice", required=False, choices=FREQUENCIES,
           synonyms=("frecuencia", "frequency")),
    Column("validated", "Validated", "boolean", required=False, synonyms=("validado", "validated")),
    Column("comment", "Comment", required=False, max_length=20, synonyms=("comentario", "comment")),
])


def read_and_parse(data: bytes, filename: str = "medidas.csv", spec: ImportSpec = SPEC):
    table = read_table(data, filename)
    return table, parse(table, spec, spec.guess_mapping(table.headers))


def values(result, *fields) -> list[tuple]:
    return [tuple(row.values[name] for name in fields) for row in result.rows]


def problems(result) -> list[tuple]:
    return [(error.row, error.column, error.field, error.message) for error in result.errors]


def xlsx(rows, *, title="Datos", extra_sheet=None, formats=None) -> bytes:
    """A workbook built as Excel would save it; ``None`` in ``rows`` leaves that row empty."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for number, cells in enumerate(rows, start=1):
        for letter_index, value in enumerate(cells or ()):
            sheet.cell(row=number, column=letter_index + 1, value=value)
    for reference, number_format in (formats or {}).items():
        sheet[reference].number_format = number_format
    if extra_sheet:
        workbook.create_sheet(extra_sheet).append(["otra"])
        workbook[extra_sheet].append(["x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


# --- reading files -------------------------------------------------------------------------------

def test_a_utf8_file_with_bom_semicolons_and_spanish_numbers_and_dates():
    data = ("\ufeffCódigo;Año;Valor;Fecha;Frecuencia;Validado;Comentario\r\n"
            "IND-01;2024;1.234,56;31/12/2024;Mensual;Sí;\"Revisado;\r\nsin dudas\"\r\n"
            "IND-02;2024;87,5 %;1/2/24;TRIMESTRAL;no;\r\n").encode()
    table, result = read_and_parse(data)
    assert (table.kind, table.encoding, table.delimiter) == ("csv", "utf-8-sig", ";")
    assert table.headers[0] == "Código"
    assert result.ok
    assert [row.number for row in result.rows] == [2, 3]  # the quoted line break is one spreadsheet row
    assert values(result, "year", "value", "measured_on", "frequency", "validated", "comment") == [
        (2024, 1234.56, date(2024, 12, 31), "monthly", True, "Revisado;\r\nsin dudas"),
        (2024, 87.5, date(2024, 2, 1), "quarterly", False, None),
    ]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_a_windows_or_latin1_file_keeps_the_accents_of_its_headers_and_cells(encoding):
    comment = "5 € por cliente" if encoding == "cp1252" else "señal débil"
    data = f"Código;Año;Valor;Fecha;Comentario\nIND-01;2023;12,5;15/06/2023;{comment}\n".encode(encoding)
    table, result = read_and_parse(data)
    assert table.encoding == "cp1252"
    assert table.headers == ["Código", "Año", "Valor", "Fecha", "Comentario"]
    assert values(result, "code", "year", "value", "measured_on", "comment") == [
        ("IND-01", 2023, 12.5, date(2023, 6, 15), comment)]


def test_a_comma_delimited_english_file_with_thousands_commas_and_iso_dates():
    data = (b'Indicator code,Year,Value,Measured on\n'
            b'IND-01,2024,"1,234.56",2024-12-31\n'
            b'IND-02,2024,0.5,2024-01-02T10:30:00\n'
            b'IND-03,2024,"1,234",2024-01-03\n')
    table, result = read_and_parse(data, "export.csv")
    assert (table.encoding, table.delimiter) == ("utf-8", ",")
    assert values(result, "code", "value", "measured_on") == [
        ("IND-01", 1234.56, date(2024, 12, 31)),
        ("IND-02", 0.5, date(2024, 1, 2)),
        ("IND-03", 1234.0, date(2024, 1, 3)),  # the column writes decimals with a point, so 1,234 is 1234
    ]


@pytest.mark.parametrize(("data", "delimiter"), [
    ("Código\tValor\r\nA\t1,5\r\n".encode("utf-16"), "\t"),   # Excel's "Unicode text"
    (b'sep=,\nCodigo,Valor\nA,"1,5"\n', ","),                  # Excel's delimiter hint is not a row
    (b"Codigo|Valor\nA|1,5\n", "|"),
])
def test_other_delimiters_and_encodings_spreadsheets_save(data, delimiter):
    spec = ImportSpec([Column("code", "Code", synonyms=("código",)), Column("value", "Value", "number",
                                                                           synonyms=("valor",))])
    table, result = read_and_parse(data, spec=spec)
    assert table.delimiter == delimiter
    assert [(row.number, row.values["code"], row.values["value"]) for row in result.rows] == [(2, "A", 1.5)]


def test_an_xlsx_keeps_native_numbers_and_dates_and_reads_text_cells_the_spanish_way():
    data = xlsx([
        ["Código", "Año", "Valor", "Fecha", "Validado"],
        ["IND-01", 2024, 1234.56, datetime(2024, 12, 31), True],
        ["IND-02", 2024, "1.234,56", "31/12/2024", "sí"],
        None,
        ["IND-03", 2024.0, 0.875, datetime(2024, 3, 1, 10, 30), None],
        ["IND-04", 2024, 12.5, datetime(2024, 4, 1), "no"],
    ], formats={"C5": "0.0%", "C6": '0.0" %"'})
    table, result = read_and_parse(data, "medidas.xlsx")
    assert (table.kind, table.sheet) == ("xlsx", "Datos")
    assert result.ok
    assert [(row.number, *row.values.values()) for row in result.rows] == [
        (2, "IND-01", 2024, 1234.56, date(2024, 12, 31), None, True, None),
        (3, "IND-02", 2024, 1234.56, date(2024, 12, 31), None, True, None),
        (5, "IND-03", 2024, 87.5, date(2024, 3, 1), None, False, None),  # 87.5 % as the user sees it
        (6, "IND-04", 2024, 12.5, date(2024, 4, 1), None, False, None),  # a literal "%" does not multiply
    ]


def test_an_xlsx_whose_used_range_is_written_wrong_is_read_whole():
    """Some ERPs write <dimension ref="A1"/> whatever the sheet holds; openpyxl would stop there."""
    original = xlsx([["Código", "Valor"], ["A", 1], None, ["B", None, None], [None, None], ["C", 3]])
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        files = {name: archive.read(name).decode() for name in archive.namelist()}
    sheet_xml = files["xl/worksheets/sheet1.xml"]
    assert '<dimension ref="A1:C6" />' in sheet_xml
    files["xl/worksheets/sheet1.xml"] = sheet_xml.replace('<dimension ref="A1:C6" />', '<dimension ref="A1" />')
    table = read_table(zip_bytes(files), "erp.xlsx")
    assert table.headers == ["Código", "Valor"]
    assert [(row.number, row.values) for row in table.rows] == [
        (2, {"Código": "A", "Valor": 1}), (4, {"Código": "B", "Valor": None}), (6, {"Código": "C", "Valor": 3})]


def test_an_xlsx_sheet_can_be_chosen_by_name():
    data = xlsx([["Código"], ["A"]], title="Resumen", extra_sheet="Datos")
    assert read_table(data, "libro.xlsx", sheet="Datos").headers == ["otra"]
    with pytest.raises(ImportFileError, match="no sheet called “Medidas”. Its sheets: Resumen, Datos"):
        read_table(data, "libro.xlsx", sheet="Medidas")


@pytest.mark.parametrize(("data", "message"), [
    (b"", "“f.csv” is empty"),
    (b"  \r\n\r\n", "“f.csv” is empty"),
    (b"\xef\xbb\xbf", "“f.csv” is empty"),
    (b";;;\r\n;;\r\n", "“f.csv” is empty"),
    (b"Codigo;Valor\r\n;;\r\n", "has a header row but no rows of data"),
    (xlsx([]), "“f.csv” is empty"),
])
def test_an_empty_file_is_refused(data, message):
    with pytest.raises(ImportFileError, match=message):
        read_table(data, "f.csv")


@pytest.mark.parametrize(("data", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "is not a CSV or Excel \\(.xlsx\\) file"),
    (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n", "is not a CSV or Excel \\(.xlsx\\) file"),
    (bytes(range(256)) * 4, "is not a CSV or Excel \\(.xlsx\\) file"),
    (zip_bytes({"word/document.xml": "<w/>"}), "is not a CSV or Excel \\(.xlsx\\) file"),
    (zip_bytes({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}),
     "OpenDocument \\(.ods\\)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "Excel 97–2003 \\(.xls\\)"),
    (b"PK\x03\x04 not really a zip", "is damaged"),
    (b"<html><table><tr><td>1</td></tr></table></html>", "is a web page or XML file"),
])
def test_a_file_that_is_not_a_table_is_refused_saying_what_it_is(data, message):
    with pytest.raises(ImportFileError, match=message):
        read_table(data, "datos.xlsx")


def test_duplicate_headers_are_named():
    with pytest.raises(ImportFileError, match="More than one column is called “Valor”, “Fecha”"):
        read_table(b"Valor;Fecha;Codigo;Valor ;Fecha\n1;2;3;4;5\n", "f.csv")


def test_a_column_with_values_but_no_header_is_named_by_its_letter_and_empty_ones_are_dropped():
    with pytest.raises(ImportFileError, match="without a name in the header row have values: B, D"):
        read_table(b"Codigo;;Valor;\nA;x;1;y\n", "f.csv")
    table = read_table(b"Codigo;Valor;;\nA;1;;\n", "f.csv")
    assert table.headers == ["Codigo", "Valor"]
    assert table.rows[0].values == {"Codigo": "A", "Valor": "1"}


# --- headers and mapping -------------------------------------------------------------------------

@pytest.mark.parametrize(("header_line", "expected"), [
    ("  CÓDIGO   INDICADOR ;año;VALOR (%);Fecha_Medición;frecuencia ;¿Validado?;Observaciones",
     {"code": "CÓDIGO INDICADOR", "year": "año", "value": "VALOR (%)", "measured_on": "Fecha_Medición",
      "frequency": "frecuencia", "validated": "¿Validado?", "comment": None}),
    ("Indicator Code,YEAR,value,Measured-On,Frequency,validated,Comment",
     {"code": "Indicator Code", "year": "YEAR", "value": "value", "measured_on": "Measured-On",
      "frequency": "Frequency", "validated": "validated", "comment": "Comment"}),
])
def test_headers_are_recognised_in_spanish_and_english_whatever_their_spacing_case_and_accents(header_line, expected):
    delimiter = ";" if ";" in header_line else ","
    data = (header_line + "\n" + delimiter.join("x" * 7) + "\n").encode("cp1252")
    assert SPEC.guess_mapping(read_table(data, "f.csv").headers) == expected


def test_an_exact_header_wins_over_one_that_only_contains_the_name_and_each_header_is_used_once():
    spec = ImportSpec([Column("measured_on", "Date", "date", synonyms=("fecha",)),
                       Column("created_on", "Created", "date", required=False, synonyms=("fecha", "alta"))])
    assert spec.guess_mapping(["Fecha alta", "Fecha"]) == {"measured_on": "Fecha", "created_on": "Fecha alta"}
    assert spec.guess_mapping(["Fecha"]) == {"measured_on": "Fecha", "created_on": None}


def test_a_required_column_missing_from_the_mapping_is_named_and_stops_the_parse():
    table = read_table(b"Codigo;Valor;Fecha\nA;1;01/01/2024\n", "f.csv")
    mapping = SPEC.guess_mapping(table.headers)
    assert [column.field for column in SPEC.missing_required(mapping)] == ["year"]
    with pytest.raises(ImportFileError, match="The file has no column for “Year”"):
        parse(table, SPEC, mapping)
    with pytest.raises(ImportFileError, match="no column called “Ejercicio”"):
        parse(table, SPEC, {**mapping, "year": "Ejercicio"})


# --- cells ---------------------------------------------------------------------------------------

def convert_column(kind, cells, **options):
    convert = Column("x", "X", kind, **options).converter(cells)
    return [convert(cell) for cell in cells]


@pytest.mark.parametrize(("cells", "expected"), [
    (["1.234,56", "1234,56", "-3", "+7", ",5"], [1234.56, 1234.56, -3.0, 7.0, 0.5]),
    (["1,234.56", "1234.56", "-3"], [1234.56, 1234.56, -3.0]),
    (["12 %", "12,5%", "1.234 €", "1\u00a0234,5", "−2", "€ 1 234 567"],
     [12.0, 12.5, 1234.0, 1234.5, -2.0, 1234567.0]),
    (["1.234", "2.000"], [1234.0, 2000.0]),   # nothing tells: the Spanish way
    (["1,234"], [1.234]),
    (["1,234", "0.5"], [1234.0, 0.5]),         # the column writes a decimal point
    (["1.234", "2,5"], [1234.0, 2.5]),
    (["1,5E+3", 1234.5, 7], [1500.0, 1234.5, 7.0]),
])
def test_numbers_in_spanish_and_english_notation(cells, expected):
    assert convert_column("number", cells) == expected


@pytest.mark.parametrize("cell", ["12,3,4", "1.2.3", "abc", "1 2", "1%2", "12 34,5", "1e999", "1E+99999", "--1",
                                  "1,2.3,4", "€", True, datetime(2024, 1, 1)])
def test_what_is_not_a_number_is_refused_in_plain_words(cell):
    with pytest.raises(ValueError, match="is not a number"):
        convert_column("number", [cell])


def test_whole_numbers_refuse_decimals_and_range_limits_apply():
    assert convert_column("integer", ["1.000", "12", 3.0]) == [1000, 12, 3]
    with pytest.raises(ValueError, match="“12,5” is not a whole number"):
        convert_column("integer", ["12,5"])
    with pytest.raises(ValueError, match="“120” is more than 100"):
        convert_column("number", ["120"], maximum=100)


@pytest.mark.parametrize("cell", ["31/12/2024", "31-12-2024", "31.12.2024", "31/12/24", "2024-12-31",
                                  "2024/12/31", "2024-12-31T10:30:00Z", "31/12/2024 10:30",
                                  datetime(2024, 12, 31, 9), date(2024, 12, 31)])
def test_dates_day_first_iso_and_native(cell):
    assert convert_column("date", [cell]) == [date(2024, 12, 31)]


def test_dates_are_day_first_unless_the_column_can_only_be_month_first():
    assert convert_column("date", ["01/02/2024"]) == [date(2024, 2, 1)]
    assert convert_column("date", ["12/31/2024", "01/02/2024"]) == [date(2024, 12, 31), date(2024, 1, 2)]
    assert convert_column("date", ["01/01/69", "01/01/68"]) == [date(1969, 1, 1), date(2068, 1, 1)]
    with pytest.raises(ValueError, match="“12/31/2024” is not a date like 31/12/2024"):
        convert_column("date", ["31/12/2024", "12/31/2024"])


@pytest.mark.parametrize("cell", ["31/02/2024", "2024", "mañana", "31 dic 2024", 45657])
def test_what_is_not_a_date_is_refused(cell):
    with pytest.raises(ValueError, match="is not a date like 31/12/2024"):
        convert_column("date", [cell])


def test_choices_and_yes_no_ignore_case_accents_and_spaces():
    assert convert_column("choice", ["MENSUAL", " Trimestral ", "quarterly"], choices=FREQUENCIES) == [
        "monthly", "quarterly", "quarterly"]
    with pytest.raises(ValueError, match="“Semanal” is not one of: mensual, monthly, trimestral, quarterly"):
        convert_column("choice", ["Semanal"], choices=FREQUENCIES)
    yes, no = ["Sí", "si", "S", "YES", "y", "true", "VERDADERO", "1", "x", 1, True], ["No", "n", "false", "0", "", 0]
    assert convert_column("boolean", yes + no) == [True] * len(yes) + [False] * len(no)
    with pytest.raises(ValueError, match="“quizá” is not yes or no"):
        convert_column("boolean", ["quizá"])


# --- the report ----------------------------------------------------------------------------------

BAD_FILE = ("Código;Año;Valor;Fecha;Frecuencia;Comentario\n"
            "IND-01;2024;10;31/01/2024;mensual;\n"
            "\n"                                                        # row 3: empty, still counted
            "IND-02;dos mil;12,3,4;31/02/2024;semanal;bien\n"           # row 4: four bad cells
            ";2024;5;;;un comentario demasiado largo\n"                 # row 5: three more
            "IND-03;2024;20;29/02/2024;;\n").encode()


def test_every_bad_cell_of_every_row_is_reported_at_its_spreadsheet_row():
    _table, result = read_and_parse(BAD_FILE)
    assert not result.ok
    assert problems(result) == [
        (4, "Año", "year", "“dos mil” is not a number."),
        (4, "Valor", "value", "“12,3,4” is not a number."),
        (4, "Fecha", "measured_on", "“31/02/2024” is not a date like 31/12/2024."),
        (4, "Frecuencia", "frequency", "“semanal” is not one of: mensual, monthly, trimestral, quarterly."),
        (5, "Código", "code", "A value is required."),
        (5, "Fecha", "measured_on", "A value is required."),
        (5, "Comentario", "comment", "“un comentario demasiado largo” is longer than 20 characters."),
    ]
    assert [row.number for row in result.rows] == [2, 6]
    assert list(result.errors_by_row()) == [4, 5]
    assert (result.accepted_count, result.rejected_count, result.total) == (2, 2, 4)
    assert result.errors[0].value == "dos mil"


def test_reject_moves_a_row_into_the_same_report_in_row_order():
    _table, result = read_and_parse(BAD_FILE)
    for row in result.rows:  # rejecting while looping is safe: rows is a copy
        if row.values["code"] == "IND-03":
            result.reject_field(row.number, "code", "There is no indicator IND-03.")
    result.reject(6, "Fecha", "measured_on", "29/02/2024", "Period 2024-02 is also in row 2.")
    assert [row.number for row in result.rows] == [2]
    assert problems(result)[-2:] == [(6, "Código", "code", "There is no indicator IND-03."),
                                     (6, "Fecha", "measured_on", "Period 2024-02 is also in row 2.")]
    assert result.errors[-2].value == "IND-03"
    assert result.rejected_count == 3
    result.reject(2, None, None, None, "Row 2 repeats row 6.")
    assert [error.row for error in result.errors] == [2, 4, 4, 4, 4, 5, 5, 5, 6, 6] and result.rows == []
    with pytest.raises(KeyError):
        result.reject(99, None, None, None, "No such row.")


def test_the_error_report_csv_opens_in_a_spanish_excel_and_runs_no_formulas():
    data = "Código;Año;Valor;Fecha\n=HYPERLINK(\"x\");2024;-;01/01/2024\n".encode()
    _table, result = read_and_parse(data, spec=ImportSpec(SPEC.columns[:3] + [
        Column("measured_on", "Measured on", "date", synonyms=("fecha",))]))
    result.reject_field(2, "code", "There is no indicator =HYPERLINK(\"x\").")
    report = error_report_csv(result)
    assert report.startswith("\ufeffRow;Column;Value;Problem\r\n")
    rows = list(csv.reader(io.StringIO(report[1:]), delimiter=";"))
    assert rows[1:] == [["2", "Valor", "'-", "“-” is not a number."],
                        ["2", "Código", "'=HYPERLINK(\"x\")", "There is no indicator =HYPERLINK(\"x\")."]]


# --- the form and the templates ------------------------------------------------------------------

HEADERS = ["Código", "Año", "Valor", "Fecha", "Notas"]


def test_the_mapping_form_preselects_the_guess_and_returns_the_mapping(app):
    with app.test_request_context():
        form = mapping_form_class(SPEC, HEADERS)()
        assert form.column_code.data == "Código" and form.column_comment.data == ""
        assert form.column_year.flags.required and not form.column_comment.flags.required
    data = {"column_code": "Código", "column_year": "Año", "column_value": "Valor", "column_measured_on": "Fecha",
            "column_frequency": "", "column_validated": "", "column_comment": "Notas"}
    with app.test_request_context(method="POST", data=data):
        form = mapping_form_class(SPEC, HEADERS)()
        assert form.validate(), form.errors
        assert form.mapping() == {"code": "Código", "year": "Año", "value": "Valor", "measured_on": "Fecha",
                                  "frequency": None, "validated": None, "comment": "Notas"}


def test_the_mapping_form_needs_the_required_columns_and_each_header_once(app):
    data = {"column_code": "Código", "column_year": "", "column_value": "Valor", "column_measured_on": "Fecha",
            "column_frequency": "", "column_validated": "", "column_comment": "Valor"}
    with app.test_request_context(method="POST", data=data):
        form = mapping_form_class(SPEC, HEADERS)()
        assert not form.validate()
        assert form.errors == {"column_year": ["Choose the column that holds this."],
                               "column_comment": ["This column is already chosen for “Value”."]}


def render(macro_call, **context):
    return render_template_string('{% from "_imports.html" import mapping_form, preview_table, error_report %}'
                                  + macro_call, **context)


def test_the_templates_show_the_mapping_the_preview_and_every_rejected_row(app):
    table, result = read_and_parse(BAD_FILE)
    with app.test_request_context():
        mapping = render("{{ mapping_form(form, table=table) }}", form=mapping_form_class(SPEC, table.headers)(),
                         table=table)
        assert '<option selected value="Año">' in mapping and "— not in the file —" in mapping
        assert "A date, such as 31/12/2024" in mapping and "One of: mensual, monthly, trimestral" in mapping
        preview = render("{{ preview_table(result, limit=1) }}", result=result)
        assert "The first 1 of 2 rows that will be imported." in preview
        assert "<td>10</td>" in preview and "1/31/2024" in preview and "IND-03" not in preview
        report = render("{{ error_report(result, download_url='/errors.csv') }}", result=result)
        assert "2 rows rejected" in report and 'href="/errors.csv"' in report
        assert report.count("<tr>") == 1 + len(result.errors)
        assert "<code class=\"text-body\">12,3,4</code>" in report and "“semanal” is not one of" in report
        _table, clean = read_and_parse(b"Codigo;Ano;Valor;Fecha\nA;2024;1;01/01/2024\n")
        assert "No rows rejected" in render("{{ error_report(result) }}", result=clean)
