"""The case library's anonymizer and the decision's text: real names, codes and addresses of the
kind the decisions carry, masked as 某某有限公司, ＊＊＊＊ and 李某."""

from __future__ import annotations

import pytest

from app.enforcement.library import html_to_text
from app.platform.anonymize import PartyIdentity, anonymize, name_core, party_mask, person_mask

SUPERMARKET = PartyIdentity(
    names=("包头市青山区百家惠超市有限公司",),
    credit_code="91150204MA0E3Y5B7K",
    address="包头市青山区钢铁大街45号",
    legal_representative="欧阳明辉",
    people=("王海军", "李娜"),
)


def test_the_party_its_code_address_and_people_are_masked() -> None:
    text = (
        "当事人：包头市青山区百家惠超市有限公司\n"
        "统一社会信用代码：91150204MA0E3Y5B7K\n"
        "经查明：当事人（法定代表人欧阳明辉，住所包头市青山区钢铁大街45号）销售过期牛奶；"
        "百家惠超市负责人对事实无异议。执法人员王海军、李娜于现场检查时发现，"
        "另查明其网店页面标注代码91150204ma0e3y5b7k。"
    )
    assert anonymize(text, SUPERMARKET) == (
        "当事人：某某有限公司\n"
        "统一社会信用代码：＊＊＊＊\n"
        "经查明：当事人（法定代表人欧阳某，住所包头市青山区＊＊＊＊）销售过期牛奶；"
        "某某负责人对事实无异议。执法人员王某、李某于现场检查时发现，"
        "另查明其网店页面标注代码＊＊＊＊。"
    )


def test_a_name_inside_a_longer_one_and_the_masks_themselves_stay_whole() -> None:
    shop = PartyIdentity(
        names=("赛罕区李娜烧烤店",), legal_representative="李娜", people=("某某", "张")
    )
    assert anonymize("赛罕区李娜烧烤店经营者李娜称，李娜烧烤店已整改。", shop) == (
        "某某店经营者李某称，某某店已整改。"
    )
    # a one-character "name" masks nothing; a mask is never masked again
    assert anonymize("张三说某某", shop) == "张三说某某"


def test_a_natural_person_party_is_masked_as_a_person() -> None:
    herder = PartyIdentity(names=("巴特尔",), credit_code="", natural_person=True)
    assert anonymize("当事人巴特尔在集市销售未经检疫的羊肉，巴特尔当场认错。", herder) == (
        "当事人巴某在集市销售未经检疫的羊肉，巴某当场认错。"
    )


def test_nothing_to_mask_leaves_the_text_as_it_is() -> None:
    assert anonymize("本局决定不予行政处罚。", PartyIdentity(names=())) == "本局决定不予行政处罚。"


@pytest.mark.parametrize(
    ("name", "mask", "core"),
    [
        ("呼和浩特市青城乳业有限公司", "某某有限公司", "青城乳业"),
        ("包头市青山区百家惠超市有限公司", "某某有限公司", "百家惠超市"),
        ("内蒙古云驼电子商务有限公司", "某某有限公司", "云驼电子商务"),
        ("土默特左旗金川农资经销部", "某某经销部", "金川农资"),
        ("东河区老包头烧麦馆", "某某馆", "老包头烧麦"),
        ("东胜区暖城大药房有限公司", "某某有限公司", "暖城大药房"),
        ("呼和浩特市乳业有限公司", "某某有限公司", ""),  # 乳业 alone is too common to mask
        ("超市", "某某", ""),
    ],
)
def test_party_masks_keep_only_the_organisational_ending(name: str, mask: str, core: str) -> None:
    assert party_mask(name) == mask
    assert name_core(name) == core


@pytest.mark.parametrize(
    ("name", "mask"),
    [
        ("李娜", "李某"),
        ("王海军", "王某"),
        ("欧阳明辉", "欧阳某"),
        ("巴特尔·孟和", "巴某"),
        ("John", "某"),
    ],
)
def test_person_masks(name: str, mask: str) -> None:
    assert person_mask(name) == mask


def test_the_text_of_a_decision_document_without_its_markup() -> None:
    html = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>行政处罚决定书 呼市监处罚〔2026〕1号</title>"
        "<style>body { font-family: serif; }</style></head><body>"
        '<p class="issuer">呼和浩特市市场监督管理局</p><hr class="rule"><h1>行政处罚决定书</h1>'
        "<p>经查明：当事人销售 &lt;script&gt; 标注的产品，A&amp;B 牌\n   乳制品。</p>"
        "<script>alert(1)</script><p>罚款人民币伍仟元整<br>（¥5,000.00）</p></body></html>"
    )
    assert html_to_text(html) == (
        "呼和浩特市市场监督管理局\n行政处罚决定书\n"
        "经查明：当事人销售 <script> 标注的产品，A&B 牌 乳制品。\n"
        "罚款人民币伍仟元整\n（¥5,000.00）"
    )
