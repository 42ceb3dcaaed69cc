"""Extensions are created bare here and bound to the app in ``app.create_app``."""

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase

from core.i18n import HouseDateFormats

# Named constraints let Alembic alter them later, on SQLite (batch mode) as well as PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
#: Every named date width is the house format (``core.i18n``): one way of writing a day on every page.
babel = Babel(date_formats=HouseDateFormats())
#: What pages compute from the data, kept between requests (see ``core.cache``).
cache = Cache()
#: Outgoing e-mail (``core.mail``): SMTP in production, Mailman's in-memory outbox in tests.
mail = Mail()
# Limits are declared on the views that need them (login); nothing is limited by default.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def database_reachable() -> bool:
    """Whether the database answers at all (a lost server is not a matter of migrations or of one query)."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False
