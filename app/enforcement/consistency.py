"""`tijian verify`: do the rows the services keep agree with the engine state they mirror?

Every write mirrors an engine run into rows in the same transaction (case stage and status,
READY task rows, the timer job and deadline rows, the open stage visit, the facts row) and
chains an audit entry. After a crash, a restore or a manual repair, this walks every case and
says where they disagree: running instances are loaded (without running a step) and compared
with their rows; finished ones must have left nothing waiting. Every issued document's PDF must
be the file whose hash was stored, carry its issuer's valid electronic signature over the whole
file (enforcement/signing.py: a hash in the same database proves nothing against someone who
can write both), and draw its Chinese with an embedded font (documents issued before the
project shipped its own font may show empty boxes; docs/operations.md says how to re-issue them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.enforcement.pdf import chinese_glyphs
from app.enforcement.signing import check_signature
from app.enforcement.worker import IDLE_DELAY
from app.engine import EngineError, RunResult
from app.extensions import db
from app.models import (
    Case,
    CaseFact,
    Deadline,
    Document,
    HumanTask,
    Job,
    StageVisit,
    WorkflowInstance,
)
from app.platform.audit import ChainReport, verify_chain
from app.platform.scheduling import CASE_CLOCK
from app.platform.workflows import engine

BATCH = 500
SLACK = dt.timedelta(seconds=1)  # stored times lose sub-second precision on some databases


@dataclass(frozen=True)
class Problem:
    case_no: str
    what: str


@dataclass
class Report:
    cases: int = 0
    loaded: int = 0  # running instances compared with their engine state
    documents: int = 0  # issued documents in force that were checked
    problems: list[Problem] = field(default_factory=list)
    audit: ChainReport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.audit is not None and self.audit.intact


def verify(max_problems: int = 200) -> Report:
    report = Report()
    for pairs in _batches():
        ids = [instance.id for _, instance in pairs]
        ready = _grouped(
            HumanTask.instance_id, HumanTask.task_guid, ids, HumanTask.state == "READY"
        )
        jobs = _grouped(Job.instance_id, Job.due_at, ids)
        deadlines = _grouped(Deadline.instance_id, Deadline.element_id, ids)
        case_ids = [case.id for case, _ in pairs]
        visits = _grouped(
            StageVisit.case_id, StageVisit.stage, case_ids, StageVisit.left_at.is_(None)
        )
        facts = set(
            db.session.execute(
                select(CaseFact.case_id).where(CaseFact.case_id.in_(case_ids))
            ).scalars()
        )
        for case, instance in pairs:
            report.cases += 1
            found = _check(
                case,
                instance,
                set(ready[instance.id]),
                jobs[instance.id],
                set(deadlines[instance.id]),
                visits[case.id],
                case.id in facts,
                report,
            )
            report.problems.extend(Problem(case.case_no, what) for what in found)
        if len(report.problems) >= max_problems:
            break
        db.session.expunge_all()  # a province's cases do not fit in one session's memory
    if len(report.problems) < max_problems:
        _check_documents(report, max_problems)
    report.audit = verify_chain()
    return report


def _check_documents(report: Report, max_problems: int) -> None:
    """Every document in force (not superseded by a correction) must still be the PDF that was
    issued, signed by its issuer (one issued before signing began is named too, to be re-issued
    as a correction), and draw its Chinese: one issued since the project ships its font records
    it (the renderer refused any PDF without it); the PDF of one issued before is read."""
    correction = aliased(Document)
    superseded = select(correction.id).where(correction.supersedes_id == Document.id).exists()
    last = 0
    while len(report.problems) < max_problems:
        rows = db.session.execute(
            select(
                Document.id,
                Document.title,
                Document.doc_no,
                Document.pdf,
                Document.content_hash,
                Document.font,
                Case.case_no,
            )
            .join(Case, Case.id == Document.case_id)
            .where(Document.id > last, ~superseded)
            .order_by(Document.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        for row in rows:
            report.documents += 1
            named = f"文书《{row.title}》{row.doc_no}"
            if hashlib.sha256(row.pdf).hexdigest() != row.content_hash:
                report.problems.append(Problem(row.case_no, f"{named} 的 PDF 与出具时的摘要不符"))
                continue
            found = _document_findings(row.pdf, row.font)
            if found:
                report.problems.append(
                    Problem(row.case_no, f"{named}：{'；'.join(found)}，须作为更正重新出具")
                )


def _document_findings(pdf: bytes, font: str | None) -> list[str]:
    """What is wrong with a PDF that is still the file issued: its signature (which also catches
    a file rewritten together with its stored hash), and, for one issued before the font was
    recorded, its Chinese."""
    found = []
    signature = check_signature(pdf)
    if signature.problem is not None:
        found.append(f"电子签名未通过验证（{signature.problem}）")
    if font is None:
        glyphs = chinese_glyphs(pdf)
        if not glyphs.readable:
            found.append(f"PDF 未嵌入中文字体（{glyphs.missing} 个汉字无字形）")
    return found


def _batches() -> Iterator[list[tuple[Case, WorkflowInstance]]]:
    last = 0
    while True:
        pairs = [
            (case, instance)
            for case, instance in db.session.execute(
                select(Case, WorkflowInstance)
                .join(WorkflowInstance, WorkflowInstance.case_id == Case.id)
                .where(Case.id > last)
                .order_by(Case.id)
                .limit(BATCH)
            )
        ]
        if not pairs:
            return
        last = pairs[-1][0].id
        yield pairs


def _grouped(key: Any, value: Any, ids: list[int], *conditions: Any) -> dict[int, list[Any]]:
    """value per key, for the batch's ids."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for k, v in db.session.execute(select(key, value).where(key.in_(ids), *conditions)):
        grouped[k].append(v)
    return grouped


def _check(
    case: Case,
    instance: WorkflowInstance,
    ready: set[str],
    jobs: list[dt.datetime],
    deadlines: set[str],
    open_visits: list[str],
    has_facts: bool,
    report: Report,
) -> list[str]:
    found = []
    if not has_facts:
        found.append("没有统计事实行（case_fact）")
    if instance.process_version_id != case.process_version_id:
        found.append("流程实例与案件的流程版本不一致")
    finished = instance.status == "COMPLETED"
    if finished != (case.status == "CLOSED"):
        found.append(f"案件状态 {case.status} 与流程实例状态 {instance.status} 不一致")
    if finished:
        leftovers = [
            (ready, "待办任务"),
            (jobs, "定时任务"),
            (deadlines, "期限"),
            (open_visits, "未结束的阶段"),
        ]
        found += [f"流程已结束，仍有{label} {len(rows)} 项" for rows, label in leftovers if rows]
        return found
    try:
        state = engine().inspect(instance.state)
    except EngineError as exc:
        return [*found, f"流程实例无法读取：{exc}"]
    report.loaded += 1
    return found + _against_engine(case, state, ready, jobs, deadlines, open_visits)


def _against_engine(
    case: Case,
    state: RunResult,
    ready: set[str],
    jobs: list[dt.datetime],
    deadlines: set[str],
    open_visits: list[str],
) -> list[str]:
    found = []
    if state.completed:
        found.append("流程实例已结束，但记录为运行中")
    expected = {t.guid for t in state.ready_tasks}
    if expected - ready:
        found.append(f"缺少待办任务行 {len(expected - ready)} 项")
    if ready - expected:
        found.append(f"多出待办任务行 {len(ready - expected)} 项（流程中已不在等待）")
    due = state.next_timer
    if due is None and jobs:
        found.append("流程没有等待的定时器，却有定时任务")
    elif due is not None and not jobs:
        found.append(f"缺少定时任务（定时器到期 {due:%Y-%m-%d %H:%M}）")
    elif due is not None and any(job > due + IDLE_DELAY + SLACK for job in jobs):
        found.append("定时任务的到期时间晚于流程中的定时器")
    boundary = {w.bpmn_id for w in state.waiting if w.boundary and w.due is not None}
    if boundary != deadlines - {CASE_CLOCK}:  # the decision clock's row is the ledger's
        found.append(f"期限行与流程不符（流程 {len(boundary)} 项，记录 {len(deadlines)} 项）")
    if state.milestone and state.milestone != case.stage:
        found.append(f"案件阶段「{case.stage}」与流程里程碑「{state.milestone}」不一致")
    if len(open_visits) > 1 or (open_visits and open_visits[0] != case.stage):
        found.append(f"未结束的阶段记录 {open_visits} 与案件阶段「{case.stage}」不符")
    return found
