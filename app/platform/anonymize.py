"""Masking personal data out of text that is shown to the public (典型案例): what the case knows
of its party and people, and what any text may carry without the case knowing it — ID-card,
telephone, bank-card and account numbers, e-mail addresses, credit codes, addresses below the
county, and people named after a word that introduces a person (证人、员工、负责人…).

Pure: the standard library only (no Flask, no database), so the rules are tested on their own
and a migration may apply them.

Decisions (docs/security.md):
- An 18-character ID number is masked when its ISO 7064 MOD 11-2 check character is right, and
  also when it is wrong but the birth date it carries is a real date: a mistyped number still
  points at one person. 15-digit (pre-1999) numbers are masked when their birth date is real.
- Bank cards (13–19 digits, grouped or not) are masked when the Luhn check holds; any run of 9
  or more digits after an account word (账号、卡号、账户…) is masked whatever its check.
- A credit code (GB 32100-2015) is masked when its check character is right, or after its label.
- Mobile numbers (1[3-9]x, with +86/0086, spaces or dashes), landlines with an area code
  (0471-6612345, (0471)6612345), 7–8 digits after 电话/手机, e-mail addresses and messenger
  handles after 微信号/QQ are masked; digits may be full-width.
- Addresses: after an address word (住所、地址、位于…) everything after the province, 盟市 and
  旗县区; elsewhere a chain below the county that names a 乡镇苏木街道村嘎查社区小区 or a number
  (号、室、栋…). A road alone (城市道路) and 城乡/农村 are words, not addresses.
- The party's names, their short forms (core without places and legal form, and the 字号
  without the trade: 青城乳业, 青城), its representative, the officers and other people the
  case records, its credit code and address (county kept) are masked wherever they occur.
- People the case does not know cannot be found reliably. Masked are: a surname with one or two
  more characters after a word that introduces a person (证人张建国称 → 证人张某称; a list after
  it too: 证人马丽娟、杨树林) or before a title (张建国经理 → 张某经理), and a Mongolian name
  (its characters from a list of the usual syllables) after such a word. After a role word that
  is as often followed by a noun (当事人、消费者) a name is masked only when punctuation or a
  verb (称、证实…) follows it. A name elsewhere in free text is not found: the publisher reads
  the masked text before publishing it (the preview), which is the control for what remains.
- Masking is idempotent: masking a masked text changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

MASK = "＊＊＊＊"
_HAN = "\u4e00-\u9fff"


@dataclass(frozen=True)
class PartyIdentity:
    """What identifies the party (and the people) of a case, to be masked."""

    names: tuple[str, ...]  # the party's name(s): as registered now and as the case opened
    credit_code: str = ""
    address: str = ""
    legal_representative: str = ""
    natural_person: bool = False  # the name is a person's name: masked as one (李某)
    people: tuple[str, ...] = ()  # everyone else the case names (officers, inspectors, witnesses)


def anonymize(text: str, party: PartyIdentity | None = None) -> str:
    """`text` with the case's known identifiers masked first (longest first, one pass), then
    the numbers, e-mail addresses, addresses and introduced names that any text may carry."""
    if party is not None:
        text = mask_known(text, party)
    for step in (mask_numbers, mask_addresses, mask_introduced_names):
        text = step(text)
    return text


def text_digest(*texts: str | None) -> str:
    """The SHA-256 of a sequence of texts (None kept apart from ""): what a publisher confirms."""
    return hashlib.sha256(json.dumps(texts, ensure_ascii=False).encode()).hexdigest()


# ------------------------------------------------------------------ what the case knows

# Organisational endings kept in a party's mask (某某有限公司), longest matched first.
_ENDINGS = sorted(
    (
        "股份有限公司",
        "有限责任公司",
        "有限公司",
        "分公司",
        "公司",
        "专业合作社",
        "合作社",
        "经销部",
        "经营部",
        "门市部",
        "服务部",
        "加工厂",
        "厂",
        "大药房",
        "药房",
        "药店",
        "超市",
        "商店",
        "商行",
        "饭店",
        "酒店",
        "宾馆",
        "店",
        "馆",
        "中心",
        "站",
        "所",
        "社",
    ),
    key=len,
    reverse=True,
)
# What a name says about the trade (行业), stripped from its core to find the 字号.
_TRADES = sorted(
    set(
        "乳业 乳品 商贸 贸易 商务 电子商务 电子 科技 网络 信息 技术 餐饮 餐饮管理 管理 食品 肉业 "
        "肉食品 牛羊肉 清真 药业 医药 大药房 药房 药店 超市 便利店 百货 农资 农牧业 农业 牧业 畜牧 "
        "烧麦 烧烤 火锅 饭店 酒店 宾馆 建材 装饰 服装 汽车 汽车销售 汽贸 加油站 石油 化工 "
        "机械 设备 "
        "电器 家电 五金 粮油 烟酒 茶叶 文化 传媒 广告 物业 服务 房地产 置业 建筑 工程 物流 运输 "
        "医疗器械 器械 眼镜 化妆品 美容 美发 健身 教育 培训 咨询 实业 发展 投资 集团 酒业 饮品 "
        "水业 连锁 商店 商行 门市 经销 经营 销售 批发 零售 养殖 种植 加工 制品 用品".split()
    ),
    key=len,
    reverse=True,
)
# An administrative-division prefix of a name (内蒙古…, 呼和浩特市, 玉泉区, 土默特左旗).
_PLACE_PREFIX = re.compile(rf"内蒙古(?:自治区)?|[{_HAN}]{{1,6}}?(?:自治区|自治旗|市|盟|区|县|旗)")
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 独孤 南宫".split()
)
CORE_MIN = 3  # a shorter name core (乳业) is too common a word to mask everywhere
TRADE_NAME_MIN = 2
# Words of the law and of every decision: a 字号 inside one of them (人民, 市场) is not masked.
_LEGAL_WORDS = (
    "中华人民共和国 人民政府 人民法院 人民检察院 市场监督管理局 市场监管 统一社会信用代码 "
    "行政处罚法 行政处罚决定书 不予行政处罚 行政复议 行政诉讼 食品安全法 产品质量法 "
    "消费者权益保护法 反不正当竞争法 广告法 价格法 药品管理法 特种设备安全法 计量法 标准化法 "
    "商标法 电子商务法 内蒙古自治区 当事人 法定代表人 违法行为 违法所得 罚款 没收 警告 "
    "责令改正 经营场所 营业执照 许可证 保质期 合格证明 检验检测 首违不罚 初次违法 危害后果 "
    "轻微 及时改正 国家 中国 标准"
).split()


def mask_known(text: str, party: PartyIdentity) -> str:
    """The party's names (and their short forms), credit code, address, legal representative
    and the other people's names masked (某某有限公司, 某某, ＊＊＊＊, 李某). One pass over the
    text, longest identifier first, so that a mask is never masked again and a name inside a
    longer one (a person's name in the shop's name) does not split it."""
    masks = _known_masks(party)
    if not masks:
        return text
    pattern = re.compile(
        "|".join(re.escape(found) for found in sorted(masks, key=len, reverse=True)),
        re.IGNORECASE,  # credit codes typed in lower case
    )
    folded = {found.casefold(): mask for found, mask in masks.items()}
    return pattern.sub(lambda match: folded[match.group(0).casefold()], text)


def _known_masks(party: PartyIdentity) -> dict[str, str]:
    names = [name.strip() for name in party.names if name.strip()]
    if party.natural_person:
        masks = {name: person_mask(name) for name in names}
    else:
        masks = {name: party_mask(name) for name in names}
    for person in (party.legal_representative, *party.people):
        person = person.strip()
        if len(person) >= 2:  # one character is not a name worth masking everywhere
            masks.setdefault(person, person_mask(person))
    for name in [] if party.natural_person else names:
        for short in short_forms(name):  # a person's name as a shop's 字号 stays the person's
            masks.setdefault(short, "某某")
    if party.credit_code.strip():
        masks[party.credit_code.strip()] = MASK
    address = party.address.strip()
    if address:
        kept = address[: _admin_prefix(address)]
        masks[address] = f"{kept}{MASK}" if len(kept) < len(address) else MASK
    return masks


def party_mask(name: str) -> str:
    """某某 with the name's organisational ending: 某某有限公司, 某某店."""
    return f"某某{_ending(name)}"


def person_mask(name: str) -> str:
    """The surname and 某 (李某, 欧阳某); a name in Latin letters or with a middle dot (巴特尔·
    孟和) keeps only its first character."""
    if name[:2] in _COMPOUND_SURNAMES and len(name) > 2:
        return f"{name[:2]}某"
    first = name[0]
    return f"{first}某" if "\u4e00" <= first <= "\u9fff" else "某"


def _ending(name: str) -> str:
    return next((e for e in _ENDINGS if name.endswith(e) and len(name) > len(e)), "")


def _without_places(name: str) -> str:
    while True:
        prefix = _PLACE_PREFIX.match(name)
        if not prefix or len(name) - prefix.end() < 2:
            return name
        name = name[prefix.end() :]


def name_core(name: str) -> str:
    """The distinctive middle of a party's name, as a text may use it alone: without the
    organisational ending and the place prefixes (呼和浩特市青城乳业有限公司 → 青城乳业)."""
    core = _without_places(name[: len(name) - len(_ending(name))])
    return core if len(core) >= CORE_MIN and core != name else ""


def trade_name(name: str) -> str:
    """The 字号 of a party's name: its core without the trade words (青城乳业 → 青城); "" when
    what remains is too short or a word of the law (人民, 市场)."""
    core = _without_places(name[: len(name) - len(_ending(name))])
    stripped = True
    while stripped:
        stripped = False
        for trade in _TRADES:
            if core.endswith(trade) and len(core) - len(trade) >= TRADE_NAME_MIN:
                core, stripped = core[: -len(trade)], True
                break
    if core == name or len(core) < TRADE_NAME_MIN or any(core in word for word in _LEGAL_WORDS):
        return ""
    return core


def short_forms(name: str) -> list[str]:
    """The shorter forms a text may use for a party: its core and its 字号."""
    return list(dict.fromkeys(form for form in (name_core(name), trade_name(name)) if form))


# ------------------------------------------------------------------ numbers and e-mail

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_BRACKETED_LANDLINE = re.compile(r"[（(]0\d{2,3}[）)][\s-]?[1-9]\d{6,7}(?:[-转]\d{1,5})?(?!\d)")
_CREDIT_SHAPE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")
# a number as texts write it: digits (full-width too: \d is Unicode) with single spaces or dashes
# between, +86 in front, an X at the end (ID numbers)
_NUMBER = re.compile(
    r"(?<![0-9A-Za-zＡ-Ｚａ-ｚ])(?:(?:[+＋]|00)\s?86[\s-]?)?\d(?:[ \-－—]?\d)*[XxＸｘ]?"
    r"(?![0-9A-Za-zＡ-Ｚａ-ｚ])"
)
_HALF_WIDTH = str.maketrans("０１２３４５６７８９＋Ｘｘ－", "0123456789+Xx-")
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CREDIT_LABEL = re.compile(r"(?:信用代码|注册号|代码)[:：\s为是]*$")
_ACCOUNT_WORDS = re.compile(
    r"(?:账号|帐号|账户|帐户|卡号|户号|银行卡|开户行|收款|转账|转入|汇入|微信|支付宝|QQ)[^，。；,;\n]{0,8}$"
)
_PHONE_WORDS = re.compile(
    r"(?:电话|手机|座机|固话|传真|联系方式|热线|Tel|TEL|tel)[:：\s号码为是]*$"
)
_CONTEXT = 16  # characters before a number that are read for its context
# an account of a messenger or a platform (微信号 wdd_2026): identifies a person like a number
_HANDLE = re.compile(
    r"((?:微信号|微信|QQ号|QQ|抖音号|快手号|淘宝账号|用户名|昵称)[:：\s为是]*)"
    r"[A-Za-z][A-Za-z0-9_\-]{4,30}(?![A-Za-z0-9_@.])"
)


def id_card_checksum_ok(number: str) -> bool:
    """ISO 7064 MOD 11-2 over the first 17 digits (GB 11643-1999)."""
    if not re.fullmatch(r"\d{17}[\dXx]", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2099


def looks_like_id_card(number: str) -> bool:
    """An ID number of 18 (checksum right, or a real birth date) or 15 digits (real date)."""
    if re.fullmatch(r"[1-9]\d{16}[\dXx]", number):
        birth = number[6:14]
        return id_card_checksum_ok(number) or _real_date(
            int(birth[:4]), int(birth[4:6]), int(birth[6:])
        )
    if re.fullmatch(r"[1-9]\d{14}", number):
        birth = number[6:12]
        return _real_date(1900 + int(birth[:2]), int(birth[2:4]), int(birth[4:]))
    return False


def credit_code_checksum_ok(code: str) -> bool:
    """GB 32100-2015: the 18th character from the weighted sum of the first 17, modulo 31."""
    code = code.upper()
    if len(code) != 18 or any(c not in _CREDIT_CHARS for c in code):
        return False
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(code[:17], _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31] == code[17]


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _is_mobile(digits: str) -> bool:
    for prefix in ("0086", "86"):
        if len(digits) == 11 + len(prefix) and digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return bool(re.fullmatch(r"1[3-9]\d{9}", digits))


def _is_landline(written: str, digits: str) -> bool:
    """0 and an area code of 2–3 more digits, then 7–8 digits (0471-6612345, 010 12345678)."""
    return bool(
        re.fullmatch(r"0[1-9]\d{1,2}[ \-－—]?[1-9]\d{6,7}(?:[\-－—]\d{1,5})?", written)
    ) or bool(re.fullmatch(r"0[1-9]\d{8,10}", digits) and len(written) == len(digits))


def _number_mask(match: re.Match[str], text: str) -> str:
    written = match.group(0).translate(_HALF_WIDTH)
    digits = re.sub(r"[^0-9Xx]", "", written)
    before = text[max(0, match.start() - _CONTEXT) : match.start()]
    plain = digits.rstrip("Xx")
    if (
        written.startswith("+")
        or _is_mobile(plain)
        or looks_like_id_card(digits)
        or _is_landline(written, plain)
        or (13 <= len(plain) <= 19 and plain == digits and luhn_ok(plain))
        or (len(plain) >= 9 and _ACCOUNT_WORDS.search(before))
        or (7 <= len(plain) <= 12 and _PHONE_WORDS.search(before))
    ):
        return MASK
    return match.group(0)


def _credit_mask(match: re.Match[str], text: str) -> str:
    code = match.group(0)
    if not code[2:8].isdigit() or (code.isdigit() and not credit_code_checksum_ok(code)):
        return code  # numbers are the number pass's; other 18-letter words are not codes
    if credit_code_checksum_ok(code) or _CREDIT_LABEL.search(text[: match.start()][-_CONTEXT:]):
        return MASK
    return code


def _sub_in_context(
    pattern: re.Pattern[str], text: str, mask: Callable[[re.Match[str], str], str]
) -> str:
    return pattern.sub(lambda match: mask(match, text), text)


def mask_numbers(text: str) -> str:
    """E-mail addresses, credit codes, ID-card, telephone, bank-card and account numbers."""
    text = _EMAIL.sub(MASK, text)
    text = _HANDLE.sub(lambda match: f"{match.group(1)}{MASK}", text)
    text = _BRACKETED_LANDLINE.sub(MASK, text)
    text = _sub_in_context(_CREDIT_SHAPE, text, _credit_mask)
    return _sub_in_context(_NUMBER, text, _number_mask)


# ------------------------------------------------------------------ addresses

_UNIT = "苏木|嘎查|街道|社区|小区|乡|镇|村"  # the places below a county that qualify an address
_WAY = "大街|大道|胡同|路|街|巷"
_NUMBERED = r"[0-9０-９一二三四五六七八九十百甲乙丙]+(?:号楼|号院|号|栋|幢|单元|层|楼|室|组|社|队)"
_NOT_IN_A_PLACE_NAME = "的了在于对向将已未是为与和及等称说系因经被把从到该其此本局人员个处，。；、"
_PLACE_PART = rf"(?:[{_HAN}0-9A-Za-z](?<![{_NOT_IN_A_PLACE_NAME}旗县区市盟]))"
# Addresses without a cue: after a county, city or a locative word, a chain of places below the
# county that names a village, town or street number (not just a road: 城市道路 stays).
_ADDRESS = re.compile(
    rf"(?P<word>城乡|城镇|乡镇|农村|乡村|道路)|(?<=[旗县区市在于至到住往])"
    rf"(?:{_PLACE_PART}{{1,8}}?(?:{_UNIT}|{_WAY})|{_NUMBERED})"
    rf"(?:{_PLACE_PART}{{0,8}}?(?:{_UNIT}|{_WAY})|{_NUMBERED})*"
)
_QUALIFIES = re.compile(rf"{_UNIT}|{_NUMBERED}")
_ADDRESS_CUE = re.compile(
    r"(?:住址|住所地|住所|地址|住在|家住|现住|居住于|居住在|户籍地|户籍所在地|经营场所|营业场所|"
    r"所在地|位于|坐落于)[:：为是在于]{0,2}([^，,。；;、\s（()）\n]{2,60})"
)
_ADDRESS_PART = re.compile(rf"{_UNIT}|{_WAY}|{_NUMBERED}|大厦|广场|市场|商城|园区")
_ADMIN_PREFIX = re.compile(
    rf"内蒙古自治区|内蒙古|[{_HAN}]{{2,6}}?(?:自治区|省|自治州|地区|盟|市|自治旗|自治县|旗|县|区)"
)
_NOT_ADMIN = re.compile(rf"(?:小区|社区|园区|校区|街区|景区|厂区|矿区)$|{_UNIT}|{_WAY}|号")


def _admin_prefix(address: str) -> int:
    """How much of an address is province, 盟市 and 旗县区 (kept)."""
    end = 0
    while found := _ADMIN_PREFIX.match(address, end):
        if _NOT_ADMIN.search(found.group(0)):
            break
        end = found.end()
    return end


def _cued_address(match: re.Match[str]) -> str:
    whole, address = match.group(0), match.group(1)
    start = len(whole) - len(address)
    keep = _admin_prefix(address)
    parts = list(_ADDRESS_PART.finditer(address, keep))
    if not parts:
        return whole  # 经营场所 as a word, not an address
    end = parts[-1].end()
    return f"{whole[: start + keep]}{MASK}{address[end:]}"


def _chained_address(match: re.Match[str]) -> str:
    found = match.group(0)
    return MASK if not match.group("word") and _QUALIFIES.search(found) else found


def mask_addresses(text: str) -> str:
    """Below the county: after an address word (住所、地址、位于…) everything after the
    province, 盟市 and 旗县区; elsewhere a chain naming a 乡镇苏木, 村嘎查, 社区 or number."""
    text = _ADDRESS_CUE.sub(_cued_address, text)
    return _ADDRESS.sub(_chained_address, text)


# ------------------------------------------------------------------ introduced names

_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦"
    "俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲"
    "房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全"
    "佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆"
    "乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井"
    "祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭"
    "况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸"
    "奉植衡富尧闭由"
)
_MONGOLIAN_NAME_CHARS = frozenset(
    "巴特尔乌云其格斯琴高娃朝鲁额敦孟和那仁苏图雅萨日勒宝音阿拉坦哈达布赫吉嘎白道木满都德尼敖"
    "根金花兰桑扎玛塔娜莫毕力夫必胡旭托娅楚伦喜照门沁蒙古岱呼浩恩克希腊锡林郭包玉春梅秀英海"
    "山庆泉福龙"
)
_NOT_IN_A_NAME = frozenset("某的了在于对向将已未是为与和及等称说系因经被把从到该其此本总副原前")
_SURNAMES -= _NOT_IN_A_NAME
# words that introduce one person: a name follows them, also without punctuation after it
_PERSON_CUES = (
    "证人 员工 店员 职工 雇员 营业员 销售员 售货员 收银员 服务员 厨师 驾驶员 送货员 配送员 仓管员 "
    "客服 客服人员 工作人员 从业人员 销售人员 执法人员 会计 出纳 负责人 法定代表人 投诉人 举报人 "
    "委托代理人 代理人 联系人 店主 店长 经理 总经理 董事长 理事长 社长 老板 厂长 主管"
).split()
# words that are often followed by a name and as often by a noun (消费者权益, 当事人明知):
# a name after them needs a boundary after it (当事人赵丽，)
_ROLE_WORDS = (
    "当事人 经营者 消费者 监护人 法人 实际控制人 股东 业主 房东 家属 顾客 患者 购买人 买受人 "
    "受害人 承包人 户主"
).split()
_TITLES = (
    "总经理 董事长 经理 老板 店长 厂长 会计 出纳 主任 师傅 医生 大夫 老师 站长 所长 队长 科长 "
    "主管 组长 老板娘"
).split()
_AFTER_A_NAME = (
    "称 说 证实 陈述 供述 表示 介绍 反映 承认 确认 签字 签名 在 于 的 等 到 对 向 将 已 未 是 "
    "为 系 因 和 与 及 现 当 均 也 亦 负责 经营 销售 提供 购买 出具 拒绝 作为 所 从 通过 指示 "
    "安排 要求 告知 使用 投诉 举报"
).split()
# words after a cue that begin with a surname but are not a name (当事人明知…, 当事人申请…)
_UNLIKE_NAMES = (
    "明知 明显 明确 申请 利用 曾经 应当 能够 安装 安排 储存 初次 常年 全部 计划 连续 车辆 管理 "
    "包装 支付 宣传 宣称 强行 相关 尚未 单位 来源 成本 成立 时任 平时 同意 同时 经营 陈述 承认 "
    "从事 多次 首次 再次 购进 采购 使用 生产 销售 提供 存在 通过 如实 当场 现场 积极 及时 主动 "
    "自行 自愿 拒绝 符合 方面 金额 冷藏 严重 解释 商品 高价 华为 不详 不明 权益 管教 信息 申辩 "
    "权利 房屋 费用 印章 程序"
).split()
_WEAK_SURNAMES = frozenset("于")  # also a preposition: a name only before punctuation
_NOT_AFTER_WEAK = _NOT_IN_A_NAME | frozenset("当日月年次今昨前后上下同现")
_ENUMERATION = ("、", "和", "及", "与")
# a place after a cue (当事人托克托县…, 当事人伊金霍洛旗…), not a person
_PLACE_AHEAD = re.compile(
    rf"(?:[{_HAN}](?<![{_NOT_IN_A_PLACE_NAME}])){{1,6}}?(?:自治旗|旗|县|区|市|盟|{_UNIT})"
)
_CUE = re.compile(
    f"(?:{'|'.join(sorted(_PERSON_CUES + _ROLE_WORDS, key=len, reverse=True))})" + r"[:：\s]?"
)
_TITLED = re.compile(
    rf"(?P<surname>[{_HAN}])(?P<given>[{_HAN}]{{1,2}})"
    rf"(?={'|'.join(sorted(_TITLES, key=len, reverse=True))})"
)
_COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)


def _followed_by_a_boundary(rest: str) -> bool:
    if rest.startswith("·"):  # the middle of a name (巴特尔·孟和)
        return False
    return not rest or not re.match(rf"[{_HAN}]", rest) or rest.startswith(tuple(_AFTER_A_NAME))


def _han(name: str) -> bool:
    return bool(re.fullmatch(rf"[{_HAN}]+", name))


def _surname_and_given(following: str, certain: bool) -> str | None:
    """A surname and one or two more characters: the shortest followed by a boundary, else
    (after a word that `certain`ly introduces a person) the surname and two (证人张建国指认)."""
    if following[:1] in _WEAK_SURNAMES:
        for length in (2, 3):
            weak = following[:length]
            if len(weak) < length or not _han(weak) or set(weak[1:]) & _NOT_AFTER_WEAK:
                return None
            if following[length : length + 1] and not _han(following[length]):
                return weak
        return None
    surname = 2 if following[:2] in _COMPOUND_SURNAMES else 1
    if following[:surname] not in _SURNAMES and surname == 1:
        return None
    name: str | None = None
    for length in (surname + 1, surname + 2):
        candidate = following[:length]
        if len(candidate) < length or not _han(candidate):
            break
        if following[length:].startswith("·"):
            return None  # a Mongolian name with a middle dot (巴特尔·孟和)
        if set(candidate[surname:]) & _NOT_IN_A_NAME:
            break
        name = candidate
        if _followed_by_a_boundary(following[length:]):
            return name
    return name if certain and name is not None and len(name) == surname + 2 else None


def _mongolian_name(following: str) -> str | None:
    """A name of the usual Mongolian syllables (巴特尔·孟和, 乌云其其格): their longest run."""
    run = 0
    while run < min(8, len(following)) and following[run] in _MONGOLIAN_NAME_CHARS | {"·"}:
        run += 1
    name = following[:run].rstrip("·")
    if len(name) < 2 or following[:1] in _NOT_IN_A_NAME - frozenset("其"):
        return None
    return name


def _introduced_name(following: str, certain: bool) -> str | None:
    """The person's name at the start of `following` (the text after a cue), or None."""
    if following.startswith(tuple(_UNLIKE_NAMES)) or _PLACE_AHEAD.match(following):
        return None
    return _surname_and_given(following, certain) or _mongolian_name(following)


def mask_introduced_names(text: str) -> str:
    """People the case does not know, where the text introduces them: 证人张建国称 → 证人张某称
    (and the names listed after: 证人马丽娟、杨树林), 员工乌云其其格证实 → 员工乌某证实,
    张建国经理 → 张某经理."""
    parts: list[str] = []
    done = 0
    for cue in _CUE.finditer(text):
        start = cue.end()
        if start < done:
            continue
        certain = cue.group(0).rstrip(":： \t\n") in _PERSON_CUES
        while True:
            name = _introduced_name(text[start : start + 12], certain)
            if name is None or name.endswith("某"):  # 证人王某: masked already
                break
            parts += [text[done:start], person_mask(name)]
            done = start + len(name)
            if not text.startswith(_ENUMERATION, done):
                break
            start = done + 1
    text = "".join(parts) + text[done:]
    return _TITLED.sub(_mask_titled, text)


def _mask_titled(match: re.Match[str]) -> str:
    surname, given = match.group("surname"), match.group("given")
    if surname not in _COMMON_SURNAMES or set(given) & _NOT_IN_A_NAME:
        return match.group(0)
    return f"{surname}某"
