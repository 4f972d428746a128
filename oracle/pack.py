"""Reading a rule pack and the zone profiles (docs/rule-format.md sections 1, 4, 5, 7).

This is the oracle's own reader: it shares no code with engine/ (only ``engine.model.FACTS`` is
used, for the catalogue of proposal fact paths). A malformed pack raises ``PackError`` naming the
file and the item; line numbers are the engine loader's business.
"""

from __future__ import annotations

import csv
import pathlib
import re
from decimal import Decimal
from typing import Any, Callable

import yaml

from .conditions import Compiler, Node, PackError, Type
from .params import Key, Mapping, Parameter, Row, cell_text
from .units import NON_NUMERIC_UNITS, UNITS, UnitError, convert, exact_decimal, parse_bool, to_date, to_decimal

try:  # the C loader is much faster; both are safe loaders
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

SEVERITIES = ("veto", "mandatory", "condition", "advisory")
DOMAINS = ("environment", "land", "industry", "intensity")
_ID = re.compile(r"^[a-z0-9-]+$")
_RULE_ID = re.compile(r"^[A-Z0-9-]+$")
_CASE_ID = re.compile(r"^[a-z0-9_]+$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_TABLE_FIXED = ("value", "unit", "valid_from", "valid_to", "source")


def fact_types() -> dict[str, Type]:
    """Proposal fact catalogue from engine.model.FACTS (the only thing imported from engine/)."""
    from zonecheck.engine.contract.proposal import FACTS

    return {
        path: Type(spec.kind, spec.unit, tuple(spec.choices))
        for path, spec in FACTS.items()
    }


def reader_for(typ: Type) -> Callable[[object], object]:
    """Converter from the proposal's JSON form (or a YAML default) to the runtime value."""
    kind = typ.kind
    if kind == "number":
        return to_decimal
    if kind == "integer":

        def read_int(raw: object) -> int:
            if isinstance(raw, bool):
                raise ValueError(f"expected an integer, got {raw!r}")
            if isinstance(raw, int):
                return raw
            if isinstance(raw, str) and re.fullmatch(r"[+-]?\d+", raw.strip()):
                return int(raw.strip())
            if isinstance(raw, (float, Decimal)) and raw == int(raw):
                return int(raw)
            raise ValueError(f"expected an integer, got {raw!r}")

        return read_int
    if kind == "boolean":

        def read_bool(raw: object) -> bool:
            if isinstance(raw, bool):
                return raw
            raise ValueError(f"expected true/false, got {raw!r}")

        return read_bool
    if kind == "enum_list":

        def read_list(raw: object) -> tuple:
            if not isinstance(raw, (list, tuple)):
                raise ValueError(f"expected a list, got {raw!r}")
            return tuple(str(x) for x in raw)

        return read_list

    def read_text(raw: object) -> str:
        if isinstance(raw, str):
            return raw
        if kind in ("code", "text") and isinstance(raw, int) and not isinstance(raw, bool):
            return str(raw)
        raise ValueError(f"expected text, got {raw!r}")

    return read_text


def load_yaml(path: pathlib.Path) -> Any:
    try:
        with path.open("r", encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)
    except FileNotFoundError:
        raise PackError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: YAML syntax: {exc}") from None


def load_csv(path: pathlib.Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            rows = []
            for n, raw in enumerate(reader, start=2):
                if None in raw:
                    raise PackError(f"{path}:{n}: more cells than header columns")
                row = {k.strip(): (v.strip() if v is not None else "") for k, v in raw.items()}
                if all(v == "" for v in row.values()):
                    continue
                row["__line__"] = str(n)
                rows.append(row)
            return header, rows
    except FileNotFoundError:
        raise PackError(f"{path}: file not found") from None


class Rule:
    __slots__ = ("id", "severity", "applies", "defaults", "cases", "file")

    def __init__(self, id, severity, applies, defaults, cases, file):
        self.id: str = id
        self.severity: str = severity
        self.applies: Node | None = applies
        # (fact path, value, condition, paths to forget when the default applies)
        self.defaults: list[tuple[str, object, Node, tuple[str, ...]]] = defaults
        # (case id, severity, condition)
        self.cases: list[tuple[str, str, Node]] = cases
        self.file: str = file


class Zone:
    __slots__ = ("id", "region", "fact_defaults", "sources", "file")

    def __init__(self, id, region, fact_defaults, sources, file):
        self.id = id
        self.region = region
        self.fact_defaults: dict[str, object] = fact_defaults
        self.sources: dict = sources
        self.file = file


class Pack:
    def __init__(self, rules_dir: pathlib.Path, pack_id: str):
        self.rules_dir = pathlib.Path(rules_dir)
        self.dir = self.rules_dir / pack_id
        pack_file = self.dir / "pack.yaml"
        doc = load_yaml(pack_file)
        if not isinstance(doc, dict):
            raise PackError(f"{pack_file}: expected a mapping")
        self.id = doc.get("id")
        if not isinstance(self.id, str) or not _ID.match(self.id):
            raise PackError(f"{pack_file}: bad or missing id {self.id!r}")
        unknown = set(doc) - {"id", "version", "title", "rule_files", "keys", "indicators", "parameters"}
        if unknown:
            raise PackError(f"{pack_file}: unknown top-level keys {sorted(unknown)}")
        self.version = doc.get("version")

        sources_file = self.dir / "sources.yaml"
        if sources_file.exists():
            self.sources = load_yaml(sources_file) or {}
            if not isinstance(self.sources, dict):
                raise PackError(f"{sources_file}: expected a mapping of source ids")
            self._check_sources = True
        else:
            # AMBIGUITY RESOLVED: without a sources.yaml the oracle does not check source ids
            # (they do not change any evaluation); with one, unknown ids are errors.
            self.sources = {}
            self._check_sources = False

        self.compiler = Compiler(fact_types())
        self.keys = self._load_keys(doc.get("keys") or {}, pack_file)
        for name, spec in (doc.get("indicators") or {}).items():
            where = f"{pack_file}: indicator {name}"
            if not isinstance(spec, dict) or "formula" not in spec or "unit" not in spec:
                raise PackError(f"{where}: needs unit and formula")
            unit = spec["unit"]
            if unit not in UNITS or unit in NON_NUMERIC_UNITS:
                raise PackError(f"{where}: bad unit {unit!r}")
            self.compiler.declare_indicator(name, unit, spec["formula"])
        for name, spec in (doc.get("parameters") or {}).items():
            self.compiler.parameters[name] = self._load_parameter(name, spec, pack_file)
        for name in self.compiler.indicator_types:  # compile every indicator (errors, cycles)
            self.compiler.getter("ind." + name)

        self.zones = self._load_zones()

        self.rules: list[Rule] = []
        seen: dict[str, str] = {}
        rule_files = doc.get("rule_files")
        if not isinstance(rule_files, list) or not rule_files:
            raise PackError(f"{pack_file}: rule_files must be a non-empty list")
        for rel in rule_files:
            path = self.dir / rel
            items = load_yaml(path)
            if items is None:
                items = []
            if not isinstance(items, list):
                raise PackError(f"{path}: expected a list of rules")
            for item in items:
                rule = self._load_rule(item, path)
                if rule.id in seen:
                    raise PackError(f"{path}: duplicate rule id {rule.id} (also in {seen[rule.id]})")
                seen[rule.id] = str(path)
                self.rules.append(rule)

        # Proposal facts the pack reads anywhere (only those are read from a proposal).
        self.facts_used: list[str] = [
            p for p in self.compiler.facts if p in self.compiler.getters or p in self._key_facts()
        ]

    # -- keys -------------------------------------------------------------------------------

    def _key_facts(self) -> set[str]:
        return {k.fact for k in self.keys.values()}

    def _load_keys(self, spec: dict, pack_file: pathlib.Path) -> dict[str, Key]:
        keys: dict[str, Key] = {}
        for name, k in spec.items():
            where = f"{pack_file}: key {name}"
            if not isinstance(k, dict) or "fact" not in k:
                raise PackError(f"{where}: needs fact")
            fact = k["fact"]
            self.compiler.path_type(fact)
            if not (fact in self.compiler.facts or fact in ("zone.region", "zone.id")):
                raise PackError(f"{where}: key fact must be a proposal or zone fact, got {fact!r}")
            if self.compiler.path_type(fact).kind == "enum_list":
                raise PackError(f"{where}: a list fact cannot be a key")
            match = k.get("match", "exact")
            if match not in ("exact", "prefix"):
                raise PackError(f"{where}: match must be exact or prefix")
            mapping = None
            if "via" in k:
                via = k["via"]
                if not isinstance(via, dict) or set(via) != {"table", "from", "to"}:
                    raise PackError(f"{where}: via needs table, from, to")
                table = self.dir / via["table"]
                header, rows = load_csv(table)
                cols = set(header) - {"note"}
                if cols != {via["from"], via["to"]}:
                    raise PackError(f"{table}: mapping table must have columns {via['from']}, {via['to']} (and note)")
                pairs = []
                for row in rows:
                    src, dst = row[via["from"]], row[via["to"]]
                    if not src or not dst or src == "*" or dst == "*":
                        raise PackError(f"{table}:{row['__line__']}: empty or * cell in a mapping table")
                    pairs.append((src, dst))
                mapping = Mapping(pairs, prefix=(match == "prefix"))
            if fact not in self.compiler.getters:
                self.compiler.getter(fact)
            keys[name] = Key(name, fact, match == "prefix", mapping)
        return keys

    # -- parameters -------------------------------------------------------------------------

    def _value(self, raw: object, row_unit: str | None, par_unit: str, where: str) -> object:
        if par_unit == "boolean":
            if row_unit not in (None, "", "boolean"):
                raise PackError(f"{where}: threshold of the wrong unit {row_unit!r} (boolean parameter)")
            try:
                return parse_bool(raw)
            except ValueError as exc:
                raise PackError(f"{where}: {exc}") from None
        if par_unit == "text":
            if row_unit not in (None, "", "text"):
                raise PackError(f"{where}: threshold of the wrong unit {row_unit!r} (text parameter)")
            if not isinstance(raw, str) or not raw:
                raise PackError(f"{where}: expected a text value, got {raw!r}")
            return raw
        if not row_unit:
            raise PackError(f"{where}: unit is required for a numeric value")
        try:
            # The cell is read exactly and rounded once, after conversion (spec 3).
            return convert(exact_decimal(raw), row_unit, par_unit)
        except UnitError as exc:
            raise PackError(f"{where}: {exc}") from None
        except ValueError as exc:
            raise PackError(f"{where}: bad value: {exc}") from None

    def _validity(self, vfrom: object, vto: object, where: str, *, from_required: bool = True):
        try:
            f = to_date(vfrom, what="valid_from")
            t = to_date(vto, what="valid_to")
        except ValueError as exc:
            raise PackError(f"{where}: {exc}") from None
        if f is None and from_required:
            raise PackError(f"{where}: valid_from is required")
        if f is not None and t is not None and f > t:
            raise PackError(f"{where}: bad date range valid_from {f} > valid_to {t}")
        return f, t

    def _source(self, source: object, where: str, extra: dict | None = None) -> str | None:
        if source in (None, ""):
            raise PackError(f"{where}: source is required")
        if self._check_sources and source not in self.sources and not (extra and source in extra):
            raise PackError(f"{where}: unknown source id {source!r}")
        return str(source)

    def _load_parameter(self, name: str, spec: Any, pack_file: pathlib.Path) -> Parameter:
        where = f"{pack_file}: parameter {name}"
        if not isinstance(spec, dict):
            raise PackError(f"{where}: expected a mapping")
        unit = spec.get("unit")
        if unit not in UNITS:
            raise PackError(f"{where}: bad unit {unit!r}")
        numeric = unit not in NON_NUMERIC_UNITS
        stricter = spec.get("stricter")
        if numeric and stricter not in ("higher", "lower"):
            raise PackError(f"{where}: stricter (higher|lower) missing on a numeric parameter")
        if not numeric and stricter is not None:
            raise PackError(f"{where}: stricter on a {unit} parameter")
        key_names = spec.get("keys") or []
        if not isinstance(key_names, list):
            raise PackError(f"{where}: keys must be a list")
        keys = []
        for kn in key_names:
            if kn not in self.keys:
                raise PackError(f"{where}: unknown key {kn!r}")
            keys.append(self.keys[kn])
        if "table" in spec and "values" in spec:
            raise PackError(f"{where}: give table or values, not both")
        rows: list[Row] = []
        if "table" in spec:
            table = self.dir / spec["table"]
            header, csv_rows = load_csv(table)
            expected = set(key_names) | set(_TABLE_FIXED)
            got = set(header)
            if not expected <= got or not got <= expected | {"note"}:
                raise PackError(
                    f"{table}: columns must be {key_names + list(_TABLE_FIXED)} (+ note), got {header}"
                )
            for r in csv_rows:
                w = f"{table}:{r['__line__']}"
                cells = tuple(cell_text(r[k]) if r[k] != "" else _empty_cell(w, k) for k in key_names)
                value = self._value(r["value"], r["unit"], unit, w)
                vfrom, vto = self._validity(r["valid_from"], r["valid_to"], w)
                rows.append(Row(cells, value, vfrom, vto, self._source(r["source"], w), "national"))
        elif "values" in spec:
            if not isinstance(spec["values"], list):
                raise PackError(f"{where}: values must be a list")
            for i, v in enumerate(spec["values"]):
                rows.append(self._inline_row(v, key_names, unit, f"{where}: values[{i}]", None, "national"))
        if "default" in spec:
            if numeric:
                raise PackError(f"{where}: default on a numeric parameter")
            d = spec["default"]
            if not isinstance(d, dict) or "value" not in d:
                raise PackError(f"{where}: default needs a value")
            dvalue = self._value(d["value"], None, unit, f"{where}: default")
            dfrom, dto = self._validity(d.get("valid_from"), d.get("valid_to"), f"{where}: default", from_required=False)
            dsource = self._source(d.get("source"), f"{where}: default")
            default = (dvalue, dfrom, dto, dsource)
        else:
            default = None
        try:
            Parameter.check_overlaps(rows, where)
        except ValueError as exc:
            raise PackError(str(exc)) from None
        return Parameter(name, unit, stricter, keys, rows, default)

    def _inline_row(self, v: Any, key_names: list[str], unit: str, where: str, zone_sources, side: str) -> Row:
        if not isinstance(v, dict) or "value" not in v:
            raise PackError(f"{where}: expected a mapping with value")
        allowed = {"keys", "value", "unit", "valid_from", "valid_to", "source", "note"}
        if set(v) - allowed:
            raise PackError(f"{where}: unknown fields {sorted(set(v) - allowed)}")
        kmap = v.get("keys") or {}
        if not isinstance(kmap, dict) or set(kmap) != set(key_names):
            raise PackError(f"{where}: keys must name exactly the parameter's keys {key_names}, got {kmap!r}")
        for k in key_names:
            if self.keys[k].prefix and not isinstance(kmap[k], str):
                # YAML reads an unquoted 0610 as the octal number 392: codes must be quoted.
                raise PackError(f"{where}: key {k} must be quoted text (a code), got {kmap[k]!r}")
        try:
            cells = tuple(cell_text(kmap[k]) for k in key_names)
        except ValueError as exc:
            raise PackError(f"{where}: {exc}") from None
        if side == "zone" and not v.get("unit"):
            raise PackError(f"{where}: unit is required in a zone row")
        # AMBIGUITY RESOLVED: an inline `values:` row of pack.yaml may omit unit; it is then in
        # the parameter's own unit (the spec's example has no unit there).
        row_unit = v.get("unit") or (unit if side == "national" else None)
        value = self._value(v["value"], row_unit, unit, where)
        vfrom, vto = self._validity(v.get("valid_from"), v.get("valid_to"), where)
        source = self._source(v.get("source"), where, zone_sources)
        return Row(cells, value, vfrom, vto, source, side)

    # -- zones ------------------------------------------------------------------------------

    def _load_zones(self) -> dict[str, Zone]:
        zones: dict[str, Zone] = {}
        zdir = self.rules_dir / "zones"
        for path in sorted(zdir.glob("*.yaml")) if zdir.is_dir() else []:
            doc = load_yaml(path)
            if not isinstance(doc, dict):
                raise PackError(f"{path}: expected a mapping")
            zid = doc.get("id", path.stem)
            if zid != path.stem:
                raise PackError(f"{path}: id {zid!r} does not match the file name")
            region = doc.get("region")
            if region not in ("east", "central", "west", "northeast"):
                raise PackError(f"{path}: region must be east|central|west|northeast, got {region!r}")
            zsources = doc.get("sources") or {}
            if not isinstance(zsources, dict):
                raise PackError(f"{path}: sources must be a mapping")
            fact_defaults = {}
            for fpath, spec in (doc.get("facts") or {}).items():
                if fpath not in self.compiler.facts:
                    raise PackError(f"{path}: unknown fact path {fpath!r}")
                if not isinstance(spec, dict) or "value" not in spec:
                    raise PackError(f"{path}: fact {fpath} needs value (and source)")
                self._source(spec.get("source"), f"{path}: fact {fpath}", zsources)
                try:
                    fact_defaults[fpath] = reader_for(self.compiler.facts[fpath])(spec["value"])
                except ValueError as exc:
                    raise PackError(f"{path}: fact {fpath}: {exc}") from None
            for pname, prow_list in (doc.get("parameters") or {}).items():
                par = self.compiler.parameters.get(pname)
                if par is None:
                    raise PackError(f"{path}: unknown parameter {pname!r}")
                if not isinstance(prow_list, list):
                    raise PackError(f"{path}: parameter {pname}: expected a list of rows")
                key_names = [k.name for k in par.keys]
                rows = [
                    self._inline_row(v, key_names, par.unit, f"{path}: parameter {pname}[{i}]", zsources, "zone")
                    for i, v in enumerate(prow_list)
                ]
                try:
                    Parameter.check_overlaps(rows, f"{path}: parameter {pname}")
                except ValueError as exc:
                    raise PackError(str(exc)) from None
                par.zone_rows[zid] = rows
            zones[zid] = Zone(zid, region, fact_defaults, zsources, path)
        return zones

    # -- rules ------------------------------------------------------------------------------

    def _load_rule(self, item: Any, path: pathlib.Path) -> Rule:
        if not isinstance(item, dict):
            raise PackError(f"{path}: each rule must be a mapping")
        rid = item.get("id")
        if not isinstance(rid, str) or not _RULE_ID.match(rid):
            raise PackError(f"{path}: bad rule id {rid!r}")
        where = f"{path}: {rid}"
        allowed = {
            "id", "title", "domain", "severity", "citations", "applies_when", "defaults",
            "violations", "remedy_values", "satisfied", "not_applicable", "undetermined", "note", "notes",
        }
        if set(item) - allowed:
            raise PackError(f"{where}: unknown fields {sorted(set(item) - allowed)}")
        severity = item.get("severity")
        if severity not in SEVERITIES:
            raise PackError(f"{where}: severity must be one of {SEVERITIES}")
        if item.get("domain") not in DOMAINS:
            raise PackError(f"{where}: domain must be one of {DOMAINS}")
        citations = item.get("citations")
        if not isinstance(citations, list) or not citations:
            raise PackError(f"{where}: missing citation")
        for c in citations:
            if not isinstance(c, dict) or not ("source" in c or "seed" in c):
                raise PackError(f"{where}: a citation needs a source or a seed")
            if "source" in c:
                self._source(c["source"], where)
        comp = self.compiler
        applies = None
        if item.get("applies_when") is not None:
            applies = comp.compile_condition(item["applies_when"], where=f"{where}: applies_when")
        remedy_names = set()
        for rname, rspec in (item.get("remedy_values") or {}).items():
            if not isinstance(rspec, dict) or "formula" not in rspec:
                raise PackError(f"{where}: remedy_values.{rname} needs a formula")
            comp.compile_formula(rspec["formula"], where=f"{where}: remedy_values.{rname}")
            remedy_names.add(rname)
        defaults = []
        for i, d in enumerate(item.get("defaults") or []):
            w = f"{where}: defaults[{i}]"
            if not isinstance(d, dict) or "fact" not in d or "value" not in d:
                raise PackError(f"{w}: needs fact and value (and when)")
            fact = d["fact"]
            if fact not in comp.facts:
                raise PackError(f"{w}: unknown fact path {fact!r} (defaults are for proposal facts)")
            comp.getter(fact)
            try:
                value = reader_for(comp.facts[fact])(d["value"])
            except ValueError as exc:
                raise PackError(f"{w}: {exc}") from None
            typ = comp.facts[fact]
            if typ.kind == "enum" and value not in typ.choices:
                raise PackError(f"{w}: value {value!r} not valid for {fact}")
            if typ.kind == "enum_list" and any(x not in typ.choices for x in value):
                raise PackError(f"{w}: value {value!r} not valid for {fact}")
            if "when" in d and d["when"] is not None:
                when = comp.compile_condition(d["when"], where=f"{w}: when")
            else:
                # AMBIGUITY RESOLVED: a default without `when` always applies (when the fact is
                # missing), as if its when were true.
                when = Node(lambda vals: True, "leaf")
            if fact in _reads_of(comp, when):
                raise PackError(f"{w}: the default's when reads the defaulted fact {fact}")
            dependents = tuple(
                p for p in _all_derived(comp) if fact in comp.reads(p)
            )
            defaults.append((fact, value, when, dependents))
        cases = []
        seen_cases = set()
        violations = item.get("violations") or []
        if not isinstance(violations, list):
            raise PackError(f"{where}: violations must be a list")
        for i, v in enumerate(violations):
            w = f"{where}: violations[{i}]"
            if not isinstance(v, dict) or "case" not in v or "when" not in v:
                raise PackError(f"{w}: needs case and when")
            case = v["case"]
            if not isinstance(case, str) or not _CASE_ID.match(case) or case in seen_cases:
                raise PackError(f"{w}: bad or duplicate case id {case!r}")
            seen_cases.add(case)
            csev = v.get("severity", severity)
            if csev not in SEVERITIES:
                raise PackError(f"{w}: severity must be one of {SEVERITIES}")
            when = comp.compile_condition(v["when"], where=f"{w}: when")
            for field in ("message", "remedy"):
                self._check_template(v.get(field), remedy_names, f"{w}: {field}")
            cases.append((case, csev, when))
        for field in ("satisfied", "not_applicable", "undetermined"):
            self._check_template(item.get(field), remedy_names, f"{where}: {field}")
        return Rule(rid, severity, applies, defaults, cases, str(path))

    def _check_template(self, text: Any, remedy_names: set[str], where: str) -> None:
        if text is None:
            return
        texts = list(text.values()) if isinstance(text, dict) else [text]
        for t in texts:
            if not isinstance(t, str):
                continue
            for ph in _PLACEHOLDER.findall(t):
                ph = ph.strip()
                if ph.startswith("remedy."):
                    if ph[7:] not in remedy_names:
                        raise PackError(f"{where}: unknown template placeholder {{{ph}}}")
                    continue
                try:
                    self.compiler.path_type(ph)
                except PackError:
                    raise PackError(f"{where}: unknown template placeholder {{{ph}}}") from None


def _empty_cell(where: str, key: str) -> str:
    raise PackError(f"{where}: empty key cell {key} (use * to match anything)")


def _reads_of(comp: Compiler, node: Node) -> set[str]:
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        for p in n.paths:
            out |= comp.reads(p)
        stack.extend(n.children)
    return out


def _all_derived(comp: Compiler) -> list[str]:
    return ["ind." + n for n in comp.indicator_types] + ["par." + n for n in comp.parameters]
