"""The BPMN elements the engine tests executed, for `tijian check-workflows --coverage`: it names
the file in TIJIAN_ELEMENT_COVERAGE_FILE and reads it after the run. Under pytest-xdist each
worker hands its set to the controller, which writes the union (tests/conftest.py)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

COVERED: set[tuple[str, str]] = set()
FILE = os.environ.get("TIJIAN_ELEMENT_COVERAGE_FILE")


def write(covered: Iterable[tuple[str, str]]) -> None:
    if FILE:
        Path(FILE).write_text(json.dumps(sorted(covered)))
