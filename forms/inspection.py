"""B 检查 and the rectification screens also used by I 整改核查."""

from . import task_form
from .base import N_, TaskForm, choice, count, day, names, text
from .choices import INSPECTION_RESULTS, PASS_FAIL


@task_form("inspection.record")
class InspectionRecordForm(TaskForm):
    title = N_("现场检查记录")
    # a 双随机 draw names the inspection, its draw and its inspectors when it opens the case
    prefill = {
        "inspection_type": "inspection_type",
        "draw_id": "draw_id",
        "inspectors": "inspectors",
    }

    inspection_type = choice(
        N_("检查方式"),
        (
            ("RANDOM", N_("双随机抽查")),
            ("TARGETED", N_("针对性检查（投诉举报、转办交办、监测发现）")),
            ("KEY", N_("重点领域全覆盖检查")),
        ),
    )
    draw_id = text(
        N_("抽取结果编号"),
        required=False,
        long=False,
        description=N_("双随机抽查填写已留痕的抽取结果编号。"),
    )
    inspection_date = day(N_("检查日期"))
    inspectors = names(
        N_("检查人员"),
        description=N_("不少于两人，用顿号分隔；双随机抽查的检查人员由抽取结果确定，不能更换。"),
    )
    location = text(N_("检查地点"), long=False)
    findings = text(N_("检查情况"))
    result = choice(N_("检查结果"), INSPECTION_RESULTS)


@task_form("inspection.publish")
class InspectionPublicityForm(TaskForm):
    title = N_("检查结果公示")

    published_on = day(N_("公示日期"))
    publish_channel = choice(
        N_("公示渠道"),
        (
            ("GSXT", N_("国家企业信用信息公示系统")),
            ("WEBSITE", N_("部门网站")),
        ),
    )


@task_form("rectification.order")
class RectificationOrderForm(TaskForm):
    title = N_("责令改正通知书")
    prefill = {"rectify_days": "rectify_days"}  # set by the diagram from RECTIFY_DEFAULT_WD

    order_served_on = day(N_("送达日期"))
    rectify_days = count(
        N_("整改期限（工作日）"),
        0,
        90,
        description=N_(
            "0 表示立即改正（当场改正的，当即核查）；"
            "预填参数 RECTIFY_DEFAULT_WD 的默认期限，可按情况调整。"
        ),
    )
    violated_provision = text(
        N_("违反的法律规定"),
        required=False,
        long=False,
        description=N_("已选择违法类型的，以违法行为目录为准。"),
    )
    requirements = text(N_("整改要求（退赔、召回、无害化处理等）"))


@task_form("rectification.verify")
class RectificationCheckForm(TaskForm):
    title = N_("整改复查（核查）记录")

    verify_result = choice(N_("核查结果"), PASS_FAIL)
    verify_notes = text(N_("核查情况"), required=False)
