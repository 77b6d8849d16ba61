"""The case-level 90-day decision clock: from 立案 to the decision, across D–G (《行政处罚法》
第六十条; 《市场监督管理行政处罚程序规定》第六十四条).

A SpiffWorkflow timer's deadline is fixed when it first waits, and this one moves while the case
runs: the periods the law leaves out (hearing; testing, inspection, quarantine, appraisal; public
notice; 中止 while the police or the court has the case) and approved extensions. So the clock is
a ledger (`case_clock_entry`, one row per change, with its reason) and the due date a pure
function of it (`reading`). The ledger is written in one place, `follow_task` / `follow_message`,
called by every task completion and every message delivered to a case; the diagrams only carry
the facts (dates) and the approvals (main process m_ext_*, real tasks in the head's inbox).

Counting (DOMAIN.md G4): calendar days, the period starts the day after 立案; an excluded period
from its first day to its last counts as the days between them (a test sent on the 2nd and
received on the 22nd leaves 20 days out); overlapping periods count once; extensions add their
days; only the end of the whole period rolls off a rest day to the next working day.

While the clock runs, a deadline row (`scheduling.CASE_CLOCK`) carries the due date: the case
page and the supervision dashboard list it with the diagrams' timers, the worker reminds the
officers before it and tells the unit head when it has passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import delete, select

from app.calendar import WorkCalendar
from app.clock import CHINA_TZ, china_today
from app.engine import RunResult, WorkflowDefinitionError
from app.extensions import db
from app.models import (
    Case,
    CaseClockEntry,
    Deadline,
    HumanTask,
    ProcessVersion,
    User,
    WorkflowInstance,
)
from app.platform import Conflict, InvalidFields
from app.platform.parameters import run_context, work_calendar
from app.platform.scheduling import CASE_CLOCK
from app.platform.workflows import engine
from forms.base import N_

EXTENSION_MESSAGE = "case_extension_request"
# a stage's boundary event catches one request; a second in the same stage goes to the second
# boundary event of the stage (m_ext_<stage>2)
EXTENSION_MESSAGES = (EXTENSION_MESSAGE, "case_extension_request_again")
HEAD_EXTENSION = "m_ext_head_approval"
COLLECTIVE_EXTENSION = "m_ext_collective"
# the same approvals inside stage D of the diagrams before the case-level clock (cases that stay
# on their version keep asking there)
LEGACY_HEAD_EXTENSION = "d_extension_approval"
LEGACY_COLLECTIVE_EXTENSION = "d_collective_extension"
DECISION_FORMS = ("decision.penalty", "decision.no_penalty")
# Diagrams before the case-level clock (bundles up to 3e7a2a5) kept the clock in stage D: its
# 调查取证 asks for an extension itself (下一步 EXTEND → d_extension_request → the head or the
# heads' discussion). Cases still running such a diagram keep that route.
STAGE_D = "stage_d_investigation"
LOCAL_EXTENSION_STEP = "d_extension_request"
EVIDENCE_FORM, LOCAL_EXTENSION_ACTION = "investigation.evidence", "EXTEND"
LOCAL_EXTENSION_ONLY = N_(
    "延长办案期限请在案件页面提请（负责人批准）；「申请延长办案期限」只适用于按原流程版本办理的案件。"
)
CLOCK_NAME = N_("办案期限（立案之日起九十日，扣除不计入期间、含延长）")

CAUSES = {
    "FILING": N_("立案"),
    "HEARING": N_("听证"),
    "TESTING": N_("检测、检验、检疫、鉴定"),
    "PUBLIC_NOTICE": N_("公告"),
    "TRANSFER": N_("移送司法机关（中止）"),
    "REQUEST": N_("提请延期"),
    "HEAD": N_("负责人批准延期"),
    "COLLECTIVE": N_("集体讨论延期"),
    "DECISION": N_("作出处理决定"),
    "CLOSED": N_("未作处罚决定结案"),
}
KINDS = {
    "START": N_("开始计算"),
    "PAUSE": N_("暂停计算"),
    "RESUME": N_("恢复计算"),
    "EXTEND": N_("延长"),
    "REQUEST": N_("申请"),
    "DECLINE": N_("未批准"),
    "STOP": N_("停止计算"),
}
STATES = {
    "RUNNING": N_("计算中"),
    "PAUSED": N_("暂停计算"),
    "SUSPENDED": N_("已移送（中止）"),
    "STOPPED": N_("已停止"),
}


class Entry(Protocol):
    kind: str
    cause: str
    day: dt.date
    days: int | None


@dataclass(frozen=True)
class Reading:
    state: str  # RUNNING | PAUSED | SUSPENDED | STOPPED
    filed_on: dt.date
    period_days: int
    excluded_days: int
    extended_days: int
    due: dt.date


def reading(entries: Sequence[Entry], today: dt.date, calendar: WorkCalendar) -> Reading | None:
    """The clock as the ledger leaves it on `today` (None: the case was never filed). A period
    still open counts up to `today` (or to the day the clock stopped)."""
    starts = [i for i, entry in enumerate(entries) if entry.kind == "START"]
    if not starts:
        return None
    start, *after = entries[starts[-1] :]  # a case filed again (a new clue) starts afresh
    open_periods: dict[str, dt.date] = {}
    periods: list[tuple[dt.date, dt.date]] = []
    extended, stopped_on = 0, None
    for entry in after:
        if entry.kind == "PAUSE":
            open_periods.setdefault(entry.cause, entry.day)
        elif entry.kind == "RESUME" and entry.cause in open_periods:
            periods.append((open_periods.pop(entry.cause), entry.day))
        elif entry.kind == "EXTEND":
            extended += entry.days or 0
        elif entry.kind == "STOP":
            stopped_on = entry.day
            break
    end = stopped_on or today
    periods += [(first, max(first, end)) for first in open_periods.values()]
    excluded = _union_days(periods)
    period = start.days or 0
    nominal = start.day + dt.timedelta(days=period + excluded + extended)
    state = (
        "STOPPED"
        if stopped_on is not None
        else "SUSPENDED"
        if "TRANSFER" in open_periods
        else "PAUSED"
        if open_periods
        else "RUNNING"
    )
    return Reading(state, start.day, period, excluded, extended, calendar.next_working_day(nominal))


def _union_days(periods: Iterable[tuple[dt.date, dt.date]]) -> int:
    days, reach = 0, None
    for first, last in sorted(periods):
        if reach is not None and first < reach:
            first = reach
        if last > first:
            days += (last - first).days
            reach = last
    return days


# ------------------------------------------------------------------ the ledger, kept by steps


def entries_of(case_id: int) -> list[CaseClockEntry]:
    return list(
        db.session.execute(
            select(CaseClockEntry)
            .where(CaseClockEntry.case_id == case_id)
            .order_by(CaseClockEntry.id)
        ).scalars()
    )


def current(case: Case, today: dt.date | None = None) -> Reading | None:
    return reading(entries_of(case.id), today or china_today(), work_calendar())


def extensions_granted(case: Case) -> int:
    entries = entries_of(case.id)
    starts = [i for i, entry in enumerate(entries) if entry.kind == "START"]
    return sum(1 for entry in entries[starts[-1] :] if entry.kind == "EXTEND") if starts else 0


def local_extension(case: Case) -> bool:
    """Whether the case runs a diagram whose stage D still asks for an extension itself (and
    counts its deadline there): such a case does not catch the case-level request."""
    bundle_hash = db.session.execute(
        select(ProcessVersion.bundle_hash).where(ProcessVersion.id == case.process_version_id)
    ).scalar_one()
    bundle = engine().bundle(bundle_hash)
    try:
        spec, _ = bundle.spec(STAGE_D)
    except WorkflowDefinitionError:  # a bundle without the enforcement stages
        return False
    return LOCAL_EXTENSION_STEP in spec.task_specs


def check_task(
    case: Case, form_key: str | None, data: Mapping[str, Any], bpmn_id: str = ""
) -> None:
    """Before a step is taken: a decision dated, or taken, after the due date is refused unless
    an approved extension covers it (the due date includes every approved extension), and so is
    an extension approved after the period ran out; a notice served by public notice names the
    day it was published; the investigation's own extension request only where the case's
    diagram has it."""
    granted = (
        "approved"
        if bpmn_id in (HEAD_EXTENSION, LEGACY_HEAD_EXTENSION)
        else "collective_extension_approved"
        if bpmn_id in (COLLECTIVE_EXTENSION, LEGACY_COLLECTIVE_EXTENSION)
        else None
    )
    if granted and data.get(granted):
        _refuse_when_run_out(case, granted, N_("办案期限已于 %(day)s 届满，不能再批准延长。"))
    if (
        form_key == EVIDENCE_FORM
        and data.get("next_action") == LOCAL_EXTENSION_ACTION
        and not local_extension(case)
    ):
        raise InvalidFields({"next_action": str(LOCAL_EXTENSION_ONLY)})
    if form_key in DECISION_FORMS:
        decided_on = _day(data.get("decided_on"))
        found = current(case, decided_on) if decided_on else None
        if found is not None and decided_on is not None and decided_on > found.due:
            raise InvalidFields(
                {
                    "decided_on": f"决定日期晚于办案期限（{found.due:%Y年%m月%d日}）。"
                    "案情复杂不能按期作出决定的，应当先提请延长办案期限并经批准"
                    "（《市场监督管理行政处罚程序规定》第六十四条）。"
                }
            )
        # taken today, whatever date the screen or the API sends
        _refuse_when_run_out(
            case,
            "decided_on",
            N_(
                "办案期限已于 %(day)s 届满，不能再作出决定；须在期限内提请延长并经批准"
                "（《市场监督管理行政处罚程序规定》第六十四条）。"
            ),
        )
    if form_key == "notice.serve" and data.get("service_method") == "NOTICE":
        published, served = _day(data.get("notice_published_on")), _day(data.get("served_on"))
        if published is None or (served is not None and published > served):
            raise InvalidFields(
                {"notice_published_on": "公告送达的，请填写不晚于送达日期的公告日期。"}
            )


def _refuse_when_run_out(case: Case, field: str, message: str) -> None:
    found = current(case)
    if found is not None and found.state != "STOPPED" and china_today() > found.due:
        raise InvalidFields({field: message % {"day": f"{found.due:%Y年%m月%d日}"}})


def follow_task(
    case: Case,
    bpmn_id: str,
    form_key: str | None,
    submitted: Mapping[str, Any],
    result: RunResult,
    actor: User,
) -> None:
    """Record what a completed task changes on the clock (in the step's transaction)."""
    data = {**result.data, **submitted}
    add = _recorder(case, actor)
    if bpmn_id == "c_filing_approval" and data.get("c_result") == "FILED":
        days = int(run_context().parameters["CASE_DECISION_CD"])
        add(
            "START",
            "FILING",
            data.get("filed_on"),
            f"立案，自立案之日起{days}日内作出处理决定（《行政处罚法》第六十条）",
            days,
        )
    elif form_key == "investigation.test_sent":
        add(
            "PAUSE",
            "TESTING",
            data.get("sent_on"),
            f"送检（{data.get('test_item') or ''}），检测、检验、鉴定期间不计入办案期限",
        )
    elif form_key == "investigation.test_received":
        add("RESUME", "TESTING", data.get("received_on"), "收到检验报告，恢复计算办案期限")
    elif form_key == "investigation.criminal_transfer":
        add(
            "PAUSE",
            "TRANSFER",
            data.get("transferred_on"),
            f"涉嫌犯罪移送{data.get('receiving_authority') or '司法机关'}，案件中止，"
            "移送期间不计入办案期限",
        )
    elif form_key == "notice.serve" and data.get("service_method") == "NOTICE":
        add(
            "PAUSE",
            "PUBLIC_NOTICE",
            data.get("notice_published_on"),
            "公告送达行政处罚告知书，公告期间不计入办案期限",
        )
        add("RESUME", "PUBLIC_NOTICE", data.get("served_on"), "公告期满视为送达，恢复计算办案期限")
    elif form_key == "notice.hearing_record":
        add("RESUME", "HEARING", data.get("hearing_date"), "听证结束，恢复计算办案期限")
    elif bpmn_id in (HEAD_EXTENSION, LEGACY_HEAD_EXTENSION):
        approval = submitted.get("extension_approval") or submitted
        if approval.get("approved"):
            days = int(run_context().parameters["CASE_EXT1_CD"])
            add(
                "EXTEND",
                "HEAD",
                None,
                f"机关负责人批准延长办案期限{days}日。{approval.get('opinion') or ''}",
                days,
            )
        else:
            add(
                "DECLINE",
                "HEAD",
                None,
                f"机关负责人未批准延长办案期限。{approval.get('opinion') or ''}",
            )
    elif bpmn_id in (COLLECTIVE_EXTENSION, LEGACY_COLLECTIVE_EXTENSION):
        notes = submitted.get("collective_notes") or ""
        if submitted.get("collective_extension_approved"):
            days = int(submitted.get("extension_days") or 0)
            add(
                "EXTEND",
                "COLLECTIVE",
                None,
                f"负责人集体讨论决定继续延长办案期限{days}日。{notes}",
                days,
            )
        else:
            add("DECLINE", "COLLECTIVE", None, f"负责人集体讨论决定不再延期。{notes}")
    elif form_key in DECISION_FORMS:
        add("STOP", "DECISION", data.get("decided_on"), "作出处理决定，办案期限停止计算")
    _settle(case, result, add)


def follow_message(
    case: Case, message: str, payload: Mapping[str, Any], result: RunResult, actor: User
) -> None:
    """Record what a message delivered to the case changes on the clock."""
    add = _recorder(case, actor)
    # the window stays open after a hearing request: the hearing's time counts from the request
    # of a party with the right to one, until the hearing ends or the party waives it in writing
    hearing_paused = _open_pause(case, "HEARING")
    if message == "hearing_request" and result.data.get("hearing_right") and not hearing_paused:
        # from the day the party asked (a request handed in on paper is recorded later)
        asked = _day(payload.get("requested_on"))
        day = asked if asked is not None and asked <= china_today() else None
        add("PAUSE", "HEARING", day, "当事人要求听证，听证期间不计入办案期限")
    elif message == "party_waiver" and hearing_paused:
        add("RESUME", "HEARING", None, "当事人书面放弃听证，恢复计算办案期限")
    elif message == "judicial_reply":
        outcome = {
            "RETURNED": "司法机关不予立案或退回，恢复调查，继续计算剩余办案期限",
            "FINED": "人民法院已判处罚金，恢复计算办案期限；"
            "不再给予罚款（《行政处罚法》第三十五条）",
        }.get(str(payload.get("outcome")), "收到司法机关处理结果")
        add("RESUME", "TRANSFER", None, f"{outcome}。{payload.get('reason') or ''}")
    elif message in EXTENSION_MESSAGES:
        add("REQUEST", "REQUEST", None, f"提请延长办案期限：{payload.get('reason') or ''}")
    _settle(case, result, add)


def _open_pause(case: Case, cause: str) -> bool:
    """Whether the clock is paused for `cause` since the case's last start."""
    paused = False
    for entry in entries_of(case.id):
        if entry.kind == "START":
            paused = False
        elif entry.cause == cause and entry.kind in ("PAUSE", "RESUME"):
            paused = entry.kind == "PAUSE"
    return paused


def ensure_extension_requestable(case: Case) -> None:
    if local_extension(case):
        raise Conflict(
            N_(
                "本案按立案时的流程版本办理，办案期限在调查取证中提请延长："
                "「调查取证」的下一步选择「申请延长办案期限」。"
            )
        )
    found = current(case)
    if found is None or found.state == "STOPPED":
        raise Conflict(N_("本案尚未立案或已作出处理决定，不能延长办案期限。"))
    if china_today() > found.due:  # 程序规定第六十四条: asked and approved within the period
        raise Conflict(N_("办案期限已届满，不能再提请延长。"))
    pending = db.session.execute(
        select(HumanTask.id).where(
            HumanTask.case_id == case.id,
            HumanTask.state == "READY",
            HumanTask.bpmn_id.in_((HEAD_EXTENSION, COLLECTIVE_EXTENSION)),
        )
    ).first()
    if pending is not None:
        raise Conflict(N_("已有延长办案期限的申请正在审批。"))


class _Recorder(Protocol):
    def __call__(
        self, kind: str, cause: str, day: Any, reason: str, days: int | None = None
    ) -> None: ...


def _recorder(case: Case, actor: User) -> _Recorder:
    def add(kind: str, cause: str, day: Any, reason: str, days: int | None = None) -> None:
        if kind != "START" and current(case) is None:
            return  # not filed (a summary procedure, a warning): no clock to change
        db.session.add(
            CaseClockEntry(
                case_id=case.id,
                kind=kind,
                cause=cause,
                day=_day(day) or china_today(),
                days=days,
                reason=reason.strip("。 ") + "。" if reason else "",
                actor_id=actor.id,
                actor_name=actor.display_name,
            )
        )
        db.session.flush()

    return add


def _settle(case: Case, result: RunResult, add: _Recorder) -> None:
    """After a step: a case that left D–G without a decision stops its clock; the case row and
    the clock's deadline row follow the ledger."""
    found = current(case)
    if found is None:
        return
    left = result.completed or (result.milestone or "")[:1] in ("H", "I", "J", "K", "L")
    if left and found.state != "STOPPED":
        add("STOP", "CLOSED", None, "未作出处罚决定即结案，办案期限停止计算")
    mirror(case)


def mirror(case: Case) -> None:
    """The case row and the clock's deadline row follow the ledger."""
    found = current(case)
    if found is None:
        return
    case.decision_clock, case.decision_due = found.state, found.due
    instance_id = db.session.execute(
        select(WorkflowInstance.id).where(WorkflowInstance.case_id == case.id)
    ).scalar_one()
    row = db.session.execute(
        select(Deadline).where(
            Deadline.instance_id == instance_id, Deadline.element_id == CASE_CLOCK
        )
    ).scalar_one_or_none()
    if found.state != "RUNNING":
        if row is not None:
            db.session.execute(delete(Deadline).where(Deadline.id == row.id))
        return
    due_at = dt.datetime.combine(found.due + dt.timedelta(days=1), dt.time(), CHINA_TZ)
    if row is None:
        db.session.add(
            Deadline(
                case_id=case.id,
                instance_id=instance_id,
                element_id=CASE_CLOCK,
                name=str(CLOCK_NAME),
                due_at=due_at,
            )
        )
    elif row.due_at != due_at:  # moved: remind and escalate again
        row.due_at, row.reminded_at, row.escalated_at = due_at, None, None


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
