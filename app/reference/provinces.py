"""省级行政区 (GB/T 2260 codes of the 31 provinces, autonomous regions and municipalities where
enterprises register with a market-regulation authority): an enterprise's registration province
(登记地) and which provinces' 较低数额罚款 standards are configured."""

from __future__ import annotations

# The deciding authorities of this system are the Inner Mongolia bureaus (the region tree's root).
HOME_PROVINCE = "150000"

PROVINCES: dict[str, str] = {
    "110000": "北京市",
    "120000": "天津市",
    "130000": "河北省",
    "140000": "山西省",
    "150000": "内蒙古自治区",
    "210000": "辽宁省",
    "220000": "吉林省",
    "230000": "黑龙江省",
    "310000": "上海市",
    "320000": "江苏省",
    "330000": "浙江省",
    "340000": "安徽省",
    "350000": "福建省",
    "360000": "江西省",
    "370000": "山东省",
    "410000": "河南省",
    "420000": "湖北省",
    "430000": "湖南省",
    "440000": "广东省",
    "450000": "广西壮族自治区",
    "460000": "海南省",
    "500000": "重庆市",
    "510000": "四川省",
    "520000": "贵州省",
    "530000": "云南省",
    "540000": "西藏自治区",
    "610000": "陕西省",
    "620000": "甘肃省",
    "630000": "青海省",
    "640000": "宁夏回族自治区",
    "650000": "新疆维吾尔自治区",
}

# The configuration keys (natural persons, organisations) of each province's 较低数额罚款 standard
# (《市场监督管理行政处罚信息公示规定》第十三条: set by the provincial bureaus). A province without
# keys has no known standard: the three-month publicity for a lower fine does not apply.
LOW_FINE_KEYS: dict[str, tuple[str, str]] = {
    "150000": ("IM_LOW_FINE_NATURAL", "IM_LOW_FINE_ORG"),
    "420000": ("HB_LOW_FINE_NATURAL", "HB_LOW_FINE_ORG"),
}


def province_error(code: str) -> str | None:
    """None for a known province code, otherwise the reason in Chinese."""
    if code in PROVINCES:
        return None
    return f"未知省份代码: {code}（应为省级行政区划代码，如 150000 内蒙古自治区）"
