"""What each official document says (DOMAIN.md §c), read from the issued PDF's own text layer
(pypdf), on cases run through the services as the screens run them: every required element with
the case's values, the issuer's settings of its 盟市, dates and amounts as documents write them,
no field name or code; the seal block on the page of the last paragraph."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from flask import Flask, render_template
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from app.clock import CHINA_TZ, china_today, travel_to
from app.enforcement import document_content
from app.enforcement import documents as document_service
from app.enforcement.cases import start_case
from app.enforcement.decision_records import document_data
from app.enforcement.pdf import render_pdf
from app.extensions import db
from app.models import AuditEvent, Case, Document, Enterprise
from app.platform.parameters import set_parameter
from app.reference.documents import DOCUMENT_TYPES
from tests.conftest import login
from tests.integration.cases import (
    account,
    complete,
    head_approves,
    investigated_case,
    notified_weeks_ago,
    reviewed_case,
)

NINE_AM = dt.time(9, tzinfo=CHINA_TZ)
PARTY = "呼和浩特市青城乳业有限公司"
CREDIT_CODE_PREFIX = "91150102MA0N3K7P1"
# the catalogue's entry for the tests' food case: breach and penalty provisions apart
EXPIRED_FOOD = {"violation_code": "FOOD-EXPIRED", "violated_on": "2026-11-01"}
VIOLATED = "《中华人民共和国食品安全法》第三十四条第（十）项"
PENALTY_BASIS = "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"
# raw codes a document must never print (enum values, field names)
CODE = re.compile(r"[A-Z][A-Z_]{3,}|[a-z]+_[a-z_]+")


def pages(pdf: bytes) -> list[str]:
    """Each page's text with white space removed (a line breaks anywhere in Chinese)."""
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def text(document: Document) -> str:
    return "".join(pages(document.pdf))


def day(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def no_codes(content: str) -> None:
    assert not CODE.findall(content), CODE.findall(content)


def issued(case_id: int, code: str) -> list[Document]:
    """Issue `code` as the officer does on the case page: the document and its companions."""
    main = document_service.issue(case_id, code, account("officer"))
    return list(
        db.session.execute(
            select(Document)
            .where((Document.id == main.id) | (Document.issued_with_id == main.id))
            .order_by(Document.id)
        ).scalars()
    )


def decided_on_the(
    decided: dt.date, sanctions: tuple[str, ...] = ("FINE", "CONFISCATE_INCOME"), **report: Any
) -> int:
    """A 新城区 food case from the catalogue, the party's statement reviewed and not adopted,
    decided on `decided` with a fine and confiscation of the illegal income."""
    with travel_to(dt.datetime.combine(decided, NINE_AM)):
        case_id = notified_weeks_ago(
            "statement",
            **{
                **EXPIRED_FOOD,
                "sanctions": list(sanctions),
                "confiscation_value": 1200 if "CONFISCATE_INCOME" in sanctions else 0,
                "proposed_fine": 60000,
                "fine_min": 50000,
                "discretion_reason": "当事人系初次违法，主动下架全部涉案乳制品，依法从轻处罚",
                **report,
            },
        )
        complete(
            case_id,
            "f_review_statement",
            "officer",
            statement_adopted=False,
            proposed_fine=60000,
            material_change=False,
            review_notes="当事人所提理由无证据支持。",
        )
        head_approves(case_id, list(sanctions), 60000)
        complete(
            case_id,
            "g_penalty_decision",
            "officer",
            decided_on=decided.isoformat(),
            sanctions=list(sanctions),
            fine=60000,
            decision_summary="",
        )
    return case_id


def test_the_penalty_decision_states_every_element_of_article_59(app: Flask) -> None:
    """行政处罚决定书 (《行政处罚法》第五十九条; DOMAIN.md C10): party with 住所 and 法定代表人,
    facts and evidence, the breached provision and the penalty basis apart, the discretion and
    how the statement was dealt with, the penalty with the confiscation, 责令改正, the payment
    account and deadline, the 复议机关 and the court with their time limits, the publicity and
    the attached 信息摘要, the issuer's seal dated with the decision, page numbers."""
    decided = dt.date(2026, 12, 2)
    with app.app_context():
        case_id = decided_on_the(decided)
        with travel_to(dt.datetime.combine(decided, NINE_AM)):
            decision, notice, receipt = issued(case_id, "PENALTY_DECISION")
        content = text(decision)
        code = decision.doc_no
    for element in (
        "呼和浩特市市场监督管理局",
        "行政处罚决定书",
        code,
        f"当事人：{PARTY}",
        f"统一社会信用代码：{CREDIT_CODE_PREFIX}",
        f"住所（经营场所）：演示地址：{PARTY}经营场所",
        "法定代表人：演示法定代表人",
        "经查明：2026年11月，当事人在其经营场所销售超过保质期的乳制品12盒",
        f"属于销售超过保质期的食品，违反了{VIOLATED}的规定",
        f"处罚依据：{PENALTY_BASIS}",
        "裁量说明：",
        "当事人系初次违法，主动下架全部涉案乳制品，依法从轻处罚",
        "当事人提出陈述、申辩：违法所得计算有误，请求从轻处罚",
        "经复核，本局对当事人的陈述、申辩意见不予采纳。当事人所提理由无证据支持。",
        "罚款人民币陆万元整（¥60,000.00）",
        "没收违法所得：价值人民币壹仟贰佰元整（¥1,200.00）",
        "责令你单位立即停止并改正上述违法行为",
        "自收到本决定书之日起十五日内",
        "收款银行：演示银行呼和浩特市分行；户名：演示：呼和浩特市财政局非税收入专户；"
        "账号：演示15010000000002",
        "每日按罚款数额的百分之三加处罚款",
        "自收到本决定书之日起六十日内向呼和浩特市人民政府申请行政复议",
        "自收到本决定书之日起六个月内依法向呼和浩特市新城区人民法院提起行政诉讼",
        "行政复议、行政诉讼期间，本决定不停止执行",
        "通过国家企业信用信息公示系统向社会公示，公示期为三年",
        "附：行政处罚信息摘要",
        f"行政处罚决定书文号{code}",
        "作出行政处罚决定日期2026年12月2日",
        "呼和浩特市市场监督管理局（印章）2026年12月2日",
        "联系人：演示联系人联系电话：演示电话0471-0000000",
    ):
        assert element in content, element
    numbered = pages(decision.pdf)
    for number, page in enumerate(numbered, 1):
        assert f"第{number}页共{len(numbered)}页" in page
    assert "第一百二十六条" not in content and "违反了" + PENALTY_BASIS not in content
    no_codes(content)


def test_the_repair_notice_counts_from_the_publication(app: Flask) -> None:
    """信用修复告知书 (C12; 《市场监督管理信用修复管理办法》): decided 2026-12-02, published
    2026-12-07: a food case may apply from 2027-12-07 (12 months after 公示之日), not from
    2027-12-02; before publication it states the rule and no date. It states the three-year
    period, the province's 较低数额 standard (not set: none) and the processing times."""
    decided = dt.date(2026, 12, 2)
    with app.app_context():
        before = decided_on_the(decided)
        with travel_to(dt.datetime.combine(decided, NINE_AM)):
            _, early, _ = issued(before, "PENALTY_DECISION")
        after = decided_on_the(decided)
        with travel_to(dt.datetime.combine(decided, NINE_AM)):
            complete(
                after,
                "g_serve_two",
                "officer",
                served_on=decided.isoformat(),
                repair_notice_served=True,
                service_method="DIRECT",
            )
        with travel_to(dt.datetime.combine(dt.date(2026, 12, 7), NINE_AM)):
            complete(after, "g_publish", "credit", published_on="2026-12-07")
            decision, notice, _ = issued(after, "PENALTY_DECISION")
        early_text, content = text(early), text(notice)
    assert "已于2026年12月7日公示" in content
    assert "最早可于2027年12月7日起申请" in content
    assert "2027年12月2日" not in content and "2027年12月2日" not in early_text
    assert "本案最早可申请日期为公示之日起满十二个月之日" in early_text
    assert "公示日期以该系统显示的日期为准" in early_text
    for element in (
        f"（{decision.doc_no}）",
        "国家企业信用信息公示系统",
        "公示期为三年",
        "内蒙古自治区市场监督管理局尚未确定“较低数额罚款”标准",
        "自公示之日起满十二个月后",
        "（一）已经自觉履行行政处罚决定规定的义务",
        "（四）未被列入经营异常名录和严重违法失信名单",
        "不得申请提前停止公示的情形：受到责令停产停业",
        "信用修复申请书、守信承诺书",
        "通过国家企业信用信息公示系统在线提交",
        "“信用中国”",
        "收到申请之日起二个工作日内决定是否受理",
        "十五个工作日内作出准予或者不予信用修复的决定",
        "三个工作日内停止公示",
        "联系人：演示联系人",
    ):
        assert element in content, element
    no_codes(content)


def test_a_low_fine_is_published_three_months_and_stops_by_itself(app: Flask) -> None:
    """Where the province's 较低数额 standard is set and the fine is below it, the notice says
    publicity lasts three months and stops by itself, no application needed (DMN-C1 row 5)."""
    decided = dt.date(2026, 12, 2)
    with app.app_context():
        set_parameter("IM_LOW_FINE_ORG", 100000, dt.date(2026, 1, 1), None, "省级局标准（测试）")
        case_id = decided_on_the(decided, sanctions=("FINE",))
        with travel_to(dt.datetime.combine(decided, NINE_AM)):
            decision, notice, _ = issued(case_id, "PENALTY_DECISION")
        content, decided_text = text(notice), text(decision)
    assert "公示期为三个月，期满后自动停止公示，无需申请信用修复" in content
    assert "对法人、其他组织罚款数额低于¥100,000.00" in content
    assert "公示期为三个月" in decided_text


def test_the_service_receipt_lists_the_documents_served_not_itself(app: Flask) -> None:
    decided = dt.date(2026, 12, 2)
    with app.app_context():
        case_id = decided_on_the(decided)
        with travel_to(dt.datetime.combine(decided, NINE_AM)):
            decision, notice, receipt = issued(case_id, "PENALTY_DECISION")
        content = text(receipt)
    assert f"行政处罚决定书（{decision.doc_no}）" in content
    assert f"行政处罚信息信用修复告知书（{notice.doc_no}）" in content
    served = content[content.index("送达文书名称和文号") : content.index("受送达人")]
    assert "送达回证" not in served and receipt.doc_no not in served
    assert f"受送达人{PARTY}" in content and f"送达地点演示地址：{PARTY}经营场所" in content
    no_codes(content)


def test_the_seal_block_stays_on_the_page_of_the_last_paragraph(app: Flask) -> None:
    """However long the facts, the date and （印章） are never alone on a page: lengthening the
    facts line by line moves the last paragraph across a page boundary, and the seal goes with
    it."""
    with app.app_context():
        case_id = decided_on_the(dt.date(2026, 12, 2))
        case = db.session.get(Case, case_id)
        assert case is not None
        kind = DOCUMENT_TYPES["PENALTY_DECISION"]
        data = document_data(case, kind.code, kind.title, {})
        moved = 0
        previous_page = None
        for lines in range(0, 24):
            long_facts = {**data, "facts": data["facts"] + "。另查明" * (lines * 8)}
            context = document_content.context(case, kind, long_facts, "测试〔2026〕1号", "150100")
            html = render_template("documents/penalty_decision.html", **context)
            texts = pages(render_pdf(html))
            last = next(i for i, t in enumerate(texts) if "联系人：演示联系人" in t)
            seal = next(i for i, t in enumerate(texts) if "（印章）" in t)
            assert seal == last, lines
            # the block opens its page when it was pushed over whole
            if previous_page is not None and last > previous_page:
                assert texts[last].startswith("联系人"), texts[last][:40]
                moved += 1
            previous_page = last
        assert moved >= 1  # the sweep did cross a page boundary


def test_the_rectify_order_names_the_breach_its_basis_and_the_consequence(app: Flask) -> None:
    """责令改正通知书 (C6): the violated provision, 第二十八条 with the law's own clause, the
    consequence of not correcting, how to report, the remedy."""
    with app.app_context():
        case_id = reviewed_case("NO_PENALTY", **EXPIRED_FOOD)
        today = china_today()
        document = document_service.write_document(
            db.session.get(Case, case_id),  # type: ignore[arg-type]
            "RECTIFY_ORDER",
            account("officer"),
            {
                "requirements": "下架并销毁超过保质期的乳制品，建立进货查验记录",
                "rectify_days": 5,
                "order_served_on": today.isoformat(),
            },
        )
        db.session.commit()
        content = text(document)
    for element in (
        "责令改正通知书",
        f"住所（经营场所）：演示地址：{PARTY}经营场所",
        f"违反了{VIOLATED}的规定",
        f"依据《中华人民共和国行政处罚法》第二十八条第一款和{PENALTY_BASIS}的规定",
        "改正内容：下架并销毁超过保质期的乳制品，建立进货查验记录",
        "自收到本通知书之日起5个工作日内",
        f"逾期不改正或者拒不改正的，本局将依照{PENALTY_BASIS}的规定（法定罚款¥50,000.00以上"
        "¥100,000.00以下）依法立案查处",
        "整改报告方式：请将改正情况（整改报告及照片等证明材料）通过企业服务窗口在线上传，"
        "或送交呼和浩特市市场监督管理局窗口",
        "六十日内向呼和浩特市人民政府申请行政复议",
        f"送达日期：{day(today)}",
    ):
        assert element in content, element
    no_codes(content)


def test_the_no_penalty_decision_names_the_exemption_list_item(app: Flask) -> None:
    """不予行政处罚决定书 (C11): the reason with 第三十三条 and the list item it rests on."""
    with app.app_context():
        case_id = reviewed_case(
            "NO_PENALTY",
            **EXPIRED_FOOD,
            minor=True,
            corrected=True,
            harm="NONE",
            first_offense_2y=True,
            on_exempt_list="NATIONAL_FIRST",
            exempt_item="第（一）项第2条",
        )
        today = china_today()
        complete(
            case_id,
            "g_no_penalty_decision",
            "officer",
            decided_on=today.isoformat(),
            education_done=True,
            decision_summary="当事人初次违法，危害后果轻微并及时改正。",
        )
        content = text(issued(case_id, "NO_PENALTY_DECISION")[0])
    for element in (
        "不予行政处罚决定书",
        f"违反了{VIOLATED}的规定",
        "第三十三条第一款",
        "《总局首违不罚清单》第（一）项第2条所列情形",
        "本局决定不予行政处罚",
        "免罚不免责",
        "六十日内向呼和浩特市人民政府申请行政复议",
        f"呼和浩特市市场监督管理局（印章）{day(today)}",
    ):
        assert element in content, element
    no_codes(content)


def test_the_warning_notice_is_guidance_with_a_contact_and_a_channel(app: Flask) -> None:
    """违法风险预警提醒书 (C1): risk, self-check deadline, feedback channel, contact person and
    phone, and the plain statement that it is guidance, not a penalty, affecting no rights."""
    with app.app_context():
        enterprise = db.session.execute(
            select(Enterprise.id).where(Enterprise.region_code == "150102")
        ).scalar_one()
        case = start_case(account("officer"), "enforcement_case", enterprise, "冷链风险", "WARNING")
        complete(
            case.id,
            "a_assess",
            "credit",
            situation="INDIVIDUAL_RISK",
            risk_summary="冷藏乳制品运输温度记录缺失",
            possible_provisions="《中华人民共和国食品安全法》第三十三条",
            possible_liability="责令改正，给予警告；拒不改正的，处五千元以上五万元以下罚款",
        )
        served = china_today().isoformat()
        complete(case.id, "a_issue", "officer", served_on=served, document_summary="提醒书")
        content = text(issued(case.id, "WARNING_NOTICE")[0])
    for element in (
        "违法风险预警提醒书",
        "个体风险、尚未违法",
        "冷藏乳制品运输温度记录缺失",
        "可能违反的法律规定：《中华人民共和国食品安全法》第三十三条",
        "可能承担的法律责任：责令改正，给予警告",
        "反馈方式：通过企业服务窗口在线上传，或送交呼和浩特市市场监督管理局窗口",
        "本提醒书属于行政指导，不是行政处罚，不具有强制力，不影响你单位的合法权利",
        "联系人：演示联系人联系电话：演示电话0471-0000000",
        "附：合规指引清单",
    ):
        assert element in content, element
    no_codes(content)


def test_the_on_the_spot_decision_is_signed_by_the_officer(app: Flask) -> None:
    """当场行政处罚决定书 (《行政处罚法》第五十二条; C10 last row): the act, the penalty and its
    basis, the amount, time and place, the remedy, the issuer, the officer's signature with the
    执法证号, and the 备案."""
    with app.app_context():
        enterprise = db.session.execute(
            select(Enterprise.id).where(Enterprise.region_code == "150102")
        ).scalar_one()
        today = china_today()
        case = start_case(account("officer"), "enforcement_case", enterprise, "未明码标价", "CLUE")
        complete(
            case.id,
            "c_register",
            "officer",
            source="INSPECTION",
            found_on=today.isoformat(),
            clue_summary="检查发现未明码标价",
        )
        complete(
            case.id,
            "c_verify",
            "officer",
            evidence_initial=True,
            should_punish=True,
            within_jurisdiction=True,
            within_limitation=True,
            facts_clear=True,
            sanctions=["FINE"],
            proposed_fine=500,
            verify_notes="",
        )
        complete(
            case.id,
            "s_decision",
            "officer",
            showed_credentials=True,
            statement_heard=True,
            decided_on=today.isoformat(),
            sanctions=["FINE"],
            fine=500,
            facts="当事人销售的乳制品未标明价格",
            legal_basis="《明码标价和禁止价格欺诈规定》第五条、第二十条",
            location="新城区某超市",
            collected_on_spot=False,
        )
        content = text(issued(case.id, "SUMMARY_DECISION")[0])
        officer = account("officer")
    for element in (
        "当场行政处罚决定书",
        "违法行为：当事人销售的乳制品未标明价格",
        f"时间：{day(today)}地点：新城区某超市",
        "违反了《明码标价和禁止价格欺诈规定》第五条、第二十条的规定",
        "罚款人民币伍佰元整（¥500.00）",
        "收款银行：演示银行呼和浩特市分行",
        "六十日内向呼和浩特市人民政府申请行政复议",
        "报呼和浩特市市场监督管理局备案",
        f"执法人员（签名）：{officer.display_name}（执法证号：{officer.cert_no}）",
        f"呼和浩特市市场监督管理局（印章）{day(today)}",
    ):
        assert element in content, element
    no_codes(content)


def test_the_seizure_extension_notice_states_reason_approval_and_new_end(app: Flask) -> None:
    """延长查封（扣押）期限通知书 (《行政强制法》第二十五条): what is held since when, why it is
    extended, the head's approval, the new end of the period."""
    seized = dt.date(2026, 3, 2)
    with app.app_context(), travel_to(dt.datetime.combine(seized, NINE_AM)):
        case_id = investigated_case(next_action="SEIZE")
        complete(case_id, "d_seize_approval", "agency_head", approved=True)
        complete(
            case_id,
            "d_seize_execute",
            "officer",
            seized_on=seized.isoformat(),
            seizure_grounds="涉嫌经营超过保质期的食品（《食品安全法》第一百一十条）",
            seized_items="超过保质期的乳制品12盒",
            decision_delivered=True,
        )
        asked = seized + dt.timedelta(days=20)
        with travel_to(dt.datetime.combine(asked, NINE_AM)):
            complete(
                case_id,
                "d_seize_handle",
                "officer",
                seizure_action="EXTEND",
                seizure_notes="检验结果尚未出具",
            )
            complete(case_id, "d_seize_ext_approval", "agency_head", approved=True, opinion="同意")
            complete(
                case_id, "d_seize_ext_notice", "officer", ext_notice_served_on=asked.isoformat()
            )
            content = text(issued(case_id, "SEIZURE_EXTENSION")[0])
    for element in (
        "延长查封（扣押）期限通知书",
        "本局于2026年3月2日依法对你单位的下列场所、设施或者财物实施了查封、扣押：超过保质期的乳制品12盒",
        "因情况复杂（检验结果尚未出具），经本局负责人于2026年3月22日批准",
        "《中华人民共和国行政强制法》第二十五条第一款",
        "延长后的期限至2026年5月6日届满",
        "六十日内向呼和浩特市人民政府申请行政复议",
    ):
        assert element in content, element
    no_codes(content)


def test_issuer_settings_are_changed_by_the_designer_with_provenance(
    app: Flask, client: FlaskClient
) -> None:
    """The issuer's settings per 盟市 are configuration keys with provenance: the designer sets
    the real account number (digits, kept as text) from a date on, the change is audited, and
    documents issued from then on print it; the other units keep their marked demo values."""
    token = login(client, "designer")
    page = client.get("/designer/parameters").get_data(as_text=True)
    assert (
        'id="ISSUER_ACCOUNT_NO@150100"' in page
        and "呼和浩特市市场监督管理局：罚没款收款账号" in page
    )
    assert "演示15290000000013" in page  # 阿拉善盟, still a demo value
    changed = client.post(
        "/designer/parameters",
        data={
            "csrf_token": token,
            "key": "ISSUER_ACCOUNT_NO@150100",
            "value": "0510120260001",
            "effective_from": china_today().isoformat(),
            "tag": "V",
            "note": "市财政局关于罚没款收缴账户的通知",
        },
    )
    assert changed.status_code == 303
    with app.app_context():
        case_id = decided_on_the(china_today())
        content = text(issued(case_id, "PENALTY_DECISION")[0])
        audit = db.session.execute(
            select(AuditEvent.actor_name, AuditEvent.detail).where(
                AuditEvent.action == "set_parameter"
            )
        ).one()
    assert "账号：0510120260001" in content and "演示15010000000002" not in content
    assert audit.actor_name == "designer" and audit.detail["value"] == "0510120260001"
