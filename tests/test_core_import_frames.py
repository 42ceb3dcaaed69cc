"""The column-at-a-time import (``core.imports.frames``) reads and reports exactly what the row-by-row one does."""

from datetime import date, datetime

import pandas as pd
import pytest

from core.imports import Column, ImportFileError, ImportSpec, error_report_csv, parse, read_table
from core.imports.frames import convert_column, first_row_of, parse_frame, read_frame
from tests.test_core_imports import BAD_FILE, FREQUENCIES, SPEC, xlsx

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
    return table, frame_table, parse(table, spec, mapping), parse_frame(frame_table, spec, mapping)


def problems(result):
    return [(e.row, e.column, e.field, e.shown_value, e.message) for e in result.errors]


@pytest.mark.parametrize("name", FILES)
def test_same_rows_values_and_messages_as_the_row_by_row_parse(app, name):
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


def test_importers_reject_rows_in_bulk_and_find_duplicates(app):
    spec = ImportSpec([Column("code", "Code", synonyms=("código",)),
                       Column("frequency", "Frequency", "choice", choices=FREQUENCIES, synonyms=("frecuencia",))])
    data = b"Codigo;Frecuencia\nA;mensual\nB;trimestral\nA;semanal\n\nB;mensual\n"
    with app.test_request_context():
        result = parse_frame(read_frame(data, "f.csv"), spec, {"code": "Codigo", "frequency": "Frecuencia"})
        first = first_row_of(result.values["code"])
        assert list(first) == [2, 3, 2, 3]
        repeated = first != first.index
        result.reject_rows(repeated, "code", first.map(lambda row: f"Also in row {row}."))
        assert problems(result) == [
            (4, "Frecuencia", "frequency", "semanal",
             "“semanal” is not one of: mensual, monthly, trimestral, quarterly."),
            (4, "Codigo", "code", "A", "Also in row 2."), (6, "Codigo", "code", "B", "Also in row 3.")]
        assert list(result.accepted().index) == [2, 3]
        assert [row.values for row in result.preview()] == [{"code": "A", "frequency": "monthly"},
                                                           {"code": "B", "frequency": "quarterly"}]
        with pytest.raises(KeyError):
            result.reject(99, None, None, None, "No such row.")
        assert result.values.loc[2, "code"] == "A" and date(2024, 1, 1)


# --- the column-at-a-time conversions agree with the per-cell converters, cell for cell ---------------

def _number_cell(rng) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(rng.choice([rng.randint(1, 8), rng.randint(9, 24)])))
    group, point = rng.choice([(".", ","), (",", "."), (" ", ","), ("\u00a0", ","), ("", ","), ("", ".")])
    grouped = digits
    if group and rng.random() < 0.6:
        head = len(digits) % 3 or 3
        grouped = digits[:head] + "".join(group + digits[i:i + 3] for i in range(head, len(digits), 3))
    text = grouped + (point + "".join(rng.choice("0123456789") for _ in range(rng.choice([1, 2, 2, 4, 9])))
                      if rng.random() < 0.6 else "")
    text = rng.choice(["", "", "-", "+", "\u2212", "--"]) + text
    if rng.random() < 0.1:
        text += rng.choice(["E+3", "e-2", "e999", "E+9999"])
    if rng.random() < 0.15:
        text = rng.choice(["€ ", "", " "]) + text + rng.choice([" €", "%", " %", "", "\u202f€"])
    if rng.random() < 0.08:
        text = rng.choice(["n/d", "1.2.3", "12,3,4", ",5", ".5", "1,234", "1.234", "١٢٣,٥", "1 2", "abc", "€",
                           "12 34,5", "1_000", "inf", "nan", "0x10", "1,2.3,4"])
    return text


def _date_cell(rng, month_first: bool) -> str:
    day, month = rng.randint(0, 32), rng.randint(0, 13)
    if month_first:
        day, month = month, day
    year = rng.choice(["2024", "2023", "1900", "2000", "0000", "0001", "9999", "24", "69", "68", "99"])
    separator = rng.choice("/.-")
    other = separator if rng.random() < 0.9 else rng.choice("/.-")
    width = rng.choice([2, 2, 2, 1])
    text = f"{day:0{width}d}{separator}{month:0{width}d}{other}{year}"
    roll = rng.random()
    if roll < 0.15:
        text = f"{year if len(year) == 4 else '20' + year}{separator}{month:02d}{other}{day:02d}"
    elif roll < 0.2:
        text += rng.choice([" 10:30", "T10:30:00Z", " 9:05:01+02:00", " mañana"])
    elif roll < 0.24:
        text = rng.choice(["29/02/2023", "29/02/2024", "29/02/1900", "29/02/2000", "31/04/2024", "2024",
                           "31 dic 2024", "٣١/١٢/٢٠٢٤", "1/2/3", "2024-1-5", "12/31/2024", "2024/02/30"])
    return text


def _agree(column, cells):
    convert = column.converter(cells)
    expected = []
    for cell in cells:
        try:
            expected.append(("ok", convert(cell)))
        except ValueError as error:
            expected.append(("error", str(error)))
    values, problems = convert_column(column, pd.Series(cells, index=range(2, len(cells) + 2), dtype=object))
    got = [("error", problems[number]) if number in problems else ("ok", value) for number, value in values.items()]
    for cell, want, have in zip(cells, expected, got, strict=True):
        assert have == want and type(have[1]) is type(want[1]), cell


@pytest.mark.parametrize("seed", range(40))
def test_numbers_and_dates_column_at_a_time_agree_with_the_per_cell_converters(app, seed):
    import random

    rng = random.Random(seed)
    with app.test_request_context():
        numbers = [_number_cell(rng) for _ in range(rng.randint(1, 80))] + [""] * rng.randint(0, 2)
        _agree(Column("x", "X", "number", required=False), numbers)
        _agree(Column("x", "X", "number", minimum=0, maximum=50_000), numbers)
        _agree(Column("x", "X", "integer", required=False, minimum=1900, maximum=2100), numbers)
        dates = [_date_cell(rng, month_first=seed % 4 == 0) for _ in range(rng.randint(1, 80))] + [""]
        _agree(Column("x", "X", "date", required=False), dates)
        _agree(Column("x", "X", "date", required=False), [cell for cell in dates if len(cell) == 10])
        typed = [1234.5, 7, datetime(2024, 1, 2, 3), date(2024, 5, 6), True, None]
        _agree(Column("x", "X", "number", required=False), [*numbers, *typed])
        _agree(Column("x", "X", "date", required=False), [*dates, *typed])


def test_indexes_are_deferred_only_for_a_large_write_on_sqlite_and_always_come_back(app):
    from sqlalchemy import Column as Field
    from sqlalchemy import Index, Integer, MetaData, String, Table, insert, inspect, text

    from core.extensions import db
    from core.imports.frames import bulk_execute, indexes_deferred

    table = Table("deferred_probe", MetaData(), Field("id", Integer, primary_key=True),
                  Field("code", String(10), unique=True), Field("group_name", String(10)),
                  Index("ix_deferred_probe_group", "group_name"))
    with app.app_context():
        table.create(db.engine)
        try:
            with db.engine.begin() as connection:
                bulk_execute(connection, insert(table), {"code": ["a", "b"], "group_name": "g"})

            def indexes(connection):
                return {index["name"] for index in inspect(connection).get_indexes("deferred_probe")}

            for rows, dropped in ((1, False), (2, True)):  # fewer rows than the table holds: kept
                with db.engine.begin() as connection:
                    with indexes_deferred(connection, table, rows):
                        gone = "ix_deferred_probe_group" not in indexes(connection)
                        assert gone == (dropped and db.engine.dialect.name == "sqlite")
                        assert connection.execute(text("SELECT count(*) FROM deferred_probe")).scalar() == 2
                    assert "ix_deferred_probe_group" in indexes(connection)
            with pytest.raises(Exception), db.engine.begin() as connection:  # noqa: B017 - whatever the driver raises
                with indexes_deferred(connection, table, 10):
                    bulk_execute(connection, insert(table), {"code": ["c", "a"], "group_name": "g"})  # "a" again
            with db.engine.connect() as connection:
                assert "ix_deferred_probe_group" in indexes(connection)
                assert connection.execute(text("SELECT count(*) FROM deferred_probe")).scalar() == 2
        finally:
            table.drop(db.engine)


def test_bulk_insert_writes_columns_and_an_explicit_none_is_not_a_default(app):
    from sqlalchemy import Boolean, Date, DateTime, Float, Integer, MetaData, String, Table, select
    from sqlalchemy import Column as Field

    from core.extensions import db
    from core.imports.frames import bulk_insert, driver_rows

    table = Table("bulk_probe", MetaData(), Field("id", Integer, primary_key=True), Field("code", String(10)),
                  Field("day", Date), Field("note", String(10)), Field("kind", String(10), default="plain"),
                  Field("size", Integer, server_default="7"), Field("amount", Float), Field("flag", Boolean),
                  Field("at", DateTime))
    moment = datetime(2024, 5, 6, 7, 8, 9, 123456)
    with app.app_context():
        table.create(db.engine)
        try:
            with db.engine.begin() as connection:  # on PostgreSQL through COPY
                bulk_insert(connection, table, {
                    "code": ["a", "b", "c"], "day": [date(2024, 1, 2), None, date(2024, 1, 2)], "note": [None] * 3,
                    "kind": [None] * 3, "size": [None, 3, None], "amount": [0.1, None, 1234.56],
                    "flag": [True, False, None], "at": moment})
                bulk_insert(connection, table, {"code": ["d", "é;\t\"x\""], "note": [None, None]})
                rows = list(driver_rows(connection, select(
                    table.c.code, table.c.day, table.c.note, table.c.kind, table.c.size, table.c.amount, table.c.flag,
                    table.c.at).order_by(table.c.id)))
            assert rows == [("a", date(2024, 1, 2), None, None, None, 0.1, True, moment),
                            ("b", None, None, None, 3, None, False, moment),
                            ("c", date(2024, 1, 2), None, None, None, 1234.56, None, moment),
                            ("d", None, None, "plain", 7, None, None, None),
                            ("é;\t\"x\"", None, None, "plain", 7, None, None, None)]
        finally:
            table.drop(db.engine)
