"""文号 control: which documents fit a case's stage and path, what a document still lacks (in the
words of the screens), and the numbers of corrections (更正).

A document type is offered when the case has taken the path it belongs to (a case the head
decided to punish is offered the 行政处罚告知书 and the 行政处罚决定书, never the
不予行政处罚决定书) and the stage that produces its content has begun. Once issued, it is not
issued again: it is corrected or revoked, with a reason and a confirmation
(documents.issue with a Change).

A correction keeps the 文号 of the document it corrects, with 更正 after it: in practice a
decision whose clerical errors are corrected (补正、更正) is still the same decision, served,
published and enforced under its number (the publicity record, the 信用修复 and the court
name it); a new number would announce a new decision, and none was taken. So a correction takes
no counter number, and the counters stay gap-free.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from app.enforcement.decision_records import latest
from app.models import Case, Document
from app.reference.documents import DOCUMENT_TYPES, DocumentType
from forms import field_label
from forms.base import N_

# Facts the process computes rather than a screen asks for: how the screens would name them.
COMPUTED_FACTS = {
    "self_check_due": N_("自查整改期限（预警提醒书送达后计算）"),
    "rectify_due": N_("整改期限届满日（责令改正通知书送达后计算）"),
    "reason_code": N_("不予行政处罚的理由"),
    "seize_ext_reason": N_("延长查封、扣押的理由（处理决定选择延长时填写）"),
    "seize_ext_approved_on": N_("负责人批准延长查封、扣押的日期"),
    "seize_due": N_("查封、扣押期限届满日（实施后计算）"),
}


def fact_label(name: str) -> str:
    """A case-data field as an official reads it: the label of the first screen that asks for
    it, or what the process computes; never the field's name."""
    return COMPUTED_FACTS.get(name) or field_label(name)


Fits = Callable[[Case, Mapping[str, Any]], bool]


def _when(field: str) -> Fits:
    """The stage that produces `field` has run: the document belongs to the case from then on."""
    return lambda case, data: data.get(field) not in (None, "", [])


def _decided_to(kind: str, before_decision: bool = False) -> Fits:
    """The head decided `kind` (第五十七条); `before_decision`: only until the decision is taken
    (the 告知书 precedes the decision)."""

    def fits(case: Case, data: Mapping[str, Any]) -> bool:
        recorded = latest(case, kind) is not None
        if before_decision:
            return data.get("head_decision") == kind and not recorded
        return recorded or data.get("head_decision") == kind

    return fits


def _recorded(kind: str) -> Fits:
    return lambda case, data: latest(case, kind) is not None


# document type → when it fits the case (every type an officer issues on its own has a rule)
PATHS: dict[str, Fits] = {
    "WARNING_NOTICE": _when("situation"),
    "NOT_FILED_APPROVAL": _when("not_filed_reason"),
    "EDUCATION_RECORD": _when("educated_on"),
    "RECTIFY_ORDER": _when("requirements"),
    "RECTIFY_CHECK": _when("rectify_due"),
    "PENALTY_NOTICE": _decided_to("PENALTY", before_decision=True),
    "PENALTY_DECISION": _decided_to("PENALTY"),
    "NO_PENALTY_DECISION": _decided_to("NO_PENALTY"),
    "SUMMARY_DECISION": _recorded("SUMMARY"),
    "SEIZURE_EXTENSION": _when("seize_ext_approved_on"),
    "CHANGED_DECISION": _recorded("CHANGED"),
    "REPAIR_DECISION": _when("repair_decided_on"),
    "VISIT_RECORD": _when("visited_on"),
}


def fits(kind: DocumentType, case: Case, data: Mapping[str, Any]) -> bool:
    """Whether the document belongs to the case now; a companion (the 信用修复告知书, the 送达回证)
    belongs where the document it is issued with does."""
    main = next((t for t in DOCUMENT_TYPES.values() if kind.code in t.companions), kind)
    return PATHS[main.code](case, data)


_CORRECTED = re.compile(r"（(?:第\d+次)?更正）$")


def correction_number(corrected: Document) -> str:
    """The 文号 of the version that corrects `corrected`: its own, with 更正 (the second
    correction of one document says so: 第2次更正)."""
    base = _CORRECTED.sub("", corrected.doc_no)
    times = corrected.version  # version 2 is the first correction
    return f"{base}（更正）" if times == 1 else f"{base}（第{times}次更正）"
