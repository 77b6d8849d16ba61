"""案卷评查 (DOMAIN.md C18, J3): draw closed case files, score each against the checklist with
the mechanical items answered from the record, record findings, report per 盟市.

A random draw records its candidates (in order) and its seed, so anyone can repeat it and get
the same files; a sample cannot be edited afterwards, only scored.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.clock import day_bounds, utcnow
from app.enforcement.document_elements import missing_elements
from app.extensions import db
from app.models import (
    AuditEvent,
    Case,
    CaseFact,
    Document,
    HumanTask,
    ReviewItem,
    ReviewSample,
    User,
)
from app.platform import Forbidden, InvalidInput, NotFound
from app.platform.audit import record
from app.platform.parameters import work_calendar
from app.platform.regions import region_tree
from app.supervision.dashboard import parse_filters
from forms.base import N_

SCORES = {"PASS": N_("合格"), "FLAW": N_("瑕疵"), "FAIL": N_("不合格"), "NA": N_("不适用")}
SERVICE_WD = 7  # 《行政处罚法》第六十一条: served within 7 days (working days, DOMAIN.md G3)
PUBLICITY_WD = 20
MAX_SAMPLE = 200


@dataclass(frozen=True)
class CaseRecord:
    """What the checks read: the case's completed screens, documents, facts and events."""

    tasks: Mapping[str, Mapping[str, Any]]  # bpmn id → submitted data of its last completion
    documents: frozenset[str]  # the types issued and not revoked
    # decision document type → the required elements its issued PDF does not state
    unstated: Mapping[str, tuple[str, ...]]
    fact: CaseFact
    events: frozenset[str]


Check = Callable[[CaseRecord], bool | None]  # None: does not apply, or the data cannot tell


def _approved(bpmn_id: str) -> Check:
    return lambda r: bool(r.tasks[bpmn_id].get("approved")) if bpmn_id in r.tasks else None


def _two_officers(r: CaseRecord) -> bool | None:
    names = str(r.tasks.get("c_assign", {}).get("case_officers") or "")
    parts = [n for n in names.replace("，", "、").replace(",", "、").split("、") if n.strip()]
    return len(parts) >= 2 if "c_assign" in r.tasks else None


def _reviewed(r: CaseRecord) -> bool | None:
    if "e_case_review" not in r.tasks:
        return None
    heard_then_reviewed = "f_hold_hearing" not in r.tasks or "f_post_hearing_review" in r.tasks
    return bool(r.tasks["e_case_review"].get("approved")) and heard_then_reviewed


def _notified(r: CaseRecord) -> bool | None:
    if r.fact.decision != "PENALTY":
        return None
    return "PENALTY_NOTICE" in r.documents and "f_serve_notice" in r.tasks


def _heard(r: CaseRecord) -> bool | None:
    return "f_hold_hearing" in r.tasks if "hearing_request" in r.events else None


DECISION_DOCUMENTS = {"PENALTY": "PENALTY_DECISION", "NO_PENALTY": "NO_PENALTY_DECISION"}


def _decided(r: CaseRecord) -> bool | None:
    """The 决定书 was issued and its PDF states every element of 第五十九条 (read from the PDF's
    own text: app/enforcement/document_elements.py)."""
    code = DECISION_DOCUMENTS.get(r.fact.decision or "")
    if code is None:
        return None
    return code in r.documents and not r.unstated.get(code)


def _within(days: int, start: dt.date | None, end: Any) -> bool | None:
    if start is None or not end:
        return None
    due = work_calendar().deadline(start, days, "working_days").due
    return dt.date.fromisoformat(str(end)[:10]) <= due


def _served(r: CaseRecord) -> bool | None:
    task = {"PENALTY": "g_serve_two", "NO_PENALTY": "g_serve_no_penalty"}.get(r.fact.decision or "")
    if task is None:
        return None
    served_on = r.tasks.get(task, {}).get("served_on")
    return _within(SERVICE_WD, r.fact.decided_on, served_on) if served_on else False


def _paid(r: CaseRecord) -> bool | None:
    if r.fact.decision != "PENALTY" or not r.fact.fine:
        return None
    payment = r.tasks.get("h_payment", {}).get("payment_status")
    return (
        payment == "PAID"
        or "h_court" in r.tasks
        or bool(r.tasks.get("h_after_urge", {}).get("paid_after_urge"))
    )


# (code, name, what is checked) — DOMAIN.md C18; each scored 合格 / 瑕疵 / 不合格 (or 不适用)
CHECKLIST: tuple[tuple[str, str, str, Check], ...] = (
    (
        "filing",
        N_("立案"),
        N_("立案经负责人批准，立案条件齐备（第五十四条）"),
        _approved("c_filing_approval"),
    ),
    ("investigation", N_("调查"), N_("执法人员不少于两人（第四十二条）"), _two_officers),
    (
        "review",
        N_("审核"),
        N_("案件审核通过；举行听证的经听证后法制审核（第五十八条）"),
        _reviewed,
    ),
    ("notice", N_("告知"), N_("行政处罚告知书已出具并送达（第四十四条）"), _notified),
    ("hearing", N_("听证"), N_("当事人要求听证的，已举行听证（第六十四条）"), _heard),
    ("decision", N_("决定"), N_("决定书已出具，第五十九条要素齐全并加盖印章"), _decided),
    ("service", N_("送达"), N_("决定书七个工作日内送达（第六十一条）"), _served),
    (
        "publicity",
        N_("公示"),
        N_("按期公示（决定后二十个工作日；外省登记的十个工作日内推送、登记地收到后十个工作日）"),
        lambda r: r.fact.published_in_time,
    ),
    ("execution", N_("执行"), N_("罚款已缴纳，或已依法催告、申请强制执行"), _paid),
    (
        "discretion",
        N_("裁量"),
        N_("裁量阶次已确定，与理由一致；偏离类案有书面说明"),
        lambda r: r.fact.level is not None if r.fact.decision else None,
    ),
    (
        "visit",
        N_("回访"),
        N_("已回访（实施意见 三(四)14）"),
        lambda r: r.fact.visited_on is not None,
    ),
)
ITEM_CODES = tuple(code for code, *_ in CHECKLIST)


def record_of(case_id: int) -> CaseRecord:
    tasks = db.session.execute(
        select(HumanTask.bpmn_id, HumanTask.submitted_data)
        .where(HumanTask.case_id == case_id, HumanTask.state == "COMPLETED")
        .order_by(HumanTask.completed_at)
    ).all()
    documents = list(
        db.session.execute(
            select(Document)
            .where(Document.case_id == case_id, Document.status != "REVOKED")
            .order_by(Document.id)
        ).scalars()
    )
    in_force = {d.doc_type: d for d in documents if d.status == "LIVE"}
    events = db.session.execute(
        select(AuditEvent.action).where(
            AuditEvent.object_type == "case", AuditEvent.object_id == str(case_id)
        )
    ).scalars()
    fact = db.session.get(CaseFact, case_id)
    if fact is None:  # pragma: no cover - every case has one
        raise NotFound(N_("案件不存在。"))
    return CaseRecord(
        {bpmn_id: data or {} for bpmn_id, data in tasks},
        frozenset(d.doc_type for d in documents),
        {
            code: tuple(missing_elements(in_force[code]))
            for code in DECISION_DOCUMENTS.values()
            if code in in_force
        },
        fact,
        frozenset(events),
    )


def prechecks(case_id: int) -> dict[str, bool | None]:
    found = record_of(case_id)
    return {code: check(found) for code, _, _, check in CHECKLIST}


def _candidates(user: User, unit: str | None, since: dt.date, until: dt.date) -> list[int]:
    filters = parse_filters(user, {"unit": unit or ""})  # the 盟市 the reviewer may draw from
    start, end = day_bounds(since, until)
    return list(
        db.session.execute(
            select(Case.id)
            .join(CaseFact, CaseFact.case_id == Case.id)
            .where(
                Case.status == "CLOSED",
                Case.closed_at >= start,
                Case.closed_at < end,
                CaseFact.decision.is_not(None),  # a case file with a decision to review
                CaseFact.unit_code.in_([filters.unit] if filters.unit else filters.units),
            )
            .order_by(Case.id)
        ).scalars()
    )


def draw(
    user: User,
    *,
    unit: str | None,
    since: dt.date,
    until: dt.date,
    size: int,
    case_numbers: Iterable[str] = (),
    note: str = "",
) -> ReviewSample:
    """A random draw of `size` files (or, with case numbers, exactly those files), in one
    transaction with its items and their pre-checks."""
    candidates = _candidates(user, unit, since, until)
    wanted = [n.strip() for n in case_numbers if n.strip()]
    if wanted:
        found = {
            case_no: case_id
            for case_no, case_id in db.session.execute(
                select(Case.case_no, Case.id).where(Case.case_no.in_(wanted))
            )
        }
        outside = [n for n in wanted if found.get(n) not in candidates]
        if outside:
            raise InvalidInput(N_("以下案件不在所选范围内已结案的案件中：") + "、".join(outside))
        method, seed, chosen = "TARGETED", None, [found[n] for n in wanted]
    else:
        if not 1 <= size <= MAX_SAMPLE:
            raise InvalidInput(N_("抽取数量应在 1 至 200 件之间。"))
        if not candidates:
            raise InvalidInput(N_("所选范围内没有已结案的案件。"))
        method, seed = "RANDOM", secrets.token_hex(8)
        chosen = repeat_draw(candidates, seed, size)
    sample = ReviewSample(
        method=method,
        unit_code=unit or None,
        closed_from=since,
        closed_to=until,
        seed=seed,
        candidates=candidates,
        note=note or None,
        drawn_by_id=user.id,
    )
    db.session.add(sample)
    db.session.flush()
    tree = region_tree()
    for case_id in chosen:
        case = db.session.get(Case, case_id)
        assert case is not None  # noqa: S101 - chosen among existing cases
        db.session.add(
            ReviewItem(
                sample_id=sample.id,
                case_id=case_id,
                unit_code=tree.unit_of(case.region_code),
                prechecks=prechecks(case_id),
            )
        )
    record(
        "draw_review_sample",
        "review",
        sample.id,
        actor=user,
        region_code=unit or None,
        method=method,
        seed=seed,
        candidates=len(candidates),
        chosen=chosen,
    )
    db.session.commit()
    return sample


def repeat_draw(candidates: list[int], seed: str, size: int) -> list[int]:
    """The draw itself: the same candidates and seed always give the same files."""
    return sorted(random.Random(seed).sample(candidates, min(size, len(candidates))))  # noqa: S311 - a reproducible sample, not a secret


def get_sample(sample_id: int, user: User) -> tuple[ReviewSample, list[ReviewItem]]:
    sample = db.session.get(ReviewSample, sample_id)
    if sample is None:
        raise NotFound(N_("评查批次不存在。"))
    items = list(
        db.session.execute(
            select(ReviewItem).where(ReviewItem.sample_id == sample_id).order_by(ReviewItem.case_id)
        ).scalars()
    )
    units = set(parse_filters(user, {}).units)
    if not all(item.unit_code in units for item in items):
        raise Forbidden(N_("无权查看其他地区的评查。"))
    return sample, items


def reproduces(sample: ReviewSample, items: list[ReviewItem]) -> bool | None:
    if sample.method != "RANDOM" or sample.seed is None:
        return None
    return repeat_draw(sample.candidates, sample.seed, len(items)) == sorted(
        i.case_id for i in items
    )


def samples(user: User) -> list[ReviewSample]:
    units = set(parse_filters(user, {}).units)
    rows = db.session.execute(select(ReviewSample).order_by(ReviewSample.id.desc()).limit(100))
    return [s for s in rows.scalars() if s.unit_code is None or s.unit_code in units]


def get_item(item_id: int, user: User) -> ReviewItem:
    found = db.session.get(ReviewItem, item_id)
    if found is None:
        raise NotFound(N_("评查案卷不存在。"))
    get_sample(found.sample_id, user)  # the region check
    return found


def score(item_id: int, scores: Mapping[str, str], findings: str, user: User) -> ReviewItem:
    item = get_item(item_id, user)
    missing = [code for code in ITEM_CODES if scores.get(code) not in SCORES]
    if missing:
        raise InvalidInput(N_("每一项都要评定（合格、瑕疵、不合格或不适用）。"))
    faulty = any(scores[code] in ("FLAW", "FAIL") for code in ITEM_CODES)
    findings = findings.strip()
    if faulty and not findings:
        raise InvalidInput(N_("有瑕疵或不合格的，须写明评查意见。"))
    if len(findings) > 4000:
        raise InvalidInput(N_("评查意见不得超过 4000 字。"))
    item.scores = {code: scores[code] for code in ITEM_CODES}
    item.findings = findings or None
    item.reviewed_by_id, item.reviewed_at = user.id, utcnow()
    record(
        "score_review_item",
        "case",
        item.case_id,
        actor=user,
        region_code=item.case.region_code,
        sample=item.sample_id,
        scores=item.scores,
        findings=item.findings,
    )
    db.session.commit()
    return item


@dataclass(frozen=True)
class UnitResult:
    unit_code: str
    files: int
    reviewed: int
    clean: int  # every item 合格 or 不适用
    counts: Mapping[str, int]  # PASS / FLAW / FAIL / NA over all items
    failing_items: Mapping[str, int]  # item → files where it is 瑕疵 or 不合格


def unit_report(items: Iterable[ReviewItem]) -> list[UnitResult]:
    by_unit: dict[str, list[ReviewItem]] = defaultdict(list)
    for item in items:
        by_unit[item.unit_code].append(item)
    results = []
    for unit, unit_items in sorted(by_unit.items()):
        scored = [i.scores for i in unit_items if i.scores]
        counts = Counter(value for scores in scored for value in scores.values())
        failing = Counter(
            code for scores in scored for code, value in scores.items() if value in ("FLAW", "FAIL")
        )
        clean = sum(1 for scores in scored if set(scores.values()) <= {"PASS", "NA"})
        results.append(UnitResult(unit, len(unit_items), len(scored), clean, counts, failing))
    return results
