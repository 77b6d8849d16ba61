"""The workflow engine boundary: the only package that imports SpiffWorkflow."""

from .runtime import (
    EngineError,
    InvalidTaskData,
    ReadyTask,
    RunResult,
    TaskNotReady,
    WorkflowEngine,
)
from .scripting import ExpressionRefused
from .specs import (
    ParsedBundle,
    ProcessInfo,
    UserTaskInfo,
    WorkflowDefinitionError,
    bundle_hash,
)

__all__ = [
    "EngineError",
    "ExpressionRefused",
    "InvalidTaskData",
    "ParsedBundle",
    "ProcessInfo",
    "ReadyTask",
    "RunResult",
    "TaskNotReady",
    "UserTaskInfo",
    "WorkflowDefinitionError",
    "WorkflowEngine",
    "bundle_hash",
]
