"""Configuration keys (defaults in workflows/parameters.toml, changes in the database with an
effective date) and the holiday table; together they make the RunContext of every engine run."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import ScalarSelect, select

from app.calendar import WorkCalendar
from app.clock import utcnow
from app.engine import RunContext
from app.extensions import db, transaction_memo
from app.models import HolidayDay, ParameterValue, User
from app.platform import InvalidInput
from app.platform.audit import record
from app.platform.sequences import current_number, next_number, number_column
from app.reference.parameters import (
    PROVENANCE_TAGS,
    ParameterDefinition,
    issuer_key,
    load_definitions,
    load_issuer_definitions,
)
from forms.base import N_


def definitions() -> dict[str, ParameterDefinition]:
    """The keys of workflows/parameters.toml and the issuer settings of workflows/issuers.toml,
    re-read when a file changes."""
    directory = Path(current_app.config["WORKFLOWS_DIR"])
    path, issuers = directory / "parameters.toml", directory / "issuers.toml"
    stamp = (path.stat().st_mtime_ns, issuers.stat().st_mtime_ns)
    cached = current_app.extensions.get("tijian_parameters")
    if cached is None or cached[0] != stamp:
        cached = (stamp, {**load_definitions(path), **load_issuer_definitions(issuers)})
        current_app.extensions["tijian_parameters"] = cached
    result: dict[str, ParameterDefinition] = cached[1]
    return result


# Bumped in the transaction of every change of a parameter or a holiday: a process keeps the
# tables in memory and reads them again only when this number has moved.
CONFIGURATION = "configuration"


@dataclass(frozen=True)
class _Configuration:
    generation: int
    calendar: WorkCalendar
    changes: tuple[tuple[dt.date, str, Any], ...]  # (effective from, key, value), in order


# The generation read along with a workflow instance's lock, kept for that transaction only:
# the engine run that follows the lock then needs no query of its own for it.
_SEEN = "configuration_generation"


def generation_column() -> ScalarSelect[int]:
    """The configuration generation, for a statement that reads it on the way."""
    return number_column(CONFIGURATION)


def generation_seen(generation: int | None) -> None:
    transaction_memo(_SEEN)["generation"] = generation or 0


def _generation() -> int:
    seen = transaction_memo(_SEEN).pop("generation", None)
    return int(seen) if seen is not None else current_number(CONFIGURATION)


def _configuration() -> _Configuration:
    generation = _generation()
    cached: _Configuration | None = current_app.extensions.get("tijian_configuration")
    if cached is None or cached.generation != generation:
        # read after the number: the tables are at least as new as the generation kept with them
        holidays = db.session.execute(select(HolidayDay.day, HolidayDay.is_working_day)).all()
        changes = db.session.execute(
            select(
                ParameterValue.effective_from, ParameterValue.key, ParameterValue.value
            ).order_by(ParameterValue.effective_from, ParameterValue.id)
        ).all()
        cached = _Configuration(
            generation,
            WorkCalendar({day: working for day, working in holidays}),
            tuple((on, key, value) for on, key, value in changes),
        )
        current_app.extensions["tijian_configuration"] = cached
    return cached


def values_in_force(on: dt.date) -> dict[str, Any]:
    return _values_in_force(_configuration(), on)


def _values_in_force(configuration: _Configuration, on: dt.date) -> dict[str, Any]:
    values = {key: d.default for key, d in definitions().items()}
    for effective_from, key, value in configuration.changes:  # later rows win
        if effective_from <= on and key in values:
            values[key] = value
    return values


ISSUER_FIELDS = (
    "NAME",
    "ADDRESS",
    "RECONSIDERATION",
    "COURT",
    "BANK",
    "ACCOUNT_NAME",
    "ACCOUNT_NO",
    "CONTACT",
    "PHONE",
    "FEEDBACK",
)


def issuer_settings(unit: str, on: dt.date) -> dict[str, str]:
    """What the documents of a 盟市-level unit print of their issuer, as in force on `on`
    (workflows/issuers.toml and the changes made since)."""
    values = values_in_force(on)
    return {field.lower(): str(values[issuer_key(field, unit)] or "") for field in ISSUER_FIELDS}


def set_parameter(
    key: str,
    value: Any,
    effective_from: dt.date,
    actor: User | None,
    note: str | None = None,
    tag: str | None = None,
) -> ParameterValue:
    definition = definitions().get(key)
    if definition is None:
        raise InvalidInput(f"未知配置项 {key}")
    if not _same_kind(definition.default, value):
        raise InvalidInput(f"{key} 的值类型不符（默认值为 {definition.default!r}）")
    if tag is not None and tag not in PROVENANCE_TAGS:
        raise InvalidInput(N_("来源标记只能是 V、P、U、D。"))
    row = ParameterValue(
        key=key,
        value=value,
        tag=tag or definition.tag,
        effective_from=effective_from,
        note=note,
        changed_by_id=actor.id if actor else None,
    )
    db.session.add(row)
    next_number(CONFIGURATION)
    record(
        "set_parameter",
        "parameter",
        key,
        actor=actor,
        actor_name=None if actor else "cli",
        value=value,
        effective_from=effective_from.isoformat(),
        tag=row.tag,
    )
    db.session.commit()
    return row


def _same_kind(default: Any, value: Any) -> bool:
    if value is None or default is None:
        return value is None or isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    return isinstance(value, type(default))


def set_holiday(day: dt.date, is_working_day: bool, name: str, actor: User | None) -> None:
    """Add or replace one day of the administrator's holiday table."""
    if not name.strip():
        raise InvalidInput(N_("请填写节假日名称。"))
    row = db.session.get(HolidayDay, day)
    if row is None:
        row = HolidayDay(day=day)
        db.session.add(row)
    row.is_working_day = is_working_day
    row.name = name.strip()
    row.changed_by_id = actor.id if actor else None
    next_number(CONFIGURATION)
    record(
        "set_holiday",
        "holiday",
        day.isoformat(),
        actor=actor,
        actor_name=None if actor else "cli",
        is_working_day=is_working_day,
        name=row.name,
    )
    db.session.commit()


def work_calendar() -> WorkCalendar:
    return _configuration().calendar


def run_context(now: dt.datetime | None = None) -> RunContext:
    """Everything an engine run needs besides task data, as in force today (China time)."""
    configuration = _configuration()  # one read of the generation for both
    context = RunContext(calendar=configuration.calendar, now=now or utcnow())
    return RunContext(
        parameters=_values_in_force(configuration, context.today()),
        calendar=context.calendar,
        now=context.now,
    )


@dataclass(frozen=True)
class ParameterRow:
    definition: ParameterDefinition
    value: Any  # in force today
    tag: str
    changed: ParameterValue | None  # the change in force today, if any
    changed_by: str | None
    scheduled: list[ParameterValue]  # changes that take effect later


def overview(today: dt.date) -> list[ParameterRow]:
    """Every key with its value in force, who set it and what is scheduled."""
    changes = db.session.execute(
        select(ParameterValue, User.display_name)
        .outerjoin(User, User.id == ParameterValue.changed_by_id)
        .order_by(ParameterValue.effective_from, ParameterValue.id)
    ).all()
    in_force: dict[str, tuple[ParameterValue, str | None]] = {}
    scheduled: dict[str, list[ParameterValue]] = {}
    for change, name in changes:
        if change.effective_from <= today:
            in_force[change.key] = (change, name)  # later rows win
        else:
            scheduled.setdefault(change.key, []).append(change)
    rows = []
    for key, definition in definitions().items():
        current = in_force.get(key)
        rows.append(
            ParameterRow(
                definition,
                current[0].value if current else definition.default,
                current[0].tag if current else definition.tag,
                current[0] if current else None,
                current[1] if current else None,
                scheduled.get(key, []),
            )
        )
    return rows


def parse_value(text: str, key: str | None = None) -> Any:
    """What a person types into the value box: a number, yes/no, or nothing (unset); for a text
    key (an issuer's account number, say) the text as typed."""
    cleaned = text.strip()
    if not cleaned:
        return None
    definition = definitions().get(key or "")
    if definition is not None and isinstance(definition.default, str):
        return cleaned
    if cleaned.lower() in ("true", "是"):
        return True
    if cleaned.lower() in ("false", "否"):
        return False
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        number = float(cleaned)
    except ValueError:
        return cleaned
    if not math.isfinite(number):
        raise InvalidInput(N_("数值无效。"))
    return number
