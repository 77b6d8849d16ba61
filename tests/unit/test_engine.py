"""The engine layer on the real SpiffWorkflow, without app or database."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from app.engine import (
    EngineError,
    InvalidTaskData,
    RunContext,
    TaskNotReady,
    WorkflowDefinitionError,
    WorkflowEngine,
    bundle_hash,
    read_directory,
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


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("x = 'a' * (10 ** 10)", "运算结果过大"),  # one C call: the line timer cannot stop it
        ("x = [0] * 10 ** 9", "运算结果过大"),
        ("x = 10 ** 10 ** 8", "运算结果过大"),
        ("x = 1 << 10 ** 9", "运算结果过大"),
        ("x = 5\nfor _ in 'abcdefghijklmn':\n    x *= x", "运算结果过大"),
        ("x = 1.5 ** 100000", "数值溢出"),
        ("while True:\n    pass", "无限循环"),
        ("x = max(range(10 ** 12))", "range"),
        ("x = '{0.__class__}'.format(1)", "format"),
        ("x = (lambda f: f(f))(lambda f: f(f))", "RecursionError"),
    ],
)
def test_blow_ups_and_format_tricks_stop_with_a_clear_error(script: str, reason: str) -> None:
    source = script.replace("'", "&apos;").replace("<", "&lt;")
    engine, hash_ = engine_for({"scripted.bpmn": SCRIPT_PROCESS.format(script=source)})
    started = time.monotonic()
    with pytest.raises(EngineError, match=reason):
        engine.start(hash_, "scripted", {"result": 1})
    assert time.monotonic() - started < 10  # stopped, not left running (the limit is 1 s)


@pytest.mark.parametrize("script", ["x = 2 ** 0.5 * 3", "x = 'ab' * 3", "x = 3 * 4 ** 2 << 2"])
def test_ordinary_arithmetic_is_unaffected(script: str) -> None:
    engine, hash_ = engine_for(
        {
            "scripted.bpmn": SCRIPT_PROCESS.format(
                script=script.replace("'", "&apos;").replace("<", "&lt;")
            )
        }
    )
    assert engine.start(hash_, "scripted", {}).data["x"] == eval(script[4:])  # noqa: S307


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


GATEWAY_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="gated" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="gw" name="门" default="f3"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:intermediateCatchEvent id="wait" name="等待"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">{timer}</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e1"><bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="gw" />
    <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="wait">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="e1" />
    <bpmn:sequenceFlow id="f4" sourceRef="wait" targetRef="e1" />
  </bpmn:process>
</bpmn:definitions>
"""

DECISION = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="x" name="x" namespace="t">
  <decision id="evil" name="evil"><decisionTable id="t" hitPolicy="UNIQUE">
    <input id="i1" label="a"><inputExpression id="ie" typeRef="string"><text>a</text></inputExpression></input>
    <output id="o1" label="b" name="b" typeRef="string" />
    <rule id="r1"><inputEntry id="e1"><text>{entry}</text></inputEntry>
      <outputEntry id="o1e"><text>{output}</text></outputEntry></rule>
  </decisionTable></decision>
</definitions>
"""


@pytest.mark.parametrize(
    ("files", "element"),
    [
        (
            {
                "g.bpmn": GATEWAY_PROCESS.format(
                    condition="__import__('os').getpid() &gt; 0",
                    timer='"2030-01-01T00:00:00+08:00"',
                )
            },
            "g.bpmn/f2",
        ),
        (
            {
                "g.bpmn": GATEWAY_PROCESS.format(
                    condition="False", timer="open('/etc/passwd').read()"
                )
            },
            "g.bpmn/wait",
        ),
        ({"d.dmn": DECISION.format(entry="? == a.__class__", output='"x"')}, "d.dmn/e1"),
        (
            {"d.dmn": DECISION.format(entry='"x"', output="__import__('os').system('id')")},
            "d.dmn/o1e",
        ),
    ],
)
def test_every_kind_of_expression_is_checked_at_deploy(files: dict[str, str], element: str) -> None:
    bundle = ParsedBundle(files)
    engine = WorkflowEngine(lambda _hash: files)
    problems = engine.expression_problems(bundle)
    assert [f"{p.filename}/{p.element}" for p in problems] == [element], problems


@pytest.mark.parametrize(
    ("timer", "reason"),
    [
        ('"2030-13-45T00:00:00+08:00"', "ISO 8601"),
        ("42", "ISO 8601"),
        ("end_of_dya(add_working_days(current_date(), 5))", "未知的函数 end_of_dya"),
    ],
)
def test_a_timer_that_cannot_work_is_refused_at_deploy(timer: str, reason: str) -> None:
    files = {"g.bpmn": GATEWAY_PROCESS.format(condition="True", timer=timer)}
    problems = WorkflowEngine(lambda _hash: files).expression_problems(ParsedBundle(files))
    assert [p.element for p in problems] == ["wait"] and reason in problems[0].message


@pytest.mark.parametrize(
    "timer", ['"2030-01-01T00:00:00+08:00"', "end_of_day(add_working_days(current_date(), 5))"]
)
def test_timers_made_of_known_helpers_and_valid_literals_pass(timer: str) -> None:
    files = {"g.bpmn": GATEWAY_PROCESS.format(condition="True", timer=timer)}
    assert WorkflowEngine(lambda _hash: files).expression_problems(ParsedBundle(files)) == []


@pytest.mark.parametrize(
    ("condition", "timer"),
    [
        ("__import__('os').getpid() &gt; 0", '"2030-01-01T00:00:00+08:00"'),
        ("True", "open('/etc/passwd').read()"),
    ],
)
def test_a_refused_expression_stops_the_run_and_names_the_element(
    condition: str, timer: str
) -> None:
    files = {"g.bpmn": GATEWAY_PROCESS.format(condition=condition, timer=timer)}
    engine, hash_ = engine_for(files)
    with pytest.raises(EngineError) as caught:
        engine.start(hash_, "gated", {})
    assert caught.value.element in ("门", "等待")
    assert "ExpressionRefused" in str(caught.value)


def test_a_submitted_list_replaces_the_earlier_one() -> None:
    # SpiffWorkflow's add_data_from_form deep-merges lists and keeps stale items; we do not.
    engine, hash_ = engine_for(skeleton_files())
    started = engine.start(hash_, "walking_skeleton", {"sanctions": ["FINE"]})
    done = engine.complete_task(
        started.state, started.ready_tasks[0].guid, {"sanctions": ["REVOKE_LICENSE"]}
    )
    assert done.data["sanctions"] == ["REVOKE_LICENSE"]


FLOW_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="flows" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:scriptTask id="work" name="办理"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
    {extra}
  </bpmn:process>
</bpmn:definitions>"""


def test_unreachable_elements_and_dead_ends_are_named() -> None:
    stray = (
        '<bpmn:scriptTask id="stray" name="孤立步骤"><bpmn:script>y = 1</bpmn:script>'
        '</bpmn:scriptTask><bpmn:sequenceFlow id="f3" sourceRef="stray" targetRef="end" />'
    )
    dead_end = (
        '<bpmn:boundaryEvent id="late" name="超期" attachedToRef="work">'
        '<bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
    )
    broken = FLOW_PROCESS.format(extra=stray + dead_end)
    problems = ParsedBundle({"flows.bpmn": broken}).flow_problems()
    assert [str(problem) for problem in problems] == [
        "flows.bpmn: flows/stray（孤立步骤） 不可达：没有从开始事件通往它的顺序流",
        "flows.bpmn: flows/late（超期） 是死路：没有流出的顺序流，也不是结束事件",
    ]
    assert [problem.element for problem in problems] == ["stray", "late"]
    fine = FLOW_PROCESS.format(extra="")
    assert ParsedBundle({"flows.bpmn": fine}).flow_problems() == []


def test_the_shipped_diagrams_have_no_unreachable_elements_or_dead_ends() -> None:
    assert ParsedBundle(read_directory(WORKFLOWS)).flow_problems() == []


TWO_STEPS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="steps" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="first" />
    <bpmn:userTask id="first" name="{first}" />
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second" />
    <bpmn:userTask id="second" name="第二步" />
    <bpmn:boundaryEvent id="late" name="期满" attachedToRef="second">
      <bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">{due}</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="e" />
    <bpmn:sequenceFlow id="f4" sourceRef="late" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def two_steps(first: str = "第一步", due: str = '"2030-06-01T00:00:00+08:00"') -> dict[str, str]:
    return {"steps.bpmn": TWO_STEPS.format(first=first, due=due)}


def test_migration_moves_an_instance_when_the_diff_is_safe_and_refuses_otherwise() -> None:
    versions = {
        name: two_steps(**changes)
        for name, changes in {
            "v1": {},
            "renamed_first": {"first": "第一步（新）"},
            "later": {"due": '"2030-07-01T00:00:00+08:00"'},
            "earlier": {"due": '"2030-05-01T00:00:00+08:00"'},
            "unknown_data": {"due": "end_of_day(missing)"},
        }.items()
    }
    hashes = {name: bundle_hash(files) for name, files in versions.items()}
    by_hash = {hashes[name]: files for name, files in versions.items()}
    engine = WorkflowEngine(lambda requested: by_hash[requested])
    started = engine.start(hashes["v1"], "steps", {})
    # Waiting at the first step: renaming it is safe, and the task is still there.
    moved = engine.migrate(started.state, hashes["renamed_first"])
    assert moved.refusals == () and moved.result is not None
    assert [t.name for t in moved.result.ready_tasks] == ["第一步（新）"]
    assert json.loads(moved.result.state)["spec_ref"]["bundle"] == hashes["renamed_first"]
    # Once the first step is done, a version that changed it is refused.
    done = engine.complete_task(started.state, started.ready_tasks[0].guid, {})
    refused = engine.migrate(done.state, hashes["renamed_first"])
    assert refused.result is None and "steps/first（第一步）" in refused.refusals[0]
    # A running deadline may move later, never earlier.
    later = engine.migrate(done.state, hashes["later"])
    assert later.result is not None and later.result.next_timer == dt.datetime(
        2030, 6, 30, 16, 0, tzinfo=dt.UTC
    )
    earlier = engine.migrate(done.state, hashes["earlier"])
    assert earlier.result is None and "期限将从" in earlier.refusals[0]
    broken = engine.migrate(done.state, hashes["unknown_data"])
    assert broken.result is None and "新版本无法接续本案" in broken.refusals[0]


WITH_DATA_OBJECT = TWO_STEPS.replace(
    '<bpmn:userTask id="second" name="第二步" />',
    """<bpmn:userTask id="second" name="第二步">
      <bpmn:property id="placeholder" name="__targetRef_placeholder" />
      <bpmn:dataInputAssociation id="read">
        <bpmn:sourceRef>kept_ref</bpmn:sourceRef>
        <bpmn:targetRef>placeholder</bpmn:targetRef>
      </bpmn:dataInputAssociation>
    </bpmn:userTask>
    <bpmn:dataObject id="kept" />
    <bpmn:dataObjectReference id="kept_ref" dataObjectRef="kept" />""",
)


def test_a_migrated_instance_gets_the_data_objects_of_the_new_version() -> None:
    """Stage I reads the 责令改正 kept in a data object of the main process; a case moved onto
    that version from one without it reads it empty instead of failing."""
    old, new = (
        two_steps(),
        {"steps.bpmn": WITH_DATA_OBJECT.format(first="第一步", due='"2030-06-01T00:00:00+08:00"')},
    )
    by_hash = {bundle_hash(old): old, bundle_hash(new): new}
    engine = WorkflowEngine(lambda requested: by_hash[requested])
    started = engine.start(bundle_hash(old), "steps", {})
    moved = engine.migrate(started.state, bundle_hash(new))
    assert moved.refusals == () and moved.result is not None
    done = engine.complete_task(moved.result.state, moved.result.ready_tasks[0].guid, {})
    assert [t.bpmn_id for t in done.ready_tasks] == ["second"] and done.data["kept"] is None


def test_a_test_run_plays_the_given_path_and_the_overdue_path_in_memory() -> None:
    engine, hash_ = engine_for(two_steps())
    context = RunContext(now=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    on_time = engine.trial_run(hash_, "steps", {}, {"first": {"a": 1}, "second": {}}, context)
    assert on_time.completed and on_time.outcome == "流程结束"
    assert [step.bpmn_id for step in on_time.route] == ["s", "first", "second", "e"]
    assert on_time.data["a"] == 1
    # No answer for the second step: the clock moves to its deadline and the timer path runs.
    overdue = engine.trial_run(hash_, "steps", {}, {"first": {}}, context)
    assert [step.bpmn_id for step in overdue.route] == ["s", "first", "late", "e"]
    assert overdue.clock == dt.datetime(2030, 5, 31, 16, 0, 1, tzinfo=dt.UTC)
    assert "late" in overdue.element_states["steps"]["COMPLETED"]
    stopped = engine.trial_run(hash_, "steps", {}, {"first": {}}, context, fire_timers=False)
    assert stopped.outcome == "停在「第二步」（second）：没有给出这一步的数据"
    failing = engine.trial_run(hash_, "steps", {"typename": 1}, {}, context)
    assert failing.outcome.startswith("运行出错") and not failing.completed
