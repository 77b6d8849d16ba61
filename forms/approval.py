"""Screens shared by several steps (the step's BPMN variableName keeps their answers apart)."""

from . import task_form
from .base import N_, TaskForm, text, yes_no


@task_form("common.approval")
class ApprovalForm(TaskForm):
    title = N_("审批")

    approved = yes_no(N_("同意"))
    opinion = text(N_("审批意见"), required=False)
