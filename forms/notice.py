"""F 告知、陈述申辩、听证."""

from . import task_form
from .approval import send_back_to
from .base import N_, TaskForm, check_box, choice, day, money, several, text, yes_no
from .choices import SANCTIONS, SERVICE_METHODS


@task_form("notice.serve")
class NoticeServiceForm(TaskForm):
    title = N_("送达行政处罚告知书")

    served_on = day(N_("送达日期"), description=N_("听证申请期、陈述申辩期自送达次日起算。"))
    service_method = choice(N_("送达方式"), SERVICE_METHODS)
    notice_published_on = day(
        N_("公告日期"),
        required=False,
        description=N_("公告送达的填写：公告期间不计入办案期限。"),
    )


@task_form("notice.statement_review")
class StatementReviewForm(TaskForm):
    title = N_("陈述申辩复核意见")
    prefill = {"proposed_fine": "proposed_fine"}

    statement_adopted = yes_no(N_("采纳陈述申辩"))
    proposed_fine = money(
        N_("复核后拟罚款数额（元）"), description=N_("不得因当事人陈述、申辩而加重处罚。")
    )
    material_change = check_box(N_("拟处罚内容发生实质变化，需重新告知"))
    review_notes = text(N_("复核意见"), required=False)


@task_form("notice.hearing_schedule")
class HearingScheduleForm(TaskForm):
    title = N_("听证通知书")

    hearing_date = day(N_("听证日期"), past=False)
    hearing_notice_served_on = day(
        N_("通知送达日期"), description=N_("应当在举行听证的七个工作日前通知。")
    )
    hearing_location = text(N_("听证地点"), long=False)


@task_form("notice.hearing_record")
class HearingRecordForm(TaskForm):
    title = N_("听证笔录与听证报告")
    prefill = {"proposed_fine": "proposed_fine"}

    party_attended = yes_no(N_("当事人到场"))
    hearing_summary = text(N_("听证情况"))
    proposed_fine = money(N_("听证后拟罚款数额（元）"))


@task_form("notice.collective")
class CollectiveDiscussionForm(TaskForm):
    title = N_("集体讨论记录")

    collective_confirmed = yes_no(N_("同意拟作出的处理决定"))
    collective_conclusion = text(N_("讨论结论"))


@task_form("notice.head_approval")
class HeadApprovalForm(TaskForm):
    title = N_("机关负责人批准处罚决定")
    prefill = {"approved_sanctions": "sanctions", "approved_fine": "proposed_fine"}

    head_approved = yes_no(N_("批准作出行政处罚决定"))
    send_back_to = send_back_to("head_approved")
    approved_sanctions = several(
        N_("批准的处罚种类"),
        SANCTIONS,
        required=True,
        description=N_("不得超过行政处罚告知书载明的处罚种类。"),
    )
    approved_fine = money(
        N_("批准的罚款数额（元）"), description=N_("不得高于告知书载明的罚款数额。")
    )
    head_approval_opinion = text(N_("审批意见"))
