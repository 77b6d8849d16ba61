"""Shared fixtures: an app on a pristine, migrated and demo-seeded database per test.

Integration tests run once on SQLite and once on PostgreSQL (TIJIAN_TEST_DATABASE_URL names a
database whose role may CREATE DATABASE). Each backend builds one template database per session
(migrations + demo seed); every test gets a fresh copy of it, so tests never see each other's
writes and the audit table's append-only triggers stay active.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app import create_app, database
from app.demo.seed import seed_demo
from app.extensions import db

POSTGRES_URL_VARIABLE = "TIJIAN_TEST_DATABASE_URL"
# scripts/test and CI set this: there a missing PostgreSQL is a failure, never a skip.
REQUIRE_ALL = os.environ.get("TIJIAN_REQUIRE_ALL_BACKENDS") == "1" or os.environ.get("CI") == "true"
_counter = itertools.count()


def base_config(url: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key",
        "TIJIAN_DEMO": True,
    }


def _build_template(url: str, gallery: bool) -> None:
    app = create_app(base_config(url))
    with app.app_context():
        database.upgrade()
        seed_demo(gallery=gallery)
        db.engine.dispose()


class SqliteTemplate:
    def __init__(self, directory: Path, gallery: bool = False):
        self.directory = directory
        self.template = directory / "template.db"
        _build_template(f"sqlite:///{self.template}", gallery)
        with create_engine(f"sqlite:///{self.template}").connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def new_database(self) -> str:
        target = self.directory / f"test-{next(_counter)}.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)


class PostgresTemplate:
    def __init__(self, admin_url: str, gallery: bool = False):
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.url = make_url(admin_url)
        self.template = f"tijian_{'gallery' if gallery else 'template'}_{os.getpid()}"
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._execute(f'CREATE DATABASE "{self.template}"')
        _build_template(self._url_for(self.template), gallery)

    def _url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _execute(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(statement))

    def new_database(self) -> str:
        name = f"tijian_test_{os.getpid()}_{next(_counter)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._url_for(name)

    def drop(self, url: str) -> None:
        # An autovacuum worker (a superuser backend) may still sit in the database for a moment;
        # FORCE cannot end it for us, so try again briefly.
        for attempt in range(20):
            try:
                self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
                return
            except DBAPIError:
                if attempt == 19:
                    raise
                time.sleep(0.25)

    def close(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def sqlite_gallery_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    """The demo gallery on top of the base (30 cases at every stage): built once, when asked."""
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-gallery"), gallery=True)


def _postgres_admin_url() -> str:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        message = f"{POSTGRES_URL_VARIABLE} is not set: PostgreSQL tests cannot run"
        if REQUIRE_ALL:
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[PostgresTemplate]:
    template = PostgresTemplate(_postgres_admin_url())
    yield template
    template.close()


@pytest.fixture(scope="session")
def postgres_gallery_template() -> Iterator[PostgresTemplate]:
    template = PostgresTemplate(_postgres_admin_url(), gallery=True)
    yield template
    template.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", ["sqlite", "postgresql"])


FIXTURE_PREFIX = {"sqlite": "sqlite", "postgresql": "postgres"}


def _fresh_database(template_fixture: str, request: pytest.FixtureRequest) -> Iterator[str]:
    template = request.getfixturevalue(template_fixture)
    url = template.new_database()
    yield url
    template.drop(url)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    yield from _fresh_database(f"{FIXTURE_PREFIX[backend]}_template", request)


@pytest.fixture
def gallery_database_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    yield from _fresh_database(f"{FIXTURE_PREFIX[backend]}_gallery_template", request)


def _app_on(url: str) -> Iterator[Flask]:
    app = create_app(base_config(url))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    yield from _app_on(database_url)


@pytest.fixture
def gallery_app(gallery_database_url: str) -> Iterator[Flask]:
    """An app on a fresh copy of the demo gallery."""
    yield from _app_on(gallery_database_url)


@pytest.fixture
def postgres_app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app on a fresh PostgreSQL database, for what only PostgreSQL has."""
    for url in _fresh_database("postgres_template", request):
        yield from _app_on(url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path)
    match = CSRF_PATTERN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = "demo") -> str:
    """Logs in through the real form; returns the session's CSRF token."""
    token = csrf_token(client)
    response = client.post(
        "/login", data={"csrf_token": token, "username": username, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf_token(client, "/cases/")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A full passing run regenerates docs/reliability.md from what the tests counted."""
    from tests import figures

    if exitstatus == 0 and figures.complete():
        figures.write_report()
