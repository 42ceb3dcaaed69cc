"""Uploads for the importers are read within bounds: zip bombs, endless rows and columns are refused fast,
in little memory, with a message naming the file; and an upload is parsed once however often it is read."""

import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest

from core.imports import Bounds, ImportFileError, memo, read_table, reading
from core.imports.frames import read_frame

SHEET = "xl/worksheets/sheet1.xml"
#: 5 million empty rows: 30 MB unpacked, 30 KB packed.
EMPTY_ROWS = 5_000_000


def workbook(sheet_parts=None, extra=None) -> bytes:
    """A valid .xlsx (one sheet, header "Código" and one row) whose sheet XML is made of ``sheet_parts`` when given,
    with ``extra`` members ``{name: parts}`` written in streaming (no bomb is ever whole in memory)."""
    book = openpyxl.Workbook()
    book.active.append(["Código"])
    book.active.append(["C-1"])
    base, out = io.BytesIO(), io.BytesIO()
    book.save(base)
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == SHEET and sheet_parts is not None:
                _write(target, SHEET, [b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                                       b'main"><sheetData>', *sheet_parts(), b"</sheetData></worksheet>"])
            else:
                target.writestr(info, source.read(info.filename))
        for name, parts in (extra or {}).items():
            _write(target, name, parts())
    return out.getvalue()


def _write(archive, name, parts):
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w") as handle:
        for part in parts:
            handle.write(part)


def _empty_rows(count=EMPTY_ROWS, head=b""):
    return lambda: [head, *(b"<row/>" * 100_000 for _ in range(count // 100_000))]


@pytest.fixture(scope="module")
def row_bomb():
    return workbook(_empty_rows())


@pytest.fixture(scope="module")
def string_bomb():
    """One shared string of 48 MB (over the 32 MB bound), referenced by the sheet's only data cell."""
    huge = [b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
            b"<si><t>", *(b"a" * 1_000_000 for _ in range(48)), b"</t></si></sst>"]
    cell = [b'<row r="1"><c r="A1" t="inlineStr"><is><t>Codigo</t></is></c></row>',
            b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>']
    return workbook(lambda: cell, extra={"xl/sharedStrings.xml": lambda: huge})


def refused(data, filename, **kwargs):
    """The message of refusing ``data``, the seconds it took, and the peak of memory allocated meanwhile."""
    memo.forget()
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as refusal:
        read_table(data, filename, **kwargs)
    seconds = time.perf_counter() - started
    memo.forget()
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError):
            read_table(data, filename, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return str(refusal.value), seconds, peak


def test_a_sheet_of_millions_of_empty_rows_is_refused_by_its_compression_before_it_is_opened(row_bomb):
    assert len(row_bomb) < 100_000
    message, seconds, peak = refused(row_bomb, "bomba.xlsx")
    assert message.startswith("“bomba.xlsx” cannot be read: a part of it unpacks to more than 100 times its size")
    assert seconds < 0.5 and peak < 5_000_000


def test_past_the_compression_check_the_rows_are_counted_blank_ones_included(row_bomb):
    loose = Bounds(compression_ratio=10**6, uncompressed_bytes=10**10)
    message, seconds, peak = refused(row_bomb, "bomba.xlsx", bounds=loose)
    assert message.startswith("“bomba.xlsx” has more than 100 000 rows (blank rows count too)")
    assert seconds < 3 and peak < 20_000_000  # reading it all cost gigabytes


def test_rows_are_counted_in_every_part_whatever_its_name():
    data = workbook(extra={"xl/worksheets/sheet9.bin": _empty_rows(200_000)})
    message, seconds, _peak = refused(data, "b.xlsx", bounds=Bounds(compression_ratio=10**6))
    assert message.startswith("“b.xlsx” has more than 100 000 rows") and seconds < 3


def test_a_sheet_that_declares_its_size_is_read_row_by_row_and_stopped_at_the_bound():
    data = workbook(_empty_rows(300_000, head=b'<dimension ref="A1"/>'))
    message, seconds, _peak = refused(data, "b.xlsx", bounds=Bounds(compression_ratio=10**6, rows=1_000))
    assert message.startswith("“b.xlsx” has more than 1 000 rows") and seconds < 3


def test_a_huge_shared_string_is_refused_before_it_is_loaded(string_bomb):
    message, seconds, peak = refused(string_bomb, "texto.xlsx", bounds=Bounds(compression_ratio=10**6))
    assert message.startswith("“texto.xlsx” cannot be read: its text cells add up to more than 32 MB")
    assert seconds < 0.5 and peak < 5_000_000
    assert "“texto.xlsx” cannot be read" in refused(string_bomb, "texto.xlsx")[0]


def test_the_unpacked_size_and_the_number_of_parts_are_bounded():
    data = workbook(extra={f"xl/media/{n}.xml": (lambda: [b"x" * 1000]) for n in range(30)})
    assert "unpacks to more than 0 MB" in refused(data, "a.xlsx", bounds=Bounds(uncompressed_bytes=20_000))[0]
    assert "it holds more than 20 files" in refused(data, "a.xlsx", bounds=Bounds(zip_entries=20))[0]
    assert read_table(data, "a.xlsx").headers == ["Código"]  # within the defaults: read


def test_the_bounds_are_settings(app):
    with app.app_context():
        app.config["IMPORT_MAX_ROWS"] = 3
        assert Bounds.current() == Bounds(rows=3)
        with pytest.raises(ImportFileError, match="more than 3 rows"):
            read_table(b"Codigo\nA\n\n\nB\n", "f.csv")
        assert Bounds.current(rows=5).rows == 5
    assert Bounds.current() == Bounds()  # outside an app: the defaults


@pytest.mark.parametrize("reader", [read_table, read_frame])
def test_a_csv_over_the_row_column_or_cell_bound_is_refused_naming_file_and_row(reader):
    memo.forget()
    with pytest.raises(ImportFileError, match="“c.csv” has more than 2 rows"):
        reader(b"Codigo\nA\n\n\n", "c.csv", max_rows=2)  # blank rows count
    wide = b"Codigo;Valor\nA;1\n" + b";".join([b"x"] * 201) + b"\n"
    with pytest.raises(ImportFileError, match="“w.csv”, row 3: more than 200 columns"):
        reader(wide, "w.csv")
    with pytest.raises(ImportFileError, match="“w.csv”, row 1: more than 200 columns"):
        reader(b";".join([b"h"] * 300) + b"\n" + b"1\n", "w.csv")
    long = b"Codigo;Nota\nA;1\nB;" + b"z" * 40_000 + b"\n"
    with pytest.raises(ImportFileError, match="“l.csv”, row 3: a cell holds more than 32767 characters"):
        reader(long, "l.csv")


def test_an_xlsx_row_wider_than_the_bound_is_refused():
    data = workbook(lambda: [b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
                             b'<c r="XFD1" t="inlineStr"><is><t>y</t></is></c></row>'])
    with pytest.raises(ImportFileError, match="“w.xlsx”, row 1: more than 200 columns"):
        read_table(data, "w.xlsx")


def test_an_upload_is_parsed_once_and_its_table_cannot_be_changed(monkeypatch):
    memo.forget()
    calls = []
    real = reading.read_table_once
    monkeypatch.setattr(reading, "read_table_once", lambda *args: calls.append(args) or real(*args))
    data = b"Codigo;Valor\nA;1\nB;2\n"
    first, second = read_table(data, "f.csv"), read_table(data, "f.csv")
    assert len(calls) == 1 and second.rows is first.rows
    second.headers.append("mine")
    assert read_table(data, "f.csv").headers == ["Codigo", "Valor"]
    with pytest.raises(TypeError):
        first.rows[0].values["Valor"] = "9"  # type: ignore[index]
    with pytest.raises(AttributeError):
        first.rows = ()  # type: ignore[misc]
    read_table(data, "otro.csv")
    read_table(data, "f.csv", max_rows=10)
    assert len(calls) == 3  # another name or other bounds: read again


def test_a_frame_is_parsed_once_and_each_reader_gets_its_own_copy(monkeypatch):
    memo.forget()
    from core.imports import frames

    calls = []
    real = frames._read_frame
    monkeypatch.setattr(frames, "_read_frame", lambda *args: calls.append(args) or real(*args))
    data = b"Codigo;Valor\nA;1\nB;2\n"
    first = read_frame(data, "f.csv")
    first.frame.iloc[0, 1] = "changed"
    second = read_frame(data, "f.csv")
    assert len(calls) == 1 and second.frame.iloc[0, 1] == "1"


def test_a_parse_is_kept_per_file_and_mapping_and_each_caller_gets_its_own_copy(app, monkeypatch):
    from core.imports import Column, ImportSpec, parse_kept, result

    memo.forget()
    calls = []
    real = result.parse
    monkeypatch.setattr(result, "parse", lambda *args: calls.append(args) or real(*args))
    spec = ImportSpec([Column("code", "Code", synonyms=("codigo",)), Column("value", "Value", "number",
                                                                            synonyms=("valor",))])
    data = b"Codigo;Valor;Otro\nA;1\nB;x\n"
    with app.test_request_context():
        table = read_table(data, "f.csv")
        first = parse_kept(data, table, spec, {"code": "Codigo", "value": "Valor"})
        first.reject(2, None, None, "A", "Not this one.")
        first.values["mine"] = 1
        second = parse_kept(data, table, spec, {"code": "Codigo", "value": "Valor"})
        assert len(calls) == 1
        assert [error.row for error in second.errors] == [3] and "mine" not in second.values
        assert [error.row for error in first.errors] == [2, 3]
        again = ImportSpec([Column("code", "Código", synonyms=("x",)), spec.column("value")])
        assert parse_kept(data, table, again, {"code": "Codigo", "value": "Valor"}).columns[0].label == "Código"
        assert len(calls) == 1  # another label, the same columns: the same parse
        parse_kept(data, table, spec, {"code": "Otro", "value": "Valor"})
        assert len(calls) == 2  # another mapping: parsed again
        for _attempt in range(2):
            with pytest.raises(ImportFileError, match="no column for “Code”"):
                parse_kept(data, table, spec, {"value": "Valor"})
        assert len(calls) == 4  # a mapping that cannot be parsed is not kept
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert parse_kept(data, table, spec, {"code": "Codigo", "value": "Valor"}).errors[0].message == (
            "«x» no es un número.")
        assert len(calls) == 5  # the messages are in the reader's language


def _post(client, url, data, name, **fields):
    return client.post(url, data={"file": (io.BytesIO(data), name), **fields}, content_type="multipart/form-data")


@pytest.mark.parametrize(("url", "fields"), [("/clients/import", {"year": "2024"}),
                                             ("/clients/complaints/import", {})])
def test_the_upload_views_answer_the_message_and_store_nothing(app, client_as, exit_reasons, row_bomb, url, fields):
    from core.extensions import db
    from core.files import StoredFile

    member = client_as("member")
    started = time.perf_counter()
    response = _post(member, url, row_bomb, "bomba.xlsx", **fields)
    assert time.perf_counter() - started < 5  # the whole request, on a loaded machine; reading it cost 99 s
    assert response.status_code == 200
    assert "“bomba.xlsx” cannot be read: a part of it unpacks to more than 100 times" in response.get_data(as_text=True)
    many = b"Codigo\n" + b"A\n" * 5 + b"\n" * 10
    with app.app_context():
        app.config["IMPORT_MAX_ROWS"] = 10
    response = _post(member, url, many, "muchas.csv", **fields)
    assert "“muchas.csv” has more than 10 rows" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(StoredFile).count() == 0
