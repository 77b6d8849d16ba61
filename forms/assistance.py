"""服务企业（实施意见 三(一)）: 局处长联系企业, 帮扶需求清单, 进园区进企业 / 政企座谈."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wtforms import DateField, Field, Form, ValidationError
from wtforms.validators import InputRequired

from . import task_form
from .base import N_, TaskForm, choice, day, text, today_of, yes_no

NEED_CATEGORIES = (
    ("POLICY", N_("政策咨询")),
    ("LICENSING", N_("许可办理")),
    ("QUALITY_STANDARD", N_("质量标准")),
    ("IP", N_("知识产权")),
    ("FINANCE_CREDIT", N_("融资信用")),
    ("OTHER", N_("其他")),
)

CONTACT_CYCLES = (
    ("MONTHLY", N_("每月")),
    ("QUARTERLY", N_("每季度")),
    ("HALF_YEARLY", N_("每半年")),
)

CONTACT_WAYS = (
    ("VISIT", N_("上门走访")),
    ("PHONE", N_("电话联系")),
    ("FORUM", N_("座谈交流")),
)

VISIT_KINDS = (
    ("PARK", N_("进园区")),
    ("ENTERPRISE", N_("进企业")),
    ("FORUM", N_("政企座谈会")),
)


class _NotBeforeToday:
    """A deadline or a plan lies ahead: a date already past would make the step overdue the
    moment it is saved."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if field.data and field.data < today_of(form):
            raise ValidationError(self.message)


def _ahead(label: str, message: str, description: str = "") -> DateField:
    return DateField(
        label,
        validators=[InputRequired(message=N_("请填写日期。")), _NotBeforeToday(message)],
        description=description,
    )


# ---------------------------------------------------------------- 局处长联系企业


@task_form("service.liaison_assign")
class LiaisonAssignForm(TaskForm):
    title = N_("确定联系领导")

    leader_name = text(N_("联系领导姓名"), long=False)
    leader_post = text(N_("职务"), long=False, description=N_("如：局长、副局长、处（科）长。"))
    contact_cycle = choice(
        N_("联系周期"), CONTACT_CYCLES, description=N_("到期未登记联系情况的，系统提醒并督办。")
    )
    liaison_focus = text(N_("联系重点"), required=False)


@task_form("service.liaison_confirm")
class LiaisonConfirmForm(TaskForm):
    title = N_("审定联系安排")

    liaison_confirmed = yes_no(N_("同意联系安排"))
    confirm_opinion = text(N_("意见"), required=False)


@task_form("service.liaison_contact")
class LiaisonContactForm(TaskForm):
    title = N_("企业联系记录")

    contacted_on = day(N_("联系日期"))
    contact_way = choice(N_("联系方式"), CONTACT_WAYS)
    matters_raised = text(N_("企业反映的问题和诉求"))
    needs_found = yes_no(
        N_("发现帮扶需求"),
        description=N_("发现需求的，请另行发起“帮扶需求清单”流程逐项跟踪办理。"),
    )
    liaison_next = choice(
        N_("后续安排"),
        (("CONTINUE", N_("继续联系")), ("END", N_("结束联系"))),
    )


# ---------------------------------------------------------------- 帮扶需求清单


@task_form("service.need_register")
class NeedRegisterForm(TaskForm):
    title = N_("登记帮扶需求")

    need_category = choice(N_("需求类别"), NEED_CATEGORIES)
    need_description = text(N_("需求内容"))
    raised_on = day(N_("企业提出日期"))
    need_contact = text(N_("企业联系人及电话"), required=False, long=False)


@task_form("service.need_assign")
class NeedAssignForm(TaskForm):
    title = N_("交办帮扶需求")

    responsible_department = text(N_("责任科室"), long=False)
    responsible_person = text(N_("责任人"), long=False)
    assist_due = _ahead(
        N_("办结期限"),
        N_("办结期限不能早于今天。"),
        description=N_("期限届满仍未解决的，转负责人督办。"),
    )


@task_form("service.need_follow_up")
class NeedFollowUpForm(TaskForm):
    title = N_("跟踪办理帮扶需求")

    followed_on = day(N_("跟踪日期"))
    progress = text(N_("办理进展"))
    solved = yes_no(N_("需求已解决"))


@task_form("service.need_escalate")
class NeedEscalateForm(TaskForm):
    title = N_("超期督办")

    escalation_notes = text(N_("督办意见"))
    assist_due = _ahead(N_("新的办结期限"), N_("办结期限不能早于今天。"))


@task_form("service.need_resolve")
class NeedResolveForm(TaskForm):
    title = N_("登记解决情况")

    resolved_on = day(N_("解决日期"))
    resolution = text(N_("解决方式和结果"))


@task_form("service.need_feedback")
class NeedFeedbackForm(TaskForm):
    title = N_("企业评价")
    not_before = {"feedback_on": ("resolved_on", N_("评价日期不能早于解决日期。"))}

    feedback_on = day(N_("评价日期"))
    satisfied = yes_no(N_("企业满意"), description=N_("不满意的，重新跟踪办理一次。"))
    feedback_notes = text(N_("企业意见"), required=False)


# ---------------------------------------------------------------- 进园区进企业 / 政企座谈


@task_form("service.visit_plan")
class VisitPlanForm(TaskForm):
    title = N_("走访座谈计划")

    visit_kind = choice(N_("活动形式"), VISIT_KINDS)
    venue = text(N_("园区或地点"), long=False)
    planned_on = _ahead(N_("计划日期"), N_("计划日期不能早于今天。"))
    participants = text(N_("参加人员"), long=False)
    visit_topics = text(N_("拟宣讲政策和座谈主题"), required=False)


@task_form("service.visit_record")
class VisitRecordForm(TaskForm):
    title = N_("走访座谈记录")

    held_on = day(N_("活动日期"))
    enterprises_met = text(N_("走访或参会企业"))
    issues_raised = text(N_("企业反映的问题"))
    policies_explained = text(N_("宣讲解读的政策"))
    needs_found = yes_no(N_("发现帮扶需求"))
    needs_summary = text(
        N_("帮扶需求"),
        required=False,
        description=N_("逐项列明；每项需求另行发起“帮扶需求清单”流程跟踪办理。"),
    )

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        # not an inline validate_needs_summary: an empty optional field stops its own checks
        valid = super().validate(extra_validators)
        if self.needs_found.data and not (self.needs_summary.data or "").strip():
            self.needs_summary.errors = [
                *self.needs_summary.errors,
                N_("发现帮扶需求的，请列明需求。"),
            ]
            return False
        return valid


@task_form("service.visit_review")
class VisitReviewForm(TaskForm):
    title = N_("审核走访座谈记录")

    review_approved = yes_no(N_("审核通过"), description=N_("不通过的，退回补充记录。"))
    review_opinion = text(N_("审核意见"), required=False)
