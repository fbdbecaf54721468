"""EcoCheck 环保自查: the Flask application factory."""
from flask import Flask

from app.config import Config


def create_app(config: Config | dict | None = None) -> Flask:
    """Create the app: load config, initialise extensions, register blueprints and handlers."""
    base = Config()
    app = Flask(__name__, instance_path=base.INSTANCE_PATH, static_folder=None)
    app.config.from_object(base)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)

    from app import blueprints, cli
    from app.common import hooks, zh_messages
    from app.common.compression import init_compression
    from app.common.proxy import apply_proxy_fix
    from app.config import PROJECT_ROOT
    from app.docs_page import init_docs_page
    from app.extensions import api, db, login_manager, migrate
    from app.notify.transitions import connect_receivers as tell_the_other_party
    from app.obligations.service import connect_receivers as answer_from_the_calendar
    from app.rollups.maintain import connect_receivers as keep_rollups_exact
    from app.spa import init_spa
    from app.supervision.repair_reminder import connect_receivers as remind_of_credit_repair
    from app.supervision.warnings import count_open_warnings

    apply_proxy_fix(app)  # only when TRUST_PROXY is set: behind nginx, the client IP is X-Forwarded-For
    zh_messages.install()
    blueprints.bound_integer_urls(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    api.init_app(app)
    for blueprint in blueprints.api_blueprints():
        api.register_blueprint(blueprint)
    hooks.init_app(app)
    init_compression(app)
    from app.accounts import login  # registers the session user loader
    app.session_interface = login.SessionInterface()
    tell_the_other_party()      # domain-event receivers (app/common/events.py), connected once
    remind_of_credit_repair()
    keep_rollups_exact()
    count_open_warnings()
    answer_from_the_calendar()
    init_docs_page(app)
    init_spa(app)
    cli.init_app(app)
    return app
