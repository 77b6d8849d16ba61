"""简易程序 (on-the-spot decisions)."""

from . import task_form
from .base import N_, TaskForm, confirm, day, money, several, text

SUMMARY_SANCTIONS = (("WARNING", N_("警告")), ("FINE", N_("罚款")))


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


@task_form("summary.record")
class SummaryFilingForm(TaskForm):
    title = N_("备案")

    filed_on = day(N_("备案日期"))
