"""Every setting of workflows/parameters.toml is read by a diagram, a decision table or a service
(issue 30 item 8): a key nothing reads is a rule that looks configured but is not enforced."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PARAMETERS = tomllib.loads((ROOT / "workflows" / "parameters.toml").read_text(encoding="utf-8"))


def _readers() -> dict[str, str]:
    """Each file that could read a setting, with its text: diagrams and tables call
    param("KEY"); services name the key as a string."""
    files = [
        *(ROOT / "workflows").rglob("*.bpmn"),
        *(ROOT / "workflows").rglob("*.dmn"),
        *(ROOT / "app").rglob("*.py"),
    ]
    return {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in files}


def unread(keys: list[str], readers: dict[str, str]) -> list[str]:
    pattern = r"""param\(\s*["']{key}["']\s*\)|["']{key}["']"""
    return [
        key
        for key in keys
        if not any(re.search(pattern.format(key=key), text) for text in readers.values())
    ]


def test_every_parameter_is_read_by_a_diagram_a_table_or_a_service() -> None:
    assert unread(list(PARAMETERS), _readers()) == []


def test_the_check_reports_a_key_nothing_reads() -> None:
    readers = _readers()
    assert unread(["NO_SUCH_SETTING_WD", "PAY_FINE_CD"], readers) == ["NO_SUCH_SETTING_WD"]
