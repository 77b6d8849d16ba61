"""C 线索核查与立案."""

from . import task_form
from .base import N_, TaskForm, accounts, catalogue, choice, day, money, several, text, yes_no
from .choices import SANCTIONS, SOURCES


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

    not_filed_reason = choice(
        N_("不予立案理由"),
        (
            ("MINOR_CORRECTED", N_("违法行为轻微并及时改正，没有造成危害后果")),
            ("FIRST_OFFENSE", N_("初次违法且危害后果轻微并及时改正")),
            ("NO_FAULT", N_("有证据足以证明没有主观过错")),
            ("NO_VIOLATION", N_("违法事实不成立")),
            ("NO_JURISDICTION", N_("不属于本部门管辖")),
            ("LIMITATION", N_("超过行政处罚时效")),
            ("OTHER", N_("其他")),
        ),
    )
    violation_code = catalogue(
        N_("违法类型"),
        description=N_("初次违法不予立案的必填：记入首违记录，两年内同类违法不再适用首违。"),
    )
    violated_on = day(N_("违法行为发生日期"), required=False)
    order_rectification = yes_no(
        N_("责令改正并进行教育"), description=N_("免罚不免责：需要改正的，进入整改核查。")
    )
    not_filed_notes = text(N_("说明"), required=False)


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
