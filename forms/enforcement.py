"""H 执行."""

from . import task_form
from .base import N_, RequiredWhen, TaskForm, choice, day, money, text, yes_no


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


@task_form("enforcement.deferral")
class DeferralForm(TaskForm):
    title = N_("暂缓或分期缴纳审批")

    deferral_approved = yes_no(N_("批准"))
    deferral_until = day(
        N_("缴纳期限"),
        required=False,
        past=False,
        required_when=RequiredWhen("deferral_approved", True, N_("批准暂缓的，请填写缴纳期限。")),
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
