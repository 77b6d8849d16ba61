"""Complaint imports (CSV, XLSX, the events API): rows are normalized or refused one by one with
their reasons, the good rows are all stored, a repeated import adds nothing; and the hotspots
computed from them."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func, select

from app.clock import china_today
from app.extensions import db
from app.models import AuditEvent, Complaint, ComplaintImport
from app.platform.auth import create_token
from app.prevention.work_order_sample import BAD_ROWS, SAMPLE, sample_csv
from tests.conftest import login


def upload(client: FlaskClient, token: str, name: str, content: bytes) -> tuple[int, str]:
    response = client.post(
        "/prevention/complaints",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    return response.status_code, response.get_data(as_text=True)


def stored(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(Complaint)).scalar_one()


def test_the_sample_file_is_imported_with_its_bad_rows_reported(
    app: Flask, client: FlaskClient
) -> None:
    token = login(client, "credit")
    before = stored(app)
    status, page = upload(client, token, "工单.csv", sample_csv(china_today()).encode())
    assert status == 200
    assert f'<strong id="accepted">{len(SAMPLE)}</strong>' in page
    assert f'<strong id="rejected">{len(BAD_ROWS)}</strong>' in page
    for reason in (
        "受理日期「2026-02-30」无法识别",
        "地区「北京市朝阳区」不是内蒙古的行政区划",
        "来源「12399」应为 12315 或 12345",
        "问题类型「心情不好」不在清单中",
        "地区「包头市」不在本单位辖区",
    ):
        assert reason in page, reason
    assert stored(app) == before + len(SAMPLE)
    with app.app_context():
        row = db.session.execute(
            select(Complaint).where(Complaint.enterprise_name == "土左旗某建材店")
        ).scalar_one()
        # normalized: the 旗县 and its 盟市, codes for domain and issue type
        assert (row.unit_code, row.domain, row.issue_type) == (
            "150100",
            "PRODUCT_QUALITY",
            "PRODUCT_QUALITY",
        )
        assert db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "import_complaints")
        ).first()
    # the same file again: every row is refused as already imported, nothing is added
    status, page = upload(client, token, "工单.csv", sample_csv(china_today()).encode())
    assert "该工单已导入过" in page and stored(app) == before + len(SAMPLE)


def test_xlsx_gbk_csv_and_excel_dates(app: Flask, client: FlaskClient) -> None:
    token = login(client, "credit")
    today = china_today()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["工单编号", "来源", "受理日期", "地区", "领域", "问题类型"])
    sheet.append(
        [202611001, 12315, dt.datetime.combine(today, dt.time()), "新城区", "食品", "食品安全"]
    )
    sheet.append(
        [
            "X2",
            "12345热线",
            f"{today.year}年{today.month}月{today.day}日",
            "150105",
            "价格",
            "PRICE",
        ]
    )
    sheet.append([None, None, None, None, None, None])  # a blank line is skipped, not refused
    content = io.BytesIO()
    book.save(content)
    status, page = upload(client, token, "orders.xlsx", content.getvalue())
    assert status == 200 and '<strong id="accepted">2</strong>' in page, page
    with app.app_context():
        assert db.session.execute(
            select(Complaint.order_no).where(Complaint.order_no == "202611001")
        ).scalar_one()
    gbk = "工单编号,来源,受理日期,地区,领域,问题类型\nG1,12315,2026/1/5,回民区,食品,食品安全\n"
    status, page = upload(client, token, "gbk.csv", gbk.encode("gb18030"))
    assert status == 200 and '<strong id="accepted">1</strong>' in page


def test_a_file_that_cannot_be_read_changes_nothing(app: Flask, client: FlaskClient) -> None:
    token = login(client, "credit")
    with app.app_context():
        imports = db.session.execute(select(func.count()).select_from(ComplaintImport)).scalar()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(201):  # 201 MB of zeros, about 200 KB packed
                member.write(bytes(1024 * 1024))
    for name, content, reason in [
        ("bomb.xlsx", bomb.getvalue(), "解压后过大"),
        ("orders.txt", b"x", "只接受 .csv 或 .xlsx 文件"),
        ("orders.csv", "工单编号,来源\nA,12315\n".encode(), "缺少列：受理日期"),
        ("orders.xlsx", b"PK\x03\x04 not a workbook", "无法读取 XLSX 文件"),
        ("orders.csv", b"", "文件是空的"),
    ]:
        status, page = upload(client, token, name, content)
        assert status == 422 and reason in page, (name, reason)
    with app.app_context():
        assert (
            db.session.execute(select(func.count()).select_from(ComplaintImport)).scalar()
            == imports
        )


def test_work_orders_arrive_through_the_events_api(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        bearer = create_token("credit", "12315 对接")
        db.session.commit()
    body = {
        "event_id": "orders-2026-11-24",
        "type": "work_orders",
        "payload": {
            "work_orders": [
                {
                    "order_no": "API-1",
                    "channel": "12315",
                    "received_on": china_today().isoformat(),
                    "region": "150102",
                    "domain": "FOOD",
                    "issue_type": "FOOD_SAFETY",
                },
                {"order_no": "API-2", "channel": "12315"},
            ]
        },
    }
    headers = {"Authorization": f"Bearer {bearer}"}
    first = client.post("/api/v1/events", json=body, headers=headers)
    answer = first.get_json()
    assert first.status_code == 201 and answer["accepted"] == 1, answer
    assert answer["rejected"][0]["order_no"] == "API-2" and answer["rejected"][0]["reasons"]
    again = client.post("/api/v1/events", json=body, headers=headers)
    assert again.get_json()["repeated"] is True and stored(app) >= 1
    with app.app_context():
        assert (
            db.session.execute(
                select(func.count()).select_from(Complaint).where(Complaint.order_no == "API-1")
            ).scalar()
            == 1
        )


def test_hotspots_rank_issues_and_regions_with_growth(app: Flask, client: FlaskClient) -> None:
    today = china_today()
    rows = "工单编号,来源,受理日期,地区,领域,问题类型,经营主体\n"
    for number in range(5):  # this period: five food complaints against one shop
        rows += (
            f"N{number},12315,{today - dt.timedelta(days=number)},新城区,食品,食品安全,鲜味烧烤店\n"
        )
    for number in range(2):  # the period before: two
        rows += f"P{number},12315,{today - dt.timedelta(days=100 + number)},新城区,食品,食品安全,\n"
    rows += f"Q1,12345,{today},赛罕区,价格,价格欺诈,\n"
    token = login(client, "credit")
    status, _ = upload(client, token, "h.csv", rows.encode())
    assert status == 200
    page = client.get("/prevention/hotspots?days=90").get_data(as_text=True)
    cells = '<td class="number">{}</td><td class="number">{}</td><td class="number">{}</td>'
    assert '<tr data-key="FOOD_SAFETY"><td>食品安全</td>' + cells.format(5, 2, "+150%") in page
    assert '<tr data-key="PRICE"><td>价格违法</td>' + cells.format(1, 0, "新增") in page
    assert '<tr data-key="150100"><td>呼和浩特市</td><td class="number">6</td>' in page
    assert "鲜味烧烤店" in page and "食品安全 5" in page  # a frequent target
    assert '<svg class="chart"' in page


def test_who_may_import_and_see(app: Flask, client: FlaskClient) -> None:
    token = login(client, "officer")
    assert client.get("/prevention/hotspots").status_code == 403
    status, _ = upload(client, token, "x.csv", b"a")
    assert status == 403
    other = client.application.test_client()
    login(other, "supervisor")
    assert other.get("/prevention/hotspots").status_code == 200
    assert other.get("/prevention/complaints").status_code == 403


def _workbook_with(parts: dict[str, bytes]) -> bytes:
    """A real workbook written by openpyxl, with some of its parts replaced (or added)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["工单编号", "来源", "受理日期", "地区", "领域", "问题类型"])
    sheet.append(["H1", "12315", "2026-11-02", "新城区", "食品", "食品安全"])
    written = io.BytesIO()
    book.save(written)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(written) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            target.writestr(name, parts.get(name, source.read(name)))
        for name in parts.keys() - set(source.namelist()):
            target.writestr(name, parts[name])
    return out.getvalue()


def _shared_strings(count: int, declared: int) -> bytes:
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    items = b"<si><t>s</t></si>" * count  # alike, so the upload stays small: each one counts
    return b'<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>' % (
        main,
        declared,
        declared,
        items,
    )


def _sheet(dimension: str, rows: int) -> bytes:
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    body = b"<row><c><v>1</v></c></row>" * rows
    return b'<worksheet xmlns="%s"><dimension ref="%s"/><sheetData>%s</sheetData></worksheet>' % (
        main,
        dimension.encode(),
        body,
    )


_BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(b'<!ENTITY %c "%s">' % (98 + n, b"&%c;" % (97 + n) * 10) for n in range(8))
    + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    + b"<si><t>&i;</t></si></sst>"
)


def test_hostile_xlsx_is_refused_before_openpyxl_builds_it(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 31 item 5: 7.5 M shared strings held a worker for 141 s and 1.4 GB, and a DTD was
    a 500. Each bound is read by the streaming check (the reason names it); nothing is stored."""
    token = login(client, "credit")
    with app.app_context():
        imports = db.session.execute(select(func.count()).select_from(ComplaintImport)).scalar()
    strings = "xl/sharedStrings.xml"
    sheet = "xl/worksheets/sheet1.xml"
    over = 200_001  # IMPORT_MAX_SHARED_STRINGS + 1
    for parts, reason in [
        ({strings: _shared_strings(3, over)}, "超过 200000 个不同的文本"),  # as declared
        ({strings: _shared_strings(over, 1)}, "超过 200000 个不同的文本"),  # counted
        ({strings: _BILLION_LAUGHS}, "DTD 或实体声明"),
        ({"xl/workbook.xml": b'<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>'}, "DTD 或实体声明"),
        ({sheet: _sheet("A1:F1048576", 1)}, "工作表超过 50000 行或 1000000 个单元格"),
        ({sheet: _sheet("A1:A2", 50_002)}, "工作表超过 50000 行"),  # the dimension lied
        ({sheet: _sheet("A1:", 1)}, "工作表的范围「A1:」无法识别"),
        ({sheet: b"<worksheet><sheetData><row></sheetData>"}, "XML 格式有误"),
        ({"xl/workbook.xml": b"<x/>"}, "无法读取 XLSX 文件"),  # openpyxl's own error
    ]:
        status, page = upload(client, token, "orders.xlsx", _workbook_with(parts))
        shown = page[page.find("import-error") :][:300]
        assert status == 422 and reason in page, (reason, shown)
        assert 'id="import-error"' in page  # the import form again, with the reason
    monkeypatch.setitem(app.config, "IMPORT_MAX_SHARED_STRING_BYTES", 2 * 1024 * 1024)
    status, page = upload(
        client, token, "orders.xlsx", _workbook_with({strings: _shared_strings(150_000, 3)})
    )
    assert status == 422 and "文本（共享字符串）解压后超过 2 MB" in page  # 2.5 MB of XML
    monkeypatch.setitem(app.config, "IMPORT_MAX_SECONDS", 0)  # the deadline, while reading
    status, page = upload(client, token, "orders.xlsx", _workbook_with({}))
    assert status == 422 and "读取文件超过 0 秒" in page
    with app.app_context():
        assert (
            db.session.execute(select(func.count()).select_from(ComplaintImport)).scalar()
            == imports
        )
