"""Writing and reading the 10⁵ rows of a large import without a SQLAlchemy object per row.

``bulk_execute`` and ``bulk_insert`` send rows given a column at a time (one ``executemany``, or ``COPY`` on
PostgreSQL), ``indexes_deferred`` builds a table's secondary indexes once after a large write on SQLite, and
``driver_rows`` reads a query's rows as the driver gives them. All run in the caller's transaction.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy import insert


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


def bulk_insert(connection, table, columns: Mapping[str, object]) -> None:
    """``bulk_execute`` of ``INSERT INTO table``: on PostgreSQL (psycopg) through ``COPY … FROM STDIN``,
    the database's own way to take many rows; elsewhere one ``executemany``."""
    prepared = _bulk_rows(connection, insert(table), columns)
    if prepared is None:
        return
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
    lengths = {len(values) for values in columns.values() if isinstance(values, list)}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    count = lengths.pop() if lengths else 0
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
    """Around a bulk write of ``rows`` rows into ``table``: on SQLite, when the table holds no more rows
    than that, its secondary indexes (not those that enforce uniqueness) are dropped for the time of the
    write and built again, from their own SQL, after it — building an index once over all the rows
    costs less than growing it row by row (the usual advice for populating a database). All in the
    caller's transaction: nobody else ever sees the table without them, and a rollback keeps them.
    Elsewhere (PostgreSQL, where dropping an index locks the table) or for a small write, nothing changes."""
    if connection.dialect.name != "sqlite" or not rows or rows < connection.exec_driver_sql(
            f'SELECT count(*) FROM "{table.name}"').scalar():
        yield
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
