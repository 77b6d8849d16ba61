"""E 审核."""

from __future__ import annotations

from wtforms import IntegerField, ValidationError
from wtforms.validators import NumberRange, Optional

from . import task_form
from .base import (
    N_,
    TaskForm,
    catalogue,
    check_box,
    choice,
    day,
    deviation_reason,
    money,
    several,
    text,
    yes_no,
)
from .choices import (
    AGGRAVATING,
    EXEMPT_LISTS,
    HARMS,
    MITIGATING_MANDATORY,
    MITIGATING_OPTIONAL,
    SANCTIONS,
)


@task_form("review.report")
class InvestigationReportForm(TaskForm):
    title = N_("案件调查终结报告")
    prefill = {  # from 立案核查, and the lookback from the enterprise's 体检档案
        "sanctions": "sanctions",
        "proposed_fine": "proposed_fine",
        "first_offense_2y": "first_offense_2y",
    }

    violation_code = catalogue(
        N_("违法类型"),
        description=N_(
            "从违法行为目录中选择：违法依据和法定罚款幅度以目录为准，首违按同类违法回溯。"
            "目录未收录的，请管理员补录；旧案可不选，手工填写依据和幅度。"
        ),
    )
    violated_on = day(
        N_("违法行为发生日期"),
        required=False,
        description=N_("选择违法类型时必填：首违不罚回溯此日期前两年内的同类违法。"),
    )
    facts = text(N_("违法事实"))
    legal_basis = text(
        N_("违法依据与处罚依据"),
        required=False,
        long=False,
        description=N_("选择违法类型时由目录填写。"),
    )
    sanctions = several(N_("建议处罚种类"), SANCTIONS)
    proposed_fine = money(N_("建议罚款数额（元）"))
    confiscation_value = money(N_("没收违法所得和非法财物价值（元）"))
    fine_min = money(
        N_("法定罚款下限（元）"),
        required=False,
        description=N_("目录规定数额的由目录填写；只规定上限的填 0；倍数型按倍数换算。"),
    )
    fine_max = money(N_("法定罚款上限（元）"), required=False)
    # 是否处罚（决策表 punish_or_not）
    age = IntegerField(
        N_("当事人年龄（自然人）"), validators=[Optional(), NumberRange(min=0, max=150)]
    )
    mental_incapacity = check_box(N_("精神病人、智力残疾人在不能辨认或控制行为时违法"))
    limitation_expired = check_box(N_("违法行为超过追责时效"))
    no_fault_proven = check_box(N_("有证据足以证明没有主观过错"))
    red_line = check_box(N_("触及食品、药品、特种设备、重点工业产品安全底线"))
    emergency = check_box(N_("趁突发事件之机实施违法"))
    minor = check_box(N_("违法行为轻微"))
    corrected = check_box(N_("及时改正"))
    harm = choice(N_("危害后果"), HARMS)
    first_offense_2y = check_box(N_("初次违法（两年内无同类违法）"))
    on_exempt_list = choice(N_("免罚清单"), EXEMPT_LISTS)
    exempt_item = text(
        N_("清单条目"),
        required=False,
        long=False,
        description=N_("命中清单的，写明条目（如“第（一）项第3条”），不予处罚决定书据此援引。"),
    )
    adopt_exemption = yes_no(N_("可以不予处罚时采纳不予处罚"))
    # 裁量（决策表 discretion_level、fine_band）
    mitigating_mandatory = several(N_("应当从轻或减轻的情节"), MITIGATING_MANDATORY)
    significant_mitigation = check_box(N_("减轻情节显著"))
    mitigating_optional = several(N_("可以从轻的情节"), MITIGATING_OPTIONAL)
    aggravating = several(N_("从重情节"), AGGRAVATING)
    deviation_reason = deviation_reason()
    discretion_reason = text(N_("裁量理由"), description=N_("未说明裁量理由的，审核机构退回补正。"))
    # 法制审核、集体讨论（决策表 legal_review、collective_decision）
    major_public_interest = check_box(N_("涉及重大公共利益"))
    complex_case = check_box(N_("案情疑难复杂、涉及多个法律关系"))
    in_review_catalog = check_box(N_("属于重大执法决定法制审核目录"))
    complex_or_major = check_box(N_("情节复杂或重大违法行为"))

    def validate_fine_max(self, field: object) -> None:
        if self.fine_max.data is not None and self.fine_min.data is not None:
            if self.fine_max.data < self.fine_min.data:
                raise ValidationError(N_("罚款上限不能低于下限。"))


@task_form("review.head_decision")
class HeadDecisionForm(TaskForm):
    title = N_("机关负责人审查决定")

    head_decision = choice(
        N_("处理决定"),
        (
            ("PENALTY", N_("确有应受处罚的违法行为，拟作出行政处罚")),
            ("NO_PENALTY", N_("违法行为轻微，依法可以不予行政处罚")),
            ("NOT_ESTABLISHED", N_("违法事实不能成立，不予行政处罚")),
            ("CRIMINAL", N_("违法行为涉嫌犯罪，移送司法机关")),
            ("MORE_EVIDENCE", N_("事实不清、证据不足，退回补充调查取证")),
        ),
    )
    head_opinion = text(N_("审查意见"), required=False)
