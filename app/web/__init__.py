"""The web layer: one blueprint per area of the screens and the JSON API, with the request
plumbing they share (sessions and headers, navigation, htmx answers, error pages). Views are
thin: they parse the request, call a use case of the areas below and render its answer."""

from __future__ import annotations

from flask import Flask

from app.extensions import csrf


def init_app(app: Flask) -> None:
    from . import navigation, security
    from .api import bp as api_bp
    from .assistance import bp as assistance_bp
    from .auth import bp as auth_bp
    from .cases import bp as cases_bp
    from .designer import bp as designer_bp
    from .enterprises import bp as enterprises_bp
    from .errors import register_error_handlers
    from .file_review import bp as file_review_bp
    from .home import bp as home_bp
    from .library import bp as library_bp
    from .prevention import bp as prevention_bp
    from .public import bp as public_bp
    from .supervision import bp as supervision_bp
    from .tasks import bp as tasks_bp

    security.init_app(app)
    navigation.init_app(app)
    for blueprint in (
        home_bp,
        auth_bp,
        tasks_bp,
        cases_bp,
        enterprises_bp,
        supervision_bp,
        file_review_bp,
        assistance_bp,
        designer_bp,
        prevention_bp,
        library_bp,
        public_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # bearer tokens, no cookies: nothing for a cross-site request to ride on
    register_error_handlers(app)
