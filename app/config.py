"""Configuration from the environment (TIJIAN_*), with safe defaults for the embedded SQLite."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

DEFAULT_SECRET_KEY = "tijian-insecure-default-key"  # noqa: S105 - refused outside demo mode
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The CJK serif font every document PDF is set in, shipped with the package (enforcement/pdf.py)
VENDORED_FONT_DIR = next(
    (Path(__file__).resolve().parent / "static" / "vendor").glob("noto-serif-sc-*")
)
# Simplified Chinese is the source language of every string; English is the translation.
DEFAULT_LANGUAGE = "zh_Hans"
LANGUAGES = (DEFAULT_LANGUAGE, "en")


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    env = os.environ
    instance = Path(instance_path)
    config: dict[str, Any] = {
        "SECRET_KEY": env.get("TIJIAN_SECRET_KEY", DEFAULT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": env.get(
            "TIJIAN_DATABASE_URL", f"sqlite:///{instance / 'tijian.db'}"
        ),
        "UPLOAD_FOLDER": env.get("TIJIAN_UPLOAD_FOLDER", str(instance / "uploads")),
        "WORKFLOWS_DIR": env.get("TIJIAN_WORKFLOWS_DIR", str(PROJECT_ROOT / "workflows")),
        "DOCUMENT_FONT_DIR": env.get("TIJIAN_DOCUMENT_FONT_DIR", str(VENDORED_FONT_DIR)),
        "BABEL_DEFAULT_LOCALE": env.get("TIJIAN_LANGUAGE", DEFAULT_LANGUAGE),
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "TIJIAN_DEMO": env.get("TIJIAN_DEMO", "") in ("1", "true", "yes"),
        "MAX_CONTENT_LENGTH": int(env.get("TIJIAN_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)),
        "ATTACHMENT_MAX_BYTES": int(env.get("TIJIAN_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("TIJIAN_SECURE_COOKIES", "") in ("1", "true", "yes"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead of a clock
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        # Optional e-mail for reminders, overdue notices and incidents (off when no host is set).
        "SMTP_HOST": env.get("TIJIAN_SMTP_HOST"),
        "SMTP_PORT": int(env.get("TIJIAN_SMTP_PORT", 25)),
        "SMTP_FROM": env.get("TIJIAN_SMTP_FROM", "tijian@localhost"),
        "SMTP_USER": env.get("TIJIAN_SMTP_USER"),
        "SMTP_PASSWORD": env.get("TIJIAN_SMTP_PASSWORD"),
        "SMTP_STARTTLS": env.get("TIJIAN_SMTP_STARTTLS", "") in ("1", "true", "yes"),
        # Reverse proxies in front whose X-Forwarded-For/-Proto are believed (0: none; the client
        # could write those headers itself, and throttling is per address).
        "TRUSTED_PROXY_HOPS": int(env.get("TIJIAN_TRUSTED_PROXY_HOPS", 0)),
        # Login throttling is a delay, never a lock: failures count per (account, address), so
        # an attacker elsewhere cannot keep the rightful user out. Free failures before a delay,
        # the first delay (doubling with each further failure), its ceiling, and how long a
        # failure counts.
        "LOGIN_FREE_FAILURES": int(env.get("TIJIAN_LOGIN_FREE_FAILURES", 5)),
        "LOGIN_DELAY_SECONDS": int(env.get("TIJIAN_LOGIN_DELAY_SECONDS", 30)),
        "LOGIN_MAX_DELAY_SECONDS": int(env.get("TIJIAN_LOGIN_MAX_DELAY_SECONDS", 900)),
        "LOGIN_FAILURE_WINDOW_MINUTES": int(env.get("TIJIAN_LOGIN_FAILURE_WINDOW_MINUTES", 60)),
        # Password spraying from one address (many accounts): that address alone is slowed.
        "LOGIN_FREE_FAILURES_PER_ADDRESS": int(
            env.get("TIJIAN_LOGIN_FREE_FAILURES_PER_ADDRESS", 30)
        ),
        # Bad API tokens, counted apart from passwords (they never slow a web login).
        "TOKEN_FREE_FAILURES_PER_ADDRESS": int(
            env.get("TIJIAN_TOKEN_FREE_FAILURES_PER_ADDRESS", 30)
        ),
        # A browser session ends after this long without a request, and this long after login
        # whatever the activity (a left-open office PC; a stolen cookie's worth).
        "SESSION_IDLE_MINUTES": int(env.get("TIJIAN_SESSION_IDLE_MINUTES", 30)),
        "SESSION_LIFETIME_HOURS": int(env.get("TIJIAN_SESSION_LIFETIME_HOURS", 12)),
        # An API token stops working this many days after it is created: a token copied into
        # another system's configuration and forgotten does not stay valid for years.
        "API_TOKEN_LIFETIME_DAYS": int(env.get("TIJIAN_API_TOKEN_LIFETIME_DAYS", 90)),
        # Bounds of a work-order file import (app/platform/spreadsheets.py), checked before
        # openpyxl builds anything, so one upload cannot hold a worker or its memory:
        # rows: one region's export of a year is ~20,000 orders; larger exports are split.
        "IMPORT_MAX_ROWS": int(env.get("TIJIAN_IMPORT_MAX_ROWS", 50_000)),
        # cells: 50,000 rows of the ~20 columns an export has.
        "IMPORT_MAX_CELLS": int(env.get("TIJIAN_IMPORT_MAX_CELLS", 1_000_000)),
        # distinct texts: every one is kept in memory by openpyxl (7.5 M took 1.4 GB).
        "IMPORT_MAX_SHARED_STRINGS": int(env.get("TIJIAN_IMPORT_MAX_SHARED_STRINGS", 200_000)),
        # their XML unzipped: 200,000 summaries of ~100 characters.
        "IMPORT_MAX_SHARED_STRING_BYTES": int(
            env.get("TIJIAN_IMPORT_MAX_SHARED_STRING_BYTES", 64 * 1024 * 1024)
        ),
        # all parts unzipped: a zip bomb is refused before anything is unpacked.
        "IMPORT_MAX_UNPACKED_BYTES": int(
            env.get("TIJIAN_IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
        ),
        # reading time: below the web worker's 30 s timeout, so the user gets a report.
        "IMPORT_MAX_SECONDS": float(env.get("TIJIAN_IMPORT_MAX_SECONDS", 20)),
    }
    config.update(overrides or {})
    # The cookie's signature itself expires with the session's lifetime (Flask's default: 31 days).
    config.setdefault(
        "PERMANENT_SESSION_LIFETIME", timedelta(hours=config["SESSION_LIFETIME_HOURS"])
    )
    return config
