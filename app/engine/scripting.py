"""The restricted expression environment every script, condition, DMN entry and timer runs in.

SpiffWorkflow's default environment is plain eval/exec with full builtins (engine-notes §4), so a
diagram author could read files or import modules. Here source is compiled with RestrictedPython,
builtins are the safe subset without modules, and attribute access goes through guards that refuse
every name starting with an underscore.
"""

from __future__ import annotations

import ast
import operator
import sys
import time
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, limited_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

_INPLACE_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.add,
    "-=": operator.sub,
    "*=": operator.mul,
    "/=": operator.truediv,
    "//=": operator.floordiv,
    "%=": operator.mod,
}


TIME_LIMIT_SECONDS = 1.0
# Names RestrictedPython would only reject when the code runs; refused at compile time so that a
# deploy check (tijian check-workflows) catches them before any case does.
FORBIDDEN_NAMES = frozenset(
    {
        "open",
        "eval",
        "exec",
        "compile",
        "__import__",
        "getattr",
        "setattr",
        "delattr",
        "globals",
        "locals",
        "vars",
        "input",
        "breakpoint",
        "help",
        "memoryview",
        "type",
        "object",
        "super",
    }
)


class ExpressionTimeout(TimeoutError):
    """An expression ran longer than its budget (an endless loop, a huge computation)."""


class ExpressionRefused(PermissionError):
    """An expression uses something the sandbox does not allow (import, dunder access, …).

    A PermissionError rather than SyntaxError: SpiffWorkflow's error helper crashes on a
    SyntaxError without a line number (engine-notes §4)."""


def _names_in(source: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}


def _inplace(op: str, left: Any, right: Any) -> Any:
    if op not in _INPLACE_OPERATORS:
        raise ExpressionRefused(f"operator {op} is not allowed")
    return _sized(op.rstrip("="), left, right)


# One C-level operation (10 ** 10 ** 9, "x" * 10 ** 10, 1 << 10 ** 9) runs past the line-by-line
# time limit and can take all memory: the operators that grow their result are checked first.
MAX_RESULT_BITS = 4096  # integers: far beyond any fine in fen
MAX_RESULT_ITEMS = 100_000  # strings, lists, tuples made by repetition
_GROWING = {"**": operator.pow, "*": operator.mul, "<<": operator.lshift}
_OPERATORS = {**_GROWING, **{op.rstrip("="): f for op, f in _INPLACE_OPERATORS.items()}}


def _sized(op: str, left: Any, right: Any) -> Any:
    if op in _GROWING and _too_big(op, left, right):
        raise ExpressionRefused(f"运算结果过大（{op}）")
    return _OPERATORS[op](left, right)


def _too_big(op: str, left: Any, right: Any) -> bool:
    if op == "*":
        for sequence, times in ((left, right), (right, left)):
            if isinstance(sequence, str | bytes | list | tuple) and isinstance(times, int):
                return len(sequence) * times > MAX_RESULT_ITEMS
        if isinstance(left, int) and isinstance(right, int):  # x *= x in a loop
            return left.bit_length() + right.bit_length() > MAX_RESULT_BITS
        return False
    if not (isinstance(left, int) and isinstance(right, int)) or right <= 0:
        return False
    if op == "<<":
        return left.bit_length() + right > MAX_RESULT_BITS
    return abs(left) > 1 and left.bit_length() * right > MAX_RESULT_BITS  # **


class _SizeCheckingPolicy(RestrictingNodeTransformer):
    """RestrictedPython's checks, and every **, * and << routed through `_sized_`."""

    SYMBOLS = {ast.Pow: "**", ast.Mult: "*", ast.LShift: "<<"}

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:  # noqa: N802 - the visitor protocol
        node = self.node_contents_visit(node)
        symbol = self.SYMBOLS.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(
            func=ast.Name("_sized_", ast.Load()),
            args=[ast.Constant(symbol), node.left, node.right],
            keywords=[],
        )
        return ast.fix_missing_locations(ast.copy_location(call, node))


# Pure functions RestrictedPython leaves out of safe_builtins but decision logic needs.
_EXTRA_BUILTINS = {
    f.__name__: f
    for f in (sum, min, max, any, all, sorted, enumerate, reversed, map, filter, dict, list, set)
}


def _safe_builtins() -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.update(limited_builtins)
    builtins.update(_EXTRA_BUILTINS)
    for name in ("__import__", "compile", "eval", "exec", "open", "getattr", "setattr", "delattr"):
        builtins.pop(name, None)
    return builtins


class RestrictedEnvironment(TaskDataEnvironment):  # type: ignore[misc]
    """Compiles with RestrictedPython and caches the byte code per source string."""

    def __init__(self, helpers: Mapping[str, Any] | None = None) -> None:
        restricted_globals: dict[str, Any] = {
            "__builtins__": _safe_builtins(),
            "_getattr_": safer_getattr,
            "_getitem_": default_guarded_getitem,
            "_getiter_": default_guarded_getiter,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_write_": full_write_guard,
            "_inplacevar_": _inplace,
            "_sized_": _sized,
            "_print_": None,
        }
        restricted_globals.update(helpers or {})
        super().__init__(restricted_globals)
        self._compiled: dict[tuple[str, str], Any] = {}

    def _compile(self, source: str, mode: str) -> Any:
        key = (source, mode)
        code = self._compiled.get(key)
        if code is None:
            compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
            result = compiler(source, policy=_SizeCheckingPolicy)
            if result.errors:
                raise ExpressionRefused("; ".join(result.errors))
            refused = sorted(FORBIDDEN_NAMES & _names_in(source))
            if refused:
                raise ExpressionRefused(f"不允许使用 {', '.join(refused)}")
            code = self._compiled[key] = result.code
        return code

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: dict[str, Any] | None = None,
    ) -> Any:
        scope = dict(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        scope["__builtins__"] = self.globals["__builtins__"]  # task data must not replace builtins
        code = self._compile(expression, "eval")
        with _TimeLimit():
            return eval(code, scope)  # noqa: S307 - restricted byte code

    def execute(
        self,
        script: str,
        context: dict[str, Any],
        external_context: dict[str, Any] | None = None,
    ) -> bool:
        self.check_for_overwrite(context, external_context or {})
        code = self._compile(script, "exec")
        context.update(self.globals)
        context.update(external_context or {})
        try:
            with _TimeLimit():
                exec(code, context)  # noqa: S102 - restricted byte code
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True

    def check(self, source: str, mode: str) -> None:
        """Compile only, for validation at deploy time."""
        self._compile(source, mode)


class _TimeLimit:
    """Stops restricted code that runs too long. A trace function checks the clock on every line
    the expression executes (only its own frames are traced, so the cost stays with scripts).
    Also names arithmetic overflow and exhausted memory plainly: SpiffWorkflow's error helper
    fails on their (errno, text) arguments and would hide the cause behind a TypeError."""

    def __enter__(self) -> None:
        self._previous = sys.gettrace()
        deadline = time.monotonic() + TIME_LIMIT_SECONDS

        def trace(frame: FrameType, event: str, arg: Any) -> Any:
            if time.monotonic() > deadline:
                raise ExpressionTimeout(f"表达式执行超过 {TIME_LIMIT_SECONDS:g} 秒")
            return trace

        sys.settrace(trace)

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        sys.settrace(self._previous)
        if kind is not None and issubclass(kind, OverflowError | MemoryError):
            raise ExpressionRefused(f"数值溢出或内存不足（{kind.__name__}）")


def restricted_script_engine(helpers: Mapping[str, Any] | None = None) -> PythonScriptEngine:
    from .context import HELPERS

    return PythonScriptEngine(environment=RestrictedEnvironment({**HELPERS, **(helpers or {})}))
