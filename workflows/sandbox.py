"""Scripts and expressions from BPMN run here: compiled by RestrictedPython, guarded, time-limited.

RestrictedPython's safe builtins with plain exec would still let `().__class__.__base__` through;
compiling restricted rewrites every attribute access, item access, iteration and assignment into
calls of the guards below, and refuses names that start with an underscore at compile time.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import operator
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, limited_builtins, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)

TIME_LIMIT_SECONDS = 1.0


class ScriptRefused(Exception):
    """The script does not compile under the restrictions (an import, a dunder, a syntax error)."""


class ScriptTimeout(Exception):
    pass


_INPLACE = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
            "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow}

_BUILTINS = {**safe_builtins, **limited_builtins, "min": min, "max": max, "sum": sum, "any": any, "all": all,
             "sorted": sorted, "enumerate": enumerate, "dict": dict, "list": list, "set": set, "round": round,
             "abs": abs, "len": len}
_BASE_GLOBALS = {
    "__builtins__": _BUILTINS,
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_write_": full_write_guard,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_inplacevar_": lambda op, x, y: _INPLACE[op](x, y),
    "date": date, "datetime": datetime, "timedelta": timedelta, "Decimal": Decimal,
}


_FORBIDDEN_BUILTINS = frozenset(dir(builtins)) - set(_BUILTINS) - set(_BASE_GLOBALS)


def _check_names(result) -> None:
    """Builtins a script cannot have (open, eval, getattr...) are refused when it is deployed, not run."""
    if result.errors:
        raise ScriptRefused("; ".join(result.errors))
    forbidden = sorted(set(result.used_names) & _FORBIDDEN_BUILTINS)
    if forbidden:
        raise ScriptRefused(f"not available in scripts: {', '.join(forbidden)}")


@lru_cache(maxsize=2048)
def compile_expression(expression: str):
    result = compile_restricted_eval(expression.strip(), "<expression>")
    _check_names(result)
    return result.code


@lru_cache(maxsize=1024)
def compile_script(script: str):
    try:
        tree = ast.parse(script)
    except SyntaxError as exc:
        raise ScriptRefused(f"line {exc.lineno}: {exc.msg}") from exc
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            raise ScriptRefused(f"line {node.lineno}: imports are not allowed; use a service task")
    result = compile_restricted_exec(script, "<script>")
    _check_names(result)
    return result.code


@contextlib.contextmanager
def time_limit(seconds: float = TIME_LIMIT_SECONDS):
    """Abort a script that runs too long: a line tracer checks the clock (works in any thread)."""
    deadline = time.monotonic() + seconds
    previous = sys.gettrace()

    def tracer(frame, event, arg):
        # Opcode events: a one-line `while True: pass` emits no line events to stop it by.
        frame.f_trace_opcodes = True
        if time.monotonic() > deadline:
            raise ScriptTimeout(f"script ran longer than {seconds:g} s")
        return tracer

    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)


def run_expression(expression: str, data: dict):
    namespace = {**_BASE_GLOBALS, **data}
    code = compile_expression(expression)
    with time_limit():
        return eval(code, namespace)  # noqa: S307  compiled restricted, guarded globals


def run_script(script: str, data: dict) -> None:
    """Run a script against task data; names it assigns become task data (underscore names are refused)."""
    namespace = {**_BASE_GLOBALS, **data}
    code = compile_script(script)
    with time_limit():
        exec(code, namespace)  # noqa: S102  compiled restricted, guarded globals
    for key, value in namespace.items():
        if key in _BASE_GLOBALS or key.startswith("_") or callable(value):
            continue
        data[key] = value
    for key in [k for k in data if k not in namespace]:
        del data[key]   # `del x` in the script
