"""Accounts: login with throttling, user creation and API tokens."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import ApiToken, LoginAttempt, Region, User, UserRole, UserSession, utcnow
from app.platform import Conflict, InvalidInput, NotFound, TooManyAttempts, Unauthorized
from app.platform.audit import record
from app.reference.roles import Role
from forms.base import N_

# Compared against when the username is unknown, so both paths cost one scrypt.
_DUMMY_HASH = generate_password_hash("tijian-no-such-user")
TOKEN_PREFIX = "tjn_"  # noqa: S105 - a visible prefix, not a secret


# login_attempt.kind
PASSWORD, TOKEN = "password", "token"  # noqa: S105 - kinds of attempt, not secrets


class InvalidCredentials(InvalidInput):
    pass


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def authenticate(username: str, password: str, remote_addr: str) -> tuple[User, str]:
    """The active user for these credentials and the token of the session it starts; every
    attempt is recorded. Failures slow the next attempt of the same account from the same
    address (and, past a higher count, every attempt from that address), never the account
    from elsewhere: an attacker's guesses cannot keep the rightful user out."""
    _refuse_while_delayed(
        _delay(_failures(PASSWORD, remote_addr, username), "LOGIN_FREE_FAILURES"),
        _delay(_failures(PASSWORD, remote_addr), "LOGIN_FREE_FAILURES_PER_ADDRESS"),
        message="登录失败次数过多，请 {seconds} 秒后再试。",
    )
    config = current_app.config
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    allowed = (
        user is not None
        and valid
        and user.is_active
        and (not user.is_demo or config["TIJIAN_DEMO"])
    )
    db.session.add(
        LoginAttempt(kind=PASSWORD, username=username, remote_addr=remote_addr, succeeded=allowed)
    )
    session_token = secrets.token_urlsafe(32)
    if allowed and user is not None:
        db.session.add(UserSession(token_hash=_token_hash(session_token), user_id=user.id))
    record(
        "login" if allowed else "login_failed",
        "user",
        user.id if user else None,
        actor=user if allowed else None,
        actor_name=username,
    )
    db.session.commit()
    if not allowed or user is None:
        raise InvalidCredentials(N_("用户名或密码不正确。"))
    return user, session_token


@dataclass(frozen=True)
class Failures:
    count: int
    last: datetime | None


def _failures(kind: str, remote_addr: str, username: str | None = None) -> Failures:
    """The failed attempts of a kind from an address (of one account, when named) within the
    window; for an account, only those since its last successful login from there."""
    config = current_app.config
    since = utcnow() - timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"])
    scope = [
        LoginAttempt.kind == kind,
        LoginAttempt.remote_addr == remote_addr,
        LoginAttempt.attempted_at >= since,
    ]
    if username is not None:
        scope.append(LoginAttempt.username == username)
        succeeded = select(func.max(LoginAttempt.attempted_at)).where(
            *scope, LoginAttempt.succeeded.is_(True)
        )
        last_success = db.session.execute(succeeded).scalar_one()
        if last_success is not None:
            scope.append(LoginAttempt.attempted_at > last_success)
    count, last = db.session.execute(
        select(func.count(), func.max(LoginAttempt.attempted_at)).where(
            *scope, LoginAttempt.succeeded.is_(False)
        )
    ).one()
    return Failures(int(count), last)


def _delay(failures: Failures, free_setting: str) -> float:
    """Seconds until the next attempt is heard: none for the first free failures, then the
    first delay, doubling with each further failure up to the ceiling, from the last failure."""
    config = current_app.config
    beyond = failures.count - config[free_setting]
    if beyond < 0 or failures.last is None:
        return 0.0
    wait = min(
        config["LOGIN_DELAY_SECONDS"] * 2 ** min(beyond, 32), config["LOGIN_MAX_DELAY_SECONDS"]
    )
    return (failures.last + timedelta(seconds=wait) - utcnow()).total_seconds()


def _refuse_while_delayed(*delays: float, message: str) -> None:
    """429 naming the whole seconds still to wait; an attempt refused so is not heard at all
    (neither recorded nor checked), so it never lengthens the wait."""
    wait = max(delays)
    if wait > 0:
        raise TooManyAttempts(message.format(seconds=math.ceil(wait)), retry_after=wait)


def user_of_session(user_id: int, session_token: str) -> User | None:
    """The user, if the cookie's session was started by them and not ended by a logout."""
    found = db.session.execute(
        _account_of(UserSession), {"user_id": user_id, "token_hash": _token_hash(session_token)}
    )
    return found.unique().scalar_one_or_none()


# Every request runs one of these: built once (building it costs more than running it), with
# the roles in the same round trip.
@cache
def _account_of(holder: type[UserSession] | type[ApiToken]) -> Select[User]:
    """The account a live session or an unrevoked API token with a given hash belongs to."""
    query = (
        select(User)
        .options(joinedload(User.roles))
        .join(holder, holder.user_id == User.id)
        .where(holder.token_hash == bindparam("token_hash"))
    )
    if holder is UserSession:
        return query.where(User.id == bindparam("user_id"), UserSession.ended_at.is_(None))
    return query.where(ApiToken.revoked_at.is_(None))


def end_session(session_token: str) -> None:
    """Ends a session that ran out (idle or too old): its cookie logs no one in any more."""
    live = db.session.get(UserSession, _token_hash(session_token))
    if live is not None and live.ended_at is None:
        live.ended_at = utcnow()
        db.session.commit()


def record_logout(user: User, session_token: str) -> None:
    """Ends the session server-side (a copy of the cookie no longer logs anyone in)."""
    live = db.session.get(UserSession, _token_hash(session_token))
    if live is not None and live.user_id == user.id:
        live.ended_at = utcnow()
    record("logout", "user", user.id, actor=user)
    db.session.commit()


def demo_usernames() -> list[str]:
    """The demo accounts in the order they were made, without the regional teams' variants
    (`officer_bt` of `officer`): the login page names each account once."""
    names = list(
        db.session.execute(select(User.username).where(User.is_demo).order_by(User.id)).scalars()
    )
    known = set(names)
    return [n for n in names if not (n[-3:-2] == "_" and n[:-3] in known)]


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    record("set_locale", "user", user.id, actor=user, locale=locale)
    db.session.commit()


def create_user(
    username: str,
    password: str,
    display_name: str,
    region_code: str,
    roles: Iterable[str],
    *,
    is_demo: bool = False,
    email: str | None = None,
    cert_no: str | None = None,
) -> User:
    role_values = sorted(set(roles))
    unknown = [r for r in role_values if r not in {role.value for role in Role}]
    if unknown:
        raise InvalidInput(f"未知角色: {', '.join(unknown)}")
    if db.session.get(Region, region_code) is None:
        raise InvalidInput(f"未知区域代码: {region_code}")
    if db.session.execute(select(User.id).where(User.username == username)).first():
        raise InvalidInput(f"用户名已存在: {username}")
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise InvalidInput(f"电子邮箱格式不正确: {email}")
    if len(password) < (4 if is_demo else 10):
        raise InvalidInput(N_("密码至少 10 位。"))
    if cert_no is not None:
        _check_certificate(cert_no)
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        region_code=region_code,
        is_demo=is_demo,
        email=email,
        cert_no=cert_no,
        roles=[UserRole(role=r) for r in role_values],
    )
    db.session.add(user)
    db.session.flush()
    record(
        "create_user",
        "user",
        user.id,
        actor_name="cli",
        roles=role_values,
        region=region_code,
        cert_no=cert_no,
    )
    db.session.commit()
    return user


_CERTIFICATE = re.compile(r"[0-9A-Za-z\-]{4,32}")


def _check_certificate(cert_no: str) -> None:
    if not _CERTIFICATE.fullmatch(cert_no):
        raise InvalidInput(N_("执法证号应为 4 至 32 位数字、字母或连字符。"))
    if db.session.execute(select(User.username).where(User.cert_no == cert_no)).first():
        raise InvalidInput(f"执法证号已登记在其他账号上：{cert_no}")


def set_certificate(username: str, cert_no: str | None) -> User:
    """Record (or, with None, withdraw) the account's 行政执法证号. Investigators already
    designated keep the number they were designated with (the case file prints it)."""
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"没有账号 {username}")
    if cert_no is not None and cert_no != user.cert_no:
        _check_certificate(cert_no)
    user.cert_no = cert_no
    record("set_certificate", "user", user.id, actor_name="cli", cert_no=cert_no)
    db.session.commit()
    return user


def _token_hash(token: str) -> str:
    # Tokens are 256-bit random, so a fast hash is enough; only the hash is stored.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(username: str, name: str = "cli") -> str:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"无此用户: {username}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user_id=user.id, name=name, token_hash=_token_hash(token), prefix=token[:12])
    )
    record("create_token", "user", user.id, actor_name="cli", token_prefix=token[:12])
    db.session.commit()
    return token


# the login_attempt username of a bad token (its text is never stored)
API_TOKEN_LOGIN = "<api-token>"  # noqa: S105 - a label, not a secret


def authenticate_token(token: str, remote_addr: str) -> User:
    """The user of a bearer token; bad tokens are counted per address, apart from passwords,
    and slow that address's further bad tokens only. A good token is let in without counting:
    tokens are 256 random bits, so the throttle has nothing to protect there, and an address
    that others flood with bad tokens keeps its own good ones working (and every API request
    saves a query)."""
    user = user_for_token(token) if token else None
    if user is not None:
        return user
    _refuse_while_delayed(
        _delay(_failures(TOKEN, remote_addr), "TOKEN_FREE_FAILURES_PER_ADDRESS"),
        message="令牌验证失败次数过多，请 {seconds} 秒后再试。",
    )
    db.session.add(
        LoginAttempt(kind=TOKEN, username=API_TOKEN_LOGIN, remote_addr=remote_addr, succeeded=False)
    )
    db.session.commit()
    raise Unauthorized(N_("缺少或无效的接口令牌（Authorization: Bearer …）。"))


def user_for_token(token: str) -> User | None:
    user = (
        db.session.execute(_account_of(ApiToken), {"token_hash": _token_hash(token)})
        .unique()
        .scalar_one_or_none()
    )
    if (
        user is None
        or not user.is_active
        or (user.is_demo and not current_app.config["TIJIAN_DEMO"])
    ):
        return None
    return user


def list_tokens() -> list[tuple[ApiToken, User]]:
    rows = db.session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id.desc())
    ).all()
    return [(token, user) for token, user in rows]


def issue_token(username: str, name: str, actor: User) -> str:
    """An admin creates a token for an account (shown once, like `tijian create-token`)."""
    if not name.strip() or len(name) > 100:
        raise InvalidInput(N_("请填写令牌用途（不超过 100 个字符）。"))
    token = create_token(username, name.strip())
    record("issue_token", "user", username, actor=actor, name=name)
    db.session.commit()
    return token


def revoke_token(token_id: int, actor: User) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("令牌不存在。")
    if token.revoked_at is not None:
        raise Conflict("该令牌已吊销。")
    token.revoked_at = utcnow()
    record("revoke_token", "user", token.user_id, actor=actor, token_prefix=token.prefix)
    db.session.commit()
