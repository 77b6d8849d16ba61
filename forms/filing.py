"""C 线索核查与立案."""

from typing import Any

from wtforms.validators import ValidationError

from . import task_form
from .base import (
    N_,
    TaskForm,
    accounts,
    catalogue,
    check_box,
    choice,
    day,
    money,
    several,
    text,
    yes_no,
)
from .choices import NOT_FILED_REASONS, SANCTIONS, SOURCES, UNPUNISHED_GROUNDS
from .inspection import RectificationOrderForm


@task_form("filing.register")
class ClueRegistrationForm(TaskForm):
    title = N_("案件来源登记表")
    # a case opened by a failed rectification check arrives with its clue (app/enforcement/
    # rectification.py)
    prefill = {"clue_summary": "clue_summary", "found_on": "found_on"}

    source = choice(N_("线索来源"), SOURCES)
    found_on = day(N_("发现或收到日期"), description=N_("核查期限自此日起算。"))
    clue_summary = text(N_("线索内容"))


@task_form("filing.verify")
class ClueVerificationForm(TaskForm):
    title = N_("线索核查")

    evidence_initial = yes_no(N_("有证据初步证明存在违法行为"))
    should_punish = yes_no(N_("依法应当给予行政处罚"))
    within_jurisdiction = yes_no(N_("属于本部门管辖"))
    within_limitation = yes_no(N_("在给予行政处罚的法定期限内"))
    violation_code = catalogue(
        N_("违法类型"), description=N_("填写违法行为发生日期的，须选择违法类型（决定处罚时效）。")
    )
    violated_on = day(
        N_("违法行为发生日期"),
        required=False,
        description=N_(
            "处罚时效自此日起算；违法行为在二年（涉及生命健康安全、金融安全且有危害后果的五年）内未被发现的，不予立案。"
        ),
    )
    continuing = check_box(N_("违法行为有连续或者继续状态"))
    violation_ended_on = day(
        N_("违法行为终了日期"),
        required=False,
        description=N_("连续或者继续状态的违法行为，时效自行为终了之日起计算；仍在继续的不填。"),
    )
    harm_caused = check_box(N_("违法行为有危害后果"))
    facts_clear = yes_no(
        N_("违法事实确凿并有法定依据"),
        description=N_("与拟处罚种类、数额一起决定是否适用简易程序。"),
    )
    sanctions = several(N_("拟处罚种类"), SANCTIONS)
    proposed_fine = money(N_("拟罚款数额（元）"), required=False)
    verify_notes = text(N_("核查情况"), required=False)


@task_form("filing.not_filed")
class NotFiledForm(TaskForm):
    title = N_("不予立案审批表")

    prefill = {"violation_code": "violation_code", "violated_on": "violated_on"}

    not_filed_reason = choice(N_("不予立案理由"), NOT_FILED_REASONS)
    violation_code = catalogue(
        N_("违法类型"),
        description=N_("初次违法不予立案的必填：记入首违记录，两年内同类违法不再适用首违。"),
    )
    violated_on = day(N_("违法行为发生日期"), required=False)
    order_rectification = yes_no(
        N_("责令改正并进行教育"),
        description=N_(
            "免罚不免责：轻微、初次违法或无主观过错不予处罚的，必须责令改正并进行教育"
            "（《行政处罚法》第二十八条、第三十三条第三款），进入整改核查。"
        ),
    )
    not_filed_notes = text(N_("负责人意见"), required=False)

    def validate_order_rectification(self, field: Any) -> None:
        if self.not_filed_reason.data in UNPUNISHED_GROUNDS and field.data is False:
            raise ValidationError(
                N_("因轻微、初次违法或无主观过错不予立案的，应当责令改正并进行教育。")
            )


@task_form("filing.rectify_educate")
class NotFiledRectifyForm(RectificationOrderForm):
    """责令改正通知书 and 教育记录 of a clue not filed (DOMAIN.md C3b): 立即改正 is 0 days."""

    title = N_("责令改正通知书及教育记录")

    educated_on = day(N_("教育日期"))
    education = text(
        N_("教育内容"),
        description=N_(
            "对当事人不予行政处罚的，应当对当事人进行教育（《行政处罚法》第三十三条第三款）。"
        ),
    )


@task_form("filing.assign")
class AssignOfficersForm(TaskForm):
    title = N_("指定办案人员")

    case_officers = accounts(
        N_("办案人员"),
        description=N_(
            "从本地区持有行政执法证的执法人员中选择两人以上（《行政处罚法》第四十二条，"
            "《市场监督管理行政处罚程序规定》第十九条）。"
        ),
    )
