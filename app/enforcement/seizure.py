"""Seized goods keep a case in its investigation (《行政强制法》第二十七条). The custody of a
seizure runs beside the investigation (stage D forks it off when the head approves the seizure);
the investigation may not end — by 调查终结, by a transfer the police accepted, or any other way
out of stage D — while a custody still waits for its disposal decision (解除、没收、销毁 or
随案移送). Checked on the server on every step a person or another system makes."""

from __future__ import annotations

from app.engine import RunResult
from forms.base import N_

STAGE_D = "stage_d_investigation"
# the custody branch: from carrying out the seizure to its disposal decision
CUSTODY_TASKS = frozenset(
    {"d_seize_execute", "d_seize_handle", "d_seize_ext_approval", "d_seize_ext_notice"}
)
# the custody and the head's approval that starts it
SEIZURE_STEPS = CUSTODY_TASKS | {"d_seize_approval"}
STILL_SEIZED = N_(
    "查封、扣押的财物尚未作出处理决定（解除、没收、销毁或随案移送），案件不能结束调查取证"
    "（《行政强制法》第二十七条）。请先办理「查封扣押处理决定」。"
)


def leaves_goods_seized(result: RunResult, step: str | None = None) -> bool:
    """True when the run ended stage D's investigation while a seizure's custody is still open:
    the only steps left in stage D are the custody's (a deadline on a custody task does not
    count as investigation going on). `step` is the task the run completed (None: a message);
    a step of the seizure itself never ends the investigation — and on process versions before
    the custody ran in parallel, the seizure held the investigation up instead."""
    if step in SEIZURE_STEPS:
        return False
    in_stage_d = [task for task in result.ready_tasks if task.process_id == STAGE_D]
    if not any(task.bpmn_id in CUSTODY_TASKS for task in in_stage_d):
        return False
    investigating = any(task.bpmn_id not in CUSTODY_TASKS for task in in_stage_d) or any(
        event.process_id == STAGE_D and event.attached_to not in CUSTODY_TASKS
        for event in result.waiting
    )
    return not investigating
