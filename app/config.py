"""Configuration from the environment (TIJIAN_*), with safe defaults for the embedded SQLite."""

from __future__ import annotations

import os
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
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCKOUT_MINUTES": 15,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 30,
        # An API token stops working this many days after it is created: a token copied into
        # another system's configuration and forgotten does not stay valid for years.
        "API_TOKEN_LIFETIME_DAYS": int(env.get("TIJIAN_API_TOKEN_LIFETIME_DAYS", 90)),
    }
    config.update(overrides or {})
    return config
