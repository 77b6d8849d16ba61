"""The public anonymizer (app/platform/anonymize.py) on its own: the check characters it trusts,
each kind of identifier in the forms texts write it, and a corpus of 典型案例 summaries (invented
parties, numbers and places of Inner Mongolia) of which no identifier may survive while the
legal text — articles, amounts, dates, document numbers, the labels — stays as it was."""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.platform import anonymize as module
from app.platform.anonymize import (
    MASK,
    PartyIdentity,
    anonymize,
    credit_code_checksum_ok,
    id_card_checksum_ok,
    looks_like_id_card,
    luhn_ok,
    mask_addresses,
    mask_introduced_names,
    mask_numbers,
    short_forms,
    text_digest,
    trade_name,
)

# check characters computed by hand (GB 11643 / ISO 7064 MOD 11-2, GB 32100, Luhn)
ID_VALID = "150102198503121232"
ID_X = "11010519491231002X"  # the standard's own example
ID_WRONG_CHECK = "150102198503121233"  # a real birth date, a wrong check digit
ID_OLD = "150204900707456"  # 15 digits, born 1990-07-07
CREDIT = "91150105MA0N1R2K0K"
CREDIT_WRONG = "91150105MA0N1R2K0A"
CARD = "6222020602001234569"
CARD_16 = "4367421234567896"


def test_the_check_characters() -> None:
    assert id_card_checksum_ok(ID_VALID) and id_card_checksum_ok(ID_X)
    assert id_card_checksum_ok(ID_X.lower())
    assert not id_card_checksum_ok(ID_WRONG_CHECK)
    # a wrong check digit with a real birth date is still treated as an ID number (masked)
    assert looks_like_id_card(ID_WRONG_CHECK) and looks_like_id_card(ID_OLD)
    assert not looks_like_id_card("150102198513451234")  # month 13, check wrong: not an ID
    assert not looks_like_id_card("150204901307456")  # 15 digits, month 13
    assert credit_code_checksum_ok(CREDIT) and credit_code_checksum_ok(CREDIT.lower())
    assert not credit_code_checksum_ok(CREDIT_WRONG)
    assert not credit_code_checksum_ok("91150105MA0N1R2KOK")  # O is not in the code's alphabet
    assert luhn_ok(CARD) and luhn_ok(CARD_16) and not luhn_ok("6222020602001234568")


@pytest.mark.parametrize(
    "written",
    [
        ID_VALID,
        ID_X,
        ID_X.lower(),
        ID_WRONG_CHECK,
        ID_OLD,
        "13847123456",
        "138 4712 3456",
        "138-4712-3456",
        "+86 138 4712 3456",
        "+8613847123456",
        "0086-13847123456",
        "86-13847123456",
        "0471-6612345",
        "0471-1234567",
        "0471 6612345",
        "04716612345",
        "(0471)6612345",
        "（0472）5123456",
        "0477-8581234-806",
        "010-62345678",
        "bai.yunfeng@example.com",
        "qc_dairy2026@nm-example.com.cn",
        CARD,
        CARD_16,
        "6222 0206 0200 1234 569",
        "4367-4212-3456-7896",
        CREDIT,
        CREDIT.lower(),
        "１３８４７１２３４５６",  # full-width digits
        "１５０１０２１９８５０３１２１２３２",
        "＋86 138 4712 3456",
    ],
)
def test_each_number_kind_is_masked_wherever_it_stands(written: str) -> None:
    for text in (f"{written}", f"号码：{written}。", f"见{written}，另", f"（{written}）"):
        masked = mask_numbers(text)
        assert written not in masked and MASK in masked, (text, masked)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("收款账号：1234567890123", f"收款账号：{MASK}"),  # no Luhn: masked by its context
        ("对公账户为15050171123456789", f"对公账户为{MASK}"),
        ("通过微信转账至账号 9876 5432 1098", f"通过微信转账至账号 {MASK}"),
        ("联系电话6612345", f"联系电话{MASK}"),  # a local number after 电话
        (f"统一社会信用代码：{CREDIT_WRONG}", f"统一社会信用代码：{MASK}"),  # after its label
        ("身份证号码150102198503121233", f"身份证号码{MASK}"),
    ],
)
def test_numbers_masked_by_their_context(text: str, masked: str) -> None:
    assert mask_numbers(text) == masked


@pytest.mark.parametrize(
    "kept",
    [
        "依据《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        "依据《行政处罚法》第28条、第32条",
        "罚款5000元，没收违法所得1,280.50元（¥5,000.00）",
        "2026年3月1日，2026-03-01，2026.03.01，20260301批次",
        "呼市监处罚〔2026〕12号，国家市场监督管理总局令第61号",
        "统一社会信用代码：（略）",
        "销售超过保质期的乳制品12盒，货值金额360元",
        "抽检批号：20260301-02，检验报告编号W2026-0042",
        f"产品型号{CREDIT_WRONG}",  # a code shape with a wrong check and no label: not a code
        "商品条码6923450657713",  # not Luhn, no account word: a product, kept
        "150102198513451234",  # not an ID (month 13), not a card
        "城市道路两侧；城乡结合部；乡镇市场；农村集市；乡村旅游",
        "当事人在其经营场所销售过期食品",
        "当事人明知是过期食品仍予销售，当事人申请的听证",
        "经营者擅自改变经营场所，当事人拒不改正，",
        "公司经理与项目经理、区域经理均称不知情",
        "本局执法人员于2026年3月1日在现场检查",
        "新城区3个村的12家超市，２０２６年３月１日",
        "决定书（已隐去当事人信息），当事人申辩称，当事人陈述申辩权利",
        "违反《消费者权益保护法》，责令监护人管教",
    ],
)
def test_ordinary_legal_text_is_not_masked(kept: str) -> None:
    assert anonymize(kept) == kept


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("住所：包头市昆都仑区钢铁大街45号院2单元302室，", f"住所：包头市昆都仑区{MASK}，"),
        ("住址内蒙古自治区鄂尔多斯市东胜区天骄路12号", f"住址内蒙古自治区鄂尔多斯市东胜区{MASK}"),
        ("在赛罕区大学东街街道幸福小区3号楼销售", f"在赛罕区{MASK}销售"),
        ("和林格尔县盛乐镇西沟门村", f"和林格尔县{MASK}"),
        ("土默特左旗察素齐镇西街村3组", f"土默特左旗{MASK}"),
        ("锡林浩特市宝力根苏木巴彦嘎查牧民", f"锡林浩特市{MASK}牧民"),
        ("经营场所位于回民区中山西路12号的店铺内", f"经营场所位于回民区{MASK}的店铺内"),
        ("执法人员在城关镇检查", f"执法人员在{MASK}检查"),
    ],
)
def test_addresses_keep_the_county_and_lose_what_is_below(text: str, masked: str) -> None:
    assert mask_addresses(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("证人张建国称其于当日购买", "证人张某称其于当日购买"),
        ("当事人：赵丽，女", "当事人：赵某，女"),
        ("员工乌云其其格证实", "员工乌某证实"),
        ("经营者巴特尔·孟和称", "经营者巴某称"),
        ("联系人：苏和，电话另附", "联系人：苏某，电话另附"),
        ("店长王小明在现场", "店长王某在现场"),
        ("李建华经理表示", "李某经理表示"),
        ("委托代理人欧阳明辉签字", "委托代理人欧阳某签字"),
        ("证人王某称", "证人王某称"),  # already masked: unchanged
        ("消费者陈某某投诉", "消费者陈某某投诉"),
    ],
)
def test_people_the_case_does_not_know_where_the_text_introduces_them(
    text: str, masked: str
) -> None:
    assert mask_introduced_names(text) == masked


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("呼和浩特市某某商贸有限公司", ["某某商贸"]),  # 某某 alone: already a mask
        ("呼和浩特市青城乳业有限公司", ["青城乳业", "青城"]),
        ("包头市青山区百家惠超市有限公司", ["百家惠超市", "百家惠"]),
        ("内蒙古云驼电子商务有限公司", ["云驼电子商务", "云驼"]),
        ("鄂尔多斯市暖城大药房连锁有限公司", ["暖城大药房连锁", "暖城"]),
        ("呼和浩特市人民大药房有限公司", ["人民大药房"]),  # 人民 is a word of the law
        ("东河区老包头烧麦馆", ["老包头烧麦", "老包头"]),
    ],
)
def test_short_forms_of_a_party_name(name: str, short: list[str]) -> None:
    assert [form for form in short_forms(name) if form != "某某"] == short


def test_the_trade_name_is_never_a_word_of_the_law() -> None:
    assert trade_name("呼和浩特市市场食品有限公司") == ""
    assert trade_name("赛罕区中国超市") == ""


# ------------------------------------------------------------------ the corpus


@dataclass(frozen=True)
class Summary:
    text: str
    secrets: tuple[str, ...]  # none of these may survive
    kept: tuple[str, ...] = ()  # these must (besides the legal text every summary is read for)
    party: PartyIdentity | None = None


QINGCHENG = PartyIdentity(
    names=("呼和浩特市青城乳业有限公司",),
    credit_code="91150105MA0N1R2K0K",
    address="呼和浩特市新城区海拉尔东路88号",
    legal_representative="白云峰",
    people=("王执法", "刘检查"),
)
MOUMOU = PartyIdentity(
    names=("呼和浩特市某某商贸有限公司",),
    credit_code="91150203MA13XL5P0T",
    legal_representative="郝志刚",
    people=("任晓东",),
)
BAIJIAHUI = PartyIdentity(
    names=("包头市青山区百家惠超市有限公司",),
    credit_code="92150402MA0Q7H3C0W",
    address="包头市青山区钢铁大街45号",
    legal_representative="欧阳明辉",
    people=("乔振宇", "敖登"),
)
HERDER = PartyIdentity(names=("巴特尔",), natural_person=True, people=("孟庆山",))
NUANCHENG = PartyIdentity(
    names=("鄂尔多斯市暖城大药房有限公司", "东胜区暖城大药房"),
    credit_code="91150602MA0PB1Y707",
    legal_representative="高娃",
    people=("贺军",),
)
KEERQIN = PartyIdentity(
    names=("通辽市科尔沁区草原兴牛肉干加工厂",),
    credit_code="93152502MA0R2K8D0F",
    legal_representative="包金山",
)

CORPUS = [
    Summary(
        "呼和浩特市青城乳业有限公司（统一社会信用代码91150105MA0N1R2K0K，法定代表人白云峰，"
        "身份证号150102198503121232）于2026年3月1日销售超过保质期的乳制品12盒，违反《中华人民"
        "共和国食品安全法》第三十四条第（十）项，依据第一百二十四条罚款5000元。",
        ("呼和浩特市青城乳业有限公司", "91150105MA0N1R2K0K", "白云峰", ID_VALID),
        ("统一社会信用代码", "第三十四条", "5000元", "2026年3月1日"),
        QINGCHENG,
    ),
    Summary(
        "青城乳业员工乌云其其格证实，涉案产品系从某批发市场购进；证人张建国称其于2026年2月"
        "20日在该店购买，联系电话13847123456。",
        ("青城乳业", "乌云其其格", "张建国", "13847123456", "青城"),
        ("2026年2月20日",),
        QINGCHENG,
    ),
    Summary(
        "呼和浩特市某某商贸有限公司法定代表人郝志刚（手机138-4712-3456）对违法事实无异议；"
        "某某商贸曾于2025年被警告一次，本次依据《行政处罚法》第三十二条从轻处罚，罚款3000元。",
        ("郝志刚", "138-4712-3456", "呼和浩特市某某商贸有限公司"),
        ("第三十二条", "3000元", "某某有限公司"),
        MOUMOU,
    ),
    Summary(
        "当事人包头市青山区百家惠超市有限公司，住所包头市青山区钢铁大街45号，负责人欧阳明辉。"
        "百家惠超市销售标签不符合规定的预包装食品，货值金额860元，违法所得215.5元。",
        ("百家惠超市有限公司", "钢铁大街45号", "欧阳明辉", "百家惠"),
        ("860元", "215.5元", "包头市青山区"),
        BAIJIAHUI,
    ),
    Summary(
        "执法人员乔振宇、敖登于2026年4月8日对百家惠进行检查，收银员刘小梅称经理每天巡查；"
        "店长王小明提供了进货票据。",
        ("乔振宇", "敖登", "百家惠", "刘小梅", "王小明"),
        ("2026年4月8日",),
        BAIJIAHUI,
    ),
    Summary(
        "当事人巴特尔，男，身份证号码152502198811117781，住锡林浩特市宝力根苏木巴彦嘎查，"
        "在集市销售未经检疫的羊肉，巴特尔当场认错。",
        ("152502198811117781", "宝力根苏木", "巴彦嘎查", "巴特尔"),
        ("锡林浩特市",),
        HERDER,
    ),
    Summary(
        "鄂尔多斯市暖城大药房有限公司（门店名称：东胜区暖城大药房）未凭处方销售处方药，"
        "法定代表人高娃，联系电话0477-8581234，电子邮箱nuancheng_yf@example.com。暖城大药房"
        "已整改。依据《药品管理法》第一百三十条，给予警告并罚款2万元。",
        ("暖城大药房", "高娃", "0477-8581234", "nuancheng_yf@example.com", "暖城"),
        ("第一百三十条", "2万元", "警告"),
        NUANCHENG,
    ),
    Summary(
        "通辽市科尔沁区草原兴牛肉干加工厂（统一社会信用代码93152502MA0R2K8D0F）在标签上标注"
        "虚假生产日期。经营者包金山通过微信收款，收款账号6222020602001234569，"
        "另有对公账户15050171123456789。",
        ("草原兴", "93152502MA0R2K8D0F", "包金山", "6222020602001234569", "15050171123456789"),
        ("统一社会信用代码",),
        KEERQIN,
    ),
    Summary(
        "当事人赵丽，女，身份证号150421197801153321，经营地址赤峰市红山区昭乌达路28号"
        "锦绣小区5号楼1单元302室，销售假冒注册商标的白酒18瓶。",
        ("赵丽", "150421197801153321", "昭乌达路28号", "锦绣小区", "302室"),
        ("赤峰市红山区", "18瓶"),
    ),
    Summary(
        "举报人刘女士（手机+86 139 0471 2233）反映，满洲里市某商店销售过期饮料。经查，"
        "店主孙立伟承认其于2026年5月3日购进该批饮料，执法人员依法责令改正。",
        ("139 0471 2233", "孙立伟"),
        ("满洲里市", "2026年5月3日", "责令改正"),
    ),
    Summary(
        "当事人在乌兰察布市集宁区新华街道民主路66号经营眼镜店，未按规定对验光设备进行检定。"
        "负责人苏和称不知道需要检定，联系方式：0474-8212345。",
        ("新华街道", "民主路66号", "苏和", "0474-8212345"),
        ("乌兰察布市集宁区",),
    ),
    Summary(
        "巴彦淖尔市临河区某某粮油经销部经营者周海军（身份证号150802197205063318）在"
        "临河区新华东街18号销售掺杂使假的葵花籽油，货值金额12,800元，没收违法所得。",
        ("周海军", "150802197205063318", "新华东街18号"),
        ("12,800元", "没收违法所得", "临河区"),
    ),
    Summary(
        "兴安盟乌兰浩特市某汽车修理厂员工李国庆证实，厂长张建华指示其使用未经检验的压力容器。"
        "厂址位于乌兰浩特市五一北路和平街道办事处。",
        ("李国庆", "张建华", "五一北路", "和平街道"),
        ("乌兰浩特市",),
    ),
    Summary(
        "阿拉善左旗巴彦浩特镇某餐馆经营者娜仁其其格（手机号码 150 4832 1109）未取得"
        "食品经营许可从事餐饮服务，依据《食品安全法》第一百二十二条罚款5万元。",
        ("巴彦浩特镇", "娜仁其其格", "150 4832 1109"),
        ("阿拉善左旗", "第一百二十二条", "5万元"),
    ),
    Summary(
        "乌海市海勃湾区某建材商行负责人王志强，身份证150302198001012313，"
        "电话（0473）3123456，销售不合格电线电缆。证人马丽娟、杨树林到场作证。",
        ("王志强", "150302198001012313", "3123456", "马丽娟", "杨树林"),
        ("乌海市海勃湾区",),
    ),
    Summary(
        "呼伦贝尔市海拉尔区胜利街道某社区居民反映，当事人韩雪梅在家中无证生产月饼，"
        "住址海拉尔区胜利大街122号2单元501室，生产日期标注为2026年9月1日。",
        ("韩雪梅", "胜利大街122号", "501室", "胜利街道"),
        ("呼伦贝尔市海拉尔区", "2026年9月1日"),
    ),
    Summary(
        "当事人托克托县双河镇某农资店（经营者：武建平，18647123098）销售国家明令淘汰的"
        "农药。执法人员在双河镇东街村3组的仓库内查扣农药46箱。",
        ("武建平", "18647123098", "双河镇", "东街村"),
        ("托克托县", "46箱"),
    ),
    Summary(
        "经查，当事人通过抖音账号推广减肥食品，宣称“七天瘦十斤”。客服人员王丹丹"
        "（微信号wdd_20260301，邮箱wangdd2026@example.cn）负责接单，收款至支付宝账号"
        "13704718899。",
        ("王丹丹", "wangdd2026@example.cn", "13704718899"),
        ("七天瘦十斤",),
    ),
    Summary(
        "固阳县金山镇某加油站经营者吕国栋（身份证号：150222196912120016）使用未经检定的"
        "加油机，加油机出厂编号为JY2021-0456。依据《计量法》第二十六条，罚款1000元。",
        ("吕国栋", "150222196912120016", "金山镇"),
        ("固阳县", "第二十六条", "1000元", "JY2021-0456"),
    ),
    Summary(
        "准格尔旗薛家湾镇某宾馆负责人高建军拒绝配合检查，联系电话：0477—4212345 转 8001。"
        "证人：白玉兰，系宾馆前台服务员。",
        ("高建军", "薛家湾镇", "白玉兰"),
        ("准格尔旗",),
    ),
    Summary(
        "当事人科尔沁右翼前旗某超市（统一社会信用代码：92152221MA0QXX1234）销售三无产品，"
        "法定代表人于海洋，身份证号码15222119860304251X。",
        ("92152221MA0QXX1234", "15222119860304251X"),
        ("科尔沁右翼前旗", "统一社会信用代码"),
    ),
    Summary(
        "2026年6月12日，执法人员对位于赤峰市松山区向阳街道富强社区的某诊所检查，"
        "发现其使用过期医疗器械。诊所负责人陈立新陈述称已于当日停止使用。",
        ("向阳街道", "富强社区", "陈立新"),
        ("赤峰市松山区", "2026年6月12日"),
    ),
    Summary(
        "锡林郭勒盟二连浩特市某进出口贸易公司法定代表人其木格通过银行卡"
        "4367 4212 3456 7896 收取货款，违法所得共计8,600元，依法予以没收。",
        ("其木格", "4367 4212 3456 7896"),
        ("二连浩特市", "8,600元"),
    ),
    Summary(
        "凉城县岱海镇某农家乐经营者曹宝林使用超过有效期的灭火器，消费者韩冬梅投诉后，"
        "执法人员依据《消防法》第六十条责令改正并罚款5000元。",
        ("岱海镇", "曹宝林", "韩冬梅"),
        ("凉城县", "第六十条", "5000元"),
    ),
    Summary(
        "当事人伊金霍洛旗阿勒腾席热镇某烟酒店的店员刘晓燕（电话 13947789012）向未成年人"
        "销售烟草制品，店主任志勇对违法事实无异议。",
        ("阿勒腾席热镇", "刘晓燕", "13947789012", "任志勇"),
        ("伊金霍洛旗",),
    ),
    Summary(
        "达尔罕茂明安联合旗百灵庙镇某牧民合作社理事长额尔敦（身份证号 150223 19830514 1117）"
        "销售未经检疫的牛肉，监护人不详。",
        ("百灵庙镇", "额尔敦", "150223 19830514 1117"),
        ("达尔罕茂明安联合旗",),
    ),
]
LEGAL_TEXT = re.compile(
    r"第[一二三四五六七八九十百零（）()\d]+[条款项]|\d[\d,.]*万?元|\d{4}年\d{1,2}月\d{1,2}日"
    r"|统一社会信用代码|《[^》]+》"
)


def test_the_corpus_is_big_enough_and_has_every_kind() -> None:
    assert len(CORPUS) >= 25
    text = "".join(s.text for s in CORPUS)
    for kind in ("身份证", "手机", "电话", "账号", "信用代码", "邮箱", "住址", "证人", "嘎查"):
        assert kind in text, kind


@pytest.mark.parametrize("summary", CORPUS, ids=[s.text[:12] for s in CORPUS])
def test_no_identifier_of_a_summary_survives_and_its_legal_text_does(summary: Summary) -> None:
    masked = anonymize(summary.text, summary.party)
    for secret in summary.secrets:
        assert secret not in masked, (secret, masked)
    digits = re.sub(r"\D", "", masked)
    for secret in summary.secrets:  # spaced or dashed numbers do not survive as digits either
        if re.fullmatch(r"[\d\s+-]{7,}", secret):
            assert re.sub(r"\D", "", secret) not in digits, (secret, masked)
    for kept in (*summary.kept, *LEGAL_TEXT.findall(summary.text)):
        assert kept in masked, (kept, masked)
    assert anonymize(masked, summary.party) == masked  # masking twice changes nothing


def test_the_digest_tells_texts_apart() -> None:
    assert text_digest("a", None) != text_digest("a", "")
    assert text_digest("ab", "c") != text_digest("a", "bc")
    assert len(text_digest("违法", "要点", None)) == 64


def test_the_module_is_pure() -> None:
    """Only the standard library: no Flask, no database, so a migration can apply it."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    roots = {name.split(".")[0] for name in imported}
    assert roots <= set(sys.stdlib_module_names) | {"__future__"}, roots
