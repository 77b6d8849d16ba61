"""Instance state without the embedded spec.

SpiffWorkflow's serializer writes the whole process spec into every instance (13.7 of ~20 KB in
engine-notes §2); storing a reference to the bundle instead halves load and save time. The spec
comes back from the engine's bundle cache.

A finished instance is only ever read again (its data and element states, for the case page),
and most instances of a province's years are finished: those are stored zlib-compressed
(`pack`), about a seventh of the JSON. Running instances stay plain JSON, which is read and
written on every step.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SERIALIZER_VERSION
from SpiffWorkflow.bpmn.specs.defaults import ParallelGateway
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from .joins import ChangeMergingParallelGateway

__all__ = ["SERIALIZER_VERSION", "SpecResolver", "make_serializer", "pack", "unpack"]

_PACKED = "z:"  # prefix of a compressed state; a JSON state starts with "{"


def pack(state: str, finished: bool) -> str:
    if not finished:
        return state
    return _PACKED + base64.b64encode(zlib.compress(state.encode(), 6)).decode("ascii")


def unpack(state: str) -> str:
    if state.startswith(_PACKED):
        return zlib.decompress(base64.b64decode(state[len(_PACKED) :])).decode()
    return state


SpecResolver = Callable[[str, str], tuple[Any, dict[str, Any]]]


def make_serializer(resolve: SpecResolver) -> Any:
    """A serializer whose instances carry {"spec_ref": {"bundle", "process"}} instead of specs."""

    class SpecByReferenceConverter(BpmnWorkflowConverter):  # type: ignore[misc]
        def to_dict(self, workflow: Any) -> dict[str, Any]:
            # WorkflowConverter.to_dict is the part without spec and subprocess_specs.
            dct: dict[str, Any] = super(BpmnWorkflowConverter, self).to_dict(workflow)
            dct["spec_ref"] = {"bundle": workflow.bundle_hash, "process": workflow.spec.name}
            dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
            dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
            return dct

        def from_dict(self, dct: dict[str, Any]) -> Any:
            ref = dct["spec_ref"]
            spec, subprocess_specs = resolve(ref["bundle"], ref["process"])
            workflow = self.target_class(spec, subprocess_specs, deserializing=True)
            workflow.bundle_hash = ref["bundle"]
            workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
            workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
            self.set_default_attributes(workflow, dct)
            self.subprocesses_from_dict(dct["subprocesses"], workflow)
            workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
            return workflow

    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpecByReferenceConverter
    # the join is a parallel gateway to everything that compares specs (a version migration)
    config[ChangeMergingParallelGateway] = config[ParallelGateway]
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
