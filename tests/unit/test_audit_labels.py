"""Every action the services audit has a Chinese label for the timeline and the audit viewer."""

from __future__ import annotations

import re
from pathlib import Path

from app.integration.events import MESSAGES, NOTICES
from app.platform.audit import ACTION_LABELS

APP = Path(__file__).resolve().parents[2] / "app"


def test_every_audited_action_has_a_label() -> None:
    recorded = {
        action
        for source in APP.rglob("*.py")
        for action in re.findall(r'\brecord\(\s*"(\w+)"', source.read_text(encoding="utf-8"))
    }
    recorded |= set(MESSAGES.values()) | set(NOTICES)  # recorded under the event's own name
    assert len(recorded) > 20
    assert recorded - set(ACTION_LABELS) == set()
