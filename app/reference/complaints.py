"""12315/12345 work orders: the channels and the issue types complaints are normalized to
(POLICY 三(二)4: risk warnings start from complaint hotspots). A file may name an issue type by
code, by label or by one of the everyday names listed as synonyms."""

from enum import StrEnum


class Channel(StrEnum):
    MARKET_12315 = "12315"  # 全国12315平台 (market regulation)
    CITIZEN_12345 = "12345"  # 12345政务服务便民热线 (transferred orders)


class IssueType(StrEnum):
    FOOD_SAFETY = "FOOD_SAFETY"
    PRODUCT_QUALITY = "PRODUCT_QUALITY"
    FALSE_ADVERTISING = "FALSE_ADVERTISING"
    PRICE = "PRICE"
    METROLOGY = "METROLOGY"
    UNLICENSED = "UNLICENSED"
    PREPAID = "PREPAID"
    ONLINE_SHOPPING = "ONLINE_SHOPPING"
    UNFAIR_TERMS = "UNFAIR_TERMS"
    SPECIAL_EQUIP = "SPECIAL_EQUIP"
    DRUG = "DRUG"
    OTHER = "OTHER"


ISSUE_LABELS: dict[IssueType, str] = {
    IssueType.FOOD_SAFETY: "食品安全",
    IssueType.PRODUCT_QUALITY: "产品质量",
    IssueType.FALSE_ADVERTISING: "虚假宣传",
    IssueType.PRICE: "价格违法",
    IssueType.METROLOGY: "计量作弊",
    IssueType.UNLICENSED: "无照无证经营",
    IssueType.PREPAID: "预付式消费",
    IssueType.ONLINE_SHOPPING: "网络购物",
    IssueType.UNFAIR_TERMS: "合同格式条款",
    IssueType.SPECIAL_EQUIP: "特种设备安全",
    IssueType.DRUG: "药品医疗器械",
    IssueType.OTHER: "其他",
}

ISSUE_SYNONYMS: dict[str, IssueType] = {
    "过期食品": IssueType.FOOD_SAFETY,
    "食品变质": IssueType.FOOD_SAFETY,
    "质量问题": IssueType.PRODUCT_QUALITY,
    "假冒伪劣": IssueType.PRODUCT_QUALITY,
    "虚假广告": IssueType.FALSE_ADVERTISING,
    "价格欺诈": IssueType.PRICE,
    "乱收费": IssueType.PRICE,
    "缺斤短两": IssueType.METROLOGY,
    "无照经营": IssueType.UNLICENSED,
    "办卡退费": IssueType.PREPAID,
    "网购": IssueType.ONLINE_SHOPPING,
    "霸王条款": IssueType.UNFAIR_TERMS,
    "电梯": IssueType.SPECIAL_EQUIP,
}

# The spreadsheet's columns: accepted header names (Chinese first) → field.
COLUMNS: dict[str, str] = {
    "工单编号": "order_no",
    "order_no": "order_no",
    "来源": "channel",
    "渠道": "channel",
    "channel": "channel",
    "受理日期": "received_on",
    "登记日期": "received_on",
    "received_on": "received_on",
    "地区": "region",
    "行政区划": "region",
    "行政区划代码": "region",
    "region": "region",
    "领域": "domain",
    "domain": "domain",
    "问题类型": "issue_type",
    "issue_type": "issue_type",
    "经营主体": "enterprise_name",
    "被投诉主体": "enterprise_name",
    "enterprise_name": "enterprise_name",
    "统一社会信用代码": "credit_code",
    "credit_code": "credit_code",
    "诉求内容": "summary",
    "summary": "summary",
}
REQUIRED = ("order_no", "channel", "received_on", "region", "domain", "issue_type")
