"""Publishing a 违法风险预警 batch from the graded risk list: one warning case per recipient
(the enterprises of the domain in the 盟市 and its industry associations), each assessed and
served with its 违法风险预警提醒书, all in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from app.clock import china_today
from app.enforcement.cases import open_case
from app.enforcement.documents import write_document
from app.enforcement.tasks import complete_in_transaction
from app.extensions import db
from app.models import Case, Enterprise, HumanTask, User, WarningBatch, WarningRecipient
from app.platform import InvalidInput, NotFound
from app.platform.audit import record
from app.platform.regions import region_tree, scope_of
from app.platform.sequences import next_number
from app.prevention.hotspots import RiskItem, RiskList, risk_list
from forms.base import N_

MAX_RECIPIENTS = 200  # one request renders every notice; a bigger batch is split by risk rows
PROCESS = "enforcement_case"
# A hotspot is an industry-wide risk (共性风险); decision table guidance_measure picks the measure.
SITUATION = "COMMON_RISK"


@dataclass(frozen=True)
class Recipient:
    enterprise: Enterprise
    risk: RiskItem


def _selected(user: User, keys: Collection[str], days: int) -> tuple[list[RiskItem], RiskList]:
    """The chosen rows of the risk list as it stands now (a stale or foreign key is refused)."""
    graded = risk_list(user, china_today(), days)
    chosen = [item for item in graded.items if f"{item.unit_code}-{item.domain}" in keys]
    if not keys or len(chosen) != len(set(keys)):
        raise InvalidInput(N_("请从当前预警分级清单中选择要发布的风险。"))
    return chosen, graded


def recipients(user: User, risks: list[RiskItem]) -> list[Recipient]:
    """Per risk row: the enterprises of its domain supervised in its 盟市 and the industry
    associations of the domain there (associations last) — within the user's scope."""
    tree = region_tree()
    scope = scope_of(user)
    found: list[Recipient] = []
    seen: set[int] = set()
    for risk in risks:
        regions = tree.descendants(risk.unit_code)
        if scope is not None:
            regions &= scope
        rows = db.session.execute(
            select(Enterprise)
            .where(Enterprise.domain == risk.domain, Enterprise.region_code.in_(sorted(regions)))
            .order_by(Enterprise.is_association, Enterprise.region_code, Enterprise.id)
        ).scalars()
        for enterprise in rows:
            if enterprise.id not in seen:
                seen.add(enterprise.id)
                found.append(Recipient(enterprise, risk))
    return found


def preview(user: User, keys: Collection[str], days: int) -> list[Recipient]:
    return recipients(user, _selected(user, keys, days)[0])


def summary_of(risk: RiskItem, start: dt.date, end: dt.date) -> str:
    """The notice's 风险事项描述: objective, no finding of a violation."""
    growth = ""
    if risk.previous:
        change = (risk.complaints - risk.previous) * 100 // risk.previous
        growth = f"，较上一期间{'增长' if change >= 0 else '下降'} {abs(change)}%"
    issues = f"，主要反映{risk.issues}" if risk.issues else ""
    findings = f"；同期监督检查发现问题 {risk.findings} 户次" if risk.findings else ""
    return (
        f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日，"
        f"{risk.unit}{risk.domain_label}领域收到投诉举报 {risk.complaints} 件{growth}{issues}"
        f"{findings}。经研判列为{risk.level}级违法风险预警。"
    )


def publish(user: User, keys: Collection[str], days: int, served_on: dt.date) -> WarningBatch:
    """Open, assess and serve one warning case per recipient; one transaction for the batch."""
    today = china_today()
    if served_on > today:
        raise InvalidInput(N_("送达日期不能晚于今天。"))
    risks, graded = _selected(user, keys, days)
    start = graded.start
    found = recipients(user, risks)
    if not found:
        raise InvalidInput(N_("所选风险范围内没有可送达的经营主体或行业协会。"))
    if len(found) > MAX_RECIPIENTS:
        raise InvalidInput(
            f"本批次有 {len(found)} 个送达对象，超过每批 {MAX_RECIPIENTS} 个的上限，请分批发布。"
        )
    number = next_number(f"warning-batch:{today.year}")
    batch = WarningBatch(
        batch_no=f"预警〔{today.year}〕{number}号",
        served_on=served_on,
        period_start=start,
        period_end=today,
        rule_version=graded.decision_version,
        risks=[
            {
                "unit_code": r.unit_code,
                "unit_name": r.unit,
                "domain": r.domain,
                "domain_label": r.domain_label,
                "level": r.level,
                "public": r.public,
                "complaints": r.complaints,
                "summary": summary_of(r, start, today),
            }
            for r in risks
        ],
        recipients=len(found),
        published_by_id=user.id,
    )
    db.session.add(batch)
    db.session.flush()
    try:
        for recipient in found:
            _serve(user, batch, recipient, summary_of(recipient.risk, start, today))
    except Exception:
        db.session.rollback()
        raise
    record(
        "publish_warnings",
        "warning_batch",
        batch.id,
        actor=user,
        region_code=user.region_code,
        batch_no=batch.batch_no,
        risks=[f"{r.unit_code}-{r.domain}" for r in risks],
        recipients=len(found),
    )
    db.session.commit()
    return batch


def _serve(user: User, batch: WarningBatch, recipient: Recipient, summary: str) -> None:
    enterprise, risk = recipient.enterprise, recipient.risk
    case, _ = open_case(
        user,
        PROCESS,
        enterprise.id,
        f"{risk.domain_label}违法风险预警（{batch.batch_no}）",
        entry="WARNING",
    )
    assessment = {
        "situation": SITUATION,
        "risk_summary": summary,
        "compliance_items": f"{risk.domain_label}领域合规指引清单（附后）",
    }
    complete_in_transaction(_ready(case.id, "a_assess"), assessment, user)
    served = {"served_on": batch.served_on.isoformat(), "document_summary": summary}
    complete_in_transaction(_ready(case.id, "a_issue"), served, user)
    write_document(case, "WARNING_NOTICE", user)
    db.session.add(
        WarningRecipient(
            batch_id=batch.id,
            enterprise_id=enterprise.id,
            case_id=case.id,
            unit_code=risk.unit_code,
            domain=risk.domain,
            level=risk.level,
            is_association=enterprise.is_association,
        )
    )


def _ready(case_id: int, bpmn_id: str) -> HumanTask:
    task = db.session.execute(
        select(HumanTask).where(
            HumanTask.case_id == case_id,
            HumanTask.bpmn_id == bpmn_id,
            HumanTask.state == "READY",
        )
    ).scalar_one_or_none()
    if task is None:  # the deployed diagram no longer has this step
        raise InvalidInput(f"当前部署的流程没有预警环节 {bpmn_id}，无法批量发布。")
    return task


def batches(user: User, limit: int = 50) -> list[WarningBatch]:
    """Recent batches published in the user's scope (by the publisher's region)."""
    query = select(WarningBatch).order_by(WarningBatch.id.desc()).limit(limit)
    scope = scope_of(user)
    if scope is not None:
        query = query.where(
            WarningBatch.id.in_(
                select(WarningRecipient.batch_id).where(
                    WarningRecipient.unit_code.in_(sorted(scope))
                )
            )
        )
    return list(db.session.execute(query).scalars())


def batch_for_user(
    batch_id: int, user: User
) -> tuple[WarningBatch, list[tuple[WarningRecipient, Enterprise, Case]]]:
    """The batch and its recipients with their cases; 404 unless it reached the user's scope."""
    batch = db.session.get(WarningBatch, batch_id)
    rows = [
        (recipient, enterprise, case)
        for recipient, enterprise, case in db.session.execute(
            select(WarningRecipient, Enterprise, Case)
            .join(Enterprise, Enterprise.id == WarningRecipient.enterprise_id)
            .join(Case, Case.id == WarningRecipient.case_id)
            .where(WarningRecipient.batch_id == batch_id)
            .order_by(WarningRecipient.id)
        ).all()
    ]
    scope = scope_of(user)
    if batch is None or (scope is not None and not any(r.unit_code in scope for r, _, _ in rows)):
        raise NotFound(N_("预警批次不存在。"))
    return batch, rows


def public_postings(limit: int = 100) -> list[tuple[WarningBatch, dict[str, object]]]:
    """The risk rows the rule marked public, newest batch first (no enterprise is named)."""
    found = db.session.execute(
        select(WarningBatch).order_by(WarningBatch.id.desc()).limit(limit)
    ).scalars()
    return [(batch, risk) for batch in found for risk in batch.risks if risk.get("public")]
