"""Response headers, session loading and the answer to unauthenticated requests."""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from app.extensions import login_manager
from app.models import User
from app.platform.row_ids import row_id

# No inline script anywhere: htmx is configured through a <meta> tag and page code lives in
# static files, so script-src can stay 'self'.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


# The signed cookie's key for the token of the server-side session (app.models.UserSession).
SESSION_TOKEN = "sid"  # noqa: S105 - a key name, not a secret


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.after_request(_headers)
    app.before_request(_refuse_nul_characters)


def _refuse_nul_characters() -> None:
    """NUL cannot be stored in PostgreSQL text and has no place in any field: refuse the request
    before it reaches a query (the API fuzz run found this)."""
    values: list[object] = [request.path, *request.args.values(), *request.form.values()]
    if request.is_json:
        values.append(request.get_json(silent=True))
    if any(_has_nul(value) for value in values):
        abort(400, description="请求含有不允许的控制字符（NUL）。")


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _load_user(user_id: str) -> User | None:
    from app.platform.auth import user_of_session  # services import the app package

    account_id = row_id(user_id)
    if account_id is None:
        return None
    # one query: the account, if the cookie's session is live (not logged out, not forged)
    user = user_of_session(account_id, session.get(SESSION_TOKEN, ""))
    if user is None or not user.is_active:
        return None
    if user.is_demo and not current_app.config["TIJIAN_DEMO"]:
        return None
    return user


def _unauthorized() -> ResponseReturnValue:
    target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request") == "true":
        return Response(status=401, headers={"HX-Redirect": target})
    return redirect(target)


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.vary.add("HX-Request")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
