"""Official document types (DOMAIN.md §c) and the 文号 abbreviations of the issuing bodies."""

from __future__ import annotations

from dataclasses import dataclass

# Issuing body (the 盟市-level unit) → the abbreviation that opens its document numbers.
ISSUER_SHORT = {
    "150000": "内",
    "150100": "呼",
    "150200": "包",
    "150300": "乌海",
    "150400": "赤",
    "150500": "通",
    "150600": "鄂",
    "150700": "呼伦贝尔",
    "150800": "巴彦淖尔",
    "150900": "乌兰察布",
    "152200": "兴安",
    "152500": "锡林郭勒",
    "152900": "阿拉善",
    "150781": "满洲里",
    "152501": "二连浩特",
}


@dataclass(frozen=True)
class DocumentType:
    code: str
    title: str
    short: str  # the type part of the 文号
    required: tuple[str, ...]  # case data that must be present before the document is issued
    companions: tuple[str, ...] = ()  # issued in the same transaction (两书同达)


DOCUMENT_TYPES = {
    t.code: t
    for t in (
        DocumentType(
            "WARNING_NOTICE",
            "违法风险预警提醒书",
            "预警",
            ("situation", "risk_summary", "served_on", "self_check_due"),
        ),
        DocumentType(
            "RECTIFY_ORDER",
            "责令改正通知书",
            "责改",
            ("requirements", "rectify_days", "order_served_on"),
        ),
        DocumentType(
            "PENALTY_NOTICE",
            "行政处罚告知书",
            "罚告",
            ("facts", "legal_basis", "sanctions", "proposed_fine"),
        ),
        DocumentType(
            "PENALTY_DECISION",
            "行政处罚决定书",
            "处罚",
            ("facts", "legal_basis", "sanctions", "fine", "decided_on"),
            ("REPAIR_NOTICE", "SERVICE_RECEIPT"),
        ),
        DocumentType(
            "CHANGED_DECISION",
            "变更后的行政处罚决定书",
            "变更",
            ("sanctions", "fine", "decided_on", "decision_summary"),
        ),
        DocumentType(
            "SUMMARY_DECISION",
            "当场行政处罚决定书",
            "当罚",
            ("facts", "legal_basis", "sanctions", "decided_on", "location"),
        ),
        DocumentType(
            "SEIZURE_EXTENSION",
            "延长查封（扣押）期限通知书",
            "延扣",
            ("seized_on", "seized_items", "seize_ext_reason", "seize_ext_approved_on", "seize_due"),
        ),
        DocumentType("REPAIR_NOTICE", "行政处罚信息信用修复告知书", "修复", ("decided_on",)),
        DocumentType("SERVICE_RECEIPT", "送达回证", "送达", ()),
        DocumentType(
            "NO_PENALTY_DECISION",
            "不予行政处罚决定书",
            "不罚",
            ("facts", "legal_basis", "reason_code", "decided_on"),
        ),
        DocumentType(
            "RECTIFY_CHECK",
            "整改复查（核查）记录",
            "复查",
            ("requirements", "order_served_on", "rectify_due", "verify_result"),
        ),
        DocumentType(
            "REPAIR_DECISION",
            "信用修复决定书",
            "修复决",
            ("repair_decided_on", "verification_method", "repair_approved", "decision_reason"),
        ),
        DocumentType(
            "NOT_FILED_APPROVAL",
            "不予立案审批表",
            "不立",
            ("source", "found_on", "clue_summary", "not_filed_reason"),
        ),
        DocumentType("EDUCATION_RECORD", "教育记录", "教育", ("educated_on", "education")),
        DocumentType(
            "VISIT_RECORD",
            "案件回访记录",
            "回访",
            ("visited_on", "rectification_ok", "conduct_ok", "rights_informed", "integrity_ok"),
        ),
    )
}
# Issued on their own; the repair notice and the service receipt come with the decision.
ISSUABLE = (
    "WARNING_NOTICE",
    "NOT_FILED_APPROVAL",
    "EDUCATION_RECORD",
    "SEIZURE_EXTENSION",
    "RECTIFY_ORDER",
    "RECTIFY_CHECK",
    "PENALTY_NOTICE",
    "SUMMARY_DECISION",
    "PENALTY_DECISION",
    "NO_PENALTY_DECISION",
    "CHANGED_DECISION",
    "REPAIR_DECISION",
    "VISIT_RECORD",
)
