from __future__ import annotations

from flask import redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.config import DEFAULT_LANGUAGE, LANGUAGES
from app.platform import auth as auth_service
from app.web.auth.access import access, public, user
from app.web.navigation import TASK_ROLES

from . import bp


@bp.route("/")
@access()
def index() -> ResponseReturnValue:
    if TASK_ROLES & user().role_names:
        return redirect(url_for("tasks.inbox"))
    return redirect(url_for("cases.index"))


@bp.route("/language", methods=["POST"])
@public
def set_language() -> ResponseReturnValue:
    language = request.form.get("language", DEFAULT_LANGUAGE)
    if language in LANGUAGES:
        session["lang"] = language
        if current_user.is_authenticated:
            auth_service.set_locale(user(), language)
    back = request.referrer or url_for("home.index")
    return redirect(back if back.startswith(request.host_url) else url_for("home.index"))


@bp.route("/healthz")
@public
def health() -> ResponseReturnValue:
    return {"status": "ok"}
