"""经营主体 registration refuses bad credit codes and enumerations and stores nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.enforcement.enterprises import register_enterprise
from app.extensions import db
from app.models import AuditEvent, Enterprise
from app.platform import InvalidInput
from tests.conftest import login

VALID = ("914403001922038216", "测试科技有限公司", "LEGAL_PERSON", "FOOD", "B", "150102")


def counts() -> tuple[int, int]:
    return (
        db.session.execute(select(func.count()).select_from(Enterprise)).scalar_one(),
        db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
    )


def test_valid_enterprise_is_stored_and_audited(app: Flask) -> None:
    with app.app_context():
        before = counts()
        enterprise = register_enterprise(*VALID)
        assert enterprise.credit_code == VALID[0]
        assert counts() == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize(
    ("index", "value", "reason"),
    [
        (0, "914403001922038217", "校验位"),
        (0, "91440300192203821", "18 位"),
        (2, "COMPANY", "主体类型"),
        (3, "FOOD_AND_DRINK", "监管领域"),
        (4, "E", "信用风险分类"),
        (5, "990000", "未知区域"),
    ],
)
def test_invalid_enterprise_changes_nothing(
    app: Flask, index: int, value: str, reason: str
) -> None:
    fields = list(VALID)
    fields[index] = value
    with app.app_context():
        before = counts()
        with pytest.raises(InvalidInput, match=reason):
            register_enterprise(*fields)
        db.session.rollback()
        assert counts() == before


def test_duplicate_credit_code_is_refused(app: Flask) -> None:
    with app.app_context():
        register_enterprise(*VALID)
        with pytest.raises(InvalidInput, match="已登记"):
            register_enterprise(*VALID)


def test_the_registration_province_is_corrected_on_its_screen(
    app: Flask, client: FlaskClient
) -> None:
    """登记地 in Chinese on the page; the form refuses an unknown province with 422 and changes
    nothing, then stores the choice with an audit entry; a 包头 officer may not open it."""
    with app.app_context():
        enterprise = db.session.execute(
            select(Enterprise).where(Enterprise.region_code == "150102")
        ).scalar_one()
        enterprise_id, address = enterprise.id, enterprise.address
        assert enterprise.registration_province == "150000"
    token = login(client, "officer")
    page = client.get(f"/enterprises/{enterprise_id}").get_data(as_text=True)
    assert "内蒙古自治区" in page and "150000" not in page
    form = client.get(f"/enterprises/{enterprise_id}/edit").get_data(as_text=True)
    assert "湖北省" in form and "登记地" in form
    with app.app_context():
        before = counts()
    posted = {"csrf_token": token, "registration_province": "990000", "address": "x"}
    refused = client.post(f"/enterprises/{enterprise_id}/edit", data=posted)
    assert refused.status_code == 422
    with app.app_context():
        assert counts() == before
        assert db.session.get(Enterprise, enterprise_id).address == address  # type: ignore[union-attr]
    posted["registration_province"] = "420000"
    saved = client.post(f"/enterprises/{enterprise_id}/edit", data=posted)
    assert saved.status_code in (302, 303)
    with app.app_context():
        stored = db.session.get(Enterprise, enterprise_id)
        assert stored is not None and stored.registration_province == "420000"
        assert stored.address == "x" and counts() == (before[0], before[1] + 1)
    assert "湖北省" in client.get(f"/enterprises/{enterprise_id}").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token})
    login(client, "officer_bt")
    assert client.get(f"/enterprises/{enterprise_id}/edit").status_code == 403


@pytest.mark.parametrize(
    ("province", "reason"), [("150000", None), ("420000", None), ("4200", "未知省份代码")]
)
def test_an_enterprise_is_registered_with_its_province(
    app: Flask, province: str, reason: str | None
) -> None:
    with app.app_context():
        if reason is None:
            stored = register_enterprise(*VALID, registration_province=province)
            assert stored.registration_province == province
        else:
            with pytest.raises(InvalidInput, match=reason):
                register_enterprise(*VALID, registration_province=province)
