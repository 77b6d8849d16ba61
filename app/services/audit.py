"""Writing the audit trail. The caller's transaction commits the event with the change itself."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from app.extensions import db
from app.models import AuditEvent, User
from forms.base import N_

ACTION_LABELS = {
    "login": N_("登录"),
    "login_failed": N_("登录失败"),
    "logout": N_("退出"),
    "set_locale": N_("切换语言"),
    "create_user": N_("创建账号"),
    "create_token": N_("创建接口令牌"),
    "deploy_process": N_("部署流程"),
    "register_enterprise": N_("登记经营主体"),
    "set_parameter": N_("修改配置项"),
    "set_holiday": N_("维护节假日"),
    "open_case": N_("发起"),
    "complete_task": N_("办理"),
    "save_draft": N_("保存草稿"),
    "claim_task": N_("认领任务"),
    "unclaim_task": N_("退回任务池"),
    "assign_task": N_("指派任务"),
    "follow_up": N_("设置跟进日期"),
    "issue_document": N_("出具文书"),
    "fire_timers": N_("期限届满"),
    "incident": N_("后台异常"),
    "retry_incident": N_("重试异常"),
    "complaint_received": N_("收到投诉举报"),
    "issue_token": N_("签发接口令牌"),
    "revoke_token": N_("吊销接口令牌"),
    "add_comment": N_("添加意见"),
    "add_attachment": N_("上传证据材料"),
    # the party's and other systems' events (services/events.py)
    "party_statement": N_("收到当事人陈述申辩"),
    "hearing_request": N_("收到当事人听证申请"),
    "judicial_reply": N_("收到司法机关回复"),
    "rectification_report": N_("当事人提交整改报告"),
    "repair_application": N_("当事人提交信用修复申请"),
    "payment_confirmed": N_("银行确认罚款已缴纳"),
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


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
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            actor_name=actor.username if actor else actor_name,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            region_code=region_code,
            remote_addr=request.remote_addr if has_request_context() else None,
            detail=detail,
        )
    )
