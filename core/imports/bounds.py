"""How much of an uploaded table the importers are willing to read, and the checks made before reading it.

An ``.xlsx`` is a ZIP archive: 176 KB of it can unpack to 120 MB of empty ``<row/>`` elements, or to one
300 MB shared string, and a reader that trusts it spends gigabytes and minutes of a worker. So the
archive's directory is judged before openpyxl opens it, and every row read counts against the row
bound, blank rows included. The bounds are settings (``IMPORT_MAX_*``, docs/deployment.md "Configuration"); the
defaults leave room for a census of 100 000 clients (whose sheet, nine columns written by openpyxl
with inline strings, unpacks to 53 MB at a compression ratio of 9).
"""

import io
import re
import zipfile
from dataclasses import dataclass, fields, replace

from flask import current_app, has_app_context
from flask_babel import gettext as _

#: Members smaller than this are never judged by their compression ratio: they cannot cost much.
RATIO_FLOOR_BYTES = 1024 * 1024
SHARED_STRINGS = "xl/sharedStrings.xml"
#: How a row element starts (``<row …>``, ``<row/>``, ``<x:row>``), counted without a match object each.
_ROW_TAGS = tuple(start + b"row" + end for start in (b"<", b":") for end in (b" ", b">", b"/", b"\t", b"\n", b"\r"))
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?row[\s/>]")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?dimension[\s/>]")
_CHUNK = 1 << 20


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says why in words the user understands."""


@dataclass(frozen=True)
class Bounds:
    """The most an import reads of one file; each field is the setting ``IMPORT_MAX_<FIELD>``."""

    #: Rows under the header, blank rows included.
    rows: int = 100_000
    columns: int = 200
    #: Characters in one cell (Excel's own limit).
    cell_chars: int = 32_767
    #: Everything in an .xlsx, unpacked.
    uncompressed_bytes: int = 128 * 1024 * 1024
    #: The text of an .xlsx's shared strings, which openpyxl holds in memory whole.
    shared_strings_bytes: int = 32 * 1024 * 1024
    #: Unpacked size over packed size of one member of an .xlsx (a real sheet is near 10).
    compression_ratio: int = 100
    zip_entries: int = 1_000

    @classmethod
    def current(cls, **given: int | None) -> "Bounds":
        """The configured bounds (defaults outside an app), with the ``given`` ones that are not None."""
        bounds = cls()
        if has_app_context():
            config = current_app.config
            bounds = replace(bounds, **{f.name: config[f"IMPORT_MAX_{f.name.upper()}"] for f in fields(cls)
                                        if f"IMPORT_MAX_{f.name.upper()}" in config})
        return replace(bounds, **{name: value for name, value in given.items() if value is not None})


#: The settings and their defaults, for ``core.config``.
DEFAULT_SETTINGS = {f"IMPORT_MAX_{f.name.upper()}": f.default for f in fields(Bounds)}


def check_archive(data: bytes, filename: str, bounds: Bounds) -> set[str]:
    """The member names of an .xlsx whose directory promises a bounded read; refuse any other.

    The sizes are the directory's word, and ``zipfile`` (through which openpyxl reads too) keeps it:
    it stops at the declared size of a member and fails on its checksum.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_sizes(members, filename, bounds)
            for member in members:  # any part may be a sheet: the workbook's relations name them, not their names
                if member.filename != SHARED_STRINGS:
                    _check_rows(archive, member, filename, bounds)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as error:
        raise ImportFileError(_("“%(name)s” is damaged and cannot be read.", name=filename)) from error
    return {member.filename for member in members}


def _check_sizes(members: list[zipfile.ZipInfo], filename: str, bounds: Bounds) -> None:
    if len(members) > bounds.zip_entries:
        raise _too_big(filename, _("it holds more than %(count)d files", count=bounds.zip_entries))
    if sum(member.file_size for member in members) > bounds.uncompressed_bytes:
        raise _too_big(filename, _("it unpacks to more than %(mb)d MB", mb=bounds.uncompressed_bytes // 2**20))
    for member in members:
        if member.filename == SHARED_STRINGS and member.file_size > bounds.shared_strings_bytes:
            raise _too_big(filename, _("its text cells add up to more than %(mb)d MB",
                                       mb=bounds.shared_strings_bytes // 2**20))
        if member.file_size > RATIO_FLOOR_BYTES and \
                member.file_size > bounds.compression_ratio * max(member.compress_size, 1):
            raise _too_big(filename, _("a part of it unpacks to more than %(ratio)d times its size, as no "
                                       "spreadsheet does", ratio=bounds.compression_ratio))


def _check_rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo, filename: str, bounds: Bounds) -> None:
    """Refuse a sheet of more rows than the bound when it does not declare its size: openpyxl, opening
    the workbook, parses such a sheet to its end (keeping every row element) to learn its size. A sheet
    that declares it is read row by row, and ``bounded`` stops it."""
    count, carry = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            text = carry + chunk
            if not count and not carry and _DIMENSION.search(text, 0, _first_row(text)):
                return
            count += sum(text.count(tag) for tag in _ROW_TAGS)
            if count > bounds.rows + 1:
                raise too_many_rows(filename, bounds)
            carry = text[-4:]  # a tag cut by the chunk's end is counted with the next (a whole one is 5 bytes)


def _first_row(text: bytes) -> int:
    match = _ROW.search(text)
    return match.start() if match else len(text)


def _too_big(filename: str, why: str) -> ImportFileError:
    return ImportFileError(_("“%(name)s” cannot be read: %(why)s. Save the sheet you want to import as CSV, "
                             "or split it into smaller files.", name=filename, why=why))


def too_many_rows(filename: str, bounds: Bounds) -> ImportFileError:
    """The message for a file with more rows than the bound, counting blank rows too."""
    return ImportFileError(_("“%(name)s” has more than %(count)s rows (blank rows count too). Split it into "
                             "smaller files, or delete the empty rows under the data.",
                             name=filename, count=f"{bounds.rows:,}".replace(",", " ")))


def check_record(cells: list, number: int, filename: str, bounds: Bounds) -> None:
    """Refuse a row wider than the column bound, or with a cell longer than the cell bound."""
    if len(cells) > bounds.columns:
        raise ImportFileError(_("“%(name)s”, row %(row)d: more than %(count)d columns.",
                                name=filename, row=number, count=bounds.columns))
    for cell in cells:
        if isinstance(cell, str) and len(cell) > bounds.cell_chars:
            raise ImportFileError(_("“%(name)s”, row %(row)d: a cell holds more than %(count)d characters.",
                                    name=filename, row=number, count=bounds.cell_chars))
