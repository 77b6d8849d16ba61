"""违法行为目录 (issue 30 item 2): the catalogue the 调查终结报告 chooses from, kept by the
administrators; a chosen type sets the report's legal basis and fine range, and the first-offense
rule compares types and counts back from the date of the violation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.enforcement.enterprises import first_offense_lookback
from app.extensions import db
from app.models import Case, User, ViolationType, utcnow
from app.platform import InvalidFields, InvalidInput
from app.platform.audit import record
from app.reference.enterprise import Domain
from forms.base import N_

REPORT_FORM = "review.report"
NOT_FILED_FORM = "filing.not_filed"  # a first offense not filed is a first-offense use
VERIFY_FORM = "filing.verify"  # the clue's verification decides the 处罚时效
CODE_FIELD = "violation_code"
DATE_FIELD = "violated_on"


def catalogue(*, active_only: bool = True) -> list[ViolationType]:
    query = select(ViolationType).order_by(ViolationType.domain, ViolationType.code)
    if active_only:
        query = query.where(ViolationType.active)
    return list(db.session.execute(query).scalars())


def legal_basis(entry: ViolationType) -> str:
    """The report's 违法依据与处罚依据 as the catalogue states it."""
    return f"违反{entry.violated_provision}，依据{entry.penalty_provision}"


@dataclass(frozen=True)
class Entry:
    """One row as an administrator states it (`tijian violation-type`)."""

    code: str
    name: str
    domain: str
    violated_provision: str
    penalty_provision: str
    fine_min: Decimal | None
    fine_max: Decimal | None
    fine_note: str | None
    source: str
    active: bool = True
    life_fin_safety: bool = False  # 5-year limitation with harmful consequences (art.36)


def save(entry: Entry, actor: User | None = None) -> ViolationType:
    """Add the type or change it (by code), audited with what changed; committed."""
    code = entry.code.strip().upper()
    problems = []
    if not code or len(code) > 32:
        problems.append("代码应为 1 至 32 个字符")
    for label, value in (
        ("名称", entry.name),
        ("违反条款", entry.violated_provision),
        ("处罚条款", entry.penalty_provision),
        ("来源", entry.source),
    ):
        if not value.strip():
            problems.append(f"请填写{label}")
    if entry.domain not in {d.value for d in Domain}:
        problems.append(f"监管领域无效: {entry.domain}")
    if (entry.fine_min is None) != (entry.fine_max is None):
        problems.append("罚款上下限应同时填写（倍数型的都不填，写在说明中）")
    elif entry.fine_min is not None and entry.fine_max is not None:
        if entry.fine_min < 0 or entry.fine_max < entry.fine_min:
            problems.append("罚款上限不能低于下限，且都不能为负")
    elif not (entry.fine_note or "").strip():
        problems.append("未规定罚款数额的，请在说明中写明倍数或计算方法")
    same_name = db.session.execute(
        select(ViolationType.code).where(
            ViolationType.name == entry.name.strip(), ViolationType.code != code
        )
    ).first()
    if same_name:
        problems.append(f"名称已用于 {same_name[0]}")
    if problems:
        raise InvalidInput("；".join(problems))
    row = db.session.get(ViolationType, code)
    values: dict[str, Any] = {
        "name": entry.name.strip(),
        "domain": entry.domain,
        "violated_provision": entry.violated_provision.strip(),
        "penalty_provision": entry.penalty_provision.strip(),
        "fine_min": entry.fine_min,
        "fine_max": entry.fine_max,
        "fine_note": (entry.fine_note or "").strip() or None,
        "source": entry.source.strip(),
        "life_fin_safety": entry.life_fin_safety,
        "active": entry.active,
    }
    before = {} if row is None else {key: getattr(row, key) for key in values}
    if row is None:
        row = ViolationType(code=code)
        db.session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    changed = {key: str(value) for key, value in values.items() if before.get(key) != value}
    record(
        "save_violation_type",
        "violation_type",
        code,
        actor=actor,
        actor_name=None if actor else "system",
        created=not before,
        changed=changed,
    )
    db.session.commit()
    return row


def apply_to_report(case: Case, data: dict[str, Any]) -> dict[str, Any]:
    """The report as submitted, with the chosen type's name, legal basis and fine range (the
    catalogue's, not what was typed); a first offense ticked where the lookback finds a decision
    of the same type is refused. A report without a type keeps its typed basis and range (cases
    begun before the catalogue)."""
    code = data.get(CODE_FIELD)
    if not code:
        missing = {
            name: N_("未选择违法类型时，此项必填。")
            for name in ("legal_basis", "fine_min", "fine_max")
            if data.get(name) in (None, "")
        }
        if missing:
            raise InvalidFields(missing)
        return data
    code, violated_on = _type_and_date(data, "")
    entry = db.session.get(ViolationType, code)
    assert entry is not None  # noqa: S101 - checked by _type_and_date
    if entry.fine_max is None and (
        data.get("fine_min") in (None, "") or data.get("fine_max") in (None, "")
    ):
        raise InvalidFields(
            {"fine_max": N_("该违法类型的罚款按倍数计算，请填写换算后的罚款上下限。")}
        )
    if data.get("first_offense_2y"):
        _check_first_offense(case, code, violated_on, "first_offense_2y")
    return catalogued(data)


def apply_to_not_filed(case: Case, data: dict[str, Any]) -> dict[str, Any]:
    """A first offense not filed (程序规定第二十条) names its type and date, and must be one: the
    lookback finds no decision of the same type within two years before it. Other grounds may
    name a type; they are not a first-offense use."""
    if data.get("not_filed_reason") != "FIRST_OFFENSE" and not data.get(CODE_FIELD):
        return data
    code, violated_on = _type_and_date(data, N_("初次违法不予立案的，请选择违法类型。"))
    if data.get("not_filed_reason") == "FIRST_OFFENSE":
        _check_first_offense(case, code, violated_on, "not_filed_reason")
    return catalogued(data)


def apply_to_verify(data: dict[str, Any]) -> dict[str, Any]:
    """The clue's verification with what the 处罚时效 (《行政处罚法》第三十六条, stage C
    c_limitation) needs: a known date of the violation names its type, whose catalogue entry
    says whether it concerns life and health or financial safety (5 years with harmful
    consequences); an end date only for a continuing violation, not before it began."""
    problems = {}
    if data.get(DATE_FIELD) and not data.get(CODE_FIELD):
        problems[CODE_FIELD] = N_("填写违法行为发生日期的，请选择违法类型（决定处罚时效）。")
    ended = data.get("violation_ended_on")
    if ended and not data.get("continuing"):
        problems["violation_ended_on"] = N_("只有连续或者继续状态的违法行为才填写终了日期。")
    elif ended and data.get(DATE_FIELD) and str(ended) < str(data[DATE_FIELD]):
        problems["violation_ended_on"] = N_("终了日期不能早于违法行为发生日期。")
    code = data.get(CODE_FIELD)
    entry = db.session.get(ViolationType, code) if code else None
    if code and (entry is None or not entry.active):
        problems[CODE_FIELD] = N_("违法类型不在目录中。")
    if problems:
        raise InvalidFields(problems)
    return {**data, "life_fin_safety": bool(entry and entry.life_fin_safety)}


def _type_and_date(data: dict[str, Any], missing: str) -> tuple[str, dt.date]:
    code = data.get(CODE_FIELD)
    if not code:
        raise InvalidFields({CODE_FIELD: missing})
    entry = db.session.get(ViolationType, code)
    if entry is None or not entry.active:
        raise InvalidFields({CODE_FIELD: N_("违法类型不在目录中。")})
    raw = data.get(DATE_FIELD)
    if not raw:
        raise InvalidFields({DATE_FIELD: N_("选择违法类型时，请填写违法行为发生日期。")})
    return str(code), dt.date.fromisoformat(str(raw))


def _check_first_offense(case: Case, code: str, violated_on: dt.date, field: str) -> None:
    lookback = first_offense_lookback(case.enterprise_id, violated_on, code, exclude_case=case.id)
    if not lookback.first_offense:
        earlier = "、".join(f"{c.case_no}（{c.on.isoformat()}）" for c in lookback.found)
        raise InvalidFields(
            {
                field: f"违法行为发生前{lookback.years}年内已有同类违法的处罚或"
                f"免罚决定：{earlier}，不属于初次违法。"
            }
        )


def catalogued(data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` with the name, legal basis and (where the law sets amounts) the fine range of the
    type it names; unchanged without a known type (the decision-support panel reads it while
    the report is being written)."""
    code = data.get(CODE_FIELD)
    entry = db.session.get(ViolationType, code) if code else None
    if entry is None:
        return dict(data)
    ranged = {}
    if entry.fine_min is not None and entry.fine_max is not None:
        ranged = {"fine_min": _number(entry.fine_min), "fine_max": _number(entry.fine_max)}
    return {**data, "violation_type": entry.name, "legal_basis": legal_basis(entry), **ranged}


def _number(value: Decimal) -> int | float:
    """Money as task data holds it (as the forms write it)."""
    return int(value) if value == value.to_integral_value() else float(value)


def record_on_case(case: Case, data: dict[str, Any]) -> None:
    """The case keeps the type and date its report chose (the lookback of later cases reads
    them)."""
    if data.get(CODE_FIELD):
        case.violation_code = str(data[CODE_FIELD])
        case.violated_on = dt.date.fromisoformat(str(data[DATE_FIELD]))
