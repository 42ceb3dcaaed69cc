"""What an importer expects of a file: its columns, their kinds, and how to find them among the headers."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from core.imports import cells
from core.imports.cells import InvalidCell, is_blank, normalise

KINDS = frozenset({"text", "integer", "number", "date", "choice", "boolean"})

#: Headers are guessed by containment only for names at least this long ("id" is inside too much).
MIN_CONTAINED_LENGTH = 4


@dataclass(frozen=True, eq=False)
class Column:
    """One column an importer expects: the field it fills, its kind and the headers it may go by.

    ``label`` is what the user reads (a lazy translation). ``synonyms`` are header spellings in
    Spanish and English, compared ignoring case, accents, spaces and punctuation. ``choices`` maps
    accepted spellings to stored values (kind ``choice``), and ``labels`` names each stored value as people
    read it (in previews and reports). A choice column's ``vocabulary`` names the list its values come from
    (``core.imports.values``: the check page asks how to match the values that fit none), and ``aliases`` maps
    the spellings remembered for it (``normalise``d) to stored values; they are tried first. ``max_length``
    limits text; ``minimum``/``maximum`` bound numbers.
    ``money`` marks a number column of amounts, which previews show as money (``core.ui.money``: cents where
    the cell has them, the currency sign); it does not change how cells are read. An empty ``boolean`` cell
    means no.
    """

    field: str
    label: Any
    kind: str = "text"
    required: bool = True
    synonyms: tuple[str, ...] = ()
    choices: Mapping[str, Any] | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    labels: Mapping[Any, Any] | None = None
    money: bool = False
    vocabulary: str | None = None
    aliases: Mapping[str, Any] | None = None
    #: A choice column of a scale's points: a cell may write the point's number before its label
    #: ("9 - Muy probable"; ``cells.choice_converter``).
    numbered: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}; use one of {sorted(KINDS)}")
        if self.kind != "choice" and (self.choices or self.vocabulary or self.aliases):
            raise ValueError(f"column {self.field!r}: choices, a vocabulary and aliases go with kind 'choice'")
        if self.numbered and self.kind != "choice":
            raise ValueError(f"column {self.field!r}: numbered goes with kind 'choice'")
        if self.kind == "choice" and not self.choices and not self.vocabulary:
            raise ValueError(f"column {self.field!r}: a choice column needs its choices or a vocabulary")

    def key(self) -> tuple:
        """What converting this column's cells depends on (not its label or synonyms): two columns with the
        same key read a file the same way, so a parse made for one is good for the other."""
        choices = tuple((str(spelling), value) for spelling, value in self.choices.items()) if self.choices else None
        aliases = tuple(sorted((str(folded), str(value)) for folded, value in self.aliases.items())) \
            if self.aliases else None
        return (self.field, self.kind, self.required, choices, aliases, self.max_length, self.minimum, self.maximum,
                self.numbered)

    def shown(self, value):
        """A value as people read it: a stored choice by its label, anything else as it is."""
        if self.labels is not None and value in self.labels:
            return str(self.labels[value])
        return value

    def listed_choices(self) -> str:
        """The values a cell may hold, as messages and hints name them: the labels of a vocabulary's values,
        or the accepted spellings."""
        if self.vocabulary and self.labels:
            return ", ".join(dict.fromkeys(str(text) for text in self.labels.values()))
        return ", ".join(dict.fromkeys(str(spelling) for spelling in self.choices or {}))

    def names(self) -> list[str]:
        """The normalised spellings that identify this column's header, best first."""
        spellings = (*self.synonyms, str(self.label), self.field)
        return [name for name in dict.fromkeys(normalise(s) for s in spellings) if name]

    def converter(self, column_cells: list) -> Callable[[Any], Any]:
        """A function turning one cell of this column into its value, judged with all its cells: the rules
        ``columns.convert_column`` applies a column at a time, one cell at a time (a test holds them equal)."""
        convert = self.kind_converter(column_cells)

        def convert_cell(value):
            if not is_blank(value):
                return convert(value.strip() if isinstance(value, str) else value)
            if self.kind == "boolean":
                return False
            if self.required:
                raise InvalidCell(_("A value is required."))
            return None

        return convert_cell

    def kind_converter(self, column_cells: list) -> Callable[[Any], Any]:
        """The converter of a non-blank cell of this column's kind, judged with ``column_cells``."""
        if self.kind == "number":
            return cells.number_converter(column_cells, self.minimum, self.maximum)
        if self.kind == "integer":
            return cells.integer_converter(column_cells, self.minimum, self.maximum)
        if self.kind == "date":
            return cells.date_converter(column_cells)
        if self.kind == "choice":
            return cells.choice_converter(column_cells, self.choices or {}, self.aliases,
                                          listed=self.listed_choices(), numbered=self.numbered)
        if self.kind == "boolean":
            return cells.boolean_converter(column_cells)
        return cells.text_converter(column_cells, self.max_length)


@dataclass
class ImportSpec:
    """The columns one importer expects, in the order it shows them."""

    columns: list[Column] = field(default_factory=list)

    def __post_init__(self):
        fields = [column.field for column in self.columns]
        if len(set(fields)) != len(fields):
            raise ValueError(f"duplicate fields in import spec: {fields}")

    def key(self) -> tuple:
        """What parsing a file against this spec depends on: its columns' keys, in order."""
        return tuple(column.key() for column in self.columns)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.field == name)

    def guess_mapping(self, headers: list[str]) -> dict[str, str | None]:
        """Which header holds each field, guessed from the synonyms; each header is used once.

        First every exact match (after normalising), in column order; then, for columns still
        without a header, the shortest unused header that contains one of their names ("Código del
        indicador" for "código").
        """
        mapping: dict[str, str | None] = dict.fromkeys(column.field for column in self.columns)
        unused = {header: normalise(header) for header in headers}
        for column in self.columns:
            found = next((h for name in column.names() for h, norm in unused.items() if norm == name), None)
            self._assign(mapping, unused, column, found)
        for column in self.columns:
            if mapping[column.field] is None:
                self._assign(mapping, unused, column, self._containing(column, unused))
        return mapping

    @staticmethod
    def _containing(column: Column, unused: dict[str, str]) -> str | None:
        candidates = [(len(norm), header) for header, norm in unused.items()
                      for name in column.names() if len(name) >= MIN_CONTAINED_LENGTH and name in norm]
        return min(candidates)[1] if candidates else None

    @staticmethod
    def _assign(mapping: dict, unused: dict, column: Column, header: str | None) -> None:
        if header is not None:
            mapping[column.field] = header
            del unused[header]

    def missing_required(self, mapping: Mapping[str, str | None]) -> list[Column]:
        """The required columns the mapping leaves without a header."""
        return [column for column in self.columns if column.required and not mapping.get(column.field)]
