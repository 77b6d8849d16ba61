"""Configuration keys over time and the holiday table feed every engine run."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from app.cli import main
from app.enforcement.cases import lock_instance
from app.extensions import db
from app.models import AuditEvent, ParameterValue, WorkflowInstance
from app.platform import InvalidInput
from app.platform.parameters import run_context, set_holiday, set_parameter, values_in_force
from tests.conftest import base_config
from tests.integration.cases import warning_case


def test_defaults_come_from_the_file(app: Flask) -> None:
    with app.app_context():
        values = values_in_force(dt.date(2026, 1, 1))
    assert values["HEARING_REQUEST_WD"] == 5
    assert values["IM_LOW_FINE_NATURAL"] is None  # [U]: unset until the bureau's figure is known


def test_a_change_applies_from_its_effective_date(app: Flask) -> None:
    with app.app_context():
        set_parameter("HEARING_FINE_NATURAL", 20000, dt.date(2027, 1, 1), None, "省局新标准")
        assert values_in_force(dt.date(2026, 12, 31))["HEARING_FINE_NATURAL"] == 10000
        assert values_in_force(dt.date(2027, 1, 1))["HEARING_FINE_NATURAL"] == 20000
        set_parameter("IM_LOW_FINE_NATURAL", 10000, dt.date(2027, 1, 1), None)
        assert values_in_force(dt.date(2027, 6, 1))["IM_LOW_FINE_NATURAL"] == 10000
        action = db.session.execute(
            select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)
        ).scalar_one()
        assert action == "set_parameter"


def test_another_process_sees_a_change_at_its_next_run(app: Flask) -> None:
    """Each process keeps the parameters and holidays in memory: a change made elsewhere (here
    a second app on the same database) is seen by the next run, not after a restart."""
    other = create_app(base_config(app.config["SQLALCHEMY_DATABASE_URI"]))
    day = dt.date(2027, 10, 9)  # a Saturday
    with app.app_context():
        context = run_context()
        assert context.parameters["RETURN_VISIT_CD"] != 45
        assert not context.calendar.is_working_day(day)
    with other.app_context():
        set_parameter("RETURN_VISIT_CD", 45, dt.date(2026, 1, 1), None)
        set_holiday(day, True, "调休上班", None)
    with app.app_context():
        context = run_context()
        assert context.parameters["RETURN_VISIT_CD"] == 45
        assert context.calendar.is_working_day(day)
    with other.app_context():
        db.engine.dispose()


def test_the_generation_read_with_an_instance_lock_serves_that_transaction_only(
    app: Flask,
) -> None:
    """A step reads the configuration generation in the statement that locks its instance; the
    run in that transaction uses it, and a later transaction reads the generation afresh."""
    other = create_app(base_config(app.config["SQLALCHEMY_DATABASE_URI"]))
    with app.app_context():
        case_id = warning_case()
        instance_id = db.session.execute(
            select(WorkflowInstance.id).where(WorkflowInstance.case_id == case_id)
        ).scalar_one()
        db.session.commit()
        assert run_context().parameters["RETURN_VISIT_CD"] != 45  # cached in this process
        with other.app_context():
            set_parameter("RETURN_VISIT_CD", 45, dt.date(2026, 1, 1), None)
        lock_instance(instance_id)
        assert run_context().parameters["RETURN_VISIT_CD"] == 45  # the lock's reading
        lock_instance(instance_id)
        db.session.commit()  # a reading left unused ends with its transaction
        with other.app_context():
            set_parameter("RETURN_VISIT_CD", 46, dt.date(2026, 1, 1), None)
        assert run_context().parameters["RETURN_VISIT_CD"] == 46
    with other.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("NO_SUCH_KEY", 1),
        ("HEARING_REQUEST_WD", "5"),
        ("HEARING_REQUEST_WD", True),
        ("INDIVIDUAL_BIZ_AS_NATURAL", 1),
        ("LIGHTER_BAND", -0.1),
    ],
)
def test_bad_values_are_refused_and_nothing_is_stored(app: Flask, key: str, value: object) -> None:
    with app.app_context():
        with pytest.raises(InvalidInput):
            set_parameter(key, value, dt.date(2027, 1, 1), None)
        db.session.rollback()
        assert (
            db.session.execute(select(func.count()).select_from(ParameterValue)).scalar_one() == 0
        )


def test_cli_sets_parameters_and_holidays_used_by_the_run_context(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["set-parameter", "RETURN_VISIT_CD", "45", "--from", "2026-01-01"])
    assert result.exit_code == 0, result.output
    assert (
        runner.invoke(
            main, ["set-parameter", "RETURN_VISIT_CD", "x", "--from", "2026-01-01"]
        ).exit_code
        != 0
    )
    result = runner.invoke(main, ["set-holiday", "2027-01-01", "元旦"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["set-holiday", "2027-01-04", "调休上班", "--working"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        context = run_context(now=dt.datetime(2026, 12, 31, 2, tzinfo=dt.UTC))
    assert context.parameters["RETURN_VISIT_CD"] == 45
    assert not context.calendar.is_working_day(dt.date(2027, 1, 1))
    due = context.calendar.deadline(dt.date(2026, 12, 31), 1, "working_days")
    assert due.due == dt.date(2027, 1, 4) and due.calendar_source.value == "holiday-table"
