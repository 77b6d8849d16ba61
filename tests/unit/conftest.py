"""Unit tests: no app, no database."""

from __future__ import annotations

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # `tijian check-workflows --coverage` asks for the executed BPMN elements of this run.
    from .process_driver import write_coverage

    write_coverage()
