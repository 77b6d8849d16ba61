"""Official documents: required fields, 文号, PDF text, two documents served together, versions."""

from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from app.calendar import add_months
from app.clock import china_today
from app.config import VENDORED_FONT_DIR
from app.enforcement import documents as document_service
from app.enforcement.cases import case_data
from app.extensions import db
from app.models import AuditEvent, Case, DecisionRecord, Document
from app.platform import InvalidInput
from app.platform.sequences import next_number
from tests.conftest import PostgresTemplate, base_config, login
from tests.integration.cases import (
    account,
    complete,
    head_approves,
    notified_weeks_ago,
    reviewed_case,
)

YEAR = china_today().year


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with all white space removed (line breaks fall anywhere in Chinese)."""
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", "", done.stdout.decode())


def decided_case(app: Flask) -> int:
    with app.app_context():
        case_id = notified_weeks_ago()  # the window for statements closed in silence
        today = china_today().isoformat()
        head_approves(case_id, ["FINE"], 5000)
        complete(
            case_id,
            "g_penalty_decision",
            "officer",
            decided_on=today,
            sanctions=["FINE"],
            fine=5000,
            decision_summary="",
        )
        return case_id


def test_the_decision_documents_come_from_the_decision_record_only(app: Flask) -> None:
    """A 决定书 says what was decided within the head's approval, whatever the case's data holds
    later; before a decision there is nothing to issue it from (《行政处罚法》第五十七条、第五十九条)."""
    with app.app_context():
        undecided = notified_weeks_ago()
        head_approves(undecided, ["FINE"], 5000)
        with pytest.raises(InvalidInput, match="本案尚未作出决定"):
            document_service.issue(undecided, "PENALTY_DECISION", account("officer"))
    case_id = decided_case(app)
    with app.app_context():
        record = db.session.execute(
            select(DecisionRecord).where(DecisionRecord.case_id == case_id)
        ).scalar_one()
        assert (record.kind, record.content["fine"], record.content["sanctions"]) == (
            "PENALTY",
            5000,
            ["FINE"],
        )
        assert record.approved_by_id == account("agency_head").id
        assert record.decided_by_id == account("officer").id
        # a later step that writes other figures into the case's data (as an integrating system
        # sending stray fields could) changes nothing the decision documents say
        complete(
            case_id,
            "g_serve_two",
            "officer",
            served_on=china_today().isoformat(),
            repair_notice_served=True,
            service_method="DIRECT",
            fine=200000,
            sanctions=["FINE", "REVOKE_BIZ_LICENSE"],
        )
        case = db.session.get(Case, case_id)
        assert case is not None and case_data(case)["fine"] == 200000
        document = document_service.issue(case_id, "PENALTY_DECISION", account("officer"))
        text = pdf_text(document.pdf)
    assert "罚款人民币伍仟元整（¥5,000.00）" in text
    assert "200,000" not in text and "吊销营业执照" not in text


def test_penalty_decision_and_repair_notice_are_issued_together(
    app: Flask, client: FlaskClient
) -> None:
    case_id = decided_case(app)
    token = login(client, "officer")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "出具行政处罚决定书" in page
    preview = client.get(f"/cases/{case_id}/documents/PENALTY_DECISION/preview")
    assert "预览，未编号" in preview.get_data(as_text=True)
    response = client.post(
        f"/cases/{case_id}/documents/PENALTY_DECISION", data={"csrf_token": token}
    )
    assert response.status_code == 303
    with app.app_context():
        docs = (
            db.session.execute(
                select(Document).where(Document.case_id == case_id).order_by(Document.id)
            )
            .scalars()
            .all()
        )
        assert [d.doc_type for d in docs] == [
            "PENALTY_DECISION",
            "REPAIR_NOTICE",
            "SERVICE_RECEIPT",
        ]
        assert [d.doc_no for d in docs] == [
            f"呼市监处罚〔{YEAR}〕1号",
            f"呼市监修复〔{YEAR}〕1号",
            f"呼市监送达〔{YEAR}〕1号",
        ]
        assert docs[1].issued_with_id == docs[0].id and docs[2].issued_with_id == docs[0].id
        decision, notice, receipt = (pdf_text(d.pdf) for d in docs)
    assert "呼和浩特市市场监督管理局" in decision and "行政处罚决定书" in decision
    assert f"呼市监处罚〔{YEAR}〕1号" in decision and "呼和浩特市青城乳业有限公司" in decision
    assert "罚款人民币伍仟元整（¥5,000.00）" in decision
    assert "六十日内向呼和浩特市人民政府申请行政复议" in decision
    # served with the decision, before the publication: the rule, never a date counted from
    # the decision (test_document_content proves the date once published)
    assert "自公示之日起满十二个月后" in notice
    earliest = add_months(china_today(), 12)
    assert f"{earliest.year}年{earliest.month}月{earliest.day}日" not in notice
    assert "行政处罚决定书" in receipt and "行政处罚信息信用修复告知书" in receipt
    pdf = client.get(f"/cases/documents/{docs[0].id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_required_fields_and_roles_are_enforced(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        case_id = reviewed_case("PENALTY")
    token = login(client, "officer")
    response = client.post(
        f"/cases/{case_id}/documents/PENALTY_DECISION", data={"csrf_token": token}
    )
    # no decision yet: nothing to write the 决定书 from
    assert response.status_code == 422
    assert "本案尚未作出决定，不能出具行政处罚决定书" in response.get_data(as_text=True)
    assert (
        client.post(
            f"/cases/{case_id}/documents/REPAIR_NOTICE", data={"csrf_token": token}
        ).status_code
        == 422
    )  # only with the decision
    notice = client.post(f"/cases/{case_id}/documents/PENALTY_NOTICE", data={"csrf_token": token})
    assert notice.status_code == 303
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Document)).scalar_one() == 1
        doc_id = db.session.execute(select(Document.id)).scalar_one()
    head = app.test_client()
    head_token = login(head, "unit_head")
    assert (
        head.post(
            f"/cases/{case_id}/documents/PENALTY_NOTICE", data={"csrf_token": head_token}
        ).status_code
        == 403
    )
    other = app.test_client()
    login(other, "officer_bt")
    assert other.get(f"/cases/documents/{doc_id}.pdf").status_code == 403
    assert other.get(f"/cases/{case_id}/documents/PENALTY_NOTICE/preview").status_code == 403


def test_document_numbers_are_gap_free_under_concurrency(
    postgres_template: PostgresTemplate,
) -> None:
    url = postgres_template.new_database()
    app = create_app(base_config(url))
    numbers: list[int] = []
    lock = threading.Lock()

    def take() -> None:
        with app.app_context():
            number = next_number(f"doc:150100:处罚:{YEAR}")
            db.session.commit()
            with lock:
                numbers.append(number)
            db.session.remove()

    threads = [threading.Thread(target=take) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == list(range(1, 51))
    with app.app_context():
        db.engine.dispose()
    postgres_template.drop(url)


def test_pdf_matches_its_stored_hash(app: Flask, client: FlaskClient) -> None:
    import hashlib

    case_id = decided_case(app)
    token = login(client, "officer")
    client.post(f"/cases/{case_id}/documents/PENALTY_DECISION", data={"csrf_token": token})
    with app.app_context():
        doc = db.session.execute(select(Document).limit(1)).scalar_one()
        assert hashlib.sha256(doc.pdf).hexdigest() == doc.content_hash
        assert re.search(r"呼市监处罚〔\d{4}〕\d+号", doc.html)


def test_without_the_project_font_nothing_is_issued(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    case_id = decided_case(app)
    token = login(client, "officer")
    with app.app_context():
        audit_before = db.session.execute(select(func.count(AuditEvent.id))).scalar_one()
    app.config["DOCUMENT_FONT_DIR"] = str(tmp_path)  # a deployment that lost the font files
    response = client.post(
        f"/cases/{case_id}/documents/PENALTY_DECISION", data={"csrf_token": token}
    )
    assert response.status_code == 503
    assert "中文字体" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count(Document.id))).scalar_one() == 0
        audit_after = db.session.execute(select(func.count(AuditEvent.id))).scalar_one()
        assert audit_after == audit_before
    app.config["DOCUMENT_FONT_DIR"] = str(VENDORED_FONT_DIR)
    response = client.post(
        f"/cases/{case_id}/documents/PENALTY_DECISION", data={"csrf_token": token}
    )
    assert response.status_code == 303
    with app.app_context():  # the refused issue used up no number
        numbers = db.session.execute(select(Document.doc_no).order_by(Document.id)).scalars()
        assert next(iter(numbers)) == f"呼市监处罚〔{YEAR}〕1号"


def test_the_case_page_names_what_a_document_still_lacks_in_words(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        case_id = reviewed_case("PENALTY")
    login(client, "officer")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    lacking = page[page.index('id="documents"') :]
    assert "尚缺：决定日期" in lacking  # the decision documents wait for the decision
    assert "decided_on" not in lacking and "order_served_on" not in lacking
