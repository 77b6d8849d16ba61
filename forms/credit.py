"""L 信用修复."""

from . import task_form
from .base import N_, RequiredWhen, TaskForm, choice, confirm, day, text, yes_no


@task_form("credit.guide")
class RepairGuidanceForm(TaskForm):
    title = N_("信用修复指导")

    guidance_notes = text(N_("告知未满足的条件和修复途径"))


@task_form("credit.accept")
class RepairAcceptanceForm(TaskForm):
    title = N_("信用修复申请受理")

    repair_accepted = yes_no(
        N_("受理"),
        N_("材料齐全的受理；材料不全的不予受理，并一次性告知需要补正的全部材料。"),
    )
    answered_on = day(N_("受理或告知补正日期"))
    missing_materials = text(
        N_("需要补正的全部材料（一次性告知）"),
        required=False,
        required_when=RequiredWhen(
            "repair_accepted", False, N_("不予受理的，请一次性写明需要补正的全部材料。")
        ),
    )
    fast_track = yes_no(N_("适用承诺制（先修复、后核查）"))


# Kept for running cases on diagram versions where the credit officer entered the application
# (its task l_application is READY there); the current stage L receives the party's message.
@task_form("credit.application")
class RepairApplicationForm(TaskForm):
    title = N_("信用修复申请")

    applied_on = day(N_("申请日期"))
    commitment_signed = confirm(N_("已提交守信承诺书"), N_("信用修复须提交守信承诺书。"))
    fast_track = yes_no(N_("适用承诺制（先修复、后核查）"))
    materials_complete = yes_no(N_("材料齐全"))


@task_form("credit.verify")
class RepairVerificationForm(TaskForm):
    title = N_("信用修复核实")

    verification_method = choice(
        N_("核实方式"),
        (
            ("ONLINE", N_("网上核实")),
            ("WRITTEN", N_("书面核实")),
            ("ONSITE", N_("实地核实")),
        ),
    )
    verification_notes = text(N_("核实情况"), required=False)


@task_form("credit.decide")
class RepairDecisionForm(TaskForm):
    title = N_("准予（不予）信用修复决定书")

    repair_approved = yes_no(N_("准予信用修复"))
    repair_decided_on = day(N_("决定日期"))
    decision_reason = text(N_("理由"))


@task_form("credit.stop_publicity")
class StopPublicityForm(TaskForm):
    title = N_("停止公示")

    stopped_on = day(N_("停止公示日期"))
    shared_with_credit_china = confirm(
        N_("已向“信用中国”共享修复信息"), N_("修复结果应同步共享至“信用中国”。")
    )


@task_form("credit.commitment_check")
class CommitmentCheckForm(TaskForm):
    title = N_("承诺核查")

    commitment_true = yes_no(N_("承诺属实"))
    check_notes = text(N_("核查情况"), required=False)


@task_form("credit.revoke")
class RevokeRepairForm(TaskForm):
    title = N_("撤销信用修复决定")

    revoked_on = day(N_("撤销日期"))
    revoke_reason = text(N_("撤销理由"))
