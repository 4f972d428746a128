"""Turn a validated proposal into facts: proposal values, zone facts, parameters in force, indicators.

Nothing here decides a rule. Missing stays missing (absent from `values`), never zero.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from zonecheck.engine.contract.proposal import FACTS, Proposal
from zonecheck.engine.pack.model import Pack, Zone
from zonecheck.engine.core.params import Resolved, resolve
from zonecheck.engine.contract.units import quantize

Value = Decimal | bool | str | int | tuple[str, ...]
T = TypeVar("T")
CACHE_LIMIT = 256  # parameter sets kept (each with its verdict tables, ~40 kB), the least recently used dropped first


@dataclass
class Parameters:
    """Every parameter resolved for one zone, date and set of key facts. Shared by all proposals that
    have them, so the verdict tables worked out from it are kept with it."""

    resolved: dict[str, Resolved]
    values: dict[str, Value]  # par.<name> -> the value in force
    tables: object = None  # explain.Tables, made on first use


@dataclass
class FactSet:
    values: dict[str, Value]  # every present path: proposal, zone.*, par.*, ind.*
    origins: dict[str, str] = field(default_factory=dict)  # path -> "zone:<id>" when the zone supplied it
    parameters: Parameters = field(default_factory=lambda: Parameters({}, {}))
    day: dt.date = dt.date.min

    @property
    def params(self) -> dict[str, Resolved]:
        return self.parameters.resolved


def _sections() -> tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...]:
    by_section: dict[str, list[tuple[str, str, str]]] = {}
    for path, spec in FACTS.items():
        section, name = path.split(".")
        by_section.setdefault(section, []).append((name, path, spec.kind))
    return tuple((section, tuple(fields)) for section, fields in by_section.items())


_SECTIONS = _sections()  # (section, ((field, path, kind), ...)): read once per proposal, field by field


def proposal_values(proposal: Proposal, quantized: bool = False) -> dict[str, Value]:
    """The proposal's values by path; `quantized`: its numbers are held at 6 places already (it was read by
    contract/validate.py), else they are rounded here."""
    values: dict[str, Value] = {}
    for section, fields in _SECTIONS:
        read = getattr(proposal, section).__dict__
        for name, path, kind in fields:
            raw = read[name]
            if raw is None:
                continue
            if kind == "number":
                values[path] = raw if quantized else quantize(raw)
            elif kind == "enum":
                values[path] = raw._value_  # `.value` is a property: ~0.5 µs on 3.11, for ~15 fields
            elif kind == "enum_list":
                values[path] = tuple(sorted(item._value_ for item in raw))
            else:
                values[path] = raw
    return values


class FactBuilder:
    """Builds facts for one pack. A parameter's value depends only on the zone, the rows in force on the
    date and its key facts, so each resolution is kept and reused (and the same object explains every
    finding)."""

    def __init__(self, pack: Pack):
        self.pack = pack
        self.key_facts = tuple(dict.fromkeys(
            pack.keys[k].fact for param in pack.parameters.values() for k in param.keys))
        self._cache: dict[tuple[object, ...], Parameters] = {}
        self._lock = threading.Lock()
        # each parameter's own key facts: a new industry code resolves only the parameters keyed by it
        self._param_keys = {name: tuple(pack.keys[k].fact for k in param.keys) for name, param in pack.parameters.items()}
        self._resolved: dict[tuple[object, ...], Resolved] = {}
        self._bounds: dict[str, list[dt.date]] = {}  # zone id -> the days the rows in force change

    def build(self, proposal: Proposal, zone: Zone, day: dt.date, quantized: bool = False) -> FactSet:
        values = proposal_values(proposal, quantized)
        origins: dict[str, str] = {}
        for path, (value, _source) in zone.facts.items():
            if path not in values:
                values[path] = value  # type: ignore[assignment]
                origins[path] = f"zone:{zone.id}"
        values["zone.region"] = zone.region
        values["zone.id"] = zone.id
        epoch = self.epoch(zone, day)  # parameters change only where a row comes into or goes out of force
        key = (zone.id, epoch, *[values.get(f) for f in self.key_facts])
        with self._lock:  # screeners are shared by threads
            parameters = self._cache.pop(key, None)
            if parameters is not None:
                self._cache[key] = parameters  # the most recently used last
        if parameters is None:
            parameters = self._keep(self._cache, key, self.resolve(zone, values, day, epoch), CACHE_LIMIT)
        values.update(parameters.values)
        facts = FactSet(values=values, origins=origins, parameters=parameters, day=day)
        for name, indicator in self.pack.indicators.items():
            result = indicator.formula.evaluate(values)
            if result is not None:
                values[f"ind.{name}"] = result
        return facts

    def epoch(self, zone: Zone, day: dt.date) -> int:
        """Which stretch of days between two changes of the rows in force (national, the zone's, defaults)
        `day` falls in: every day of one stretch resolves every parameter alike."""
        bounds = self._bounds.get(zone.id)
        if bounds is None:
            rows = [row for param in self.pack.parameters.values() for row in (*param.rows, param.default) if row]
            rows += [row for zone_rows in zone.rows.values() for row in zone_rows]
            days = {row.valid_from for row in rows if row.valid_from}
            days |= {row.valid_to + dt.timedelta(days=1) for row in rows if row.valid_to and row.valid_to < dt.date.max}
            bounds = self._bounds[zone.id] = sorted(days)
        return bisect.bisect_right(bounds, day)

    def _keep(self, cache: dict[tuple[object, ...], T], key: tuple[object, ...], value: T, limit: int) -> T:
        """Keep `value` under `key` (or the one another thread kept first), dropping the oldest entry when
        full (a dict keeps insertion order)."""
        with self._lock:  # screeners are shared by threads
            if key not in cache and len(cache) >= limit:
                del cache[next(iter(cache))]
            return cache.setdefault(key, value)

    def resolve(self, zone: Zone, values: dict[str, Value], day: dt.date, epoch: int) -> Parameters:
        resolved: dict[str, Resolved] = {}
        for name, param in self.pack.parameters.items():
            key = (name, zone.id, epoch, *[values.get(fact) for fact in self._param_keys[name]])
            found = self._resolved.get(key)
            if found is None:  # small objects: many are kept
                found = self._keep(self._resolved, key, resolve(param, self.pack, zone, values, day), CACHE_LIMIT * 64)
            resolved[name] = found
        in_force = {f"par.{name}": r.value for name, r in resolved.items() if r.status == "ok"}
        return Parameters(resolved, in_force)  # type: ignore[arg-type]

