"""Browser tests: pytest-playwright driving Debian's Chromium against a live server thread."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page
from werkzeug.serving import make_server

from app import create_app
from app.clock import travel_to
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


class ClockedApp:
    """The served app on a day the test chooses (None: the real clock), so that a case's later
    steps can happen on later days, as the statutory periods require."""

    def __init__(self, wsgi: Any) -> None:
        self.wsgi = wsgi
        self.moment: datetime | None = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        if self.moment is None:
            return self.wsgi(environ, start_response)
        with travel_to(self.moment):  # the whole body while the clock is set, then closed
            body = self.wsgi(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                if hasattr(body, "close"):
                    body.close()


@dataclass(frozen=True)
class Live:
    url: str
    app: Flask  # the served app, for arranging data in its database
    clock: ClockedApp


def _serve(template: SqliteTemplate) -> Iterator[Live]:
    url = template.new_database()
    app = create_app(base_config(url))
    clock = ClockedApp(app.wsgi_app)
    app.wsgi_app = clock  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Live(f"http://127.0.0.1:{server.server_port}", app, clock)
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
