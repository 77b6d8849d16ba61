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
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import aliased, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import commit_keeping, db
from app.models import ApiToken, LoginAttempt, Region, User, UserRole, UserSession, utcnow
from app.platform import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthorized,
)
from app.platform.audit import TokenUse, record
from app.platform.regions import in_scope, scope_of
from app.reference.roles import LANES, Role
from forms.base import N_

# Compared against when the username is unknown, so both paths cost one scrypt.
_DUMMY_HASH = generate_password_hash("tijian-no-such-user")
TOKEN_PREFIX = "tjn_"  # noqa: S105 - a visible prefix, not a secret
CLI = "cli"  # the actor (and token creator) of what is done on the server's command line


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
        _account_of_session(), {"user_id": user_id, "token_hash": _token_hash(session_token)}
    )
    return found.unique().scalar_one_or_none()


# Every request runs one of these: built once (building it costs more than running it), with
# the roles in the same round trip.
@cache
def _account_of_session() -> Select[User]:
    """The account a live session with a given hash belongs to."""
    return (
        select(User)
        .options(joinedload(User.roles))
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == bindparam("token_hash"))
        .where(User.id == bindparam("user_id"), UserSession.ended_at.is_(None))
    )


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
    integration_reason: str | None = None,
) -> User:
    """An account; with `integration_reason`, an integration account (another system's, see
    create_integration_account), the reason recorded in the audit."""
    if integration_reason is not None and not integration_reason.strip():
        raise InvalidInput(N_("请填写设立集成账号的理由。"))
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
        is_integration=integration_reason is not None,
        roles=[UserRole(role=r) for r in role_values],
    )
    db.session.add(user)
    db.session.flush()
    integration: dict[str, Any] = (
        {} if integration_reason is None else {"reason": integration_reason.strip()}
    )
    record(
        "create_user" if integration_reason is None else "create_integration_account",
        "user",
        user.id,
        actor_name=CLI,
        roles=role_values,
        region=region_code,
        cert_no=cert_no,
        **integration,
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
    record("set_certificate", "user", user.id, actor_name=CLI, cert_no=cert_no)
    db.session.commit()
    return user


def _token_hash(token: str) -> str:
    # Tokens are 256-bit random, so a fast hash is enough; only the hash is stored.
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(owner: User, name: str, creator: User | None) -> tuple[str, ApiToken]:
    """A token for `owner`, valid for API_TOKEN_LIFETIME_DAYS; the caller audits and commits."""
    if not name.strip() or len(name.strip()) > 100:
        raise InvalidInput(N_("请填写令牌用途（不超过 100 个字符）。"))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(
        user_id=owner.id,
        name=name.strip(),
        token_hash=_token_hash(token),
        prefix=token[:12],
        created_at=now,
        created_by_id=creator.id if creator else None,
        expires_at=now + timedelta(days=current_app.config["API_TOKEN_LIFETIME_DAYS"]),
    )
    db.session.add(row)
    db.session.flush()
    return token, row


def _account_named(username: str) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"无此用户: {username}")
    return user


def create_token(username: str, name: str = "cli") -> str:
    """On the server's command line (`tijian create-token`; the operator already holds the
    database): a token for any account, recorded as created by "cli"."""
    user = _account_named(username)
    token, row = _new_token(user, name, None)
    record(
        "create_token", "user", user.id, actor_name=CLI, token_id=row.id, token_prefix=row.prefix
    )
    db.session.commit()
    return token


def create_own_token(owner: User, name: str) -> str:
    """A user creates a token for themselves (shown once)."""
    token, row = _new_token(owner, name, owner)
    record("create_token", "user", owner.id, actor=owner, token_id=row.id, token_prefix=row.prefix)
    db.session.commit()
    return token


def issue_token(username: str, name: str, reason: str, actor: User) -> str:
    """An admin issues a token for an integration account of their region, with a reason.
    Nobody creates a token for another person: it would let them act under that name."""
    if Role.ADMIN.value not in actor.role_names:
        raise Forbidden(N_("只有系统管理员可以为集成账号签发令牌。"))
    if not username.strip():
        raise InvalidInput(N_("请选择集成账号。"))
    account = _account_named(username.strip())
    if not account.is_integration:
        raise Forbidden(
            N_("只能为集成账号签发令牌；其他账号的令牌须由本人在“接口令牌”页面自行创建。")
        )
    if not in_scope(actor, account.region_code):
        raise Forbidden(N_("无权为其他地区的集成账号签发令牌。"))
    if not reason.strip() or len(reason.strip()) > 500:
        raise InvalidInput(N_("请填写签发理由（不超过 500 个字符）。"))
    token, row = _new_token(account, name, actor)
    record(
        "issue_token",
        "user",
        account.id,
        actor=actor,
        region_code=account.region_code,
        token_id=row.id,
        token_prefix=row.prefix,
        name=row.name,
        reason=reason.strip(),
    )
    db.session.commit()
    return token


# What another system may do: report, register, send events. Approving, reviewing, hearing and
# deciding are a person's acts (《行政处罚法》第五十七、五十八条), administering is too.
INTEGRATION_ROLES = frozenset({Role.OFFICER, Role.CREDIT_OFFICER, Role.SUPERVISOR})


def create_integration_account(
    username: str, display_name: str, region_code: str, roles: Iterable[str], reason: str
) -> User:
    """An account for another system (`tijian create-integration-account`): no one knows its
    password (random, never shown), so it only acts through the tokens an admin issues."""
    roles = list(roles)
    refused = [Role(r).label for r in sorted(set(roles) & LANES - INTEGRATION_ROLES)]
    if refused:
        raise InvalidInput(f"集成账号不能担任须由本人履职的岗位：{'、'.join(refused)}")
    password = secrets.token_urlsafe(32)
    return create_user(
        username, password, display_name, region_code, roles, integration_reason=reason
    )


# the login_attempt name under which bad tokens are counted
API_TOKEN_LOGIN = "<api-token>"  # noqa: S105 - a label, not a secret


def authenticate_token(token: str, remote_addr: str) -> tuple[User, TokenUse]:
    """The user of a bearer token and the token use the audit records beside them; bad tokens
    are counted per address, apart from passwords, and slow that address's further bad tokens
    only. A good token is let in without counting: tokens are
    256 random bits, so the throttle has nothing to protect there, and an address that others
    flood with bad tokens keeps its own good ones working. A revoked or expired token is
    refused with its reason, uncounted (whoever holds it is no guesser)."""
    found = _live_token(token) if token else None
    if found is not None:
        return found
    _refuse_while_delayed(
        _delay(_failures(TOKEN, remote_addr), "TOKEN_FREE_FAILURES_PER_ADDRESS"),
        message="令牌验证失败次数过多，请 {seconds} 秒后再试。",
    )
    db.session.add(
        LoginAttempt(kind=TOKEN, username=API_TOKEN_LOGIN, remote_addr=remote_addr, succeeded=False)
    )
    db.session.commit()
    raise Unauthorized(N_("缺少或无效的接口令牌（Authorization: Bearer …）。"))


# "last used" is written at most this often per token (not one write per API request)
LAST_USED_STEP = timedelta(minutes=1)


def _live_token(token: str) -> tuple[User, TokenUse] | None:
    found = (
        db.session.execute(_TOKEN_AND_OWNER, {"token_hash": _token_hash(token)})
        .unique()
        .one_or_none()
    )
    if found is None:
        return None
    row, user, creator = found
    if not user.is_active or (user.is_demo and not current_app.config["TIJIAN_DEMO"]):
        return None
    if row.revoked_at is not None:
        raise Unauthorized(N_("该接口令牌已吊销。"))
    now = utcnow()
    if now >= row.expires_at:
        raise Unauthorized(N_("该接口令牌已过期，请创建新令牌。"))
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_STEP:
        row.last_used_at = now
        user.role_names  # noqa: B018 - read before the commit, which would expire the roles
        commit_keeping(row, user)
    return user, TokenUse(row.id, creator or CLI)


_creator = aliased(User)
_TOKEN_AND_OWNER = (
    select(ApiToken, User, _creator.username)
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(_creator, _creator.id == ApiToken.created_by_id)
    .options(joinedload(User.roles))
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


@dataclass(frozen=True)
class TokenRow:
    token: ApiToken
    owner: User
    creator: str  # a username, or "cli"

    @property
    def live(self) -> bool:
        return self.token.revoked_at is None and utcnow() < self.token.expires_at


def own_tokens(owner: User) -> list[TokenRow]:
    return _token_rows(ApiToken.user_id == owner.id)


def integration_tokens(actor: User) -> list[TokenRow]:
    """For an admin: the tokens of the integration accounts of their region (none for others)."""
    if Role.ADMIN.value not in actor.role_names:
        return []
    scope = scope_of(actor)
    condition: ColumnElement[bool] = User.is_integration.is_(True)
    if scope is not None:
        condition = condition & User.region_code.in_(scope)
    return _token_rows(condition)


def integration_accounts(actor: User) -> list[User]:
    if Role.ADMIN.value not in actor.role_names:
        return []
    query = select(User).where(User.is_integration.is_(True), User.is_active.is_(True))
    scope = scope_of(actor)
    if scope is not None:
        query = query.where(User.region_code.in_(scope))
    return list(db.session.execute(query.order_by(User.username)).scalars())


def _token_rows(condition: ColumnElement[bool]) -> list[TokenRow]:
    rows = db.session.execute(
        select(ApiToken, User, _creator.username)
        .join(User, User.id == ApiToken.user_id)
        .outerjoin(_creator, _creator.id == ApiToken.created_by_id)
        .where(condition)
        .order_by(ApiToken.id.desc())
    ).all()
    return [TokenRow(token, owner, made_by or CLI) for token, owner, made_by in rows]


def revoke_token(token_id: int, actor: User) -> None:
    """The owner revokes their token; an admin also those of the integration accounts of their
    region. Nobody else: a token is not someone else's to end."""
    query = select(ApiToken, User).join(User, User.id == ApiToken.user_id)
    found = db.session.execute(query.where(ApiToken.id == token_id)).one_or_none()
    if found is None:
        raise NotFound("令牌不存在。")
    token, owner = found
    if owner.id != actor.id and not (
        owner.is_integration
        and Role.ADMIN.value in actor.role_names
        and in_scope(actor, owner.region_code)
    ):
        raise Forbidden(N_("只能吊销本人的令牌。"))
    if token.revoked_at is not None:
        raise Conflict("该令牌已吊销。")
    token.revoked_at = utcnow()
    record(
        "revoke_token",
        "user",
        owner.id,
        actor=actor,
        region_code=owner.region_code if owner.is_integration else None,
        token_id=token.id,
        token_prefix=token.prefix,
    )
    db.session.commit()
