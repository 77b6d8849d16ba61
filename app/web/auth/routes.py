from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user, logout_user

from app.config import LANGUAGES
from app.i18n import current_locale
from app.platform import ServiceError
from app.platform import auth as auth_service
from app.web.security import SESSION_EXPIRED, SESSION_TOKEN, start_session
from forms.auth import LoginForm
from forms.base import N_

from . import bp
from .access import access, public, user


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    form = LoginForm(request.form, meta={"locales": [current_locale()]})
    if request.method == "POST" and form.validate():
        try:
            account, session_token = auth_service.authenticate(
                form.username.data or "", form.password.data or "", request.remote_addr or "-"
            )
        except ServiceError as exc:
            return _login_page(form, str(exc)), exc.status, exc.headers
        chosen = session.get("lang")
        session.clear()  # nothing else from before the login carries over (session fixation)
        start_session(session_token)
        login_user(account)
        if chosen in LANGUAGES and chosen != account.locale:  # a choice made before logging in
            auth_service.set_locale(account, chosen)
        return redirect(_safe_next(request.args.get("next")))
    if request.method == "POST":
        return _login_page(form, None), 422
    expired = session.pop(SESSION_EXPIRED, False)
    return _login_page(form, N_("登录已超时，请重新登录。") if expired else None)


def _login_page(form: LoginForm, error: str | None) -> str:
    return render_template(
        "auth/login.html",
        form=form,
        error=error,
        demo_logins=auth_service.demo_usernames() if current_app.config["TIJIAN_DEMO"] else [],
    )


@bp.route("/logout", methods=["POST"])
@access()
def logout() -> ResponseReturnValue:
    auth_service.record_logout(user(), session.pop(SESSION_TOKEN, ""))
    logout_user()
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an absolute URL in ?next= would make the login an open redirect.
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.netloc and not parts.scheme:
            return target
    return url_for("home.index")
