"""Backup and restore: `tijian backup` while the app runs, restored into a fresh database that
`tijian verify` finds whole (SQLite: the copy is the database; PostgreSQL: pg_restore)."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.cli import main
from app.enforcement import consistency
from app.extensions import db
from app.models import AuditEvent, Case, HumanTask
from tests.conftest import base_config


def counts() -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        db.session.execute(select(func.count(model.id))).scalar_one()
        for model in (Case, HumanTask, AuditEvent)
    )


def test_a_backup_restores_into_a_database_that_verifies(
    gallery_app: Flask, tmp_path: Path
) -> None:
    with gallery_app.app_context():
        before = counts()
        url = db.engine.url
    copy = tmp_path / "tijian.backup"
    result = gallery_app.test_cli_runner().invoke(main, ["backup", str(copy)])
    assert result.exit_code == 0, result.output
    assert copy.stat().st_size > 100_000 and "backup written" in result.output
    again = gallery_app.test_cli_runner().invoke(main, ["backup", str(copy)])
    assert again.exit_code != 0  # never overwrites

    if url.get_backend_name() == "sqlite":
        restored_url = f"sqlite:///{copy}"
        cleanup = None
    else:
        name = f"tijian_test_restore_{uuid.uuid4().hex[:8]}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        restored = make_url(url).set(database=name)
        subprocess.run(
            ["pg_restore", "--no-owner", "-h", restored.host or "localhost"]
            + ["-p", str(restored.port or 5432), "-U", restored.username or "", "-d", name]
            + [str(copy)],
            env=dict(os.environ, PGPASSWORD=restored.password or ""),
            check=True,
            capture_output=True,
        )
        restored_url = restored.render_as_string(hide_password=False)

        def cleanup() -> None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    try:
        app = create_app(base_config(restored_url))
        with app.app_context():
            assert counts() == before
            report = consistency.verify()
            assert report.ok, report.problems
            assert report.audit is not None and report.audit.checked == before[2]
            db.session.remove()  # back to the pool before the pool is closed
            db.engine.dispose()
    finally:
        if cleanup is not None:
            cleanup()
