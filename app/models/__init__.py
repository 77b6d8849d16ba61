"""Every model, imported here so that Alembic and the app see one complete metadata."""

from .audit import AuditEvent
from .base import Base, table_of, utcnow
from .configuration import HolidayDay, ParameterValue
from .documents import Attachment, DecisionRecord, Document
from .file_review import ReviewItem, ReviewSample
from .guidance import ComplianceItem
from .metrics import CaseFact, DashboardTally, StageVisit
from .prevention import (
    Complaint,
    ComplaintImport,
    InspectionItem,
    InspectorConflict,
    SamplingDraw,
    SamplingTarget,
    WarningBatch,
    WarningRecipient,
)
from .reference import Enterprise, Region, ViolationType
from .scheduling import (
    CaseClockEntry,
    Deadline,
    ExternalEvent,
    FineInstalment,
    Incident,
    Job,
    Notification,
    ReliefRecord,
)
from .user import ApiToken, LoginAttempt, SavedFilter, User, UserRole, UserSession
from .workflow import (
    Case,
    CaseComment,
    CaseLibraryEntry,
    CaseOfficer,
    HumanTask,
    NumberSequence,
    ProcessVersion,
    WorkflowBundle,
    WorkflowInstance,
)

__all__ = [
    "Attachment",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Case",
    "CaseClockEntry",
    "FineInstalment",
    "ReliefRecord",
    "CaseComment",
    "CaseOfficer",
    "CaseFact",
    "CaseLibraryEntry",
    "Complaint",
    "ComplaintImport",
    "ComplianceItem",
    "DashboardTally",
    "Deadline",
    "DecisionRecord",
    "Document",
    "Enterprise",
    "ExternalEvent",
    "HolidayDay",
    "HumanTask",
    "InspectionItem",
    "InspectorConflict",
    "Incident",
    "Job",
    "LoginAttempt",
    "Notification",
    "NumberSequence",
    "ParameterValue",
    "ProcessVersion",
    "SavedFilter",
    "StageVisit",
    "Region",
    "ReviewItem",
    "ReviewSample",
    "SamplingDraw",
    "SamplingTarget",
    "User",
    "ViolationType",
    "UserSession",
    "UserRole",
    "WarningBatch",
    "WarningRecipient",
    "WorkflowBundle",
    "WorkflowInstance",
    "table_of",
    "utcnow",
]
