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

_OPS = {ast.Add: CONTEXT.add, ast.Sub: CONTEXT.subtract, ast.Mult: CONTEXT.multiply}


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
    paths: list[str] = []
    evaluator = _compile(tree, text, paths)
    return Formula(text=str(text), paths=tuple(dict.fromkeys(paths)), evaluate_exact=evaluator)


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


def _compile(node: ast.AST, text: str, paths: list[str]) -> Evaluator:
    path = _dotted(node)
    if path is not None:
        paths.append(path)
        return lambda values: values.get(path)  # type: ignore[return-value]
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
        return lambda values: constant
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _compile(node.operand, text, paths)
        return lambda values: None if (v := inner(values)) is None else -v
    if isinstance(node, ast.BinOp) and (isinstance(node.op, ast.Div) or type(node.op) in _OPS):
        first = len(paths)
        left = _compile(node.left, text, paths)
        read = len(paths)
        right = _compile(node.right, text, paths)
        if isinstance(node.op, ast.Div) and len(paths) == read and right({}) == 0:  # a divisor of literals only
            raise FormulaError(f"formula {text!r}: divides by zero ({ast.unparse(node.right)})")
        if isinstance(node.op, ast.Div):
            evaluate: Evaluator = lambda values: _divide(left(values), right(values))  # noqa: E731
        else:
            operation = _OPS[type(node.op)]
            evaluate = lambda values: _apply(operation, left(values), right(values))  # noqa: E731
        if len(paths) == first and abs(evaluate({}) or 0) > MAX_NUMBER:  # literals only: a figure too large
            raise FormulaError(f"formula {text!r}: {ast.unparse(node)} is larger than the engine can hold "
                               f"(at most {MAX_NUMBER:,f})")
        return evaluate
    raise FormulaError(f"formula {text!r}: only + - * /, parentheses, numbers and paths are allowed")


def _apply(operation: Callable[[Decimal, Decimal], Decimal], a: object, b: object) -> Decimal | None:
    if a is None or b is None:
        return None
    return operation(a, b)  # type: ignore[arg-type]


def _divide(a: object, b: object) -> Decimal | None:
    if a is None or b is None or b == 0:
        return None
    return CONTEXT.divide(a, b)  # type: ignore[arg-type]
