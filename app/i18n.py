"""Language choice and Chinese conventions for dates and money.

Source strings are Chinese (the users' language and the language of the law); English is the
translation in app/translations/en.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask, current_app, request, session
from flask_login import current_user

from .clock import CHINA_TZ
from .config import DEFAULT_LANGUAGE, LANGUAGES
from .extensions import babel


def current_locale() -> str:
    if request and getattr(current_user, "is_authenticated", False):
        locale: str = current_user.locale
        return locale if locale in LANGUAGES else DEFAULT_LANGUAGE
    chosen = session.get("lang") if request else None
    if chosen in LANGUAGES:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def cn_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(CHINA_TZ).date()
    if current_locale() == "en":
        return value.isoformat()
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(CHINA_TZ)
    return f"{cn_date(local.date())} {local:%H:%M}"


def cn_day(value: str | date | None) -> str:
    """A date as official documents write it (2026年11月24日), whatever the UI language."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def cn_money(value: Decimal | float | int | None) -> str:
    if value is None:
        return ""
    return f"¥{Decimal(value):,.2f}"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=current_locale)
    from .services.audit import action_label

    app.jinja_env.filters.update(
        cn_date=cn_date,
        cn_datetime=cn_datetime,
        cn_money=cn_money,
        cn_day=cn_day,
        action_label=action_label,
    )
    app.jinja_env.globals.update(current_locale=current_locale)
