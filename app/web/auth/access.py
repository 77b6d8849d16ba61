"""The one authorization helper: every view is declared with @access(...) or @public.

tests/integration/test_access.py walks the URL map and fails on any view that is neither,
so a new route cannot forget its check.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, request
from flask_login import current_user

from app.models import User
from app.platform.audit import acting_with_token
from app.platform.auth import authenticate_token
from app.platform.regions import in_scope
from app.reference.roles import Role

View = TypeVar("View", bound=Callable[..., Any])


def access(*roles: Role) -> Callable[[View], View]:
    """Logged-in users holding any of `roles` (any logged-in user when none are given)."""
    allowed = frozenset(r.value for r in roles)

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if allowed and not (allowed & current_user.role_names):
                abort(403, description="您的岗位无权使用此功能。")
            return view(*args, **kwargs)

        guarded.access_roles = allowed  # type: ignore[attr-defined]
        return cast(View, guarded)

    return decorate


def public(view: View) -> View:
    view.access_roles = None  # type: ignore[attr-defined]
    return view


def check_region(region_code: str) -> None:
    """403 unless the current user's region scope covers `region_code`."""
    if not in_scope(user(), region_code):
        abort(403, description="无权访问其他地区的数据。")


def user() -> User:
    """The logged-in user as the model class (for typing in routes)."""
    return cast(User, current_user._get_current_object())


def api_access(*roles: Role) -> Callable[[View], View]:
    """For /api: a bearer token (`tijian create-token`) instead of the session, same role and
    region rules, JSON answers (401 without a valid token, 403 for the wrong role). What the
    request records in the audit names the token and its creator beside the account."""
    allowed = frozenset(r.value for r in roles)

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
            account, used = authenticate_token(token, request.remote_addr or "-")
            if allowed and not (allowed & account.role_names):
                abort(403, description="该令牌的岗位无权使用此接口。")
            g.api_user = account
            with acting_with_token(used):
                return view(*args, **kwargs)

        guarded.access_roles = allowed  # type: ignore[attr-defined]
        return cast(View, guarded)

    return decorate


def api_user() -> User:
    return cast(User, g.api_user)
