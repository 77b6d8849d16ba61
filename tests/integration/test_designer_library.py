"""The process library page: versions with their authors, notes and running cases; downloads;
uploads validated as a whole before they become a new version — and refused, with nothing
changed, when they are malformed or malicious."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from app.clock import china_today
from app.extensions import db
from app.models import AuditEvent, Case, ProcessVersion, WorkflowBundle
from app.platform.parameters import run_context
from tests.conftest import login
from tests.integration.cases import warning_case

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
STAGE_A = (WORKFLOWS / "processes" / "stage_a_warning.bpmn").read_text(encoding="utf-8")


def post_files(
    client: FlaskClient, token: str, files: list[tuple[str, bytes]], note: str = ""
) -> tuple[int, str]:
    builder = EnvironBuilder(
        path="/designer/upload",
        method="POST",
        data={
            "csrf_token": token,
            "note": note,
            "files": [(io.BytesIO(content), name) for name, content in files],
        },
        content_type="multipart/form-data",
    )
    environ = builder.get_environ()
    try:  # a large body is spooled to a temporary file the test client would leave open
        response = client.open(environ)
        return response.status_code, response.get_data(as_text=True)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def active_main(app: Flask) -> tuple[int, str]:
    with app.app_context():
        version = db.session.execute(
            select(ProcessVersion).where(
                ProcessVersion.process_id == "enforcement_case", ProcessVersion.is_active
            )
        ).scalar_one()
        return version.id, version.bundle_hash


def bundles(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(WorkflowBundle)).scalar_one()


def test_the_library_lists_versions_running_cases_and_serves_the_files(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        warning_case()
        version_id, bundle = active_main(app)
        running = db.session.execute(
            select(func.count(Case.id)).where(
                Case.status == "OPEN", Case.process_version_id == version_id
            )
        ).scalar_one()
    login(client, "designer")
    page = client.get("/designer/").get_data(as_text=True)
    assert 'data-process="enforcement_case" data-version="1" class="active"' in page
    row = page.split('data-process="enforcement_case" data-version="1"')[1].split("</tr>")[0]
    assert f'<td class="number">{running}</td>' in row and running > 0
    assert "fine_band" in page and "punish_or_not" in page  # the decisions
    download = client.get(f"/designer/bundles/{bundle}/processes/stage_a_warning.bpmn")
    assert download.status_code == 200 and download.get_data(as_text=True) == STAGE_A
    assert client.get(f"/designer/bundles/{bundle}/../../etc/passwd").status_code == 404


def test_an_uploaded_change_becomes_a_new_version_and_running_cases_stay(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        running = warning_case()
    old_version, old_bundle = active_main(app)
    token = login(client, "designer")
    changed = STAGE_A.replace(
        'name="研判风险并选择指导措施"', 'name="研判风险并选择指导措施（新）"'
    )
    assert changed != STAGE_A
    status, _ = post_files(client, token, [("stage_a_warning.bpmn", changed.encode())], "改名")
    assert status == 303
    new_version, new_bundle = active_main(app)
    assert new_bundle != old_bundle and new_version != old_version
    with app.app_context():
        assert db.session.get(Case, running).process_version_id == old_version  # type: ignore[union-attr]
        stored = db.session.get(WorkflowBundle, new_bundle)
        assert stored is not None and stored.files["processes/stage_a_warning.bpmn"] == changed
        assert stored.note == "改名"
        started = warning_case()
        assert db.session.get(Case, started).process_version_id == new_version  # type: ignore[union-attr]
        deployed_by = db.session.execute(
            select(AuditEvent.actor_name)
            .where(AuditEvent.action == "deploy_process")
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        ).scalar_one()
    assert deployed_by == "designer"
    page = client.get("/designer/").get_data(as_text=True)
    assert 'data-process="enforcement_case" data-version="2" class="active"' in page
    compared = client.get(f"/designer/diff/{old_bundle}/{new_bundle}").get_data(as_text=True)
    changed_rows = compared.split('id="diff-changed"')[1].split("</table>")[0]
    assert "a_assess" in changed_rows and changed_rows.count("<tr>") == 2  # header + the task
    assert compared.split('id="diff-added"')[1].split("</table>")[0].count("<code>") == 0


def test_a_changed_threshold_shows_as_the_changed_rule(app: Flask, client: FlaskClient) -> None:
    _, old_bundle = active_main(app)
    token = login(client, "designer")
    table = (WORKFLOWS / "decisions" / "fine_band.dmn").read_text(encoding="utf-8")
    rule = table.split('<rule id="fine_band_r2">')[1].split("</rule>")[0]
    changed = table.replace(rule, rule.replace("fine_max", "fine_max * 0.9", 1), 1)
    assert changed != table
    status, _ = post_files(client, token, [("fine_band.dmn", changed.encode())], "调整幅度")
    assert status == 303
    _, new_bundle = active_main(app)
    compared = client.get(f"/designer/diff/{old_bundle}/{new_bundle}").get_data(as_text=True)
    changed_rows = compared.split('id="diff-changed"')[1].split("</table>")[0]
    assert "fine_band_r2" in changed_rows and changed_rows.count("<tr>") == 2


STRAY = '<bpmn:scriptTask id="stray" name="孤立"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>'
XXE = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>'
LAUGHS = '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]><l>&b;</l>'


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("stage_a_warning.bpmn", XXE.encode(), "DTD"),
        ("stage_a_warning.bpmn", LAUGHS.encode(), "DTD"),
        ("huge.bpmn", b"<x>" + b" " * (5 * 1024 * 1024) + b"</x>", "5 MB"),
        ("stage_a_warning.bpmn", "<x>证据</x>".encode("gb18030"), "UTF-8"),
        ("run.py", b"print(1)", ".bpmn"),
        ("../stage_a_warning.bpmn", STAGE_A.encode(), "路径"),
        ("stage_a_warning.bpmn", b"<bpmn:definitions", "XML"),
        (
            "stage_a_warning.bpmn",
            STAGE_A.replace('value="warning.issue"', 'value="no.such.form"').encode(),
            "no.such.form",
        ),
        (
            "stage_a_warning.bpmn",
            STAGE_A.replace("</bpmn:process>", STRAY + "</bpmn:process>", 1).encode(),
            "不可达",
        ),
        (
            "stage_a_warning.bpmn",
            STAGE_A.replace(
                'a_result = "CLOSED"', "a_result = __import__(&apos;os&apos;)"
            ).encode(),
            "__import__",
        ),
    ],
)
def test_a_malformed_or_malicious_upload_is_refused_and_nothing_changes(
    app: Flask, client: FlaskClient, name: str, content: bytes, reason: str
) -> None:
    before, count = active_main(app), bundles(app)
    token = login(client, "designer")
    status, page = post_files(client, token, [(name, content)])
    assert status == 422
    assert "未部署，当前版本继续运行" in page and reason in page
    assert active_main(app) == before and bundles(app) == count


def test_only_designers_and_admins_change_models(app: Flask, client: FlaskClient) -> None:
    token = login(client, "supervisor")
    assert client.get("/designer/").status_code == 200  # may read
    assert "upload-form" not in client.get("/designer/").get_data(as_text=True)
    status, _ = post_files(client, token, [("stage_a_warning.bpmn", STAGE_A.encode())])
    assert status == 403
    other = client.application.test_client()
    login(other, "officer")
    assert other.get("/designer/").status_code == 403


def test_a_designer_changes_a_deadline_from_a_date_on_and_new_deadlines_use_it(
    app: Flask, client: FlaskClient
) -> None:
    today = china_today()
    token = login(client, "designer")
    page = client.get("/designer/parameters").get_data(as_text=True)
    assert 'id="RECTIFY_DEFAULT_WD"' in page
    refused = client.post(
        "/designer/parameters",
        data={
            "csrf_token": token,
            "key": "RECTIFY_DEFAULT_WD",
            "value": "七",
            "effective_from": (today - dt.timedelta(days=1)).isoformat(),
            "tag": "D",
            "note": "",
        },
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "生效日期不能早于今天" in text and "此项必填" in text
    changed = client.post(
        "/designer/parameters",
        data={
            "csrf_token": token,
            "key": "RECTIFY_DEFAULT_WD",
            "value": "7",
            "effective_from": today.isoformat(),
            "tag": "D",
            "note": "局务会决定缩短默认整改期限",
        },
    )
    assert changed.status_code == 303
    row = (
        client.get("/designer/parameters")
        .get_data(as_text=True)
        .split('id="RECTIFY_DEFAULT_WD"')[1]
    )
    assert '<td class="number">7</td>' in row.split("</tr>")[0]
    assert "局务会决定缩短默认整改期限" in row.split("</tr>")[0]
    with app.app_context():
        assert run_context().parameters["RECTIFY_DEFAULT_WD"] == 7
        who = db.session.execute(
            select(AuditEvent.actor_name).where(AuditEvent.action == "set_parameter")
        ).scalar_one()
    assert who == "designer"
    wrong_kind = client.post(
        "/designer/parameters",
        data={
            "csrf_token": token,
            "key": "RECTIFY_DEFAULT_WD",
            "value": "七",
            "effective_from": today.isoformat(),
            "tag": "D",
            "note": "试",
        },
    )
    assert wrong_kind.status_code == 422 and "值类型不符" in wrong_kind.get_data(as_text=True)
    officer = client.application.test_client()
    officer_token = login(officer, "officer")
    assert officer.get("/designer/parameters").status_code == 403
    assert (
        officer.post("/designer/parameters", data={"csrf_token": officer_token}).status_code == 403
    )
