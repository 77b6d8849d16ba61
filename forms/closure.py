"""J 结案、归档、入库."""

from . import task_form
from .base import N_, TaskForm, check_box, choice, text


@task_form("closure.report")
class ClosureReportForm(TaskForm):
    title = N_("结案审批表")

    closure_reason = choice(
        N_("结案情形"),
        (
            ("EXECUTED", N_("处罚决定执行完毕")),
            ("NOT_PUNISHED", N_("作出不予行政处罚决定")),
            ("NOT_ESTABLISHED", N_("违法事实不成立")),
            ("TRANSFERRED", N_("移送司法机关")),
            ("NOT_FILED", N_("不予立案，整改到位")),
            ("TERMINATED", N_("人民法院裁定终结执行")),
            ("OTHER", N_("其他")),
        ),
    )
    typical_case = check_box(N_("典型案例，建议入执法案例库"))
    closure_notes = text(N_("说明"), required=False)


@task_form("closure.archive")
class ArchiveForm(TaskForm):
    title = N_("归档")

    archive_no = text(N_("档案号"), long=False)


@task_form("closure.library")
class CaseLibraryForm(TaskForm):
    title = N_("执法案例库条目")
    prefill = {"violation_type": "violation_type"}  # as the investigation report named it

    violation_type = text(N_("违法类型"), long=False)
    library_summary = text(N_("案例要点（情节、裁量阶次、处罚结果）"), required=False)
