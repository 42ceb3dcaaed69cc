"""Which language a page is shown in: the user's choice, else the browser's, else the default."""

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # CLI commands and jobs speak the installation's default
        return default
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    if session.get("language") in languages:
        return session["language"]
    return request.accept_languages.best_match(languages) or default


def in_reader_language(spanish: str, english: str) -> str:
    """Example data as the reader would write it (an import template's rows are data, not translations)."""
    return spanish if str(get_locale()).startswith("es") else english
