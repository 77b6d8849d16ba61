"""Database set-up: SQLite pragmas and Alembic migrations run from the app's own URL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from app.config import PROJECT_ROOT
from app.extensions import db

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


# A pooled connection idle longer than this is checked before use.
IDLE_CHECK_SECONDS = 1.0


def configure(app: Flask) -> None:
    uri: str = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        with app.app_context():
            event.listen(db.engine, "connect", _sqlite_pragmas)
    elif uri.startswith("postgresql"):
        with app.app_context():
            event.listen(db.engine, "checkin", _note_checkin)
            event.listen(db.engine, "checkout", _check_if_idle)


# A server connection can die while it sits in the pool (database restart, failover, a firewall
# dropping idle sockets). pool_pre_ping would check it on every checkout: a round trip on every
# request. A connection handed back a moment ago is alive; one that sat idle is checked. On a
# restart under load the requests in flight fail anyway, and the first disconnect SQLAlchemy
# sees invalidates the whole pool.
def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in"] = time.monotonic()


def _check_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    checked_in = record.info.get("checked_in")  # none yet: a connection just made
    if checked_in is None or time.monotonic() - checked_in < IDLE_CHECK_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()  # hand it over as the pool keeps it: outside a transaction
    except Exception as exc:  # the pool then connects afresh (and retries the checkout)
        raise DisconnectionError from exc


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """A block of use cases kept whole or not at all, though each commits as it goes: for the
    block, `db.session` works on one connection whose outer transaction commits only when the
    block ends without error, and the use cases' commits and rollbacks become savepoints."""
    connection = db.engine.connect()
    sqlite = connection.dialect.name == "sqlite"
    driver = connection.connection.driver_connection
    if sqlite:
        # pysqlite begins its transaction only before a write, so the first SAVEPOINT would be
        # the outermost one and its RELEASE a commit: begin it here, for this connection only.
        previous_level = driver.isolation_level  # type: ignore[union-attr]
        driver.isolation_level = None  # type: ignore[union-attr]
    outer = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    shared = db.session
    # a plain Session: Flask-SQLAlchemy's own picks the engine, not the bound connection
    on_connection = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", class_=Session
    )
    db.session = scoped_session(on_connection)  # type: ignore[arg-type]
    try:
        yield
        db.session.commit()
        outer.commit()
    except BaseException:
        db.session.rollback()
        outer.rollback()
        raise
    finally:
        db.session.remove()
        db.session = shared
        if sqlite:
            driver.isolation_level = previous_level  # type: ignore[union-attr]
        connection.close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed while a request writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(revision: str = "head") -> None:
    command.upgrade(alembic_config(db.engine), revision)


def downgrade(revision: str) -> None:
    command.downgrade(alembic_config(db.engine), revision)
