"""What an engine run may see besides task data: the clock, the configuration values in force and
the working-day calendar. Set per run through a context variable, so concurrent requests in one
process never see each other's values, and tests can move the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import SpiffWorkflow.bpmn.specs.event_definitions.timer as spiff_timer

from app.calendar import Unit, WorkCalendar
from app.calendar import add_months as calendar_add_months
from app.reference.provinces import HOME_PROVINCE, LOW_FINE_KEYS

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class RunContext:
    parameters: Mapping[str, Any] = field(default_factory=dict)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    now: dt.datetime | None = None  # None: the real clock

    def current_time(self) -> dt.datetime:
        return self.now if self.now is not None else dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        return self.current_time().astimezone(CHINA).date()


_DEFAULT = RunContext()
_current: ContextVar[RunContext] = ContextVar("tijian_run_context", default=_DEFAULT)


def current() -> RunContext:
    return _current.get()


@contextmanager
def running(context: RunContext) -> Iterator[RunContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


class _EngineClock(dt.datetime):
    """Stands in for datetime in SpiffWorkflow's timer module, which has no clock hook."""

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _EngineClock:
        moment = current().current_time().astimezone(tz or dt.UTC)
        return cls.fromtimestamp(moment.timestamp(), tz or dt.UTC)


spiff_timer.datetime = _EngineClock


class UnknownParameter(KeyError):
    pass


# ---- helpers offered to every expression (BPMN conditions, scripts, timers, DMN entries) ----


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(CHINA).date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def param(key: str) -> Any:
    """The value in force of a configuration key (workflows/parameters.toml, admin-editable)."""
    try:
        return current().parameters[key]
    except KeyError:
        raise UnknownParameter(f"未定义的配置项 {key}") from None


def current_date() -> str:
    """Today in China, as YYYY-MM-DD (named so that a data variable `today` cannot shadow it)."""
    return current().today().isoformat()


def days_between(start: dt.date | str, end: dt.date | str) -> int:
    return (_as_date(end) - _as_date(start)).days


def _due(start: dt.date | str, amount: int, unit: Unit) -> str:
    return current().calendar.deadline(_as_date(start), int(amount), unit).due.isoformat()


def add_working_days(start: dt.date | str, amount: int) -> str:
    return _due(start, amount, Unit.WORKING_DAYS)


def add_calendar_days(start: dt.date | str, amount: int) -> str:
    """Calendar days, rolled forward off a rest day (DOMAIN.md G4)."""
    return _due(start, amount, Unit.CALENDAR_DAYS)


def add_months(start: dt.date | str, amount: int) -> str:
    """Months, rolled forward off a rest day."""
    return _due(start, amount, Unit.MONTHS)


def months_after(start: dt.date | str, amount: int) -> str:
    """The corresponding day `amount` months later, not rolled (publicity and repair periods)."""
    return calendar_add_months(_as_date(start), int(amount)).isoformat()


def start_of_day(day: dt.date | str) -> str:
    """Midnight at the start of a day, China time (a hearing or a scheduled date)."""
    return dt.datetime.combine(_as_date(day), dt.time(), CHINA).isoformat()


def end_of_day(day: dt.date | str) -> str:
    """The instant a deadline day is over (midnight after it, China time), for timer events."""
    moment = dt.datetime.combine(_as_date(day) + dt.timedelta(days=1), dt.time(), CHINA)
    return moment.isoformat()


def party_class(party_type: str) -> str:
    """NATURAL or ORG for money thresholds; 个体工商户 count as natural persons unless the
    configuration says otherwise (DOMAIN.md G6)."""
    if party_type == "NATURAL":
        return "NATURAL"
    if party_type == "INDIVIDUAL_BIZ" and param("INDIVIDUAL_BIZ_AS_NATURAL"):
        return "NATURAL"
    return "ORG"


def by_party(party_type: str, natural_key: str, org_key: str) -> Any:
    """The configuration value that applies to this party type."""
    return param(natural_key if party_class(party_type) == "NATURAL" else org_key)


def low_fine_limit(party_type: str, province: str | None) -> Any:
    """The 较低数额罚款 standard (fines below it are published for three months) of `province`
    for this party; `province` None: the deciding authority's. None when the province has no
    configured standard (the three-month rule then does not apply)."""
    keys = LOW_FINE_KEYS.get(province or HOME_PROVINCE)
    return None if keys is None else by_party(party_type, *keys)


def cross_province(registration_province: str | None) -> bool:
    """The party is registered in another province than the deciding authority's (公示规定第十条:
    publicity goes through the registration province)."""
    return bool(registration_province) and registration_province != HOME_PROVINCE


class RuleViolation(ValueError):
    """A statutory rule the diagram checks before it lets a case go on; the message is shown."""


def require(condition: bool, message: str) -> bool:
    """Stops the step with `message` unless `condition` holds (used for legal safeguards such as
    no aggravation after a statement of defence, or the 7-working-day hearing notice)."""
    if not condition:
        raise RuleViolation(message)
    return True


def late_fee(fine: float, pay_due: dt.date | str, paid_on: dt.date | str) -> float:
    """加处罚款: a daily percentage of the fine from the day after the due date, capped at the
    fine itself (《行政处罚法》第七十二条)."""
    late_days = max(0, days_between(pay_due, paid_on))
    return float(round(min(fine, fine * param("LATE_FEE_DAILY_PCT") / 100 * late_days), 2))


HELPERS: dict[str, Any] = {
    f.__name__: f
    for f in (
        param,
        current_date,
        days_between,
        add_working_days,
        add_calendar_days,
        add_months,
        months_after,
        start_of_day,
        end_of_day,
        party_class,
        by_party,
        low_fine_limit,
        cross_province,
        require,
        late_fee,
    )
}
