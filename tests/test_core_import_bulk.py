"""Bulk writes and reads of a large import (``core.imports.bulk``), on SQLite and PostgreSQL."""

from datetime import date, datetime

import pytest


def test_indexes_are_deferred_only_for_a_large_write_on_sqlite_and_always_come_back(app):
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
                        assert gone == (dropped and db.engine.dialect.name == "sqlite")
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
