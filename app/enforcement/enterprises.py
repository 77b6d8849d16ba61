"""经营主体 records: validated on the way in (credit code, enumerations, region)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.calendar import add_months
from app.clock import CHINA_TZ, china_today
from app.enforcement import relief
from app.extensions import db
from app.i18n import cn_money
from app.models import Case, Enterprise, HumanTask, Region, User, ViolationType
from app.platform import Forbidden, InvalidInput, NotFound
from app.platform.audit import record
from app.platform.parameters import values_in_force
from app.platform.regions import in_scope
from app.reference.enterprise import CreditClass, Domain, PartyType, credit_code_error
from app.reference.provinces import HOME_PROVINCE, province_error
from forms.base import N_


def add_enterprise(
    credit_code: str,
    name: str,
    party_type: str,
    domain: str,
    credit_class: str,
    region_code: str,
    *,
    actor: User | None = None,
    address: str | None = None,
    legal_representative: str | None = None,
    is_association: bool = False,
    registration_province: str = HOME_PROVINCE,
) -> Enterprise:
    """Add an enterprise in the caller's transaction; every problem is reported at once.
    `registration_province`: where it is registered (登记地), a province code."""
    code = credit_code.strip().upper()
    problems = [p for p in (credit_code_error(code), province_error(registration_province)) if p]
    if not name.strip():
        problems.append(N_("请填写经营主体名称。"))
    for value, allowed, label in (
        (party_type, PartyType, "主体类型"),
        (domain, Domain, "监管领域"),
        (credit_class, CreditClass, "信用风险分类"),
    ):
        if value not in {member.value for member in allowed}:
            problems.append(f"{label}无效: {value}")
    if db.session.get(Region, region_code) is None:
        problems.append(f"未知区域代码: {region_code}")
    if (
        not problems
        and db.session.execute(select(Enterprise.id).where(Enterprise.credit_code == code)).first()
    ):
        problems.append(f"统一社会信用代码已登记: {code}")
    if problems:
        raise InvalidInput("；".join(problems))
    enterprise = Enterprise(
        credit_code=code,
        name=name.strip(),
        party_type=party_type,
        domain=domain,
        credit_class=credit_class,
        region_code=region_code,
        address=address,
        legal_representative=legal_representative,
        is_association=is_association,
        registration_province=registration_province,
    )
    db.session.add(enterprise)
    db.session.flush()
    record(
        "register_enterprise",
        "enterprise",
        enterprise.id,
        actor=actor,
        actor_name=None if actor else "system",
        region_code=region_code,
        credit_code=code,
        registration_province=registration_province,
    )
    return enterprise


# What may change on a registered enterprise: its registration details, with the longest text
# each takes (the credit code, type, domain and supervising region identify it and its cases).
EDITABLE_TEXT = {"address": 300, "legal_representative": 100}


def get_enterprise_for_user(enterprise_id: int, user: User) -> Enterprise:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound(N_("经营主体不存在。"))
    if not in_scope(user, enterprise.region_code):
        raise Forbidden(N_("无权查看其他地区的经营主体。"))
    return enterprise


def update_enterprise(enterprise_id: int, user: User, changes: Mapping[str, Any]) -> Enterprise:
    """Correct an enterprise's registration details (登记地, 住所, 法定代表人) in one transaction;
    every problem is reported at once and nothing changes. A case already running keeps the
    登记地 it started with (its publicity is planned from it)."""
    enterprise = get_enterprise_for_user(enterprise_id, user)
    allowed = {"registration_province", *EDITABLE_TEXT}
    problems = [f"不能修改的字段: {name}" for name in sorted(set(changes) - allowed)]
    cleaned: dict[str, str | None] = {}
    if "registration_province" in changes:
        province = changes["registration_province"]
        problem = province_error(province) if isinstance(province, str) else None
        if not isinstance(province, str) or problem:
            problems.append(problem or "登记地应为省级行政区划代码")
        cleaned["registration_province"] = province
    for name, limit in EDITABLE_TEXT.items():
        if name in changes:
            value = changes[name]
            if value is not None and (not isinstance(value, str) or len(value) > limit):
                problems.append(f"{name}: 应为不超过 {limit} 个字符的文字")
            cleaned[name] = value.strip() or None if isinstance(value, str) else None
    if problems:
        raise InvalidInput("；".join(problems))
    before = {name: getattr(enterprise, name) for name in cleaned}
    for name, value in cleaned.items():
        setattr(enterprise, name, value)
    record(
        "update_enterprise",
        "enterprise",
        enterprise.id,
        actor=user,
        region_code=enterprise.region_code,
        before=before,
        after=cleaned,
    )
    db.session.commit()
    return enterprise


def register_enterprise(*fields: str, **options: Any) -> Enterprise:
    """`add_enterprise`, committed on its own (the demo seed and scripts)."""
    enterprise = add_enterprise(*fields, **options)
    db.session.commit()
    return enterprise


@dataclass(frozen=True)
class HealthCheck:
    """One entry of an enterprise's 体检档案: a warning, inspection, decision, publicity step…"""

    on: dt.date
    form_key: str
    kind: str
    case_id: int
    case_no: str
    summary: str
    violation_code: str | None = None  # the case's type from the catalogue, when recorded


@dataclass(frozen=True)
class HealthRecord:
    enterprise: Enterprise
    cases: list[Case]
    checks: list[HealthCheck]  # newest first
    publicity: str
    lookback: Lookback


# The steps that make up the record: the task's form → (what it is, the date field it carries).
# Read from the task rows, so the page never loads a workflow.
RECORD_STEPS: dict[str, tuple[str, str]] = {
    "warning.issue": (N_("违法风险预警"), "served_on"),
    "warning.escalate": (N_("升级指导措施"), "served_on"),
    "inspection.record": (N_("监督检查"), "inspection_date"),
    "filing.not_filed": (N_("初次违法不予立案（首违不罚）"), ""),
    "rectification.order": (N_("责令改正"), "order_served_on"),
    "rectification.verify": (N_("整改复查"), ""),
    "decision.penalty": (N_("行政处罚决定"), "decided_on"),
    "decision.no_penalty": (N_("不予行政处罚（免罚）"), "decided_on"),
    "decision.publish": (N_("处罚信息公示"), "published_on"),
    "decision.push": (N_("处罚信息推送至登记地"), "pushed_on"),
    "decision.publish_remote": (N_("处罚信息公示（登记地）"), "published_on"),
    "credit.decide": (N_("信用修复决定"), ""),
    "credit.stop_publicity": (N_("停止公示"), "stopped_on"),
    "credit.revoke": (N_("撤销信用修复"), "revoked_on"),
    "visit.record": (N_("回访"), "visited_on"),
    "relief.changed_decision": (N_("变更后的行政处罚决定"), "decided_on"),
    "relief.withdraw_publicity": (N_("撤回或更正公示"), "withdrawn_on"),
}
# the first offense of the lookback: penalties, exemptions, and first offenses not filed
DECISION_FORMS = ("decision.penalty", "decision.no_penalty", "filing.not_filed")
# The publicity status after each step that changes it; the latest such step decides.
PUBLICITY_AFTER = {
    "decision.publish": N_("行政处罚信息公示中"),
    "decision.publish_remote": N_("行政处罚信息公示中"),
    "credit.stop_publicity": N_("已信用修复，停止公示"),
    "credit.revoke": N_("信用修复已撤销，恢复公示"),
    # the decision changed, revoked or confirmed illegal in 复议 or 诉讼 (stage R)
    "relief.withdraw_publicity": N_("决定经复议或诉讼被变更、撤销或确认违法，公示已撤回或更正"),
}


def _summary(form_key: str, data: dict[str, Any]) -> str:
    if form_key == "inspection.record":
        return str(data.get("findings") or "")
    if form_key == "decision.penalty":
        fine = data.get("fine")
        return f"罚款 {cn_money(fine)}" if fine else ""
    if form_key == "rectification.verify":
        return "合格" if data.get("verify_result") == "PASS" else "不合格"
    if form_key == "credit.decide":
        return "准予修复" if data.get("repair_approved") else "不予修复"
    return ""


def _day(form_key: str, task: HumanTask) -> dt.date:
    raw = (task.submitted_data or {}).get(RECORD_STEPS[form_key][1])
    if isinstance(raw, str):
        with suppress(ValueError):
            return dt.date.fromisoformat(raw)
    assert task.completed_at is not None  # noqa: S101 - only completed tasks are read
    return task.completed_at.astimezone(CHINA_TZ).date()


def _on_record(task: HumanTask) -> bool:
    """Not filed is on the record only as a first-offense use (other grounds find no violation
    to record, or leave it to another authority)."""
    data = task.submitted_data or {}
    return task.form_key != "filing.not_filed" or data.get("not_filed_reason") == "FIRST_OFFENSE"


def _checks(enterprise_id: int, form_keys: Iterable[str]) -> list[HealthCheck]:
    # the state is checked here, not in SQL: SQLite, without statistics, would otherwise walk
    # every completed task of the province instead of the enterprise's few cases
    rows = db.session.execute(
        select(HumanTask, Case.case_no, Case.violation_code)
        .join(Case, Case.id == HumanTask.case_id)
        .where(Case.enterprise_id == enterprise_id, HumanTask.form_key.in_(list(form_keys)))
    ).all()
    checks = []
    for task, case_no, violation_code in rows:
        if task.state != "COMPLETED" or not _on_record(task):
            continue
        key = task.form_key or ""  # selected by form_key, so never empty here
        checks.append(
            HealthCheck(
                _day(key, task),
                key,
                RECORD_STEPS[key][0],
                task.case_id,
                case_no,
                _summary(key, task.submitted_data or {}),
                violation_code,
            )
        )
    return sorted(checks, key=lambda c: (c.on, c.case_no), reverse=True)


@dataclass(frozen=True)
class Lookback:
    """The first-offense rule (首违, DOMAIN.md P9): no penalty or first-offense exemption of the
    same type within FIRST_OFFENSE_LOOKBACK_YEARS before the date of this violation. With no type
    every decision counts (an enterprise's overall record); decisions of cases without a recorded
    type are listed apart, for the officer to judge, and not counted."""

    years: int
    since: dt.date
    until: dt.date  # the date of the violation (today when none is named)
    violation_code: str | None
    found: list[HealthCheck]  # the decisions that count, newest first
    untyped: list[HealthCheck]  # decisions in the window whose case has no recorded type

    @property
    def first_offense(self) -> bool:
        return not self.found


def count_back(
    checks: Iterable[HealthCheck],
    violated_on: dt.date,
    years: int,
    violation_code: str | None = None,
    exclude_case: int | None = None,
) -> Lookback:
    """The rule itself: the penalty and no-penalty decisions among `checks` dated within `years`
    before `violated_on` (both ends included), of `violation_code` when given, else all."""
    since = add_months(violated_on, -12 * years)
    window = [
        check
        for check in checks
        if check.form_key in DECISION_FORMS
        and since <= check.on <= violated_on
        and check.case_id != exclude_case
    ]
    if violation_code is None:
        return Lookback(years, since, violated_on, None, window, [])
    return Lookback(
        years,
        since,
        violated_on,
        violation_code,
        [check for check in window if check.violation_code == violation_code],
        [check for check in window if check.violation_code is None],
    )


def first_offense_lookback(
    enterprise_id: int,
    violated_on: dt.date,
    violation_code: str | None = None,
    exclude_case: int | None = None,
    checks: list[HealthCheck] | None = None,
) -> Lookback:
    """`count_back` over the enterprise's record with FIRST_OFFENSE_LOOKBACK_YEARS in force on
    the day of the violation; `checks` when the caller has already read the record."""
    years = int(values_in_force(violated_on)["FIRST_OFFENSE_LOOKBACK_YEARS"])
    found = _checks(enterprise_id, DECISION_FORMS) if checks is None else checks
    # a penalty revoked or confirmed illegal in 复议 or 诉讼 is no earlier penalty
    voided = relief.voided_cases([c.case_id for c in found if c.form_key == "decision.penalty"])
    found = [c for c in found if not (c.form_key == "decision.penalty" and c.case_id in voided)]
    return count_back(found, violated_on, years, violation_code, exclude_case)


def health_record(
    enterprise_id: int, user: User, query: Mapping[str, str] | None = None
) -> HealthRecord:
    """The 体检档案; its lookback for the violation the query names (`violation_type`, a code of
    the catalogue, and `violated_on`, an ISO date; default: any type, today)."""
    violation_code = (query or {}).get("violation_type") or None
    raw_day = (query or {}).get("violated_on") or ""
    try:
        violated_on = dt.date.fromisoformat(raw_day) if raw_day else None
    except ValueError:
        raise InvalidInput(N_("违法行为发生日期格式应为 YYYY-MM-DD。")) from None
    if violation_code is not None and db.session.get(ViolationType, violation_code) is None:
        raise InvalidInput(N_("违法类型不在目录中。"))
    enterprise = get_enterprise_for_user(enterprise_id, user)
    cases = list(
        db.session.execute(
            select(Case).where(Case.enterprise_id == enterprise_id).order_by(Case.id.desc())
        ).scalars()
    )
    checks = _checks(enterprise_id, RECORD_STEPS)
    publicity = N_("无行政处罚信息公示")
    for check in sorted(checks, key=lambda c: c.on):
        publicity = PUBLICITY_AFTER.get(check.form_key, publicity)
    lookback = first_offense_lookback(
        enterprise_id, violated_on or china_today(), violation_code, checks=checks
    )
    return HealthRecord(enterprise, cases, checks, publicity, lookback)
