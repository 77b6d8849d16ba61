"""H 执行, and the relief track (R 复议与诉讼) after the decision."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from wtforms import Field, Form, TextAreaField, ValidationError

from . import task_form
from .base import N_, RequiredWhen, TaskForm, choice, day, money, several, text, yes_no
from .choices import SANCTIONS


@task_form("enforcement.payment")
class PaymentForm(TaskForm):
    title = N_("缴纳罚款")
    prefill = {"amount_paid": "fine"}

    payment_status = choice(
        N_("缴款情况"),
        (
            ("PAID", N_("已缴清")),
            ("DEFERRAL_REQUESTED", N_("申请暂缓或分期缴纳")),
        ),
    )
    paid_on = day(
        N_("缴款日期"),
        required=False,
        required_when=RequiredWhen("payment_status", "PAID", N_("已缴清的，请填写缴款日期。")),
    )
    amount_paid = money(N_("缴款金额（元）"), required=False)


_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[\s,，、]+([0-9]+(?:\.[0-9]{1,2})?)\s*$")
MAX_INSTALMENTS = 36


class InstalmentsField(TextAreaField):
    """The instalments of a fine, one a line: the day it is due and the amount
    (`2026-06-30 2000`); the data is a list of {"due_on", "amount"} in the order of the days."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        lines = [line for value in valuelist for line in str(value).splitlines() if line.strip()]
        self.raw_lines = lines
        self.data: Any = []
        self.bad: list[str] = []
        for line in lines:
            match = _LINE.match(line)
            try:
                due = dt.date.fromisoformat(match.group(1)) if match else None
                amount = Decimal(match.group(2)) if match else None
            except (ValueError, InvalidOperation):
                due = amount = None
            if due is None or amount is None:
                self.bad.append(line.strip()[:40])
                continue
            number = int(amount) if amount == amount.to_integral_value() else float(amount)
            self.data.append({"due_on": due.isoformat(), "amount": number})

    def _value(self) -> str:
        if getattr(self, "raw_lines", None):
            return "\n".join(self.raw_lines)
        return "\n".join(f"{part['due_on']} {part['amount']}" for part in self.data or [])


class _Schedule:
    """At least two instalments, each with a due date not before today and a positive amount,
    the dates in order (the sum is the service's check: it knows the fine)."""

    def __call__(self, form: Form, field: Field) -> None:
        if form["plan_kind"].data != "INSTALMENTS" or form["deferral_approved"].data is not True:
            field.data = []
            return
        if getattr(field, "bad", None):
            raise ValidationError(
                N_("每行写一期：缴纳期限（YYYY-MM-DD）和金额，例如 2026-06-30 2000。")
            )
        parts = field.data or []
        if not 2 <= len(parts) <= MAX_INSTALMENTS:
            raise ValidationError(N_("分期缴纳应当写明至少两期（至多三十六期）。"))
        days = [part["due_on"] for part in parts]
        if days != sorted(set(days)):
            raise ValidationError(N_("各期缴纳期限应当按先后顺序排列，且不能相同。"))
        today = form.meta.today
        if today is not None and days[0] < today.isoformat():
            raise ValidationError(N_("缴纳期限不能早于今天。"))
        if any(part["amount"] <= 0 for part in parts):
            raise ValidationError(N_("每期金额应当大于零。"))


PLAN_KINDS = (("DEFERRAL", N_("暂缓缴纳")), ("INSTALMENTS", N_("分期缴纳")))


@task_form("enforcement.deferral")
class DeferralForm(TaskForm):
    title = N_("暂缓或分期缴纳审批")

    deferral_approved = yes_no(N_("批准"))
    plan_kind = choice(
        N_("批准的方式"),
        PLAN_KINDS,
        required_when=RequiredWhen("deferral_approved", True, N_("批准的，请选择暂缓或分期。")),
    )
    deferral_until = day(
        N_("暂缓至（缴纳期限）"),
        required=False,
        past=False,
        required_when=RequiredWhen("plan_kind", "DEFERRAL", N_("批准暂缓的，请填写缴纳期限。")),
    )
    instalments = InstalmentsField(
        N_("分期：每行一期，缴纳期限和金额"),
        validators=[_Schedule()],
        description=N_("例如：2026-06-30 2000；各期金额之和应当等于罚款数额。"),
    )


@task_form("enforcement.urge")
class UrgeForm(TaskForm):
    title = N_("催告书")

    urge_served_on = day(N_("催告书送达日期"))


@task_form("enforcement.after_urge")
class AfterUrgeForm(TaskForm):
    title = N_("催告后履行情况")

    paid_after_urge = yes_no(N_("已缴纳罚款及加处罚款"))
    paid_on = day(
        N_("缴款日期"),
        required=False,
        required_when=RequiredWhen("paid_after_urge", True, N_("已缴纳的，请填写缴款日期。")),
    )


@task_form("enforcement.court")
class CourtEnforcementForm(TaskForm):
    title = N_("申请人民法院强制执行")

    court_applied_on = day(N_("申请日期"))
    court_name = text(N_("人民法院"), long=False)


PUBLICITY_ACTIONS = (("WITHDRAWN", N_("撤回公示")), ("CORRECTED", N_("更正公示")))


@task_form("relief.changed_decision")
class ChangedDecisionForm(TaskForm):
    title = N_("变更后的行政处罚决定书")
    prefill = {"sanctions": "sanctions", "fine": "fine"}

    decided_on = day(N_("决定日期"))
    sanctions = several(N_("处罚种类"), SANCTIONS, required=True)
    fine = money(N_("变更后的罚款数额（元）"))
    decision_summary = text(N_("变更的内容和依据"))


@task_form("relief.withdraw_publicity")
class WithdrawPublicityForm(TaskForm):
    title = N_("撤回或更正处罚信息公示")

    withdrawn_on = day(N_("撤回或更正日期"))
    publicity_action = choice(N_("处理方式"), PUBLICITY_ACTIONS)
    withdraw_reason = text(N_("理由"), long=False)
