"""Writing the audit trail. The caller's transaction commits the event with the change itself."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from flask import has_request_context, request
from sqlalchemy import bindparam, insert, select, update

from app.audit_chain import GENESIS, entry_hash
from app.extensions import db, execute_plain
from app.models import AuditEvent, NumberSequence, User, table_of, utcnow
from app.platform.paging import narrowed
from app.platform.regions import region_tree, scope_of
from app.platform.sequences import current_number, next_number
from forms.base import N_

CHAIN = "audit_chain"  # the number sequence that orders the chain

ACTION_LABELS = {
    "login": N_("登录"),
    "login_failed": N_("登录失败"),
    "logout": N_("退出"),
    "set_locale": N_("切换语言"),
    "set_certificate": N_("登记执法证号"),
    "create_user": N_("创建账号"),
    "create_integration_account": N_("创建集成账号"),
    "create_token": N_("创建接口令牌"),
    "deploy_process": N_("部署流程"),
    "migrate_case": N_("迁移案件到新版本"),
    "import_complaints": N_("导入投诉举报工单"),
    "change_guidance": N_("修改合规指引"),
    "change_inspection_item": N_("修改抽查事项"),
    "publish_warnings": N_("发布预警批次"),
    "sampling_draw": N_("双随机抽取"),
    "declare_conflict": N_("登记利害关系"),
    "register_enterprise": N_("登记经营主体"),
    "update_enterprise": N_("更正经营主体登记信息"),
    "set_parameter": N_("修改配置项"),
    "save_violation_type": N_("维护违法行为目录"),
    "set_holiday": N_("维护节假日"),
    "open_case": N_("发起"),
    "complete_task": N_("办理"),
    "save_draft": N_("保存草稿"),
    "claim_task": N_("认领任务"),
    "unclaim_task": N_("退回任务池"),
    "assign_task": N_("指派任务"),
    "follow_up": N_("设置跟进日期"),
    "issue_document": N_("出具文书"),
    "correct_document": N_("更正文书"),
    "revoke_document": N_("撤销文书"),
    "fire_timers": N_("期限届满"),
    "incident": N_("后台异常"),
    "retry_incident": N_("重试异常"),
    "complaint_received": N_("收到投诉举报"),
    "issue_token": N_("签发接口令牌"),
    "revoke_token": N_("吊销接口令牌"),
    "add_comment": N_("添加意见"),
    "add_attachment": N_("上传证据材料"),
    "save_filter": N_("保存筛选"),
    "delete_filter": N_("删除筛选"),
    "draw_review_sample": N_("抽取评查案卷"),
    "score_review_item": N_("评查案卷"),
    "mark_typical": N_("标记典型案例"),
    "unmark_typical": N_("取消典型案例标记"),
    "publish_case": N_("公开发布典型案例"),
    "unpublish_case": N_("撤回发布典型案例"),
    # the party's and other systems' events (integration/events.py)
    "party_statement": N_("收到当事人陈述申辩"),
    "hearing_request": N_("收到当事人听证申请"),
    "party_waiver": N_("收到当事人书面放弃陈述申辩、听证权利"),
    "judicial_reply": N_("收到司法机关回复"),
    "rectification_report": N_("当事人提交整改报告"),
    "repair_application": N_("当事人提交信用修复申请"),
    "payment_confirmed": N_("银行确认罚款已缴纳"),
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def save_fields(
    item: Any, values: Mapping[str, Any], fields: Sequence[str], action: str, actor: User
) -> None:
    """Set `fields` of a new or stored row from `values` and audit the names that changed, in
    the caller's transaction (list maintenance: guidance items, inspection items)."""
    before = {} if item.id is None else {name: getattr(item, name) for name in fields}
    for name in fields:
        setattr(item, name, values[name])
    db.session.add(item)
    db.session.flush()
    changed = sorted(name for name in fields if before.get(name) != getattr(item, name))
    record(action, item.__tablename__, item.id, actor=actor, changed=changed)


@dataclass(frozen=True)
class TokenUse:
    """The API token a request acts with: every entry it records names the token and who
    created it, beside the account (the actor)."""

    token_id: int
    creator: str  # the creator's username, or "cli"


_token_use: ContextVar[TokenUse | None] = ContextVar("tijian_token_use", default=None)


@contextmanager
def acting_with_token(use: TokenUse) -> Iterator[None]:
    """Entries recorded within (one API request's) are attributed to the token too."""
    reset = _token_use.set(use)
    try:
        yield
    finally:
        _token_use.reset(reset)


def record(
    action: str,
    object_type: str,
    object_id: object = None,
    *,
    actor: User | None = None,
    actor_name: str | None = None,
    region_code: str | None = None,
    **detail: Any,
) -> None:
    use = _token_use.get()
    entry = {
        "occurred_at": utcnow(),
        "actor_id": actor.id if actor else None,
        "actor_name": actor.username if actor else actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "region_code": region_code,
        "remote_addr": request.remote_addr if has_request_context() else None,
        # as the database will hand it back (JSON), so the hash can be checked later
        "detail": json.loads(json.dumps(detail)),
        "token_id": use.token_id if use else None,
        "token_creator": use.creator if use else None,
    }
    pending = db.session.info.get(_BATCH)
    if pending is not None:
        pending.append(entry)
    else:
        _chain([entry])


_BATCH = "audit_batch"
_entries = table_of(AuditEvent)
_HASH_AT = select(_entries.c.hash).where(_entries.c.seq == bindparam("seq"))
_INSERT = insert(_entries)
_counters = table_of(NumberSequence)
# The chain position and the hash it links to in one round trip. The hash is read in the
# statement's snapshot: on PostgreSQL a writer that waited for the counter's lock does not see
# the entry of the transaction it waited for, gets NULL and reads that hash again.
_ADVANCE_TO_TIP = (
    update(_counters)
    .where(_counters.c.name == CHAIN)
    .values(value=_counters.c.value + bindparam("count"))
    .returning(
        _counters.c.value,
        select(_entries.c.hash)
        .where(_entries.c.seq == _counters.c.value - bindparam("count"))
        .scalar_subquery(),
    )
)


@contextmanager
def batched() -> Iterator[None]:
    """Entries recorded within are chained and written together when it ends (a worker round:
    one wait for the chain's lock and one insert for all of them)."""
    entries: list[dict[str, Any]] = []
    db.session.info[_BATCH] = entries
    try:
        yield
    finally:
        del db.session.info[_BATCH]
    if entries:
        _chain(entries)


def _chain(entries: list[dict[str, Any]]) -> None:
    # Whatever the caller changed is written first: the chain's lock (below) is then held for
    # the entries' insert and the commit only.
    db.session.flush()
    # The chain position is a gap-free number: its row lock queues concurrent writers, so each
    # entry links to the one committed before it.
    advanced = execute_plain(_ADVANCE_TO_TIP, {"count": len(entries)}).one_or_none()
    previous: str | None = None
    if advanced is None:  # the counter's first use creates its row
        last = next_number(CHAIN, len(entries))
    else:
        last, previous = cast("tuple[int, str | None]", tuple(advanced))
    seq = last - len(entries) + 1
    if seq == 1:
        previous = GENESIS
    elif previous is None:
        previous = execute_plain(_HASH_AT, {"seq": seq - 1}).scalar_one()
    rows = []
    for number, entry in enumerate(entries, seq):
        row = {"seq": number, "prev_hash": previous, **entry}
        previous = row["hash"] = entry_hash(**row)
        rows.append(row)
    # a plain insert: nothing reads the entries back as objects
    execute_plain(_INSERT, rows)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problems: list[str]  # the first few breaks, in Chinese

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(max_problems: int = 20) -> ChainReport:
    """Recompute the chain from the first entry: every hash, every link, no gap, no lost tail."""
    problems: list[str] = []
    previous, expected = GENESIS, 1
    rows = db.session.execute(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000)
    ).scalars()
    for event in rows:
        if event.seq != expected:
            problems.append(f"第 {expected} 条至第 {event.seq - 1} 条缺失")
        if event.prev_hash != previous:
            problems.append(f"第 {event.seq} 条（id {event.id}）与前一条的链接不符")
        if event.computed_hash() != event.hash:
            problems.append(f"第 {event.seq} 条（id {event.id}）的内容与其哈希不符（被修改）")
        previous, expected = event.hash, event.seq + 1
        if len(problems) >= max_problems:
            break
    last = current_number(CHAIN)
    if not problems and last != expected - 1:
        problems.append(f"链尾缺失：应有 {last} 条，只找到 {expected - 1} 条")
    return ChainReport(expected - 1, problems[:max_problems])


AUDIT_PAGE = 100


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditEvent]
    next_before: int | None  # the seq to continue from (keyset: newest first)


def search(user: User, args: Mapping[str, str]) -> AuditPage:
    """Entries newest first, filtered by who, what, which object, region and period; a
    supervisor of one 盟市 sees that region's entries, the 自治区局 and admins all of them."""
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(AUDIT_PAGE + 1)
    scope = None if "admin" in user.role_names else scope_of(user)
    if scope is not None:
        query = query.where(AuditEvent.region_code.in_(scope))
    for name, column in (
        ("actor", AuditEvent.actor_name),
        ("action", AuditEvent.action),
        ("object_type", AuditEvent.object_type),
        ("object_id", AuditEvent.object_id),
    ):
        if args.get(name):
            query = query.where(column == args[name].strip())
    if args.get("region"):
        query = query.where(AuditEvent.region_code.in_(region_tree().descendants(args["region"])))
    query = narrowed(query, args, AuditEvent.occurred_at, AuditEvent.seq)
    rows = list(db.session.execute(query).scalars())
    more = len(rows) > AUDIT_PAGE
    rows = rows[:AUDIT_PAGE]
    return AuditPage(rows, rows[-1].seq if more else None)
