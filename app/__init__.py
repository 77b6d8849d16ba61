"""Tijian: the Flask application factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from .config import LANGUAGES, load_config


class RowIdConverter(IntegerConverter):
    def __init__(self, map: Any) -> None:  # noqa: A002 - werkzeug's parameter name
        super().__init__(map, min=1, max=2**31 - 1)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    # Row ids in URLs: a number outside the database's integer range is simply not found.
    app.url_map.converters["id"] = RowIdConverter
    app.config.update(load_config(app.instance_path, config))
    os.makedirs(app.instance_path, exist_ok=True)

    from . import database, i18n, navigation, security
    from .extensions import csrf, db, login_manager

    db.init_app(app)
    database.configure(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    navigation.init_app(app)

    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .cases import bp as cases_bp
    from .designer import bp as designer_bp
    from .enterprises import bp as enterprises_bp
    from .errors import register_error_handlers
    from .library import bp as library_bp
    from .main import bp as main_bp
    from .prevention import bp as prevention_bp
    from .public import bp as public_bp
    from .review import bp as review_bp
    from .service import bp as service_bp
    from .supervision import bp as supervision_bp
    from .tasks import bp as tasks_bp

    for blueprint in (
        main_bp,
        auth_bp,
        tasks_bp,
        cases_bp,
        enterprises_bp,
        supervision_bp,
        review_bp,
        service_bp,
        designer_bp,
        prevention_bp,
        library_bp,
        public_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # bearer tokens, no cookies: nothing for a cross-site request to ride on
    register_error_handlers(app)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    return app
