"""Screens shared by several steps (the step's BPMN variableName keeps their answers apart)."""

from wtforms import SelectField

from . import task_form
from .base import N_, RequiredWhen, TaskForm, choice, text, yes_no

# where a review that does not pass sends the case (《行政处罚法》第五十八条: no decision on a
# review that failed; the case goes back to the report, or to investigation for more evidence)
SEND_BACK = (
    ("", N_("（通过的不选）")),
    ("REPORT", N_("退回办案人员重新撰写调查终结报告")),
    ("INVESTIGATION", N_("退回补充调查取证")),
)


def send_back_to(answer_field: str) -> SelectField:
    return choice(
        N_("退回至"),
        SEND_BACK,
        required_when=RequiredWhen(
            answer_field, False, N_("不通过的，请选择退回重写报告或补充调查。")
        ),
    )


@task_form("common.approval")
class ApprovalForm(TaskForm):
    title = N_("审批")

    approved = yes_no(N_("同意"))
    opinion = text(N_("审批意见"), required=False)


@task_form("review.gate")
class ReviewGateForm(TaskForm):
    """A review the case cannot pass without: approve, or send back with the reasons."""

    title = N_("审核意见")

    approved = yes_no(N_("审核通过"))
    send_back_to = send_back_to("approved")
    opinion = text(
        N_("审核意见"),
        required=False,
        required_when=RequiredWhen("approved", False, N_("不通过的，请写明理由。")),
    )
