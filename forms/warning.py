"""A 风险预警与行政指导."""

from . import task_form
from .base import N_, TaskForm, check_box, choice, day, text, yes_no
from .choices import SITUATIONS


@task_form("warning.assess")
class RiskAssessmentForm(TaskForm):
    title = N_("风险研判")

    situation = choice(
        N_("风险情形"), SITUATIONS, description=N_("决策表 guidance_measure 据此推荐非强制性措施。")
    )
    risk_summary = text(N_("风险说明"))
    possible_provisions = text(N_("可能违反的法律规定"), required=False, long=False)
    possible_liability = text(
        N_("可能承担的法律责任"),
        required=False,
        description=N_("罚则摘要，如“货值不足一万元的，并处五万元以上十万元以下罚款”。"),
    )
    compliance_items = text(N_("合规指引要点"), required=False)


@task_form("warning.issue")
class WarningNoticeForm(TaskForm):
    title = N_("违法风险预警提醒书")

    served_on = day(N_("送达日期"))
    document_summary = text(N_("提醒内容"))


@task_form("warning.feedback")
class SelfCheckFeedbackForm(TaskForm):
    title = N_("自查整改反馈")

    feedback_received_on = day(N_("收到反馈日期"))
    feedback_summary = text(N_("整改反馈（照片、截图、说明）"))


@task_form("warning.verify")
class WarningVerificationForm(TaskForm):
    title = N_("预警核查记录")

    verified = yes_no(N_("整改合格"))
    verify_notes = text(N_("核查情况"), required=False)
    escalate = check_box(
        N_("不合格时先升级指导措施（提示→告诫→约谈），暂不移交立案"),
        N_("不勾选的，不合格即移交执法办案；升级达到配置的次数上限后也移交。"),
    )


@task_form("warning.escalate")
class EscalationForm(TaskForm):
    title = N_("升级指导措施")

    escalation_measure = choice(
        N_("措施"),
        (
            ("SUGGESTION", N_("行政建议")),
            ("ADMONITION", N_("行政告诫")),
            ("INTERVIEW", N_("行政约谈")),
        ),
    )
    served_on = day(N_("送达或约谈日期"))
    escalation_notes = text(N_("情况记录"))
