"""Starting workflows and completing user tasks: typed results out, Spiff objects stay inside."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import IntermediateThrowEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask as UserTaskMixin
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from .context import RunContext, running
from .decisions import DecisionResult, evaluate_table
from .scripting import restricted_script_engine
from .serializer import SERIALIZER_VERSION, make_serializer
from .specs import ParsedBundle, WorkflowDefinitionError, form_key_of

_MILESTONE_SPECS = (StartEvent, IntermediateThrowEvent, EndEvent)


class TaskNotReady(LookupError):
    """The task is not (or no longer) waiting for input in this instance."""


class InvalidTaskData(ValueError):
    """Submitted data the engine must not store (for example SpiffWorkflow's reserved keys)."""


class EngineError(RuntimeError):
    """A diagram failed while running: a script, condition or decision raised."""


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
    milestone: str | None
    completed: bool
    data: Mapping[str, Any]


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
            return self._result(workflow)

    def complete_task(
        self,
        state: str,
        task_guid: str,
        data: Mapping[str, Any],
        context: RunContext | None = None,
    ) -> RunResult:
        with running(context or RunContext()):
            return self._complete_task(state, task_guid, data)

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
        checked = _checked(data)
        if isinstance(task.task_spec, UserTaskMixin):
            task.task_spec.add_data_from_form(task, checked)
        else:
            task.set_data(**checked)
        try:
            task.run()
        except WorkflowException as exc:
            raise EngineError(str(exc)) from exc
        self._run(workflow)
        return self._result(workflow)

    def ready_tasks(self, state: str) -> tuple[ReadyTask, ...]:
        with running(RunContext()):
            return _ready_tasks(self._load(state))

    def _resolve(self, bundle_hash: str, process_id: str) -> tuple[Any, dict[str, Any]]:
        return self.bundle(bundle_hash).spec(process_id)

    def _load(self, state: str) -> Any:
        workflow = self._serializer.deserialize_json(state)
        # The script engine is not serialized: without this line a loaded instance would run
        # expressions with plain eval (engine-notes §2).
        workflow.script_engine = self._script_engine
        return workflow

    def _run(self, workflow: Any) -> None:
        try:
            workflow.do_engine_steps()
        except WorkflowException as exc:
            raise EngineError(str(exc)) from exc

    def _result(self, workflow: Any) -> RunResult:
        return RunResult(
            state=self._serializer.serialize_json(workflow),
            serializer_version=SERIALIZER_VERSION,
            ready_tasks=_ready_tasks(workflow),
            milestone=_last_milestone(workflow),
            completed=workflow.is_completed(),
            data=dict(workflow.data),
        )


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
    reached = [
        task
        for task in workflow.get_tasks(state=TaskState.COMPLETED)
        if isinstance(task.task_spec, _MILESTONE_SPECS) and task.task_spec.bpmn_name
    ]
    if not reached:
        return None
    return str(max(reached, key=lambda t: t.last_state_change).task_spec.bpmn_name)
