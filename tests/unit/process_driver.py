"""Drives a case through the process library on the real engine, the way the app does: every
step starts from the stored JSON state, so each step is also a save-and-reload check."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import forms
from app.engine import (
    ParsedBundle,
    RunContext,
    RunResult,
    WorkflowEngine,
    read_directory,
    set_coverage_listener,
    unpack,
)
from app.reference.case_data import INITIAL_CASE_DATA
from app.reference.parameters import defaults
from tests.unit import element_coverage

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
FILES = read_directory(WORKFLOWS)
BUNDLE = ParsedBundle(FILES)
ENGINE = WorkflowEngine(lambda _hash: FILES)
PARAMETERS = defaults(WORKFLOWS / "parameters.toml")


def _collect(_bundle: str, executed: set[tuple[str, str]]) -> None:
    """Element coverage for `tijian check-workflows --coverage` (tests/unit/element_coverage.py)."""
    element_coverage.COVERED.update(executed)


set_coverage_listener(_collect)


def submit_form(form_key: str, data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Post `data` to the task's screen as the app does and return what it would store."""
    form_class = forms.form_class_for(form_key)
    unknown = set(data) - form_class.field_names()
    assert not unknown, f"{form_key} has no fields {sorted(unknown)}"
    form = form_class.from_json(data, today)
    assert form.validate(), f"{form_key}: {form.errors}"
    return form.to_task_data()


class Case:
    def __init__(
        self,
        start: dt.datetime | None = None,
        *,
        process_id: str = "enforcement_case",
        **data: Any,
    ):
        """`process_id`: any process of the bundle; the app starts each with the same data."""
        self.now = start or dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in China
        self.parameters = dict(PARAMETERS)
        initial = {**INITIAL_CASE_DATA, "party_type": "LEGAL_PERSON", "domain": "FOOD", **data}
        self.result: RunResult = ENGINE.start(BUNDLE.hash, process_id, initial, self.context)
        self.state = json.loads(unpack(self.result.state))

    @property
    def context(self) -> RunContext:
        return RunContext(parameters=self.parameters, now=self.now)

    @property
    def ready(self) -> list[str]:
        return [t.bpmn_id for t in self.result.ready_tasks]

    @property
    def stage(self) -> str | None:
        return self.result.milestone

    def today(self) -> str:
        return self.context.today().isoformat()

    def do(self, bpmn_id: str, **data: Any) -> Case:
        """Complete a task the way the app does: the answers go through its WTForms screen."""
        matches = [t for t in self.result.ready_tasks if t.bpmn_id == bpmn_id]
        assert matches, f"{bpmn_id} is not ready; ready: {self.ready}"
        submitted = submit_form(matches[0].form_key or "", data, self.context.today())
        self._apply(
            ENGINE.complete_task(self.result.state, matches[0].guid, submitted, self.context)
        )
        return self

    def do_unchecked(self, bpmn_id: str, **data: Any) -> Case:
        """Complete a task with raw data, bypassing its screen (to provoke engine errors)."""
        task = next(t for t in self.result.ready_tasks if t.bpmn_id == bpmn_id)
        self._apply(ENGINE.complete_task(self.result.state, task.guid, data, self.context))
        return self

    def message(self, name: str, **payload: Any) -> Case:
        self._apply(ENGINE.deliver_message(self.result.state, name, payload, self.context))
        return self

    def advance(self, days: float = 0, to: dt.datetime | None = None) -> Case:
        """Move the clock and fire whatever timers became due."""
        self.now = to or self.now + dt.timedelta(days=days)
        self._apply(ENGINE.fire_due_timers(self.result.state, self.context))
        return self

    def advance_past_next_timer(self) -> Case:
        due = self.result.next_timer
        assert due is not None, "no timer is waiting"
        return self.advance(to=due + dt.timedelta(minutes=1))

    def advance_past(self, bpmn_id: str) -> Case:
        """Fire the timer of `bpmn_id` (and whatever falls due before it): branches running side
        by side each wait for timers of their own."""
        due = [w.due for w in self.result.waiting if w.bpmn_id == bpmn_id and w.due is not None]
        assert due, f"{bpmn_id} is not waiting for a timer"
        return self.advance(to=due[0] + dt.timedelta(minutes=1))

    def waiting_for(self) -> list[str]:
        return sorted(w.bpmn_id for w in self.result.waiting)

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.result.data)

    def _apply(self, result: RunResult) -> None:
        self.result = result
        self.state = json.loads(unpack(result.state))
        assert "spec" not in self.state  # stored by reference, always
