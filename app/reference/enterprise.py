"""经营主体 reference data: the 统一社会信用代码 check (GB 32100-2015) and the enumerations
that DECISIONS.md fixes (PARTY_TYPE, DOMAIN) plus the 信用风险分类 A–D."""

from enum import StrEnum

# GB 32100-2015: 31 characters (no I, O, Z, S, V), weights 3^(i) mod 31 for positions 1–17.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class PartyType(StrEnum):
    NATURAL = "NATURAL"
    INDIVIDUAL_BIZ = "INDIVIDUAL_BIZ"
    LEGAL_PERSON = "LEGAL_PERSON"
    OTHER_ORG = "OTHER_ORG"


class Domain(StrEnum):
    FOOD = "FOOD"
    DRUG = "DRUG"
    SPECIAL_EQUIP = "SPECIAL_EQUIP"
    KEY_INDUSTRIAL = "KEY_INDUSTRIAL"
    AD = "AD"
    PRICE = "PRICE"
    REGISTRATION = "REGISTRATION"
    METROLOGY = "METROLOGY"
    ECOM = "ECOM"
    PRODUCT_QUALITY = "PRODUCT_QUALITY"
    OTHER = "OTHER"


class CreditClass(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


PARTY_TYPE_LABELS = {
    PartyType.NATURAL: "自然人",
    PartyType.INDIVIDUAL_BIZ: "个体工商户",
    PartyType.LEGAL_PERSON: "法人",
    PartyType.OTHER_ORG: "其他组织",
}

DOMAIN_LABELS = {
    Domain.FOOD: "食品",
    Domain.DRUG: "药品",
    Domain.SPECIAL_EQUIP: "特种设备",
    Domain.KEY_INDUSTRIAL: "重点工业产品",
    Domain.AD: "广告",
    Domain.PRICE: "价格",
    Domain.REGISTRATION: "登记注册",
    Domain.METROLOGY: "计量",
    Domain.ECOM: "网络交易",
    Domain.PRODUCT_QUALITY: "产品质量",
    Domain.OTHER: "其他",
}


def credit_code_check_char(first17: str) -> str:
    """The 18th character for the first 17; raises ValueError on characters outside the set."""
    total = 0
    for char, weight in zip(first17, _WEIGHTS, strict=True):
        value = CREDIT_CODE_ALPHABET.find(char)
        if value < 0:
            raise ValueError(f"非法字符 {char!r}")
        total += value * weight
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """None when `code` is a valid 统一社会信用代码, otherwise the reason in Chinese."""
    if len(code) != 18:
        return "统一社会信用代码应为 18 位"
    if any(c not in CREDIT_CODE_ALPHABET for c in code):
        return "统一社会信用代码只能包含数字和大写字母（不含 I、O、Z、S、V）"
    if credit_code_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确"
    return None
