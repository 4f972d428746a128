"""Read a rule pack and its zone profiles, rejecting anything malformed with file, line and reason.

Every check here is about the *shape* of the data (paths, units, dates, citations); what a rule
means is decided later by the compiled durable_rules ruleset.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from zonecheck.engine.pack.formula import FormulaError, parse
from zonecheck.engine.contract.proposal import FACTS
from zonecheck.engine.pack.model import (
    SEVERITIES,
    All,
    Any_,
    Case,
    Citation,
    Condition,
    Default,
    Indicator,
    Key,
    Leaf,
    Not,
    Pack,
    Parameter,
    RemedyValue,
    Row,
    Rule,
    Source,
    Zone,
    leaves,
)
from zonecheck.engine.contract.units import NUMERIC_UNITS, ROUNDING, UnitError, convert, dimension, to_decimal

REGIONS = ("east", "central", "west", "northeast")
ZONE_FACTS = {"zone.region": REGIONS, "zone.id": ()}
CONFIDENCE = ("law", "read", "secondary", "seed", "local")
DOMAINS = ("environment", "land", "industry", "intensity")
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
OPERATORS = (*COMPARISONS, "in", "not_in", "contains_any", "exists")
RULE_ID = re.compile(r"^[A-Z][A-Z0-9-]*$")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class PackError(ValueError):
    """A malformed pack: where (file:line) and why."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


# --- YAML with line numbers ---------------------------------------------------------------------


class Node(dict):  # type: ignore[type-arg]
    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> "Node":
        """A stand-in node whose line is the line of `key` in this mapping."""
        marker = Node()
        marker.line = getattr(self, "key_lines", {}).get(key, self.line)
        return marker


class NodeList(list):  # type: ignore[type-arg]
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> Node:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise PackError(f"{loader.name}:{key_node.start_mark.line + 1}", f"duplicate key {key!r}")
        seen.add(key)
    result = Node(loader.construct_mapping(node, deep=True))
    result.line = node.start_mark.line + 1
    result.key_lines = {loader.construct_object(k): k.start_mark.line + 1 for k, _ in node.value}
    return result


def _timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    """A date YAML cannot read stays text, so the loader reports it with its line."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


def _sequence(loader: _LineLoader, node: yaml.SequenceNode) -> NodeList:
    result = NodeList(loader.construct_sequence(node, deep=True))
    result.line = node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def read_yaml(path: Path, display: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PackError(f"{display}:1", f"cannot read: {error}") from None
    loader = _LineLoader(text)
    loader.name = display
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise PackError(f"{display}:{line}", f"YAML syntax: {error.problem or error}") from None
    finally:
        loader.dispose()


# --- helpers ------------------------------------------------------------------------------------


class _Reader:
    """Checks one file's content, reporting errors at the nearest line."""

    def __init__(self, display: str):
        self.display = display

    def at(self, node: Any) -> str:
        return f"{self.display}:{getattr(node, 'line', 1)}"

    def fail(self, node: Any, reason: str) -> PackError:
        return PackError(self.at(node), reason)

    def mapping(self, node: Any, what: str) -> Node:
        if not isinstance(node, dict):
            raise self.fail(node, f"{what} must be a mapping")
        return node  # type: ignore[return-value]

    def require(self, node: Node, key: str, what: str) -> Any:
        if key not in node or node[key] in (None, ""):
            raise self.fail(node, f"{what} needs `{key}`")
        return node[key]

    def only(self, node: Node, allowed: Iterable[str], what: str) -> None:
        extra = set(node) - set(allowed)
        if extra:
            raise self.fail(node, f"{what}: unknown field(s) {', '.join(sorted(map(str, extra)))}")

    def text(self, node: Node, key: str, what: str, required: bool = True) -> dict[str, str] | None:
        value = node.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, dict) or not value.get("zh") or not value.get("en"):
            raise self.fail(node, f"{what}: `{key}` needs both zh and en text")
        if set(value) != {"zh", "en"}:
            stray = ", ".join(sorted(map(str, set(value) - {"zh", "en"})))
            raise self.fail(value, f"{what}: `{key}` takes only zh and en (stray: {stray}; "
                                   "an unquoted comma inside {...} splits the text: quote it)")
        return {"zh": str(value["zh"]), "en": str(value["en"])}

    def date(self, node: Any, value: Any, what: str) -> dt.date | None:
        if value in (None, ""):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise self.fail(node, f"bad date range: {what} {value!r} is not a YYYY-MM-DD date") from None


def _source(reader: _Reader, source_id: str, node: Node) -> Source:
    reader.only(node, ("document", "number", "issued", "confidence", "reference", "note", "file"), f"source {source_id}")
    confidence = reader.require(node, "confidence", f"source {source_id}")
    if confidence not in CONFIDENCE:
        raise reader.fail(node, f"source {source_id}: confidence must be one of {', '.join(CONFIDENCE)}")
    issued = node.get("issued")
    return Source(
        id=source_id,
        document=str(reader.require(node, "document", f"source {source_id}")),
        number=None if node.get("number") is None else str(node["number"]),
        issued=None if issued is None else str(issued),
        confidence=confidence,
        reference=None if node.get("reference") is None else str(node["reference"]),
        note=None if node.get("note") is None else str(node["note"]),
        file=None if node.get("file") is None else str(node["file"]),
    )


def _hash_files(paths: Iterable[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


# --- the pack -----------------------------------------------------------------------------------


class _PackLoader:
    def __init__(self, pack_dir: Path):
        self.dir = pack_dir
        self.rules_root = pack_dir.parent
        self.sources: dict[str, Source] = {}
        self.keys: dict[str, Key] = {}
        self.indicators: dict[str, Indicator] = {}
        self.parameters: dict[str, Parameter] = {}

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.rules_root.parent).as_posix()
        except ValueError:
            return path.as_posix()

    # paths -------------------------------------------------------------------------------------
    def path_kind(self, path: str) -> tuple[str, str | None, tuple[Any, ...]]:
        """(kind, unit, choices) of a path, or KeyError."""
        if path in FACTS:
            spec = FACTS[path]
            return spec.kind, spec.unit, spec.choices
        if path in ZONE_FACTS:
            return "enum", None, ZONE_FACTS[path]
        head, _, name = path.partition(".")
        if head == "ind" and name in self.indicators:
            return "number", self.indicators[name].unit, ()
        if head == "par" and name in self.parameters:
            unit = self.parameters[name].unit
            if unit == "boolean":
                return "boolean", None, ()
            if unit == "text":
                return "text", None, ()
            return "number", unit, ()
        raise KeyError(path)

    def check_path(self, reader: _Reader, node: Any, path: Any, where: str) -> str:
        if not isinstance(path, str):
            raise reader.fail(node, f"{where}: a path must be text, got {path!r}")
        try:
            self.path_kind(path)
        except KeyError:
            raise reader.fail(node, f"{where}: unknown fact path {path!r}") from None
        return path

    # load --------------------------------------------------------------------------------------
    def load(self) -> Pack:
        pack_file = self.dir / "pack.yaml"
        if not pack_file.is_file():
            raise PackError(self.display(pack_file) + ":1", "no pack.yaml in the pack folder")
        reader = _Reader(self.display(pack_file))
        top = reader.mapping(read_yaml(pack_file, reader.display), "pack.yaml")
        reader.only(top, ("id", "version", "title", "description", "rule_files", "keys", "indicators", "parameters"), "pack.yaml")
        pack_id = str(reader.require(top, "id", "pack.yaml"))
        self.load_sources()
        for name, node in self.section(reader, top, "keys"):
            self.keys[name] = self.load_key(reader, name, node)
        for name, node in self.section(reader, top, "parameters"):
            self.parameters[name] = self.load_parameter(reader, name, node)
        # indicators may read parameters and earlier indicators
        for name, node in self.section(reader, top, "indicators"):
            self.indicators[name] = self.load_indicator(reader, name, node)
        rule_files = top.get("rule_files")
        if not isinstance(rule_files, list) or not rule_files:
            raise reader.fail(top, "pack.yaml needs `rule_files`, a list of rule files")
        rules: list[Rule] = []
        seen: dict[str, str] = {}
        for relative in rule_files:
            for rule in self.load_rule_file(self.dir / str(relative), reader, rule_files):
                if rule.id in seen:
                    raise PackError(rule.where, f"duplicate rule id {rule.id} (first at {seen[rule.id]})")
                seen[rule.id] = rule.where
                rules.append(rule)
        files = [p for p in self.dir.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".csv")]
        return Pack(
            id=pack_id,
            version=str(reader.require(top, "version", "pack.yaml")),
            title=reader.text(top, "title", "pack.yaml") or {},
            root=str(self.dir),
            keys=self.keys,
            indicators=self.indicators,
            parameters=self.parameters,
            rules=tuple(rules),
            sources=self.sources,
            hash=_hash_files(files, self.dir),
        )

    @staticmethod
    def section(reader: _Reader, top: Node, key: str) -> list[tuple[str, Node]]:
        """Named entries of a section; each node reports errors at the line of its name."""
        entries = reader.mapping(top.get(key) or Node(), key)
        out = []
        for name, node in entries.items():
            node = reader.mapping(node, f"{key} {name}")
            node.line = entries.line_of(name).line if isinstance(entries, Node) else node.line
            out.append((str(name), node))
        return out

    def load_sources(self) -> None:
        path = self.dir / "sources.yaml"
        reader = _Reader(self.display(path))
        if not path.is_file():
            raise PackError(f"{reader.display}:1", "no sources.yaml in the pack folder")
        top = reader.mapping(read_yaml(path, reader.display) or Node(), "sources.yaml")
        for source_id, node in top.items():
            self.sources[str(source_id)] = _source(reader, str(source_id), reader.mapping(node, f"source {source_id}"))

    def load_key(self, reader: _Reader, name: str, node: Node) -> Key:
        reader.only(node, ("fact", "match", "via"), f"key {name}")
        fact = self.check_path(reader, node, reader.require(node, "fact", f"key {name}"), f"key {name}")
        match = node.get("match", "exact")
        if match not in ("exact", "prefix"):
            raise reader.fail(node, f"key {name}: match must be exact or prefix")
        via = None
        if node.get("via") is not None:
            spec = reader.mapping(node["via"], f"key {name}: via")
            table = self.dir / str(reader.require(spec, "table", f"key {name}: via"))
            source_col, target_col = reader.require(spec, "from", "via"), reader.require(spec, "to", "via")
            via = tuple(
                (str(row[source_col]).strip(), str(row[target_col]).strip())
                for _, row in self.read_csv(table, (source_col, target_col))
                if str(row[target_col]).strip()
            )
        return Key(name=name, fact=fact, match=match, via=via)

    def read_csv(self, path: Path, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
        display = self.display(path)
        if not path.is_file():
            raise PackError(f"{display}:1", "table file not found")
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(row for row in handle if not row.lstrip().startswith("#"))
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise PackError(f"{display}:1", f"table lacks column(s) {', '.join(missing)}")
            rows = []
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    raise PackError(f"{display}:{reader.line_num}", "row has a different number of cells than the header")
                rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
            return rows

    def make_row(
        self,
        reader: _Reader,
        node: Any,
        param: tuple[str, str, tuple[str, ...]],
        cells: dict[str, Any],
        raw: dict[str, Any],
        sources: dict[str, Source],
        side: str,
        default: bool = False,
    ) -> Row:
        name, unit, keys = param
        for key, cell in cells.items():
            if key in self.keys and self.keys[key].match == "prefix" and not isinstance(cell, str):
                raise reader.fail(node, f"parameter {name}: quote the code {cell!r} (YAML reads 0610 as a number)")
        missing = [k for k in keys if k not in cells]
        extra = [k for k in cells if k not in keys]
        if missing or extra:
            raise reader.fail(node, f"parameter {name}: row keys must be exactly {list(keys)}, got {list(cells)}")
        source_id = str(raw.get("source") or "")
        if source_id not in sources:
            raise reader.fail(node, f"parameter {name}: unknown source id {source_id!r}")
        row_unit = str(raw.get("unit") or unit)
        try:
            if dimension(row_unit) != dimension(unit):
                raise reader.fail(node, f"threshold of the wrong unit: parameter {name} is in {unit}, row gives {row_unit}")
        except UnitError as error:
            raise reader.fail(node, str(error)) from None
        original = self.literal_value(reader, node, raw.get("value"), row_unit, f"parameter {name}")
        value = convert(original, row_unit, unit) if isinstance(original, Decimal) else original
        valid_from = reader.date(node, raw.get("valid_from"), "valid_from")
        valid_to = reader.date(node, raw.get("valid_to"), "valid_to")
        if valid_from is None and not default:
            raise reader.fail(node, f"bad date range: parameter {name}: a row needs `valid_from`")
        if valid_from and valid_to and valid_from > valid_to:
            raise reader.fail(node, f"bad date range: valid_from {valid_from} is after valid_to {valid_to}")
        return Row(
            cells=tuple((k, str(cells[k]).strip()) for k in keys),
            value=value,
            unit=unit,
            original=original,
            source_unit=row_unit,
            valid_from=valid_from,
            valid_to=valid_to,
            source=sources[source_id],
            side=side,
            note=None if raw.get("note") in (None, "") else str(raw["note"]),
            where=reader.at(node),
        )

    def literal_value(self, reader: _Reader, node: Any, value: Any, unit: str, what: str) -> Decimal | bool | str:
        if value is None or value == "":
            raise reader.fail(node, f"{what}: a row needs a value")
        if unit == "boolean":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "false"):
                return str(value).lower() == "true"
            raise reader.fail(node, f"{what}: {value!r} is not true/false")
        if unit == "text":
            return str(value)
        try:
            return to_decimal(value)
        except ValueError as error:
            raise reader.fail(node, f"{what}: {error}") from None

    def load_parameter(self, reader: _Reader, name: str, node: Node) -> Parameter:
        if not NAME.match(name):
            raise reader.fail(node, f"parameter name {name!r} must be snake_case")
        reader.only(node, ("label", "unit", "stricter", "keys", "table", "values", "default", "note", "review",
                           "review_source"), f"parameter {name}")
        unit = str(reader.require(node, "unit", f"parameter {name}"))
        try:
            dimension(unit)
        except UnitError as error:
            raise reader.fail(node, f"parameter {name}: {error}") from None
        stricter = node.get("stricter")
        if unit in NUMERIC_UNITS and stricter not in ("higher", "lower"):
            raise reader.fail(node, f"parameter {name}: a numeric parameter needs `stricter: higher` or `lower`")
        keys = tuple(node.get("keys") or ())
        for key in keys:
            if key not in self.keys:
                raise reader.fail(node, f"parameter {name}: unknown key {key!r}")
        spec = (name, unit, keys)
        rows: list[Row] = []
        if node.get("table"):
            table = self.dir / str(node["table"])
            table_reader = _Reader(self.display(table))
            for line, raw in self.read_csv(table, (*keys, "value", "source")):
                at = Node(raw)
                at.line = line
                cells = {k: raw[k] for k in keys}
                rows.append(self.make_row(table_reader, at, spec, cells, raw, self.sources, "national"))
        for raw in node.get("values") or ():
            raw = reader.mapping(raw, f"parameter {name}: values")
            rows.append(self.make_row(reader, raw, spec, dict(raw.get("keys") or {}), raw, self.sources, "national"))
        _check_overlaps(name, rows)
        default = None
        if node.get("default") is not None:
            if unit in NUMERIC_UNITS:
                raise reader.fail(node, f"parameter {name}: a numeric parameter cannot have a default (it would be an invented figure)")
            raw = reader.mapping(node["default"], f"parameter {name}: default")
            default = self.make_row(reader, raw, (name, unit, ()), {}, raw, self.sources, "national", default=True)
        review_source = node.get("review_source")
        if review_source is not None and str(review_source) not in self.sources:
            raise reader.fail(node, f"parameter {name}: unknown source id {review_source!r} in review_source")
        return Parameter(
            name=name,
            label=reader.text(node, "label", f"parameter {name}") or {},
            unit=unit,
            stricter=stricter,
            keys=keys,
            rows=tuple(rows),
            default=default,
            review=reader.text(node, "review", f"parameter {name}", required=False),
            review_source=str(review_source) if review_source is not None else None,
        )

    def load_indicator(self, reader: _Reader, name: str, node: Node) -> Indicator:
        if not NAME.match(name):
            raise reader.fail(node, f"indicator name {name!r} must be snake_case")
        reader.only(node, ("label", "unit", "formula", "note"), f"indicator {name}")
        unit = str(reader.require(node, "unit", f"indicator {name}"))
        if unit not in NUMERIC_UNITS:
            raise reader.fail(node, f"indicator {name}: unit {unit!r} is not a numeric unit")
        formula = self.formula(reader, node, reader.require(node, "formula", f"indicator {name}"), f"indicator {name}")
        return Indicator(name=name, label=reader.text(node, "label", f"indicator {name}") or {}, unit=unit, formula=formula)

    def formula(self, reader: _Reader, node: Node, text: Any, what: str):  # type: ignore[no-untyped-def]
        try:
            formula = parse(str(text))
        except FormulaError as error:
            raise reader.fail(node, f"{what}: {error}") from None
        for path in formula.paths:
            self.check_path(reader, node, path, what)
            if self.path_kind(path)[0] not in ("number",):
                raise reader.fail(node, f"{what}: {path} is not a number")
        return formula

    # rules -------------------------------------------------------------------------------------
    def load_rule_file(self, path: Path, pack_reader: _Reader, listed: Any) -> list[Rule]:
        if not path.is_file():
            raise pack_reader.fail(listed, f"rule file {path.name} not found")
        reader = _Reader(self.display(path))
        items = read_yaml(path, reader.display)
        if not isinstance(items, list):
            raise PackError(f"{reader.display}:1", "a rule file is a YAML list of rules")
        return [self.load_rule(reader, reader.mapping(item, "a rule")) for item in items]

    def load_rule(self, reader: _Reader, node: Node) -> Rule:
        allowed = ("id", "title", "domain", "severity", "citations", "applies_when", "defaults", "violations",
                   "remedy_values", "satisfied", "not_applicable", "undetermined", "note")
        rule_id = str(reader.require(node, "id", "a rule"))
        what = f"rule {rule_id}"
        reader.only(node, allowed, what)
        if not RULE_ID.match(rule_id):
            raise reader.fail(node, f"{what}: id must be upper-case letters, digits and hyphens")
        severity = reader.require(node, "severity", what)
        if severity not in SEVERITIES:
            raise reader.fail(node, f"{what}: severity must be one of {', '.join(SEVERITIES)}")
        domain = reader.require(node, "domain", what)
        if domain not in DOMAINS:
            raise reader.fail(node, f"{what}: domain must be one of {', '.join(DOMAINS)}")
        citations = node.get("citations")
        if not isinstance(citations, list) or not citations:
            raise reader.fail(node, f"{what}: missing citation (every rule cites its clause)")
        applies = None if node.get("applies_when") is None else self.condition(reader, node["applies_when"], what)
        defaults = tuple(self.default(reader, d, what) for d in node.get("defaults") or ())
        if len({d.fact for d in defaults}) != len(defaults):
            raise reader.fail(node, f"{what}: at most one default per fact")
        remedy_values = tuple(
            self.remedy_value(reader, reader.mapping(v, f"{what}: remedy value"), str(k), what)
            for k, v in (node.get("remedy_values") or {}).items()
        )
        cases = tuple(self.case(reader, reader.mapping(c, f"{what}: violation"), severity, what)
                      for c in node.get("violations") or ())
        if len({c.id for c in cases}) != len(cases):
            raise reader.fail(node, f"{what}: duplicate violation case id")
        rule = Rule(
            id=rule_id,
            title=reader.text(node, "title", what) or {},
            domain=domain,
            severity=severity,
            citations=tuple(self.citation(reader, reader.mapping(c, f"{what}: citation"), what) for c in citations),
            applies_when=applies,
            defaults=defaults,
            cases=cases,
            remedy_values=remedy_values,
            satisfied=reader.text(node, "satisfied", what) or {},
            not_applicable=reader.text(node, "not_applicable", what, required=applies is not None),
            where=reader.at(node),
            undetermined=reader.text(node, "undetermined", what, required=False),
        )
        self.check_templates(reader, node, rule)
        return rule

    def citation(self, reader: _Reader, node: Node, what: str) -> Citation:
        reader.only(node, ("source", "article", "quote", "seed", "paragraph"), f"{what}: citation")
        if node.get("seed"):
            if not node.get("paragraph") or not node.get("quote"):
                raise reader.fail(node, f"{what}: a seed citation needs `paragraph` and `quote`")
            seed_source = next((src for src in self.sources.values() if src.file == str(node["seed"])), None)
            return Citation(source=seed_source, article=None, quote=str(node["quote"]), seed=str(node["seed"]),
                            paragraph=str(node["paragraph"]))
        source_id = node.get("source")
        if not source_id:
            raise reader.fail(node, f"{what}: missing citation source (a `source` id or a `seed`)")
        if str(source_id) not in self.sources:
            raise reader.fail(node, f"{what}: unknown source id {source_id!r}")
        if not node.get("article"):
            raise reader.fail(node, f"{what}: a citation needs the `article` or table it rests on")
        return Citation(source=self.sources[str(source_id)], article=str(node["article"]),
                        quote=None if node.get("quote") is None else str(node["quote"]))

    def case(self, reader: _Reader, node: Node, severity: str, what: str) -> Case:
        reader.only(node, ("case", "severity", "when", "message", "remedy"), f"{what}: violation")
        case_id = str(reader.require(node, "case", f"{what}: violation"))
        if not NAME.match(case_id):
            raise reader.fail(node, f"{what}: case id {case_id!r} must be snake_case")
        case_severity = node.get("severity", severity)
        if case_severity not in SEVERITIES:
            raise reader.fail(node, f"{what}: severity must be one of {', '.join(SEVERITIES)}")
        return Case(
            id=case_id,
            severity=case_severity,
            when=self.condition(reader, reader.require(node, "when", f"{what}: violation"), what),
            message=reader.text(node, "message", f"{what}: case {case_id}") or {},
            remedy=reader.text(node, "remedy", f"{what}: case {case_id}", required=False),
        )

    def default(self, reader: _Reader, node: Any, what: str) -> Default:
        node = reader.mapping(node, f"{what}: default")
        fact = self.check_path(reader, node, reader.require(node, "fact", f"{what}: default"), f"{what}: default")
        if not fact.split(".")[0] in ("project", "investor", "investment", "land", "environment", "outputs"):
            raise reader.fail(node, f"{what}: only proposal facts take a default")
        feeds = [k.name for k in self.keys.values() if k.fact == fact] + [
            i.name for i in self.indicators.values() if fact in i.formula.paths]
        if feeds:
            raise reader.fail(node, f"{what}: {fact} feeds {', '.join(feeds)}, which are computed once per "
                                    "proposal: a rule's default cannot change them")
        value = self.check_literal(reader, node, fact, node.get("value"), f"{what}: default")
        when = self.condition(reader, reader.require(node, "when", f"{what}: default"), what)
        if fact in condition_paths(when):
            raise reader.fail(node, f"{what}: a default's `when` must not read the fact it defaults")
        return Default(fact=fact, value=value, when=when)

    def remedy_value(self, reader: _Reader, node: Node, name: str, what: str) -> RemedyValue:
        reader.only(node, ("formula", "unit", "round", "places"), f"{what}: remedy value {name}")
        unit = str(reader.require(node, "unit", f"{what}: remedy value {name}"))
        if unit not in NUMERIC_UNITS:
            raise reader.fail(node, f"{what}: remedy value {name}: unknown numeric unit {unit!r}")
        rounding = str(node.get("round", "half_even"))
        if rounding not in ROUNDING:
            raise reader.fail(node, f"{what}: remedy value {name}: round must be up, down or half_even")
        places = node.get("places", 2)
        if not isinstance(places, int) or not 0 <= places <= 6:
            raise reader.fail(node, f"{what}: remedy value {name}: places must be 0..6")
        formula = self.formula(reader, node, reader.require(node, "formula", f"{what}: remedy value {name}"), what)
        return RemedyValue(name=name, formula=formula, unit=unit, rounding=rounding, places=places)

    def condition(self, reader: _Reader, node: Any, what: str) -> Condition:
        node = reader.mapping(node, f"{what}: condition")
        if "all" in node or "any" in node:
            reader.only(node, ("all", "any"), f"{what}: condition")
            if len(node) != 1:
                raise reader.fail(node, f"{what}: use either `all` or `any` in one condition")
            kind = "all" if "all" in node else "any"
            children = node[kind]
            if not isinstance(children, list) or not children:
                raise reader.fail(node, f"{what}: `{kind}` needs a non-empty list")
            parsed = tuple(self.condition(reader, c, what) for c in children)
            return All(parsed) if kind == "all" else Any_(parsed)
        if "not" in node:
            reader.only(node, ("not",), f"{what}: condition")
            return Not(self.condition(reader, node["not"], what))
        if "fact" not in node:
            raise reader.fail(node, f"{what}: a condition is all/any/not or {{fact: PATH, OP: VALUE}}")
        path = self.check_path(reader, node, node["fact"], what)
        ops = [k for k in node if k != "fact"]
        if len(ops) != 1 or ops[0] not in OPERATORS:
            raise reader.fail(node, f"{what}: bad operator {ops} (use one of {', '.join(OPERATORS)})")
        op = ops[0]
        operand = node[op]
        kind, unit, _ = self.path_kind(path)
        if op == "exists":
            if not isinstance(operand, bool):
                raise reader.fail(node, f"{what}: exists takes true or false")
            return Leaf(path, op, operand)
        if op in ("in", "not_in", "contains_any"):
            if not isinstance(operand, list) or not operand:
                raise reader.fail(node, f"{what}: {op} takes a non-empty list")
            if (op == "contains_any") != (kind == "enum_list"):
                raise reader.fail(node, f"{what}: contains_any is for list facts, in/not_in for single values")
            items = tuple(self.check_literal(reader, node, path, v, what, element=True) for v in operand)
            return Leaf(path, op, items)
        if kind == "enum_list":
            raise reader.fail(node, f"{what}: {path} is a list: use contains_any")
        if isinstance(operand, dict):
            if set(operand) != {"ref"}:
                raise reader.fail(node, f"{what}: a reference is written {{ref: PATH}}")
            ref = self.check_path(reader, node, operand["ref"], what)
            ref_kind, ref_unit, _ = self.path_kind(ref)
            if ref_kind != kind or ref_unit != unit:
                raise reader.fail(node, f"threshold of the wrong unit: {path} ({unit or kind}) compared with {ref} ({ref_unit or ref_kind})")
            return Leaf(path, op, None, ref)
        if op in ("lt", "le", "gt", "ge") and kind not in ("number", "integer"):
            raise reader.fail(node, f"{what}: {op} compares numbers; {path} is {kind}")
        return Leaf(path, op, self.check_literal(reader, node, path, operand, what))

    def check_literal(self, reader: _Reader, node: Any, path: str, value: Any, what: str, element: bool = False) -> Any:
        kind, _, choices = self.path_kind(path)
        if kind in ("number",):
            if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or value != 0:
                raise reader.fail(node, f"{what}: numeric literal {value!r} in a condition: a figure belongs in a parameter with its source (only 0 is allowed)")
            return Decimal(0)
        if kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise reader.fail(node, f"{what}: {path} takes a whole number, not {value!r}")
            return value
        if kind == "boolean":
            if not isinstance(value, bool):
                raise reader.fail(node, f"{what}: {path} takes true or false, not {value!r}")
            return value
        if kind in ("enum", "enum_list"):
            if value not in choices:
                raise reader.fail(node, f"{what}: {value!r} is not a value of {path} ({', '.join(choices)})")
            return str(value)
        if not isinstance(value, str):
            raise reader.fail(node, f"{what}: {path} takes text, not {value!r}")
        return value

    def check_templates(self, reader: _Reader, node: Node, rule: Rule) -> None:
        remedies = {r.name for r in rule.remedy_values}
        texts = [rule.title, rule.satisfied, rule.not_applicable or {}, rule.undetermined or {}]
        for case in rule.cases:
            texts += [case.message, case.remedy or {}]
        for text in texts:
            for body in text.values():
                for placeholder in PLACEHOLDER.findall(body):
                    if placeholder.startswith("remedy."):
                        if placeholder[7:] not in remedies:
                            raise reader.fail(node, f"rule {rule.id}: unknown template placeholder {{{placeholder}}}")
                        continue
                    try:
                        self.path_kind(placeholder)
                    except KeyError:
                        raise reader.fail(node, f"rule {rule.id}: unknown template placeholder {{{placeholder}}}") from None

    # zones -------------------------------------------------------------------------------------
    def load_zone(self, path: Path) -> Zone:
        reader = _Reader(self.display(path))
        node = reader.mapping(read_yaml(path, reader.display), "zone profile")
        reader.only(node, ("id", "name", "fictional", "region", "facts", "sources", "parameters", "note", "leading_industries_note"), "zone profile")
        zone_id = str(reader.require(node, "id", "zone profile"))
        if zone_id != path.stem:
            raise reader.fail(node, f"zone id {zone_id!r} must match its file name {path.stem!r}")
        region = reader.require(node, "region", "zone profile")
        if region not in REGIONS:
            raise reader.fail(node, f"zone region must be one of {', '.join(REGIONS)}")
        sources = dict(self.sources)
        for source_id, source in (node.get("sources") or {}).items():
            sources[str(source_id)] = _source(reader, str(source_id), reader.mapping(source, f"source {source_id}"))
        facts: dict[str, tuple[object, Source]] = {}
        for fact, spec in (node.get("facts") or {}).items():
            self.check_path(reader, node, fact, "zone facts")
            spec = reader.mapping(spec, f"zone fact {fact}")
            value = self.check_literal(reader, spec, fact, spec.get("value"), f"zone fact {fact}") \
                if FACTS[fact].kind != "number" else to_decimal(spec.get("value"))
            source_id = str(spec.get("source") or "")
            if source_id not in sources:
                raise reader.fail(spec, f"zone fact {fact}: unknown source id {source_id!r}")
            facts[fact] = (value, sources[source_id])
        rows: dict[str, tuple[Row, ...]] = {}
        for name, items in (node.get("parameters") or {}).items():
            if name not in self.parameters:
                raise reader.fail(node, f"unknown parameter {name!r}")
            param = self.parameters[name]
            if not isinstance(items, list):
                raise reader.fail(node, f"parameter {name}: a list of rows")
            rows[name] = tuple(
                self.make_row(reader, reader.mapping(raw, f"parameter {name}"), (name, param.unit, param.keys),
                              dict(raw.get("keys") or {}), raw, sources, f"zone:{zone_id}")
                for raw in items
            )
            _check_overlaps(name, list(rows[name]))
        return Zone(
            id=zone_id,
            name=reader.text(node, "name", "zone profile") or {},
            region=region,
            fictional=bool(node.get("fictional", False)),
            facts=facts,
            rows=rows,
            sources=sources,
            hash=_hash_files([path], path.parent),
        )


def _check_overlaps(name: str, rows: list[Row]) -> None:
    """Two rows for the same keys may not both be in force on one day."""
    by_cells: dict[tuple[tuple[str, str], ...], list[Row]] = {}
    for row in rows:
        by_cells.setdefault(row.cells, []).append(row)
    for same in by_cells.values():
        same.sort(key=lambda r: r.valid_from or dt.date.min)
        for earlier, later in zip(same, same[1:]):
            if earlier.valid_to is None or (later.valid_from or dt.date.min) <= earlier.valid_to:
                raise PackError(later.where, f"bad date range: parameter {name}: this row overlaps the one at "
                                             f"{earlier.where} for the same keys")


def condition_paths(condition: Condition | None) -> list[str]:
    return [p for leaf in leaves(condition) for p in (leaf.path, leaf.ref) if p]


def load_pack(pack_dir: str | Path, zones_dir: str | Path | None = None) -> Pack:
    """Load `rules/<pack>/` and every zone profile in `rules/zones/` (or `zones_dir`)."""
    pack_dir = Path(pack_dir).resolve()
    loader = _PackLoader(pack_dir)
    pack = loader.load()
    zones = Path(zones_dir) if zones_dir else pack_dir.parent / "zones"
    if zones.is_dir():
        for path in sorted(zones.glob("*.yaml")):
            zone = loader.load_zone(path)
            pack.zones[zone.id] = zone
    return pack


if __name__ == "__main__":  # python -m engine.loader rules/national
    import sys

    try:
        loaded = load_pack(sys.argv[1] if len(sys.argv) > 1 else "rules/national")
    except PackError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    print(f"{loaded.id} {loaded.version}: {len(loaded.rules)} rules, {len(loaded.parameters)} parameters, "
          f"{len(loaded.indicators)} indicators, zones: {', '.join(loaded.zones)}")
