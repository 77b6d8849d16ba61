"""Session and header hardening (issue 31, item 8): a session ends after 30 idle minutes and 12
hours after login whatever the activity, on the server and by the app's clock; HSTS with secure
cookies, a Permissions-Policy, a style policy without 'unsafe-inline' (except the modeler) and
no Server header from gunicorn."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import http.client
import re
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app import create_app
from app.bench.http import serving
from app.clock import travel_to
from app.extensions import db
from app.web.security import SESSION_STARTED
from tests.conftest import SqliteTemplate, base_config, login
from tests.integration.cases import warning_case

T0 = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)


def at(minutes: float) -> AbstractContextManager[None]:
    return travel_to(T0 + dt.timedelta(minutes=minutes))


def logged_in(app: Flask, username: str = "officer") -> FlaskClient:
    client = app.test_client()
    with at(0):
        login(client, username)
    return client


def is_in(client: FlaskClient) -> bool:
    response = client.get("/tasks/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_stolen_session_attack_an_idle_session_ends_after_30_minutes(app: Flask) -> None:
    client = logged_in(app)
    name = app.config["SESSION_COOKIE_NAME"]
    copied = client.get_cookie(name)
    assert copied is not None
    with at(30):
        assert is_in(client)  # exactly 30 idle minutes: still in
    with at(59):
        assert is_in(client)  # 29 minutes after the last request
    with at(89.5):
        response = client.get("/tasks/")  # 30.5 idle minutes
        assert response.status_code == 302 and response.location.startswith("/login")
        page = client.get("/login").get_data(as_text=True)
        assert "登录已超时，请重新登录" in page
        assert "登录已超时" not in client.get("/login").get_data(as_text=True)  # said once
    thief = app.test_client()
    thief.set_cookie(name, copied.value)
    with at(60):  # the copy, used within its own idle time: the session ended on the server
        assert not is_in(thief)


def test_stolen_session_attack_a_busy_session_ends_12_hours_after_login(app: Flask) -> None:
    client = logged_in(app)
    for minutes in range(20, 12 * 60 + 1, 20):  # a request every 20 minutes all day
        with at(minutes):
            assert is_in(client), minutes
    with at(12 * 60 + 1):
        assert not is_in(client)


def test_session_timeouts_are_settings(app: Flask) -> None:
    app.config.update(SESSION_IDLE_MINUTES=5, SESSION_LIFETIME_HOURS=1)
    client = logged_in(app)
    with at(4):
        assert is_in(client)
    with at(9.5):
        assert not is_in(client)
    busy = logged_in(app, "reviewer")
    for minutes in (4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60):
        with at(minutes):
            assert is_in(busy)
    with at(61):
        assert not is_in(busy)


def test_an_expired_htmx_request_is_sent_to_the_login_page(app: Flask) -> None:
    client = logged_in(app)
    with at(31):
        response = client.get("/tasks/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_a_session_cookie_without_its_moments_is_not_accepted(app: Flask) -> None:
    client = logged_in(app)
    with client.session_transaction() as session:
        del session[SESSION_STARTED]  # as a cookie signed before the timeouts existed
    with at(1):
        assert not is_in(client)


def test_a_clock_set_back_does_not_end_a_session(app: Flask) -> None:
    client = logged_in(app)
    with at(-60 * 24):  # a test replaying an earlier day, or a host's clock a little behind
        assert is_in(client)


class SignedLongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 12 * 3600 - 60


def test_stolen_session_attack_a_cookie_signed_over_12_hours_ago_is_not_read(app: Flask) -> None:
    client = app.test_client()
    login(client, "officer")  # on the real clock: the session's own moments are fresh
    with client.session_transaction() as session:
        contents = dict(session)
    interface = app.session_interface
    assert isinstance(interface, SecureCookieSessionInterface)

    def signed(signer: type[TimestampSigner]) -> str:
        return URLSafeTimedSerializer(
            str(app.secret_key),
            salt=interface.salt,
            serializer=interface.serializer,
            signer=signer,
            signer_kwargs={
                "key_derivation": interface.key_derivation,
                "digest_method": interface.digest_method,
            },
        ).dumps(contents)

    name = app.config["SESSION_COOKIE_NAME"]
    client.set_cookie(name, signed(TimestampSigner))
    assert is_in(client)  # the same contents signed now are read
    client.set_cookie(name, signed(SignedLongAgo))
    assert not is_in(client)


@pytest.fixture
def secure_app(database_url: str) -> Iterator[Flask]:
    app = create_app({**base_config(database_url), "SESSION_COOKIE_SECURE": True})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_hsts_is_sent_with_secure_cookies_only(app: Flask, secure_app: Flask) -> None:
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers
    secure = secure_app.test_client().get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_permissions_policy_refuses_every_device_feature(client: FlaskClient) -> None:
    login(client, "officer")
    for path in ("/login", "/tasks/", "/cases/", "/static/css/app.css"):
        with client.get(path) as response:
            policy = response.headers["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy, (path, feature)


def test_style_injection_attack_pages_allow_no_inline_style(app: Flask) -> None:
    officer, client = app.test_client(), app.test_client()
    login(officer, "officer")
    login(client, "admin")
    pages = [(officer, path) for path in ("/login", "/tasks/", "/cases/", "/cases/new")]
    pages += [(client, path) for path in ("/designer/", "/supervision/audit")]
    for user_client, path in pages:
        response = user_client.get(path)
        assert response.status_code == 200, path
        policy = response.headers["Content-Security-Policy"]
        assert "style-src 'self';" in policy and "unsafe-inline" not in policy, path
        page = response.get_data(as_text=True)
        assert "<style" not in page and " style=" not in page, path
    # the modeler alone: the vendored bpmn-js writes SVG icons with style attributes
    modeler = client.get("/designer/new-model")
    assert "style-src 'self' 'unsafe-inline';" in modeler.headers["Content-Security-Policy"]
    assert "script-src 'self';" in modeler.headers["Content-Security-Policy"]


def test_style_injection_attack_a_document_preview_allows_its_own_stylesheet_only(
    app: Flask,
) -> None:
    with app.app_context():
        case_id = warning_case()
    client = app.test_client()
    login(client, "officer")
    response = client.get(f"/cases/{case_id}/documents/WARNING_NOTICE/preview")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    (css,) = re.findall(r"<style>(.*?)</style>", page, re.S)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    policy = response.headers["Content-Security-Policy"]
    assert f"style-src 'self' 'sha256-{digest}';" in policy
    assert "unsafe-inline" not in policy


def test_gunicorn_sends_no_server_header(sqlite_template: SqliteTemplate) -> None:
    url = sqlite_template.new_database()
    try:
        with serving(url, workers=1, threads=1) as server:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            for path in ("/login", "/no-such-page", "/static/css/app.css"):
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                assert response.getheader("Server") is None, path
                assert response.getheader("Date") is not None  # gunicorn's other headers stay
            connection.close()
    finally:
        sqlite_template.drop(url)
