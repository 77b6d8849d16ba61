"""What an official document says: the context its template is rendered from, built from the
case's data (for a decision document the decision record), the party and the issuer's settings
(workflows/issuers.toml, per 盟市). Every element DOMAIN.md §c requires of the type is here, in
words: no field name or code reaches a document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.calendar import add_months
from app.clock import china_today
from app.enforcement import relief
from app.enforcement.investigators import INVESTIGATOR, officers_of
from app.enforcement.library import LEVEL_LABELS
from app.extensions import db
from app.models import Case, DecisionRecord, Document, HumanTask, User, ViolationType
from app.platform.decisions import evaluate
from app.platform.parameters import issuer_settings, values_in_force
from app.prevention import guidance
from app.reference.documents import DocumentType
from app.reference.enterprise import PARTY_TYPE_LABELS, PartyType
from forms.choices import (
    EXEMPT_LISTS,
    NOT_FILED_REASONS,
    SANCTIONS,
    SERVICE_METHODS,
    SITUATIONS,
    SOURCES,
)

SANCTION_LABELS = dict(SANCTIONS)
NOT_FILED_LABELS, SOURCE_LABELS = dict(NOT_FILED_REASONS), dict(SOURCES)
EXEMPT_LIST_LABELS, SERVICE_LABELS = dict(EXEMPT_LISTS), dict(SERVICE_METHODS)
SITUATION_LABELS = dict(SITUATIONS)
NOT_FILED_TASK = "c_not_filed"
LAW = "《中华人民共和国行政处罚法》"
REASONS = {
    "MINOR_CORRECTED_NO_HARM": f"违法行为轻微并及时改正，没有造成危害后果（{LAW}第三十三条第一款）",
    "FIRST_OFFENSE": f"初次违法且危害后果轻微并及时改正（{LAW}第三十三条第一款）",
    "NO_FAULT": f"有证据足以证明没有主观过错（{LAW}第三十三条第二款）",
    "LIMITATION": f"违法行为在法定期限内未被发现（{LAW}第三十六条）",
    "MINOR_AGE": f"不满十四周岁的未成年人（{LAW}第三十条）",
}
# the heavier penalties whose publicity may not end early (公示规定第十四条第三款)
HEAVY = (
    "STOP_BUSINESS",
    "RESTRICT_PRACTICE",
    "LOWER_QUALIFICATION",
    "REVOKE_LICENSE",
    "REVOKE_BIZ_LICENSE",
    "CLOSE",
)
# the documents dated with the decision they record (第五十九条第六项: 作出决定的日期)
DATED_BY_DECISION = (
    "PENALTY_DECISION",
    "NO_PENALTY_DECISION",
    "CHANGED_DECISION",
    "SUMMARY_DECISION",
)
NUMERALS = "〇一二三四五六七八九十"


def cn_count(number: int) -> str:
    """A small count as documents write it: 6 → 六, 12 → 十二, 60 → 六十."""
    if number <= 10:
        return NUMERALS[number]
    tens, ones = divmod(number, 10)
    return (NUMERALS[tens] if tens > 1 else "") + "十" + (NUMERALS[ones] if ones else "")


def context(
    case: Case, kind: DocumentType, data: dict[str, Any], doc_no: str, unit: str
) -> dict[str, Any]:
    today = china_today()
    values = values_in_force(today)
    org = issuer_settings(unit, today)
    violation, violated, penalty_basis = provisions(case, data)
    sanctions = [str(s) for s in data.get("sanctions") or []]
    result: dict[str, Any] = {
        "case": case,
        "data": data,
        "doc_no": doc_no,
        "title": kind.title,
        "issuer": org["name"],
        "org": org,
        "party": party_of(case),
        "limits": {
            "pay": cn_count(int(values["PAY_FINE_CD"])),
            "late_pct": cn_count(int(values["LATE_FEE_DAILY_PCT"])),
            "reconsideration": cn_count(int(values["RECONSIDERATION_CD"])),
            "litigation": cn_count(int(values["LITIGATION_MONTHS"])),
        },
        "sanctions": "、".join(SANCTION_LABELS.get(s, s) for s in sanctions),
        "fined": bool(data.get("fine")) and "FINE" in sanctions,
        "confiscated": [SANCTION_LABELS[s] for s in sanctions if s.startswith("CONFISCATE_")],
        "reason": REASONS.get(str(data.get("reason_code")), "依法可以不予行政处罚"),
        "today": today,
        "signed_on": data.get("decided_on") if kind.code in DATED_BY_DECISION else None,
        "situation": SITUATION_LABELS.get(str(data.get("situation")), ""),
        "investigators": officers_of(case.id, INVESTIGATOR),
        "violation": violation,
        "violated": violated,
        "penalty_basis": penalty_basis,
        "not_filed_reason": NOT_FILED_LABELS.get(str(data.get("not_filed_reason"))),
        "source": SOURCE_LABELS.get(str(data.get("source")), ""),
        "exempt_list": EXEMPT_LIST_LABELS.get(str(data.get("on_exempt_list")))
        if data.get("on_exempt_list") not in (None, "", "NONE")
        else None,
        "level": LEVEL_LABELS.get(str(data.get("level")), ""),
        "hearing": hearing_account(data),
        "service_method": SERVICE_LABELS.get(str(data.get("service_method")), ""),
    }
    if kind.code == "NOT_FILED_APPROVAL":  # the head who approved it
        result["approver"] = _completed_by(case, NOT_FILED_TASK)
    if kind.code in ("REPAIR_NOTICE", "PENALTY_DECISION"):
        result["repair"] = repair_outlook(case, data, values)
    if kind.code == "SUMMARY_DECISION":  # the officer who decided on the spot signs it
        result["signer"] = _decided_by(case, "SUMMARY")
    if kind.code == "CHANGED_DECISION":  # what changed it, from the relief ledger
        result.update(relief.change_of(case.id))
    if kind.code == "WARNING_NOTICE":  # 附：合规指引清单 of the party's domain, as published
        result["guidance"] = guidance.items(published_only=True, domain=case.enterprise.domain)
    return result


def provisions(
    case: Case, data: Mapping[str, Any]
) -> tuple[ViolationType | None, str | None, str | None]:
    """The case's violation type, the provision breached and the one the penalty rests on, each
    on its own (第五十九条第二、三项); a case outside the catalogue has them as typed together."""
    code = data.get("violation_code") or case.violation_code
    violation = db.session.get(ViolationType, code) if code else None
    if violation is not None:
        return violation, violation.violated_provision, violation.penalty_provision
    return None, data.get("legal_basis"), data.get("legal_basis")


def party_of(case: Case) -> dict[str, str]:
    """The party block (DOMAIN.md §c PARTY_BLOCK): name, code, 住所, who represents it."""
    enterprise = case.enterprise
    natural = enterprise.party_type == PartyType.NATURAL
    representative = {
        PartyType.NATURAL: "",
        PartyType.INDIVIDUAL_BIZ: "经营者",
        PartyType.LEGAL_PERSON: "法定代表人",
        PartyType.OTHER_ORG: "负责人",
    }[PartyType(enterprise.party_type)]
    return {
        "name": enterprise.name,
        "kind": PARTY_TYPE_LABELS[PartyType(enterprise.party_type)],
        "code_label": "身份证件号码" if natural else "统一社会信用代码",
        "code": enterprise.credit_code,
        "address_label": "住址" if natural else "住所（经营场所）",
        "address": enterprise.address or "",
        "representative_label": representative,
        "representative": enterprise.legal_representative or "",
        "you": "你" if natural else "你单位",
    }


def hearing_account(data: dict[str, Any]) -> list[str]:
    """How the party's statement, defence and hearing were dealt with (裁量说明, C10)."""
    lines: list[str] = []
    if data.get("rights_waived") == "WRITTEN":
        lines.append("当事人书面明确放弃陈述、申辩和听证的权利。")
    elif data.get("rights_waived") == "SILENT":
        lines.append("当事人在法定期限内未提出陈述、申辩，未要求听证。")
    statements = [s.get("text", "") for s in data.get("party_statements") or [] if s]
    if statements:
        lines.append(f"当事人提出陈述、申辩：{'；'.join(statements)}。")
    if data.get("hearing_held"):
        lines.append(f"本局依法举行了听证。听证情况：{data.get('hearing_summary') or ''}")
    elif data.get("hearing_requested"):
        lines.append("当事人要求听证，经依法通知，无正当理由未参加听证，视为放弃听证权利。")
    if statements or data.get("hearing_held"):
        adopted = "予以采纳" if data.get("statement_adopted") else "不予采纳"
        notes = data.get("review_notes") or ""
        lines.append(f"经复核，本局对当事人的陈述、申辩意见{adopted}。{notes}")
    return lines


def repair_outlook(case: Case, data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The credit-repair notice's statements (C12): the publicity period (DMN-C1), whether and
    from when repair can be applied for (DMN-C2), counted from the publication date (公示之日);
    before the publication the date is not known and the rule is stated instead."""
    sanctions = list(data.get("sanctions") or [])
    published = data.get("published_on")
    party_type = case.enterprise.party_type
    case_values = {"low_fine_province": data.get("low_fine_province")}
    period = evaluate(
        "publicity",
        {
            "procedure": "ORDINARY",
            "outcome": "PUNISH",
            "sanctions": sanctions,
            "fine": data.get("fine") or 0,
            "party_type": party_type,
        },
        case_values=case_values,
    )["outputs"]
    answer = evaluate(
        "credit_repair_eligibility",
        {
            "sanctions": sanctions,
            "domain": case.enterprise.domain,
            "fine": data.get("fine") or 0,
            "party_type": party_type,
            # the date only matters to the earliest date, and that is printed only when known
            "published_on": str(published or data.get("decided_on")),
            "obligations_performed": True,
            "harm_eliminated": True,
        },
        case_values=case_values,
    )
    months = (
        values["REPAIR_MIN_MONTHS_FOOD_DRUG_SE"]
        if case.enterprise.domain in ("FOOD", "DRUG", "SPECIAL_EQUIP")
        else values["REPAIR_MIN_MONTHS"]
    )
    natural = party_type == PartyType.NATURAL or (
        party_type == PartyType.INDIVIDUAL_BIZ and values["INDIVIDUAL_BIZ_AS_NATURAL"]
    )
    low_fine = values["IM_LOW_FINE_NATURAL"] if natural else values["IM_LOW_FINE_ORG"]
    published_on = dt.date.fromisoformat(str(published)[:10]) if published else None
    return {
        "repairable": answer["outputs"]["repairable"],
        "publish": period["publish"],
        "period_months": period["period_months"],
        "short": period["period_months"] == 3,
        "months": cn_count(int(months)),
        "published_on": published_on,
        "earliest": add_months(published_on, int(months)) if published_on else None,
        "low_fine": low_fine,
        "natural": natural,
        "accept": cn_count(int(values["REPAIR_ACCEPT_WD"])),
        "decide": cn_count(int(values["REPAIR_DECIDE_WD"])),
        "stop": cn_count(int(values["REPAIR_STOP_PUBLISH_WD"])),
        "heavy": [SANCTION_LABELS[s] for s in HEAVY],
    }


def served_with(main: Document) -> dict[str, Any]:
    """What a companion of `main` names: the decision's 文号 (the repair notice) and the
    documents served together (the 送达回证 lists them, never itself)."""
    documents = db.session.execute(
        select(Document)
        .where(
            (Document.id == main.id) | (Document.issued_with_id == main.id),
            Document.doc_type != "SERVICE_RECEIPT",
        )
        .order_by(Document.id)
    ).scalars()
    return {
        "decision_no": main.doc_no,
        "served": [f"{d.title}（{d.doc_no}）" for d in documents],
    }


def _completed_by(case: Case, bpmn_id: str) -> str | None:
    name: str | None = db.session.execute(
        select(User.display_name)
        .join(HumanTask, HumanTask.completed_by_id == User.id)
        .where(HumanTask.case_id == case.id, HumanTask.bpmn_id == bpmn_id)
        .order_by(HumanTask.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return name


def _decided_by(case: Case, kind: str) -> User | None:
    """Who took the case's latest decision of `kind` (the officer of an on-the-spot decision)."""
    user: User | None = db.session.execute(
        select(User)
        .join(DecisionRecord, DecisionRecord.decided_by_id == User.id)
        .where(DecisionRecord.case_id == case.id, DecisionRecord.kind == kind)
        .order_by(DecisionRecord.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return user
