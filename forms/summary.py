"""简易程序 (on-the-spot decisions)."""

from . import task_form
from .base import N_, RequiredWhen, TaskForm, check_box, choice, confirm, day, money, several, text

SUMMARY_SANCTIONS = (("WARNING", N_("警告")), ("FINE", N_("罚款")))
# 《行政处罚法》第六十八条 (第六十九条 边远、水上、交通不便地区 is not offered)
ONSPOT_GROUNDS = (
    ("SMALL_FINE", N_("依法给予一百元以下罚款")),
    ("HARD_TO_ENFORCE", N_("不当场收缴事后难以执行")),
)


@task_form("summary.decision")
class SummaryDecisionForm(TaskForm):
    title = N_("当场行政处罚决定书")

    showed_credentials = confirm(
        N_("已向当事人出示执法证件"),
        N_("执法人员当场作出行政处罚决定的，应当出示执法证件（第五十二条）。"),
    )
    statement_heard = confirm(
        N_("已告知并听取当事人陈述、申辩"), N_("必须听取当事人的陈述、申辩。")
    )
    decided_on = day(N_("决定日期"))
    sanctions = several(N_("处罚种类"), SUMMARY_SANCTIONS, required=True)
    fine = money(
        N_("罚款数额（元）"), description=N_("公民 200 元以下、法人或其他组织 3000 元以下。")
    )
    facts = text(N_("违法事实"))
    legal_basis = text(
        N_("违法依据与处罚依据"),
        long=False,
        description=N_("当场处罚决定书载明处罚种类和依据（《行政处罚法》第五十二条）。"),
    )
    location = text(N_("地点"), long=False)
    collected_on_spot = check_box(
        N_("当场收缴罚款"),
        description=N_(
            "依法给予一百元以下罚款的，或者不当场收缴事后难以执行的，可以当场收缴"
            "（《行政处罚法》第六十八条），出具省级财政部门统一制发的专用票据。"
        ),
    )
    onspot_ground = choice(
        N_("当场收缴的情形"),
        ONSPOT_GROUNDS,
        required_when=RequiredWhen("collected_on_spot", True, N_("当场收缴罚款的，请选择情形。")),
    )
    onspot_reason = text(
        N_("事后难以执行的理由"),
        required=False,
        required_when=RequiredWhen(
            "onspot_ground", "HARD_TO_ENFORCE", N_("请写明不当场收缴事后难以执行的理由。")
        ),
    )


@task_form("summary.record")
class SummaryFilingForm(TaskForm):
    title = N_("备案")

    filed_on = day(N_("备案日期"))
