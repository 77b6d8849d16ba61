"""API tokens (issue 31 item 4): nobody mints a token in another person's name, what a token does
is recorded with the token and its creator, tokens expire, and only their owner ends them."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from app import database
from app.clock import travel_to, utcnow
from app.enforcement.cases import start_case
from app.extensions import db
from app.models import ApiToken, AuditEvent, Enterprise, User
from app.platform.audit import record, verify_chain
from app.platform.auth import create_integration_account, create_token, create_user
from tests.conftest import csrf_token, login
from tests.integration.cases import account
from tests.integration.test_audit_chain import lift_append_only
from tests.integration.test_cli import run

ISSUED = re.compile(r'<code class="secret">(tjn_[^<]+)</code>')


def own_token(
    app: Flask, client: FlaskClient, username: str, name: str = "对接测试"
) -> tuple[str, int]:
    """The user logs in and creates a token for themselves on the tokens screen."""
    csrf = login(client, username)
    page = client.post("/supervision/tokens/mine", data={"csrf_token": csrf, "name": name})
    assert page.status_code == 200, page.get_data(as_text=True)
    issued = ISSUED.search(page.get_data(as_text=True))
    assert issued
    with app.app_context():
        token_id = db.session.execute(select(func.max(ApiToken.id))).scalar_one()
    return issued.group(1), token_id


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_count() -> int:
    return int(db.session.execute(select(func.count()).select_from(ApiToken)).scalar_one())


def assessment_task(app: Flask, client: FlaskClient, headers: dict[str, str]) -> int:
    """A new risk-warning case's first task (信用监管 assesses the risk), its id in the API."""
    with app.app_context():
        enterprise = (
            db.session.execute(select(Enterprise).order_by(Enterprise.id)).scalars().first()
        )
        assert enterprise is not None
        officer = account("officer")
        case_id = start_case(officer, "enforcement_case", enterprise.id, "冷链风险", "WARNING").id
    tasks = client.get("/api/v1/tasks", headers=headers).get_json()["tasks"]
    return int(
        next(t["id"] for t in tasks if t["case_id"] == case_id and t["bpmn_id"] == "a_assess")
    )


def complete_assessment(app: Flask, client: FlaskClient, headers: dict[str, str]) -> AuditEvent:
    """Completes it with the token; the audit entry of the completion."""
    task_id = assessment_task(app, client, headers)
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=headers).status_code == 200
    answer = client.post(
        f"/api/v1/tasks/{task_id}/complete",
        json={"situation": "INDIVIDUAL_RISK", "risk_summary": "冷链"},
        headers=headers,
    )
    assert answer.status_code == 200, answer.get_json()
    with app.app_context():
        last = select(AuditEvent).where(AuditEvent.action == "complete_task")
        entry = db.session.execute(last.order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
        db.session.expunge(entry)
    return entry


def test_admin_mints_a_token_for_another_user_is_refused(app: Flask, client: FlaskClient) -> None:
    """The finding: an admin issued a token for agency_head and acted as them."""
    csrf = login(client, "admin")
    with app.app_context():
        before = token_count()
    answer = client.post(
        "/supervision/tokens",
        data={"csrf_token": csrf, "username": "agency_head", "name": "x", "reason": "测试"},
    )
    assert answer.status_code == 403
    page = answer.get_data(as_text=True)
    assert "只能为集成账号签发令牌" in page and "tjn_" not in page
    with app.app_context():
        assert token_count() == before
        issued = select(func.count()).where(AuditEvent.action == "issue_token")
        assert db.session.execute(issued).scalar_one() == 0
    other = app.test_client()
    csrf = login(other, "agency_head")  # nor may anyone but an admin issue
    denied = other.post(
        "/supervision/tokens",
        data={"csrf_token": csrf, "username": "agency_head", "name": "x", "reason": "测试"},
    )
    assert denied.status_code == 403
    with app.app_context():
        assert token_count() == before


def test_a_completion_with_a_token_records_the_token_and_its_creator(
    app: Flask, client: FlaskClient
) -> None:
    token, token_id = own_token(app, client, "credit")
    entry = complete_assessment(app, client, bearer(token))
    assert (entry.actor_name, entry.token_id, entry.token_creator) == ("credit", token_id, "credit")
    with app.app_context():
        opened = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "open_case")
        ).scalars()
        assert all(e.token_id is None for e in opened)  # made in process, not with a token
        created = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "create_token")
        ).scalar_one()
        assert (created.actor_name, created.detail["token_id"]) == ("credit", token_id)
        assert verify_chain().intact
    admin = app.test_client()
    login(admin, "admin")
    audit_page = admin.get("/supervision/audit?action=complete_task").get_data(as_text=True)
    assert f"经接口令牌 #{token_id}（令牌创建人：credit）" in audit_page


def test_an_integration_token_names_the_admin_who_issued_it_and_the_reason(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        create_integration_account(
            "xinyong_platform", "信用平台接口", "150100", ["credit_officer"], "信用平台推送风险研判"
        )
        before = token_count()
    csrf = login(client, "admin")
    form = {"csrf_token": csrf, "username": "xinyong_platform", "name": "信用平台"}
    no_reason = client.post("/supervision/tokens", data={**form, "reason": " "})
    assert no_reason.status_code == 422 and "请填写签发理由" in no_reason.get_data(as_text=True)
    with app.app_context():
        assert token_count() == before
    page = client.post("/supervision/tokens", data={**form, "reason": "信用平台对接，工单 42"})
    assert page.status_code == 200
    issued = ISSUED.search(page.get_data(as_text=True))
    assert issued
    entry = complete_assessment(app, client, bearer(issued.group(1)))
    assert (entry.actor_name, entry.token_creator) == ("xinyong_platform", "admin")
    with app.app_context():
        issue = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "issue_token")
        ).scalar_one()
        assert issue.actor_name == "admin" and issue.detail["reason"] == "信用平台对接，工单 42"
        assert issue.detail["token_id"] == entry.token_id
        made = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "create_integration_account")
        ).scalar_one()
        assert made.detail["reason"] == "信用平台推送风险研判"
        assert account("xinyong_platform").is_integration
    listing = client.get("/supervision/tokens").get_data(as_text=True)
    assert "信用平台接口（xinyong_platform）" in listing and issued.group(1) not in listing


def test_an_admin_of_another_region_cannot_issue_or_revoke_an_integration_token(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        create_integration_account("hs_portal", "呼市接口", "150100", ["officer"], "对接")
        create_user("admin_bt", "admin-bt-password", "包头管理员", "150200", ["admin"])
        token = create_token("hs_portal", "existing")
        token_id = db.session.execute(select(func.max(ApiToken.id))).scalar_one()
        before = token_count()
    csrf = login(client, "admin_bt", "admin-bt-password")
    assert "hs_portal" not in client.get("/supervision/tokens").get_data(as_text=True)
    answer = client.post(
        "/supervision/tokens",
        data={"csrf_token": csrf, "username": "hs_portal", "name": "x", "reason": "对接"},
    )
    assert answer.status_code == 403 and "其他地区" in answer.get_data(as_text=True)
    revoke = client.post(f"/supervision/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert revoke.status_code == 403
    with app.app_context():
        assert token_count() == before
    assert client.get("/api/v1/processes", headers=bearer(token)).status_code == 200


def test_an_expired_token_is_refused(app: Flask, client: FlaskClient) -> None:
    token, _ = own_token(app, client, "officer")
    created = utcnow()
    with travel_to(created + dt.timedelta(days=89)):
        assert client.get("/api/v1/processes", headers=bearer(token)).status_code == 200
    with travel_to(created + dt.timedelta(days=90, minutes=1)):
        answer = client.get("/api/v1/processes", headers=bearer(token))
    assert answer.status_code == 401
    assert answer.get_json()["error"] == "unauthorized" and "已过期" in answer.get_json()["message"]
    app.config["API_TOKEN_LIFETIME_DAYS"] = 7  # the setting decides the lifetime
    short, token_id = own_token(app, client, "officer", "短期")
    with app.app_context():
        expires = db.session.get(ApiToken, token_id).expires_at  # type: ignore[union-attr]
        assert dt.timedelta(days=7) - (expires - utcnow()) < dt.timedelta(minutes=1)
    with travel_to(expires + dt.timedelta(seconds=1)):
        assert client.get("/api/v1/processes", headers=bearer(short)).status_code == 401


def test_a_revoked_token_is_refused(app: Flask, client: FlaskClient) -> None:
    token, token_id = own_token(app, client, "officer")
    assert client.get("/api/v1/processes", headers=bearer(token)).status_code == 200
    csrf = login(client, "officer")
    revoked = client.post(f"/supervision/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 303
    answer = client.get("/api/v1/processes", headers=bearer(token))
    assert answer.status_code == 401 and "已吊销" in answer.get_json()["message"]
    again = client.post(f"/supervision/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert again.status_code == 409
    without_csrf = client.post(f"/supervision/tokens/{token_id}/revoke")
    assert without_csrf.status_code == 400


def test_another_user_cannot_revoke_someone_elses_token(app: Flask, client: FlaskClient) -> None:
    token, token_id = own_token(app, client, "officer")
    for other_name in ("unit_head", "admin"):  # an admin neither: not an integration account
        other = app.test_client()
        csrf = login(other, other_name)
        listing = other.get("/supervision/tokens").get_data(as_text=True)
        assert f"/supervision/tokens/{token_id}/revoke" not in listing
        answer = other.post(f"/supervision/tokens/{token_id}/revoke", data={"csrf_token": csrf})
        assert answer.status_code == 403 and "只能吊销本人的令牌" in answer.get_data(as_text=True)
    assert client.get("/api/v1/processes", headers=bearer(token)).status_code == 200
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None  # type: ignore[union-attr]


def test_the_owner_lists_their_tokens_without_the_secret(app: Flask, client: FlaskClient) -> None:
    token, token_id = own_token(app, client, "officer", "移动执法终端")
    with app.app_context():
        create_token("unit_head", "someone else's")
    page = client.get("/supervision/tokens").get_data(as_text=True)
    assert "从未使用" in page and "移动执法终端" in page and "someone else" not in page
    client.get("/api/v1/processes", headers=bearer(token))
    page = client.get("/supervision/tokens").get_data(as_text=True)
    assert token not in page and token[:12] in page
    assert "从未使用" not in page
    for label in ("创建时间", "创建人", "最近使用", "到期时间"):
        assert label in page
    with app.app_context():
        row = db.session.get(ApiToken, token_id)
        assert row is not None and row.last_used_at is not None
        assert row.token_hash != token and token[4:] not in row.token_hash  # stored hashed
    anonymous = app.test_client().get("/supervision/tokens")
    assert anonymous.status_code == 302  # to the login


def test_a_changed_token_attribution_breaks_the_chain(
    app: Flask, client: FlaskClient, backend: str
) -> None:
    token, _ = own_token(app, client, "credit")
    entry = complete_assessment(app, client, bearer(token))
    seq, entry_id = entry.seq, entry.id
    with app.app_context():
        lift_append_only(backend)
        db.session.execute(
            text("UPDATE audit_event SET token_creator = 'agency_head' WHERE id = :id"),
            {"id": entry_id},
        )
        db.session.commit()
        report = verify_chain()
    assert not report.intact
    assert f"第 {seq} 条（id {entry_id}）的内容与其哈希不符（被修改）" in report.problems


def test_tokens_made_before_0036_expire_and_name_the_admin_who_issued_them(app: Flask) -> None:
    """The upgrade: existing tokens get 90 days from the upgrade; one an admin issued on the old
    screen names that admin (read from the audit trail); old entries keep verifying."""
    with app.app_context():
        create_token("officer", "cli-made")
        create_token("credit", "admin-made")
        issued = db.session.execute(
            select(ApiToken).where(ApiToken.name == "admin-made")
        ).scalar_one()
        # the entries the old screen wrote for it
        record("create_token", "user", issued.user_id, actor_name="cli", token_prefix=issued.prefix)
        record("issue_token", "user", "credit", actor=account("admin"), name="admin-made")
        db.session.commit()
        admin_id = account("admin").id
        db.session.close()
        database.downgrade("0034")
        database.upgrade()
        rows = {t.name: t for t in db.session.execute(select(ApiToken)).scalars()}
        assert rows["admin-made"].created_by_id == admin_id
        assert rows["cli-made"].created_by_id is None
        for row in rows.values():
            left = row.expires_at - utcnow()
            assert dt.timedelta(days=89) < left <= dt.timedelta(days=90)
        assert verify_chain().intact


def test_an_integration_account_is_made_on_the_command_line_with_a_reason(
    app: Flask, client: FlaskClient
) -> None:
    base = ["create-integration-account", "bank_gw", "--name", "银行缴款接口", "--region", "150100"]
    code, output = run(app, *base, "--role", "officer")
    assert code == 2 and "--reason" in output  # no reason, no account
    code, output = run(app, *base, "--role", "agency_head", "--reason", "缴款确认")
    assert code == 1 and "集成账号不能担任须由本人履职的岗位：机关负责人" in output
    with app.app_context():
        assert db.session.execute(select(User).where(User.username == "bank_gw")).first() is None
    code, output = run(app, *base, "--role", "officer", "--reason", "缴款确认")
    assert code == 0, output
    with app.app_context():
        made = account("bank_gw")
        assert made.is_integration and made.role_names == {"officer"}
    csrf = csrf_token(client)  # nobody logs in with it: its password was never shown
    for password in ("", "demo", "bank_gw"):
        answer = client.post(
            "/login", data={"csrf_token": csrf, "username": "bank_gw", "password": password}
        )
        assert answer.status_code != 302
