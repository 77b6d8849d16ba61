"""Login, logout, CSRF, throttling and password storage."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from app.demo.seed import DEMO_ACCOUNTS
from app.extensions import db
from app.models import AuditEvent, LoginAttempt, User
from app.platform.auth import create_token, create_user
from tests.conftest import base_config, csrf_token, login


def post_login(client: FlaskClient, username: str, password: str) -> tuple[int, str]:
    token = csrf_token(client)
    response = client.post(
        "/login", data={"csrf_token": token, "username": username, "password": password}
    )
    return response.status_code, response.get_data(as_text=True)


def test_login_sets_a_hardened_session_cookie(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = client.post(
        "/login", data={"csrf_token": token, "username": "officer", "password": "demo"}
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_demo_login_page_names_every_demo_account(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert "_bt、_es、_cf" in page  # the regional teams' accounts: officer_bt, unit_head_es, …
    for username, *_ in DEMO_ACCOUNTS:
        named = username.removesuffix("_bt").removesuffix("_es").removesuffix("_cf")
        assert f"{named}、" in page or f"{named}，" in page, username


def test_wrong_password_is_refused_in_chinese(client: FlaskClient) -> None:
    status, body = post_login(client, "officer", "wrong")
    assert status == 422 and "用户名或密码不正确" in body
    status, body = post_login(client, "nobody", "demo")
    assert status == 422 and "用户名或密码不正确" in body


def test_login_without_csrf_token_is_refused(client: FlaskClient) -> None:
    response = client.post("/login", data={"username": "officer", "password": "demo"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/tasks/").status_code == 302  # still anonymous


def test_bad_api_tokens_are_throttled_per_address_but_good_ones_still_work(
    app: Flask, client: FlaskClient
) -> None:
    app.config["TOKEN_FREE_FAILURES_PER_ADDRESS"] = 3
    with app.app_context():
        good = {"Authorization": f"Bearer {create_token('officer', 'throttle check')}"}
    bad = {"Authorization": "Bearer tjn_guess"}
    assert [client.get("/api/v1/tasks", headers=bad).status_code for _ in range(4)] == [
        401,
        401,
        401,
        429,
    ]
    refused = client.get("/api/v1/tasks", headers=bad)
    assert refused.status_code == 429 and "令牌验证失败次数过多" in (refused.json or {})["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 30
    # a good token is 256 random bits: guessing is what the throttle stops, not its owner
    assert client.get("/api/v1/tasks", headers=good).status_code == 200
    other = client.get("/api/v1/tasks", headers=bad, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 401  # the count is per address
    with app.app_context():
        counted = db.session.execute(
            select(func.count()).where(LoginAttempt.succeeded.is_(False))
        ).scalar_one()
        assert counted == 4  # three refused at 127.0.0.1, one at 10.9.9.9; throttled ones not


def test_passwords_are_stored_as_scrypt_hashes(app: Flask) -> None:
    with app.app_context():
        hashes = db.session.execute(select(User.password_hash)).scalars().all()
    assert hashes and all(h.startswith("scrypt:") and "demo" not in h for h in hashes)


def test_demo_accounts_cannot_log_in_outside_demo_mode(database_url: str) -> None:
    production = create_app({**base_config(database_url), "TIJIAN_DEMO": False})
    client = production.test_client()
    status, body = post_login(client, "officer", "demo")
    assert status == 422 and "用户名或密码不正确" in body
    with production.app_context():
        db.engine.dispose()


def test_logout_needs_post_with_csrf_and_is_audited(app: Flask, client: FlaskClient) -> None:
    token = login(client, "officer")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/tasks/").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/tasks/").status_code == 302
    with app.app_context():
        actions = (
            db.session.execute(select(AuditEvent.action).where(AuditEvent.actor_name == "officer"))
            .scalars()
            .all()
        )
    assert actions[-2:] == ["login", "logout"]


def test_logout_ends_the_session_even_for_a_copied_cookie(app: Flask, client: FlaskClient) -> None:
    token = login(client, "officer")
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(name, cookie.value)
    assert thief.get("/tasks/").status_code == 200  # the copy works while the session lives
    client.post("/logout", data={"csrf_token": token})
    assert thief.get("/tasks/").status_code == 302  # and not after the logout
    assert thief.get("/tasks/").location.startswith("/login")


def test_open_redirect_through_next_is_refused(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = client.post(
        "/login?next=//evil.example/x",
        data={"csrf_token": token, "username": "officer", "password": "demo"},
    )
    assert response.status_code == 302 and response.location == "/"


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "<script>" not in response.get_data(as_text=True)  # no inline script anywhere


def test_passwords_and_tokens_never_reach_the_logs_or_the_audit_trail(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "correct horse battery staple"
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        create_user("kept_secret", secret, "保密测试", "150100", ["officer"])
        api_token = create_token("kept_secret", "log check")
    token = csrf_token(client)
    client.post(
        "/login", data={"csrf_token": token, "username": "kept_secret", "password": "x" + secret}
    )
    login(client, "kept_secret", secret)
    client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {api_token}"})
    client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {api_token}x"})  # refused
    with app.app_context():
        trail = " ".join(
            str(detail) for detail in db.session.execute(select(AuditEvent.detail)).scalars()
        )
        stored = " ".join(
            str(row) for row in db.session.execute(select(User.password_hash)).scalars()
        )
    for text in (caplog.text, trail, stored):
        assert secret not in text and api_token not in text
