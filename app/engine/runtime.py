"""Starting workflows and completing user tasks: typed results out, Spiff objects stay inside."""

from __future__ import annotations

import ast
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import ParallelGateway
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition as AnyMessage
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import (
    BoundaryEvent,
    IntermediateThrowEvent,
)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.util.diff import diff_workflow, filter_tasks, migrate_workflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from .context import HELPERS, RuleViolation, RunContext, UnknownParameter, running
from .decisions import DecisionResult, evaluate_table
from .joins import ChangeMergingParallelGateway, common_ancestor, merge_changes
from .scripting import ExpressionRefused, ExpressionTimeout, restricted_script_engine
from .serializer import SERIALIZER_VERSION, make_serializer, pack, unpack
from .specs import ParsedBundle, Problem, WorkflowDefinitionError, form_key_of

_MILESTONE_SPECS = (StartEvent, IntermediateThrowEvent, EndEvent)


@dataclass(frozen=True)
class Reading:
    data: dict[str, Any]  # the case data as of now
    # per process and state (READY, WAITING, COMPLETED, …) the BPMN element ids
    element_states: dict[str, dict[str, list[str]]]


class TaskNotReady(LookupError):
    """The task is not (or no longer) waiting for input in this instance."""


class InvalidTaskData(ValueError):
    """Submitted data the engine must not store (for example SpiffWorkflow's reserved keys)."""


class EngineError(RuntimeError):
    """A diagram failed while running: a script, condition, timer or decision raised.
    The message names the element."""

    def __init__(self, message: str, element: str | None = None):
        super().__init__(f"{element}: {message}" if element else message)
        self.element = element
        self.reason = message


class RuleBroken(EngineError):
    """A statutory check in the diagram (`require(...)`) refused the step."""


class MessageNotExpected(LookupError):
    """The instance is not waiting for this message (or it was already received)."""


@dataclass(frozen=True)
class RouteStep:
    process_id: str
    bpmn_id: str
    name: str


@dataclass(frozen=True)
class TrialRun:
    """A sandbox run of a process (nothing stored): the route and where it stopped."""

    route: tuple[RouteStep, ...]
    element_states: dict[str, dict[str, list[str]]]
    outcome: str
    completed: bool
    data: dict[str, Any]
    clock: dt.datetime  # the simulated time at the end (timers move it)


@dataclass(frozen=True)
class Migration:
    refusals: tuple[str, ...]  # why the instance cannot move (empty: it can)
    result: RunResult | None  # the instance on the new version, when it can


@dataclass(frozen=True)
class Waiting:
    """Something the instance waits for besides people: a timer (with its due time) or a message."""

    process_id: str
    bpmn_id: str
    name: str
    kind: str  # "timer" | "message"
    due: dt.datetime | None
    message: str | None
    boundary: bool = False  # a deadline on a pending task (its passing is an overdue)
    attached_to: str | None = None  # the task a boundary deadline sits on


@dataclass(frozen=True)
class ReadyTask:
    guid: str
    process_id: str
    bpmn_id: str
    name: str
    form_key: str | None
    lane: str | None
    documentation: str | None
    instructions: str | None


@dataclass(frozen=True)
class RunResult:
    state: str
    serializer_version: str
    ready_tasks: tuple[ReadyTask, ...]
    waiting: tuple[Waiting, ...]
    milestone: str | None
    completed: bool
    data: Mapping[str, Any]
    # What the stored instance awaited before this run (None when unknown): the task and timer
    # rows mirror it, so the caller writes only what the run changed instead of reading them.
    # A completed task is not among the ready ones: its row is the completion's own update.
    ready_before: frozenset[str] | None = None
    waiting_before: tuple[Waiting, ...] | None = None

    @property
    def next_timer(self) -> dt.datetime | None:
        dues = [w.due for w in self.waiting if w.due is not None]
        return min(dues) if dues else None


BundleLoader = Callable[[str], Mapping[str, str]]


class WorkflowEngine:
    """One per process. Bundles are parsed on first use and kept in a small LRU cache."""

    def __init__(self, load_bundle: BundleLoader, cache_size: int = 32):
        self._load_bundle = load_bundle
        self._cache: OrderedDict[str, ParsedBundle] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._script_engine = restricted_script_engine()
        self._serializer = make_serializer(self._resolve)

    def parsed(self, bundle_hash: str) -> bool:
        """Whether the bundle is in the cache (its next use parses nothing)."""
        with self._lock:
            return bundle_hash in self._cache

    def bundle(self, bundle_hash: str) -> ParsedBundle:
        with self._lock:
            parsed = self._cache.get(bundle_hash)
            if parsed is not None:
                self._cache.move_to_end(bundle_hash)
                return parsed
        parsed = ParsedBundle(self._load_bundle(bundle_hash))
        with self._lock:
            self._cache[bundle_hash] = parsed
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return parsed

    def start(
        self,
        bundle_hash: str,
        process_id: str,
        data: Mapping[str, Any],
        context: RunContext | None = None,
    ) -> RunResult:
        spec, subprocess_specs = self._resolve(bundle_hash, process_id)
        with running(context or RunContext()):
            workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self._script_engine)
            workflow.bundle_hash = bundle_hash
            workflow.task_tree.set_data(**_checked(data))
            self._run(workflow)
            return self._result(workflow, (frozenset(), ()))  # a new instance awaited nothing

    def complete_task(
        self,
        state: str,
        task_guid: str,
        data: Mapping[str, Any],
        context: RunContext | None = None,
    ) -> RunResult:
        with running(context or RunContext()):
            return self._complete_task(state, task_guid, data)

    def deliver_message(
        self,
        state: str,
        message: str,
        payload: Mapping[str, Any],
        context: RunContext | None = None,
    ) -> RunResult:
        """Hand an external message (a hearing request, a court's reply) to this instance only.
        SpiffWorkflow does not enforce correlation behind event-based gateways, so the caller
        loads exactly the addressed case and nothing is broadcast."""
        with running(context or RunContext()):
            workflow = self._load(state)
            before = _awaited(workflow)
            event = BpmnEvent(MessageEventDefinition(message), payload=_checked(payload))
            try:
                workflow.send_event(event)
            except WorkflowException:
                raise MessageNotExpected(message) from None
            self._run(workflow)
            return self._result(workflow, before)

    def fire_due_timers(self, state: str, context: RunContext | None = None) -> RunResult:
        """Fire every timer due at the context's time and run on."""
        with running(context or RunContext()):
            workflow = self._load(state)
            before = _awaited(workflow)
            try:
                workflow.refresh_timers()
            except WorkflowException as exc:
                raise _engine_error(exc) from exc
            self._run(workflow)
            return self._result(workflow, before)

    def read(self, state: str) -> Reading:
        """The case data and the diagram's element states from one load: a case page needs both,
        and loading is most of its cost."""
        with running(RunContext()):
            workflow = self._load(state)
        return Reading(data=_latest_data(workflow), element_states=_element_states(workflow))

    def inspect(self, state: str) -> RunResult:
        """What the stored instance waits for (ready tasks, timers, messages), its milestone and
        whether it has finished — without running a step: for consistency checks."""
        with running(RunContext()):
            return self._result(self._load(state))

    def task_data(self, state: str, task_guid: str) -> dict[str, Any]:
        """What one READY task sees (in parallel branches this differs from the case data)."""
        with running(RunContext()):
            task = self._load(state).get_task_from_id(UUID(task_guid))
        return dict(task.data)

    def migrate(self, state: str, new_bundle: str, context: RunContext | None = None) -> Migration:
        """Move an instance onto the same process of another bundle, where SpiffWorkflow's diff
        says it is safe: no step already done (or in progress) was changed or removed, and
        every running sub-process still exists. Pending steps and waiting events are re-armed
        on the new diagram, so a deadline the new version would make earlier is a refusal too
        (deadlines already running never move earlier). Nothing is stored here."""
        with running(context or RunContext()):
            workflow = self._load(state)
            before = {(w.process_id, w.bpmn_id): w.due for w in _waiting(workflow) if w.due}
            new_spec, new_dependencies = self._resolve(new_bundle, workflow.spec.name)
            registry = self._serializer.registry
            top, subs = diff_workflow(registry, workflow, new_spec, new_dependencies)
            refusals = _unsafe_changes(top)
            for sub_id, sub_diff in subs.items():
                name = workflow.subprocesses[sub_id].spec.name
                if sub_diff is None:
                    refusals.append(f"{name}: 新版本中没有这个流程")
                else:
                    refusals += _unsafe_changes(sub_diff)
            if refusals:
                return Migration(tuple(refusals), None)
            try:  # re-arming evaluates the new diagram's timers and conditions
                migrate_workflow(top, workflow, new_spec)
                _declare_data_objects(workflow)
                for sub_id, sub in workflow.subprocesses.items():
                    migrate_workflow(subs[sub_id], sub, new_dependencies[sub.spec.name])
                workflow.subprocess_specs = new_dependencies
                workflow.bundle_hash = new_bundle
                self._run(workflow)
            except (WorkflowException, EngineError) as exc:
                return Migration((f"新版本无法接续本案：{exc}",), None)
            result = self._result(workflow)
        earlier = [
            f"{w.process_id}/{w.bpmn_id}（{w.name}）: 期限将从 {before[key]:%Y-%m-%d %H:%M} "
            f"提前到 {w.due:%Y-%m-%d %H:%M}"
            for w in result.waiting
            if w.due and (key := (w.process_id, w.bpmn_id)) in before and w.due < before[key]
        ]
        return Migration(tuple(earlier), None if earlier else result)

    def evaluate_decision(
        self,
        bundle_hash: str,
        decision_id: str,
        inputs: Mapping[str, Any],
        context: RunContext | None = None,
    ) -> DecisionResult:
        try:
            table, version = self.bundle(bundle_hash).decisions[decision_id]
        except KeyError:
            raise WorkflowDefinitionError(f"决策 {decision_id} 不在此版本中") from None
        with running(context or RunContext()):
            return evaluate_table(decision_id, table, inputs, self._script_engine, version)

    def _complete_task(self, state: str, task_guid: str, data: Mapping[str, Any]) -> RunResult:
        workflow = self._load(state)
        try:
            task = workflow.get_task_from_id(UUID(task_guid))
        except (ValueError, WorkflowException):
            task = None
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(task_guid)
        before = _awaited(workflow, task_guid)
        self._submit(workflow, task, data)
        return self._result(workflow, before)

    def _submit(self, workflow: Any, task: Any, data: Mapping[str, Any]) -> None:
        checked = _checked(data)
        # Not add_data_from_form: its deep merge keeps stale list items (a changed `sanctions`
        # list came back unchanged). A submitted field replaces the earlier value.
        variable = getattr(task.task_spec, "variable", None)
        task.set_data(**({variable: checked} if variable else checked))
        try:
            task.run()
        except WorkflowException as exc:
            raise _engine_error(exc) from exc
        self._run(workflow)

    def trial_run(
        self,
        bundle_hash: str,
        process_id: str,
        start_data: Mapping[str, Any],
        answers: Mapping[str, Any],
        context: RunContext,
        fire_timers: bool = True,
        max_steps: int = 200,
    ) -> TrialRun:
        """Play a path through a process in memory, touching nothing stored: each ready user
        task gets its answers (a dict, or a list of dicts used in turn when the step repeats);
        when no ready step has answers left and `fire_timers` is set, the clock moves to the
        next timer and it fires (a missing answer then plays the overdue path)."""
        spec, subprocess_specs = self._resolve(bundle_hash, process_id)
        clock = context
        used: dict[str, int] = {}

        def answer_for(task: Any) -> Mapping[str, Any] | None:
            given = answers.get(task.task_spec.bpmn_id)
            if isinstance(given, list):
                turn = used.get(task.task_spec.bpmn_id, 0)
                given = given[turn] if turn < len(given) else None
            return given if isinstance(given, Mapping) else None

        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self._script_engine)
        workflow.bundle_hash = bundle_hash
        outcome = f"超过 {max_steps} 步，已停止（流程是否有循环？）"
        try:
            with running(clock):
                workflow.task_tree.set_data(**_checked(start_data))
                self._run(workflow)
            for _ in range(max_steps):
                if workflow.is_completed():
                    outcome = "流程结束"
                    break
                ready = [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]
                answered = [(t, a) for t in ready if (a := answer_for(t)) is not None]
                if answered:
                    task, answer = answered[0]
                    used[task.task_spec.bpmn_id] = used.get(task.task_spec.bpmn_id, 0) + 1
                    with running(clock):
                        self._submit(workflow, task, answer)
                    continue
                timers = [w.due for w in _waiting(workflow) if w.kind == "timer" and w.due]
                if fire_timers and timers:
                    # a timer fires once the clock is past its due time
                    due = min(timers) + dt.timedelta(seconds=1)
                    clock = replace(clock, now=max(due, clock.current_time()))
                    with running(clock):
                        workflow.refresh_timers()
                        self._run(workflow)
                    continue
                if ready:
                    step = ready[0].task_spec
                    name = step.bpmn_name or step.bpmn_id
                    outcome = f"停在「{name}」（{step.bpmn_id}）：没有给出这一步的数据"
                else:
                    names = "、".join(w.name for w in _waiting(workflow)) or "无"
                    outcome = f"等待：{names}"
                break
        except (EngineError, InvalidTaskData, WorkflowException) as exc:
            outcome = f"运行出错：{exc}"
        return TrialRun(
            route=_route(workflow),
            element_states=_element_states(workflow),
            outcome=outcome,
            completed=workflow.is_completed(),
            data=_latest_data(workflow),
            clock=clock.current_time(),
        )

    def ready_tasks(self, state: str) -> tuple[ReadyTask, ...]:
        with running(RunContext()):
            return _ready_tasks(self._load(state))

    def expression_problems(self, bundle: ParsedBundle) -> list[Problem]:
        """Every expression of the bundle compiled under the sandbox, and every timer checked
        for what can be known before it runs; the refusals, by element."""
        problems = []
        for expression in bundle.expressions():
            refusal = self.expression_refusal(expression.source, expression.mode, expression.timer)
            if refusal:
                problems.append(
                    Problem(
                        f"{expression.element}: {expression.source!r}: {refusal}",
                        expression.filename,
                        expression.element,
                    )
                )
        return problems

    def expression_refusal(
        self, source: str, mode: str = "eval", timer: str | None = None
    ) -> str | None:
        """Why the sandbox would refuse this code (None: it compiles; a timer also parses)."""
        environment = self._script_engine.environment
        try:
            environment.check(source, mode)
            if timer:
                _check_timer(source, timer, environment.globals)
        except (ExpressionRefused, SyntaxError, ValueError) as exc:
            return str(exc)
        return None

    @staticmethod
    def helper_names() -> list[str]:
        """The functions every expression may call (for the designer's help)."""
        return sorted(HELPERS)

    def _resolve(self, bundle_hash: str, process_id: str) -> tuple[Any, dict[str, Any]]:
        return self.bundle(bundle_hash).spec(process_id)

    def _load(self, state: str) -> Any:
        workflow = self._serializer.deserialize_json(unpack(state))
        # The script engine is not serialized: without this line a loaded instance would run
        # expressions with plain eval (engine-notes §2).
        workflow.script_engine = self._script_engine
        return workflow

    def _run(self, workflow: Any) -> None:
        try:
            workflow.do_engine_steps()
        except WorkflowException as exc:
            raise _engine_error(exc) from exc
        if workflow.is_completed():
            # branches that ended apart (the case's loop, the relief track): the result holds
            # what each decided, not the copy the last to end carried from before the split
            # (SpiffWorkflow's end join lays the branches' whole data over one another)
            merged = _merged_branches(workflow)
            if merged is not None:
                workflow.data.update(merged)

    def _result(
        self,
        workflow: Any,
        before: tuple[frozenset[str], tuple[Waiting, ...]] | None = None,
    ) -> RunResult:
        if _coverage_listener is not None:
            _coverage_listener(workflow.bundle_hash, _executed_elements(workflow))
        return RunResult(
            state=pack(self._serializer.serialize_json(workflow), workflow.is_completed()),
            serializer_version=SERIALIZER_VERSION,
            ready_tasks=_ready_tasks(workflow),
            waiting=_waiting(workflow),
            milestone=_last_milestone(workflow),
            completed=workflow.is_completed(),
            data=_latest_data(workflow),
            ready_before=before[0] if before else None,
            waiting_before=before[1] if before else None,
        )


_TIMER_PARSERS: dict[str, Callable[[str], Any]] = {
    "timeDate": TimerEventDefinition.get_datetime,
    "timeDuration": TimerEventDefinition.parse_iso_duration,
    "timeCycle": TimerEventDefinition.parse_iso_recurring_interval,
}


def _check_timer(source: str, kind: str, known: Mapping[str, Any]) -> None:
    """A literal must be an ISO 8601 date, duration or cycle; an expression may call only the
    helpers and builtins the sandbox offers (a misspelt helper would fail only when the timer
    is reached, maybe months into a case)."""
    body = ast.parse(source, mode="eval").body
    if isinstance(body, ast.Constant):
        if not isinstance(body.value, str):
            raise ValueError("定时器应为 ISO 8601 字符串或计算时间的表达式")
        try:
            _TIMER_PARSERS[kind](body.value)
        except Exception as exc:  # the parsers raise whatever their parsing hits
            raise ValueError(f"不是有效的 ISO 8601 {kind}") from exc
        return
    builtins = known.get("__builtins__") or {}
    for node in ast.walk(body):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name not in known and name not in builtins:
                raise ValueError(f"未知的函数 {name}")


def _element_states(workflow: Any) -> dict[str, dict[str, list[str]]]:
    """Per process: task state name → the BPMN ids in that state (for marking the diagram)."""
    found: dict[str, dict[str, set[str]]] = {}
    for task in workflow.get_tasks():
        if task.task_spec.bpmn_id is None:  # Spiff's internal tasks
            continue
        by_state = found.setdefault(task.workflow.spec.name, {})
        by_state.setdefault(TaskState.get_name(task.state), set()).add(task.task_spec.bpmn_id)
    return {p: {s: sorted(i) for s, i in states.items()} for p, states in found.items()}


def _route(workflow: Any) -> tuple[RouteStep, ...]:
    """The flow nodes that ran, in the order they finished."""
    done = [
        task
        for task in workflow.get_tasks(state=TaskState.COMPLETED)
        if task.task_spec.bpmn_id is not None
    ]
    done.sort(key=lambda task: task.last_state_change)
    return tuple(
        RouteStep(
            task.workflow.spec.name,
            task.task_spec.bpmn_id,
            task.task_spec.bpmn_name or task.task_spec.bpmn_id,
        )
        for task in done
    )


def _unsafe_changes(diff: Any) -> list[str]:
    done = TaskState.COMPLETED | TaskState.STARTED
    return [
        f"{task.workflow.spec.name}/{task.task_spec.bpmn_id or task.task_spec.name}"
        f"（{task.task_spec.bpmn_name or ''}）: 已办理的步骤在新版本中被修改或删除"
        for task in filter_tasks(diff.changed + diff.removed, state=done)
    ]


CoverageListener = Callable[[str, set[tuple[str, str]]], None]
_coverage_listener: CoverageListener | None = None


def set_coverage_listener(listener: CoverageListener | None) -> None:
    """Receive the (process id, element id) pairs every run has executed so far — used by the
    engine tests to measure element coverage; off (None) in the application."""
    global _coverage_listener
    _coverage_listener = listener


def _engine_error(exc: WorkflowException) -> EngineError:
    element = getattr(exc, "task_spec", None)
    name = (
        (getattr(element, "bpmn_name", None) or getattr(element, "bpmn_id", None))
        if element
        else None
    )
    # SpiffWorkflow keeps only the class name of what an expression raised, not always the cause.
    error_type = getattr(exc, "error_type", "")
    if error_type in ("ExpressionRefused", "ExpressionTimeout", "UnknownParameter"):
        return EngineError(f"{error_type}: {exc}", name)
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, RuleViolation):
            return RuleBroken(str(cause), name)
        if isinstance(cause, ExpressionRefused | ExpressionTimeout | UnknownParameter):
            return EngineError(f"{type(cause).__name__}: {cause}", name)
        cause = cause.__cause__ or cause.__context__
    return EngineError(str(exc), name)


def _executed_elements(workflow: Any) -> set[tuple[str, str]]:
    """Completed flow nodes plus the sequence flows between them (as "source->target")."""
    executed: set[tuple[str, str]] = set()
    for task in workflow.get_tasks(state=TaskState.COMPLETED | TaskState.STARTED):
        spec = task.task_spec
        if spec.bpmn_id is None:
            continue
        process = task.workflow.spec.name
        executed.add((process, spec.bpmn_id))
        parent = task.parent
        while parent is not None and parent.task_spec.bpmn_id is None:
            parent = parent.parent
        if parent is not None and parent.workflow is task.workflow:
            executed.add((process, f"{parent.task_spec.bpmn_id}->{spec.bpmn_id}"))
    return executed


def _waiting(workflow: Any) -> tuple[Waiting, ...]:
    waiting: list[Waiting] = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, MultipleEventDefinition):
            # An event-based gateway holds its branches' events, in the order of its outputs.
            for spec, event in zip(
                task.task_spec.outputs, definition.event_definitions, strict=False
            ):
                waiting.extend(_waiting_on(task, spec, event))
        elif definition is not None:
            waiting.extend(_waiting_on(task, task.task_spec, definition))
    return tuple(waiting)


def _waiting_on(task: Any, spec: Any, definition: Any) -> list[Waiting]:
    if isinstance(definition, TimerEventDefinition):
        value = task._get_internal_data("event_value")
        due = _plain(TimerEventDefinition.get_datetime(value)) if isinstance(value, str) else None
        kind, message = "timer", None
    elif isinstance(definition, AnyMessage):
        due, kind, message = None, "message", definition.name
    else:
        return []
    process = task.workflow.spec.name
    name = spec.bpmn_name or spec.bpmn_id
    boundary = isinstance(spec, BoundaryEvent)
    attached = _attached_task(task) if boundary else None
    return [Waiting(process, spec.bpmn_id, name, kind, due, message, boundary, attached)]


def _attached_task(boundary_task: Any) -> str | None:
    """The activity a boundary event sits on: its sibling under SpiffWorkflow's split task."""
    if boundary_task.parent is None:
        return None
    for sibling in boundary_task.parent.children:
        spec = sibling.task_spec
        if spec.bpmn_id and not isinstance(spec, BoundaryEvent):
            return str(spec.bpmn_id)
    return None


def _declare_data_objects(workflow: Any) -> None:
    """The data objects the new diagram declares, empty (as a new instance starts them): an
    instance begun without them would otherwise fail where a step reads one."""
    declared = workflow.data.setdefault("data_objects", {})
    for name in workflow.spec.data_objects:
        declared.setdefault(name, None)


def _latest_data(workflow: Any) -> dict[str, Any]:
    """The case data as of now: the process result once complete, else the data of the task that
    changed last (a READY task carries everything decided before it)."""
    if workflow.is_completed():
        return dict(workflow.data)
    candidates = [
        task
        for task in workflow.get_tasks(
            state=TaskState.READY | TaskState.WAITING | TaskState.COMPLETED
        )
        # Spiff's own join tasks lag behind; a parallel join still waiting for its other
        # branches holds no data yet
        if task.task_spec.bpmn_id is not None and task.data
    ]
    merged = _merged_branches(workflow)
    if merged is not None:
        return merged
    # While a stage (a called process) runs, the case's data is the stage's: a side path of
    # the main process (an extension of the decision clock, approved meanwhile) holds only the
    # copy the stage started from.
    in_stage = [task for task in candidates if _in_running_stage(task)]
    latest = max(in_stage or candidates, key=lambda task: task.last_state_change, default=None)
    return dict(latest.data) if latest is not None else {}


def _merged_branches(workflow: Any) -> dict[str, Any] | None:
    """While stages run side by side (H, I and K after the decision), the case's data is what
    each branch changed since the split, as their join will merge it; None when a single branch
    runs."""
    tips: list[Any] = []  # the task holding each branch's latest data
    waiting = TaskState.READY | TaskState.WAITING
    for task in workflow.get_tasks(state=waiting, skip_subprocesses=True):
        spec = task.task_spec
        if isinstance(spec, ChangeMergingParallelGateway):  # branches that already arrived
            tips.extend(
                arrived.parent
                for arrived in workflow.get_tasks(spec_name=spec.name, skip_subprocesses=True)
                if arrived.state in (TaskState.WAITING, TaskState.CANCELLED)
            )
        elif spec.bpmn_id is not None and task.data and not isinstance(spec, BoundaryEvent):
            tips.append(task)
    ended = None if tips else _ended_apart(workflow)
    if ended is not None:  # the main process waits for nothing: its branches ended apart
        tips.extend(ended[1])
    for stage in workflow.subprocesses.values():  # a running stage: its latest step
        if not stage.is_completed():
            steps = [
                task
                for task in stage.get_tasks(
                    state=TaskState.READY | TaskState.WAITING | TaskState.COMPLETED,
                    skip_subprocesses=True,
                )
                if task.task_spec.bpmn_id is not None and task.data
            ]
            if steps:
                tips.append(max(steps, key=lambda task: task.last_state_change))
    places = [_in_main_process(task, workflow) for task in tips]
    if len({id(place) for place in places}) < 2:
        return None
    split = ended[0] if ended is not None else common_ancestor(places[0], places[1:])
    if split is None:
        return None
    return merge_changes(split.data, tips)


def _ended_apart(workflow: Any) -> tuple[Any, list[Any]] | None:
    """The latest parallel split of the main process some of whose branches have reached their
    own end (the case's loop closed while the relief track waits for the 复议 and 诉讼 periods,
    or ended after it), with those ends: each holds what its branch decided."""
    splits = [
        task
        for task in workflow.get_tasks(state=TaskState.COMPLETED, skip_subprocesses=True)
        if isinstance(task.task_spec, ParallelGateway) and len(task.children) > 1
    ]
    for split in sorted(splits, key=lambda task: task.last_state_change, reverse=True):
        ends = [
            task
            for task in workflow.get_tasks(state=TaskState.COMPLETED, skip_subprocesses=True)
            if isinstance(task.task_spec, EndEvent) and task.is_descendant_of(split)
        ]
        if ends:
            return split, ends
    return None


def _in_main_process(task: Any, workflow: Any) -> Any:
    """The main-process task a task of a called stage runs under (the call activity)."""
    while task.workflow is not workflow:
        task = workflow.get_task_from_id(task.workflow.parent_task_id)
    return task


def _in_running_stage(task: Any) -> bool:
    workflow = task.workflow
    return workflow is not workflow.top_workflow and not workflow.is_completed()


def _plain(moment: dt.datetime) -> dt.datetime:
    """A plain aware datetime (SpiffWorkflow hands back our clock subclass)."""
    return dt.datetime.fromtimestamp(moment.timestamp(), dt.UTC)


def _checked(data: Mapping[str, Any]) -> dict[str, Any]:
    # A dict with a "typename" key is revived as an object on load (spiff-arena#1712).
    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            if "typename" in value:
                raise InvalidTaskData("typename")
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(data)
    return dict(data)


def _awaited(
    workflow: Any, completing: str | None = None
) -> tuple[frozenset[str], tuple[Waiting, ...]]:
    """The ready user tasks (ids; less the one being completed, whose row its completion
    updates) and the events a loaded instance waits for."""
    ready = {str(task.id) for task in workflow.get_tasks(state=TaskState.READY, manual=True)}
    return frozenset(ready - {completing}), _waiting(workflow)


def _ready_tasks(workflow: Any) -> tuple[ReadyTask, ...]:
    return tuple(
        ReadyTask(
            guid=str(task.id),
            process_id=task.workflow.spec.name,
            bpmn_id=task.task_spec.bpmn_id,
            name=task.task_spec.bpmn_name or task.task_spec.bpmn_id,
            form_key=form_key_of(task.task_spec),
            lane=task.task_spec.lane,
            documentation=task.task_spec.documentation,
            instructions=task.task_spec.extensions.get("instructionsForEndUser"),
        )
        for task in workflow.get_tasks(state=TaskState.READY, manual=True)
    )


def _last_milestone(workflow: Any) -> str | None:
    """The stage: the latest milestone of the running stage that comes first in the loop. Stages
    running side by side (H, I and K after the decision) show the earliest still holding the case
    up (the library names each stage after its letter in the loop, A to L); a case that has
    ended, or waits in the main process, shows its latest milestone."""
    reached = [
        task
        for task in workflow.get_tasks(state=TaskState.COMPLETED)
        if isinstance(task.task_spec, _MILESTONE_SPECS) and task.task_spec.bpmn_name
    ]
    if not reached:
        return None
    if not workflow.is_completed():
        running: dict[int, list[Any]] = {}
        for task in reached:
            if task.workflow is not workflow and not task.workflow.is_completed():
                running.setdefault(id(task.workflow), []).append(task)
        if running:
            reached = min(running.values(), key=_stage_name)
    return str(max(reached, key=lambda t: t.last_state_change).task_spec.bpmn_name)


def _stage_name(milestones: list[Any]) -> str:
    """A running stage's name: its first milestone's (its start event's)."""
    return str(min(milestones, key=lambda m: m.last_state_change).task_spec.bpmn_name)
