"""The CPU time, memory and size one expression may use, enforced from inside the restricted code.

The compiler (scripting.py) puts a call to `Budget.step` at the top of every loop body, every
function and lambda and every comprehension's iteration, so a script cannot run one iteration
without paying for it: a one-line `while True: pass` pays too, and once the budget is spent every
later step fails again — catching the error cannot buy more time. The budget counts the evaluating
thread's CPU time (a busy machine does not make a quick decision fail) and the growth of the
process's address space. One C-level call (a power, a padding, a repetition, a join) cannot be
interrupted between steps, so every operation that can grow its result is checked before it
runs. What survives these checks and still runs too long is stopped by the process around it:
the worker's per-job watchdog and the web server's request timeout (docs/security.md).
"""

from __future__ import annotations

import operator
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

CPU_LIMIT_SECONDS = 1.0  # of the evaluating thread; decisions and scripts take microseconds
MEMORY_LIMIT_BYTES = 256 * 2**20  # growth of the address space while one expression runs
MAX_RESULT_BITS = 4096  # integers: far beyond any fine in fen
MAX_RESULT_ITEMS = 100_000  # characters of a string, items of a list, all levels counted
MAX_FORMAT_WIDTH = 1_000  # a padding or precision in a format
_CHECK_EVERY = 16  # steps between two readings of the clocks (a reading costs ~1 µs)


class ExpressionTimeout(TimeoutError):
    """An expression ran longer than its budget (an endless loop, a huge computation)."""


class ExpressionRefused(PermissionError):
    """An expression uses something the sandbox does not allow (import, dunder access, a result
    too large…).

    A PermissionError rather than SyntaxError: SpiffWorkflow's error helper crashes on a
    SyntaxError without a line number (engine-notes §4)."""


def _address_space() -> int:
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


class Budget:
    """What one evaluation may still spend. Once spent, stays spent. The memory baseline is
    read at the first check, so that the many expressions which never loop do not pay for it."""

    __slots__ = ("_cpu_deadline", "_memory_ceiling", "_steps", "_spent")

    def __init__(self) -> None:
        self._cpu_deadline = time.thread_time() + CPU_LIMIT_SECONDS
        self._memory_ceiling = 0
        self._steps = 0
        self._spent: str | None = None

    def step(self) -> bool:
        """Called by the restricted code itself; True so it can stand in a condition."""
        if self._spent is None:
            self._steps += 1
            if self._steps % _CHECK_EVERY:
                return True
            if not self._memory_ceiling:
                self._memory_ceiling = _address_space() + MEMORY_LIMIT_BYTES
            if time.thread_time() > self._cpu_deadline:
                self._spent = "cpu"
            elif _address_space() > self._memory_ceiling:
                self._spent = "memory"
            else:
                return True
        if self._spent == "cpu":
            raise ExpressionTimeout(f"表达式执行超过 {CPU_LIMIT_SECONDS:g} 秒 CPU 时间")
        raise ExpressionRefused(f"表达式占用内存超过 {MEMORY_LIMIT_BYTES // 2**20} MB")


# ---- sizes -------------------------------------------------------------------------------------


def size_of(value: Any, limit: int = MAX_RESULT_ITEMS) -> int:
    """Characters and items of a value, every level counted (a list holding one long string a
    thousand times is a thousand long strings once written out); stops counting past `limit`."""
    total = 0
    pending = [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, str | bytes | bytearray):
            total += len(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            total += item.bit_length() // 64
        elif isinstance(item, Mapping):
            total += len(item)
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item)
            pending.extend(item)
    return total


def refuse_if_too_large(value: Any, what: str) -> None:
    if size_of(value) > MAX_RESULT_ITEMS:
        raise ExpressionRefused(f"{what}过大（超过 {MAX_RESULT_ITEMS:,} 个字符或元素）")


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
    "<<": operator.lshift,
    "|": operator.or_,
}
_SEQUENCES = (str, bytes, list, tuple)


def sized(op: str, left: Any, right: Any) -> Any:
    """`left op right`, refused before it runs when the result would be too large."""
    if _too_big(op, left, right):
        raise ExpressionRefused(f"运算结果过大（{op}）")
    return _ARITHMETIC[op](left, right)


def _too_big(op: str, left: Any, right: Any) -> bool:
    ints = isinstance(left, int) and isinstance(right, int)
    if op == "*":
        for sequence, times in ((left, right), (right, left)):
            if isinstance(sequence, _SEQUENCES) and isinstance(times, int):
                return times > 0 and size_of(sequence) * times > MAX_RESULT_ITEMS
        return ints and left.bit_length() + right.bit_length() > MAX_RESULT_BITS
    if op in ("+", "|"):
        return not ints and size_of([left, right]) > MAX_RESULT_ITEMS
    if op == "%" and isinstance(left, str | bytes):
        return _format_too_wide(left, right)
    if not ints or right <= 0:
        return False
    if op == "<<":
        return bool(left.bit_length() + right > MAX_RESULT_BITS)
    if op == "**":
        return bool(abs(left) > 1 and left.bit_length() * right > MAX_RESULT_BITS)
    return False


# printf-style: %[(key)][flags][width][.precision]type
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _format_too_wide(template: str | bytes, arguments: Any) -> bool:
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    for width, precision in _PERCENT_FIELD.findall(text):
        for number in (width, precision):
            if number == "*" or (number and int(number) > MAX_FORMAT_WIDTH):
                return True
    return size_of([template, arguments]) > MAX_RESULT_ITEMS


def formatted(value: Any, conversion: int, spec: str) -> str:
    """An f-string's `{value!conversion:spec}`, refused when the spec pads too wide or the value
    would be written out too large."""
    if any(int(number) > MAX_FORMAT_WIDTH for number in re.findall(r"\d+", spec)):
        raise ExpressionRefused(f"格式宽度过大（{spec[:20]}）")
    refuse_if_too_large(value, "格式化的值")
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("a"):
        value = ascii(value)
    elif conversion == ord("s"):
        value = str(value)
    return format(value, spec)


def _width_is(position: int) -> Callable[[Any, tuple[Any, ...]], int]:
    def size(owner: Any, args: tuple[Any, ...]) -> int:
        width = args[position] if len(args) > position else 0
        return width if isinstance(width, int) else 0

    return size


def _replaced_size(owner: Any, args: tuple[Any, ...]) -> int:
    if len(args) < 2 or not args[0]:
        return len(owner) * (len(args[1]) + 1) if len(args) >= 2 else 0
    return int(len(owner) + owner.count(args[0]) * len(args[1]))


def _joined_size(owner: Any, args: tuple[Any, ...]) -> int:
    parts = args[0] if args else []
    return size_of(parts) + len(owner) * len(parts)


def _expanded_size(owner: Any, args: tuple[Any, ...]) -> int:
    tab = args[0] if args and isinstance(args[0], int) else 8
    tabs = owner.count("\t" if isinstance(owner, str) else b"\t")
    return int(len(owner) + tabs * max(tab, 0))


def _extended_size(owner: Any, args: tuple[Any, ...]) -> int:
    return size_of(owner) + size_of(args[0] if args else [])


# The methods whose one C-level call can make a result far larger than their inputs.
_RESULT_SIZE: dict[tuple[type, str], Callable[[Any, tuple[Any, ...]], int]] = {
    **{
        (kind, name): _width_is(0) for kind in (str, bytes) for name in ("ljust", "rjust", "center")
    },
    **{(kind, "zfill"): _width_is(0) for kind in (str, bytes)},
    **{(kind, "replace"): _replaced_size for kind in (str, bytes)},
    **{(kind, "join"): _joined_size for kind in (str, bytes)},
    **{(kind, "expandtabs"): _expanded_size for kind in (str, bytes)},
    (list, "extend"): _extended_size,
}
_REFUSED_METHODS = {(str, "translate"), (bytes, "translate")}  # a table can map one to many


def checked_method(owner: Any, name: str, method: Any) -> Any:
    """The method, wrapped so that a call which would grow a result too large is refused."""
    key = (type(owner), name)
    if key in _REFUSED_METHODS:
        raise ExpressionRefused(f"不允许使用 {name}")
    estimate = _RESULT_SIZE.get(key)
    if estimate is None:
        return method

    def guarded(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            raise ExpressionRefused(f"{name} 只接受位置参数")
        if name in ("join", "extend") and args:
            args = (list(_bounded(args[0])), *args[1:])
        if estimate(owner, args) > MAX_RESULT_ITEMS:
            raise ExpressionRefused(f"运算结果过大（{name}）")
        return method(*args)

    return guarded


def _bounded(items: Iterable[Any]) -> Iterable[Any]:
    for count, item in enumerate(items):
        if count >= MAX_RESULT_ITEMS:
            raise ExpressionRefused(f"元素过多（超过 {MAX_RESULT_ITEMS:,} 个）")
        yield item


def unpacked(items: Any) -> Any:
    """What `*items` in a list, tuple or set display may unpack."""
    if isinstance(items, Mapping | list | tuple | set | frozenset | str | bytes):
        refuse_if_too_large(items, "展开的值")
        return items
    return _bounded(items)


class _SliceWrites:
    """A list as the target of `items[a:b] = value`, which can double it in one step."""

    __slots__ = ("_items",)

    def __init__(self, items: list[Any]) -> None:
        self._items = items

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, slice):
            value = list(_bounded(value))
            refuse_if_too_large([self._items, value], "切片赋值的结果")
        self._items[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._items[key]


def write_guard(plain_guard: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """RestrictedPython's write guard, with slice assignment to lists size-checked."""

    def guard(target: Any) -> Any:
        return _SliceWrites(target) if type(target) is list else plain_guard(target)

    return guard


def checked_pow(base: Any, exponent: Any, modulus: Any = None) -> Any:
    if modulus is not None:
        return pow(base, exponent, modulus)
    return sized("**", base, exponent)


def checked_sum(items: Iterable[Any], start: Any = 0) -> Any:
    """sum() of numbers only: with a list or tuple to start from it concatenates, in one C call
    whose time grows with the square of the result."""
    if not isinstance(start, int | float | complex) or isinstance(start, bool):
        raise ExpressionRefused("sum 只能对数值求和")
    return sum(items, start)


def checked_text(convert: Callable[[Any], str]) -> Callable[[Any], str]:
    """str() and repr() that refuse to write out a value too large."""

    def text(value: Any = "") -> str:
        refuse_if_too_large(value, "要转换为文字的值")
        return convert(value)

    text.__name__ = convert.__name__
    return text


class _TextType(type):
    def __instancecheck__(cls, value: Any) -> bool:
        return isinstance(value, str)


class checked_str(metaclass=_TextType):  # noqa: N801 - stands in for the builtin str
    """str() that refuses to write out a value too large; isinstance(x, str) still works."""

    def __new__(cls, value: Any = "") -> str:  # type: ignore[misc]
        refuse_if_too_large(value, "要转换为文字的值")
        return str(value)
