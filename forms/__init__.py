"""Task screens: one WTForms class per BPMN formKey. Imports only WTForms, never Flask or app.

Field names are the BPMN data variable names that gateways, scripts and decisions read.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import N_, TaskForm

_REGISTRY: dict[str, type[TaskForm]] = {}
# screens no current diagram uses, kept for the cases still running an earlier version
LEGACY_FORM_KEYS = frozenset({"investigation.extension_request", "credit.application"})


def task_form(form_key: str) -> Callable[[type[TaskForm]], type[TaskForm]]:
    def register(cls: type[TaskForm]) -> type[TaskForm]:
        if form_key in _REGISTRY:
            raise ValueError(f"formKey {form_key} registered twice")
        _REGISTRY[form_key] = cls
        cls.form_key = form_key
        return cls

    return register


def form_class_for(form_key: str) -> type[TaskForm]:
    return _REGISTRY[form_key]


def registered_form_keys() -> frozenset[str]:
    return frozenset(_REGISTRY)


def field_label(name: str) -> str:
    """What the screens call a case-data field (the first screen that asks for it), for
    messages that would otherwise show the field's name."""
    for form_class in _REGISTRY.values():
        field = getattr(form_class, name, None)
        label = getattr(field, "args", ())[:1]
        if label:
            return str(label[0])
    return name


# Registration happens on import of each module (one per stage of the process library).
from . import (  # noqa: E402
    approval,
    assistance,
    closure,
    credit,
    decision,
    enforcement,
    filing,
    inspection,
    investigation,
    notice,
    review,
    summary,
    visit,
    warning,
)

__all__ = [
    "LEGACY_FORM_KEYS",
    "N_",
    "TaskForm",
    "approval",
    "assistance",
    "closure",
    "credit",
    "decision",
    "enforcement",
    "filing",
    "form_class_for",
    "inspection",
    "investigation",
    "notice",
    "registered_form_keys",
    "review",
    "summary",
    "task_form",
    "visit",
    "warning",
]
