"""Bulk writes and reads of a large import (``core.imports.bulk``), on SQLite and PostgreSQL."""

from datetime import date, datetime

import pytest


def test_indexes_are_deferred_only_for_a_large_write_and_always_come_back(app):
    from sqlalchemy import Column as Field
    from sqlalchemy import Index, Integer, MetaData, String, Table, insert, inspect, text

    from core.extensions import db
    from core.imports.bulk import bulk_execute, indexes_deferred

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
                        assert gone == dropped
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
    from core.imports.bulk import bulk_insert, driver_rows

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


def _postgresql_only(app):
    from core.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's own indexes and statistics")


def test_on_postgresql_deferred_indexes_come_back_with_their_definitions_and_a_failure_keeps_them(app):
    from sqlalchemy import Column as Field
    from sqlalchemy import Index, Integer, MetaData, String, Table, func, insert, text

    from core.extensions import db
    from core.imports.bulk import bulk_insert, indexes_deferred

    _postgresql_only(app)
    table = Table("deferred_pg_probe", MetaData(), Field("id", Integer, primary_key=True),
                  Field("code", String(10), unique=True), Field("group_name", String(10)), Field("size", Integer),
                  Index("ix_deferred_pg_group", "group_name"),
                  Index("ix_deferred_pg_lower", func.lower(Field("code")), postgresql_where=text("size > 1")))
    definitions = text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'deferred_pg_probe'")
    with app.app_context():
        table.create(db.engine)
        try:
            with db.engine.connect() as connection:
                before = dict(connection.execute(definitions).all())
            assert set(before) == {"deferred_pg_probe_pkey", "deferred_pg_probe_code_key", "ix_deferred_pg_group",
                                   "ix_deferred_pg_lower"}
            with db.engine.begin() as connection:
                with indexes_deferred(connection, table, 3):
                    during = dict(connection.execute(definitions).all())
                    bulk_insert(connection, table, {"code": ["a", "b", "c"], "group_name": "g", "size": [1, 2, 3]})
                assert dict(connection.execute(definitions).all()) == before
            assert set(during) == {"deferred_pg_probe_pkey", "deferred_pg_probe_code_key"}  # unique ones kept
            with db.engine.connect() as connection:
                assert dict(connection.execute(definitions).all()) == before
            with pytest.raises(Exception), db.engine.begin() as connection:  # noqa: B017 - whatever the driver raises
                with indexes_deferred(connection, table, 10):
                    bulk_insert(connection, table, {"code": ["d", "a"], "group_name": "g"})  # "a" again
            with db.engine.connect() as connection:
                assert dict(connection.execute(definitions).all()) == before
                assert connection.execute(text("SELECT count(*) FROM deferred_pg_probe")).scalar() == 3
            # A failing write inside leaves the transaction usable, its indexes in place, if the caller goes on.
            with db.engine.begin() as connection:
                with pytest.raises(Exception), indexes_deferred(connection, table, 10):  # noqa: B017
                    connection.execute(insert(table), [{"code": "e"}, {"code": "a"}])
                assert dict(connection.execute(definitions).all()) == before
        finally:
            table.drop(db.engine)


def _analyses(connection, name: str) -> int:
    from sqlalchemy import text

    connection.execute(text("SELECT pg_stat_clear_snapshot()"))  # the statistics views cache per transaction
    return connection.execute(text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = :name"),
                              {"name": name}).scalar()


def test_on_postgresql_a_bulk_write_ends_with_analyze_of_its_tables_and_a_rollback_forgets_them(app):
    from sqlalchemy import Column as Field
    from sqlalchemy import Integer, MetaData, String, Table, insert, text

    from core.extensions import db
    from core.imports.bulk import ANALYSE_ROWS, analyse_written, analysed, bulk_insert

    _postgresql_only(app)
    metadata = MetaData()
    big = Table("analysed_probe", metadata, Field("id", Integer, primary_key=True), Field("code", String(10)))
    small = Table("analysed_small_probe", metadata, Field("id", Integer, primary_key=True), Field("code", String(10)))
    reltuples = text("SELECT relname, reltuples FROM pg_class WHERE relname IN ('analysed_probe', "
                     "'analysed_small_probe')")
    with app.app_context():
        metadata.create_all(db.engine)
        try:
            with db.engine.begin() as connection:
                bulk_insert(connection, big, {"code": [str(n) for n in range(ANALYSE_ROWS)]})
                bulk_insert(connection, small, {"code": ["a", "b"]})  # a record's history, not a bulk write
            with db.engine.connect() as connection:
                assert _analyses(connection, "analysed_probe") == 1
                assert _analyses(connection, "analysed_small_probe") == 0
                assert dict(connection.execute(reltuples).all()) == {"analysed_probe": ANALYSE_ROWS,
                                                                     "analysed_small_probe": -1}
            with db.engine.connect() as connection:  # rolled back: nothing analysed, nothing left noted
                bulk_insert(connection, big, {"code": [str(n) for n in range(ANALYSE_ROWS)]})
                connection.rollback()
                connection.execute(insert(small), [{"code": "c"}])
                connection.commit()
                assert _analyses(connection, "analysed_probe") == 1
            with db.engine.begin() as connection:  # an import: whatever it writes, by any statement
                with analysed(connection):
                    connection.execute(insert(small), [{"code": "d"}])
                analyse_written(connection)  # now, for what the transaction does next; not again at the commit
                assert _analyses(connection, "analysed_small_probe") == 1
            with db.engine.connect() as connection:
                assert _analyses(connection, "analysed_small_probe") == 1
                assert _analyses(connection, "analysed_probe") == 1
        finally:
            metadata.drop_all(db.engine)
