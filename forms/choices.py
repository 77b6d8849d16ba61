"""Codes and labels of the enumerations task screens offer. The codes are the values the process
library and the decision tables (shared/DECISIONS.md) read; app/reference builds on these lists."""

from __future__ import annotations

from .base import N_

Choices = tuple[tuple[str, str], ...]

SANCTIONS: Choices = (
    ("WARNING", N_("警告")),
    ("CRITICISM", N_("通报批评")),
    ("FINE", N_("罚款")),
    ("CONFISCATE_INCOME", N_("没收违法所得")),
    ("CONFISCATE_PROPERTY", N_("没收非法财物")),
    ("SUSPEND_LICENSE", N_("暂扣许可证件")),
    ("REVOKE_LICENSE", N_("吊销许可证件")),
    ("REVOKE_BIZ_LICENSE", N_("吊销营业执照")),
    ("STOP_BUSINESS", N_("责令停产停业")),
    ("CLOSE", N_("责令关闭")),
    ("RESTRICT_PRACTICE", N_("限制从业")),
    ("LOWER_QUALIFICATION", N_("降低资质等级")),
)
HARMS: Choices = (
    ("NONE", N_("没有危害后果")),
    ("SLIGHT", N_("危害后果轻微")),
    ("GENERAL", N_("一般")),
    ("SERIOUS", N_("严重")),
)
EXEMPT_LISTS: Choices = (
    ("NONE", N_("未命中清单")),
    ("NATIONAL_FIRST", N_("总局首违不罚清单")),
    ("NATIONAL_MINOR", N_("总局轻微免罚清单")),
    ("IM_LIST", N_("内蒙古不予处罚清单")),
)
SOURCES: Choices = (
    ("INSPECTION", N_("监督检查")),
    ("COMPLAINT", N_("投诉")),
    ("REPORT", N_("举报")),
    ("ASSIGNED", N_("上级交办")),
    ("MEDIA", N_("媒体曝光")),
    ("TRANSFER", N_("其他部门移送")),
    ("MONITORING", N_("监测发现")),
)
SITUATIONS: Choices = (
    ("COMMON_RISK", N_("共性风险、行业性问题、新规出台")),
    ("INDIVIDUAL_RISK", N_("个体风险、尚未违法")),
    ("WARNED_NOT_CORRECTED", N_("轻微违法苗头、提醒后未改")),
    ("MANAGEMENT_GAP", N_("管理漏洞、制度缺失")),
    ("SAFETY_HAZARD", N_("存在安全隐患且未及时消除")),
    ("VIOLATION", N_("已构成违法且不属于免罚情形")),
)
MITIGATING_MANDATORY: Choices = (
    ("ELIMINATED_HARM", N_("主动消除或者减轻违法行为危害后果")),
    ("COERCED", N_("受他人胁迫或者诱骗实施违法行为")),
    ("CONFESSED", N_("主动供述行政机关尚未掌握的违法行为")),
    ("MERITORIOUS", N_("配合行政机关查处违法行为有立功表现")),
    ("AGE_14_18", N_("已满十四周岁不满十八周岁")),
    ("OTHER", N_("法律、法规、规章规定的其他情形")),
)
MITIGATING_OPTIONAL: Choices = (
    ("PARTIAL_CAPACITY", N_("尚未完全丧失辨认或者控制能力的精神病人、智力残疾人")),
    ("UNKNOWING_SELLER", N_("不知道所售产品为禁止销售的产品并如实说明进货来源")),
    ("COOPERATIVE", N_("积极配合调查，如实陈述违法事实并主动提供证据")),
    ("MINOR_LOW_HARM", N_("违法行为轻微、社会危害性较小")),
    ("SECONDARY_ROLE", N_("在共同违法行为中起次要或者辅助作用")),
    ("OTHER", N_("其他依法可以从轻的情形")),
)
AGGRAVATING: Choices = (
    ("SEVERE", N_("违法情节恶劣，造成严重危害后果")),
    ("REFUSED_TO_CORRECT", N_("责令改正拒不改正")),
    ("REPEATED", N_("一年内实施两次以上同种违法行为")),
    ("OBSTRUCTION", N_("妨碍、阻挠或者抗拒执法人员依法调查")),
    ("EVIDENCE", N_("伪造、隐匿、毁灭证据或者打击报复")),
    ("PRINCIPAL", N_("在共同违法行为中起主要作用")),
    ("MINORS", N_("胁迫、诱骗或者教唆未成年人实施违法行为")),
    ("PUBLIC_SAFETY", N_("危害国家安全、公共安全、基本民生")),
    ("EMERGENCY", N_("在突发事件期间违反应对措施")),
    ("OTHER", N_("其他依法应当从重的情形")),
)
PASS_FAIL: Choices = (("PASS", N_("合格")), ("FAIL", N_("不合格")))
SERVICE_METHODS: Choices = (
    ("DIRECT", N_("直接送达")),
    ("POST", N_("邮寄送达")),
    ("ELECTRONIC", N_("电子送达（经当事人同意）")),
    ("NOTICE", N_("公告送达")),
)


def codes(choices: Choices) -> tuple[str, ...]:
    return tuple(code for code, _ in choices)


INSPECTION_RESULTS: Choices = (
    ("COMPLIANT", N_("未发现问题")),
    ("RECTIFY", N_("发现问题，责令整改")),
    ("CLUE", N_("发现违法线索，移交立案")),
)

# 不予立案的理由 (《市场监督管理行政处罚程序规定》第二十条; 《行政处罚法》第三十三条、第三十六条)
NOT_FILED_REASONS: Choices = (
    ("MINOR_CORRECTED", N_("违法行为轻微并及时改正，没有造成危害后果")),
    ("FIRST_OFFENSE", N_("初次违法且危害后果轻微并及时改正")),
    ("NO_FAULT", N_("有证据足以证明没有主观过错")),
    ("NO_VIOLATION", N_("违法事实不成立")),
    ("NO_JURISDICTION", N_("不属于本部门管辖")),
    ("LIMITATION", N_("超过行政处罚时效")),
    ("OTHER", N_("其他")),
)
# the grounds of 《行政处罚法》第三十三条 on which a violation goes unpunished: 免罚不免责, the
# party is ordered to correct it and educated (第二十八条、第三十三条第三款)
UNPUNISHED_GROUNDS = ("MINOR_CORRECTED", "FIRST_OFFENSE", "NO_FAULT")
