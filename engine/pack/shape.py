"""The shape of each pack file kind (pack.yaml, sources.yaml, rule files, zone profiles) as pydantic
models: unknown keys refused, types checked, every error reported at its YAML line. What the values
mean (paths, units, sources, dates in force) is checked by the loader's code; conditions are checked
there too, so they are free-form mappings here and described by hand in the JSON Schema.

`pack_schema()` is the JSON Schema published as docs/pack.schema.json for editors
(`python -m zonecheck.engine.pack.shape > docs/pack.schema.json`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, RootModel, StringConstraints, ValidationError,
                      WithJsonSchema, model_validator)
from pydantic.json_schema import models_json_schema
from pydantic_core import PydanticCustomError

from zonecheck.engine.pack.marks import Document, Loc, PackError

SEVERITIES = ("veto", "mandatory", "condition", "advisory")
CONFIDENCE = ("law", "read", "secondary", "seed", "local")
OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "contains_any", "exists")
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
RULE_ID_PATTERN = r"^[A-Z][A-Z0-9-]*$"


def _problem(reason: str) -> PydanticCustomError:
    return PydanticCustomError("pack", "{reason}", {"reason": reason})


def _scalar_text(value: Any) -> Any:
    """YAML reads `80`, `1.0` or `2008-01-31` as numbers or dates; in a text field they are text."""
    if isinstance(value, (int, float, Decimal, dt.date)) and not isinstance(value, bool):
        return str(value)
    return value


def _day(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _problem(f"is not a YYYY-MM-DD date: {value!r} (bad date range)") from None


Scalar = Annotated[str, BeforeValidator(_scalar_text), WithJsonSchema({"type": ["string", "number"]})]
Required = Annotated[str, BeforeValidator(_scalar_text), StringConstraints(min_length=1),
                     WithJsonSchema({"type": ["string", "number"], "minLength": 1})]
Day = Annotated[dt.date | None, BeforeValidator(_day)]
Value = Annotated[Any, WithJsonSchema({"type": ["number", "string", "boolean"]})]
Cell = Annotated[Any, WithJsonSchema({"type": ["string", "number"]})]
# Stand-ins replaced by references once every definition exists (see `pack_schema`).
Condition = Annotated[dict[str, Any], WithJsonSchema({"$comment": "Condition"})]
Note = Annotated[Any, WithJsonSchema({"$comment": "Note"})]  # a note for people, never read


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(Shape):
    """Text in both languages."""

    zh: Required
    en: Required

    @model_validator(mode="before")
    @classmethod
    def _both_languages(cls, value: Any) -> Any:
        if not isinstance(value, dict) or not value.get("zh") or not value.get("en"):
            raise _problem("needs both zh and en text")
        stray = sorted(map(str, set(value) - {"zh", "en"}))
        if stray:
            raise _problem(f"takes only zh and en (stray: {', '.join(stray)}; an unquoted comma inside "
                           "{...} splits the text: quote it)")
        return value


class Source(Shape):
    """A legal or local source that figures and citations rest on."""

    document: Required
    number: Scalar | None = None
    issued: Scalar | None = None
    confidence: Literal[CONFIDENCE]  # type: ignore[valid-type]
    reference: Scalar | None = None
    note: Scalar | None = None
    file: Scalar | None = Field(None, description="A seed document's file name: citations with this `seed` name it.")


class Row(Shape):
    """One value of a parameter: its keys, value, unit, dates in force and source."""

    keys: dict[str, Cell] | None = None
    value: Value
    unit: Scalar | None = None
    valid_from: Day = None
    valid_to: Day = None
    source: Scalar | None = None
    note: Scalar | None = None


class Via(Shape):
    table: Required
    from_: Required = Field(alias="from")
    to: Required


class Key(Shape):
    """How table rows are matched to a proposal."""

    fact: Required
    match: Literal["exact", "prefix"] = "exact"
    via: Via | None = None


class Indicator(Shape):
    """A value derived from facts and parameters by a formula."""

    label: Text
    unit: Required
    formula: Required
    note: Note = None


class Parameter(Shape):
    """A threshold or keyed flag, with its national values (a table or inline rows)."""

    label: Text
    unit: Required
    stricter: Literal["higher", "lower"] | None = None
    keys: list[Scalar] | None = None
    table: Scalar | None = None
    values: list[Row] | None = None
    default: Row | None = None
    note: Note = None
    review: Text | None = Field(None, description="What an officer must check by hand, and against which "
                                                     "document, when no figure is in force.")
    review_source: Scalar | None = Field(None, description="The source (an id in sources.yaml) to check the "
                                                             "parameter against when no figure is in force.")


class PackFile(Shape):
    """pack.yaml: the pack's id, rule files, keys, indicators and parameters."""

    id: Required
    version: Required
    title: Text
    description: Note = None
    rule_files: list[Scalar] = Field(min_length=1)
    keys: dict[str, Key] | None = None
    indicators: dict[str, Indicator] | None = None
    parameters: dict[str, Parameter] | None = None


class SourcesFile(RootModel[dict[str, Source] | None]):
    """sources.yaml: source id -> source."""


class Citation(Shape):
    source: Scalar | None = None
    article: Scalar | None = None
    quote: Scalar | None = None
    seed: Scalar | None = None
    paragraph: Scalar | None = None


class Default(Shape):
    fact: Required
    value: Value = None
    when: Condition


class Case(Shape):
    case: Required = Field(pattern=NAME_PATTERN, json_schema_extra={"pattern": NAME_PATTERN})
    severity: Literal[SEVERITIES] | None = None  # type: ignore[valid-type]
    when: Condition
    message: Text
    remedy: Text | None = None


class RemedyValue(Shape):
    formula: Required
    unit: Required
    round: Literal["half_even", "up", "down"] = "half_even"
    places: int = Field(2, ge=0, le=6, strict=True)


class Rule(Shape):
    """One rule: what it checks, the clauses it rests on, its cases and messages."""

    id: Required = Field(pattern=RULE_ID_PATTERN, json_schema_extra={"pattern": RULE_ID_PATTERN})
    title: Text
    domain: Literal["environment", "land", "industry", "intensity"]
    # checked by the loader, at the rule's line, as the severity of a rule always was
    severity: Scalar = Field(json_schema_extra={"enum": list(SEVERITIES)})
    citations: list[Citation] = Field(min_length=1)
    applies_when: Condition | None = None
    defaults: list[Default] | None = None
    violations: list[Case] | None = None
    remedy_values: dict[str, RemedyValue] | None = None
    satisfied: Text
    not_applicable: Text | None = None
    undetermined: Text | None = None
    note: Note = None


class RuleFile(RootModel[list[Rule]]):
    """A rule file: a list of rules."""


class ZoneFact(Shape):
    value: Value = None
    source: Scalar | None = None


def _rows_alone(value: Any) -> Any:
    return {"values": value} if isinstance(value, list) else value


class ZoneParameter(Shape):
    """A zone's rows for a parameter (written as the list alone, or with a `review` note)."""

    review: Text | None = None
    values: list[Row] = []


ZoneParameterEntry = Annotated[ZoneParameter, BeforeValidator(_rows_alone),
                               WithJsonSchema({"$comment": "ZoneParameterEntry"})]


class ZoneFile(Shape):
    """A zone profile: region, facts, local sources and local parameter values."""

    id: Required
    name: Text
    fictional: bool = Field(False, strict=True)
    region: Literal["east", "central", "west", "northeast"]
    facts: dict[str, ZoneFact] | None = None
    sources: dict[str, Source] | None = None
    parameters: dict[str, ZoneParameterEntry] | None = None
    note: Note = None
    leading_industries_note: Note = None


# --- errors at their line -----------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)
_WHOLE = {"citations": "missing citation (every rule cites its clause)",
          "rule_files": "needs `rule_files`, a list of rule files"}
_KIND = {PackFile: "pack.yaml", SourcesFile: "sources.yaml", RuleFile: "a rule file", ZoneFile: "zone profile"}
_SECTIONS = {"keys": "key", "indicators": "indicator", "parameters": "parameter", "sources": "source",
             "facts": "zone fact", "remedy_values": "remedy value"}


def validate(model: type[M], document: Document) -> M:
    """The document as `model`, or its first error as `file:line: reason`: an unknown key first (a
    misspelt key also makes its right spelling missing), then by line."""
    try:
        return model.model_validate(document.data)
    except ValidationError as caught:
        errors = caught.errors()
        first = min(errors, key=lambda e: (e["type"] != "extra_forbidden", document.line(tuple(e["loc"]))))
        reason = _reason(model, document.data, first)
        if first["type"] == "extra_forbidden":
            missing = [str(e["loc"][-1]) for e in errors
                       if e["type"] == "missing" and e["loc"][:-1] == first["loc"][:-1]]
            close = difflib.get_close_matches(str(first["loc"][-1]), missing, n=1)
            reason += f" (did you mean `{close[0]}`?)" if close else ""
        raise PackError(f"{document.display}:{document.line(tuple(first['loc']))}", reason) from None


def _reason(model: type[BaseModel], data: Any, error: Any) -> str:
    loc: Loc = tuple(step for step in error["loc"] if step != "[key]")
    what, rest = _what(model, data, loc)
    field = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in rest).lstrip(".")
    kind = error["type"]
    if rest and rest[-1] in _WHOLE and kind in ("missing", "too_short", "list_type"):
        return f"{what}: {_WHOLE[rest[-1]]}"
    problem = {
        "pack": error["msg"],
        "missing": "is required",
        "extra_forbidden": "is not a known field",
        "string_type": "must be text",
        "string_too_short": "is required",
        "dict_type": "must be a mapping",
        "model_type": "must be a mapping",
        "model_attributes_type": "must be a mapping",
        "list_type": "must be a list",
        "too_short": "must not be empty",
        "bool_type": "must be true or false",
        "int_type": "must be a whole number",
        "int_from_float": "must be a whole number",
        "less_than_equal": f"must be at most {error.get('ctx', {}).get('le', '')}",
        "greater_than_equal": f"must be at least {error.get('ctx', {}).get('ge', '')}",
        "literal_error": f"must be one of {error.get('ctx', {}).get('expected', '')}",
        "string_pattern_mismatch": f"{error['input']!r} does not match {error.get('ctx', {}).get('pattern', '')}",
    }.get(kind, error["msg"][:1].lower() + error["msg"][1:])
    return f"{what}: `{field}` {problem}" if field else f"{what}: {problem}"


def _what(model: type[BaseModel], data: Any, loc: Loc) -> tuple[str, Loc]:
    """The thing an error is about (`rule X`, `parameter Y`, ...) and the field path inside it."""
    if model is RuleFile and loc and isinstance(loc[0], int):
        item = data[loc[0]] if isinstance(data, list) and loc[0] < len(data) else None
        rule_id = item.get("id") if isinstance(item, dict) else None
        return (f"rule {rule_id}" if rule_id else f"rule #{loc[0] + 1}"), loc[1:]
    if model is SourcesFile and loc:
        return f"source {loc[0]}", loc[1:]
    if len(loc) >= 2 and loc[0] in _SECTIONS:
        return f"{_SECTIONS[loc[0]]} {loc[1]}", loc[2:]
    return _KIND[model], loc  # type: ignore[index]


# --- the published JSON Schema ------------------------------------------------------------------

_OPERAND = {"anyOf": [{"type": ["string", "number", "boolean"]},
                      {"type": "object", "required": ["ref"], "additionalProperties": False,
                       "properties": {"ref": {"type": "string", "description": "A path of the same unit."}}}]}
_LIST = {"type": "array", "minItems": 1, "items": {"type": ["string", "number", "boolean"]}}
CONDITION_SCHEMA = {
    "description": "{all: [...]}, {any: [...]}, {not: condition} or {fact: PATH, OP: OPERAND} "
                   "(docs/rule-format.md §5).",
    "anyOf": [
        *({"type": "object", "required": [kind], "additionalProperties": False,
           "properties": {kind: {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Condition"}}}}
          for kind in ("all", "any")),
        {"type": "object", "required": ["not"], "additionalProperties": False,
         "properties": {"not": {"$ref": "#/$defs/Condition"}}},
        {"type": "object", "required": ["fact"], "minProperties": 2, "maxProperties": 2, "additionalProperties": False,
         "properties": {"fact": {"type": "string", "description": "A path: project.*, land.*, zone.*, ind.*, par.*"},
                        **{op: _OPERAND for op in ("eq", "ne", "lt", "le", "gt", "ge")},
                        **{op: _LIST for op in ("in", "not_in", "contains_any")},
                        "exists": {"type": "boolean"}}},
    ],
}
FILES = {"pack.yaml": PackFile, "sources.yaml": SourcesFile, "rule file": RuleFile, "zone profile": ZoneFile}


def pack_schema() -> dict[str, Any]:
    """One JSON Schema for every pack file kind, told apart by shape: a list is a rule file, a mapping
    with `rule_files` is pack.yaml, one with `id` and `region` a zone profile, any other sources.yaml."""
    models = [*FILES.values(), ZoneParameter]
    _, top = models_json_schema([(m, "validation") for m in models], ref_template="#/$defs/{model}")
    defs = _resolve({**top["$defs"], "Condition": CONDITION_SCHEMA})
    ref = {name: {"$ref": f"#/$defs/{model.__name__}"} for name, model in FILES.items()}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",  # the draft editors support most widely
        "title": "zonecheck rule pack file",
        "description": "pack.yaml, sources.yaml, rules/*.yaml and zones/*.yaml of a zonecheck rule pack "
                       "(docs/rule-format.md). Generated from zonecheck.engine.pack.shape.",
        "if": {"type": "array"},
        "then": ref["rule file"],
        "else": {"if": {"required": ["rule_files"]}, "then": ref["pack.yaml"],
                 "else": {"if": {"required": ["id", "region"]}, "then": ref["zone profile"],
                          "else": ref["sources.yaml"]}},
        "$defs": dict(sorted(defs.items())),
    }


_STAND_INS = {"Condition": {"$ref": "#/$defs/Condition"},
              "Note": {"type": ["string", "number", "object", "null"], "description": "A note for people; never read."},
              "ZoneParameterEntry": {"anyOf": [{"type": "array", "items": {"$ref": "#/$defs/Row"}},
                                               {"$ref": "#/$defs/ZoneParameter"}]}}


def _resolve(schema: Any) -> Any:
    if isinstance(schema, dict):
        if schema.get("$comment") in _STAND_INS:
            rest = {k: v for k, v in schema.items() if k not in ("$comment", "title")}
            return {**rest, **_STAND_INS[schema["$comment"]]}
        return {k: _resolve(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_resolve(v) for v in schema]
    return schema


def schema_text() -> str:
    return json.dumps(pack_schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    print(schema_text(), end="")
