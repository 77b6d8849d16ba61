"""Per-role navigation for the page header."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user

from app.reference.roles import LIBRARY_READERS, Role
from forms.base import N_

TASK_ROLES = frozenset(
    {
        Role.OFFICER,
        Role.UNIT_HEAD,
        Role.LEGAL_REVIEWER,
        Role.HEARING_OFFICER,
        Role.AGENCY_HEAD,
        Role.CREDIT_OFFICER,
    }
)

MONITOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.UNIT_HEAD})

# (endpoint, label, roles that see it; empty = every logged-in user)
NAVIGATION: tuple[tuple[str, str, frozenset[Role]], ...] = (
    ("tasks.inbox", N_("待办任务"), TASK_ROLES),
    ("cases.index", N_("案件"), frozenset()),
    ("cases.new", N_("发起检查"), frozenset({Role.OFFICER})),
    (
        "assistance.needs",
        N_("帮扶需求"),
        frozenset(
            {
                Role.OFFICER,
                Role.UNIT_HEAD,
                Role.AGENCY_HEAD,
                Role.CREDIT_OFFICER,
                Role.SUPERVISOR,
                Role.ADMIN,
            }
        ),
    ),
    (
        "supervision.incidents",
        N_("异常事件"),
        frozenset({Role.SUPERVISOR, Role.ADMIN, Role.UNIT_HEAD}),
    ),
    (
        "supervision.dashboard",
        N_("监管驾驶舱"),
        frozenset({Role.SUPERVISOR, Role.AGENCY_HEAD, Role.UNIT_HEAD, Role.ADMIN}),
    ),
    (
        "supervision.heatmap",
        N_("流程热力图"),
        frozenset({Role.SUPERVISOR, Role.AGENCY_HEAD, Role.UNIT_HEAD, Role.ADMIN}),
    ),
    (
        "prevention.hotspots",
        N_("投诉热点"),
        frozenset(
            {Role.CREDIT_OFFICER, Role.SUPERVISOR, Role.UNIT_HEAD, Role.AGENCY_HEAD, Role.ADMIN}
        ),
    ),
    (
        "prevention.draws",
        N_("双随机抽查"),
        frozenset({Role.CREDIT_OFFICER, Role.OFFICER, Role.UNIT_HEAD, Role.AGENCY_HEAD}),
    ),
    ("prevention.guidance", N_("合规指引"), frozenset({Role.CREDIT_OFFICER, Role.ADMIN})),
    (
        "library.index",
        N_("案例库"),
        LIBRARY_READERS,
    ),
    (
        "file_review.index",
        N_("案卷评查"),
        frozenset({Role.SUPERVISOR, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER}),
    ),
    (
        "designer.library",
        N_("流程库"),
        frozenset({Role.DESIGNER, Role.ADMIN, Role.SUPERVISOR}),
    ),
    (
        "designer.parameters",
        N_("配置参数"),
        frozenset({Role.DESIGNER, Role.ADMIN, Role.SUPERVISOR}),
    ),
    ("supervision.audit", N_("审计日志"), frozenset({Role.SUPERVISOR, Role.ADMIN})),
    ("supervision.notifications", N_("通知"), frozenset()),
    ("supervision.tokens", N_("接口令牌"), frozenset()),
)


def nav_items() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    roles = current_user.role_names
    return [
        (endpoint, label)
        for endpoint, label, allowed in NAVIGATION
        if not allowed or allowed & roles
    ]


def init_app(app: Flask) -> None:
    @app.context_processor
    def navigation() -> dict[str, Any]:
        return {"nav_items": nav_items}
