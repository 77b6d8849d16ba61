"""The workflow engine boundary: the only package that imports SpiffWorkflow."""

from .context import RunContext
from .decisions import DecisionError, DecisionResult, MatchedRule
from .runtime import (
    EngineError,
    InvalidTaskData,
    ReadyTask,
    RunResult,
    TaskNotReady,
    WorkflowEngine,
)
from .scripting import ExpressionRefused, ExpressionTimeout
from .specs import (
    ParsedBundle,
    ProcessInfo,
    UserTaskInfo,
    WorkflowDefinitionError,
    bundle_hash,
    read_directory,
)

__all__ = [
    "DecisionError",
    "DecisionResult",
    "MatchedRule",
    "RunContext",
    "EngineError",
    "ExpressionRefused",
    "ExpressionTimeout",
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
    "read_directory",
]
