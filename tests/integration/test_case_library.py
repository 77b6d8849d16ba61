"""The 执法案例库 (POLICY 三(二)6): closed cases catalogued through the real engine with their
search columns and the decision's text anonymized; the units' search, region-scoped; typical
cases marked by the heads, published by the agency head, shown to the public without login."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from werkzeug.test import TestResponse

from app import database
from app.clock import china_today
from app.enforcement import documents as document_service
from app.enforcement.cases import case_data, start_case
from app.enforcement.library import add_entry, similar_cases
from app.enforcement.worker import run_once
from app.extensions import db
from app.models import AuditEvent, Case, CaseLibraryEntry, Enterprise, Job
from app.platform.auth import create_user
from tests.conftest import login
from tests.integration.cases import (
    account,
    complete,
    head_approves,
    notified_weeks_ago,
    reviewed_case,
    visit,
)

PARTY = "呼和浩特市青城乳业有限公司"  # the demo enterprise of 新城区 (150102)
ADDRESS = "呼和浩特市新城区海拉尔东路88号"
REPRESENTATIVE = "白云峰"
FACTS = (
    f"{PARTY}（法定代表人{REPRESENTATIVE}，住所{ADDRESS}）于2026年11月在其经营场所销售超过"
    "保质期的乳制品12盒；青城乳业对违法事实无异议。执法人员王执法、刘检查现场检查发现。"
)


def _today() -> str:
    return china_today().isoformat()


def _party() -> Enterprise:
    enterprise = db.session.execute(
        select(Enterprise).where(Enterprise.region_code == "150102")
    ).scalar_one()
    # the record the masks are taken from: address and legal representative on file
    enterprise.address, enterprise.legal_representative = ADDRESS, REPRESENTATIVE
    db.session.commit()
    return enterprise


def _pass_time(case_id: int) -> None:
    """The worker fires the case's next timer (as if the period had run out)."""
    due = db.session.execute(
        select(Job.due_at).where(Job.case_id == case_id, Job.kind == "TIMER").order_by(Job.due_at)
    ).scalars()
    moment = next(iter(due)) + dt.timedelta(minutes=1)
    assert run_once("library-test", moment).get("fired")


def _rectify_and_close(case_id: int, reason: str, typical: bool) -> None:
    complete(
        case_id,
        "i_order",
        "officer",
        order_served_on=_today(),
        rectify_days=5,
        requirements="停止销售，健全进货查验制度",
    )
    _pass_time(case_id)
    complete(case_id, "i_verify", "officer", verify_result="PASS")
    visit(case_id)
    complete(case_id, "j_report", "officer", closure_reason=reason, typical_case=typical)
    complete(case_id, "j_approval", "agency_head", approved=True)
    complete(case_id, "j_archive", "officer", archive_no="档案1")


def exemption_case(summary: str = f"{PARTY}初次违法，危害后果轻微并及时改正。") -> int:
    """首违不罚 played to the library through the engine; the decision names the party."""
    _party()
    case_id = reviewed_case(
        "NO_PENALTY",
        facts=FACTS,
        first_offense_2y=True,
        corrected=True,
        harm="SLIGHT",
        on_exempt_list="NATIONAL_FIRST",
        mitigating_optional=["COOPERATIVE"],
    )
    complete(case_id, "g_no_penalty_decision", "officer", decided_on=_today(), education_done=True)
    document_service.issue(case_id, "NO_PENALTY_DECISION", account("officer"))
    complete(case_id, "g_serve_no_penalty", "officer", served_on=_today(), guidance_attached=True)
    _rectify_and_close(case_id, "NOT_PUNISHED", typical=False)
    complete(
        case_id,
        "j_library",
        "reviewer",
        violation_type="销售过期食品",
        library_summary=summary,
    )
    return case_id


def penalty_case() -> int:
    """An ordinary penalty of 5 000 yuan, closed as a typical case."""
    _party()
    case_id = notified_weeks_ago(
        "statement", facts=FACTS, aggravating=["REFUSED_TO_CORRECT"], mitigating_optional=[]
    )
    complete(
        case_id,
        "f_review_statement",
        "officer",
        statement_adopted=False,
        proposed_fine=5000,
        material_change=False,
    )
    head_approves(case_id, ["FINE"], 5000)
    complete(
        case_id, "g_penalty_decision", "officer", decided_on=_today(), sanctions=["FINE"], fine=5000
    )
    document_service.issue(case_id, "PENALTY_DECISION", account("officer"))
    complete(
        case_id,
        "g_serve_two",
        "officer",
        served_on=_today(),
        repair_notice_served=True,
        service_method="DIRECT",
    )
    complete(case_id, "g_publish", "credit", published_on=_today())
    complete(case_id, "g_serious_list", "credit", serious_list=False)
    complete(
        case_id, "h_payment", "officer", payment_status="PAID", paid_on=_today(), amount_paid=5000
    )
    _rectify_and_close(case_id, "EXECUTED", typical=True)
    complete(case_id, "j_library", "reviewer", violation_type="销售过期食品")
    return case_id


def baotou_entry() -> int:
    """A catalogued 包头 case (special equipment), its data as a closed penalty case holds it."""
    enterprise = db.session.execute(
        select(Enterprise).where(Enterprise.region_code == "150203")
    ).scalar_one()
    case = start_case(account("officer_bt"), "enforcement_case", enterprise.id, "设备超期未检")
    data: dict[str, Any] = {
        **case_data(case),
        "head_decision": "PENALTY",
        "level": "HEAVIER",
        "fine": 30000,
        "sanctions": ["FINE"],
        "decided_on": "2026-03-02",
        "harm": "GENERAL",
        "aggravating": ["REPEATED"],
    }
    add_entry(case, data, {"violation_type": "使用未经检验的特种设备"})
    db.session.commit()
    return entry_of(case.id).id


def entry_of(case_id: int) -> CaseLibraryEntry:
    return db.session.execute(
        select(CaseLibraryEntry).where(CaseLibraryEntry.case_id == case_id)
    ).scalar_one()


def audited(action: str, entry_id: int) -> list[AuditEvent]:
    return list(
        db.session.execute(
            select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.object_id == str(entry_id)
            )
        ).scalars()
    )


def publish(client: FlaskClient, token: str, entry_id: int) -> TestResponse:
    """The publisher's way: the preview, then the confirmation of the text it showed."""
    preview = client.get(f"/library/{entry_id}/publish")
    assert preview.status_code == 200, preview.get_data(as_text=True)
    found = re.search(r'name="digest" value="([0-9a-f]{64})"', preview.get_data(as_text=True))
    assert found
    return client.post(
        f"/library/{entry_id}/publish", data={"csrf_token": token, "digest": found.group(1)}
    )


def assert_anonymous(text: str, credit_code: str) -> None:
    for secret in (PARTY, credit_code, ADDRESS, REPRESENTATIVE, "青城乳业", "王执法", "刘检查"):
        assert secret not in text, secret


def test_a_closed_exemption_case_is_catalogued_with_its_decision_anonymized(app: Flask) -> None:
    with app.app_context():
        case_id = exemption_case()
        entry = entry_of(case_id)
        party = db.session.get(Case, case_id)
        assert party is not None
        code = party.enterprise.credit_code

        assert (entry.violation_type, entry.level, entry.fine) == (
            "销售过期食品",
            "NO_PENALTY",
            None,
        )
        assert (entry.domain, entry.party_type, entry.outcome) == (
            "FOOD",
            "LEGAL_PERSON",
            "NO_PENALTY",
        )
        assert entry.decided_on == china_today() and entry.region_code == "150102"
        assert entry.circumstances is not None
        lines = entry.circumstances.splitlines()
        assert "危害后果：危害后果轻微" in lines
        assert "可以从轻的情节：积极配合调查，如实陈述违法事实并主动提供证据" in lines
        assert "其他情节：初次违法（两年内无同类违法）；及时改正" in lines
        assert "免罚清单：总局首违不罚清单" in lines
        assert not entry.typical and entry.published_at is None

        decision = entry.anonymized_decision
        assert decision is not None
        assert "不予行政处罚决定书" in decision and "本局决定不予行政处罚" in decision
        assert f"呼市监不罚〔{china_today().year}〕1号" in decision
        assert "当事人：某某有限公司" in decision and "统一社会信用代码：＊＊＊＊" in decision
        assert (
            "法定代表人白某，住所呼和浩特市新城区＊＊＊＊" in decision
            and "执法人员王某、刘某" in decision
        )
        assert "某某对违法事实无异议" in decision  # the name without place and ending, too
        assert "<" not in decision and "font-family" not in decision  # text, not markup
        assert_anonymous(decision, code)
        assert entry.summary == "某某有限公司初次违法，危害后果轻微并及时改正。"


def test_a_typical_penalty_case_is_catalogued_and_still_feeds_similar_cases(app: Flask) -> None:
    with app.app_context():
        case_id = penalty_case()
        entry = entry_of(case_id)
        party = db.session.get(Case, case_id)
        assert party is not None
        assert (entry.outcome, entry.fine, entry.level) == ("PUNISH", 5000, "HEAVIER")
        assert entry.circumstances is not None
        assert "从重情节：责令改正拒不改正" in entry.circumstances.splitlines()
        decision = entry.anonymized_decision
        assert decision is not None and "行政处罚决定书" in decision
        assert "罚款人民币伍仟元整（¥5,000.00）" in decision
        assert_anonymous(decision, party.enterprise.credit_code)

        similar = similar_cases("销售过期食品", "HEAVIER", exclude_case=0)
        assert similar.count == 1 and similar.median == 5000
        assert similar.recent[0].case_id == case_id and similar.recent[0].case_no == party.case_no
        assert similar_cases("销售过期食品", "HEAVIER", exclude_case=case_id).count == 0


def test_search_filters_and_region_scope(app: Flask) -> None:
    with app.app_context():
        hohhot = entry_of(exemption_case()).id
        baotou = baotou_entry()
        crafted = db.session.get(CaseLibraryEntry, baotou)
        assert crafted is not None and crafted.outcome == "PUNISH"
        assert crafted.circumstances == "危害后果：一般\n从重情节：一年内实施两次以上同种违法行为"
        assert crafted.anonymized_decision is None  # no decision document was issued

    def ids(client: FlaskClient, query: str = "") -> set[int]:
        page = client.get(f"/library?{query}")
        assert page.status_code == 200, page.get_data(as_text=True)
        text = page.get_data(as_text=True)
        return {i for i in (hohhot, baotou) if f'data-entry-id="{i}"' in text}

    supervisor = app.test_client()
    login(supervisor, "supervisor")  # the 自治区局 sees every 盟市
    assert ids(supervisor) == {hohhot, baotou}
    assert ids(supervisor, "region=150100") == {hohhot}
    assert ids(supervisor, "region=150200") == {baotou}
    assert ids(supervisor, "domain=FOOD") == {hohhot}
    assert ids(supervisor, "domain=SPECIAL_EQUIP") == {baotou}
    assert ids(supervisor, "outcome=NO_PENALTY") == {hohhot}
    assert ids(supervisor, "outcome=PUNISH") == {baotou}
    assert ids(supervisor, "level=HEAVIER") == {baotou}
    assert ids(supervisor, "party_type=LEGAL_PERSON") == {hohhot, baotou}
    assert ids(supervisor, "party_type=NATURAL") == set()
    assert ids(supervisor, "q=过期") == {hohhot}
    assert ids(supervisor, "q=危害后果轻微") == {hohhot}  # the summary is searched too
    assert ids(supervisor, "q=%25") == set()  # a LIKE wildcard is a plain character
    assert ids(supervisor, "violation_type=使用未经检验的特种设备") == {baotou}
    assert ids(supervisor, "typical=1") == set()
    assert ids(supervisor, f"before={baotou}") == {hohhot}  # keyset paging, newest first
    assert supervisor.get("/library?before=x").status_code == 422

    officer = app.test_client()
    login(officer, "officer")  # 呼和浩特
    assert ids(officer) == {hohhot} and ids(officer, "region=150200") == set()
    page = officer.get(f"/library/{hohhot}").get_data(as_text=True)
    assert "销售过期食品" in page and "某某有限公司" in page and "危害后果轻微" in page
    assert PARTY not in page and REPRESENTATIVE not in page  # the entry page is for comparison
    assert officer.get(f"/library/{baotou}").status_code == 403

    officer_bt = app.test_client()
    login(officer_bt, "officer_bt")  # 包头 sees none of 呼和浩特's entries
    assert ids(officer_bt) == {baotou}
    assert officer_bt.get(f"/library/{hohhot}").status_code == 403
    assert officer_bt.get("/library/999999").status_code == 404

    for denied in ("designer", "hearing"):
        other = app.test_client()
        login(other, denied)
        assert other.get("/library").status_code == 403
        assert other.get(f"/library/{hohhot}").status_code == 403


def test_mark_typical_publish_and_the_public_pages(app: Flask) -> None:
    with app.app_context():
        case_id = exemption_case()
        entry_id = entry_of(case_id).id
        case = db.session.get(Case, case_id)
        assert case is not None
        credit_code = case.enterprise.credit_code
        create_user("head_bt", "long enough pw", "包头局长", "150200", ["agency_head"])
    anonymous = app.test_client()
    assert anonymous.get(f"/public/cases/{entry_id}").status_code == 404  # not typical yet
    assert anonymous.get("/public/cases/999999").status_code == 404

    officer = app.test_client()
    token = login(officer, "officer")
    assert (
        officer.post(f"/library/{entry_id}/typical", data={"csrf_token": token}).status_code == 403
    )
    reviewer = app.test_client()
    token = login(reviewer, "reviewer")
    assert (
        reviewer.post(f"/library/{entry_id}/typical", data={"csrf_token": token}).status_code == 403
    )
    outsider = app.test_client()
    token = login(outsider, "head_bt", "long enough pw")  # an agency head of another 盟市
    for action in ("typical", "publish"):
        refused = outsider.post(f"/library/{entry_id}/{action}", data={"csrf_token": token})
        assert refused.status_code == 403

    head = app.test_client()
    head_token = login(head, "agency_head")
    early = head.post(f"/library/{entry_id}/publish", data={"csrf_token": head_token})
    assert early.status_code == 409 and "只有标记为典型案例的条目才能公开发布" in early.get_data(
        as_text=True
    )

    unit_head = app.test_client()
    token = login(unit_head, "unit_head")
    assert unit_head.post(f"/library/{entry_id}/typical", data={}).status_code == 400  # no CSRF
    marked = unit_head.post(f"/library/{entry_id}/typical", data={"csrf_token": token})
    assert marked.status_code == 303 and marked.location.endswith(f"/library/{entry_id}")
    refused = unit_head.post(f"/library/{entry_id}/publish", data={"csrf_token": token})
    assert refused.status_code == 403  # publishing is the agency head's
    assert anonymous.get(f"/public/cases/{entry_id}").status_code == 404  # typical, unpublished

    unconfirmed = head.post(f"/library/{entry_id}/publish", data={"csrf_token": head_token})
    assert unconfirmed.status_code == 422  # not previewed: nothing is published
    assert anonymous.get(f"/public/cases/{entry_id}").status_code == 404
    published = publish(head, head_token, entry_id)
    assert published.status_code == 303
    listing = anonymous.get("/public/cases")
    assert listing.status_code == 200
    assert f'href="/public/cases/{entry_id}"' in listing.get_data(as_text=True)
    shown = anonymous.get(f"/public/cases/{entry_id}")
    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    assert "不予行政处罚决定书" in text and "当事人：某某有限公司" in text
    assert_anonymous(text, credit_code)
    assert (
        anonymous.get("/public/cases?domain=DRUG")
        .get_data(as_text=True)
        .count(f"/public/cases/{entry_id}")
        == 0
    )

    # withdrawing the mark of a published case is refused; unpublishing takes it off
    kept = unit_head.post(
        f"/library/{entry_id}/typical", data={"csrf_token": token, "typical": "0"}
    )
    assert kept.status_code == 409
    withdrawn = head.post(
        f"/library/{entry_id}/publish", data={"csrf_token": head_token, "publish": "0"}
    )
    assert withdrawn.status_code == 303
    assert anonymous.get(f"/public/cases/{entry_id}").status_code == 404
    assert f"/public/cases/{entry_id}" not in anonymous.get("/public/cases").get_data(as_text=True)

    with app.app_context():
        entry = db.session.get(CaseLibraryEntry, entry_id)
        assert entry is not None and entry.typical and entry.published_at is None
        assert [e.actor_name for e in audited("mark_typical", entry_id)] == ["unit_head"]
        assert [e.actor_name for e in audited("publish_case", entry_id)] == ["agency_head"]
        assert [e.actor_name for e in audited("unpublish_case", entry_id)] == ["agency_head"]
        assert audited("unmark_typical", entry_id) == []  # the refused withdrawal left nothing
        assert all(e.region_code == "150102" for e in audited("mark_typical", entry_id))

    # the admin may publish too (province-wide), and the page shows who did
    admin = app.test_client()
    token = login(admin, "admin")
    assert publish(admin, token, entry_id).status_code == 303
    page = admin.get(f"/library/{entry_id}").get_data(as_text=True)
    assert "系统管理员" in page and 'id="published-badge"' in page
    assert anonymous.get(f"/public/cases/{entry_id}").status_code == 200


def test_the_demo_gallery_publishes_a_typical_case(gallery_app: Flask) -> None:
    with gallery_app.app_context():
        entries = db.session.execute(select(CaseLibraryEntry)).scalars().all()
        published = [e for e in entries if e.published_at is not None]
        assert published and all(e.typical for e in published)
        entry = published[0]
        case = db.session.get(Case, entry.case_id)
        assert case is not None and case.status == "CLOSED"
        assert (entry.domain, entry.outcome) == (case.enterprise.domain, "NO_PENALTY")
        assert entry.anonymized_decision and case.enterprise.name not in entry.anonymized_decision
        assert audited("publish_case", entry.id)
        name, code = case.enterprise.name, case.enterprise.credit_code
    anonymous = gallery_app.test_client()
    listing = anonymous.get("/public/cases").get_data(as_text=True)
    assert f"/public/cases/{entry.id}" in listing
    text = anonymous.get(f"/public/cases/{entry.id}").get_data(as_text=True)
    assert "不予行政处罚决定书" in text and name not in text and code not in text


# the finding of issue #31: a summary with an ID number, a mobile number, a third person, part
# of an address and the party's short name was published as typed and found by the mobile number
ID_NUMBER = "150102198503121232"
MOBILE = "13847123456"
WITNESS = "张建国"
LEAKY_SUMMARY = (
    f"青城乳业负责人（身份证号{ID_NUMBER}，手机138-4712-3456）"
    f"在新城区海拉尔东路88号门店销售过期乳制品；证人{WITNESS}称其于2026年3月1日购买，"
    "依据《中华人民共和国食品安全法》第三十四条处理，统一社会信用代码已核实。"
)
SECRETS = (ID_NUMBER, MOBILE, "138-4712-3456", WITNESS, "海拉尔东路", "青城乳业", "青城")


def _marked_typical(app: Flask, summary: str) -> int:
    with app.app_context():
        entry_id = entry_of(exemption_case(summary)).id
    unit_head = app.test_client()
    token = login(unit_head, "unit_head")
    assert unit_head.post(f"/library/{entry_id}/typical", data={"csrf_token": token}).status_code
    return entry_id


def test_public_case_leak_id_mobile_witness_address_and_short_name_are_masked_and_unsearchable(
    app: Flask,
) -> None:
    entry_id = _marked_typical(app, LEAKY_SUMMARY)
    with app.app_context():
        # an entry catalogued before the public masks (its summary as typed) is the worst case
        entry = db.session.get(CaseLibraryEntry, entry_id)
        assert entry is not None and entry.summary is not None
        assert WITNESS not in entry.summary and ID_NUMBER not in entry.summary  # masked already
        entry.summary = LEAKY_SUMMARY
        db.session.commit()

    head = app.test_client()
    token = login(head, "agency_head")
    preview = head.get(f"/library/{entry_id}/publish").get_data(as_text=True)
    shown = preview[preview.index('id="public-preview"') :]
    for secret in SECRETS:
        assert secret not in shown, secret  # the publisher sees the text the public will see
    assert "证人张某称其于2026年3月1日购买" in shown and "第三十四条" in shown
    assert "统一社会信用代码已核实" in shown and "新城区＊＊＊＊" in shown

    assert publish(head, token, entry_id).status_code == 303
    anonymous = app.test_client()
    page = anonymous.get(f"/public/cases/{entry_id}").get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in page, secret
    assert "证人张某称" in page
    listing = f'href="/public/cases/{entry_id}"'
    for query in (MOBILE, "138-4712-3456", ID_NUMBER, WITNESS, "海拉尔东路", "青城乳业"):
        found = anonymous.get("/public/cases", query_string={"q": query}).get_data(as_text=True)
        assert listing not in found, query  # the public search reads the masked text only
    found = anonymous.get("/public/cases", query_string={"q": "证人张某"}).get_data(as_text=True)
    assert listing in found
    with app.app_context():
        entry = db.session.get(CaseLibraryEntry, entry_id)
        assert entry is not None and entry.public_digest is not None
        assert [e.detail.get("digest") for e in audited("publish_case", entry_id)] == [
            entry.public_digest
        ]


def test_publish_unpreviewed_or_changed_text_is_refused(app: Flask) -> None:
    entry_id = _marked_typical(app, LEAKY_SUMMARY)
    head = app.test_client()
    token = login(head, "agency_head")
    preview = head.get(f"/library/{entry_id}/publish").get_data(as_text=True)
    found = re.search(r'name="digest" value="([0-9a-f]{64})"', preview)
    assert found
    with app.app_context():  # the case's records change between preview and confirmation
        entry = db.session.get(CaseLibraryEntry, entry_id)
        assert entry is not None
        entry.summary = f"{entry.summary}另：经营者陈述其身份证号为150204199007074564。"
        db.session.commit()
    stale = head.post(
        f"/library/{entry_id}/publish", data={"csrf_token": token, "digest": found.group(1)}
    )
    assert stale.status_code == 409 and "预览后公开文本已发生变化" in stale.get_data(as_text=True)
    forged = head.post(
        f"/library/{entry_id}/publish", data={"csrf_token": token, "digest": "0" * 64}
    )
    assert forged.status_code == 409
    anonymous = app.test_client()
    assert anonymous.get(f"/public/cases/{entry_id}").status_code == 404
    with app.app_context():
        entry = db.session.get(CaseLibraryEntry, entry_id)
        assert entry is not None and entry.published_at is None and entry.public_summary is None
        assert audited("publish_case", entry_id) == []
    assert publish(head, token, entry_id).status_code == 303  # previewed again: published
    page = anonymous.get(f"/public/cases/{entry_id}").get_data(as_text=True)
    assert "150204199007074564" not in page and "身份证号为＊＊＊＊" in page


def test_public_case_leak_of_entries_published_before_is_masked_by_the_migration(
    app: Flask,
) -> None:
    entry_id = _marked_typical(app, LEAKY_SUMMARY)
    with app.app_context():
        db.session.close()
        database.downgrade("0037-1")  # before the public text: published as the summary was typed
        db.session.execute(
            text(
                "UPDATE case_library_entry SET summary = :summary, published_at = :now"
                " WHERE id = :id"
            ),
            {"summary": LEAKY_SUMMARY, "now": dt.datetime(2026, 3, 2, 8, 0), "id": entry_id},
        )
        db.session.commit()
        db.session.close()
        database.upgrade()
        entry = db.session.get(CaseLibraryEntry, entry_id)
        assert entry is not None and entry.public_summary is not None
        assert entry.public_digest is not None and entry.public_violation_type == "销售过期食品"
    anonymous = app.test_client()
    page = anonymous.get(f"/public/cases/{entry_id}")
    assert page.status_code == 200  # the published page keeps working
    for secret in (*SECRETS, PARTY, REPRESENTATIVE):
        assert secret not in page.get_data(as_text=True), secret
    found = anonymous.get("/public/cases", query_string={"q": MOBILE}).get_data(as_text=True)
    assert f'href="/public/cases/{entry_id}"' not in found
