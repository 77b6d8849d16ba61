"""The public contract of the decision tables (shared/DECISIONS.md): inputs with their types,
enumerations and defaults. Callers are checked here before a table runs, so a missing or
ill-typed input is a clear 422 naming it, never an exception inside a rule."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from forms import choices
from forms.choices import codes

from .enterprise import CreditClass, Domain, PartyType

SANCTIONS = codes(choices.SANCTIONS)
PARTY_TYPES = tuple(p.value for p in PartyType)
DOMAINS = tuple(d.value for d in Domain)
CREDIT_CLASSES = tuple(c.value for c in CreditClass)
HARMS = codes(choices.HARMS)
OUTCOMES = ("MUST_NOT_PUNISH", "MAY_NOT_PUNISH", "PUNISH", "MANUAL_REVIEW")
DECIDED_OUTCOMES = ("MUST_NOT_PUNISH", "MAY_NOT_PUNISH", "PUNISH")
PROCEDURES = ("SUMMARY", "ORDINARY")
LEVELS = ("NO_PENALTY", "REDUCE", "LIGHTER", "NORMAL", "HEAVIER")
EXEMPT_LISTS = codes(choices.EXEMPT_LISTS)
SOURCES = codes(choices.SOURCES)
SITUATIONS = codes(choices.SITUATIONS)

REQUIRED = object()
TODAY = object()  # default: today's date where the caller evaluates (China time)


class InputError(ValueError):
    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class Input:
    kind: str  # bool | number | integer | enum | enum_list | date
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()
    nullable: bool = False
    maximum: float | None = None


def _bool(default: bool) -> Input:
    return Input("bool", default)


def _money(default: Any = 0) -> Input:
    return Input("number", default, maximum=1e12)


def _enum(choices: tuple[str, ...], default: Any = REQUIRED) -> Input:
    return Input("enum", default, choices)


def _enum_list(choices: tuple[str, ...], default: Any = REQUIRED) -> Input:
    return Input("enum_list", default, choices)


CONTRACT: dict[str, dict[str, Input]] = {
    "procedure": {
        "facts_clear": _bool(True),
        "sanctions": _enum_list(SANCTIONS),
        "party_type": _enum(PARTY_TYPES),
        "proposed_fine": _money(),
    },
    "punish_or_not": {
        "age": Input("integer", None, nullable=True, maximum=150),
        "mental_incapacity": _bool(False),
        "limitation_expired": _bool(False),
        "no_fault_proven": _bool(False),
        "red_line": _bool(False),
        "emergency": _bool(False),
        "minor": _bool(False),
        "corrected": _bool(False),
        "harm": _enum(HARMS, "GENERAL"),
        "first_offense_2y": _bool(False),
        "on_exempt_list": _enum(EXEMPT_LISTS, "NONE"),
    },
    "discretion_level": {
        "outcome": _enum(OUTCOMES, "PUNISH"),
        "adopt_exemption": _bool(True),
        "mitigating_mandatory": Input("list", ()),
        "significant_mitigation": _bool(False),
        "mitigating_optional": Input("list", ()),
        "aggravating": Input("list", ()),
    },
    "fine_band": {
        "level": _enum(LEVELS),
        "fine_min": _money(),
        "fine_max": _money(REQUIRED),
    },
    "hearing_right": {
        "party_type": _enum(PARTY_TYPES),
        "proposed_fine": _money(),
        "confiscation_value": _money(),
        "sanctions": _enum_list(SANCTIONS, ()),
    },
    "legal_review": {
        "major_public_interest": _bool(False),
        "hearing_held": _bool(False),
        "complex_case": _bool(False),
        "in_review_catalog": _bool(False),
    },
    "collective_decision": {
        "complex_or_major": _bool(False),
        "second_extension": _bool(False),
        "level": _enum(LEVELS, "NORMAL"),
        "serious_list": _bool(False),
    },
    "publicity": {
        "procedure": _enum(PROCEDURES, "ORDINARY"),
        "outcome": _enum(DECIDED_OUTCOMES, "PUNISH"),
        "sanctions": _enum_list(SANCTIONS, ()),
        "restriction_years": Input("number", 0, maximum=100),
        "fine": _money(),
        "party_type": _enum(PARTY_TYPES),
    },
    "credit_repair_eligibility": {
        "sanctions": _enum_list(SANCTIONS, ()),
        "domain": _enum(DOMAINS),
        "fine": _money(),
        "party_type": _enum(PARTY_TYPES),
        "published_on": Input("date"),
        "obligations_performed": _bool(False),
        "harm_eliminated": _bool(False),
        "repeat_same_type": _bool(False),
        "on_abnormal_list": _bool(False),
        "on_serious_list": _bool(False),
        "today": Input("date", TODAY),
    },
    "serious_list_removal": {
        "listed_on": Input("date"),
        "obligations_performed": _bool(False),
        "harm_eliminated": _bool(False),
        "new_heavy_penalty": _bool(False),
        "measures_expired": _bool(True),
        "today": Input("date", TODAY),
    },
    "sampling": {
        "credit_class": _enum(CREDIT_CLASSES),
        "key_domain": _bool(False),
        "trigger": _bool(False),
    },
    "return_visit": {
        "procedure": _enum(PROCEDURES),
        "outcome": _enum(DECIDED_OUTCOMES),
        "hearing_held": _bool(False),
        "source": _enum(SOURCES, "INSPECTION"),
        "complaint_against_officer": _bool(False),
        "overturned": _bool(False),
        "high_impact": _bool(False),
    },
    "guidance_measure": {"situation": _enum(SITUATIONS)},
}


def _check(name: str, spec: Input, value: Any) -> Any:
    if value is None:
        if spec.nullable:
            return None
        raise InputError(name, "不能为空 (must not be null)")
    checks: dict[str, Callable[[], Any]] = {
        "bool": lambda: _expect(isinstance(value, bool), value, "应为布尔值 (boolean expected)"),
        "number": lambda: _number(value, spec),
        "integer": lambda: _integer(value, spec),
        "enum": lambda: _choice(value, spec.choices),
        "enum_list": lambda: _choices(value, spec.choices),
        "list": lambda: _string_list(value),
        "date": lambda: _date(value),
    }
    try:
        return checks[spec.kind]()
    except ValueError as exc:
        raise InputError(name, str(exc)) from None


def _expect(ok: bool, value: Any, reason: str) -> Any:
    if not ok:
        raise ValueError(reason)
    return value


def _number(value: Any, spec: Input) -> float | int:
    _expect(
        isinstance(value, int | float) and not isinstance(value, bool),
        value,
        "应为数字 (number expected)",
    )
    # isfinite() of an int beyond float range raises: huge integers are finite anyway
    finite = not isinstance(value, float) or math.isfinite(value)
    _expect(finite and value >= 0, value, "应为非负数 (must be ≥ 0)")
    if spec.maximum is not None:
        _expect(value <= spec.maximum, value, f"不能超过 {spec.maximum:g}")
    return value  # type: ignore[no-any-return]


def _integer(value: Any, spec: Input) -> int:
    _expect(
        isinstance(value, int) and not isinstance(value, bool), value, "应为整数 (integer expected)"
    )
    return int(_number(value, spec))


def _choice(value: Any, choices: tuple[str, ...]) -> str:
    _expect(
        isinstance(value, str) and value in choices, value, f"取值应为 {', '.join(choices)} 之一"
    )
    return str(value)


def _choices(value: Any, choices: tuple[str, ...]) -> list[str]:
    _expect(isinstance(value, list | tuple), value, "应为列表 (list expected)")
    return [_choice(item, choices) for item in value]


def _string_list(value: Any) -> list[str]:
    _expect(
        isinstance(value, list | tuple) and all(isinstance(v, str) for v in value),
        value,
        "应为字符串列表 (list of strings expected)",
    )
    return list(value)


def _date(value: Any) -> str:
    _expect(isinstance(value, str), value, "应为 YYYY-MM-DD 日期")
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError("应为 YYYY-MM-DD 日期") from None


# Tables the app evaluates for itself, outside DECISIONS.md's public API (the evaluate endpoint
# serves CONTRACT only); designers edit them like the others.
INTERNAL: dict[str, dict[str, Input]] = {
    "risk_grade": {  # a 盟市's domain in a period: work orders now and before, inspection findings
        "complaints": Input("integer", 0, maximum=1e9),
        "previous": Input("integer", 0, maximum=1e9),
        "findings": Input("integer", 0, maximum=1e9),
    },
}


# What a table reads besides its callers' inputs: set by the case that feeds it, never by an
# outside caller (they are not inputs of DECISIONS.md). low_fine_province: whose 较低数额罚款
# standard applies (the case sets it by LOW_FINE_BY_REGISTRATION_PROVINCE; None, as for every
# outside caller: the deciding authority's).
CASE_CONTEXT: dict[str, dict[str, Any]] = {
    "publicity": {"low_fine_province": None},
    "credit_repair_eligibility": {"low_fine_province": None},
}


def prepare_inputs(decision_id: str, raw: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """Typed inputs with defaults filled; raises KeyError for an unknown decision and
    InputError naming the first bad input."""
    spec = CONTRACT[decision_id] if decision_id in CONTRACT else INTERNAL[decision_id]
    unknown = sorted(set(raw) - set(spec))
    if unknown:
        raise InputError(unknown[0], "不是此决策的输入 (unknown input)")
    prepared: dict[str, Any] = {}
    for name, item in spec.items():
        if name in raw:
            prepared[name] = _check(name, item, raw[name])
        elif item.default is REQUIRED:
            raise InputError(name, "缺少必填输入 (required)")
        elif item.default is TODAY:
            prepared[name] = today.isoformat()
        else:
            prepared[name] = list(item.default) if isinstance(item.default, tuple) else item.default
    if decision_id == "fine_band" and prepared["fine_max"] < prepared["fine_min"]:
        raise InputError("fine_max", "不能小于 fine_min")
    return {**prepared, **CASE_CONTEXT.get(decision_id, {})}
