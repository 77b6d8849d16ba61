"""Response headers, session loading and the answer to unauthenticated requests."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from app.clock import utcnow
from app.extensions import login_manager
from app.models import User
from app.platform.row_ids import row_id

View = TypeVar("View", bound=Callable[..., Any])


def _policy(style_src: str) -> str:
    return (
        f"default-src 'self'; script-src 'self'; style-src {style_src}; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


# No inline script anywhere: htmx is configured through a <meta> tag and page code lives in
# static files, so script-src can stay 'self'. No inline style either (no style attribute, no
# <style> element in the pages): style-src is 'self' too, except where allow_inline_styles or
# with_own_styles says otherwise.
CONTENT_SECURITY_POLICY = _policy("'self'")
# Features no screen uses, refused to every frame (a script that got in cannot ask for them).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
# With secure cookies the site is served over HTTPS only: browsers are told to keep to it.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"

# The signed cookie's key for the token of the server-side session (app.models.UserSession),
# and the moments (Unix seconds, the app's clock) the session began and was last used.
SESSION_TOKEN = "sid"  # noqa: S105 - a key name, not a secret
SESSION_STARTED, SESSION_SEEN = "started", "seen"
SESSION_EXPIRED = "expired"  # set when a session ran out, for the login page to say so
# The last-used moment is written at most this often (each write is a new cookie).
SEEN_GRANULARITY_SECONDS = 60


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.after_request(_headers)
    app.before_request(_refuse_nul_characters)
    app.before_request(_end_expired_session)


def start_session(session_token: str) -> None:
    """After a login: the cookie carries the server-side session's token and its moments."""
    now = utcnow().timestamp()
    session[SESSION_TOKEN] = session_token
    session[SESSION_STARTED] = session[SESSION_SEEN] = now


def _end_expired_session() -> None:
    """A session unused for the idle timeout, or older than its lifetime, ends here, on the
    server (a copy of the cookie is worthless too): the request goes on as anonymous, which
    sends it to the login page (htmx: 401 with HX-Redirect), where SESSION_EXPIRED is shown."""
    if SESSION_TOKEN not in session or request.endpoint == "static":
        return
    from app.platform.auth import end_session  # services import the app package

    config = current_app.config
    now = utcnow().timestamp()
    idle = now - float(session.get(SESSION_SEEN, 0))
    age = now - float(session.get(SESSION_STARTED, 0))
    if idle > config["SESSION_IDLE_MINUTES"] * 60 or age > config["SESSION_LIFETIME_HOURS"] * 3600:
        end_session(session[SESSION_TOKEN])
        chosen = session.get("lang")
        session.clear()
        if chosen is not None:
            session["lang"] = chosen
        session[SESSION_EXPIRED] = True
    elif idle >= SEEN_GRANULARITY_SECONDS:
        session[SESSION_SEEN] = now


def allow_inline_styles(view: View) -> View:
    """For the BPMN modeler only: the vendored bpmn-js writes SVG icons with style attributes
    (its align-elements menu), which a policy without 'unsafe-inline' would leave unstyled.
    Scripts stay 'self'."""

    @wraps(view)
    def relaxed(*args: Any, **kwargs: Any) -> Response:
        response = make_response(view(*args, **kwargs))
        response.headers["Content-Security-Policy"] = _policy("'self' 'unsafe-inline'")
        return response

    return cast(View, relaxed)


_STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.S)


def with_own_styles(html: str) -> Response:
    """A page of the app's own whose <style> elements must stay inside it (a 文书 preview: the
    issued HTML is kept as it was, its stylesheet with it): exactly those elements are allowed,
    by hash, and nothing else inline."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        for css in _STYLE_ELEMENT.findall(html)
    )
    response = make_response(html)
    response.headers["Content-Security-Policy"] = _policy(f"'self' {hashes}")
    return response


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
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.vary.add("HX-Request")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
