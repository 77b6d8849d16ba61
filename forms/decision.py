"""G 决定与送达."""

from . import task_form
from .base import (
    N_,
    RequiredWhen,
    TaskForm,
    choice,
    confirm,
    day,
    deviation_reason,
    money,
    several,
    text,
    yes_no,
)
from .choices import SANCTIONS, SERVICE_METHODS


@task_form("decision.penalty")
class PenaltyDecisionForm(TaskForm):
    title = N_("行政处罚决定书")
    prefill = {"sanctions": "sanctions", "fine": "proposed_fine"}  # as last proposed

    decided_on = day(N_("决定日期"))
    sanctions = several(N_("处罚种类"), SANCTIONS, required=True)
    fine = money(N_("罚款数额（元）"))
    deviation_reason = deviation_reason()
    decision_summary = text(N_("决定要点"), required=False)


@task_form("decision.serve_two")
class PenaltyServiceForm(TaskForm):
    title = N_("两书同达")

    served_on = day(N_("送达日期"))
    repair_notice_served = confirm(
        N_("已同步送达《行政处罚信息信用修复告知书》"),
        N_("行政处罚决定书必须与信用修复告知书同步送达（两书同达）。"),
    )
    service_method = choice(N_("送达方式"), SERVICE_METHODS)


@task_form("decision.publish")
class PublicityForm(TaskForm):
    title = N_("处罚信息公示")

    published_on = day(N_("公示日期"), description=N_("信用修复的最短公示期自此日起算。"))


@task_form("decision.push")
class CrossProvincePushForm(TaskForm):
    title = N_("推送至登记地省级市场监管部门")
    not_before = {"pushed_on": ("decided_on", N_("推送日期不能早于决定日期。"))}

    pushed_on = day(N_("推送日期"), description=N_("决定后十个工作日内推送（公示规定第十条）。"))
    via_home_bureau = confirm(
        N_("已经自治区市场监督管理局推送至当事人登记地省级市场监管部门"),
        N_("跨省公示的行政处罚信息应经本省省级市场监管部门推送。"),
    )


@task_form("decision.remote_receipt")
class RemoteReceiptForm(TaskForm):
    title = N_("登记地省级市场监管部门收到推送")
    not_before = {"received_on": ("pushed_on", N_("收到日期不能早于推送日期。"))}

    received_on = day(
        N_("登记地收到日期"), description=N_("登记地公示期限（十个工作日）自收到之日起算。")
    )


@task_form("decision.publish_remote")
class RemotePublicityForm(TaskForm):
    title = N_("登记地公示情况")
    not_before = {"published_on": ("received_on", N_("公示日期不能早于登记地收到日期。"))}

    published_on = day(
        N_("登记地公示日期"),
        description=N_("登记地市场监管部门反馈的公示日期；信用修复的最短公示期自此日起算。"),
    )


@task_form("decision.serious_list")
class SeriousListForm(TaskForm):
    title = N_("严重违法失信名单判定")

    serious_list = yes_no(N_("拟列入严重违法失信名单"))
    serious_reason = text(N_("理由"), required=False)


@task_form("decision.upper_consent")
class UpperConsentForm(TaskForm):
    title = N_("上一级市场监管部门同意列入严重违法失信名单")

    upper_consented = yes_no(N_("同意列入严重违法失信名单"))
    consent_opinion = text(
        N_("意见"),
        required=False,
        required_when=RequiredWhen("upper_consented", False, N_("不同意的，请写明理由。")),
    )


@task_form("decision.no_penalty")
class NoPenaltyDecisionForm(TaskForm):
    title = N_("不予行政处罚决定书")

    decided_on = day(N_("决定日期"))
    education_done = confirm(
        N_("已对当事人进行教育"),
        N_("不予行政处罚的，应当对当事人进行教育（《行政处罚法》第三十三条）。"),
    )
    decision_summary = text(N_("事实、依据与理由"), required=False)


@task_form("decision.serve_no_penalty")
class NoPenaltyServiceForm(TaskForm):
    title = N_("送达不予行政处罚决定书")

    served_on = day(N_("送达日期"))
    guidance_attached = confirm(N_("已附合规指引"), N_("送达时应附合规指引。"))
