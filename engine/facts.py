"""Turn a validated proposal into facts: proposal values, zone facts, parameters in force, indicators.

Nothing here decides a rule. Missing stays missing (absent from `values`), never zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from .model import FACTS, Proposal
from .pack import Pack, Zone
from .params import Resolved, resolve
from .units import quantize

Value = Decimal | bool | str | int | tuple[str, ...]


@dataclass
class FactSet:
    values: dict[str, Value]  # every present path: proposal, zone.*, par.*, ind.*
    origins: dict[str, str] = field(default_factory=dict)  # path -> "zone profile <id>" when defaulted
    params: dict[str, Resolved] = field(default_factory=dict)
    day: dt.date = dt.date.min


def proposal_values(proposal: Proposal) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for path in FACTS:
        section, name = path.split(".")
        raw = getattr(getattr(proposal, section), name)
        if raw is None:
            continue
        if isinstance(raw, list):
            values[path] = tuple(sorted(item.value for item in raw))
        elif isinstance(raw, Enum):
            values[path] = raw.value
        elif isinstance(raw, Decimal):
            values[path] = quantize(raw)
        else:
            values[path] = raw
    return values


def build_facts(proposal: Proposal, pack: Pack, zone: Zone, day: dt.date) -> FactSet:
    values = proposal_values(proposal)
    origins: dict[str, str] = {}
    for path, (value, source) in zone.facts.items():
        if path not in values:
            values[path] = value  # type: ignore[assignment]
            origins[path] = f"zone:{zone.id}"
    values["zone.region"] = zone.region
    values["zone.id"] = zone.id
    facts = FactSet(values=values, origins=origins, day=day)
    for name, param in pack.parameters.items():
        resolved = resolve(param, pack, zone, values, day)
        facts.params[name] = resolved
        if resolved.status == "ok":
            values[f"par.{name}"] = resolved.value  # type: ignore[assignment]
    for name, indicator in pack.indicators.items():
        result = indicator.formula.evaluate(values)
        if result is not None:
            values[f"ind.{name}"] = result
    return facts
