"""Arithmetic formulas of derived indicators and remedies: parsed once, evaluated in Decimal.

Only + - * /, parentheses, numeric literals and dotted paths are allowed. A missing input or a
division by zero makes the result missing (None), never zero; a literal that is not a finite number
within the engine's range, or a divisor made of literals only that is zero, is a `FormulaError`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from zonecheck.engine.contract.proposal import MAX_NUMBER
from zonecheck.engine.contract.units import CONTEXT, quantize, to_decimal

Values = Mapping[str, object]
Evaluator = Callable[[Values], Decimal | None]

_OPS = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply"}  # CONTEXT's methods, by name


class FormulaError(ValueError):
    pass


@dataclass(frozen=True)
class Formula:
    text: str
    paths: tuple[str, ...]  # every path read, in order of appearance
    evaluate_exact: Evaluator

    def evaluate(self, values: Values) -> Decimal | None:
        result = self.evaluate_exact(values)
        return None if result is None else quantize(result)


def parse(text: str) -> Formula:
    try:
        tree = ast.parse(str(text).strip(), mode="eval").body
    except SyntaxError as error:
        raise FormulaError(f"formula {text!r} is not valid arithmetic: {error.msg}") from None
    emitter = _Emitter(str(text))
    result = emitter.emit(tree)
    return Formula(text=str(text), paths=tuple(dict.fromkeys(emitter.paths)), evaluate_exact=emitter.function(result))


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


_NOTHING = object()  # a part that reads a path: no value known when the formula is parsed


class _Emitter:
    """A formula as straight-line Python, compiled once: each part's value in a local, in the order the
    parts are read; any missing input (or a zero divisor) makes the result None. Same semantics as a tree
    of closures, without a call per node (indicators are evaluated for every screening). Parts made of
    literals only are also worked out here, to refuse a literal divisor of zero or a figure too large."""

    def __init__(self, text: str):
        self.text = text
        self.paths: list[str] = []
        self.lines: list[str] = []
        self.constants: dict[str, Decimal] = {}

    def _local(self, expression: str) -> str:
        name = f"t{len(self.lines)}"
        self.lines.append(f"    {name} = {expression}")
        return name

    def emit(self, node: ast.AST) -> tuple[str, object]:
        """(the local holding the part's value, its value when it reads no path, else _NOTHING)."""
        text = self.text
        path = _dotted(node)
        if path is not None:
            self.paths.append(path)
            return self._local(f"get({path!r})"), _NOTHING
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            try:
                constant = to_decimal(node.value)
                exact = Decimal(repr(node.value)) == constant
            except (ValueError, ArithmeticError):
                constant, exact = None, False
            if constant is None or not exact or abs(constant) > MAX_NUMBER:
                literal = ast.get_source_segment(text.strip(), node) or ast.unparse(node)
                raise FormulaError(f"formula {text!r}: the literal {literal} is not a number the engine can hold "
                                   f"(finite, at most {MAX_NUMBER:,f}, at most 6 decimal places)")
            name = f"c{len(self.constants)}"
            self.constants[name] = constant
            return self._local(name), constant
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner, known = self.emit(node.operand)
            value = _NOTHING if known is _NOTHING else -known  # type: ignore[operator]
            return self._local(f"None if {inner} is None else -{inner}"), value
        if isinstance(node, ast.BinOp) and (isinstance(node.op, ast.Div) or type(node.op) in _OPS):
            left, known_left = self.emit(node.left)
            right, known_right = self.emit(node.right)
            if isinstance(node.op, ast.Div):
                if known_right is not _NOTHING and known_right == 0:  # a divisor of literals only
                    raise FormulaError(f"formula {text!r}: divides by zero ({ast.unparse(node.right)})")
                local = self._local(f"None if {left} is None or {right} is None or {right} == 0 else divide({left}, {right})")
                value = _NOTHING if _NOTHING in (known_left, known_right) else _divide(known_left, known_right)
            else:
                operation = _OPS[type(node.op)]
                local = self._local(f"None if {left} is None or {right} is None else {operation}({left}, {right})")
                value = _NOTHING if _NOTHING in (known_left, known_right) else _apply(getattr(CONTEXT, operation), known_left, known_right)
            if value is not _NOTHING and abs(value or 0) > MAX_NUMBER:  # literals only: a figure too large
                raise FormulaError(f"formula {text!r}: {ast.unparse(node)} is larger than the engine can hold "
                                   f"(at most {MAX_NUMBER:,f})")
            return local, value
        raise FormulaError(f"formula {text!r}: only + - * /, parentheses, numbers and paths are allowed")

    def function(self, result: tuple[str, object]) -> Evaluator:
        source = "\n".join(["def evaluate(values):", "    get = values.get", *self.lines, f"    return {result[0]}"])
        namespace: dict[str, object] = {name: getattr(CONTEXT, name) for name in (*_OPS.values(), "divide")}
        namespace.update(self.constants)
        exec(compile(source, f"<formula {self.text!r}>", "exec"), namespace)  # noqa: S102 - source made above, from a parsed tree
        return namespace["evaluate"]  # type: ignore[return-value]


def _apply(operation: Callable[[Decimal, Decimal], Decimal], a: object, b: object) -> Decimal | None:
    if a is None or b is None:
        return None
    return operation(a, b)  # type: ignore[arg-type]


def _divide(a: object, b: object) -> Decimal | None:
    if a is None or b is None or b == 0:
        return None
    return CONTEXT.divide(a, b)  # type: ignore[arg-type]
