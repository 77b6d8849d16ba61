"""经营主体 registration refuses bad credit codes and enumerations and stores nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.enforcement.enterprises import register_enterprise
from app.extensions import db
from app.models import AuditEvent, Enterprise
from app.platform import InvalidInput

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
