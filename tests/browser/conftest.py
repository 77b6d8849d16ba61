"""Browser tests: pytest-playwright driving Debian's Chromium against a live server thread."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.conftest import SqliteTemplate, base_config

EXPECTED_422 = "the server responded with a status of 422"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path or not os.path.exists(path):
        # A missing browser is a failure, never a skip: scripts/test installs it.
        pytest.fail("Chromium not found: install Debian's chromium package (scripts/test does)")
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": chromium_path(), "args": CHROMIUM_ARGS}


@dataclass(frozen=True)
class Live:
    url: str
    app: Flask  # the served app, for arranging data in its database


def _serve(template: SqliteTemplate) -> Iterator[Live]:
    url = template.new_database()
    app = create_app(base_config(url))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Live(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    with app.app_context():
        db.engine.dispose()
    template.drop(url)


@pytest.fixture
def live(sqlite_template: SqliteTemplate) -> Iterator[Live]:
    yield from _serve(sqlite_template)


@pytest.fixture
def live_gallery(sqlite_gallery_template: SqliteTemplate) -> Iterator[Live]:
    """The live server on a copy of the demo gallery (30 cases at every stage)."""
    yield from _serve(sqlite_gallery_template)


@pytest.fixture
def live_server(live: Live) -> str:
    return live.url


@pytest.fixture
def console_errors(page: Page) -> Iterator[list[str]]:
    """JavaScript errors on the page; each browser test asserts this stays empty."""
    errors: list[str] = []

    def on_console(message: Any) -> None:
        # Chromium logs every 4xx as a console error; a 422 is the app's answer to an invalid
        # form, which the tests provoke on purpose. Anything else counts.
        if message.type == "error" and EXPECTED_422 not in message.text:
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield errors
