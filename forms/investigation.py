"""D 调查取证."""

from . import task_form
from .base import N_, TaskForm, choice, confirm, count, day, text, yes_no


@task_form("investigation.evidence")
class EvidenceForm(TaskForm):
    title = N_("调查取证")

    evidence_summary = text(N_("取证情况与证据目录"), required=False)
    next_action = choice(
        N_("下一步"),
        (
            ("CONCLUDE", N_("调查终结")),
            ("PRESERVE", N_("先行登记保存证据")),
            ("SEIZE", N_("查封、扣押")),
            ("TEST", N_("检测、检验、鉴定")),
            ("CRIMINAL", N_("涉嫌犯罪，移送司法机关")),
            # only cases on diagrams that still ask for it here (app.enforcement.case_clock.
            # local_extension); the screen offers it to them alone, the service refuses it
            ("EXTEND", N_("申请延长办案期限")),
        ),
    )


@task_form("investigation.preserve_decision")
class PreservationDecisionForm(TaskForm):
    title = N_("先行登记保存处理决定")

    preserve_outcome = choice(
        N_("处理决定"),
        (
            ("RETURN", N_("解除保存，退还")),
            ("TEST", N_("送检")),
            ("SEIZE", N_("依法查封、扣押")),
            ("CONFISCATE", N_("依法没收")),
        ),
    )
    preserve_notes = text(N_("说明"), required=False)


@task_form("investigation.seizure_execute")
class SeizureExecutionForm(TaskForm):
    title = N_("实施查封、扣押")

    seized_on = day(
        N_("实施日期"),
        description=N_("当场交付查封、扣押决定书和清单之日；期限自次日起算。"),
    )
    seizure_grounds = text(N_("查封、扣押的理由和依据"))
    seized_items = text(N_("查封、扣押的场所、设施或者财物（名称、数量）"))
    decision_delivered = confirm(
        N_("查封、扣押决定书和清单已当场交付当事人"),
        N_("查封、扣押决定书和清单应当当场交付当事人。"),
    )


@task_form("investigation.seizure_handle")
class SeizureHandlingForm(TaskForm):
    title = N_("查封扣押处理决定")

    seizure_action = choice(
        N_("处理决定"),
        (
            ("RELEASE", N_("解除查封、扣押，退还财物")),
            ("CONFISCATE", N_("没收非法财物")),
            ("DESTROY", N_("依法销毁")),
            ("TRANSFER", N_("随案移送司法机关")),
            ("EXTEND", N_("情况复杂，报请负责人批准延长（不超过30日，仅一次）")),
        ),
    )
    seizure_notes = text(N_("理由"))


@task_form("investigation.seizure_extension_notice")
class SeizureExtensionNoticeForm(TaskForm):
    title = N_("延长查封、扣押告知")
    not_before = {
        "ext_notice_served_on": (
            "seize_ext_approved_on",
            N_("告知日期不能早于负责人批准延长的日期。"),
        )
    }

    ext_notice_served_on = day(
        N_("书面告知当事人的日期"),
        description=N_("延长查封、扣押的决定应当及时书面告知当事人，并说明理由。"),
    )


@task_form("investigation.test_sent")
class TestSentForm(TaskForm):
    title = N_("送检")

    sent_on = day(N_("送检日期"), description=N_("检测、检验、鉴定期间不计入办案期限。"))
    test_item = text(N_("检验项目"), long=False)


@task_form("investigation.test_received")
class TestReceivedForm(TaskForm):
    title = N_("检验报告")
    not_before = {"received_on": ("sent_on", N_("收到报告日期不能早于送检日期。"))}

    received_on = day(N_("收到报告日期"))
    test_conclusion = text(N_("检验结论"))


@task_form("investigation.criminal_transfer")
class CriminalTransferForm(TaskForm):
    title = N_("涉嫌犯罪案件移送书")

    transferred_on = day(N_("移送日期"))
    receiving_authority = text(N_("接收机关"), long=False)


@task_form("investigation.extension_request")
class ExtensionRequestForm(TaskForm):
    """The extension request of stage D on diagrams before the case-level clock: kept for the
    cases still running them (forms.LEGACY_FORM_KEYS)."""

    title = N_("延长办案期限申请")

    extension_reason = text(N_("延期理由"))


@task_form("investigation.collective_extension")
class CollectiveExtensionForm(TaskForm):
    title = N_("集体讨论延期")

    collective_extension_approved = yes_no(N_("同意继续延期"))
    extension_days = count(N_("延长日数"), 1, 365, default=30)
    collective_notes = text(N_("集体讨论记录"), required=False)
