"""文号 control (issue 32 item 2): documents offered by stage and path, never issued twice — a
correction (更正) or revocation (撤销) with a reason and a confirmation, the old version kept and
linked, numbers gap-free, the actor in the audit — and 案卷评查 reading the issued PDF itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.clock import china_today
from app.enforcement import documents as document_service
from app.enforcement.document_control import COMPUTED_FACTS, PATHS, fact_label
from app.enforcement.document_elements import ELEMENTS, missing_elements, pdf_text
from app.enforcement.pdf import chinese_glyphs, render_pdf
from app.extensions import db
from app.models import AuditEvent, Case, Document
from app.reference.documents import DOCUMENT_TYPES, ISSUABLE
from app.supervision import file_review
from tests.conftest import login
from tests.integration.cases import account, reviewed_case
from tests.integration.test_documents import decided_case

YEAR = china_today().year
DECISION_NO = f"呼市监处罚〔{YEAR}〕1号"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def _documents(app: Flask, case_id: int) -> list[Document]:
    with app.app_context():
        found = db.session.execute(
            select(Document).where(Document.case_id == case_id).order_by(Document.id)
        ).scalars()
        documents = list(found)
        db.session.expunge_all()
        return documents


def _issued(app: Flask, client: FlaskClient) -> tuple[int, str]:
    case_id = decided_case(app)
    token = login(client, "officer")
    first = client.post(f"/cases/{case_id}/documents/PENALTY_DECISION", data={"csrf_token": token})
    assert first.status_code == 303
    return case_id, token


def test_issuing_again_is_refused_and_a_correction_keeps_the_number_after_confirmation(
    app: Flask, client: FlaskClient
) -> None:
    case_id, token = _issued(app, client)
    url = f"/cases/{case_id}/documents/PENALTY_DECISION"
    again = client.post(url, data={"csrf_token": token})
    assert again.status_code == 409
    assert f"本案已出具行政处罚决定书（{DECISION_NO}）" in again.get_data(as_text=True)
    assert len(_documents(app, case_id)) == 3  # the decision, its repair notice and receipt

    # the case page offers the change, not a second issue
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    offers = page[page.index('class="issuable"') :]
    assert "更正或撤销行政处罚决定书" in offers and "出具行政处罚决定书" not in offers
    form = client.get(f"{url}/change")
    assert form.status_code == 200 and 'id="change-form"' in form.get_data(as_text=True)
    no_reason = client.post(f"{url}/change", data={"csrf_token": token, "action": "CORRECT"})
    assert no_reason.status_code == 422
    assert "更正或撤销文书须写明理由" in no_reason.get_data(as_text=True)

    reason = "违法事实中的日期笔误"
    confirm = client.post(
        f"{url}/change", data={"csrf_token": token, "action": "CORRECT", "reason": reason}
    )
    screen = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and 'id="confirm-form"' in screen
    assert f"{DECISION_NO}（更正）" in screen and f"呼市监修复〔{YEAR}〕1号（更正）" in screen
    assert [d.status for d in _documents(app, case_id)] == ["LIVE"] * 3  # nothing yet

    # the server refuses a change that skipped the confirmation
    unconfirmed = client.post(
        url, data={"csrf_token": token, "action": "CORRECT", "reason": reason}
    )
    assert unconfirmed.status_code == 409 and "须先确认" in unconfirmed.get_data(as_text=True)
    blank = client.post(
        url, data={"csrf_token": token, "action": "CORRECT", "reason": " ", "confirm": "1"}
    )
    assert blank.status_code == 422
    assert len(_documents(app, case_id)) == 3

    done = client.post(
        url, data={"csrf_token": token, "action": "CORRECT", "reason": reason, "confirm": "1"}
    )
    assert done.status_code == 303
    old_decision, old_notice, old_receipt, decision, notice, receipt = _documents(app, case_id)
    assert [d.status for d in (old_decision, old_notice, old_receipt)] == ["CORRECTED"] * 3
    assert (decision.doc_no, decision.version) == (f"{DECISION_NO}（更正）", 2)
    assert (decision.supersedes_id, old_decision.superseded_by_id) == (old_decision.id, decision.id)
    assert (notice.supersedes_id, old_notice.superseded_by_id) == (old_notice.id, notice.id)
    assert notice.issued_with_id == decision.id and receipt.issued_with_id == decision.id
    assert receipt.doc_no == f"呼市监送达〔{YEAR}〕1号（更正）"
    assert old_decision.change_reason == reason
    assert f"{DECISION_NO}（更正）" in pdf_text(decision.pdf)
    with app.app_context():
        assert old_decision.changed_by_id == account("officer").id
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "correct_document")
        ).scalar_one()
        assert (event.actor_id, event.actor_name) == (account("officer").id, "officer")
        assert event.detail["reason"] == reason and event.detail["corrects"] == DECISION_NO

    # both versions stay on the case page, linked, the old one marked
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    listing = page[page.index('id="document-list"') : page.index('class="issuable"')]
    assert "已更正" in listing and reason in listing
    assert f'href="#document-{decision.id}"' in listing
    assert f'href="#document-{old_decision.id}"' in listing

    # a second correction says so; the counter was never touched: the next decision is 2号
    second = client.post(
        url, data={"csrf_token": token, "action": "CORRECT", "reason": "再次笔误", "confirm": "1"}
    )
    assert second.status_code == 303
    assert _documents(app, case_id)[-3].doc_no == f"{DECISION_NO}（第2次更正）"
    other_case, _ = _issued(app, client)
    assert _documents(app, other_case)[0].doc_no == f"呼市监处罚〔{YEAR}〕2号"


def test_a_revoked_document_stays_in_the_file_and_the_next_issue_takes_the_next_number(
    app: Flask, client: FlaskClient
) -> None:
    case_id, token = _issued(app, client)
    url = f"/cases/{case_id}/documents/PENALTY_DECISION"
    confirm = client.post(
        f"{url}/change", data={"csrf_token": token, "action": "REVOKE", "reason": "决定主体错误"}
    )
    assert "标明已撤销" in confirm.get_data(as_text=True)
    revoked = client.post(
        url,
        data={"csrf_token": token, "action": "REVOKE", "reason": "决定主体错误", "confirm": "1"},
    )
    assert revoked.status_code == 303
    documents = _documents(app, case_id)
    assert [d.status for d in documents] == ["REVOKED"] * 3
    assert all(d.superseded_by_id is None for d in documents)
    with app.app_context():
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "revoke_document")
        ).scalar_one()
        assert (event.actor_id, event.actor_name) == (account("officer").id, "officer")
        assert event.detail["doc_no"] == DECISION_NO
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "已撤销" in page and "决定主体错误" in page
    # with nothing in force, a new document is an issue of its own, with the next number
    assert client.post(url, data={"csrf_token": token}).status_code == 303
    assert _documents(app, case_id)[3].doc_no == f"呼市监处罚〔{YEAR}〕2号"
    # nothing in force to correct: refused
    with app.app_context():
        case_no_decision = reviewed_case("PENALTY")
    refused = client.post(
        f"/cases/{case_no_decision}/documents/PENALTY_NOTICE/change",
        data={"csrf_token": token, "action": "CORRECT", "reason": "x"},
    )
    assert refused.status_code == 422 and "无从更正或撤销" in refused.get_data(as_text=True)


def test_changes_are_refused_to_other_roles_and_other_regions(
    app: Flask, client: FlaskClient
) -> None:
    case_id, _ = _issued(app, client)
    url = f"/cases/{case_id}/documents/PENALTY_DECISION"
    change = {"action": "REVOKE", "reason": "越权", "confirm": "1"}
    head = app.test_client()
    head_token = login(head, "unit_head")
    assert head.get(f"{url}/change").status_code == 403
    assert head.post(url, data={"csrf_token": head_token, **change}).status_code == 403
    other = app.test_client()
    other_token = login(other, "officer_bt")  # 包头: not this case's region
    assert other.get(f"{url}/change").status_code == 403
    assert other.post(url, data={"csrf_token": other_token, **change}).status_code == 403
    assert [d.status for d in _documents(app, case_id)] == ["LIVE"] * 3


def test_only_documents_of_the_stage_and_path_are_offered_in_words(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        undecided = reviewed_case("PENALTY")
    login(client, "officer")
    page = client.get(f"/cases/{undecided}").get_data(as_text=True)
    offers = page[page.index('class="issuable"') :]
    offers = offers[: offers.index("</ul>")]
    assert "行政处罚告知书" in offers and "尚缺：决定日期" in offers
    for foreign in ("不予行政处罚决定书", "违法风险预警提醒书", "不予立案审批表", "案件回访记录"):
        assert foreign not in offers
    lacking = re.findall(r'<span class="help">尚缺：(.*?)</span>', offers)
    assert lacking and not any(re.search(r"[A-Za-z_]", text) for text in lacking)  # words

    decided, token = _issued(app, client)
    page = client.get(f"/cases/{decided}").get_data(as_text=True)
    offers = page[page.index('class="issuable"') :]
    offers = offers[: offers.index("</ul>")]
    assert "不予行政处罚决定书" not in offers and "行政处罚告知书" not in offers  # decided
    refused = client.post(
        f"/cases/{decided}/documents/NO_PENALTY_DECISION", data={"csrf_token": token}
    )
    assert refused.status_code == 422
    assert "本案当前的阶段和程序不出具不予行政处罚决定书" in refused.get_data(as_text=True)
    preview = client.get(f"/cases/{decided}/documents/NO_PENALTY_DECISION/preview")
    assert preview.status_code == 422


def test_every_fact_a_document_requires_has_a_name_in_words(app: Flask) -> None:
    with app.app_context():
        for kind in DOCUMENT_TYPES.values():
            for name in kind.required:
                label = fact_label(name)
                assert not re.search(r"[A-Za-z_]", label), (kind.code, name, label)
        assert set(ISSUABLE) <= set(PATHS)  # every type an officer issues has its path
        assert COMPUTED_FACTS["self_check_due"] == fact_label("self_check_due")


def _render_without_cjk_fonts(html: str, folder: Path) -> bytes:
    """The document rendered as on a machine with no Chinese font: WeasyPrint alone, fontconfig
    limited to DejaVu (Latin only), so the Chinese prints as empty boxes."""
    assert DEJAVU.is_dir()
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{DEJAVU}</dir><cachedir>{folder / 'fc-cache'}</cachedir></fontconfig>"
    )
    source, target = folder / "doc.html", folder / "doc.pdf"
    source.write_text(html)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from weasyprint import HTML; "
            "HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])",
            str(source),
            str(target),
        ],
        env={**os.environ, "FONTCONFIG_FILE": str(config)},
        check=True,
        timeout=300,
    )
    return target.read_bytes()


def test_file_review_reads_the_issued_pdf_not_the_data(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    """案卷评查 "第五十九条要素齐全": a real issued 决定书 passes; the same document printed
    without a Chinese font (□□□), or with an element missing from its text, fails, and the
    missing elements are named."""
    case_id, _ = _issued(app, client)
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None
        document = document_service.live_document(case, "PENALTY_DECISION")
        assert document is not None
        assert missing_elements(document) == []
        assert file_review.prechecks(case_id)["decision"] is True
        assert len(ELEMENTS["PENALTY_DECISION"]) >= 8
        issued_pdf, html = document.pdf, document.html

        # the same HTML printed as on a machine with no Chinese font: boxes
        boxes = _render_without_cjk_fonts(html, tmp_path)
        assert not chinese_glyphs(boxes).readable
        document.pdf = boxes
        assert "中文字形（文书中文未能显示，呈方框）" in missing_elements(document)
        assert file_review.prechecks(case_id)["decision"] is False

        # set in the right font but without the remedies' time limits
        document.pdf = render_pdf(html.replace("六十日内向呼和浩特市人民政府申请行政复议", ""))
        missing = missing_elements(document)
        assert "申请行政复议的期限" in missing and "当事人名称" not in missing
        assert file_review.prechecks(case_id)["decision"] is False

        document.pdf = issued_pdf
        assert file_review.prechecks(case_id)["decision"] is True
        db.session.rollback()
        total = db.session.execute(select(func.count(Document.id))).scalar_one()
        assert total == 3
