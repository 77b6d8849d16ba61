"""Tijian: the Flask application factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .config import LANGUAGES, load_config
from .platform.row_ids import MAX_ROW_ID


class RowIdConverter(IntegerConverter):
    regex = r"[0-9]{1,10}"  # ASCII only: werkzeug's \d also takes other scripts' digits

    def __init__(self, map: Any) -> None:  # noqa: A002 - werkzeug's parameter name
        super().__init__(map, min=1, max=MAX_ROW_ID)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    # Row ids in URLs: a number outside the database's integer range is simply not found.
    app.url_map.converters["id"] = RowIdConverter
    app.config.update(load_config(app.instance_path, config))
    os.makedirs(app.instance_path, exist_ok=True)

    from . import database, i18n, web
    from .extensions import csrf, db, login_manager

    db.init_app(app)
    database.configure(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        # The client's address and scheme as the trusted proxies saw them (throttling and the
        # audit trail use the address); with none trusted the headers are ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app
