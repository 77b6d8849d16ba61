"""Shared fixtures: an app on a pristine, migrated and demo-seeded database per test.

Integration tests run once on SQLite and once on PostgreSQL (TIJIAN_TEST_DATABASE_URL names a
database whose role may CREATE DATABASE). Each backend builds one template database per session
(migrations + demo seed); every test gets a fresh copy of it, so tests never see each other's
writes and the audit table's append-only triggers stay active. Under pytest-xdist the first worker
that needs a template builds it for the whole run (tests/workers.py) and every worker makes its
own copies; the controller merges what the workers counted and writes the reports.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app import create_app, database
from app.demo.seed import seed_demo
from app.extensions import db
from tests import figures, workers
from tests.unit import element_coverage

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


def _once(
    shared: Path | None, name: str, exists: Callable[[], bool], build: Callable[[], None]
) -> None:
    """Build now, or, with a folder shared by the run's workers, only if no worker did yet (a
    marker written after a complete build; a build that failed half-way is made again)."""
    if shared is None:
        build()
        return
    with workers.exclusive(shared / f"{name}.lock"):
        marker = shared / f"{name}.built"
        if not (marker.exists() and exists()):
            build()
            marker.touch()


def _template_kind(gallery: bool) -> str:
    return "gallery" if gallery else "template"


class SqliteTemplate:
    """`directory`: this process's copies; `shared`: the run's folder for a template that all
    workers copy (None: the template lives in `directory`)."""

    def __init__(self, directory: Path, gallery: bool = False, shared: Path | None = None):
        self.directory = directory
        kind = _template_kind(gallery)
        self.template = (shared or directory) / f"{kind}.db"
        _once(shared, f"sqlite-{kind}", self.template.exists, lambda: self._build(gallery))

    def _build(self, gallery: bool) -> None:
        self.drop(f"sqlite:///{self.template}")
        _build_template(f"sqlite:///{self.template}", gallery)
        engine = create_engine(f"sqlite:///{self.template}")
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()

    def new_database(self) -> str:
        target = self.directory / f"test-{next(_counter)}.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)


def postgres_template_name(gallery: bool, run: str) -> str:
    return f"tijian_{_template_kind(gallery)}_{run}"


def _retrying(attempt: Callable[[], None]) -> None:
    """An autovacuum worker (a superuser backend) may sit in a database for a moment: it keeps
    CREATE DATABASE from copying it, and DROP DATABASE … WITH (FORCE) cannot end it for us."""
    for attempt_number in range(40):
        try:
            attempt()
            return
        except DBAPIError:
            if attempt_number == 39:
                raise
            time.sleep(0.25)


def _drop_database(admin: Engine, name: str) -> None:
    def attempt() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    _retrying(attempt)


class PostgresTemplate:
    """`run`: the run's id, in the template's name; `shared`: the run's folder when its workers
    share the template (the controller drops it at the end), None: this process's own."""

    def __init__(
        self,
        admin_url: str,
        gallery: bool = False,
        run: str | None = None,
        shared: Path | None = None,
    ):
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.url = make_url(admin_url)
        self.owned = shared is None
        self.template = postgres_template_name(gallery, run or str(os.getpid()))
        _once(
            shared,
            f"postgres-{_template_kind(gallery)}",
            lambda: self._exists(self.template),
            lambda: self._build(gallery),
        )

    def _build(self, gallery: bool) -> None:
        self._drop(self.template)
        self._execute(f'CREATE DATABASE "{self.template}"')
        _build_template(self._url_for(self.template), gallery)

    def _url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _execute(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(statement))

    def _exists(self, name: str) -> bool:
        with self.admin.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            return found.first() is not None

    def _drop(self, name: str) -> None:
        _drop_database(self.admin, name)

    def new_database(self) -> str:
        name = f"tijian_test_{os.getpid()}_{next(_counter)}"
        _retrying(lambda: self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        return self._url_for(name)

    def drop(self, url: str) -> None:
        self._drop(str(make_url(url).database))

    def close(self) -> None:
        if self.owned:
            self._drop(self.template)
        self.admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> SqliteTemplate:
    shared = workers.shared_folder(pytestconfig, tmp_path_factory)
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite"), shared=shared)


@pytest.fixture(scope="session")
def sqlite_gallery_template(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> SqliteTemplate:
    """The demo gallery on top of the base (30 cases at every stage): built once, when asked."""
    shared = workers.shared_folder(pytestconfig, tmp_path_factory)
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-gallery"), gallery=True, shared=shared)


def _postgres_admin_url() -> str:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        message = f"{POSTGRES_URL_VARIABLE} is not set: PostgreSQL tests cannot run"
        if REQUIRE_ALL:
            pytest.fail(message)
        pytest.skip(message)
    return url


def _postgres_template(
    config: pytest.Config, factory: pytest.TempPathFactory, gallery: bool
) -> Iterator[PostgresTemplate]:
    template = PostgresTemplate(
        _postgres_admin_url(),
        gallery=gallery,
        run=workers.run_id(config),
        shared=workers.shared_folder(config, factory),
    )
    yield template
    template.close()


@pytest.fixture(scope="session")
def postgres_template(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PostgresTemplate]:
    yield from _postgres_template(pytestconfig, tmp_path_factory, gallery=False)


@pytest.fixture(scope="session")
def postgres_gallery_template(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PostgresTemplate]:
    yield from _postgres_template(pytestconfig, tmp_path_factory, gallery=True)


# Under pytest-xdist the longest tests start first, so that a run does not end with one worker
# still in a minute-long test while the others wait. Only a hint for the scheduler: a test
# missing here runs in its usual place, and every worker sorts its collection the same way.
LONG_FIRST = (
    "tests/reliability/",
    "tests/browser/test_case_paths.py",
    "tests/integration/test_cli.py::test_bench",
    "tests/integration/test_demo_gallery.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if workers.role(config) == "worker":
        items.sort(key=lambda item: not item.nodeid.startswith(LONG_FIRST))


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


# The run's end. Alone, this process has every count. Under pytest-xdist each worker hands its
# counts to the controller (xdist's workeroutput), which merges them as the workers go down and
# writes the reports after the last one, then drops the templates the workers shared.
FIGURES_KEY, COVERAGE_KEY = "reliability_figures", "element_coverage"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    node.workerinput[workers.RUN_KEY] = str(os.getpid())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    output = getattr(node, "workeroutput", None) or {}
    figures.FIGURES.update(output.get(FIGURES_KEY, {}))
    element_coverage.COVERED.update((p, e) for p, e in output.get(COVERAGE_KEY, []))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    role = workers.role(session.config)
    if role == "worker":
        output = workers.worker_output(session.config)
        output[FIGURES_KEY] = dict(figures.FIGURES)
        output[COVERAGE_KEY] = sorted(element_coverage.COVERED)
        return
    if role == "controller":
        _drop_shared_postgres_templates(workers.run_id(session.config))
    # `tijian check-workflows --coverage` asks for the executed BPMN elements of this run.
    element_coverage.write(element_coverage.COVERED)
    # A full passing run regenerates docs/reliability.md from what the tests counted.
    if exitstatus == 0 and figures.complete():
        figures.write_report()


def _drop_shared_postgres_templates(run: str) -> None:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        for gallery in (False, True):
            _drop_database(admin, postgres_template_name(gallery, run))
    finally:
        admin.dispose()
