from __future__ import annotations

import datetime as dt

from werkzeug.datastructures import MultiDict

import forms
from forms.inspection import InspectionRecordForm

from .process_driver import BUNDLE

VALID = {
    "inspection_type": "RANDOM",
    "draw_id": "DRAW-1",
    "inspection_date": "2026-11-20",
    "inspectors": "张三、李四",
    "location": "呼和浩特市新城区",
    "findings": "现场未发现问题",
    "result": "COMPLIANT",
}


def inspection_form(data: dict[str, str], today: dt.date = dt.date(2026, 11, 24)) -> forms.TaskForm:
    return InspectionRecordForm(MultiDict(data), meta={"today": today})


def test_valid_record_becomes_json_safe_task_data() -> None:
    form = inspection_form(VALID)
    assert form.validate(), form.errors
    assert form.to_task_data() == VALID


def test_errors_are_chinese_and_specific() -> None:
    form = inspection_form(
        {**VALID, "inspection_date": "2026-11-21", "inspectors": "张三"},
        today=dt.date(2026, 11, 20),
    )
    assert not form.validate()
    assert form.errors == {
        "inspection_date": ["日期不能晚于今天。"],
        "inspectors": ["执法人员不少于两人。"],
    }
    form = inspection_form({**VALID, "result": "SOMETHING"})
    assert not form.validate()
    assert form.errors["result"] == ["不是有效的选择。"]


def test_yes_no_money_and_lists_become_task_data_types() -> None:
    form_class = forms.form_class_for("filing.verify")
    form = form_class(
        MultiDict(
            [
                ("evidence_initial", "yes"),
                ("should_punish", "no"),
                ("within_jurisdiction", "yes"),
                ("within_limitation", "yes"),
                ("facts_clear", "no"),
                ("sanctions", "FINE"),
                ("sanctions", "WARNING"),
                ("proposed_fine", "1500.50"),
            ]
        )
    )
    assert form.validate(), form.errors
    data = form.to_task_data()
    assert data["evidence_initial"] is True and data["should_punish"] is False
    assert data["sanctions"] == ["FINE", "WARNING"] and data["proposed_fine"] == 1500.5


def test_a_required_legal_step_cannot_be_skipped() -> None:
    form = forms.form_class_for("decision.serve_two")(
        MultiDict({"served_on": "2026-11-20", "service_method": "DIRECT"}),
        meta={"today": dt.date(2026, 11, 24)},
    )
    assert not form.validate()
    assert form.errors["repair_notice_served"] == [
        "行政处罚决定书必须与信用修复告知书同步送达（两书同达）。"
    ]


def test_prefill_round_trips_task_data() -> None:
    form = InspectionRecordForm.from_task_data(VALID)
    assert isinstance(form, InspectionRecordForm)
    assert form.inspection_date.data == dt.date(2026, 11, 20)
    assert form.inspectors.data == "张三、李四"


def test_every_user_task_has_a_registered_form_and_every_form_is_used() -> None:
    used = {t.form_key for p in BUNDLE.processes.values() for t in p.user_tasks}
    assert used <= forms.registered_form_keys()
    assert forms.registered_form_keys() <= used, "a registered form no diagram uses"
