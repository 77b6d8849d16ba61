"""Evaluating a DMN decision table directly (the public "evaluate decision" service).

SpiffWorkflow implements only UNIQUE (as "first match") and COLLECT. Our tables are written
UNIQUE with rules that exclude each other; here every rule is evaluated, so a table that lets
two rules match, or none, is reported instead of silently answering with the first.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.specs.model import HitPolicy
from SpiffWorkflow.exceptions import SpiffWorkflowException


class DecisionError(RuntimeError):
    """The table itself is wrong for these inputs (no rule, or several, matched)."""


@dataclass(frozen=True)
class MatchedRule:
    id: str
    annotation: str


@dataclass(frozen=True)
class DecisionResult:
    decision_id: str
    outputs: dict[str, Any]
    matched_rules: tuple[MatchedRule, ...]
    version: str


class _Workflow:
    def __init__(self, script_engine: Any):
        self.script_engine = script_engine


class _DecisionTask:
    """The two attributes of a task that SpiffWorkflow's DMN engine reads."""

    def __init__(self, data: dict[str, Any], script_engine: Any):
        self.data = data
        self.workflow = _Workflow(script_engine)
        self.task_spec = None


def evaluate_table(
    decision_id: str, table: Any, inputs: Mapping[str, Any], script_engine: Any, version: str
) -> DecisionResult:
    task = _DecisionTask(dict(inputs), script_engine)
    every_rule = copy.copy(table)
    every_rule.hit_policy = HitPolicy.COLLECT.value
    try:
        matched = DMNEngine(every_rule).decide(task)
        if table.hit_policy == HitPolicy.UNIQUE.value:
            if len(matched) != 1:
                rows = ", ".join(r.id for r in matched) or "none"
                raise DecisionError(f"{decision_id}: UNIQUE table matched {rows}")
            outputs = dict(matched[0].output_as_dict(task))
        else:
            outputs = {}
            for rule in matched:
                for key, value in rule.output_as_dict(task).items():
                    outputs.setdefault(key, []).append(value)
    except SpiffWorkflowException as exc:
        raise DecisionError(f"{decision_id}: {exc}") from exc
    return DecisionResult(
        decision_id=decision_id,
        outputs=outputs,
        matched_rules=tuple(MatchedRule(r.id, (r.description or "").strip()) for r in matched),
        version=version,
    )
