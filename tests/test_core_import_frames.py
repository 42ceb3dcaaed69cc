"""The frame reader (``core.imports.frames``) reads, and refuses, exactly what the row reader does: parsed, the
two tables give the same rows, values and messages."""

from datetime import datetime

import pandas as pd
import pytest

from core.imports import ImportFileError, error_report_csv, parse, read_table
from core.imports.frames import read_frame
from tests.test_core_imports import BAD_FILE, SPEC, xlsx

FILES = {
    "spanish utf-8 with bom": ("\ufeffCódigo;Año;Valor;Fecha;Frecuencia;Validado;Comentario\r\n"
                               "IND-01;2024;1.234,56;31/12/2024;Mensual;Sí;\"Revisado;\r\nsin dudas\"\r\n"
                               "IND-02;2024;87,5 %;1/2/24;TRIMESTRAL;no;\r\n").encode(),
    "windows-1252": "Código;Año;Valor;Fecha;Comentario\nIND-01;2023;12,5;15/06/2023;5 € por cliente\n".encode("cp1252"),
    "english commas": (b'Indicator code,Year,Value,Measured on\nIND-01,2024,"1,234.56",2024-12-31\n'
                       b'IND-02,2024,0.5,2024-01-02T10:30:00\nIND-03,2024,"1,234",2024-01-03\n'),
    "month first": b"Codigo;Year;Value;Fecha\nA;2024;1;12/31/2024\nB;2024;2;01/02/2024\n",
    "bad cells": BAD_FILE,
    "bad numbers": "Código;Año;Valor;Fecha\n" "A;2024;1e999;01/01/2024\nB;2024,5;--1;00/01/2024\n"
                   "C;2024;1.2.3;2024\nD;99999999999;€;31 dic 2024\nE;1.000;1 234,5;01/01/69\n".encode(),
    "sep line, short row": b"sep=;\nCodigo;Year;Value;Fecha\nA;2024;1;01/01/2024\nB;2024\n",
    "utf-16 tabs": "Código\tAño\tValor\tFecha\r\nA\t2024\t1,5\t01/01/2024\r\n".encode("utf-16"),
    "xlsx": xlsx([["Código", "Año", "Valor", "Fecha", "Validado"], ["IND-01", 2024, 1234.5, datetime(2024, 3, 1), True],
                  ["IND-02", "2024", "87,5", "31/03/2024", "no"], None, ["IND-03", "x", 3, 45657, "quizá"]]),
}


def both(data: bytes, filename="file.csv", spec=SPEC):
    table = read_table(data, filename)
    frame_table = read_frame(data, filename)
    mapping = spec.guess_mapping(table.headers)
    return table, frame_table, parse(table, spec, mapping), parse(frame_table, spec, mapping)


def problems(result):
    return [(e.row, e.column, e.field, e.shown_value, e.message) for e in result.errors]


@pytest.mark.parametrize("name", FILES)
def test_same_rows_values_and_messages_as_the_row_reader(app, name):
    with app.test_request_context():
        table, frame_table, by_row, by_column = both(FILES[name], "file.xlsx" if name == "xlsx" else "file.csv")
        assert frame_table.headers == table.headers
        assert (frame_table.kind, frame_table.encoding, frame_table.delimiter) == (
            table.kind, table.encoding, table.delimiter)
        assert list(frame_table.frame.index) == [row.number for row in table.rows]
        assert problems(by_column) == problems(by_row)
        accepted = by_column.accepted()
        assert list(accepted.index) == [row.number for row in by_row.rows]
        for row in by_row.rows:
            assert {k: _plain(v) for k, v in accepted.loc[row.number].items()} == row.values, row.number
        assert (by_column.accepted_count, by_column.rejected_count, by_column.total) == (
            by_row.accepted_count, by_row.rejected_count, by_row.total)
        assert error_report_csv(by_column) == error_report_csv(by_row)


def _plain(value):
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


@pytest.mark.parametrize("data", [b"", b"Codigo;Valor\n", b"Codigo;;Valor\nA;x;1\n", b"Codigo;Codigo\nA;B\n",
                                  b"%PDF-1.4 binary", b"Codigo;Year\nA;2024;extra\n"])
def test_files_refused_by_the_row_reader_are_refused_with_the_same_words(app, data):
    with app.test_request_context():
        with pytest.raises(ImportFileError) as by_row:
            read_table(data, "f.csv")
        with pytest.raises(ImportFileError) as by_column:
            read_frame(data, "f.csv")
        assert str(by_column.value) == str(by_row.value)


def test_too_many_rows_are_refused(app):
    with app.test_request_context(), pytest.raises(ImportFileError, match="more than 2 rows"):
        read_frame(b"Codigo\nA\nB\nC\n", "f.csv", max_rows=2)


def test_aliased_choices_read_the_same_with_both_readers(app):
    """A spec whose choice column has aliases (``core.imports.values``) gives the same rows and messages whichever
    reader read the file."""
    from dataclasses import replace

    from core.imports import ImportSpec
    from core.imports.cells import normalise

    aliased = ImportSpec([replace(column, vocabulary="frequencies", aliases={normalise("Cada mes"): "monthly"})
                          if column.field == "frequency" else column for column in SPEC.columns])
    data = ("Código;Año;Valor;Fecha;Frecuencia\nA;2024;1;01/01/2024;Cada mes\nB;2024;2;01/02/2024;CADA MES\n"
            "C;2024;3;01/03/2024;Trimestral\nD;2024;4;01/04/2024;Semanal\n").encode()
    with app.test_request_context():
        _table, _frame_table, by_row, by_column = both(data, spec=aliased)
        assert problems(by_column) == problems(by_row) and [row for row, *_rest in problems(by_row)] == [5]
        assert by_column.values["frequency"].tolist()[:3] == [row.values["frequency"] for row in by_row.rows] == [
            "monthly", "monthly", "quarterly"]
