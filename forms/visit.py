"""K 回访."""

from . import task_form
from .base import N_, TaskForm, check_box, day, text, yes_no


@task_form("visit.sample")
class VisitSamplingForm(TaskForm):
    title = N_("抽样回访")

    do_visit = yes_no(N_("本案抽中回访"))


@task_form("visit.record")
class ReturnVisitForm(TaskForm):
    title = N_("案件回访记录")

    visited_on = day(N_("回访日期"))
    rectification_ok = yes_no(N_("整改到位"))
    conduct_ok = yes_no(N_("执法规范"))
    rights_informed = yes_no(N_("已全面告知权利和救济途径"))
    integrity_ok = yes_no(N_("不存在吃拿卡要"))
    needs_guidance = check_box(N_("需要行政指导"))
    needs_credit_repair = check_box(N_("需要信用修复指导"))
    on_abnormal_list = check_box(
        N_("经营主体被列入经营异常名录"),
        description=N_("信用修复时先申请移出经营异常名录。"),
    )
    visit_notes = text(N_("回访情况"), required=False)
