"""A rectification check that finds the violation not corrected (DOMAIN.md I1): the party's
failure is a new clue, opened as a case of its own — its own number, instance and clue
registration, naming the case it follows — while the checked case goes on to its visit and
closure. (Refusing to correct after an order may be an aggravating circumstance of the new case.)"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.clock import china_today
from app.enforcement.cases import open_case
from app.extensions import db
from app.models import Case, ProcessVersion, User

VERIFY_FORM = "rectification.verify"


def failed(form_key: str | None, case_data: Mapping[str, Any]) -> bool:
    """The check just done found the order not followed: the diagram's stage I says so (an
    inspection's own re-check, B, uses the same screen and turns into a clue of its own case)."""
    return form_key == VERIFY_FORM and case_data.get("i_result") == "NEW_CLUE"


def open_follow_up(case: Case, data: dict[str, Any], user: User) -> Case:
    """Open the new clue case in the caller's transaction (the check's own)."""
    process_id = db.session.execute(
        select(ProcessVersion.process_id).where(ProcessVersion.id == case.process_version_id)
    ).scalar_one()
    notes = str(data.get("verify_notes") or "").strip()
    # the clue as the registration form will show it (case data, kept in the record's language)
    summary = f"案件{case.case_no}责令改正后，经复查逾期未改正。{notes}"
    follow_up, _ = open_case(
        user,
        process_id,
        case.enterprise_id,
        f"{case.title}（逾期未改正）",
        "CLUE",
        known={
            "clue_summary": summary,
            "found_on": china_today().isoformat(),
            "follows_case_no": case.case_no,
        },
    )
    follow_up.follows_case_id = case.id
    return follow_up


@dataclass(frozen=True)
class LinkedCases:
    follows: Case | None  # the case whose failed check opened this one
    followed_by: list[Case]  # the cases this one's failed checks opened


def linked_cases(case: Case) -> LinkedCases:
    follows = db.session.get(Case, case.follows_case_id) if case.follows_case_id else None
    followed_by = db.session.execute(
        select(Case).where(Case.follows_case_id == case.id).order_by(Case.id)
    ).scalars()
    return LinkedCases(follows, list(followed_by))
