"""Writing and reading the 10⁵ rows of a large import without a SQLAlchemy object per row.

``bulk_execute`` and ``bulk_insert`` send rows given a column at a time (one ``executemany``, or ``COPY`` on
PostgreSQL), ``indexes_deferred`` builds a table's secondary indexes once after a large write, and
``driver_rows`` reads a query's rows as the driver gives them. All run in the caller's transaction.

Statistics: PostgreSQL plans from what ``ANALYZE`` last saw, and nothing runs it after a ``COPY`` but autovacuum,
which may be off or behind (a ranking planned for 10 clients when there are 10 000 reruns its window per row).
So the tables a transaction wrote in bulk (``ANALYSE_ROWS`` rows or more through ``bulk_insert`` and
``bulk_execute``, or any rows inside ``analysed``, which the import wizard puts around every import) are noted
against that transaction and analysed as the last thing before it commits (``ANALYZE`` runs inside a transaction
and counts the transaction's own rows; a rollback forgets the note with the transaction). SQLite's planner reads
no statistics unless some were gathered once, and gathering them for some tables only would change the plans
of every query at the first import; it is left as it is.
"""

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from sqlalchemy import Table, event, insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.sql.dml import UpdateBase

#: A bulk write of this many rows or more gets its table analysed at commit; one row's history does not.
ANALYSE_ROWS = 1000


def bulk_execute(connection, statement, columns: Mapping[str, object]) -> None:
    """``connection.execute(statement, rows)`` for rows given a column at a time, without SQLAlchemy's
    per-row parameter handling: ``columns`` maps each bind name to a list (a value per row) or to one
    value for every row. Each column's bind processor runs once per distinct value; then one DBAPI
    ``executemany`` on the connection (so in its transaction), fed one row at a time: a row is a
    tuple, or a dictionary where the driver wants named parameters. For imports of 10⁵ rows, where
    building, processing and keeping a row object per row costs more than the database's own work."""
    prepared = _bulk_rows(connection, statement, columns)
    if prepared is not None:
        _executemany(connection, *prepared)
        written(connection, statement.table, _row_count(columns))


def bulk_insert(connection, table, columns: Mapping[str, object]) -> None:
    """``bulk_execute`` of ``INSERT INTO table``: on PostgreSQL (psycopg) through ``COPY … FROM STDIN``,
    the database's own way to take many rows; elsewhere one ``executemany``."""
    prepared = _bulk_rows(connection, insert(table), columns)
    if prepared is None:
        return
    written(connection, table, _row_count(columns))
    if connection.dialect.driver != "psycopg":
        _executemany(connection, *prepared)
        return
    from psycopg import sql

    compiled, names, rows = prepared
    targets = [table.c[compiled.binds[name].key].name for name in names]
    query = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(*([table.schema] if table.schema else []), table.name),
        sql.SQL(", ").join(map(sql.Identifier, targets)))
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(query) as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def _bulk_rows(connection, statement, columns: Mapping[str, object]):
    """(compiled statement, parameter names, an iterator of rows of processed values), or None for no rows."""
    count = _row_count(columns)
    if not count:
        return None
    if statement.is_insert:  # a column that is empty in every row and has no default: left out, NULL anyway
        table = statement.table
        kept = {key: values for key, values in columns.items() if not (
            isinstance(values, list) and values.count(None) == count and key in table.c
            and table.c[key].default is None and table.c[key].server_default is None)}
        if any(isinstance(values, list) for values in kept.values()):
            columns = kept
    compiled = statement.compile(dialect=connection.dialect, column_keys=list(columns))
    names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
    processors = compiled._bind_processors
    params = []
    for name in names:
        bind = compiled.binds[name]
        values = columns[bind.key] if bind.key in columns else _default(statement, bind)
        process = processors.get(name)
        if isinstance(values, list):
            params.append(_processed(values, process) if process else values)
        else:
            params.append([process(values) if process and values is not None else values] * count)
    return compiled, names, zip(*params, strict=True)


def _row_count(columns: Mapping[str, object]) -> int:
    lengths = {len(values) for values in columns.values() if isinstance(values, list)}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    return lengths.pop() if lengths else 0


def _executemany(connection, compiled, names: list[str], rows) -> None:
    if not compiled.positional:
        rows = (dict(zip(names, row, strict=True)) for row in rows)
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(str(compiled), rows)  # an iterator: each row is dropped once sent
    finally:
        cursor.close()


@contextmanager
def indexes_deferred(connection, table, rows: int):
    """Around a bulk write of ``rows`` rows into ``table``: when the table holds no more rows than that, its
    secondary indexes (neither unique nor behind a constraint) are dropped for the time of the write and built
    again, from their own definitions, after it — building an index once over all the rows costs less than
    growing it row by row (the usual advice for populating a database; on PostgreSQL, half the time of a
    ``COPY`` into an indexed table). All in the caller's transaction: nobody else ever sees the table without
    them (on PostgreSQL, readers of the table wait for the commit: ``DROP INDEX`` locks it), and a rollback
    keeps them. On PostgreSQL the write runs in a savepoint, so that a failing write leaves the transaction
    with its indexes whether or not the caller rolls back. For a small write nothing changes."""
    if not rows or connection.dialect.name not in {"sqlite", "postgresql"} or rows < connection.execute(
            text(f"SELECT count(*) FROM {connection.dialect.identifier_preparer.format_table(table)}")).scalar():
        yield
        return
    if connection.dialect.name == "postgresql":
        with connection.begin_nested():
            deferred = _postgresql_secondary_indexes(connection, table)
            preparer = connection.dialect.identifier_preparer
            for schema, name, _sql in deferred:
                connection.exec_driver_sql(f"DROP INDEX {preparer.quote_schema(schema)}.{preparer.quote(name)}")
            yield
            for _schema, _name, sql in deferred:
                connection.exec_driver_sql(sql)
        return
    listed = connection.exec_driver_sql(f'PRAGMA index_list("{table.name}")').all()
    names = [name for _seq, name, unique, origin, *_partial in listed if origin == "c" and not unique]
    deferred = connection.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({', '.join('?' * len(names))})",
        tuple(names)).all() if names else []
    if deferred and not connection.connection.driver_connection.in_transaction:
        # pysqlite opens a transaction only before INSERT, UPDATE and DELETE: DDL would commit at once.
        connection.exec_driver_sql("BEGIN")
    for name, _sql in deferred:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        for _name, sql in deferred:
            connection.exec_driver_sql(sql)


def _postgresql_secondary_indexes(connection, table) -> list[tuple[str, str, str]]:
    """(schema, name, definition) of each index of ``table`` that is neither unique nor a constraint's."""
    return connection.execute(text(
        "SELECT i.schemaname, i.indexname, i.indexdef FROM pg_indexes i "
        "JOIN pg_namespace n ON n.nspname = i.schemaname "
        "JOIN pg_class c ON c.relname = i.indexname AND c.relnamespace = n.oid "
        "JOIN pg_index x ON x.indexrelid = c.oid "
        "WHERE i.schemaname = coalesce(:schema, current_schema()) AND i.tablename = :table "
        "AND NOT x.indisunique AND NOT x.indisprimary "
        "AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = c.oid) ORDER BY i.indexname"),
        {"schema": table.schema, "table": table.name}).all()


@dataclass
class _Written:
    """What one transaction wrote in bulk: rows per table; ``every``: inside ``analysed``, whatever the rows."""

    rows: dict[Table, int] = field(default_factory=dict)
    every: bool = False


#: Per open transaction (a connection's root ``Transaction``), until it commits or is dropped with it.
_written: "WeakKeyDictionary[object, _Written]" = WeakKeyDictionary()
_written_lock = threading.Lock()


def _note(connection) -> _Written | None:
    transaction = connection.get_transaction()
    if transaction is None:
        return None
    with _written_lock:
        return _written.setdefault(transaction, _Written())


def written(connection, table, rows: int) -> None:
    """Note that the connection's transaction wrote ``rows`` rows into ``table`` (``bulk_insert`` and
    ``bulk_execute`` note theirs; a writer using the driver directly notes its own)."""
    entry = _note(connection) if rows and isinstance(table, Table) else None
    if entry is not None:
        entry.rows[table] = entry.rows.get(table, 0) + rows


@contextmanager
def analysed(connection):
    """Around an import: every table written inside — in bulk, by the ORM's flush or by any INSERT, UPDATE or
    DELETE on ``connection`` — is analysed before the transaction commits, however few rows it got."""
    entry = _note(connection)
    if entry is None:
        yield
        return
    entry.every = True

    def seen(conn, statement, *_args) -> None:
        if isinstance(statement, UpdateBase):
            written(conn, getattr(statement, "table", None), 1)

    event.listen(connection, "after_execute", seen)
    try:
        yield
    finally:
        event.remove(connection, "after_execute", seen)


def analyse_written(connection) -> None:
    """``ANALYZE`` now, on PostgreSQL, the tables the connection's transaction wrote in bulk so far (and forget
    them): for a statement later in the same transaction that must be planned on the new rows (a ranking
    computed after an import), rather than waiting for the commit."""
    transaction = connection.get_transaction()
    with _written_lock:
        entry = _written.pop(transaction, None) if transaction is not None else None
    if entry is None or connection.dialect.name != "postgresql":
        return
    preparer = connection.dialect.identifier_preparer
    tables = [preparer.format_table(table) for table, rows in entry.rows.items()
              if entry.every or rows >= ANALYSE_ROWS]
    if tables:
        connection.exec_driver_sql(f"ANALYZE {', '.join(sorted(tables))}")


@event.listens_for(Engine, "commit")
def _analyse_before_commit(connection) -> None:
    """The tables the committing transaction wrote in bulk, analysed just before COMMIT."""
    analyse_written(connection)


def _default(statement, bind):
    """The value of a bound parameter the caller did not give: a column's scalar default (or onupdate)."""
    column = statement.table.c.get(bind.key) if statement.is_insert or statement.is_update else None
    default = None if column is None else column.default if statement.is_insert else column.onupdate
    if default is None:
        return bind.effective_value
    if not default.is_scalar:
        raise ValueError(f"column {bind.key!r}: its default is computed row by row; give its values")
    return default.arg


def driver_rows(connection, statement) -> Iterator[tuple]:
    """A query's rows as the driver's cursor gives them, converted only where a column's type needs it
    (a date stored as text): for 10⁵ rows, without a SQLAlchemy row object each. Iterate it once."""
    dialect = connection.dialect
    result = connection.execute(statement)
    try:
        processors = [column.type.dialect_impl(dialect).result_processor(dialect, described[1])  # type code
                      for column, described in zip(statement.selected_columns, result.cursor.description,
                                                   strict=True)]
        processed = [(position, process) for position, process in enumerate(processors) if process is not None]
        if not processed:
            yield from result.cursor
            return
        for row in result.cursor:
            for position, process in processed:
                if row[position] is not None:
                    row = (*row[:position], process(row[position]), *row[position + 1:])
            yield row
    finally:
        result.close()


def _processed(values: list, process) -> list:
    """``process`` applied to each value but None; once per distinct value where values repeat (dates)."""
    kinds = set(map(type, values)) - {type(None)}
    if not kinds:
        return values
    if len(kinds) == 1:  # one type: equal values are the same value
        distinct = set(values)
        if 2 * len(distinct) <= len(values):
            done = {value: process(value) for value in distinct if value is not None} | {None: None}
            return list(map(done.__getitem__, values))
    return [None if value is None else process(value) for value in values]
