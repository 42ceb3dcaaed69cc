"""Whether the database schema matches the migrations shipped with this code."""

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from core.extensions import database_reachable, db
from core.security import safe_error_page

UPGRADE_COMMAND = "flask --app app db upgrade"


def expected_heads() -> set[str]:
    config = current_app.extensions["migrate"].migrate.get_config()
    return set(ScriptDirectory.from_config(config).get_heads())


def applied_heads() -> set[str]:
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def migrations_current() -> bool:
    """True when the database is at the head revision of ``migrations/``."""
    try:
        return applied_heads() == expected_heads()
    except SQLAlchemyError:
        return False


class SchemaGuard:
    """``before_request``: answer 503 naming the fix while the database is behind its migrations.

    Once the schema is found current it stays current for the life of the process (new migrations
    come with new code, which means a restart), so the check costs nothing after the first request.
    """

    def __init__(self):
        self.current = False

    def __call__(self):
        if self.current or current_app.config["FIDELIZA_SKIP_MIGRATION_CHECK"]:
            return None
        if request.endpoint in {"static", "core.healthz"}:
            return None
        if migrations_current():
            self.current = True
            return None
        if not database_reachable():  # not a matter of migrations: upgrading could not reach it either
            return safe_error_page(503, _l("The database cannot be reached. Check that the database server is "
                                           "running and that DATABASE_URL points to it, then reload."))
        return safe_error_page(503, _l("The database is behind this version of Fideliza. "
                                       "Run “%(command)s” (or “make run”) and reload.", command=UPGRADE_COMMAND))
