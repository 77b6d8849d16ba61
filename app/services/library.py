"""The 执法案例库: entries written when a closed case is catalogued, read as similar cases."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Case, CaseLibraryEntry

LIBRARY_FORM = "closure.library"
RECENT_SHOWN = 5
MEDIAN_WINDOW = 200  # the latest entries the median is taken over


@dataclass(frozen=True)
class SimilarCase:
    case_id: int
    case_no: str
    fine: float
    decided_on: dt.date | None


@dataclass(frozen=True)
class SimilarCases:
    violation_type: str
    level: str
    count: int
    median: float | None
    recent: list[SimilarCase]


def add_entry(case: Case, data: Mapping[str, Any], submitted: Mapping[str, Any]) -> None:
    """Catalogue the case with what the case data says of its level, fine and decision date."""
    fine = data.get("fine")
    decided_on = data.get("decided_on")
    db.session.add(
        CaseLibraryEntry(
            case_id=case.id,
            region_code=case.region_code,
            violation_type=str(submitted.get("violation_type") or "").strip(),
            level=data.get("level"),
            # the case data carries 0 when no fine was imposed: not a data point for medians
            fine=float(fine) if isinstance(fine, int | float) and fine > 0 else None,
            decided_on=dt.date.fromisoformat(decided_on) if isinstance(decided_on, str) else None,
            summary=submitted.get("library_summary"),
        )
    )


def similar_cases(violation_type: str, level: str, exclude_case: int) -> SimilarCases:
    """Fined cases of the same violation type and discretion level, newest first."""
    rows = db.session.execute(
        select(
            CaseLibraryEntry.case_id,
            Case.case_no,
            CaseLibraryEntry.fine,
            CaseLibraryEntry.decided_on,
        )
        .join(Case, Case.id == CaseLibraryEntry.case_id)
        .where(
            CaseLibraryEntry.violation_type == violation_type,
            CaseLibraryEntry.level == level,
            CaseLibraryEntry.fine.is_not(None),
            CaseLibraryEntry.case_id != exclude_case,
        )
        .order_by(CaseLibraryEntry.decided_on.desc(), CaseLibraryEntry.id.desc())
        .limit(MEDIAN_WINDOW)
    ).all()
    cases = [
        SimilarCase(case_id, case_no, fine, on)
        for case_id, case_no, fine, on in rows
        if fine is not None  # filtered above; this tells the type checker
    ]
    return SimilarCases(
        violation_type,
        level,
        len(cases),
        statistics.median(c.fine for c in cases) if cases else None,
        cases[:RECENT_SHOWN],
    )
