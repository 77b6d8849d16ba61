"""The generated access matrix: every route of the URL map × every demo role × an object of the
user's own region and one of another region, each with the answer the rules give — allowed
(anything but 401/403/404 and never a server error) or denied (403, or 404 where an object that
is not yours is not shown at all). The expectation is computed here from the declared roles, the
task's lane, the object's region and its owner, independently of the app's own scope helpers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.demo.seed import DEMO_ACCOUNTS
from app.enforcement.attachments import add_attachment
from app.enforcement.case_search import save_filter
from app.extensions import db
from app.models import Case, Document, Enterprise, HumanTask, User
from app.platform.auth import create_token
from tests.conftest import SqliteTemplate, _app_on, csrf_token, login
from tests.figures import count

PROVINCE = "150000"
OWN, OTHER = "1501", "1502"  # 呼和浩特 (most demo accounts) and 包头 (officer_bt)
# Not in the matrix: public views (no rule to check) and logout (it ends the session the matrix
# runs in; tests/integration/test_auth.py covers it).
SKIPPED = {"static", "auth.login", "auth.logout", "home.set_language", "home.health"}
SKIPPED |= {"api.openapi", "api.docs"}
MISSING = 999_999  # ids of objects that do not exist: only the role rule can apply


@dataclass(frozen=True)
class Subject:
    """What a URL's parameters point at, and what makes it someone's: its region, its lane
    (tasks), its owner (saved filters)."""

    values: dict[str, object]
    region: str | None = None
    lane: str | None = None
    owner: str | None = None


def _first(query: object) -> int:
    found = db.session.execute(query).scalars().first()  # type: ignore[call-overload]
    assert found is not None, query
    return int(found)


def _subjects(region: str) -> dict[str, Subject]:
    """Per region-bound parameter, an object in `region`."""
    case_id = _first(
        select(Case.id)
        .join(Document, Document.case_id == Case.id)
        .where(Case.region_code.like(f"{region}%"))
        .order_by(Case.id)
    )
    case = db.session.get(Case, case_id)
    assert case is not None
    officer = db.session.execute(
        select(User).where(User.username == ("officer" if region == OWN else "officer_bt"))
    ).scalar_one()
    attachment = add_attachment(
        case_id, "现场照片.pdf", io.BytesIO(b"%PDF-1.7\n" + "证据".encode()), officer
    )
    task = (
        db.session.execute(
            select(HumanTask)
            .where(
                HumanTask.state == "READY",
                HumanTask.lane == "officer",
                HumanTask.region_code.like(f"{region}%"),
            )
            .order_by(HumanTask.id)
        )
        .scalars()
        .first()
    )
    assert task is not None
    document = _first(select(Document.id).where(Document.case_id == case_id).order_by(Document.id))
    enterprise = _first(
        select(Enterprise.id)
        .where(Enterprise.region_code.like(f"{region}%"))
        .order_by(Enterprise.id)
    )
    return {
        "case_id": Subject({"case_id": case_id, "code": "WARNING_NOTICE"}, case.region_code),
        "task_id": Subject({"task_id": task.id}, task.region_code, lane=task.lane),
        "document_id": Subject({"document_id": document}, case.region_code),
        "attachment_id": Subject({"attachment_id": attachment.id}, case.region_code),
        "enterprise_id": Subject({"enterprise_id": enterprise}, region),
    }


def _covers(user_region: str, object_region: str) -> bool:
    return user_region == PROVINCE or object_region.startswith(user_region[:4])


@dataclass
class Account:
    username: str
    region: str
    roles: frozenset[str]
    token: str = ""


@pytest.fixture
def matrix_app(sqlite_gallery_template: SqliteTemplate, tmp_path: Path) -> Iterator[Flask]:
    """The demo gallery (cases, tasks and documents in several 盟市), on SQLite: the rules do
    not depend on the database."""
    url = sqlite_gallery_template.new_database()
    yield from _app_on(url)
    sqlite_gallery_template.drop(url)


def test_every_route_role_and_region_answers_as_the_rules_say(
    matrix_app: Flask, tmp_path: Path
) -> None:
    app = matrix_app
    app.config.update(UPLOAD_FOLDER=str(tmp_path))
    with app.app_context():
        region_subjects = {OWN: _subjects(OWN), OTHER: _subjects(OTHER)}
        officer = db.session.execute(select(User).where(User.username == "officer")).scalar_one()
        saved = save_filter(officer, "我的筛选", {"q": "乳业"})
        owned = {"filter_id": Subject({"filter_id": saved.id}, owner="officer")}
        accounts = [
            Account(username, region, frozenset({role.value}), create_token(username, "matrix"))
            for username, _, region, role in DEMO_ACCOUNTS
        ]
        db.session.commit()
    fixed: dict[str, object] = {
        "decision_id": "fine_band",
        "process_id": "enforcement_case",
        "key": "rates",
        "fmt": "csv",
        "code": "WARNING_NOTICE",
    }
    denials = allowances = 0
    wrong: list[str] = []
    for account in accounts:
        client = app.test_client()
        token = login(client, account.username)
        for rule in app.url_map.iter_rules():
            if rule.endpoint in SKIPPED:
                continue
            declared: frozenset[str] = app.view_functions[rule.endpoint].access_roles  # type: ignore[union-attr]
            role_ok = not declared or bool(declared & account.roles)
            bound = [name for name in rule.arguments if name in region_subjects[OWN]]
            if bound:
                cases = [region_subjects[OWN][bound[0]], region_subjects[OTHER][bound[0]]]
            elif "filter_id" in rule.arguments:
                cases = [owned["filter_id"]]
            else:
                cases = [Subject({})]
            for subject in cases:
                values = {
                    name: subject.values.get(name, fixed.get(name, MISSING))
                    for name in rule.arguments
                }
                path = app.url_map.bind("localhost").build(rule.endpoint, values)
                allowed = (
                    role_ok
                    and (subject.region is None or _covers(account.region, subject.region))
                    and (subject.lane is None or subject.lane in account.roles)
                    and (subject.owner is None or subject.owner == account.username)
                )
                for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                    status = _send(client, path, method, token, account.token)
                    if allowed:
                        allowances += 1
                        fine = status < 500 and status not in (401, 403)
                        fine = fine and not (status == 404 and MISSING not in values.values())
                    else:
                        denials += 1
                        fine = status in (403, 404)
                    if not fine:
                        expected = "allow" if allowed else "deny"
                        wrong.append(f"{account.username} {method} {path}: {status}, {expected}")
    count("denials_checked", denials)
    count("allowances_checked", allowances)
    assert wrong == [], "\n".join(wrong)
    assert denials > 300 and allowances > 300  # the matrix really ran


def _send(client: FlaskClient, path: str, method: str, csrf: str, bearer: str) -> int:
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {bearer}"}
        sent = (
            client.get(path, headers=headers)
            if method == "GET"
            else client.post(path, json={}, headers=headers)
        )
    elif method == "GET":
        sent = client.get(path)
    else:
        sent = client.post(path, data={"csrf_token": csrf})
    with sent as response:  # closes streamed files (attachments, PDFs)
        return response.status_code


def test_the_csrf_token_of_the_matrix_is_the_sessions(matrix_app: Flask) -> None:
    """The matrix posts with the session's token: without it, or with a forged one, every form
    post is refused first (a 400 there would hide the role rule — this shows the token it uses
    is accepted)."""
    client = matrix_app.test_client()
    login(client, "officer")
    assert client.post("/cases/filters", data={"name": "x"}).status_code == 400
    forged = {"csrf_token": "IjEyMyI.forged.token", "name": "x"}
    assert client.post("/cases/filters", data=forged).status_code == 400
    token = csrf_token(client, "/cases/")
    assert client.post("/cases/filters", data={"csrf_token": token, "name": "x"}).status_code != 400
