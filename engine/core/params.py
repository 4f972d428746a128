"""Select the parameter value in force for one proposal, zone and date (docs/rule-format.md 6.4)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from zonecheck.engine.pack.model import Key, Pack, Parameter, Row, Zone

_NO_ROW = object()


@dataclass(frozen=True)
class Resolved:
    """What a parameter is for this proposal; `status` says why when there is no value."""

    name: str
    status: str  # ok | no_value | missing_key | ambiguous
    value: Decimal | bool | str | None = None
    row: Row | None = None  # the row that decided
    decided_by: str | None = None  # national | zone | default
    overruled: Row | None = None  # the in-force row that did not decide (looser or replaced)
    missing: tuple[str, ...] = ()  # key facts that are missing, or project.industry_code if ambiguous


def _lookup_codes(key: Key, code: str) -> list[str | None]:
    """The codes to look up for a proposal code: itself, or what a `via` table maps it to.

    A code the table maps to nothing is looked up as None, which only a `*` cell matches.
    """
    if key.via is None:
        return [code]
    if key.match == "exact":
        targets = [dst for src, dst in key.via if src == code] or [dst for src, dst in key.via if src == "*"]
        return list(dict.fromkeys(targets)) or [None]
    matching = [(src, dst) for src, dst in key.via if src == "*" or code.startswith(src)]
    targets: list[str] = []
    if matching:
        longest = max(len(src) if src != "*" else 0 for src, _ in matching)
        targets += [dst for src, dst in matching if (len(src) if src != "*" else 0) == longest]
    targets += [dst for src, dst in key.via if src != "*" and len(src) > len(code) and src.startswith(code)]
    return list(dict.fromkeys(targets)) or [None]


def _specificity(cell: str, value: str | None, match: str) -> int | None:
    """How specifically a cell matches a looked-up value, or None if it does not."""
    if cell == "*":
        return 0
    if value is None:
        return None
    if match == "prefix" and value.startswith(cell):
        return len(cell)
    if match == "exact" and cell == value:
        return 1
    return None


def _side(rows: tuple[Row, ...], keys: list[Key], lookups: list[list[str | None]], day: dt.date, default: object) -> object:
    """One side's value: a Row, _NO_ROW, or None when the key is ambiguous."""
    in_force = [row for row in rows if row.in_force(day)]
    outcomes: list[object] = []
    for combo in itertools.product(*lookups):
        best: Row | None = None
        best_score: tuple[int, ...] = ()
        for row in in_force:
            scores = [_specificity(cell, value, key.match) for (_, cell), value, key in zip(row.cells, combo, keys)]
            if None in scores:
                continue
            score = tuple(scores)  # key by key, in declared order: the first key decides first
            if best is None or score > best_score:
                best, best_score = row, score  # type: ignore[assignment]
        outcomes.append(best if best else _NO_ROW)
        # a row keyed more finely than the proposal's code may or may not cover it
        for row in in_force:
            extends = False
            fits = True
            for (_, cell), value, key in zip(row.cells, combo, keys):
                if key.match == "prefix" and value is not None and cell != "*" and len(cell) > len(value) and cell.startswith(value):
                    extends = True
                elif _specificity(cell, value, key.match) is None:
                    fits = False
            if extends and fits:
                outcomes.append(row)
    values = {(o.value if isinstance(o, Row) else default) for o in outcomes}
    if len(values) > 1:
        return None
    return outcomes[0] if outcomes else _NO_ROW


def resolve(
    param: Parameter, pack: Pack, zone: Zone | None, facts: Mapping[str, object], day: dt.date
) -> Resolved:
    keys = [pack.keys[name] for name in param.keys]
    missing = tuple(dict.fromkeys(key.fact for key in keys if facts.get(key.fact) is None))
    if missing:
        return Resolved(param.name, "missing_key", missing=missing)
    lookups = [_lookup_codes(key, str(facts[key.fact])) for key in keys]
    default_in_force = param.default if param.default and param.default.in_force(day) else None
    default_value = default_in_force.value if default_in_force else None
    national = _side(param.rows, keys, lookups, day, default_value)
    local = _side(zone.rows.get(param.name, ()), keys, lookups, day, default_value) if zone else _NO_ROW
    if national is None or local is None:
        code_facts = tuple(k.fact for k in keys if k.match == "prefix")
        return Resolved(param.name, "ambiguous", missing=code_facts or tuple(k.fact for k in keys))
    if isinstance(national, Row) and isinstance(local, Row):
        if param.stricter is None:
            return Resolved(param.name, "ok", local.value, local, "zone", overruled=national)
        zone_stricter = (local.value > national.value) if param.stricter == "higher" else (local.value < national.value)  # type: ignore[operator]
        if zone_stricter:
            return Resolved(param.name, "ok", local.value, local, "zone", overruled=national)
        return Resolved(param.name, "ok", national.value, national, "national", overruled=local)
    for side, row in (("national", national), ("zone", local)):
        if isinstance(row, Row):
            return Resolved(param.name, "ok", row.value, row, side)
    if default_in_force:
        return Resolved(param.name, "ok", default_in_force.value, default_in_force, "default")
    return Resolved(param.name, "no_value")
