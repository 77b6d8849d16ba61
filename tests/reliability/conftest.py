"""The reliability suite runs the real stack on PostgreSQL: `tijian serve` processes on their own
loopback ports and `tijian worker` processes, all on one fresh database per test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask

from app import create_app
from app.extensions import db
from tests.conftest import PostgresTemplate, base_config


@pytest.fixture
def pg_url(postgres_template: PostgresTemplate) -> Iterator[str]:
    url = postgres_template.new_database()
    yield url
    postgres_template.drop(url)


@contextmanager
def in_app(url: str) -> Iterator[Flask]:
    """An app context on the database for setting up and checking; its connections are closed
    afterwards so the servers under test have the database to themselves."""
    app = create_app(base_config(url))
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
