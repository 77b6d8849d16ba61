from __future__ import annotations

import datetime as dt
from pathlib import Path

from werkzeug.datastructures import MultiDict

import forms
from app.engine.specs import ParsedBundle
from forms.skeleton import InspectionRecordForm

VALID = {
    "inspection_date": "2026-11-20",
    "inspectors": "张三、李四",
    "location": "呼和浩特市新城区",
    "findings": "现场未发现问题",
    "result": "COMPLIANT",
}


def inspection_form(data: dict[str, str]) -> forms.TaskForm:
    return forms.form_class_for("skeleton.inspection_record")(MultiDict(data))


def test_valid_record_becomes_json_safe_task_data() -> None:
    form = inspection_form(VALID)
    assert form.validate(), form.errors
    assert form.to_task_data() == VALID


def test_errors_are_chinese_and_specific() -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    form = inspection_form({**VALID, "inspection_date": tomorrow, "inspectors": "张三"})
    assert not form.validate()
    assert form.errors == {
        "inspection_date": ["检查日期不能晚于今天。"],
        "inspectors": ["执法人员不少于两人。"],
    }
    form = inspection_form({**VALID, "result": "SOMETHING"})
    assert not form.validate()
    assert form.errors["result"] == ["不是有效的选择。"]


def test_prefill_round_trips_task_data() -> None:
    form = InspectionRecordForm.from_task_data(VALID)
    assert isinstance(form, InspectionRecordForm)
    assert form.inspection_date.data == dt.date(2026, 11, 20)
    assert form.inspectors.data == "张三、李四"


def test_every_user_task_in_workflows_has_a_registered_form_and_back() -> None:
    root = Path(__file__).resolve().parents[2] / "workflows"
    bundle = ParsedBundle(
        {
            p.name: p.read_text(encoding="utf-8")
            for p in root.iterdir()
            if p.suffix in (".bpmn", ".dmn")
        }
    )
    used = {t.form_key for p in bundle.processes.values() for t in p.user_tasks}
    assert used <= forms.registered_form_keys()
    assert forms.registered_form_keys() <= used, "a registered form no diagram uses"
