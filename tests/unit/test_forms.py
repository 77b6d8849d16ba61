from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict

import forms
from forms.enforcement import AfterUrgeForm, DeferralForm, PaymentForm
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
    assert forms.registered_form_keys() - forms.LEGACY_FORM_KEYS <= used, "a form no diagram uses"
    assert not forms.LEGACY_FORM_KEYS & used, "a legacy form a current diagram uses"


def test_a_date_some_answers_need_is_asked_for_exactly_then() -> None:
    """A payment date is optional, until the answer says the fine was paid (an empty optional
    field skips its own checks, so the condition is a validator of the field that runs first)."""
    today = {"today": dt.date(2026, 11, 24)}
    cases = [
        (PaymentForm, {"payment_status": "PAID"}, "paid_on", "已缴清的，请填写缴款日期。"),
        (DeferralForm, {"deferral_approved": "yes"}, "plan_kind", "批准的，请选择暂缓或分期。"),
        (
            DeferralForm,
            {"deferral_approved": "yes", "plan_kind": "DEFERRAL"},
            "deferral_until",
            "批准暂缓的，请填写缴纳期限。",
        ),
        (AfterUrgeForm, {"paid_after_urge": "yes"}, "paid_on", "已缴纳的，请填写缴款日期。"),
    ]
    for form_class, answer, field, message in cases:
        form = form_class(MultiDict(answer), meta=today)
        assert not form.validate()
        assert form.errors == {field: [message]}
    assert PaymentForm(MultiDict({"payment_status": "DEFERRAL_REQUESTED"}), meta=today).validate()
    assert DeferralForm(MultiDict({"deferral_approved": "no"}), meta=today).validate()
    assert AfterUrgeForm(MultiDict({"paid_after_urge": "no"}), meta=today).validate()
    paid = PaymentForm(MultiDict({"payment_status": "PAID", "paid_on": "2026-11-20"}), meta=today)
    assert paid.validate(), paid.errors
    late = PaymentForm(MultiDict({"payment_status": "PAID", "paid_on": "2026-12-20"}), meta=today)
    assert not late.validate() and "paid_on" in late.errors  # the later checks still run


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ("2026-12-31 2000", "分期缴纳应当写明至少两期（至多三十六期）。"),
        (
            "2026-12-31 2000\n明年 3000",
            "每行写一期：缴纳期限（YYYY-MM-DD）和金额，例如 2026-06-30 2000。",
        ),
        ("2027-01-31 2000\n2026-12-31 3000", "各期缴纳期限应当按先后顺序排列，且不能相同。"),
        ("2026-11-01 2000\n2026-12-31 3000", "缴纳期限不能早于今天。"),
        ("2026-12-31 0\n2027-01-31 3000", "每期金额应当大于零。"),
    ],
)
def test_instalments_are_dated_lines_in_order(lines: str, error: str) -> None:
    """《行政处罚法》第六十六条: each instalment with its own date and amount (the sum is the
    service's check, which knows the fine)."""
    answer = {"deferral_approved": "yes", "plan_kind": "INSTALMENTS", "instalments": lines}
    form = DeferralForm(MultiDict(answer), meta={"today": dt.date(2026, 11, 24)})
    assert not form.validate() and form.errors == {"instalments": [error]}
    answer["instalments"] = "2026-12-31 2000\n2027-01-29 3000.50"
    form = DeferralForm(MultiDict(answer), meta={"today": dt.date(2026, 11, 24)})
    assert form.validate(), form.errors
    assert form.to_task_data()["instalments"] == [
        {"due_on": "2026-12-31", "amount": 2000},
        {"due_on": "2027-01-29", "amount": 3000.5},
    ]
