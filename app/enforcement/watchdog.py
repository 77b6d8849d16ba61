"""The worker's watchdog: `tijian worker` runs its rounds in a child process and kills it when one
job runs past its time.

The expression sandbox bounds what a diagram's script can do step by step, but one C-level call
on a structure built for the purpose (comparing two deep shared lists, say) cannot be interrupted
from inside the process. Without a watchdog such a job held its lease and the worker forever, and
with it every timer of the province. Here the supervisor reads, from memory shared with the child,
which job the child is firing and since when; past the limit it kills the child, releases the
child's leases at once, counts a failed attempt on the job (an incident after the last) and
starts a new child.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# How often the supervisor looks, and how long a stopping child may finish its round.
_POLL_SECONDS = 0.2


def owner_name(pid: int) -> str:
    """The name a worker process leases jobs under."""
    return f"{socket.gethostname()}:{pid}"


class Progress:
    """The job a worker process is firing (0: none) and since when, in memory shared with the
    supervisor: writing it costs the child two stores, no system call."""

    def __init__(self) -> None:
        self._job: Any = multiprocessing.Value("q", 0, lock=False)
        self._since: Any = multiprocessing.Value("d", 0.0, lock=False)

    def started(self, job_id: int) -> None:
        self._since.value = time.monotonic()  # before the id: never an old start for a new job
        self._job.value = job_id

    def finished(self) -> None:
        self._job.value = 0

    def overdue(self, seconds: float) -> int | None:
        job = int(self._job.value)
        if job and time.monotonic() - self._since.value > seconds:
            return job
        return None


Work = Callable[[Progress, threading.Event], None]
Abandon = Callable[[int | None, str], None]


def supervise(work: Work, abandon: Abandon, job_timeout: float, stop: threading.Event) -> None:
    """Run `work` in a child process until it returns (drained, or stopped with `stop`); a child
    stuck in one job longer than `job_timeout` seconds is killed, `abandon(job, owner)` clears up
    after it, and a new child takes over. A child that dies by itself is replaced too."""
    forking = multiprocessing.get_context("fork")
    while not stop.is_set():
        progress = Progress()
        child = forking.Process(target=_child, args=(work, progress, os.getpid()), daemon=True)
        child.start()
        assert child.pid is not None  # noqa: S101 - started
        hung = _watch(child, progress, job_timeout, stop)
        if hung is None and child.exitcode == 0:
            return
        if hung is not None:
            log.warning("worker %s: job %s ran past %s s, killed", child.pid, hung, job_timeout)
        else:
            log.warning("worker %s ended with %s, restarting", child.pid, child.exitcode)
        abandon(hung, owner_name(child.pid))


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _child(work: Work, progress: Progress, supervisor: int) -> None:
    # The child dies with its supervisor (killed by the service manager, say): an orphan would go
    # on firing timers beside the next worker, out of any watchdog's sight.
    ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != supervisor:  # it died before the line above
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    work(progress, stop)


def _watch(child: Any, progress: Progress, job_timeout: float, stop: threading.Event) -> int | None:
    """Wait for the child; the job it hung in when it had to be killed, else None."""
    while child.is_alive():
        if stop.is_set():
            child.terminate()  # the child finishes its round, then ends
            child.join(job_timeout)
            hung = progress.overdue(job_timeout)
            if child.is_alive():
                child.kill()
                child.join()
            return hung
        hung = progress.overdue(job_timeout)
        if hung is not None:
            child.kill()
            child.join()
            return hung
        child.join(_POLL_SECONDS)
    return None
