"""Paths, formulas and conditions compiled into closures (docs/rule-format.md sections 2, 5, 6.1).

Every compiled getter / condition takes ``vals``: a dict of the evaluation's values keyed by path.
Proposal and zone facts are pre-filled (``None`` = missing); ``ind.*`` and ``par.*`` entries are
computed on first use and memoised in the same dict. Conditions return ``True``, ``False`` or
``None`` (unknown).
"""

from __future__ import annotations

import ast
import operator
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Callable

from .params import MISSING_KEY, AMBIGUOUS, NO_VALUE, OK, Parameter
from .units import ARITH, Q6, WIDE, ZERO

ZONE_REGIONS = ("east", "central", "west", "northeast")
FACT_PREFIXES = ("project", "investor", "investment", "land", "environment", "outputs")

Getter = Callable[[dict], object]
_UNSET = object()  # not yet computed (None means computed and missing)


class PackError(ValueError):
    """A malformed rule pack (the oracle reports where, but not at line granularity)."""


class Type:
    """What a path holds: kind in number | integer | boolean | enum | enum_list | code | text."""

    __slots__ = ("kind", "unit", "choices")

    def __init__(self, kind: str, unit: str | None = None, choices: tuple[str, ...] = ()):
        self.kind = kind
        self.unit = unit
        self.choices = choices

    @property
    def numeric(self) -> bool:
        return self.kind in ("number", "integer")

    @property
    def stringy(self) -> bool:
        return self.kind in ("enum", "code", "text")

    def __repr__(self) -> str:
        return f"{self.kind}[{self.unit}]" if self.unit else self.kind


class Node:
    """A compiled condition: ``fn(vals) -> True | False | None`` plus what the explanation pass
    needs (children for all/any/not, the paths a leaf reads)."""

    __slots__ = ("fn", "kind", "children", "paths")

    def __init__(self, fn, kind: str, children: tuple = (), paths: tuple[str, ...] = ()):
        self.fn = fn
        self.kind = kind
        self.children = children
        self.paths = paths


_CMP = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}
_ORDERING = ("lt", "le", "gt", "ge")
_OPS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "contains_any", "exists")


class Compiler:
    """Knows every path of the pack (spec section 2) and compiles formulas and conditions."""

    def __init__(self, facts: dict[str, Type]):
        self.facts = facts  # proposal fact path -> Type
        self.indicator_types: dict[str, Type] = {}
        self.indicator_inputs: dict[str, tuple[str, ...]] = {}
        self.parameters: dict[str, Parameter] = {}
        self.getters: dict[str, Getter] = {}
        self._indicator_formulas: dict[str, str] = {}
        self._indicator_fns: dict[str, Callable] = {}
        self._compiling: list[str] = []

    # -- paths -----------------------------------------------------------------------------

    def path_type(self, path: str) -> Type:
        if not isinstance(path, str):
            raise PackError(f"unknown fact path {path!r}")
        if path in self.facts:
            return self.facts[path]
        if path == "zone.region":
            return Type("enum", choices=ZONE_REGIONS)
        if path == "zone.id":
            return Type("text")
        if path.startswith("ind."):
            name = path[4:]
            if name in self.indicator_types:
                return self.indicator_types[name]
            raise PackError(f"unknown fact path {path!r} (no indicator {name!r} in pack.yaml)")
        if path.startswith("par."):
            name = path[4:]
            par = self.parameters.get(name)
            if par is None:
                raise PackError(f"unknown parameter {path!r}")
            if par.unit == "boolean":
                return Type("boolean")
            if par.unit == "text":
                return Type("text")
            return Type("number", par.unit)
        raise PackError(f"unknown fact path {path!r}")

    def getter(self, path: str) -> Getter:
        """Getter for any valid path (compiles indicators on demand)."""
        got = self.getters.get(path)
        if got is not None:
            return got
        self.path_type(path)  # raises on unknown path
        if path.startswith("ind."):
            got = self._indicator_getter(path[4:])
        elif path.startswith("par."):
            got = self._parameter_getter(path[4:])
        else:
            got = operator.itemgetter(path)
        self.getters[path] = got
        return got

    def _indicator_getter(self, name: str) -> Getter:
        path = "ind." + name
        if name in self._compiling:
            raise PackError(f"indicator cycle: {' -> '.join(self._compiling + [name])}")
        self._compiling.append(name)
        try:
            fn, inputs = self.compile_formula(self._indicator_formulas[name], where=f"indicator {name}")
        finally:
            self._compiling.pop()
        self.indicator_inputs[name] = inputs
        self._indicator_fns[name] = fn

        def get(vals: dict, _path=path, _fn=fn, _q=Q6, _he=ROUND_HALF_EVEN, _wide=WIDE, _unset=_UNSET):
            value = vals.get(_path, _unset)
            if value is not _unset:
                return value
            value = _fn(vals)
            if value is not None:
                value = value.quantize(_q, _he, _wide)  # half-even to 6 places (spec 3)
            vals[_path] = value
            return value

        return get

    def _parameter_getter(self, name: str) -> Getter:
        path = "par." + name
        status_key = "!" + path
        resolve = self.parameters[name].resolve

        def get(vals: dict, _unset=_UNSET):
            value = vals.get(path, _unset)
            if value is not _unset:
                return value
            status, value, info = resolve(vals)
            vals[path] = value
            if status != OK:
                vals[status_key] = (status, info)
            return value

        return get

    def declare_indicator(self, name: str, unit: str, formula: str) -> None:
        self.indicator_types[name] = Type("number", unit)
        self._indicator_formulas[name] = formula

    def reads(self, path: str) -> set[str]:
        """Every proposal / zone fact a path depends on (through indicators and parameter keys),
        plus the ind./par. paths on the way; used to invalidate memoised values under defaults."""
        out: set[str] = {path}
        if path.startswith("ind."):
            self.getter(path)
            for p in self.indicator_inputs[path[4:]]:
                out |= self.reads(p)
        elif path.startswith("par."):
            out.update(self.parameters[path[4:]].key_facts)
        return out

    # -- formulas --------------------------------------------------------------------------

    def compile_formula(self, text: str, *, where: str) -> tuple[Callable, tuple[str, ...]]:
        """Parse ``+ - * / ( )``, numeric literals and dotted paths; return a closure
        ``fn(vals) -> Decimal | None`` (None: a missing input or a division by zero) and the input
        paths in order of first appearance."""
        if not isinstance(text, str) or not text.strip():
            raise PackError(f"{where}: formula must be a non-empty string")
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            raise PackError(f"{where}: bad formula {text!r}: {exc.msg}") from None
        inputs: list[str] = []
        src = text.strip()

        def build(node: ast.AST) -> Callable:
            if isinstance(node, ast.BinOp):
                left = build(node.left)
                right = build(node.right)
                op = node.op
                if isinstance(op, ast.Add):
                    f = ARITH.add
                elif isinstance(op, ast.Sub):
                    f = ARITH.subtract
                elif isinstance(op, ast.Mult):
                    f = ARITH.multiply
                elif isinstance(op, ast.Div):

                    def div(vals, _l=left, _r=right, _d=ARITH.divide):
                        a = _l(vals)
                        if a is None:
                            return None
                        b = _r(vals)
                        if b is None or b == 0:
                            return None  # division by zero makes the indicator missing
                        return _d(a, b)

                    return div
                else:
                    raise PackError(f"{where}: operator {type(op).__name__} not allowed in {text!r}")

                def binop(vals, _l=left, _r=right, _f=f):
                    a = _l(vals)
                    if a is None:
                        return None
                    b = _r(vals)
                    if b is None:
                        return None
                    return _f(a, b)

                return binop
            if isinstance(node, ast.UnaryOp):
                inner = build(node.operand)
                if isinstance(node.op, ast.USub):

                    def neg(vals, _i=inner, _m=ARITH.minus):
                        a = _i(vals)
                        return None if a is None else _m(a)

                    return neg
                if isinstance(node.op, ast.UAdd):
                    return inner
                raise PackError(f"{where}: operator {type(node.op).__name__} not allowed in {text!r}")
            if isinstance(node, ast.Constant):
                if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                    raise PackError(f"{where}: literal {node.value!r} not allowed in {text!r}")
                literal = ast.get_source_segment(src, node) or ""
                try:
                    const = Decimal(literal.replace("_", ""))  # exact, not via float
                except ArithmeticError:
                    raise PackError(f"{where}: bad numeric literal {literal!r} in {text!r}") from None
                return lambda vals, _c=const: _c
            if isinstance(node, (ast.Attribute, ast.Name)):
                path = _dotted(node)
                if path is None:
                    raise PackError(f"{where}: bad path in {text!r}")
                typ = self.path_type(path)
                if not typ.numeric:
                    raise PackError(f"{where}: {path} is {typ}, not a number, in {text!r}")
                if path not in inputs:
                    inputs.append(path)
                got = self.getter(path)
                if typ.kind == "integer":
                    return lambda vals, _g=got: None if _g(vals) is None else Decimal(_g(vals))
                return got
            raise PackError(f"{where}: {type(node).__name__} not allowed in formula {text!r}")

        fn = build(tree.body)
        return fn, tuple(inputs)

    # -- conditions ------------------------------------------------------------------------

    def compile_condition(self, cond: object, *, where: str) -> Node:
        if not isinstance(cond, dict):
            raise PackError(f"{where}: a condition must be a mapping, got {cond!r}")
        if "all" in cond or "any" in cond:
            if len(cond) != 1:
                raise PackError(f"{where}: bad condition {cond!r} (all/any must stand alone)")
            kind = "all" if "all" in cond else "any"
            items = cond[kind]
            if not isinstance(items, list) or not items:
                raise PackError(f"{where}: {kind} needs a non-empty list")
            children = tuple(self.compile_condition(c, where=where) for c in items)
            fns = tuple(c.fn for c in children)
            decisive = kind == "any"  # all: one False decides; any: one True decides

            def f_combined(vals, _fns=fns, _decisive=decisive):
                unknown = False
                for fn in _fns:
                    r = fn(vals)
                    if r is _decisive:
                        return _decisive
                    if r is None:
                        unknown = True
                return None if unknown else not _decisive

            return Node(f_combined, kind, children)
        if "not" in cond:
            if len(cond) != 1:
                raise PackError(f"{where}: bad condition {cond!r}")
            child = self.compile_condition(cond["not"], where=where)

            def f_not(vals, _c=child.fn):
                r = _c(vals)
                return None if r is None else not r

            return Node(f_not, "not", (child,))
        if "fact" not in cond:
            raise PackError(f"{where}: bad condition {cond!r} (expected all/any/not/fact)")
        ops = [k for k in cond if k != "fact"]
        if len(ops) != 1 or ops[0] not in _OPS:
            raise PackError(f"{where}: bad operator in {cond!r} (one of {', '.join(_OPS)})")
        return self._leaf(cond["fact"], ops[0], cond[ops[0]], where=f"{where}: {cond!r}")

    def _literal(self, typ: Type, lit: object, path: str, where: str) -> object:
        """Validate a literal for the fact (spec 3, 5) and convert it to the runtime form."""
        if typ.numeric:
            if isinstance(lit, bool) or not isinstance(lit, (int, float)):
                raise PackError(f"{where}: literal {lit!r} not valid for {path} ({typ})")
            if lit != 0:
                raise PackError(f"{where}: numeric literal {lit!r} in a condition (only 0 is allowed)")
            return ZERO
        if typ.kind == "boolean":
            if not isinstance(lit, bool):
                raise PackError(f"{where}: literal {lit!r} not valid for {path} (boolean)")
            return lit
        if not isinstance(lit, str):
            raise PackError(f"{where}: literal {lit!r} not valid for {path} ({typ})")
        if typ.kind in ("enum", "enum_list") and lit not in typ.choices:
            raise PackError(f"{where}: literal {lit!r} not valid for {path} (one of {', '.join(typ.choices)})")
        return lit

    def _leaf(self, path: object, op: str, operand: object, *, where: str) -> Node:
        typ = self.path_type(path)
        get = self.getter(path)
        if op == "exists":
            if not isinstance(operand, bool):
                raise PackError(f"{where}: exists takes true or false")
            want = operand

            def f_exists(vals, _g=get, _w=want):
                return (_g(vals) is not None) is _w

            return Node(f_exists, "leaf", paths=(path,))
        if typ.kind == "enum_list" and op != "contains_any":
            raise PackError(f"{where}: {path} is a list; use contains_any or exists")
        if op == "contains_any":
            if typ.kind != "enum_list":
                raise PackError(f"{where}: contains_any needs a list fact, {path} is {typ}")
            if not isinstance(operand, list) or not operand:
                raise PackError(f"{where}: contains_any needs a non-empty list of literals")
            members = frozenset(self._literal(typ, x, path, where) for x in operand)

            def f_contains(vals, _g=get, _m=members):
                a = _g(vals)
                if a is None:
                    return None
                return not _m.isdisjoint(a)

            return Node(f_contains, "leaf", paths=(path,))
        if op in ("in", "not_in"):
            if not isinstance(operand, list) or not operand:
                raise PackError(f"{where}: {op} needs a non-empty list of literals")
            members = frozenset(self._literal(typ, x, path, where) for x in operand)
            if op == "in":

                def f_in(vals, _g=get, _m=members):
                    a = _g(vals)
                    if a is None:
                        return None
                    return a in _m

                return Node(f_in, "leaf", paths=(path,))

            def f_not_in(vals, _g=get, _m=members):
                a = _g(vals)
                if a is None:
                    return None
                return a not in _m

            return Node(f_not_in, "leaf", paths=(path,))
        # eq ne lt le gt ge
        cmp = _CMP[op]
        if op in _ORDERING and not typ.numeric:
            raise PackError(f"{where}: {op} needs a number, {path} is {typ}")
        if isinstance(operand, dict):
            if set(operand) != {"ref"}:
                raise PackError(f"{where}: bad operand {operand!r} (expected a literal or {{ref: PATH}})")
            ref = operand["ref"]
            rtyp = self.path_type(ref)
            _check_like(typ, rtyp, path, ref, where)
            rget = self.getter(ref)

            def f_ref(vals, _g=get, _r=rget, _c=cmp):
                a = _g(vals)
                if a is None:
                    return None
                b = _r(vals)
                if b is None:
                    return None
                return _c(a, b)

            return Node(f_ref, "leaf", paths=(path, ref))
        const = self._literal(typ, operand, path, where)

        def f_lit(vals, _g=get, _k=const, _c=cmp):
            a = _g(vals)
            if a is None:
                return None
            return _c(a, _k)

        return Node(f_lit, "leaf", paths=(path,))

    # -- explanation of an unknown condition (spec 6.2) -------------------------------------

    def explain(self, node: Node, vals: dict, missing: list[str], flags: list[bool]) -> None:
        """Collect, in order of first appearance, the missing proposal facts read by the unknown
        leaves of an unknown condition, and set ``flags[0]`` if one of them reads a parameter with
        no value in force.

        AMBIGUITY RESOLVED: only sub-conditions that are themselves unknown are walked; a child
        that is already true/false (e.g. a true branch of an ``any`` inside an unknown ``all``)
        contributes nothing, because supplying its facts would not change the outcome."""
        if node.fn(vals) is not None:
            return
        if node.kind == "leaf":
            for path in node.paths:
                self._explain_path(path, vals, missing, flags)
            return
        for child in node.children:
            self.explain(child, vals, missing, flags)

    def _explain_path(self, path: str, vals: dict, missing: list[str], flags: list[bool]) -> None:
        value = self.getter(path)(vals)
        if value is not None:
            return
        if path.startswith("ind."):
            # A missing indicator: walk all its inputs (not just the first missing one), so that a
            # parameter without a value in force is noticed even if a fact is missing as well.
            # A division by zero with every input present names the indicator itself.
            # (An input already named by an earlier leaf still counts as missing: the test is whether
            # any input is absent, not whether the list grew.)
            inputs = self.indicator_inputs[path[4:]]
            for p in inputs:
                self._explain_path(p, vals, missing, flags)
            if all(self.getter(p)(vals) is not None for p in inputs) and path not in missing:
                missing.append(path)
        elif path.startswith("par."):
            status, info = vals["!" + path]
            if status == NO_VALUE:
                flags[0] = True
            elif status in (MISSING_KEY, AMBIGUOUS):
                for fact in info:
                    if fact not in missing:
                        missing.append(fact)
        elif path not in missing:
            missing.append(path)


def _check_like(typ: Type, rtyp: Type, path: str, ref: str, where: str) -> None:
    if typ.numeric and rtyp.numeric:
        if typ.unit != rtyp.unit:
            raise PackError(f"{where}: cannot compare {path} ({typ.unit}) with {ref} ({rtyp.unit})")
        return
    if typ.kind == "boolean" and rtyp.kind == "boolean":
        return
    if typ.stringy and rtyp.stringy:
        return
    raise PackError(f"{where}: cannot compare {path} ({typ}) with {ref} ({rtyp})")


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    if len(parts) < 2:
        return None
    return ".".join(reversed(parts))
