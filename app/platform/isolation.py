"""Running one computation in a forked child process that is killed when it takes too long.

For work on designer-written diagrams inside a web request (the trial run): the expression
sandbox bounds each script step by step, but one C-level call on a structure built for the
purpose cannot be interrupted from inside the process, and it would hold a web worker until the
server's timeout killed it. The child also gets an address-space limit, so that it cannot take
the machine's memory either.
"""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class TookTooLong(TimeoutError):
    """The child ran past its time and was killed."""


def _address_space() -> int:
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def run_isolated(function: Callable[..., T], *args: Any, seconds: float, extra_memory: int) -> T:
    """`function(*args)` computed in a forked child, its result (or exception) sent back pickled;
    the child may grow its address space by `extra_memory` bytes and run for `seconds`."""
    forking = multiprocessing.get_context("fork")
    receiving, sending = forking.Pipe(duplex=False)
    limit = _address_space() + extra_memory
    child = forking.Process(target=_compute, args=(sending, limit, function, args), daemon=True)
    child.start()
    sending.close()
    try:
        if not receiving.poll(seconds):
            raise TookTooLong(seconds)
        succeeded, value = receiving.recv()
    except EOFError as exc:  # the child died without an answer (memory, a signal)
        raise TookTooLong(seconds) from exc
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join()
    if succeeded:
        return value  # type: ignore[no-any-return]
    raise value


def _compute(sending: Any, limit: int, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        outcome = (True, function(*args))
    except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it
        outcome = (False, exc)
    sending.send(outcome)
    sending.close()
