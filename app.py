"""Fideliza: the application factory. ``flask --app app ...`` and gunicorn ``app:create_app()`` load it."""

import os

from flask import Flask

#: The modules that connect each package's receivers to the signals of ``core.signals``, in the order their
#: contributions are listed. A package left out gives this app nothing (its criteria show no source).
HOOKS = ("processes.hooks", "loyalty.hooks", "voice.hooks", "surveys.hooks", "improvements.hooks", "evidence.hooks",
         "certification.hooks", "onboarding.hooks")


def create_app(config_overrides: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, access policy, blueprints and CLI — nothing else."""
    app = Flask(__name__, instance_relative_config=True)
    from core.config import configure

    configure(app, config_overrides)
    if app.config["PROXY_FIX_X_FOR"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a proxy every request comes from the proxy: trust its X-Forwarded-For, that many hops.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])
    register_extensions(app)
    register_policy(app)
    register_blueprints(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from core import api, connections, tasks, throttle  # noqa: F401 - connections: its listeners, on import
    from core.extensions import babel, cache, db, limiter, login_manager, mail, migrate
    from core.i18n import register_filters, select_locale
    from core.ui import register_template_helpers, select_timezone

    db.init_app(app)
    # An absolute path: gunicorn, tests and cron jobs may run from another working directory.
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "migrations"),
                     render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    register_filters(app)
    limiter.init_app(app)
    throttle.init_app(app)
    api.init_app(app)
    cache.init_app(app)
    mail.init_app(app)
    tasks.init_app(app)
    register_template_helpers(app)


def register_policy(app: Flask) -> None:
    """Request guards, in the order they must run, and the error pages."""
    from accounts import (
        tokens,  # noqa: F401 - on import it gives core.api the function that finds a token
        two_factor,
    )
    from accounts.sessions import end_stale_session
    from core import access, api
    from core.extensions import csrf
    from core.ids import RecordIdConverter
    from core.schema import SchemaGuard
    from core.security import register_error_handlers

    # Before any route is declared: ``<int:id>`` matches only ids a table can hold (else 404, not a failed query).
    app.url_map.converters["int"] = RecordIdConverter
    # Schema first (nothing else can query a database behind its migrations), then who calls the API (its
    # bearer token, never the session: ``tokens.find`` answers), then the end of stale sign-ins (before anything
    # looks at who is signed in), then the access policy, then CSRF, so that a forbidden POST is answered 403
    # whatever its token. After the policy: people whose role requires two-factor sign-in and who have not set
    # it up reach only the set-up page.
    app.before_request(SchemaGuard())
    app.before_request(api.authenticate)
    app.before_request(end_stale_session)
    app.before_request(access.enforce)
    two_factor.init_app(app)
    csrf.init_app(app)
    access.declare("static", access.PUBLIC_READ)
    register_error_handlers(app)


def register_blueprints(app: Flask) -> None:
    from accounts import bp as accounts_bp
    from certification import bp as certification_bp
    from core import api, api_imports
    from core import bp as core_bp
    from core.signals import register_hooks
    from evidence import api as evidence_api
    from evidence import bp as evidence_bp
    from improvements import api as improvements_api
    from improvements import bp as improvements_bp
    from loyalty import api as loyalty_api
    from loyalty import api_writes as census_api_writes
    from loyalty import bp as loyalty_bp
    from onboarding import bp as onboarding_bp
    from processes import api as processes_api
    from processes import bp as processes_bp
    from surveys import answer_bp
    from surveys import api as surveys_api
    from surveys import api_writes as survey_api_writes
    from surveys import bp as surveys_bp
    from voice import api as voice_api
    from voice import api_writes as complaint_api_writes
    from voice import bp as voice_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(processes_bp, url_prefix="/processes")
    app.register_blueprint(loyalty_bp, url_prefix="/clients")
    app.register_blueprint(voice_bp, url_prefix="/clients")
    app.register_blueprint(improvements_bp, url_prefix="/improvements")
    app.register_blueprint(evidence_bp, url_prefix="/evidence")
    app.register_blueprint(certification_bp, url_prefix="/certification")
    app.register_blueprint(surveys_bp, url_prefix="/surveys")
    app.register_blueprint(answer_bp, url_prefix="/s")
    app.register_blueprint(onboarding_bp, url_prefix="/setup")
    # The REST API (``/api/v1``, ``core.api``): each capability's endpoints, in its own ``api`` module.
    api.register(processes_api.blp)
    api.register(evidence_api.blp)
    for blueprint in (loyalty_api.blp, voice_api.blp, surveys_api.blp, improvements_api.blp):
        api.register(blueprint)
    # The writes of what other systems feed (a census may come as a file: ``api_imports.register_uploads``).
    api_imports.register_uploads(census_api_writes.blp)
    api.register(complaint_api_writes.blp)
    api.register(survey_api_writes.blp)
    register_hooks(app, *HOOKS)


def register_commands(app: Flask) -> None:
    from accounts.cli import users_cli
    from core.cli import audit_cli, dev_command, digest_command, imports_cli, worker_command
    from demo.cli import demo_command
    from evidence.cli import evidence_cli
    from improvements.cli import reminders_command
    from processes.cli import processes_cli
    from surveys.cli import surveys_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(imports_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(evidence_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(reminders_command)
    app.cli.add_command(processes_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(dev_command)
    app.cli.add_command(surveys_cli)
    app.cli.add_command(digest_command)
