"""A column at a time: the conversions (``core.imports.columns``) agree with the per-cell rules of
``core.imports.cells``, cell for cell, and importers reject rows in bulk."""

from datetime import date, datetime

import pandas as pd
import pytest

from core.imports import Column, ImportSpec, parse
from core.imports.cells import normalise
from core.imports.columns import convert_column
from core.imports.frames import read_frame
from core.imports.result import also_in, other_rows
from tests.test_core_imports import FREQUENCIES


def problems(result):
    return [(e.row, e.column, e.field, e.shown_value, e.message) for e in result.errors]


def test_importers_reject_rows_in_bulk_and_find_duplicates(app):
    spec = ImportSpec([Column("code", "Code", synonyms=("código",)),
                       Column("frequency", "Frequency", "choice", choices=FREQUENCIES, synonyms=("frecuencia",))])
    data = b"Codigo;Frecuencia\nA;mensual\nB;trimestral\nA;semanal\n\nB;mensual\n"
    with app.test_request_context():
        result = parse(read_frame(data, "f.csv"), spec, {"code": "Codigo", "frequency": "Frecuencia"})
        others = other_rows(result.values["code"].items())
        assert others == {2: [4], 4: [2], 3: [6], 6: [3]}
        assert (also_in([4]), also_in([2, 10])) == ("row 4", "rows 2, 10")
        repeated = result.values.index.isin([number for number, rows in others.items() if rows[0] < number])
        result.reject_rows(repeated, "code", pd.Series({number: f"Also in row {rows[0]}."
                                                       for number, rows in others.items()}))
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


def test_choices_with_aliases_column_at_a_time_agree_with_the_per_cell_converter(app):
    """Aliases (a list's remembered spellings, ``core.imports.values``) come first on both paths."""
    aliases = {normalise("Cada mes"): "monthly", normalise("Trimestral"): "monthly"}  # an alias overrides a choice
    column = Column("x", "X", "choice", required=False, choices=FREQUENCIES, vocabulary="frequencies",
                    aliases=aliases)
    cells = ["Cada mes", "CADA  MES", "cada-mes", "Mensual", "trimestral", "quarterly", "semanal", "", 12,
             date(2024, 1, 1), None]
    with app.test_request_context():
        _agree(column, cells)
        values, _problems = convert_column(column, pd.Series(cells[:6], dtype=object))
        assert values.tolist() == ["monthly", "monthly", "monthly", "monthly", "monthly", "quarterly"]
