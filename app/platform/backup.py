"""`tijian backup`: a consistent copy of the database while the app keeps running.

SQLite: the online backup API copies the pages under a read transaction, so the copy is one
moment of the database even while requests write (WAL). PostgreSQL: `pg_dump` in its custom
format, one snapshot; restore with `pg_restore -d <new database> <file>`. Either way, check the
restored database with `tijian verify` before putting it to use (docs/operations.md).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from app.extensions import db
from app.platform import InvalidInput


def backup(destination: Path) -> str:
    """Write the backup to `destination` (which must not exist); returns how it was made."""
    if destination.exists():
        raise InvalidInput(f"{destination} 已存在，不覆盖。")
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        target = sqlite3.connect(destination)
        try:
            pooled = db.engine.raw_connection()
            try:
                source = pooled.driver_connection  # the sqlite3 connection itself
                if source is None:  # pragma: no cover - a live pooled connection has one
                    raise RuntimeError("no database connection")
                source.backup(target)
            finally:
                pooled.close()
        finally:
            target.close()
        return "sqlite online backup"
    if url.get_backend_name() == "postgresql":
        env = dict(os.environ, PGPASSWORD=url.password or "")
        command = ["pg_dump", "--format=custom", f"--file={destination}", "--no-owner"]
        command += ["-h", url.host or "localhost", "-p", str(url.port or 5432)]
        command += ["-U", url.username or "postgres", url.database or ""]
        subprocess.run(command, env=env, check=True, capture_output=True)  # noqa: S603
        return "pg_dump --format=custom"
    raise InvalidInput(f"不支持的数据库：{url.get_backend_name()}")
