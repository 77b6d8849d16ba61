"""The restricted expression environment every script, condition, DMN entry and timer runs in.

SpiffWorkflow's default environment is plain eval/exec with full builtins (engine-notes §4), so a
diagram author could read files or import modules. Here source is compiled with RestrictedPython,
builtins are the safe subset without modules, and attribute access goes through guards that refuse
every name starting with an underscore.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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

from .expression_limits import (
    Budget,
    ExpressionRefused,
    ExpressionTimeout,
    checked_method,
    checked_pow,
    checked_str,
    checked_sum,
    checked_text,
    formatted,
    refuse_if_too_large,
    size_of,
    sized,
    unpacked,
    write_guard,
)

MAX_DATA_ITEMS = 1_000_000  # what one script may leave in the task data (it is stored)

__all__ = ["ExpressionRefused", "ExpressionTimeout", "RestrictedEnvironment"]

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
# The names the compiled code calls; set after the task data so that no data can replace them.
_STEP = "_step_"
_OPERATOR_SYMBOLS = {
    ast.Pow: "**",
    ast.Mult: "*",
    ast.LShift: "<<",
    ast.Add: "+",
    ast.BitOr: "|",
    ast.Mod: "%",
}
_INPLACE_OPERATORS = frozenset({"+=", "-=", "*=", "/=", "//=", "%="})


def _names_in(source: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}


def _inplace(op: str, left: Any, right: Any) -> Any:
    if op not in _INPLACE_OPERATORS:
        raise ExpressionRefused(f"operator {op} is not allowed")
    return sized(op.rstrip("="), left, right)


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


def _placed(new: ast.AST, old: ast.AST) -> Any:
    return ast.fix_missing_locations(ast.copy_location(new, old))


def _endless(loop: ast.While) -> bool:
    """`while True:` (or another constant true test) with no break out of it."""
    if not (isinstance(loop.test, ast.Constant) and loop.test.value):
        return False
    return not any(isinstance(node, ast.Break | ast.Return) for node in ast.walk(loop))


class _BoundingPolicy(RestrictingNodeTransformer):
    """RestrictedPython's checks; every loop iteration, function and lambda call and
    comprehension item pays a step of the budget; operators that can grow a result and
    f-string fields are routed through the size checks; an endless `while True:` is refused."""

    def visit_BinOp(self, node: Any) -> Any:  # noqa: N802 - the visitor protocol
        visited: Any = self.node_contents_visit(node)
        symbol = _OPERATOR_SYMBOLS.get(type(visited.op))
        if symbol is None:
            return visited
        return _placed(_call("_sized_", ast.Constant(symbol), visited.left, visited.right), visited)

    def visit_FormattedValue(self, node: Any) -> Any:  # noqa: N802
        visited: Any = super().visit_FormattedValue(node)
        spec = visited.format_spec or ast.Constant("")
        checked = _call("_formatted_", visited.value, ast.Constant(visited.conversion), spec)
        return _placed(ast.FormattedValue(checked, -1, None), visited)

    def visit_List(self, node: Any) -> Any:  # noqa: N802
        return self._unpacking_checked(super().visit_List(node))

    def visit_Tuple(self, node: Any) -> Any:  # noqa: N802
        return self._unpacking_checked(super().visit_Tuple(node))

    def visit_Set(self, node: Any) -> Any:  # noqa: N802
        return self._unpacking_checked(super().visit_Set(node))

    @staticmethod
    def _unpacking_checked(node: Any) -> Any:
        """`[*a, *a]` doubles `a` in one step: each unpacked value is size-checked first."""
        for element in node.elts:
            if isinstance(element, ast.Starred) and isinstance(element.ctx, ast.Load):
                element.value = _placed(_call("_unpacked_", element.value), element.value)
        return node

    def visit_While(self, node: Any) -> Any:  # noqa: N802
        if _endless(node):
            self.error(node, "无限循环：while 条件恒为真且没有 break")
        visited: Any = super().visit_While(node)
        visited.body.insert(0, _placed(ast.Expr(_call(_STEP)), visited))
        return visited

    def visit_For(self, node: Any) -> Any:  # noqa: N802
        visited: Any = super().visit_For(node)
        visited.body.insert(0, _placed(ast.Expr(_call(_STEP)), visited))
        return visited

    def visit_FunctionDef(self, node: Any) -> Any:  # noqa: N802
        visited: Any = super().visit_FunctionDef(node)
        visited.body.insert(0, _placed(ast.Expr(_call(_STEP)), visited))
        return visited

    def visit_Lambda(self, node: Any) -> Any:  # noqa: N802
        visited: Any = super().visit_Lambda(node)
        visited.body = _placed(ast.BoolOp(ast.And(), [_call(_STEP), visited.body]), visited.body)
        return visited

    def visit_comprehension(self, node: Any) -> Any:
        visited: Any = super().visit_comprehension(node)
        visited.ifs.insert(0, _placed(_call(_STEP), visited.iter))
        return visited


def _getattr(owner: Any, name: str, default: Any = None) -> Any:
    return checked_method(owner, name, safer_getattr(owner, name, default))  # type: ignore[no-untyped-call]


# Pure functions RestrictedPython leaves out of safe_builtins but decision logic needs.
_EXTRA_BUILTINS = {
    f.__name__: f
    for f in (sum, min, max, any, all, sorted, enumerate, reversed, map, filter, dict, list, set)
}
# Builtins whose one call can write out or compute something huge, replaced by checked ones.
_CHECKED_BUILTINS = {
    "pow": checked_pow,
    "repr": checked_text(repr),
    "str": checked_str,
    "sum": checked_sum,
}


def _safe_builtins() -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.update(limited_builtins)
    builtins.update(_EXTRA_BUILTINS)
    builtins.update(_CHECKED_BUILTINS)
    for name in ("__import__", "compile", "eval", "exec", "open", "getattr", "setattr", "delattr"):
        builtins.pop(name, None)
    return builtins


class RestrictedEnvironment(TaskDataEnvironment):  # type: ignore[misc]
    """Compiles with RestrictedPython and caches the byte code per source string."""

    def __init__(self, helpers: Mapping[str, Any] | None = None) -> None:
        restricted_globals: dict[str, Any] = {
            "__builtins__": _safe_builtins(),
            "_getattr_": _getattr,
            "_getitem_": default_guarded_getitem,
            "_getiter_": default_guarded_getiter,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_write_": write_guard(full_write_guard),
            "_inplacevar_": _inplace,
            "_sized_": sized,
            "_formatted_": formatted,
            "_unpacked_": unpacked,
            "_print_": None,
        }
        self._guards = {
            name: value for name, value in restricted_globals.items() if name.startswith("_")
        }
        restricted_globals.update(helpers or {})
        super().__init__(restricted_globals)
        self._compiled: dict[tuple[str, str], Any] = {}

    def _compile(self, source: str, mode: str) -> Any:
        key = (source, mode)
        code = self._compiled.get(key)
        if code is None:
            compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
            result = compiler(source, policy=_BoundingPolicy)
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
        code = self._compile(expression, "eval")
        scope = dict(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        scope.update(self._guards)  # task data must not replace builtins or guards
        scope[_STEP] = Budget().step
        with _plain_errors():
            result = eval(code, scope)  # noqa: S307 - restricted byte code
        refuse_if_too_large(result, "表达式的结果")
        return result

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
        context[_STEP] = Budget().step
        try:
            with _plain_errors():
                exec(code, context)  # noqa: S102 - restricted byte code
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        if size_of(context, MAX_DATA_ITEMS) > MAX_DATA_ITEMS:
            raise ExpressionRefused(f"脚本写入的数据过大（超过 {MAX_DATA_ITEMS:,} 个字符或元素）")
        return True

    def check(self, source: str, mode: str) -> None:
        """Compile only, for validation at deploy time."""
        self._compile(source, mode)


@contextmanager
def _plain_errors() -> Iterator[None]:
    """Names arithmetic overflow and exhausted memory plainly: SpiffWorkflow's error helper
    fails on their (errno, text) arguments and would hide the cause behind a TypeError."""
    try:
        yield
    except (OverflowError, MemoryError) as exc:
        raise ExpressionRefused(f"数值溢出或内存不足（{type(exc).__name__}）") from None


def restricted_script_engine(helpers: Mapping[str, Any] | None = None) -> PythonScriptEngine:
    from .context import HELPERS

    return PythonScriptEngine(environment=RestrictedEnvironment({**HELPERS, **(helpers or {})}))
