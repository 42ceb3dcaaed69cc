"""The global search (the navbar's box): one query over every kind of record the packages let people find.

Core owns no record it searches. Each package gives its kinds through the ``search_providers`` signal
(``core.signals``) as ``Provider``s: the model, the text columns searched, the title and detail shown, the page a
hit opens and, where some rows may not be listed to everyone, a restriction. ``search`` then asks the database
once for the hits of every kind (a UNION ALL), counted by kind, and once for the page shown — three statements
whatever the data. A kind is searched only for a person who may open its page (``core.access.may``).

On PostgreSQL the words are matched by full-text search in the reader's language (``to_tsvector`` with the
Spanish or English configuration, so "quejas" finds "queja"), each word also as a prefix or a part of a code;
on SQLite by LIKE. Both compare the texts folded: without case or accents ("gestion" finds "Gestión").
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import String, and_, case, cast, event, func, literal, literal_column, or_, select, union_all
from sqlalchemy.engine import Engine

from core import signals
from core.access import may
from core.extensions import db

#: Hits on one page of results, and the characters of a hit's second line (providers cut theirs to it).
PER_PAGE, DETAIL = 20, 160
#: Words of a query that count (the rest are ignored) and the longest word kept.
MAX_WORDS, MAX_WORD = 8, 40
#: The full-text configuration of each language of the app.
CONFIGURATIONS = {"es": "spanish", "en": "english"}
_ACCENTED, _PLAIN = "áàâäãéèêëíìîïóòôöõúùûüñç", "aaaaaeeeeiiiiooooouuuunc"


@dataclass(frozen=True)
class Provider:
    """One kind of record the search finds, as its package describes it."""

    #: A stable name (``"process"``), the value of the results page's ``kind`` filter.
    kind: str
    #: The heading of its group of hits (plural, marked for translation).
    label: Any
    #: The page a hit opens: the kind is searched only for those who may read it.
    endpoint: str
    model: type
    #: The text columns the words are looked for in.
    columns: tuple
    #: The SQL expression shown as a hit's title, and an optional second line.
    title: Any
    #: The hit's address from its id (``lambda id: url_for(...)``).
    url: Callable[[int], str]
    detail: Any = None
    #: A condition on the rows listed (records some may not see), called per search; None lists every row.
    where: Callable[[], Any] | None = None
    #: Where its group goes among the others: lower first.
    order: int = 100
    #: The column of the records' ids (the model's ``id`` when None).
    id_column: Any = None


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    title: str
    detail: str | None
    url: str


@dataclass
class Results:
    """What a search found: the words searched, the count of each kind, and one page of hits grouped by kind."""

    query: str
    words: list[str]
    providers: list[Provider]
    counts: dict[str, int]
    kind: str | None
    page: Any

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def groups(self) -> list[tuple[Provider, list[Hit]]]:
        """The page's hits under their kind, in the kinds' order."""
        hits = list(self.page.items)
        return [(p, [hit for hit in hits if hit.kind == p.kind]) for p in self.providers
                if any(hit.kind == p.kind for hit in hits)]


class _HitPagination(SelectPagination):
    """A page of rows (not of one entity), its total already counted by kind."""

    def _query_items(self) -> list:
        statement = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        to_hit = self._query_args["to_hit"]
        return [to_hit(row) for row in self._query_args["session"].execute(statement)]

    def _query_count(self) -> int:
        return self._query_args["total"]


def fold(text: str) -> str:
    """``text`` without case or accents, as both databases compare it."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@event.listens_for(Engine, "connect")
def _sqlite_fold(dbapi_connection, _record):
    """SQLite's ``lower`` knows only ASCII: give its connections the same folding as Python's."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.create_function("fideliza_fold", 1, lambda value: None if value is None else fold(value),
                                         deterministic=True)


def words(query: str) -> list[str]:
    """The words of a query that count: letters and digits, folded, at most ``MAX_WORDS``."""
    return [word[:MAX_WORD] for word in re.findall(r"[^\W_]+", fold(query or ""))][:MAX_WORDS]


def providers() -> list[Provider]:
    """The kinds the current person may search, in their order."""
    found = [provider for answer in signals.send(signals.search_providers) for provider in answer
             if may(provider.endpoint)]
    return sorted(found, key=lambda provider: (provider.order, provider.kind))


def _folded(expression, dialect: str):
    if dialect == "postgresql":
        return func.translate(func.lower(expression), _ACCENTED, _PLAIN)
    return func.fideliza_fold(expression)


def _matches(provider: Provider, terms: list[str], dialect: str, language: str):
    parts = [func.coalesce(cast(column, String), "") for column in provider.columns]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + " " + part
    text = _folded(joined, dialect)
    every_word = and_(*[text.like(f"%{term}%") for term in terms])
    if dialect != "postgresql":
        return every_word
    configuration = literal_column(f"'{CONFIGURATIONS.get(language, 'simple')}'::regconfig")
    query = " & ".join(f"{term}:*" for term in terms)
    return or_(func.to_tsvector(configuration, text).op("@@")(func.to_tsquery(configuration, query)), every_word)


def _hits_of(provider: Provider, terms: list[str], dialect: str, language: str):
    id_column = provider.id_column if provider.id_column is not None else provider.model.id
    detail = cast(provider.detail, String) if provider.detail is not None else cast(literal(None), String)
    query = (select(literal(provider.kind).label("kind"), id_column.label("id"),
                    cast(provider.title, String).label("title"), detail.label("detail"))
             .select_from(provider.model).where(_matches(provider, terms, dialect, language)))
    return query.where(provider.where()) if provider.where is not None else query


def search(query: str, *, language: str = "es", kind: str | None = None, page: int = 1,
           per_page: int = PER_PAGE) -> Results:
    """The records matching every word of ``query`` that the current person may open, counted by kind, and the
    ``page``-th page of them (of one ``kind`` when given), grouped by kind and ordered by title."""
    terms, kinds = words(query), providers()
    if kind and kind not in {p.kind for p in kinds}:
        kind = None
    if not terms or not kinds:
        return Results(query, terms, kinds, {}, kind, _page([], 0, page, per_page))
    dialect = db.engine.dialect.name
    hits = union_all(*[_hits_of(p, terms, dialect, language) for p in kinds]).subquery()
    counts = dict(db.session.execute(select(hits.c.kind, func.count()).group_by(hits.c.kind)).all())
    position = case({p.kind: index for index, p in enumerate(kinds)}, value=hits.c.kind)
    listed = select(hits).order_by(position, func.lower(hits.c.title), hits.c.id)
    if kind:
        listed = listed.where(hits.c.kind == kind)
    total = counts.get(kind, 0) if kind else sum(counts.values())
    return Results(query, terms, kinds, counts, kind, _page(listed, total, page, per_page,
                                                            {p.kind: p for p in kinds}))


def _page(listed, total: int, page: int, per_page: int, by_kind: dict | None = None):
    def to_hit(row) -> Hit:
        return Hit(row.kind, row.id, row.title, row.detail, by_kind[row.kind].url(row.id))

    if not total:
        return _EmptyPagination(page=1, per_page=per_page, error_out=False)
    last = max(1, -(-total // per_page))
    return _HitPagination(select=listed, session=db.session, to_hit=to_hit, total=total,
                          page=min(max(page, 1), last), per_page=per_page, error_out=False)


class _EmptyPagination(SelectPagination):
    def _query_items(self) -> list:
        return []

    def _query_count(self) -> int:
        return 0


def record_url(endpoint: str, argument: str) -> Callable[[int], str]:
    """A provider's ``url``: the page ``endpoint`` of the record whose id is ``argument``."""
    return lambda record_id: url_for(endpoint, **{argument: record_id})
