"""The decision record: what was decided, kept at the moment of the decision, within what the
head approved (the decision step's checks run first). The decision documents are issued from it
and from nothing else, so no later change of the case's data can reach a 决定书
(《行政处罚法》第五十七条、第五十九条)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Case, DecisionRecord, HumanTask, User
from app.platform import InvalidInput

# the decision steps and the kind of decision each takes
DECISION_KINDS = {
    "decision.penalty": "PENALTY",
    "decision.no_penalty": "NO_PENALTY",
    "summary.decision": "SUMMARY",
    # the decision as 复议 or 诉讼 changed it (stage R)
    "relief.changed_decision": "CHANGED",
}
# what a decision document prints of the decision
CONTENT = (
    "facts",
    "legal_basis",
    "sanctions",
    "fine",
    "confiscation_value",
    "decided_on",
    "decision_summary",
    "reason_code",
    "level",
    "location",
)
# the documents issued from a decision record, and the kind of decision each needs
DOCUMENT_DECISIONS = {
    "PENALTY_DECISION": "PENALTY",
    "REPAIR_NOTICE": "PENALTY",
    "NO_PENALTY_DECISION": "NO_PENALTY",
    "SUMMARY_DECISION": "SUMMARY",
    "CHANGED_DECISION": "CHANGED",
}
HEAD_APPROVAL_TASK = "f_head_approval"


def record_decision(
    case: Case, task: HumanTask, decided: dict[str, Any], user: User
) -> DecisionRecord | None:
    """Keep the decision the step took (`decided`: the task's data with the submission over it),
    in the step's transaction; None for a step that takes no decision."""
    kind = DECISION_KINDS.get(task.form_key or "")
    if kind is None:
        return None
    approval = (
        db.session.execute(
            select(HumanTask.completed_by_id)
            .where(
                HumanTask.case_id == case.id,
                HumanTask.bpmn_id == HEAD_APPROVAL_TASK,
                HumanTask.state == "COMPLETED",
            )
            .order_by(HumanTask.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if kind == "PENALTY"
        else None
    )
    record = DecisionRecord(
        case_id=case.id,
        kind=kind,
        decided_on=dt.date.fromisoformat(str(decided["decided_on"])[:10]),
        content={name: decided[name] for name in CONTENT if name in decided},
        approved_by_id=approval,
        decided_by_id=user.id,
        task_id=task.id,
    )
    db.session.add(record)
    return record


def latest(case: Case, kind: str) -> DecisionRecord | None:
    return db.session.execute(
        select(DecisionRecord)
        .where(DecisionRecord.case_id == case.id, DecisionRecord.kind == kind)
        .order_by(DecisionRecord.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def document_data(case: Case, code: str, title: str, data: dict[str, Any]) -> dict[str, Any]:
    """The data a document is written from: for a decision document the decision record over
    the case's data (refused when no decision was recorded); for any other, the case's data."""
    kind = DOCUMENT_DECISIONS.get(code)
    if kind is None:
        return data
    record = latest(case, kind)
    if record is None:
        raise InvalidInput(f"本案尚未作出决定，不能出具{title}：决定书只能依已作出的决定制作。")
    # the decision's own fields come from the record alone, even where it has none
    return {**{k: v for k, v in data.items() if k not in CONTENT}, **record.content}
