"""Login throttling that cannot lock the rightful user out (issue 31, item 2): failures slow the
next attempt of the same account from the same address, by a delay the answer names; another
address is never slowed by them; bad API tokens are counted apart; the client's address comes
from X-Forwarded-For only through as many proxies as the settings trust."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from app.clock import travel_to
from app.extensions import db
from app.models import AuditEvent, LoginAttempt
from tests.conftest import base_config, csrf_token

T0 = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)
ATTACKER, RIGHTFUL, PROXY = "203.0.113.9", "198.51.100.4", "10.0.0.1"


def attempt(
    client: FlaskClient,
    username: str,
    password: str,
    address: str = "127.0.0.1",
    forwarded_for: str | None = None,
) -> tuple[int, str, str | None]:
    """One login through the form: status, page, Retry-After."""
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers={"X-Forwarded-For": forwarded_for} if forwarded_for else {},
    )
    return (
        response.status_code,
        response.get_data(as_text=True),
        response.headers.get("Retry-After"),
    )


def statuses(answers: list[tuple[int, str, str | None]]) -> list[int]:
    return [status for status, _, _ in answers]


def test_lockout_attack_wrong_passwords_from_one_address_never_block_another(
    app: Flask,
) -> None:
    attacker, rightful = app.test_client(), app.test_client()
    with travel_to(T0):
        tries = [attempt(attacker, "agency_head", "wrong", ATTACKER) for _ in range(8)]
        assert statuses(tries) == [422] * 5 + [429] * 3  # the attacker is slowed, not heard
        # the rightful user, elsewhere, logs in at once: no account lock
        assert attempt(rightful, "agency_head", "demo", RIGHTFUL)[0] == 302
        assert attempt(app.test_client(), "admin", "demo", RIGHTFUL)[0] == 302
    with app.app_context():
        refused = db.session.execute(
            select(AuditEvent.action).where(AuditEvent.action == "login_failed")
        ).scalars()
        assert len(list(refused)) == 5  # every failed login audited; the slowed ones never ran


def test_lockout_attack_from_the_same_address_is_a_delay_that_then_lets_the_right_password_in(
    app: Flask, client: FlaskClient
) -> None:
    with travel_to(T0):
        assert statuses([attempt(client, "officer", "wrong") for _ in range(5)]) == [422] * 5
        status, page, retry = attempt(client, "officer", "demo")  # even the right one waits
        assert status == 429 and "登录失败次数过多，请 30 秒后再试" in page and retry == "30"
    with travel_to(T0 + dt.timedelta(seconds=29)):
        status, page, retry = attempt(client, "officer", "demo")
        assert status == 429 and "请 1 秒后再试" in page and retry == "1"
    with travel_to(T0 + dt.timedelta(seconds=31)):
        assert attempt(client, "officer", "wrong")[0] == 422  # the sixth failure: 60 s
    with travel_to(T0 + dt.timedelta(seconds=31 + 59)):
        assert attempt(client, "officer", "demo")[:1] == (429,)
    with travel_to(T0 + dt.timedelta(seconds=31 + 60)):
        assert attempt(client, "officer", "demo")[0] == 302
    with travel_to(T0 + dt.timedelta(seconds=100)):
        # a successful login starts the count afresh
        assert attempt(app.test_client(), "officer", "wrong")[0] == 422
    with app.app_context():
        kinds = set(db.session.execute(select(LoginAttempt.kind)).scalars())
    assert kinds == {"password"}


def test_lockout_attack_delays_grow_to_the_ceiling_and_failures_expire(
    app: Flask, client: FlaskClient
) -> None:
    app.config.update(LOGIN_FREE_FAILURES=1, LOGIN_MAX_DELAY_SECONDS=100)
    moment = T0
    for expected in (30, 60, 100, 100):  # doubling, then held at the ceiling
        with travel_to(moment):
            assert attempt(client, "reviewer", "wrong")[0] == 422
            assert attempt(client, "reviewer", "demo")[2] == str(expected)
        moment += dt.timedelta(seconds=expected)
    with travel_to(moment + dt.timedelta(minutes=61)):  # outside the 60-minute window
        assert attempt(client, "reviewer", "wrong")[0] == 422  # the first failure again
        assert attempt(client, "reviewer", "demo")[2] == "30"


def test_lockout_attack_password_spraying_slows_only_the_spraying_address(
    app: Flask,
) -> None:
    app.config["LOGIN_FREE_FAILURES_PER_ADDRESS"] = 3
    sprayer = app.test_client()
    with travel_to(T0):
        tries = [attempt(sprayer, name, "wrong", ATTACKER) for name in ("a1", "a2", "a3", "a4")]
        assert statuses(tries) == [422, 422, 422, 429]
        assert attempt(sprayer, "officer", "demo", ATTACKER)[0] == 429  # this address waits
        assert attempt(app.test_client(), "officer", "demo", RIGHTFUL)[0] == 302


def test_junk_api_tokens_never_block_a_web_login(app: Flask, client: FlaskClient) -> None:
    with travel_to(T0):
        answers = [
            client.get("/api/v1/tasks", headers={"Authorization": f"Bearer tjn_junk{n}"})
            for n in range(100)
        ]
        assert [a.status_code for a in answers] == [401] * 30 + [429] * 70
        slowed = answers[-1].get_json() or {}
        assert "令牌验证失败次数过多，请 30 秒后再试" in slowed["message"]
        assert answers[-1].headers["Retry-After"] == "30"
        # the same address logs in on the web at once, and its wrong passwords count alone
        assert attempt(client, "officer", "wrong")[0] == 422
        assert attempt(client, "officer", "demo")[0] == 302
    with app.app_context():
        rows = db.session.execute(
            select(LoginAttempt.kind, func.count()).group_by(LoginAttempt.kind)
        )
        counted = {kind: number for kind, number in rows}
    assert counted == {"token": 30, "password": 2}


@pytest.fixture
def proxied_app(database_url: str) -> Iterator[Flask]:
    """The app behind one trusted reverse proxy (TIJIAN_TRUSTED_PROXY_HOPS=1)."""
    app = create_app({**base_config(database_url), "TRUSTED_PROXY_HOPS": 1})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_lockout_attack_behind_a_trusted_proxy_each_client_is_counted_apart(
    proxied_app: Flask,
) -> None:
    proxied_app.config["LOGIN_FREE_FAILURES_PER_ADDRESS"] = 3
    attacker, rightful = proxied_app.test_client(), proxied_app.test_client()
    with travel_to(T0):
        # every request comes from the proxy's address; the attacker writes a header of his own
        # in front of the one the proxy appends, and only the proxy's is believed
        tries = [
            attempt(attacker, f"guess{n}", "wrong", PROXY, f"192.0.2.{n}, {ATTACKER}")
            for n in range(4)
        ]
        assert statuses(tries) == [422, 422, 422, 429]
        assert attempt(rightful, "officer", "demo", PROXY, RIGHTFUL)[0] == 302
    with proxied_app.app_context():
        addresses = set(db.session.execute(select(LoginAttempt.remote_addr)).scalars())
        audited = set(
            db.session.execute(
                select(AuditEvent.remote_addr).where(
                    AuditEvent.action.in_(["login", "login_failed"])
                )
            ).scalars()
        )
    assert addresses == audited == {ATTACKER, RIGHTFUL}


def test_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(
    app: Flask, client: FlaskClient
) -> None:
    assert app.config["TRUSTED_PROXY_HOPS"] == 0  # the default: no proxy trusted
    with travel_to(T0):
        # a fresh made-up address on every guess does not reset the count
        tries = [
            attempt(client, "officer", "wrong", forwarded_for=f"192.0.2.{n}") for n in range(7)
        ]
        assert statuses(tries) == [422] * 5 + [429] * 2
    with app.app_context():
        addresses = set(db.session.execute(select(LoginAttempt.remote_addr)).scalars())
    assert addresses == {"127.0.0.1"}
