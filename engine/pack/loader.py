"""Read a rule pack and its zone profiles, rejecting anything malformed with `file:line: reason`.

Each file's shape is checked by its pydantic model (`shape.py`), with lines from the YAML node marks
(`marks.py`); this module checks what the values mean: paths, units, keys, sources, dates in force,
figures, literals and templates. What a rule decides is left to the compiled durable_rules ruleset.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic_core import PydanticCustomError

from zonecheck.engine.contract.proposal import FACTS, MAX_NUMBER, Proposal
from zonecheck.engine.contract.units import NUMERIC_UNITS, UnitError, convert, dimension, to_decimal
from zonecheck.engine.pack import shape
from zonecheck.engine.pack.formula import Formula, FormulaError, parse
from zonecheck.engine.pack.marks import At, PackError, read_table_text, read_yaml
from zonecheck.engine.pack.model import (SEVERITIES, All, Any_, Case, Citation, Condition, Default, Indicator, Key,
                                         Leaf, Not, Pack, Parameter, RemedyValue, Row, Rule, Source, Zone, leaves)

__all__ = ["PackError", "load_pack", "condition_paths", "PLACEHOLDER"]

REGIONS = ("east", "central", "west", "northeast")
ZONE_FACTS = {"zone.region": REGIONS, "zone.id": ()}
OPERATORS = shape.OPERATORS
PROPOSAL_SECTIONS = ("project", "investor", "investment", "land", "environment", "outputs")
NAME = re.compile(shape.NAME_PATTERN)
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def _source(source_id: str, spec: shape.Source) -> Source:
    return Source(id=source_id, document=spec.document, number=spec.number, issued=spec.issued,
                  confidence=spec.confidence, reference=spec.reference, note=spec.note, file=spec.file)


def _hash_files(paths: Iterable[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


def _bounds(path: str) -> tuple[Decimal | None, Decimal | None]:
    """The range the proposal model allows for a fact (e.g. a land grade is 1..15)."""
    section, _, name = path.partition(".")
    field = getattr(Proposal.model_fields.get(section), "annotation", None)
    info = getattr(field, "model_fields", {}).get(name)
    low = high = None
    for limit in getattr(info, "metadata", ()):  # annotated_types' Ge, Gt, Le, Lt
        low = next((Decimal(str(getattr(limit, k))) for k in ("ge", "gt") if hasattr(limit, k)), low)
        high = next((Decimal(str(getattr(limit, k))) for k in ("le", "lt") if hasattr(limit, k)), high)
    return low, high


def number(at: At, value: Any, what: str) -> Decimal:
    """A figure written in a pack: finite, and no larger than any number the engine accepts."""
    try:
        result = to_decimal(value)
    except ArithmeticError:
        result = None
    except ValueError as error:
        raise at.fail(f"{what}: {error}") from None
    if result is None or abs(result) > MAX_NUMBER:
        raise at.fail(f"{what}: {value!r} is too large (a figure in a pack is at most {MAX_NUMBER:,f})")
    return result


def _in_range(at: At, value: Decimal, unit: str | None, path: str | None, what: str) -> None:
    """Within the fact's range (a land grade is 1..15); a fraction within 0..1."""
    low, high = (Decimal(0), Decimal(1)) if unit == "fraction" else _bounds(path) if path else (None, None)
    if (low is not None and value < low) or (high is not None and value > high):
        shown = lambda n: "…" if n is None else f"{n.normalize():f}"  # noqa: E731
        hint = " (a fraction: 0.07 is 7%)" if unit == "fraction" else ""
        raise at.fail(f"{what}: {shown(value)} is outside {shown(low)}..{shown(high)}{hint}")


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
            return (unit, None, ()) if unit in ("boolean", "text") else ("number", unit, ())
        raise KeyError(path)

    def check_path(self, at: At, path: Any, what: str) -> str:
        if not isinstance(path, str):
            raise at.fail(f"{what}: a path must be text, got {path!r}")
        if path not in FACTS and path not in ZONE_FACTS:
            try:
                self.path_kind(path)
            except KeyError:
                raise at.fail(f"{what}: unknown fact path {path!r}") from None
        return path

    # load --------------------------------------------------------------------------------------
    def load(self) -> Pack:
        pack_file = self.dir / "pack.yaml"
        if not pack_file.is_file():
            raise PackError(self.display(pack_file) + ":1", "no pack.yaml in the pack folder")
        document = read_yaml(pack_file, self.display(pack_file))
        top = shape.validate(shape.PackFile, document)
        at = At(document)
        self.load_sources()
        for name, key in (top.keys or {}).items():
            self.keys[name] = self.load_key(at / "keys" / name, name, key)
        for name, parameter in (top.parameters or {}).items():
            self.parameters[name] = self.load_parameter(at / "parameters" / name, name, parameter)
        for name, indicator in (top.indicators or {}).items():  # may read parameters and earlier indicators
            self.indicators[name] = self.load_indicator(at / "indicators" / name, name, indicator)
        rules: list[Rule] = []
        seen: dict[str, str] = {}
        for relative in top.rule_files:
            for rule in self.load_rule_file(self.dir / relative, at / "rule_files"):
                if rule.id in seen:
                    raise PackError(rule.where, f"duplicate rule id {rule.id} (first at {seen[rule.id]})")
                seen[rule.id] = rule.where
                rules.append(rule)
        files = [p for p in self.dir.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".csv")]
        return Pack(id=top.id, version=top.version, title=top.title.model_dump(), root=str(self.dir), keys=self.keys,
                    indicators=self.indicators, parameters=self.parameters, rules=tuple(rules),
                    sources=self.sources, hash=_hash_files(files, self.dir))

    def load_sources(self) -> None:
        path = self.dir / "sources.yaml"
        if not path.is_file():
            raise PackError(f"{self.display(path)}:1", "no sources.yaml in the pack folder")
        registry = shape.validate(shape.SourcesFile, read_yaml(path, self.display(path))).root or {}
        self.sources.update({str(source_id): _source(str(source_id), spec) for source_id, spec in registry.items()})

    def load_key(self, at: At, name: str, spec: shape.Key) -> Key:
        fact = self.check_path(at, spec.fact, f"key {name}")
        via = None
        if spec.via is not None:
            source_col, target_col = spec.via.from_, spec.via.to
            via = tuple((row[source_col], row[target_col])
                        for _, row in self.read_csv(self.dir / spec.via.table, (source_col, target_col))
                        if row[target_col])
        return Key(name=name, fact=fact, match=spec.match, via=via)

    def read_csv(self, path: Path, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
        display = self.display(path)
        if not path.is_file():
            raise PackError(f"{display}:1", "table file not found")
        lines = io.StringIO(read_table_text(path, display), newline="")
        kept = [(n, line) for n, line in enumerate(lines, 1) if not line.lstrip().startswith("#")]
        reader = csv.DictReader(line for _, line in kept)
        try:
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise PackError(f"{display}:{kept[0][0] if kept else 1}", f"table lacks column(s) {', '.join(missing)}")
            rows = []
            for row in reader:
                line = kept[reader.line_num - 1][0]
                if None in row or any(v is None for v in row.values()):
                    raise PackError(f"{display}:{line}", "row has a different number of cells than the header")
                rows.append((line, {k: (v or "").strip() for k, v in row.items()}))
        except csv.Error as error:
            raise PackError(f"{display}:{kept[min(reader.line_num, len(kept)) - 1][0] if kept else 1}",
                            f"CSV syntax: {error}") from None
        return rows

    def make_row(self, at: At, param: tuple[str, str, tuple[str, ...]], cells: dict[str, Any], raw: Any,
                 sources: dict[str, Source], side: str, default: bool = False) -> Row:
        """One row of a table, of inline `values`, of a zone or a default (`raw` has value, unit, dates,
        source and note as attributes or as table cells)."""
        get = raw.get if isinstance(raw, dict) else lambda field: getattr(raw, field, None)
        name, unit, keys = param
        for key, cell in cells.items():
            if key in self.keys and self.keys[key].match == "prefix" and not isinstance(cell, str):
                raise at.fail(f"parameter {name}: quote the code {cell!r} (YAML reads 0610 as a number)")
        if set(keys) != set(cells):
            raise at.fail(f"parameter {name}: row keys must be exactly {list(keys)}, got {list(cells)}")
        for key, cell in cells.items():
            self.check_cell(at, key, cell, f"parameter {name}")
        source_id = str(get("source") or "")
        if source_id not in sources:
            raise at.fail(f"parameter {name}: unknown source id {source_id!r}")
        row_unit = str(get("unit") or unit)
        try:
            if dimension(row_unit) != dimension(unit):
                raise at.fail(f"threshold of the wrong unit: parameter {name} is in {unit}, row gives {row_unit}")
        except UnitError as error:
            raise at.fail(str(error)) from None
        original = self.literal_value(at, get("value"), row_unit, f"parameter {name}")
        value = convert(original, row_unit, unit) if isinstance(original, Decimal) else original
        if isinstance(value, Decimal):
            number(at, value, f"parameter {name}")
            _in_range(at, value, unit, None, f"parameter {name}")
        valid_from, valid_to = self.day(at, get("valid_from"), "valid_from"), self.day(at, get("valid_to"), "valid_to")
        if valid_from is None and not default:
            raise at.fail(f"bad date range: parameter {name}: a row needs `valid_from`")
        if valid_from and valid_to and valid_from > valid_to:
            raise at.fail(f"bad date range: valid_from {valid_from} is after valid_to {valid_to}")
        note = get("note")
        return Row(cells=tuple((k, str(cells[k]).strip()) for k in keys), value=value, unit=unit, original=original,
                   source_unit=row_unit, valid_from=valid_from, valid_to=valid_to, source=sources[source_id],
                   side=side, note=None if note in (None, "") else str(note), where=at.where)

    def check_cell(self, at: At, key: str, cell: Any, what: str) -> None:
        """A cell of a key on a bounded whole-number fact (a land grade) names a value that can occur."""
        spec = self.keys.get(key)
        if spec is None or spec.via is not None or FACTS.get(spec.fact) is None or FACTS[spec.fact].kind != "integer":
            return
        text = str(cell).strip()
        if text != "*":
            if not text.isdigit():
                raise at.fail(f"{what}: key {key} takes a whole number or *, not {cell!r}")
            _in_range(at, Decimal(text), None, spec.fact, f"{what}: key {key}")

    @staticmethod
    def day(at: At, value: Any, what: str) -> dt.date | None:
        try:
            return shape._day(value)
        except PydanticCustomError:  # the shape's own check, reworded for table cells
            raise at.fail(f"bad date range: {what} {value!r} is not a YYYY-MM-DD date") from None

    def literal_value(self, at: At, value: Any, unit: str, what: str) -> Decimal | bool | str:
        if value is None or value == "":
            raise at.fail(f"{what}: a row needs a value")
        if unit == "boolean":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "false"):
                return str(value).lower() == "true"
            raise at.fail(f"{what}: {value!r} is not true/false")
        if unit == "text":
            return str(value)
        return number(at, value, what)

    def load_parameter(self, at: At, name: str, spec: shape.Parameter) -> Parameter:
        if not NAME.match(name):
            raise at.fail(f"parameter name {name!r} must be snake_case")
        unit = spec.unit
        try:
            dimension(unit)
        except UnitError as error:
            raise at.fail(f"parameter {name}: {error}") from None
        if unit in NUMERIC_UNITS and spec.stricter not in ("higher", "lower"):
            raise at.fail(f"parameter {name}: a numeric parameter needs `stricter: higher` or `lower`")
        keys = tuple(spec.keys or ())
        for key in keys:
            if key not in self.keys:
                raise at.fail(f"parameter {name}: unknown key {key!r}")
        param = (name, unit, keys)
        rows: list[Row] = []
        if spec.table:
            table = self.dir / spec.table
            display = self.display(table)
            for line, raw in self.read_csv(table, (*keys, "value", "source")):
                rows.append(self.make_row(At(None, fixed=f"{display}:{line}"), param, {k: raw[k] for k in keys}, raw,
                                          self.sources, "national"))
        for index, raw_row in enumerate(spec.values or ()):
            rows.append(self.make_row(at / "values" / index, param, dict(raw_row.keys or {}), raw_row, self.sources,
                                      "national"))
        _check_overlaps(name, rows)
        default = None
        if spec.default is not None:
            if unit in NUMERIC_UNITS:
                raise at.fail(f"parameter {name}: a numeric parameter cannot have a default "
                              "(it would be an invented figure)")
            default = self.make_row(at / "default", (name, unit, ()), {}, spec.default, self.sources, "national",
                                    default=True)
        review_source = str(spec.review_source) if spec.review_source is not None else None
        if review_source is not None and review_source not in self.sources:
            raise (at / "review_source").fail(f"parameter {name}: unknown source id {review_source!r} in review_source")
        return Parameter(name=name, label=spec.label.model_dump(), unit=unit, stricter=spec.stricter, keys=keys,
                         rows=tuple(rows), default=default, review=spec.review.model_dump() if spec.review else None,
                         review_source=review_source)

    def load_indicator(self, at: At, name: str, spec: shape.Indicator) -> Indicator:
        if not NAME.match(name):
            raise at.fail(f"indicator name {name!r} must be snake_case")
        if spec.unit not in NUMERIC_UNITS:
            raise at.fail(f"indicator {name}: unit {spec.unit!r} is not a numeric unit")
        formula = self.formula(at, spec.formula, f"indicator {name}")
        return Indicator(name=name, label=spec.label.model_dump(), unit=spec.unit, formula=formula)

    def formula(self, at: At, text: str, what: str) -> Formula:
        try:
            formula = parse(text)
        except FormulaError as error:
            raise at.fail(f"{what}: {error}") from None
        for path in formula.paths:
            self.check_path(at, path, what)
            if self.path_kind(path)[0] != "number":
                raise at.fail(f"{what}: {path} is not a number")
        return formula

    # rules -------------------------------------------------------------------------------------
    def load_rule_file(self, path: Path, listed: At) -> list[Rule]:
        if not path.is_file():
            raise listed.fail(f"rule file {path.name} not found")
        document = read_yaml(path, self.display(path))
        if not isinstance(document.data, list):
            raise PackError(f"{document.display}:1", "a rule file is a YAML list of rules")
        rules = shape.validate(shape.RuleFile, document).root
        return [self.load_rule(At(document, (index,)), rule) for index, rule in enumerate(rules)]

    def load_rule(self, at: At, spec: shape.Rule) -> Rule:
        what = f"rule {spec.id}"
        if spec.severity not in SEVERITIES:
            raise at.fail(f"{what}: severity must be one of {', '.join(SEVERITIES)}")
        applies = None if spec.applies_when is None else self.condition(at / "applies_when", spec.applies_when, what)
        defaults = tuple(self.default(at / "defaults" / i, d, what) for i, d in enumerate(spec.defaults or ()))
        if len({d.fact for d in defaults}) != len(defaults):
            raise at.fail(f"{what}: at most one default per fact")
        remedy_values = tuple(self.remedy_value(at / "remedy_values" / name, v, name, what)
                              for name, v in (spec.remedy_values or {}).items())
        cases = tuple(self.case(at / "violations" / i, c, spec.severity, what)
                      for i, c in enumerate(spec.violations or ()))
        if len({c.id for c in cases}) != len(cases):
            raise at.fail(f"{what}: duplicate violation case id")
        if applies is not None and spec.not_applicable is None:
            raise at.fail(f"{what}: `not_applicable` needs both zh and en text")
        text = lambda t: None if t is None else t.model_dump()  # noqa: E731
        rule = Rule(id=spec.id, title=spec.title.model_dump(), domain=spec.domain, severity=spec.severity,
                    citations=tuple(self.citation(at / "citations" / i, c, what) for i, c in enumerate(spec.citations)),
                    applies_when=applies, defaults=defaults, cases=cases, remedy_values=remedy_values,
                    satisfied=spec.satisfied.model_dump(), not_applicable=text(spec.not_applicable), where=at.where,
                    undetermined=text(spec.undetermined))
        self.check_templates(at, rule)
        return rule

    def citation(self, at: At, spec: shape.Citation, what: str) -> Citation:
        if spec.seed:
            if not spec.paragraph or not spec.quote:
                raise at.fail(f"{what}: a seed citation needs `paragraph` and `quote`")
            seed_source = next((src for src in self.sources.values() if src.file == spec.seed), None)
            return Citation(source=seed_source, article=None, quote=spec.quote, seed=spec.seed,
                            paragraph=spec.paragraph)
        if not spec.source:
            raise at.fail(f"{what}: missing citation source (a `source` id or a `seed`)")
        if spec.source not in self.sources:
            raise at.fail(f"{what}: unknown source id {spec.source!r}")
        if not spec.article:
            raise at.fail(f"{what}: a citation needs the `article` or table it rests on")
        return Citation(source=self.sources[spec.source], article=spec.article, quote=spec.quote)

    def case(self, at: At, spec: shape.Case, severity: str, what: str) -> Case:
        case_severity = spec.severity or severity
        if case_severity not in SEVERITIES:
            raise at.fail(f"{what}: severity must be one of {', '.join(SEVERITIES)}")
        return Case(id=spec.case, severity=case_severity, when=self.condition(at / "when", spec.when, what),
                    message=spec.message.model_dump(), remedy=spec.remedy.model_dump() if spec.remedy else None)

    def default(self, at: At, spec: shape.Default, what: str) -> Default:
        fact = self.check_path(at, spec.fact, f"{what}: default")
        if fact.split(".")[0] not in PROPOSAL_SECTIONS:
            raise at.fail(f"{what}: only proposal facts take a default")
        feeds = [k.name for k in self.keys.values() if k.fact == fact] + [
            i.name for i in self.indicators.values() if fact in i.formula.paths]
        if feeds:
            raise at.fail(f"{what}: {fact} feeds {', '.join(feeds)}, which are computed once per "
                          "proposal: a rule's default cannot change them")
        value = self.check_literal(at, fact, spec.value, f"{what}: default")
        when = self.condition(at / "when", spec.when, what)
        if fact in condition_paths(when):
            raise at.fail(f"{what}: a default's `when` must not read the fact it defaults")
        return Default(fact=fact, value=value, when=when)

    def remedy_value(self, at: At, spec: shape.RemedyValue, name: str, what: str) -> RemedyValue:
        if spec.unit not in NUMERIC_UNITS:
            raise at.fail(f"{what}: remedy value {name}: unknown numeric unit {spec.unit!r}")
        formula = self.formula(at, spec.formula, what)
        return RemedyValue(name=name, formula=formula, unit=spec.unit, rounding=spec.round, places=spec.places)

    def condition(self, at: At, node: Any, what: str) -> Condition:
        if not isinstance(node, dict):
            raise at.fail(f"{what}: condition must be a mapping")
        if "all" in node or "any" in node:
            if len(node) != 1:
                raise at.fail(f"{what}: use either `all` or `any` in one condition")
            kind = "all" if "all" in node else "any"
            children = node[kind]
            if not isinstance(children, list) or not children:
                raise at.fail(f"{what}: `{kind}` needs a non-empty list")
            parsed = tuple(self.condition(at / kind / i, c, what) for i, c in enumerate(children))
            return All(parsed) if kind == "all" else Any_(parsed)
        if "not" in node:
            if len(node) != 1:
                raise at.fail(f"{what}: condition: unknown field(s) {', '.join(sorted(map(str, set(node) - {'not'})))}")
            return Not(self.condition(at / "not", node["not"], what))
        if "fact" not in node:
            raise at.fail(f"{what}: a condition is all/any/not or {{fact: PATH, OP: VALUE}}")
        path = self.check_path(at, node["fact"], what)
        ops = [k for k in node if k != "fact"]
        if len(ops) != 1 or ops[0] not in OPERATORS:
            raise at.fail(f"{what}: bad operator {ops} (use one of {', '.join(OPERATORS)})")
        op = ops[0]
        operand = node[op]
        kind, unit, _ = self.path_kind(path)
        if op == "exists":
            if not isinstance(operand, bool):
                raise at.fail(f"{what}: exists takes true or false")
            return Leaf(path, op, operand)
        if op in ("in", "not_in", "contains_any"):
            if not isinstance(operand, list) or not operand:
                raise at.fail(f"{what}: {op} takes a non-empty list")
            if (op == "contains_any") != (kind == "enum_list"):
                raise at.fail(f"{what}: contains_any is for list facts, in/not_in for single values")
            return Leaf(path, op, tuple(self.check_literal(at, path, v, what) for v in operand))
        if kind == "enum_list":
            raise at.fail(f"{what}: {path} is a list: use contains_any")
        if isinstance(operand, dict):
            if set(operand) != {"ref"}:
                raise at.fail(f"{what}: a reference is written {{ref: PATH}}")
            ref = self.check_path(at, operand["ref"], what)
            ref_kind, ref_unit, _ = self.path_kind(ref)
            if ref_kind != kind or ref_unit != unit:
                raise at.fail(f"threshold of the wrong unit: {path} ({unit or kind}) compared with "
                              f"{ref} ({ref_unit or ref_kind})")
            return Leaf(path, op, None, ref)
        if op in ("lt", "le", "gt", "ge") and kind not in ("number", "integer"):
            raise at.fail(f"{what}: {op} compares numbers; {path} is {kind}")
        return Leaf(path, op, self.check_literal(at, path, operand, what))

    def check_literal(self, at: At, path: str, value: Any, what: str) -> Any:
        kind, _, choices = self.path_kind(path)
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or value != 0:
                raise at.fail(f"{what}: numeric literal {value!r} in a condition: a figure belongs in a parameter "
                              "with its source (only 0 is allowed)")
            return Decimal(0)
        if kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise at.fail(f"{what}: {path} takes a whole number, not {value!r}")
            _in_range(at, Decimal(value), None, path, what)
            return value
        if kind == "boolean":
            if not isinstance(value, bool):
                raise at.fail(f"{what}: {path} takes true or false, not {value!r}")
            return value
        if kind in ("enum", "enum_list"):
            if value not in choices:
                raise at.fail(f"{what}: {value!r} is not a value of {path} ({', '.join(choices)})")
            return str(value)
        if not isinstance(value, str):
            raise at.fail(f"{what}: {path} takes text, not {value!r}")
        return value

    def check_templates(self, at: At, rule: Rule) -> None:
        remedies = {r.name for r in rule.remedy_values}
        texts = [rule.title, rule.satisfied, rule.not_applicable or {}, rule.undetermined or {}]
        for case in rule.cases:
            texts += [case.message, case.remedy or {}]
        for text in texts:
            for body in text.values():
                rest = PLACEHOLDER.sub("", body)
                if "{" in rest or "}" in rest:
                    raise at.fail(f"rule {rule.id}: unclosed template placeholder in {body!r} "
                                  "(a placeholder is written {path})")
                for placeholder in PLACEHOLDER.findall(body):
                    if placeholder.startswith("remedy."):
                        known = placeholder[7:] in remedies
                    else:
                        try:
                            known = bool(self.path_kind(placeholder))
                        except KeyError:
                            known = False
                    if not known:
                        raise at.fail(f"rule {rule.id}: unknown template placeholder {{{placeholder}}}")

    # zones -------------------------------------------------------------------------------------
    def load_zone(self, path: Path) -> Zone:
        document = read_yaml(path, self.display(path))
        spec = shape.validate(shape.ZoneFile, document)
        at = At(document)
        if spec.id != path.stem:
            raise (at / "id").fail(f"zone id {spec.id!r} must match its file name {path.stem!r}")
        sources = dict(self.sources)
        sources.update({str(k): _source(str(k), v) for k, v in (spec.sources or {}).items()})
        facts: dict[str, tuple[object, Source]] = {}
        for fact, given in (spec.facts or {}).items():
            fact_at = at / "facts" / fact
            self.check_path(fact_at, fact, "zone facts")
            if fact not in FACTS:
                raise fact_at.fail(f"zone facts: {fact} is not a proposal fact")
            what = f"zone fact {fact}"
            if FACTS[fact].kind == "number":
                value: object = number(fact_at, given.value, what)
                _in_range(fact_at, value, FACTS[fact].unit, fact, what)  # type: ignore[arg-type]
            else:
                value = self.check_literal(fact_at, fact, given.value, what)
            if (given.source or "") not in sources:
                raise fact_at.fail(f"{what}: unknown source id {given.source or ''!r}")
            facts[fact] = (value, sources[given.source or ""])
        rows: dict[str, tuple[Row, ...]] = {}
        reviews: dict[str, dict[str, str]] = {}
        for name, entry in (spec.parameters or {}).items():
            if name not in self.parameters:
                raise at.fail(f"unknown parameter {name!r}")  # at the profile, as it always was
            param = self.parameters[name]
            rows[name] = tuple(
                self.make_row(at / "parameters" / name / "values" / i, (name, param.unit, param.keys),
                              dict(raw.keys or {}), raw, sources, f"zone:{spec.id}")
                for i, raw in enumerate(entry.values))
            _check_overlaps(name, list(rows[name]))
            if entry.review:
                reviews[name] = entry.review.model_dump()
        return Zone(id=spec.id, name=spec.name.model_dump(), region=spec.region, fictional=spec.fictional, facts=facts,
                    rows=rows, sources=sources, hash=_hash_files([path], path.parent), review=reviews)


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


if __name__ == "__main__":  # python -m zonecheck.engine.pack.loader rules/national
    import sys

    try:
        loaded = load_pack(sys.argv[1] if len(sys.argv) > 1 else "rules/national")
    except PackError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    print(f"{loaded.id} {loaded.version}: {len(loaded.rules)} rules, {len(loaded.parameters)} parameters, "
          f"{len(loaded.indicators)} indicators, zones: {', '.join(loaded.zones)}")
