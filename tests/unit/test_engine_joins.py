"""Stages running side by side on the real SpiffWorkflow: what each branch decides survives the
join, the case's data shows both while they run, and the stage shown is the earliest still
running (app/engine/joins.py, runtime._merged_branches, runtime._last_milestone)."""

from __future__ import annotations

from app.engine import RunResult, WorkflowEngine, bundle_hash

_STAGE = """
  <bpmn:process id="{pid}" isExecutable="true">
    <bpmn:startEvent id="{pid}_start" name="{name}">
      <bpmn:outgoing>{pid}_f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="{pid}_task" name="{name}"><bpmn:incoming>{pid}_f1</bpmn:incoming>
      <bpmn:outgoing>{pid}_f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="{pid}_end"><bpmn:incoming>{pid}_f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="{pid}_f1" sourceRef="{pid}_start" targetRef="{pid}_task" />
    <bpmn:sequenceFlow id="{pid}_f2" sourceRef="{pid}_task" targetRef="{pid}_end" />
  </bpmn:process>"""

SIDE_BY_SIDE = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="d" targetNamespace="t">
  <bpmn:process id="main" isExecutable="true">
    <bpmn:startEvent id="start" name="开始"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>f1</bpmn:outgoing><bpmn:outgoing>f2</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:callActivity id="call_k" calledElement="stage_k"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing></bpmn:callActivity>
    <bpmn:callActivity id="call_h" calledElement="stage_h"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing></bpmn:callActivity>
    <bpmn:parallelGateway id="join"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:endEvent id="end" name="办结"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f1" sourceRef="split" targetRef="call_k" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="call_h" />
    <bpmn:sequenceFlow id="f3" sourceRef="call_k" targetRef="join" />
    <bpmn:sequenceFlow id="f4" sourceRef="call_h" targetRef="join" />
    <bpmn:sequenceFlow id="f5" sourceRef="join" targetRef="end" />
  </bpmn:process>
  {_STAGE.format(pid="stage_h", name="H 执行")}
  {_STAGE.format(pid="stage_k", name="K 回访")}
</bpmn:definitions>
"""


def started() -> tuple[WorkflowEngine, RunResult]:
    files = {"side_by_side.bpmn": SIDE_BY_SIDE}
    hash_ = bundle_hash(files)
    engine = WorkflowEngine(lambda requested: files if requested == hash_ else {})
    return engine, engine.start(hash_, "main", {"paid": False, "visited": False})


def complete(engine: WorkflowEngine, result: RunResult, bpmn_id: str, **data: object) -> RunResult:
    task = next(t for t in result.ready_tasks if t.bpmn_id == bpmn_id)
    return engine.complete_task(result.state, task.guid, data)


def test_what_each_branch_decided_survives_the_join_in_either_order() -> None:
    for first, second in (("stage_h_task", "stage_k_task"), ("stage_k_task", "stage_h_task")):
        engine, result = started()
        decided = {"stage_h_task": {"paid": True}, "stage_k_task": {"visited": True}}
        result = complete(engine, result, first, **decided[first])
        result = complete(engine, result, second, **decided[second])
        assert result.completed
        # SpiffWorkflow's own join would lay the later branch's untouched False over the True
        assert (result.data["paid"], result.data["visited"]) == (True, True)


def test_while_both_run_the_data_shows_each_branch_and_the_stage_is_the_earliest() -> None:
    engine, result = started()
    assert result.milestone == "H 执行"  # both started: the earlier stage of the loop
    result = complete(engine, result, "stage_h_task", paid=True)
    # H is done, K waits: K is the stage, and the data already shows the payment
    assert result.milestone == "K 回访" and [t.bpmn_id for t in result.ready_tasks] == [
        "stage_k_task"
    ]
    assert (result.data["paid"], result.data["visited"]) == (True, False)
    result = complete(engine, result, "stage_k_task", visited=True)
    assert result.milestone == "办结"
