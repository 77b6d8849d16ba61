"""A parallel join that keeps what each branch changed.

SpiffWorkflow's join lays the branches' whole data over one another, the last to arrive on top:
a value one branch set (stage H: `obligations_performed = True`) is overwritten by the copy
another branch still carries from before the split (False). Branches running side by side after
the decision (H, I and K) each decide their own facts, so the join applies, in the order the
branches arrived, only the values a branch changed since the split.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import ParallelGateway
from SpiffWorkflow.util.task import TaskState


class ChangeMergingParallelGateway(ParallelGateway):  # type: ignore[misc]
    def _run_hook(self, my_task: Any) -> bool:
        arrived = sorted(
            (
                task
                for task in my_task.workflow.tasks.values()
                if task.task_spec == self
                and task is not my_task
                and task.has_state(TaskState.FINISHED_MASK)
                and not my_task.is_descendant_of(task)
            ),
            key=lambda task: task.last_state_change,
        )
        if not arrived:  # a split, or a join of one branch
            return bool(super()._run_hook(my_task))
        split = common_ancestor(my_task, arrived)
        base = split.data if split is not None else {}
        for task in arrived:
            if task.has_state(TaskState.COMPLETED):  # as SpiffWorkflow's own join does
                task._drop_children(force=True)
        my_task.data = merge_changes(base, [task.parent for task in [*arrived, my_task]])
        return True


def merge_changes(base: dict[str, Any], branches: list[Any]) -> dict[str, Any]:
    """`base` with, branch by branch in the order they last changed, each value a branch's task
    holds that differs from `base`."""
    merged = deepcopy(base)
    for task in sorted(branches, key=lambda task: task.last_state_change):
        for key, value in task.data.items():
            if key not in base or base[key] != value:
                merged[key] = deepcopy(value)
    return merged


def common_ancestor(task: Any, others: list[Any]) -> Any | None:
    """The deepest task that `task` and all `others` descend from: the split they started at."""
    chain: list[Any] = []
    node = task
    while node is not None:
        chain.append(node)
        node = node.parent
    depth = {id(node): index for index, node in enumerate(chain)}
    deepest = len(chain)
    for other in others:
        node = other
        while node is not None and id(node) not in depth:
            node = node.parent
        if node is None:
            return None
        deepest = min(deepest, depth[id(node)])
    return chain[deepest] if deepest < len(chain) else None
