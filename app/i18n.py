"""Language choice and Chinese conventions for dates and money.

Source strings are Chinese (the users' language and the language of the law); English is the
translation in app/translations/en.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask, current_app, request, session
from flask_babel import gettext
from flask_login import current_user

from app.clock import CHINA_TZ
from app.config import DEFAULT_LANGUAGE, LANGUAGES
from app.extensions import babel
from app.reference.enterprise import DOMAIN_LABELS


def current_locale() -> str:
    if request and getattr(current_user, "is_authenticated", False):
        locale: str = current_user.locale
        return locale if locale in LANGUAGES else DEFAULT_LANGUAGE
    chosen = session.get("lang") if request else None
    if chosen in LANGUAGES:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def cn_date(value: date | datetime | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):  # an ISO date, as the API's answers carry it
        value = date.fromisoformat(value[:10])
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


class Msgid(str):
    """A value that is a source string (a label of the app's own), translated where shown;
    other strings in the same table (names, numbers typed by users) are shown as they are."""


def shown(value: object) -> str:
    if value is None:
        return ""
    return gettext(value) if isinstance(value, Msgid) else str(value)


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("仟", "佰", "拾", "")
_GROUPS = ("", "万", "亿", "万亿")


def _four_digits(number: int) -> str:
    """0–9999 in capital numerals, inner zeros read once (1005 → 壹仟零伍)."""
    out, zero = "", False
    for digit, place in zip(f"{number:04d}", _PLACES, strict=True):
        if digit == "0":
            zero = bool(out)
        else:
            out += ("零" if zero else "") + _DIGITS[int(digit)] + place
            zero = False
    return out


def rmb_upper(value: Decimal | float | int | str | None) -> str:
    """An amount in 大写 as payment documents write it: 120000 → 壹拾贰万元整,
    10500.5 → 壹万零伍佰元伍角整, 3.07 → 叁元零柒分."""
    if value in (None, ""):
        return ""
    cents = int((Decimal(str(value)) * 100).quantize(Decimal(1)))
    if cents < 0:
        raise ValueError("negative amount")
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    words, group, pending_zero = "", 0, False
    while yuan:
        yuan, part = divmod(yuan, 10000)
        if part:
            text = _four_digits(part) + _GROUPS[group]
            words = text + ("零" if pending_zero else "") + words
            pending_zero = part < 1000 and yuan > 0
        else:
            pending_zero = bool(words)
        group += 1
    words = words + "元" if words else ""
    if not jiao and not fen:
        return (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif words:
        words += "零"
    return words + (_DIGITS[fen] + "分" if fen else "整")


def translated(message: str) -> str:
    """A message looked up in the catalog and never %-formatted: error messages can carry what
    the user typed (a "%" in it broke the template's own gettext, found by the form fuzzer)."""
    return str(gettext(message))


def domain_label(code: str) -> str:
    """A domain code (FOOD, …) in the reader's language; an unknown code as it is."""
    label = {d.value: text for d, text in DOMAIN_LABELS.items()}.get(code)
    return translated(label) if label else code


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=current_locale)
    from app.platform.audit import action_label

    app.jinja_env.filters.update(
        cn_date=cn_date,
        cn_datetime=cn_datetime,
        cn_money=cn_money,
        rmb_upper=rmb_upper,
        shown=shown,
        cn_day=cn_day,
        action_label=action_label,
        translated=translated,
        domain_label=domain_label,
    )
    app.jinja_env.globals.update(current_locale=current_locale)
