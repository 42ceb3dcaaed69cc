"""Turning one column's cells into Python values, the way Spanish and English spreadsheets write them.

Each column is converted by a function built from *all* its cells (``converter``), because a single
cell cannot tell whether ``1,234`` is one thousand two hundred thirty-four or one point two three
four: the rest of the column can.
"""

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import gettext as _

#: Spellings of yes and no, compared after ``normalise`` (so "Sí", "SI" and "si" are one).
#: ``verdadero``/``falso`` are what Spanish Excel writes for TRUE/FALSE cells saved as CSV.
TRUE_WORDS = frozenset({"si", "s", "yes", "y", "true", "verdadero", "1", "x"})
FALSE_WORDS = frozenset({"no", "n", "false", "falso", "0"})

#: Two-digit years: 00–68 are 2000–2068 and 69–99 are 1969–1999 (the POSIX ``%y`` rule).
CENTURY_PIVOT = 69

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_YEAR_MONTH_DAY = re.compile(r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})" + _TIME)
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2212": "-"})  # and the typographic minus
_SPACE_GROUPS = re.compile(r"[+-]?\d{1,3}(?: \d{3})+(?:[.,]\d+)?")  # 1 234 567,89


class InvalidCell(ValueError):
    """A cell's value does not fit its column; the message says why, for the user."""


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def normalise(text) -> str:
    """A spelling reduced to lower-case letters and digits: no accents, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def cell_text(value) -> str:
    """A cell as the user reads it in their spreadsheet (numbers without a stray ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    return str(value).strip()


def quoted(value, limit: int = 60) -> str:
    """A cell's text for a message, cut short so one huge cell cannot flood the report."""
    text = cell_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- numbers -------------------------------------------------------------------------------------

def number_text(value: str) -> str:
    """The number in a cell: without the ``€`` or ``%`` around it; spaces only between thousands."""
    text = value.translate(_SPACES).strip().strip("€$£%").strip()
    return text.replace(" ", "") if _SPACE_GROUPS.fullmatch(text) else text


def _number_pattern(decimal: str) -> re.Pattern:
    point, group = re.escape(decimal), re.escape("." if decimal == "," else ",")
    mantissa = rf"(?:(?:\d{{1,3}}(?:{group}\d{{3}})+|\d+)(?:{point}\d+)?|{point}\d+)"
    return re.compile(rf"[+-]?{mantissa}(?:[eE][+-]?\d{{1,3}})?")  # 1E+999999999 would eat the memory


NUMBER_PATTERNS = {separator: _number_pattern(separator) for separator in (",", ".")}


def decimal_separator(cells: Iterable, *, default: str = ",") -> str:
    """Which of ``,`` and ``.`` is the decimal separator of a column, judged on all its text cells.

    A cell votes for a separator when it is a number only with that one (``12,5`` and ``1.234,56``
    for the comma, ``1.5`` and ``1,234.56`` for the point); the majority wins. When nothing tells
    (every cell is like ``1.234`` or ``3``), ``default``: the comma, the Spanish way, unless the
    caller knows better (a form typed in the reader's language).
    """
    votes = {",": 0, ".": 0}
    for text in (number_text(c) for c in cells if isinstance(c, str)):
        fits = [separator for separator in votes if NUMBER_PATTERNS[separator].fullmatch(text)]
        if len(fits) == 1:
            votes[fits[0]] += 1
    if votes["."] != votes[","]:
        return "." if votes["."] > votes[","] else ","
    return default if default in votes else ","


def to_decimal(value, decimal: str) -> Decimal:
    """A number cell as an exact ``Decimal``; text may carry thousands groups, ``%``, ``€`` and spaces."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidCell(_("“%(value)s” is not a number.", value=quoted(value)))
    if isinstance(value, int | float):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = number_text(value)
    if not NUMBER_PATTERNS[decimal].fullmatch(text):
        raise InvalidCell(_("“%(value)s” is not a number.", value=quoted(value)))
    group = "." if decimal == "," else ","
    return Decimal(text.replace(group, "").replace(decimal, "."))


def _check_range(number, value, minimum, maximum):
    if minimum is not None and number < minimum:
        raise InvalidCell(_("“%(value)s” is less than %(minimum)s.", value=quoted(value), minimum=minimum))
    if maximum is not None and number > maximum:
        raise InvalidCell(_("“%(value)s” is more than %(maximum)s.", value=quoted(value), maximum=maximum))
    return number


def number_converter(cells: list, minimum=None, maximum=None, *, default: str = ",",
                     decimal: str | None = None) -> Callable:
    """Cell → ``float``, with the decimal separator judged on ``cells`` (see ``decimal_separator``) unless
    ``decimal`` says it (a caller that judged the column already)."""
    decimal = decimal or decimal_separator(cells, default=default)

    def convert(value):
        number = float(to_decimal(value, decimal))
        if not math.isfinite(number):
            raise InvalidCell(_("“%(value)s” is not a number.", value=quoted(value)))
        return _check_range(number, value, minimum, maximum)

    return convert


def integer_converter(cells: list, minimum=None, maximum=None, *, default: str = ",",
                      decimal: str | None = None) -> Callable:
    """Cell → ``int``; ``12,5`` is refused rather than rounded. The decimal separator as ``number_converter``."""
    decimal = decimal or decimal_separator(cells, default=default)

    def convert(value):
        number = to_decimal(value, decimal)
        if not number.is_finite():  # a typed cell may be NaN or infinite (a JSON body's Infinity)
            raise InvalidCell(_("“%(value)s” is not a number.", value=quoted(value)))
        if number != number.to_integral_value():
            raise InvalidCell(_("“%(value)s” is not a whole number.", value=quoted(value)))
        return _check_range(int(number), value, minimum, maximum)

    return convert


# --- dates ---------------------------------------------------------------------------------------

def day_first(cells: Iterable) -> bool:
    """Whether a column writes day/month/year (the Spanish way, and the default) or month/day/year.

    Month first only when some cell can only be month-first (``12/31/2024``) and none can only be
    day-first (``31/12/2024``); ``01/02/2024`` alone is the 1st of February.
    """
    only_day_first = only_month_first = False
    for text in (c.strip() for c in cells if isinstance(c, str)):
        match = _DAY_MONTH_YEAR.fullmatch(text)
        if match:
            first, second = int(match[1]), int(match[3])
            only_day_first |= first > 12 >= second
            only_month_first |= second > 12 >= first
    return only_day_first or not only_month_first


def _full_year(digits: str) -> int:
    year = int(digits)
    if len(digits) == 2:
        year += 1900 if year >= CENTURY_PIVOT else 2000
    return year


def _parse_date_text(text: str, is_day_first: bool) -> date:
    match = _YEAR_MONTH_DAY.fullmatch(text)
    if match:
        return date(int(match[1]), int(match[3]), int(match[4]))
    match = _DAY_MONTH_YEAR.fullmatch(text)
    if not match:
        raise ValueError(text)
    day, month = (int(match[1]), int(match[3])) if is_day_first else (int(match[3]), int(match[1]))
    return date(_full_year(match[4]), month, day)


def date_converter(cells: list) -> Callable:
    is_day_first = day_first(cells)

    def convert(value):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            if isinstance(value, str):
                return _parse_date_text(value.strip(), is_day_first)
        except ValueError:
            pass
        example = "31/12/2024" if is_day_first else "12/31/2024"
        raise InvalidCell(_("“%(value)s” is not a date like %(example)s.", value=quoted(value), example=example))

    return convert


# --- text, choices, yes/no -----------------------------------------------------------------------

def text_converter(cells: list, max_length: int | None = None) -> Callable:
    def convert(value):
        text = cell_text(value)
        if max_length is not None and len(text) > max_length:
            raise InvalidCell(_("“%(value)s” is longer than %(count)d characters.",
                                value=quoted(value), count=max_length))
        return text

    return convert


#: A whole number written as one ("4", "4.0", "4,0"): read as the number, not as its digits ("4.0" is not "40").
_WHOLE = re.compile(r"([+-]?\d+)(?:[.,]0+)?")
#: A number that leads a label: "9 - Muy probable", "10 (Extremely likely)", "0 – Nada probable".
_LEADING_NUMBER = re.compile(r"([+-]?\d+)\s*(?:[-–—:.)(/=]\s*|\s+)(?=[^\d\s])")  # "4.5" leads no label


def numbered_key(text: str) -> str | None:
    """The number a cell of a numbered choice column writes, whole or leading a label (None: it writes none)."""
    match = _WHOLE.fullmatch(text) or _LEADING_NUMBER.match(text)
    return str(int(match[1])) if match else None


def choice_converter(cells: list, choices, aliases=None, *, listed: str | None = None,
                     numbered: bool = False) -> Callable:
    """Matches spellings ignoring case, accents and spaces; the stored values are accepted too. ``aliases``
    (normalised spelling → stored value: the spellings remembered for the column's list) come first.
    ``listed``: how the message names the accepted values (the spellings unless given). ``numbered``: the
    choices are the points of a scale, so a cell may write the point's number alone or before a label
    ("9 - Muy probable"), and the number decides."""
    accepted = {normalise(stored): stored for stored in choices.values() if isinstance(stored, str)}
    accepted.update({normalise(spelling): stored for spelling, stored in choices.items()})
    accepted.update(aliases or {})
    if listed is None:
        listed = ", ".join(dict.fromkeys(str(spelling) for spelling in choices))
    points = [stored for stored in accepted.values() if isinstance(stored, int)] if numbered else []

    def convert(value):
        text = cell_text(value)
        number = numbered_key(text) if numbered else None
        key = normalise(text) if number is None else number  # "-1" is not the point 1
        if key not in accepted and number is not None and points:
            _check_range(int(number), value, min(points), max(points))
        if key not in accepted:
            raise InvalidCell(_("“%(value)s” is not one of: %(choices)s.", value=quoted(value), choices=listed))
        return accepted[key]

    return convert


def boolean_converter(cells: list) -> Callable:
    def convert(value):
        if isinstance(value, bool):
            return value
        key = normalise(cell_text(value))
        if key in TRUE_WORDS:
            return True
        if key in FALSE_WORDS:
            return False
        raise InvalidCell(_("“%(value)s” is not yes or no.", value=quoted(value)))

    return convert
