"""Migrations on both databases: down, up, models match the schema, audit is append-only."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app import create_app, database
from app.clock import china_today
from app.enforcement.investigators import typed_investigators
from app.extensions import db
from app.models import (
    AuditEvent,
    Base,
    Case,
    CaseFact,
    CaseOfficer,
    DecisionRecord,
    Enterprise,
    Region,
)
from app.platform.audit import verify_chain
from app.platform.sequences import current_number
from tests.conftest import base_config
from tests.integration.cases import (
    INVESTIGATORS,
    REPORT,
    account,
    complete,
    head_approves,
    investigated_case,
    notified_weeks_ago,
)


def test_schema_matches_models_after_down_and_up(app: Flask) -> None:
    with app.app_context():
        database.downgrade("base")
        tables = db.inspect(db.engine).get_table_names()
        assert set(tables) <= {"alembic_version"}
        database.upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
            )
        assert diff == []
        counts = dict(
            db.session.execute(select(Region.level, func.count()).group_by(Region.level)).all()
        )
        assert counts == {"PROVINCE": 1, "UNIT": 14, "COUNTY": 101}


def test_cases_filed_before_0029_get_their_filing_numbers_and_keep_typed_investigators(
    app: Flask,
) -> None:
    """Migration 0029 (docs/numbers.md): a case already filed gets its 立案号, the counter goes on
    from there; its investigators stay as typed, not bound to accounts."""
    with app.app_context():
        first, second = investigated_case("甲"), investigated_case("乙")
        db.session.close()  # no table lock of the session's may stand in the migration's way
        database.downgrade("0029-1")  # filed before the revision: names as typed, no 立案号
        database.upgrade()
        db.session.expire_all()
        year = china_today().year
        numbers = [db.session.get(Case, i).filing_no for i in (first, second)]  # type: ignore[union-attr]
        assert numbers == [f"呼市监立〔{year}〕1号", f"呼市监立〔{year}〕2号"]
        assert current_number(f"filing:150100:{year}") == 2
        assert db.session.scalar(select(func.count()).select_from(CaseOfficer)) == 0
        case = db.session.get(Case, first)
        assert case is not None
        names = "、".join(account(n).display_name for n in INVESTIGATORS)
        assert typed_investigators(case) == names
        # not bound: another officer of the region may go on with the investigation
        complete(first, "e_report", "inspector_chen", **REPORT)


def test_units_are_the_fourteen_of_the_policy(app: Flask) -> None:
    with app.app_context():
        names = (
            db.session.execute(
                select(Region.name).where(Region.level == "UNIT").order_by(Region.sort_order)
            )
            .scalars()
            .all()
        )
    assert len(names) == 14
    assert {"呼和浩特市", "阿拉善盟", "满洲里市", "二连浩特市"} <= set(names)


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"]
)
def test_audit_trail_refuses_update_and_delete(app: Flask, statement: str) -> None:
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        assert before > 0
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
        after = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        assert after == before


def test_embedded_sqlite_database_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    app = create_app(base_config(f"sqlite:///{tmp_path / 'instance' / 'tijian.db'}"))
    with app.app_context():
        database.upgrade()
        assert db.session.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        db.engine.dispose()
    assert (tmp_path / "instance" / "tijian.db").exists()


def test_the_chain_migration_links_the_entries_written_before_it(app: Flask) -> None:
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        db.session.rollback()  # end the read, or PostgreSQL's ALTER TABLE waits for it
        database.downgrade("0011")  # the demo seed's entries lose their chain
        database.upgrade()  # and get it back, in id order
        report = verify_chain()
        assert report.intact and report.checked == before > 0
        with pytest.raises(DBAPIError, match="append-only"):  # the triggers are back
            db.session.execute(text("UPDATE audit_event SET action = 'x'"))
        db.session.rollback()


def test_the_facts_migration_gives_every_earlier_case_its_row(app: Flask) -> None:
    with app.app_context():
        db.session.rollback()
        database.downgrade("0012")
        database.upgrade()
        rows = db.session.execute(
            select(Case.region_code, CaseFact.unit_code).join(CaseFact, CaseFact.case_id == Case.id)
        ).all()
        cases = db.session.execute(select(func.count(Case.id))).scalar_one()
        assert len(rows) == cases > 0
        assert all(unit == region[:4] + "00" for region, unit in rows)


def test_engine_states_are_compressed_with_lz4_on_postgresql(postgres_app: Flask) -> None:
    with postgres_app.app_context():
        method = db.session.execute(
            text(
                "SELECT attcompression FROM pg_attribute"
                " WHERE attrelid = 'workflow_instance'::regclass AND attname = 'state'"
            )
        ).scalar_one()
    assert method == "l"


def test_the_decision_record_migration_records_the_decisions_taken_before_it(app: Flask) -> None:
    with app.app_context():
        case_id = notified_weeks_ago()
        head_approves(case_id, ["FINE"], 5000)
        today = china_today().isoformat()
        decided = {"sanctions": ["FINE"], "fine": 5000, "decision_summary": "", "decided_on": today}
        complete(case_id, "g_penalty_decision", "officer", **decided)
        db.session.commit()
        database.downgrade("0027")  # the records are gone
        database.upgrade()  # and rebuilt from the decision step's own answers
        record = db.session.execute(
            select(DecisionRecord).where(DecisionRecord.case_id == case_id)
        ).scalar_one()
        assert record.kind == "PENALTY" and record.content["fine"] == 5000
        assert record.decided_on == china_today()
        assert record.approved_by_id == account("agency_head").id
        assert record.decided_by_id == account("officer").id


def test_reports_typed_before_the_catalogue_are_linked_where_the_name_matches(app: Flask) -> None:
    with app.app_context():
        typed = {}
        for name in ("销售超过保质期的食品", "自拟的违法类型"):
            case_id = investigated_case()
            complete(case_id, "e_report", "officer", **{**REPORT, "violation_type": name})
            typed[name] = case_id
        db.session.commit()
        database.downgrade("0029")  # no catalogue: the reports' free text is all there is
        database.upgrade()
        db.session.expire_all()
        linked = {
            name: db.session.get(Case, case_id).violation_code  # type: ignore[union-attr]
            for name, case_id in typed.items()
        }
        assert linked == {"销售超过保质期的食品": "FOOD-EXPIRED", "自拟的违法类型": None}


def test_the_registration_province_becomes_a_province_code(app: Flask) -> None:
    """Migration 0032: the free-text 登记地 names become province codes; the default and any
    name it cannot place become 150000 (内蒙古自治区), as every enterprise was taken to be."""
    with app.app_context():
        ids = db.session.execute(select(Enterprise.id).order_by(Enterprise.id).limit(3)).scalars()
        first, second, third = list(ids)
        db.session.commit()
        database.downgrade("0031")  # the revision before 0032
        for enterprise_id, name in ((first, "湖北省"), (second, "广西"), (third, "不详")):
            db.session.execute(
                text("UPDATE enterprise SET registered_province = :name WHERE id = :id"),
                {"name": name, "id": enterprise_id},
            )
        db.session.commit()
        database.upgrade()
        db.session.expire_all()
        provinces = dict(
            db.session.execute(select(Enterprise.id, Enterprise.registration_province)).all()
        )
        assert (provinces[first], provinces[second], provinces[third]) == (
            "420000",
            "450000",
            "150000",
        )
        assert set(provinces.values()) == {"420000", "450000", "150000"}
