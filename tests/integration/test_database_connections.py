"""Pooled PostgreSQL connections the server dropped while they sat idle (a restart, a failover,
a firewall) are replaced before a request uses them, without a check on every request."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import database
from app.extensions import db
from tests.conftest import PostgresTemplate


def _backend() -> int:
    """The server process of the session's connection."""
    pid = int(db.session.execute(text("SELECT pg_backend_pid()")).scalar_one())
    db.session.commit()  # back to the pool
    return pid


def test_an_idle_connection_the_server_dropped_is_replaced(
    postgres_app: Flask, postgres_template: PostgresTemplate
) -> None:
    with postgres_app.app_context():
        dropped = _backend()
        postgres_template._execute(f"SELECT pg_terminate_backend({dropped}, 5000)")
        time.sleep(database.IDLE_CHECK_SECONDS + 0.2)
        assert _backend() != dropped  # no error: the pool noticed and connected afresh


def test_a_connection_in_use_is_not_checked_again(
    postgres_app: Flask, postgres_template: PostgresTemplate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check is for idle connections only: a busy one costs no round trip per request (a
    dropped busy one fails the request that finds it, as in-flight requests of a restart do)."""
    monkeypatch.setattr(database, "IDLE_CHECK_SECONDS", 60.0)
    with postgres_app.app_context():
        dropped = _backend()
        postgres_template._execute(f"SELECT pg_terminate_backend({dropped}, 5000)")
        with pytest.raises(OperationalError):
            _backend()
        db.session.rollback()
        assert _backend() != dropped  # the disconnect invalidated the pool
