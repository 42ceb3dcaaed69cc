"""Matching the values a file writes its own way to the lists the app knows (the import wizard's value mapping).

A choice column may name a *vocabulary*: the list its values come from (the organisation's exit reasons, the
typologies, the complaint categories…). Packages contribute their vocabularies through
``core.signals.import_vocabularies``. When a file writes a value that is neither one of the column's choices
nor an alias already remembered ("Insatisfacción con el servicio" for "Dissatisfaction"), the check page lists
it (``unmatched``) with its row count and a suggestion (``suggestion``: accent- and case-insensitive
similarity), and the user maps it to an existing value, creates it as a new one (where the list is the
organisation's own, and only a coordinator may add to it) or leaves it as an error (``apply_choices``).

A mapping is an ``ImportAlias``: remembered per vocabulary, so the next file — whichever importer reads it —
goes through without asking (``remembered`` fills each column's ``aliases`` before parsing). Aliases are
applied where the cell is read (``cells.choice_converter``), so the value stored *is* the target value: an
aliased exit reason counts as its reason in every analysis. They are edited in the settings ("Import
matches", ``core.views``).
"""

import hashlib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import pandas as pd
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz, process
from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import signals
from core.access import COORDINATORS
from core.audit import Audited, label
from core.extensions import db
from core.imports.cells import cell_text, is_blank, normalise, numbered_key
from core.imports.spec import ImportSpec
from core.rules import RuleError
from core.timeutil import utcnow

#: How similar (``similarity``, 0–100) a value must be to an option for it to be suggested.
SUGGESTION_CUTOFF = 70
#: Rows named with each value to match.
EXAMPLE_ROWS = 3
#: The choices of a value's select besides the vocabulary's values.
LEAVE, CREATE, VALUE_PREFIX = "leave", "create", "value:"


@dataclass(frozen=True)
class Option:
    """One value of a vocabulary: as stored, as people read it, and other spellings it is known by (which
    suggestions compare with too)."""

    value: Any
    label: Any
    spellings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """A list the values of some import columns come from.

    ``options()`` gives its values now; ``create(text)``, for a list that is the organisation's own, adds a new
    value and returns it as stored (None: the list is fixed). ``create_label`` is how the select offers it."""

    name: str
    title: Any
    options: Callable[[], list[Option]]
    create: Callable[[str], Any] | None = None
    create_label: Any = _l("Create it as a new value")
    suggest: bool = True

    def option(self, stored: str) -> Option | None:
        """The option whose stored value reads as ``stored`` (aliases keep it as text)."""
        return next((option for option in self.options() if str(option.value) == stored), None)


class ImportAlias(Audited, db.Model):
    """A spelling of the organisation's files remembered as one of a vocabulary's values."""

    __tablename__ = "import_aliases"
    __audit_label__ = _l("Import match")
    __table_args__ = (UniqueConstraint("vocabulary", "folded"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(60), index=True, info=label(_l("List")))
    #: The file's text as it was written the first time.
    spelling: Mapped[str] = mapped_column(String(200), info=label(_l("Written in the file as")))
    #: ``cells.normalise`` of the spelling: how cells are compared with it.
    folded: Mapped[str] = mapped_column(String(200), info=label(_l("Compared as")))
    #: The vocabulary's value, as text (``str`` of the stored value: an exit reason's id, a typology's code).
    value: Mapped[str] = mapped_column(String(120), info=label(_l("Counts as")))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Created by")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, info=label(_l("Created at")))

    created_by = relationship("User")

    def __str__(self) -> str:
        return self.spelling


@dataclass
class Unmatched:
    """A distinct value of a file's column that matches none of the list's values: how many rows write it,
    the first of them, and the value suggested for it (None: none is close enough)."""

    spelling: str
    folded: str
    rows_count: int
    example_rows: list[int]
    suggestion: Any = None
    field_name: str = ""


@dataclass
class UnmatchedColumn:
    """A column's values to match, and the list they should come from."""

    column: Any
    vocabulary: Vocabulary
    values: list[Unmatched] = field(default_factory=list)
    #: The vocabulary's values, read once for every select.
    options: list[Option] = field(default_factory=list)


def vocabularies() -> dict[str, Vocabulary]:
    """Every vocabulary the app's packages contribute, by name."""
    return signals.merged(signals.import_vocabularies)


def aliases(vocabulary_name: str) -> dict[str, str]:
    """The remembered spellings of a vocabulary: folded spelling → stored value (as text)."""
    table = ImportAlias.__table__
    rows = db.session.execute(select(table.c.folded, table.c.value).where(table.c.vocabulary == vocabulary_name))
    return dict(rows.all())


def remembered(spec: ImportSpec) -> ImportSpec:
    """``spec`` with each vocabulary column's ``aliases`` filled from the remembered ones, as the values it
    stores (aliases to a value the list no longer has are left out)."""
    known = vocabularies()
    columns = []
    for column in spec.columns:
        vocabulary = known.get(column.vocabulary) if column.vocabulary else None
        if vocabulary is None:
            columns.append(column)
            continue
        values = {str(option.value): option.value for option in vocabulary.options()}
        found = {folded: values[value] for folded, value in aliases(vocabulary.name).items() if value in values}
        columns.append(replace(column, aliases=found or None))
    return ImportSpec(columns)


def fold_words(text) -> str:
    """Text for comparing by similarity: lower case, without accents, single spaces."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def similarity(text: str, other: str, **_kwargs) -> float:
    """How alike two folded texts are, 0–100: the mean of rapidfuzz's WRatio, partial token-sort ratio and
    QRatio. WRatio alone scores "insatisfaccion con el servicio" closer to "mal servicio" than to
    "insatisfaccion", and ties "cancelacion por falta de pago" between "impago", "falta de uso" and "falta de
    contacto"; the partial token-sort ratio finds the reason's own words within a longer wording, and QRatio
    keeps a shared word or two ("falta de") from deciding alone."""
    return (fuzz.WRatio(text, other) + fuzz.partial_token_sort_ratio(text, other) + fuzz.QRatio(text, other)) / 3


def suggestion(spelling: str, options: list[Option]) -> Any:
    """The stored value of the option most like ``spelling`` (its label or another of its spellings), ignoring
    case and accents; None when none is similar enough."""
    choices = {}
    for position, option in enumerate(options):
        for text in (str(option.label), *option.spellings):
            choices[(position, text)] = fold_words(text)
    best = process.extractOne(fold_words(spelling), choices, scorer=similarity, score_cutoff=SUGGESTION_CUTOFF)
    return None if best is None else options[best[2][0]].value


def field_name(column: str, folded: str) -> str:
    """The form field of one value to match (stable while the file and its mapping are)."""
    return "match_" + hashlib.sha1(f"{column}\0{folded}".encode()).hexdigest()[:16]


def unmatched(result) -> list[UnmatchedColumn]:
    """The distinct values of each mapped vocabulary column of a parsed file that match neither a choice nor an
    alias, by how many rows write them (most first)."""
    known = vocabularies()
    found = []
    for column in result.spec.columns:
        vocabulary = known.get(column.vocabulary) if column.vocabulary else None
        if vocabulary is None or not result.mapping.get(column.field):
            continue
        values = result.values[column.field]
        unread = result.cells.loc[values.isna().to_numpy(), column.field]
        # A scale's number off the scale ("12") is an error to correct, not a wording to match.
        kept = [(number, cell_text(cell)) for number, cell in unread.items() if not is_blank(cell)
                and not (column.numbered and numbered_key(cell_text(cell)) is not None)]
        if not kept:
            continue
        numbers, texts = [number for number, _text in kept], [text for _number, text in kept]
        frame = pd.DataFrame({"number": numbers, "text": texts})
        frame["folded"] = frame["text"].map(normalise)
        options = vocabulary.options()
        entries = []
        for folded, rows in frame.groupby("folded", sort=False):
            if not folded:
                continue  # punctuation only: nothing to match
            spelling = rows["text"].iloc[0]
            entries.append(Unmatched(spelling, folded, len(rows), [int(n) for n in rows["number"][:EXAMPLE_ROWS]],
                                     suggestion(spelling, options) if vocabulary.suggest else None,
                                     field_name(column.field, folded)))
        entries.sort(key=lambda entry: (-entry.rows_count, entry.folded))
        found.append(UnmatchedColumn(column, vocabulary, entries, options))
    return found


def may_create(user) -> bool:
    """Whether ``user`` may add values to the organisation's own lists from an import (coordinators only)."""
    return getattr(user, "role", None) in COORDINATORS


def remember(vocabulary: str, spelling: str, value, actor) -> ImportAlias:
    """Remember ``spelling`` as ``value`` of the vocabulary (replacing what it was remembered as)."""
    folded = normalise(spelling)
    alias = db.session.scalar(select(ImportAlias).where(ImportAlias.vocabulary == vocabulary,
                                                        ImportAlias.folded == folded))
    if alias is None:
        alias = ImportAlias(vocabulary=vocabulary, spelling=spelling.strip()[:200], folded=folded[:200],
                            created_by_id=getattr(actor, "id", None))
        db.session.add(alias)
    alias.value = str(value)
    db.session.flush()
    return alias


def apply_choices(columns: list[UnmatchedColumn], choices: Mapping[str, str], actor) -> int:
    """Carry out what the user chose for each value to match (``choices``: the form, by ``field_name``): map it
    to an existing value (remembered as an alias), create it as a new value (where the list allows it, for a
    coordinator), or leave it as an error. Returns how many values were matched or created."""
    done = 0
    for column in columns:
        vocabulary = column.vocabulary
        offered = {str(option.value) for option in vocabulary.options()}
        for entry in column.values:
            choice = choices.get(entry.field_name, LEAVE)
            if choice.startswith(VALUE_PREFIX) and choice[len(VALUE_PREFIX):] in offered:
                remember(vocabulary.name, entry.spelling, choice[len(VALUE_PREFIX):], actor)
                done += 1
            elif choice == CREATE and vocabulary.create is not None and may_create(actor):
                try:
                    created = vocabulary.create(entry.spelling)
                except RuleError:
                    continue  # the list refuses it (a name it has already): it stays to be matched
                remember(vocabulary.name, entry.spelling, created, actor)
                done += 1
    return done


@dataclass
class RememberedList:
    """A vocabulary's remembered spellings, for the settings page: each alias with the label of its value."""

    name: str
    title: Any
    options: list[Option]
    aliases: list[tuple[ImportAlias, Any]]


def remembered_lists() -> list[RememberedList]:
    """Every remembered spelling, grouped by vocabulary (in the order the packages give them, then any whose
    package is not part of this app), each with what it counts as."""
    known = vocabularies()
    grouped: dict[str, list[ImportAlias]] = {}
    for alias in db.session.scalars(select(ImportAlias).order_by(ImportAlias.vocabulary, ImportAlias.folded)):
        grouped.setdefault(alias.vocabulary, []).append(alias)
    lists = []
    for name in [*(name for name in known if name in grouped), *(name for name in grouped if name not in known)]:
        vocabulary = known.get(name)
        options = vocabulary.options() if vocabulary else []
        labels = {str(option.value): option.label for option in options}
        lists.append(RememberedList(name, vocabulary.title if vocabulary else name, options,
                                    [(alias, labels.get(alias.value, alias.value)) for alias in grouped[name]]))
    return lists


def forget(alias: ImportAlias) -> None:
    """Forget a remembered spelling: the next file writing it is asked about again."""
    db.session.delete(alias)
    db.session.flush()


def retarget(alias: ImportAlias, value: str) -> bool:
    """Make a remembered spelling count as another of its vocabulary's values; False if the list has no such value."""
    vocabulary = vocabularies().get(alias.vocabulary)
    if vocabulary is None or vocabulary.option(value) is None:
        return False
    alias.value = value
    db.session.flush()
    return True
