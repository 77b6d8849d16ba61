"""The workflow engine boundary: the only package that imports SpiffWorkflow."""

from .context import RunContext
from .decisions import DecisionError, DecisionResult, MatchedRule
from .dmn_tables import HIT_POLICIES, DecisionTable, Entry, Rule, read_table, write_table
from .runtime import (
    EngineError,
    InvalidTaskData,
    MessageNotExpected,
    Migration,
    Reading,
    ReadyTask,
    RouteStep,
    RuleBroken,
    RunResult,
    TaskNotReady,
    TrialRun,
    Waiting,
    WorkflowEngine,
    set_coverage_listener,
)
from .scripting import ExpressionRefused, ExpressionTimeout
from .serializer import unpack
from .specs import (
    MAX_FILE_BYTES,
    ParsedBundle,
    Problem,
    ProcessInfo,
    UserTaskInfo,
    WorkflowDefinitionError,
    bundle_hash,
    element_fingerprints,
    read_directory,
)

__all__ = [
    "HIT_POLICIES",
    "DecisionTable",
    "Entry",
    "Rule",
    "read_table",
    "write_table",
    "MAX_FILE_BYTES",
    "DecisionError",
    "DecisionResult",
    "MatchedRule",
    "RunContext",
    "EngineError",
    "ExpressionRefused",
    "ExpressionTimeout",
    "InvalidTaskData",
    "MessageNotExpected",
    "Migration",
    "ParsedBundle",
    "Problem",
    "ProcessInfo",
    "ReadyTask",
    "Reading",
    "RuleBroken",
    "RouteStep",
    "RunResult",
    "TrialRun",
    "TaskNotReady",
    "UserTaskInfo",
    "Waiting",
    "WorkflowDefinitionError",
    "WorkflowEngine",
    "bundle_hash",
    "element_fingerprints",
    "read_directory",
    "set_coverage_listener",
    "unpack",
]
