"""The engine layer on the real SpiffWorkflow, without app or database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.engine import (
    EngineError,
    InvalidTaskData,
    TaskNotReady,
    WorkflowDefinitionError,
    WorkflowEngine,
    bundle_hash,
)
from app.engine.specs import ParsedBundle

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"

SCRIPT_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="scripted" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="run_script" name="脚本"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="run_script" />
    <bpmn:sequenceFlow id="f2" sourceRef="run_script" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def skeleton_files() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in WORKFLOWS.glob("*.bpmn")}


def engine_for(files: dict[str, str]) -> tuple[WorkflowEngine, str]:
    hash_ = bundle_hash(files)
    return WorkflowEngine(lambda requested: files if requested == hash_ else {}), hash_


def test_skeleton_runs_to_completion_through_save_and_load() -> None:
    engine, hash_ = engine_for(skeleton_files())
    started = engine.start(hash_, "walking_skeleton", {"case_no": "TJ-1"})
    assert started.milestone == "检查"
    assert [(t.bpmn_id, t.form_key, t.lane) for t in started.ready_tasks] == [
        ("record_inspection", "inspection.record", "officer")
    ]
    # What is stored references the bundle instead of embedding the spec.
    stored = json.loads(started.state)
    assert stored["spec_ref"] == {"bundle": hash_, "process": "walking_skeleton"}
    assert "spec" not in stored and "subprocess_specs" not in stored

    # A second engine (another process) loads it from the bundle alone.
    other, _ = engine_for(skeleton_files())
    assert other.ready_tasks(started.state) == started.ready_tasks
    finished = other.complete_task(
        started.state, started.ready_tasks[0].guid, {"result": "COMPLIANT"}
    )
    assert finished.completed
    assert finished.milestone == "检查完成"
    assert finished.ready_tasks == ()
    assert finished.data["result"] == "COMPLIANT"
    assert finished.data["case_no"] == "TJ-1"


def test_completing_a_task_twice_is_refused() -> None:
    engine, hash_ = engine_for(skeleton_files())
    started = engine.start(hash_, "walking_skeleton", {})
    guid = started.ready_tasks[0].guid
    done = engine.complete_task(started.state, guid, {})
    with pytest.raises(TaskNotReady):
        engine.complete_task(done.state, guid, {})
    with pytest.raises(TaskNotReady):
        engine.complete_task(started.state, "not-a-uuid", {})


def test_reserved_typename_key_is_refused() -> None:
    engine, hash_ = engine_for(skeleton_files())
    started = engine.start(hash_, "walking_skeleton", {})
    with pytest.raises(InvalidTaskData):
        engine.complete_task(
            started.state, started.ready_tasks[0].guid, {"nested": [{"typename": "UUID"}]}
        )


@pytest.mark.parametrize(
    "script",
    [
        "import os",
        "leaked = open('/etc/hostname').read()",
        "x = ().__class__.__base__.__subclasses__()",
        "x = __import__('os').getpid()",
        "x = getattr(result, '__class__')",
        "x = eval('1+1')",
    ],
)
def test_scripts_cannot_reach_files_modules_or_dunders(script: str) -> None:
    files = {"scripted.bpmn": SCRIPT_PROCESS.format(script=script.replace("'", "&apos;"))}
    engine, hash_ = engine_for(files)
    with pytest.raises(EngineError):
        engine.start(hash_, "scripted", {"result": 1})


def test_plain_scripts_still_work() -> None:
    files = {"scripted.bpmn": SCRIPT_PROCESS.format(script="total = sum([a for a in range(4)])")}
    engine, hash_ = engine_for(files)
    assert engine.start(hash_, "scripted", {}).data["total"] == 6


@pytest.mark.parametrize(
    "payload",
    [
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><x>&b;</x>',
    ],
)
def test_dtds_and_entities_are_refused(payload: str) -> None:
    with pytest.raises(WorkflowDefinitionError, match="DTD"):
        ParsedBundle({"evil.bpmn": payload})


def test_invalid_bpmn_names_file_and_reason() -> None:
    with pytest.raises(WorkflowDefinitionError) as caught:
        ParsedBundle({"broken.bpmn": "<bpmn:definitions"})
    assert "broken.bpmn" in str(caught.value)
    with pytest.raises(WorkflowDefinitionError, match=".bpmn"):
        ParsedBundle({"notes.txt": "<x/>"})
