"""Accounts, their roles, API tokens and login attempts (for throttling)."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    locale: Mapped[str] = mapped_column(String(10), default="zh_Hans")
    email: Mapped[str | None] = mapped_column(String(200))  # for reminders when SMTP is set up
    # 行政执法证号: only an officer holding one may investigate a case or be drawn to inspect
    # (《行政处罚法》第四十二条); set where accounts are administered (`tijian set-certificate`)
    cert_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Demo accounts (password "demo") can only log in while the app runs in demo mode.
    is_demo: Mapped[bool] = mapped_column(default=False)
    # An integration account (另一个系统的接入账号, `tijian create-integration-account`): no
    # person logs in with it; an admin may issue its API tokens (auth.issue_token).
    is_integration: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    roles: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    # Kept for the object's life (one request): roles are only set when an account is created,
    # and reading them after a commit would otherwise reload the account and its roles.
    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(r.role for r in self.roles)

    # flask-login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class ApiToken(Base):
    """Only the SHA-256 of a token is stored; the token itself is shown once. Its owner created
    it, or an admin for an integration account (`created_by_id`; None: on the command line)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class UserSession(Base):
    """A browser's login. The signed session cookie carries a random token; only its SHA-256 is
    kept here, and logging out ends the row — so a copied cookie is worthless afterwards."""

    __tablename__ = "user_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class LoginAttempt(Base):
    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "attempted_at"),
        Index("ix_login_attempt_remote_addr_kind_at", "remote_addr", "kind", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "password" (the login form) or "token" (a bearer token of the API): counted apart, so
    # junk tokens never slow a web login
    kind: Mapped[str] = mapped_column(String(8), default="password", server_default="password")
    username: Mapped[str] = mapped_column(String(64))
    remote_addr: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool]


class SavedFilter(Base):
    """A user's named case search (the query string of its fields)."""

    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    query: Mapped[str] = mapped_column(String(1000))
