"""Notification mail through a real SMTP conversation with a small server on loopback."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator

import pytest
from flask import Flask

from app.enforcement.worker import run_once
from app.extensions import db
from app.platform.auth import create_user
from tests.integration.cases import CHINA, self_check_due_day, warning_case


class _Sink(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to accept messages and keep them."""

    received: list[bytes] = []

    def handle(self) -> None:
        self.wfile.write(b"220 sink ready\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                body = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body += chunk
                self.received.append(body)
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            elif verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 sink\r\n")
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_sink() -> Iterator[tuple[int, list[bytes]]]:
    _Sink.received = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Sink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Sink.received
    server.shutdown()
    server.server_close()


def test_reminders_are_mailed_to_the_officers_of_the_region(
    app: Flask, smtp_sink: tuple[int, list[bytes]]
) -> None:
    port, received = smtp_sink
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_FROM="tijian@example.org")
    with app.app_context():
        create_user(
            "wang", "long enough pw", "王五", "150100", ["officer"], email="wang@example.org"
        )
        create_user("bt", "long enough pw", "包头", "150200", ["officer"], email="bt@example.org")
        warning_case()  # a case of 呼和浩特 (新城区)
        last_day = dt.datetime.combine(self_check_due_day(), dt.time(9), CHINA)
        assert run_once("w", last_day) == {"reminded": 1}
        db.session.remove()
    assert len(received) == 1
    message = email.message_from_bytes(received[0], policy=email.policy.default)
    assert message["To"] == "wang@example.org"  # not the 包头 officer
    assert message["Subject"] == "【体检】到期提醒"
    assert "将于" in message.get_content()


def test_a_mail_server_that_is_down_changes_nothing(app: Flask) -> None:
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9)  # discard port: connection refused
    with app.app_context():
        create_user(
            "wang", "long enough pw", "王五", "150100", ["officer"], email="wang@example.org"
        )
        warning_case()
        last_day = dt.datetime.combine(self_check_due_day(), dt.time(9), CHINA)
        assert run_once("w", last_day) == {"reminded": 1}  # the notification stands
        assert run_once("w", last_day) == {}  # and is not sent again
