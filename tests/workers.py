"""pytest-xdist (`scripts/test` runs the suite in several worker processes): which process this
is, what the workers of one run share, and a lock for building a shared thing once.

The controller hands each worker the run's id (`pytest_configure_node` in tests/conftest.py);
the workers build the template databases once per run under a file lock in the run's shared
temporary folder, hand what they counted to the controller when they finish, and the controller
writes the reports and drops the shared PostgreSQL templates after the last worker is done.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import pytest

RUN_KEY = "tijian_run"


def role(config: pytest.Config) -> Literal["worker", "controller", "alone"]:
    if hasattr(config, "workerinput"):
        return "worker"
    if config.pluginmanager.hasplugin("dsession"):
        return "controller"
    return "alone"


def worker_input(config: pytest.Config) -> dict[str, Any]:
    return getattr(config, "workerinput", {})


def worker_output(config: pytest.Config) -> dict[str, Any]:
    """What a worker sends to the controller when it finishes (xdist's `workeroutput`)."""
    output: dict[str, Any] = config.workeroutput  # type: ignore[attr-defined]
    return output


def run_id(config: pytest.Config) -> str:
    """The same for every process of one run: the controller's process id (or ours, alone)."""
    return str(worker_input(config).get(RUN_KEY, os.getpid()))


def shared_folder(config: pytest.Config, factory: pytest.TempPathFactory) -> Path | None:
    """The run's temporary folder that all workers see (xdist gives each worker a subfolder of
    it), or None when this process runs the whole suite by itself."""
    if role(config) == "worker" and RUN_KEY in worker_input(config):
        return factory.getbasetemp().parent
    return None


@contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Held by one process of the run at a time (an advisory lock, released on close)."""
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
